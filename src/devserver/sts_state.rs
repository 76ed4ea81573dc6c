//! The dev server's STS: the roles that may be assumed (from `--sts-role` flags and
//! `sts-roles.json` in the data folder) and the temporary credentials it has issued, which
//! its OSS and RPC sides accept until they expire.
//!
//! Issued credentials live in memory only: a restarted server has forgotten them, as if STS
//! had revoked them (the client then assumes the role again).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rand::Rng as _;
use rand::distr::Alphanumeric;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::core::sts::{self, RoleArn};

/// The file in the data folder that defines roles.
pub const ROLES_FILE: &str = "sts-roles.json";

/// A role that may be assumed: its ARN, the AccessKey IDs its trust policy names, and its
/// maximum session duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDef {
    pub arn: RoleArn,
    /// Empty: the server's own AccessKey.
    pub trusted_access_key_ids: Vec<String>,
    pub max_duration_seconds: u32,
}

impl RoleDef {
    /// `arn=acs:ram::<uid>:role/<name>[,trust=AK1;AK2][,max-duration=SECONDS]`.
    pub fn parse_flag(text: &str) -> Result<Self, String> {
        let mut arn = None;
        let mut trusted = Vec::new();
        let mut max = sts::DEFAULT_DURATION_SECONDS;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("--sts-role: {part:?} is not name=value"))?;
            match name.trim() {
                "arn" => arn = Some(RoleArn::parse(value)?),
                "trust" => trusted.extend(value.split(';').map(|v| v.trim().to_owned())),
                "max-duration" => {
                    max = value
                        .trim()
                        .parse()
                        .map_err(|_| format!("--sts-role: max-duration {value:?}"))?;
                }
                other => return Err(format!("--sts-role: unknown field {other:?}")),
            }
        }
        Ok(Self {
            arn: arn.ok_or("--sts-role needs arn=acs:ram::<account id>:role/<name>")?,
            trusted_access_key_ids: trusted.into_iter().filter(|t| !t.is_empty()).collect(),
            max_duration_seconds: max,
        })
    }
}

#[derive(Deserialize)]
struct RolesFile {
    roles: Vec<RoleJson>,
}

#[derive(Deserialize)]
struct RoleJson {
    arn: String,
    #[serde(default)]
    trusted_access_key_ids: Vec<String>,
    #[serde(default)]
    max_duration_seconds: Option<u32>,
}

/// `{"roles": [{"arn", "trusted_access_key_ids": [...], "max_duration_seconds"}]}` from the
/// data folder; a missing file defines none.
pub fn load_roles_file(data_dir: &Path) -> anyhow::Result<Vec<RoleDef>> {
    let path = data_dir.join(ROLES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    let file: RolesFile = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a roles file: {e}", path.display()))?;
    file.roles
        .into_iter()
        .map(|r| {
            Ok(RoleDef {
                arn: RoleArn::parse(&r.arn).map_err(|e| anyhow::anyhow!("{e}"))?,
                trusted_access_key_ids: r.trusted_access_key_ids,
                max_duration_seconds: r
                    .max_duration_seconds
                    .unwrap_or(sts::DEFAULT_DURATION_SECONDS),
            })
        })
        .collect()
}

/// Temporary credentials the server issued.
pub struct Issued {
    pub secret: Zeroizing<String>,
    pub token: Zeroizing<String>,
    pub expiration: DateTime<Utc>,
    pub role: RoleArn,
    pub session_name: String,
}

/// Why AssumeRole was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssumeRefusal {
    /// No such role (STS: `EntityNotExist.Role`).
    NoSuchRole,
    /// The caller is not named in the role's trust policy (STS: `NoPermission`).
    NotTrusted,
    /// Only long-term keys assume roles here (no role chaining).
    TemporaryCaller,
    /// More than the role's maximum session duration.
    TooLong { max: u32 },
}

/// Roles, the duration cap and the issued credentials, shared by every region's port.
pub struct StsState {
    /// The account of the server's own AccessKey (GetCallerIdentity).
    pub account_id: String,
    pub own_access_key_id: String,
    roles: Vec<RoleDef>,
    /// `--sts-max-duration-seconds`: issued credentials live at most this long.
    max_duration_seconds: Option<u32>,
    issued: Mutex<HashMap<String, Issued>>,
}

impl StsState {
    pub fn new(
        account_id: &str,
        own_access_key_id: &str,
        roles: Vec<RoleDef>,
        max_duration_seconds: Option<u32>,
    ) -> Self {
        Self {
            account_id: account_id.to_owned(),
            own_access_key_id: own_access_key_id.to_owned(),
            roles,
            max_duration_seconds,
            issued: Mutex::new(HashMap::new()),
        }
    }

    /// Issues credentials for `arn` to `caller` (an AccessKey ID) for at most the role's and
    /// the server's maximum.
    pub fn assume(
        &self,
        caller: &str,
        arn: &RoleArn,
        session_name: &str,
        duration_seconds: u32,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), AssumeRefusal> {
        let role = self
            .roles
            .iter()
            .find(|r| &r.arn == arn)
            .ok_or(AssumeRefusal::NoSuchRole)?;
        if caller.starts_with("STS.") {
            return Err(AssumeRefusal::TemporaryCaller);
        }
        let trusted = if role.trusted_access_key_ids.is_empty() {
            caller == self.own_access_key_id
        } else {
            role.trusted_access_key_ids.iter().any(|t| t == caller)
        };
        if !trusted {
            return Err(AssumeRefusal::NotTrusted);
        }
        if duration_seconds > role.max_duration_seconds {
            return Err(AssumeRefusal::TooLong {
                max: role.max_duration_seconds,
            });
        }
        // The server-wide cap shortens silently: it exists to make expiry testable.
        let seconds = duration_seconds.min(self.max_duration_seconds.unwrap_or(u32::MAX));
        let expiration = now + chrono::TimeDelta::seconds(i64::from(seconds));
        let id = format!("STS.{}", random_text(24));
        let issued = Issued {
            secret: Zeroizing::new(random_text(30)),
            token: Zeroizing::new(random_text(96)),
            expiration,
            role: arn.clone(),
            session_name: session_name.to_owned(),
        };
        let mut all = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        // Long-expired entries go, so a soak test does not grow the map for ever.
        all.retain(|_, i| now - i.expiration < chrono::TimeDelta::hours(1));
        all.insert(id.clone(), issued);
        Ok((id, expiration))
    }

    /// Runs `f` on the credentials issued under `id`, if any.
    pub fn with_issued<T>(&self, id: &str, f: impl FnOnce(&Issued) -> T) -> Option<T> {
        let all = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        all.get(id).map(f)
    }
}

fn random_text(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{AssumeRefusal, RoleDef, StsState};
    use crate::core::sts::RoleArn;

    #[test]
    fn role_flags_parse_and_trust_is_enforced() {
        let role = RoleDef::parse_flag(
            "arn=acs:ram::1234567890123456:role/auditor,trust=LTAIa;LTAIb,max-duration=1800",
        )
        .expect("valid");
        assert_eq!(role.trusted_access_key_ids, ["LTAIa", "LTAIb"]);
        assert!(RoleDef::parse_flag("trust=x").is_err());
        assert!(RoleDef::parse_flag("arn=acs:ram::1:role/x,colour=blue").is_err());
        let arn = role.arn.clone();
        let state = StsState::new("1", "LTAIown", vec![role], Some(5));
        let now = chrono::Utc::now();
        let (id, expiration) = state
            .assume("LTAIa", &arn, "s", 1800, now)
            .expect("trusted");
        assert!(id.starts_with("STS."));
        assert_eq!((expiration - now).num_seconds(), 5, "capped by the server");
        assert!(state.with_issued(&id, |i| i.role == arn).expect("issued"));
        assert_eq!(
            state.assume("LTAIa", &arn, "s", 3600, now),
            Err(AssumeRefusal::TooLong { max: 1800 })
        );
        assert_eq!(
            state.assume("LTAIown", &arn, "s", 3600, now),
            Err(AssumeRefusal::NotTrusted)
        );
        let other = RoleArn::parse("acs:ram::1:role/other").expect("arn");
        assert_eq!(
            state.assume("LTAIa", &other, "s", 3600, now),
            Err(AssumeRefusal::NoSuchRole)
        );
    }
}

//! STS (OpenAPI 2015-04-01) values shared by the client and the dev server: the AssumeRole
//! parameters and their checks, and the temporary credentials both STS and the ECS metadata
//! service answer with. Field names follow the STS API reference ("AssumeRole",
//! "GetCallerIdentity") and the ECS metadata documentation ("Obtain an instance RAM role's
//! temporary credentials").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::sign::Credentials;

/// The STS API version every call names.
pub const VERSION: &str = "2015-04-01";
/// STS's own bounds on `DurationSeconds`; a role's maximum may be lower than the upper one.
pub const MIN_DURATION_SECONDS: u32 = 900;
pub const MAX_DURATION_SECONDS: u32 = 43_200;
pub const DEFAULT_DURATION_SECONDS: u32 = 3600;

/// `acs:ram::<account uid>:role/<name>`, checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn {
    pub account_id: String,
    pub role_name: String,
}

impl RoleArn {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a RAM role ARN (acs:ram::<account id>:role/<name>)");
        let rest = text.trim().strip_prefix("acs:ram::").ok_or_else(bad)?;
        let (account, role) = rest.split_once(":role/").ok_or_else(bad)?;
        if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) || role.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            account_id: account.to_owned(),
            role_name: role.to_owned(),
        })
    }
}

impl std::fmt::Display for RoleArn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "acs:ram::{}:role/{}", self.account_id, self.role_name)
    }
}

/// `RoleSessionName`: 2 to 64 of `A-Za-z0-9._@-`.
pub fn validate_session_name(name: &str) -> Result<(), String> {
    let ok = (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "role session name {name:?} must be 2 to 64 letters, digits or . _ @ -"
        ))
    }
}

/// `DurationSeconds` within STS's bounds (the role's own maximum is checked by STS).
pub fn validate_duration(seconds: u32) -> Result<(), String> {
    if (MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(&seconds) {
        Ok(())
    } else {
        Err(format!(
            "duration_seconds {seconds} must be from {MIN_DURATION_SECONDS} to {MAX_DURATION_SECONDS}"
        ))
    }
}

/// Temporary credentials as STS (`Credentials` of AssumeRole) and the ECS metadata service
/// write them. Deliberately not `Debug`: turn it into [`Credentials`] (which redacts) at once.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TemporaryCredentialsDoc {
    pub access_key_id: String,
    pub access_key_secret: Zeroizing<String>,
    pub security_token: Zeroizing<String>,
    /// ISO 8601 UTC, e.g. `2026-01-02T03:04:05Z`.
    pub expiration: String,
}

/// Credentials with the time they stop working (`None`: long-term).
#[derive(Debug, Clone)]
pub struct ExpiringCredentials {
    pub credentials: Credentials,
    pub expiration: Option<DateTime<Utc>>,
}

impl TemporaryCredentialsDoc {
    /// Signing credentials and their expiry; an unreadable `Expiration` is an error, never
    /// "does not expire".
    pub fn into_expiring(self) -> Result<ExpiringCredentials, String> {
        let expiration = parse_expiration(&self.expiration)?;
        if self.access_key_id.trim().is_empty() || self.access_key_secret.trim().is_empty() {
            return Err("the answer holds no AccessKey".into());
        }
        Ok(ExpiringCredentials {
            credentials: Credentials::new(&self.access_key_id, &self.access_key_secret)
                .with_security_token(Some(&self.security_token)),
            expiration: Some(expiration),
        })
    }
}

/// `2026-01-02T03:04:05Z` (STS, ECS) or any RFC 3339 time.
pub fn parse_expiration(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("unreadable Expiration {text:?}: {e}"))
}

/// The format STS writes `Expiration` in.
pub fn format_expiration(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The AssumeRole answer (only what ossguard reads or the dev server writes); not `Debug`,
/// as it holds the secret.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleResponse {
    pub credentials: TemporaryCredentialsDoc,
    #[serde(default)]
    pub assumed_role_user: AssumedRoleUser,
    #[serde(default)]
    pub request_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumedRoleUser {
    pub arn: String,
    pub assumed_role_id: String,
}

/// The GetCallerIdentity answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallerIdentity {
    pub account_id: String,
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub arn: String,
    #[serde(default)]
    pub identity_type: String,
    #[serde(default)]
    pub principal_id: String,
    #[serde(default)]
    pub request_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arn_parses_and_refuses() {
        let arn = RoleArn::parse("acs:ram::1234567890123456:role/auditor").expect("valid");
        assert_eq!(arn.account_id, "1234567890123456");
        assert_eq!(arn.role_name, "auditor");
        assert_eq!(arn.to_string(), "acs:ram::1234567890123456:role/auditor");
        for bad in [
            "",
            "auditor",
            "acs:ram::abc:role/x",
            "acs:ram::123:role/",
            "acs:ram::123:user/x",
        ] {
            assert!(RoleArn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_name_and_duration_bounds() {
        assert!(validate_session_name("ossguard-audit@a.b_c").is_ok());
        assert!(validate_session_name("x").is_err());
        assert!(validate_session_name("has space").is_err());
        assert!(validate_session_name(&"a".repeat(65)).is_err());
        assert!(validate_duration(900).is_ok() && validate_duration(43_200).is_ok());
        assert!(validate_duration(899).is_err() && validate_duration(43_201).is_err());
    }

    #[test]
    fn assume_role_answer_parses_into_expiring_credentials() {
        let body = r#"{"RequestId":"R","AssumedRoleUser":{"Arn":"acs:ram::1:role/r/s","AssumedRoleId":"3:s"},
            "Credentials":{"AccessKeyId":"STS.abc","AccessKeySecret":"sec-value","SecurityToken":"tok-value",
            "Expiration":"2026-01-02T03:04:05Z"}}"#;
        let answer: AssumeRoleResponse = serde_json::from_str(body).expect("parses");
        let loaded = answer.credentials.into_expiring().expect("valid");
        assert_eq!(loaded.credentials.access_key_id, "STS.abc");
        assert_eq!(loaded.credentials.security_token(), Some("tok-value"));
        assert_eq!(
            loaded.expiration.map(format_expiration).as_deref(),
            Some("2026-01-02T03:04:05Z")
        );
        let mut bad: AssumeRoleResponse = serde_json::from_str(body).expect("parses");
        bad.credentials.expiration = "soon".into();
        assert!(bad.credentials.into_expiring().is_err());
    }
}

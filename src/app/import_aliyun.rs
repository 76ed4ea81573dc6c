//! The Alibaba Cloud CLI's `~/.aliyun/config.json`: `{"current", "profiles": [{"name", "mode",
//! "access_key_id", "access_key_secret", "sts_token", "ram_role_arn", "ram_session_name",
//! "expired_seconds", "external_id", "ram_role_name", "region_id", ...}]}` (the field names
//! `aliyun configure` writes; see the aliyun-cli repository's `config/profile.go`).
//!
//! Modes AK and StsToken become AccessKey / STS-token profiles; a StsToken profile's
//! `sts_expiration` (Unix seconds) becomes the token's expiry. The aliyun CLI declares that
//! field `int64` and fills it with `time.Now().Unix() + ...` for the CloudSSO and OAuth modes;
//! that it is set for StsToken profiles is not confirmed, so when it is absent or 0 the expiry
//! stays unknown (OSS's SecurityTokenExpired then tells). A RamRoleArn profile holds
//! the source AccessKey itself, so it becomes two: `<name>-source` (the AccessKey) and
//! `<name>` (`credential_type = "ram_role"` naming it). EcsRamRole becomes an ECS-role
//! profile. Other modes (OIDC, External, ...) are skipped.

use serde::Deserialize;

use super::import::{ImportError, ImportedProfile};
use super::profile::{CredentialSettings, CredentialType};
use crate::core::model::public_endpoint_for_region;
use crate::core::secret::Secret;

#[derive(Deserialize)]
struct AliyunConfig {
    #[serde(default)]
    profiles: Vec<AliyunProfile>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AliyunProfile {
    name: String,
    mode: String,
    access_key_id: String,
    access_key_secret: Secret,
    sts_token: Secret,
    ram_role_arn: String,
    ram_session_name: String,
    expired_seconds: u32,
    /// Unix seconds; 0 when absent.
    sts_expiration: i64,
    external_id: String,
    ram_role_name: String,
    region_id: String,
}

/// The suffix of the AccessKey profile a RamRoleArn profile assumes its role with.
pub const SOURCE_SUFFIX: &str = "-source";

/// Every usable profile of the file, in its order.
pub fn parse_aliyun_config(text: &str) -> Result<Vec<ImportedProfile>, ImportError> {
    let config: AliyunConfig =
        serde_json::from_str(text).map_err(|e| ImportError::Json(e.to_string()))?;
    let mut found = Vec::new();
    for p in config.profiles {
        let has_key = !p.access_key_id.trim().is_empty() && !p.access_key_secret.trim().is_empty();
        let region = Some(p.region_id.trim().to_owned()).filter(|r| !r.is_empty());
        let base = |name: &str| ImportedProfile {
            name: name.to_owned(),
            endpoint: region
                .as_deref()
                .map(|r| format!("https://{}", public_endpoint_for_region(r))),
            region: region.clone(),
            access_key_id: String::new(),
            access_key_secret: Secret::default(),
            sts_token: None,
            sts_expiration: None,
            signature_version: None,
            source: CredentialSettings::default(),
        };
        let with_key = |name: &str, token: Option<&Secret>| ImportedProfile {
            access_key_id: p.access_key_id.trim().to_owned(),
            access_key_secret: p.access_key_secret.clone(),
            sts_token: token.filter(|t| !t.trim().is_empty()).cloned(),
            sts_expiration: token
                .and(Some(p.sts_expiration).filter(|s| *s > 0))
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0)),
            ..base(name)
        };
        match p.mode.as_str() {
            "AK" | "" if has_key => found.push(with_key(&p.name, None)),
            "StsToken" if has_key => found.push(with_key(&p.name, Some(&p.sts_token))),
            "RamRoleArn" if has_key && !p.ram_role_arn.trim().is_empty() => {
                let source_name = format!("{}{SOURCE_SUFFIX}", p.name);
                found.push(with_key(&source_name, None));
                found.push(ImportedProfile {
                    source: CredentialSettings {
                        credential_type: Some(CredentialType::RamRole),
                        source_profile: Some(source_name),
                        role_arn: Some(p.ram_role_arn.trim().to_owned()),
                        role_session_name: Some(p.ram_session_name.trim().to_owned())
                            .filter(|s| !s.is_empty()),
                        duration_seconds: Some(p.expired_seconds).filter(|s| *s > 0),
                        external_id: Some(p.external_id.trim().to_owned())
                            .filter(|s| !s.is_empty()),
                        ..CredentialSettings::default()
                    },
                    ..base(&p.name)
                });
            }
            "EcsRamRole" => found.push(ImportedProfile {
                source: CredentialSettings {
                    credential_type: Some(CredentialType::EcsRamRole),
                    ecs_role_name: Some(p.ram_role_name.trim().to_owned())
                        .filter(|s| !s.is_empty()),
                    ..CredentialSettings::default()
                },
                ..base(&p.name)
            }),
            _ => {}
        }
    }
    if found.is_empty() {
        return Err(ImportError::NothingFound);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::parse_aliyun_config;
    use crate::app::import::{ImportError, parse};
    use crate::app::profile::CredentialType;

    const CONFIG: &str = r#"{
      "current": "ak",
      "profiles": [
        {"name": "ak", "mode": "AK", "access_key_id": "LTAIak", "access_key_secret": "sec-ak",
         "sts_token": "", "region_id": "cn-hangzhou", "output_format": "json"},
        {"name": "sts", "mode": "StsToken", "access_key_id": "STS.x", "access_key_secret": "sec-sts",
         "sts_token": "tok-sts", "sts_expiration": 1796108400, "region_id": "cn-beijing"},
        {"name": "role", "mode": "RamRoleArn", "access_key_id": "LTAIsrc", "access_key_secret": "sec-src",
         "ram_role_arn": "acs:ram::1234567890123456:role/auditor", "ram_session_name": "audit",
         "expired_seconds": 1800, "region_id": "cn-shanghai"},
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsAuditor", "region_id": "cn-hangzhou"},
        {"name": "oidc", "mode": "OIDC", "region_id": "cn-hangzhou"}
      ]
    }"#;

    #[test]
    fn every_mode_becomes_a_profile_with_its_secret_apart() {
        let found = parse(CONFIG).expect("recognised as JSON");
        let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ak", "sts", "role-source", "role", "ecs"]);
        assert_eq!(found[0].access_key_secret.as_str(), "sec-ak");
        assert_eq!(
            found[0].endpoint.as_deref(),
            Some("https://oss-cn-hangzhou.aliyuncs.com")
        );
        assert_eq!(
            found[1].sts_token.as_deref().map(String::as_str),
            Some("tok-sts")
        );
        assert_eq!(
            found[1].sts_expiration.map(|at| at.to_rfc3339()).as_deref(),
            Some("2026-12-01T07:00:00+00:00")
        );
        assert_eq!(
            found[0].sts_expiration, None,
            "an AccessKey does not expire"
        );
        assert_eq!(found[2].access_key_id, "LTAIsrc");
        let role = &found[3].source;
        assert_eq!(role.credential_type, Some(CredentialType::RamRole));
        assert_eq!(role.source_profile.as_deref(), Some("role-source"));
        assert_eq!(role.duration_seconds, Some(1800));
        assert_eq!(role.role_session_name.as_deref(), Some("audit"));
        assert!(found[3].access_key_id.is_empty() && found[3].access_key_secret.is_empty());
        assert_eq!(
            found[4].source.credential_type,
            Some(CredentialType::EcsRamRole)
        );
        assert_eq!(found[4].source.ecs_role_name.as_deref(), Some("EcsAuditor"));
        let shown = format!("{found:?}");
        assert!(!shown.contains("sec-") && !shown.contains("tok-sts"));
    }

    #[test]
    fn unusable_files_are_clear_errors() {
        assert!(matches!(
            parse_aliyun_config("{\"profiles\": []}"),
            Err(ImportError::NothingFound)
        ));
        assert!(matches!(
            parse_aliyun_config("{ not json"),
            Err(ImportError::Json(_))
        ));
    }
}

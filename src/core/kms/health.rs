//! Whether a bucket's CMK can protect it: the one decision the audit, the pre-flight check,
//! the CLI and the app all use.
//!
//! A key suits OSS when it is Enabled, symmetric (`Aliyun_AES_256`, `Aliyun_SM4`), meant for
//! `ENCRYPT/DECRYPT`, and lives in the bucket's region (KMS API reference, "DescribeKey";
//! OSS documentation, "Server-side encryption"). Whether OSS itself refuses another key on
//! PutBucketEncryption is unconfirmed, so ossguard checks before writing.

use serde::{Deserialize, Serialize};

use super::{KeyMetadata, arn_region};
use crate::core::sse::SseRule;

/// What asking KMS about a key gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookup {
    /// DescribeKey answered; `aliases` are the key's alias names.
    Described {
        metadata: Box<KeyMetadata>,
        aliases: Vec<String>,
    },
    /// `Forbidden.KeyNotFound` in the bucket's region.
    NotFound,
    /// KMS could not be asked (no permission, not activated, unreachable, not KMS at all).
    Failed(KeyError),
}

/// Why KMS could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyError {
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

/// A bucket's key as the audit reports it (the CLI's `kms_key` object, field for field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyHealth {
    /// The KMSMasterKeyID as the rule holds it.
    pub id: String,
    /// KMS's KeyId, when KMS knows the key.
    pub key_id: Option<String>,
    /// The bucket's region, where the key was looked up.
    pub region: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, `NotFound`; null when KMS
    /// could not be asked.
    pub state: Option<String>,
    /// The key's first alias in name order.
    pub alias: Option<String>,
    pub origin: Option<String>,
    pub protection_level: Option<String>,
    pub key_spec: Option<String>,
    pub delete_date: Option<String>,
    /// True only for a key that can protect the bucket; null when KMS could not be asked.
    pub usable: Option<bool>,
    pub error: Option<KeyError>,
}

pub const STATE_ENABLED: &str = "Enabled";
/// The `error.code` of a key the audit was told not to check (`--skip-key-check`).
pub const KEY_CHECK_SKIPPED: &str = "KeyCheckSkipped";
pub const STATE_NOT_FOUND: &str = "NotFound";
const SYMMETRIC_SPECS: [&str; 2] = ["Aliyun_AES_256", "Aliyun_SM4"];
const ENCRYPT_USAGE: &str = "ENCRYPT/DECRYPT";

/// The CMK a rule names, if any (not the KMS-managed default key).
pub fn rule_cmk(rule: &SseRule) -> Option<&str> {
    rule.kms_key_id().map(str::trim).filter(|id| !id.is_empty())
}

/// The key's health for a bucket in `region` whose rule names `id`.
pub fn assess(id: &str, region: &str, lookup: &KeyLookup) -> KeyHealth {
    let mut health = KeyHealth {
        id: id.to_owned(),
        key_id: None,
        region: region.to_owned(),
        state: None,
        alias: None,
        origin: None,
        protection_level: None,
        key_spec: None,
        delete_date: None,
        usable: None,
        error: None,
    };
    // An ARN of another region never names a key of this one.
    let other_region = arn_region(id).is_some_and(|r| r != region);
    match lookup {
        KeyLookup::NotFound => {
            health.state = Some(STATE_NOT_FOUND.into());
            health.usable = Some(false);
        }
        KeyLookup::Described { .. } if other_region => {
            health.state = Some(STATE_NOT_FOUND.into());
            health.usable = Some(false);
        }
        KeyLookup::Described { metadata, aliases } => {
            let non_empty = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
            let mut names = aliases.clone();
            names.sort();
            health.key_id = non_empty(&metadata.key_id);
            health.state = non_empty(&metadata.key_state);
            health.alias = names.into_iter().next();
            health.origin = non_empty(&metadata.origin);
            health.protection_level = non_empty(&metadata.protection_level);
            health.key_spec = non_empty(&metadata.key_spec);
            health.delete_date = metadata.delete_date.clone().filter(|d| !d.is_empty());
            let in_region = arn_region(&metadata.arn).is_none_or(|r| r == region);
            health.usable = Some(
                metadata.key_state == STATE_ENABLED
                    && SYMMETRIC_SPECS.contains(&metadata.key_spec.as_str())
                    && (metadata.key_usage.is_empty() || metadata.key_usage == ENCRYPT_USAGE)
                    && in_region,
            );
        }
        KeyLookup::Failed(error) => health.error = Some(error.clone()),
    }
    health
}

/// The health of a key KMS was deliberately not asked about: state and `usable` null, like a
/// key KMS could not be asked about, with an error that says why, so no field claims
/// anything about the key.
pub fn skipped(id: &str, region: &str) -> KeyHealth {
    let error = KeyError {
        code: KEY_CHECK_SKIPPED.to_owned(),
        message: "The key was not checked: key checks were turned off, KMS was not asked."
            .to_owned(),
        request_id: None,
    };
    assess(id, region, &KeyLookup::Failed(error))
}

/// Why a key cannot protect the bucket, and what to do; `None` when it can or when KMS could
/// not be asked (see [`KeyHealth::error`]).
pub fn unusable_reason(health: &KeyHealth) -> Option<(String, String)> {
    if health.usable != Some(false) {
        return None;
    }
    let region = &health.region;
    let pick = "Pick an Enabled key of the bucket's region, or enable this one.";
    let spec = health.key_spec.as_deref().unwrap_or_default();
    let (reason, fix) = match health.state.as_deref() {
        Some(STATE_NOT_FOUND) => (
            format!("The key does not exist in {region} (it may belong to another region)."),
            format!("Pick a key of {region}: OSS can only use a key of the bucket's region."),
        ),
        Some("Disabled") => (
            "The key is disabled: new uploads to this bucket fail.".to_owned(),
            "Enable the key in the KMS console, or pick another key.".to_owned(),
        ),
        Some("PendingDeletion") => (
            format!(
                "The key is pending deletion{}: new uploads fail, and data becomes unreadable once it is deleted.",
                health
                    .delete_date
                    .as_deref()
                    .map(|d| format!(" on {d}"))
                    .unwrap_or_default()
            ),
            "Cancel the key deletion in the KMS console, then pick another key.".to_owned(),
        ),
        Some("PendingImport") => (
            "The key has no key material yet (BYOK import pending).".to_owned(),
            "Import the key material in the KMS console, or pick another key.".to_owned(),
        ),
        Some(STATE_ENABLED) if !SYMMETRIC_SPECS.contains(&spec) => (
            format!("The key is asymmetric ({spec}); OSS needs a symmetric key."),
            pick.to_owned(),
        ),
        Some(STATE_ENABLED) => (
            "The key is not for encryption (usage is not ENCRYPT/DECRYPT) or not of the bucket's region."
                .to_owned(),
            pick.to_owned(),
        ),
        other => (
            format!("The key is in state {}.", other.unwrap_or("unknown")),
            pick.to_owned(),
        ),
    };
    Some((reason, fix))
}

/// The pre-flight decision before a rule naming this key is written: go on only for a
/// usable key; otherwise the reason and the fix (for a key KMS could not be asked about,
/// the permission it needs).
pub fn preflight_verdict(health: &KeyHealth) -> Result<(), String> {
    if health.usable == Some(true) {
        return Ok(());
    }
    if let Some((reason, fix)) = unusable_reason(health) {
        return Err(format!("key {}: {reason} {fix}", health.id));
    }
    let error = health.error.as_ref();
    Err(format!(
        "key {}: KMS could not be asked in {} ({}: {}). Allow kms:DescribeKey in the RAM policy, or skip the key check.",
        health.id,
        health.region,
        error.map_or("unknown", |e| e.code.as_str()),
        error.map_or("", |e| e.message.as_str()),
    ))
}

/// Short badges for a table cell: the state (or "Other region" for a key named by an ARN of
/// another region, or that `found_elsewhere` says exists in another region) and BYOK / HSM.
pub fn badges(health: &KeyHealth, found_elsewhere: bool) -> Vec<String> {
    let mut out = Vec::new();
    let other_region =
        found_elsewhere || arn_region(&health.id).is_some_and(|r| r != health.region);
    match health.state.as_deref() {
        Some(STATE_NOT_FOUND) if other_region => out.push("Other region".to_owned()),
        Some(STATE_NOT_FOUND) => out.push("Not found".to_owned()),
        Some("PendingDeletion") => out.push(match &health.delete_date {
            Some(date) => format!("Pending deletion on {}", date.get(..10).unwrap_or(date)),
            None => "Pending deletion".to_owned(),
        }),
        Some("PendingImport") => out.push("Pending import".to_owned()),
        Some(state) => out.push(state.to_owned()),
        None => out.push("Unknown".to_owned()),
    }
    if health.origin.as_deref() == Some("EXTERNAL") {
        out.push("BYOK".to_owned());
    }
    if health.protection_level.as_deref() == Some("HSM") {
        out.push("HSM".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{
        KeyError, KeyLookup, assess, badges, preflight_verdict, rule_cmk, unusable_reason,
    };
    use crate::core::kms::KeyMetadata;
    use crate::core::sse::SseRule;

    fn described(state: &str, spec: &str, usage: &str, arn: &str) -> KeyLookup {
        KeyLookup::Described {
            metadata: Box::new(KeyMetadata {
                key_id: "k1".into(),
                arn: arn.into(),
                key_state: state.into(),
                key_spec: spec.into(),
                key_usage: usage.into(),
                origin: "Aliyun_KMS".into(),
                protection_level: "SOFTWARE".into(),
                ..Default::default()
            }),
            aliases: vec!["alias/zeta".into(), "alias/alpha".into()],
        }
    }

    const HZ_ARN: &str = "acs:kms:cn-hangzhou:1:key/k1";

    #[test]
    fn only_an_enabled_symmetric_encryption_key_of_the_region_is_usable() {
        let ok = assess(
            "k1",
            "cn-hangzhou",
            &described("Enabled", "Aliyun_AES_256", "ENCRYPT/DECRYPT", HZ_ARN),
        );
        assert_eq!(ok.usable, Some(true));
        assert_eq!(
            ok.alias.as_deref(),
            Some("alias/alpha"),
            "first in name order"
        );
        assert_eq!(ok.key_id.as_deref(), Some("k1"));
        assert_eq!(unusable_reason(&ok), None);
        let sm4 = described("Enabled", "Aliyun_SM4", "ENCRYPT/DECRYPT", HZ_ARN);
        assert_eq!(assess("k1", "cn-hangzhou", &sm4).usable, Some(true));
        for (state, spec, usage) in [
            ("Disabled", "Aliyun_AES_256", "ENCRYPT/DECRYPT"),
            ("PendingDeletion", "Aliyun_AES_256", "ENCRYPT/DECRYPT"),
            ("PendingImport", "Aliyun_AES_256", "ENCRYPT/DECRYPT"),
            ("Enabled", "RSA_2048", "SIGN/VERIFY"),
            ("Enabled", "Aliyun_AES_256", "SIGN/VERIFY"),
        ] {
            let health = assess("k1", "cn-hangzhou", &described(state, spec, usage, HZ_ARN));
            assert_eq!(health.usable, Some(false), "{state} {spec} {usage}");
            assert!(unusable_reason(&health).is_some());
        }
        // Described, but the key's ARN is of another region.
        let elsewhere = described(
            "Enabled",
            "Aliyun_AES_256",
            "ENCRYPT/DECRYPT",
            "acs:kms:cn-beijing:1:key/k1",
        );
        assert_eq!(assess("k1", "cn-hangzhou", &elsewhere).usable, Some(false));
        // The rule names an ARN of another region.
        let arn = "acs:kms:cn-beijing:1:key/k1";
        let health = assess(arn, "cn-hangzhou", &elsewhere);
        assert_eq!(health.state.as_deref(), Some("NotFound"));
        assert_eq!(badges(&health, false), ["Other region"]);
    }

    #[test]
    fn not_found_is_unusable_and_a_failed_lookup_is_unknown() {
        let missing = assess("k9", "cn-shanghai", &KeyLookup::NotFound);
        assert_eq!(missing.state.as_deref(), Some("NotFound"));
        assert_eq!(missing.usable, Some(false));
        let (reason, fix) = unusable_reason(&missing).expect("a reason");
        assert!(reason.contains("cn-shanghai") && fix.contains("cn-shanghai"));
        assert_eq!(badges(&missing, false), ["Not found"]);
        assert_eq!(badges(&missing, true), ["Other region"]);
        let error = KeyError {
            code: "Forbidden.NoPermission".into(),
            message: "denied".into(),
            request_id: Some("r".into()),
        };
        let failed = assess("k9", "cn-shanghai", &KeyLookup::Failed(error.clone()));
        let refusal = preflight_verdict(&failed).expect_err("refused");
        assert!(refusal.contains("kms:DescribeKey") && refusal.contains("Forbidden.NoPermission"));
        assert!(preflight_verdict(&missing).is_err_and(|r| r.contains("does not exist")));
        assert_eq!(failed.usable, None, "could not ask is not unusable");
        assert_eq!(failed.state, None);
        assert_eq!(failed.error, Some(error));
        assert_eq!(unusable_reason(&failed), None);
    }

    #[test]
    fn a_skipped_check_claims_nothing_about_the_key() {
        let health = super::skipped("k1", "cn-hangzhou");
        assert_eq!((health.state, health.usable), (None, None));
        assert_eq!(health.id, "k1");
        let error = health.error.expect("an error says why");
        assert_eq!(error.code, "KeyCheckSkipped");
        assert_eq!(error.request_id, None);
    }

    #[test]
    fn the_json_object_has_every_field_with_nulls() {
        let failed = assess("k9", "cn-shanghai", &KeyLookup::NotFound);
        let json = serde_json::to_value(&failed).expect("serialises");
        let keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        for field in [
            "id",
            "key_id",
            "region",
            "state",
            "alias",
            "origin",
            "protection_level",
            "key_spec",
            "delete_date",
            "usable",
            "error",
        ] {
            assert!(keys.contains(&field), "{field} missing: {json}");
        }
        assert_eq!(keys.len(), 11);
        assert!(json["alias"].is_null() && json["error"].is_null());
    }

    #[test]
    fn badges_and_rule_cmk() {
        let mut health = assess(
            "k1",
            "cn-hangzhou",
            &described(
                "PendingDeletion",
                "Aliyun_AES_256",
                "ENCRYPT/DECRYPT",
                HZ_ARN,
            ),
        );
        health.delete_date = Some("2026-12-31T00:00:00Z".into());
        health.origin = Some("EXTERNAL".into());
        health.protection_level = Some("HSM".into());
        assert_eq!(
            badges(&health, false),
            ["Pending deletion on 2026-12-31", "BYOK", "HSM"]
        );
        let cmk = SseRule::Kms {
            key_id: Some("k1".into()),
            sm4_data: false,
        };
        assert_eq!(rule_cmk(&cmk), Some("k1"));
        let default_key = SseRule::Kms {
            key_id: None,
            sm4_data: false,
        };
        assert_eq!(rule_cmk(&default_key), None);
        assert_eq!(rule_cmk(&SseRule::Aes256), None);
    }
}

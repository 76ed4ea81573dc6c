//! Demo buckets (`--demo`) and the `--seed-buckets N` pattern.
//!
//! Seed pattern (fixed, so tests can compute what to expect): bucket number `n` (1-based) is
//! named [`seed_bucket_name`] = `seed-{n:05}`; with `j = n - 1` it lives in
//! `regions[j % regions.len()]` and has rule `j % 6` of: none, AES256, KMS (default key),
//! KMS with key `key-seed{n:05}`, KMS + SM4 data encryption, SM4 ([`seed_rule`]).

use chrono::{Duration, TimeZone as _, Utc};

use super::store::BucketRecord;
use crate::core::sse::SseRule;

/// RAM actions the demo key is denied on the locked-down demo buckets.
const LOCKED_ACTIONS: &[&str] = &[
    "oss:GetBucketEncryption",
    "oss:PutBucketEncryption",
    "oss:DeleteBucketEncryption",
    "oss:GetBucketInfo",
];

pub fn seed_bucket_name(n: usize) -> String {
    format!("seed-{n:05}")
}

/// The region of seed bucket `n` (1-based) among `regions`.
pub fn seed_region(n: usize, regions: &[String]) -> &str {
    regions
        .get(n.saturating_sub(1) % regions.len().max(1))
        .map_or("", String::as_str)
}

/// The rule of seed bucket `n` (1-based).
pub fn seed_rule(n: usize) -> Option<SseRule> {
    match n.saturating_sub(1) % 6 {
        0 => None,
        1 => Some(SseRule::Aes256),
        2 => Some(SseRule::Kms {
            key_id: None,
            sm4_data: false,
        }),
        3 => Some(SseRule::Kms {
            key_id: Some(format!("key-seed{n:05}")),
            sm4_data: false,
        }),
        4 => Some(SseRule::Kms {
            key_id: None,
            sm4_data: true,
        }),
        _ => Some(SseRule::Sm4),
    }
}

/// `count` seed buckets, created one second apart from a fixed date.
pub(crate) fn seed_buckets(count: usize, regions: &[String]) -> Vec<BucketRecord> {
    (1..=count)
        .map(|n| BucketRecord {
            name: seed_bucket_name(n),
            region: seed_region(n, regions).to_owned(),
            creation_date: creation_date(i64::try_from(n).unwrap_or(i64::MAX)),
            storage_class: "Standard".to_owned(),
            rule: seed_rule(n),
            denied_actions: Vec::new(),
            versioning: None,
            worm_days: None,
        })
        .collect()
}

/// Rule kinds used by the demo table; `KmsKey` carries the CMK id written into the rule.
enum Kind {
    None,
    Aes,
    Kms,
    KmsKey(&'static str),
    KmsSm4,
    Sm4,
}

/// (name, region index, rule, locked, storage class)
const DEMO: &[(&str, usize, Kind, bool, &str)] = &[
    ("prod-logs-hz", 0, Kind::Kms, false, "Standard"),
    ("prod-web-assets-hz", 0, Kind::Aes, false, "Standard"),
    (
        "prod-db-backup-hz",
        0,
        Kind::KmsKey("9468da86-3509-4f8d-a61e-6eab1eac0001"),
        false,
        "IA",
    ),
    ("payments-ledger-hz", 0, Kind::KmsSm4, false, "Standard"),
    ("marketing-uploads-hz", 0, Kind::None, false, "Standard"),
    ("ml-training-data-hz", 0, Kind::Sm4, false, "Standard"),
    (
        "security-audit-hz",
        0,
        Kind::KmsKey("key-hzz68d1fd85qslv95ilz4"),
        true,
        "Standard",
    ),
    ("tmp-scratch-hz", 0, Kind::None, false, "Standard"),
    (
        "finance-archive-sh",
        1,
        Kind::KmsKey("key-shz7a1b2c3d4e5f6g7h8"),
        false,
        "Archive",
    ),
    ("prod-logs-sh", 1, Kind::Kms, false, "Standard"),
    ("customer-exports-sh", 1, Kind::Aes, false, "Standard"),
    ("hr-records-sh", 1, Kind::KmsSm4, true, "IA"),
    ("app-base-oss-sh", 1, Kind::None, false, "Standard"),
    ("media-transcode-sh", 1, Kind::Sm4, false, "Standard"),
    ("staging-assets-sh", 1, Kind::None, false, "Standard"),
    ("gov-cloud-data-bj", 2, Kind::Sm4, false, "Standard"),
    ("prod-logs-bj", 2, Kind::Kms, false, "Standard"),
    ("iot-telemetry-bj", 2, Kind::Aes, false, "Standard"),
    (
        "legal-hold-bj",
        2,
        Kind::KmsKey("acs:kms:cn-beijing:1234567890:key/key-bjz0123456789abcdef"),
        true,
        "ColdArchive",
    ),
    ("analytics-lake-bj", 2, Kind::KmsSm4, false, "Standard"),
    ("dev-sandbox-bj", 2, Kind::None, false, "Standard"),
    ("ci-artifacts-bj", 2, Kind::Aes, false, "IA"),
    ("prod-logs-sg", 3, Kind::Kms, false, "Standard"),
    ("cdn-origin-sg", 3, Kind::None, false, "Standard"),
    ("partner-share-sg", 3, Kind::Aes, false, "Standard"),
    (
        "dr-replica-sg",
        3,
        Kind::KmsKey("key-sgz9f8e7d6c5b4a3210"),
        false,
        "IA",
    ),
    ("mobile-crash-dumps-sg", 3, Kind::Sm4, false, "Standard"),
    (
        "data-warehouse-sg",
        3,
        Kind::KmsSm4,
        false,
        "DeepColdArchive",
    ),
    ("qa-fixtures-sg", 3, Kind::None, false, "Standard"),
    (
        "video-archive-sg",
        3,
        Kind::KmsKey("9468da86-3509-4f8d-a61e-6eab1eac0042"),
        false,
        "Archive",
    ),
];

/// About 30 buckets over the configured regions (region index modulo their number), with every
/// kind of rule, and three "locked" buckets whose rule the demo key may not read or change.
pub(crate) fn demo_buckets(regions: &[String]) -> Vec<BucketRecord> {
    DEMO.iter()
        .enumerate()
        .map(|(i, (name, region, kind, locked, class))| BucketRecord {
            name: (*name).to_owned(),
            region: regions
                .get(region % regions.len().max(1))
                .cloned()
                .unwrap_or_default(),
            creation_date: creation_date(i64::try_from(i).unwrap_or(0) * 86_400 * 17),
            storage_class: (*class).to_owned(),
            rule: match kind {
                Kind::None => None,
                Kind::Aes => Some(SseRule::Aes256),
                Kind::Kms => Some(SseRule::Kms {
                    key_id: None,
                    sm4_data: false,
                }),
                Kind::KmsKey(key) => Some(SseRule::Kms {
                    key_id: Some((*key).to_owned()),
                    sm4_data: false,
                }),
                Kind::KmsSm4 => Some(SseRule::Kms {
                    key_id: None,
                    sm4_data: true,
                }),
                Kind::Sm4 => Some(SseRule::Sm4),
            },
            denied_actions: if *locked {
                LOCKED_ACTIONS.iter().map(|a| (*a).to_owned()).collect()
            } else {
                Vec::new()
            },
            versioning: None,
            worm_days: None,
        })
        .collect()
}

/// 2023-03-01T08:00:00.000Z plus `seconds`, in OSS's `CreationDate` format.
fn creation_date(seconds: i64) -> String {
    let base = Utc
        .with_ymd_and_hms(2023, 3, 1, 8, 0, 0)
        .single()
        .unwrap_or_default();
    let at = base + Duration::try_seconds(seconds).unwrap_or_default();
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::{demo_buckets, seed_buckets, seed_rule};
    use crate::core::validate::{validate_bucket_name, validate_kms_key_id};

    fn regions() -> Vec<String> {
        ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn demo_covers_every_kind_and_is_valid() {
        let buckets = demo_buckets(&regions());
        assert!(buckets.len() >= 30);
        assert_eq!(
            buckets
                .iter()
                .filter(|b| !b.denied_actions.is_empty())
                .count(),
            3
        );
        let mut names: Vec<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), buckets.len());
        for b in &buckets {
            assert!(validate_bucket_name(&b.name).is_ok(), "{}", b.name);
            if let Some(key) = b.rule.as_ref().and_then(|r| r.kms_key_id()) {
                assert!(validate_kms_key_id(key).is_ok(), "{key}");
            }
        }
        for region in regions() {
            assert!(buckets.iter().any(|b| b.region == region));
        }
    }

    #[test]
    fn seed_pattern() {
        let buckets = seed_buckets(12, &regions());
        assert_eq!(buckets[0].name, "seed-00001");
        assert_eq!(buckets[0].rule, None);
        assert_eq!(buckets[5].region, "cn-shanghai");
        assert_eq!(
            seed_rule(4)
                .and_then(|r| r.kms_key_id().map(str::to_owned))
                .as_deref(),
            Some("key-seed00004")
        );
        assert_eq!(buckets[10].rule, seed_rule(11));
    }
}

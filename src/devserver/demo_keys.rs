//! The KMS keys of `--demo`: per region, one key of every state and kind an administrator
//! meets, with aliases, and a bucket (`with-cmk-<kind>-<region>`) whose rule names each; plus one
//! bucket whose rule names a key of another region, and Enabled keys for the CMKs the other
//! demo buckets already name.

use super::rpc::kms::{KeyRecord, KmsData};
use super::store::BucketRecord;
use crate::core::kms::KeyMetadata;
use crate::core::sse::SseRule;

/// The demo account, as in the key ARNs.
const OWNER: &str = "1234567890123456";

/// (kind, state, spec, usage, origin, protection level)
const KINDS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "aes",
        "Enabled",
        "Aliyun_AES_256",
        "ENCRYPT/DECRYPT",
        "Aliyun_KMS",
        "SOFTWARE",
    ),
    (
        "sm4",
        "Enabled",
        "Aliyun_SM4",
        "ENCRYPT/DECRYPT",
        "Aliyun_KMS",
        "SOFTWARE",
    ),
    (
        "disabled",
        "Disabled",
        "Aliyun_AES_256",
        "ENCRYPT/DECRYPT",
        "Aliyun_KMS",
        "SOFTWARE",
    ),
    (
        "pending",
        "PendingDeletion",
        "Aliyun_AES_256",
        "ENCRYPT/DECRYPT",
        "Aliyun_KMS",
        "SOFTWARE",
    ),
    (
        "byok",
        "Enabled",
        "Aliyun_AES_256",
        "ENCRYPT/DECRYPT",
        "EXTERNAL",
        "SOFTWARE",
    ),
    (
        "import",
        "PendingImport",
        "Aliyun_AES_256",
        "ENCRYPT/DECRYPT",
        "EXTERNAL",
        "SOFTWARE",
    ),
    (
        "hsm",
        "Enabled",
        "Aliyun_AES_256",
        "ENCRYPT/DECRYPT",
        "Aliyun_KMS",
        "HSM",
    ),
    (
        "sign",
        "Enabled",
        "RSA_2048",
        "SIGN/VERIFY",
        "Aliyun_KMS",
        "SOFTWARE",
    ),
];

/// The demo key of `kind` in `region`, e.g. `key-cnhangzhou-aes-demo`.
pub fn demo_key_id(region: &str, kind: &str) -> String {
    format!("key-{}-{kind}-demo", region.replace('-', ""))
}

/// The bucket whose rule names that key, e.g. `with-cmk-aes-cn-hangzhou` (sorted after the other demo buckets).
pub fn demo_key_bucket(region: &str, kind: &str) -> String {
    format!("with-cmk-{kind}-{region}")
}

/// The bucket in the first region whose rule names the second region's AES key.
pub fn other_region_bucket(regions: &[String]) -> Option<String> {
    regions
        .first()
        .filter(|_| regions.len() > 1)
        .map(|r| format!("with-cmk-other-region-{r}"))
}

/// The metadata of a key of `region` owned by the demo account; `fields` are state, spec,
/// usage, origin and protection level.
fn key_metadata(
    region: &str,
    id: &str,
    fields: (&str, &str, &str, &str, &str),
    delete: Option<&str>,
) -> KeyMetadata {
    let (state, spec, usage, origin, protection) = fields;
    KeyMetadata {
        key_id: id.to_owned(),
        arn: format!("acs:kms:{region}:{OWNER}:key/{id}"),
        key_state: state.to_owned(),
        key_spec: spec.to_owned(),
        key_usage: usage.to_owned(),
        origin: origin.to_owned(),
        protection_level: protection.to_owned(),
        creator: OWNER.to_owned(),
        creation_date: "2024-05-20T08:00:00Z".to_owned(),
        delete_date: delete.map(str::to_owned),
        description: String::new(),
    }
}

/// An Enabled AES-256 encryption key of `region`, without aliases.
pub(super) fn enabled_key(region: &str, id: &str) -> KeyRecord {
    let fields = (
        "Enabled",
        "Aliyun_AES_256",
        "ENCRYPT/DECRYPT",
        "Aliyun_KMS",
        "SOFTWARE",
    );
    KeyRecord {
        region: region.to_owned(),
        metadata: key_metadata(region, id, fields, None),
        aliases: Vec::new(),
    }
}

/// The demo keys of `regions`, plus an Enabled key for every CMK named by `buckets`' rules.
/// `delete_date` is the date shown for keys pending deletion.
pub(crate) fn demo_keys(
    regions: &[String],
    buckets: &[BucketRecord],
    delete_date: &str,
) -> KmsData {
    let mut keys = Vec::new();
    for region in regions {
        let short = region.replace('-', "");
        for (kind, state, spec, usage, origin, protection) in KINDS {
            let id = demo_key_id(region, kind);
            let delete = (*state == "PendingDeletion").then_some(delete_date);
            keys.push(KeyRecord {
                region: region.clone(),
                metadata: key_metadata(
                    region,
                    &id,
                    (state, spec, usage, origin, protection),
                    delete,
                ),
                aliases: vec![format!("alias/{kind}-{short}")],
            });
        }
        if let Some(first) = keys
            .iter_mut()
            .rev()
            .find(|k| k.metadata.key_id == demo_key_id(region, "aes"))
        {
            first.aliases.push(format!("alias/prod-data-{short}"));
        }
    }
    for bucket in buckets {
        let Some(named) = bucket.rule.as_ref().and_then(SseRule::kms_key_id) else {
            continue;
        };
        let id = named.rsplit('/').next().unwrap_or(named);
        if keys.iter().any(|k| k.metadata.key_id == id) || id.ends_with("-demo") {
            continue;
        }
        keys.push(enabled_key(&bucket.region, id));
    }
    KmsData {
        keys,
        ..KmsData::default()
    }
}

/// A `with-cmk-<kind>-<region>` bucket per demo key, and the other-region bucket.
pub(crate) fn demo_key_buckets(regions: &[String]) -> Vec<BucketRecord> {
    let bucket = |name: String, region: &str, key_id: String| BucketRecord {
        name,
        region: region.to_owned(),
        creation_date: "2024-06-01T08:00:00.000Z".to_owned(),
        storage_class: "Standard".to_owned(),
        rule: Some(SseRule::Kms {
            key_id: Some(key_id),
            sm4_data: false,
        }),
        denied_actions: Vec::new(),
        versioning: None,
        worm_days: None,
    };
    let mut out = Vec::new();
    for region in regions {
        for (kind, ..) in KINDS {
            out.push(bucket(
                demo_key_bucket(region, kind),
                region,
                demo_key_id(region, kind),
            ));
        }
    }
    if let (Some(name), Some(first), Some(second)) = (
        other_region_bucket(regions),
        regions.first(),
        regions.get(1),
    ) {
        out.push(bucket(name, first, demo_key_id(second, "aes")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{demo_key_buckets, demo_keys};
    use crate::core::validate::{validate_bucket_name, validate_kms_key_id};
    use crate::devserver::demo::demo_buckets;

    #[test]
    fn every_state_and_kind_per_region_with_a_bucket_each() {
        let regions: Vec<String> = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"]
            .map(String::from)
            .to_vec();
        let mut buckets = demo_buckets(&regions);
        buckets.extend(demo_key_buckets(&regions));
        let data = demo_keys(&regions, &buckets, "2026-12-31T00:00:00Z");
        for region in &regions {
            let states: Vec<&str> = data
                .keys
                .iter()
                .filter(|k| &k.region == region)
                .map(|k| k.metadata.key_state.as_str())
                .collect();
            for state in ["Enabled", "Disabled", "PendingDeletion", "PendingImport"] {
                assert!(states.contains(&state), "{region} lacks {state}");
            }
        }
        for b in &buckets {
            assert!(validate_bucket_name(&b.name).is_ok(), "{}", b.name);
            let Some(key) = b.rule.as_ref().and_then(|r| r.kms_key_id()) else {
                continue;
            };
            assert!(validate_kms_key_id(key).is_ok(), "{key}");
            let id = key.rsplit('/').next().unwrap_or(key);
            let owner = data
                .keys
                .iter()
                .find(|k| k.metadata.key_id == id)
                .expect("key exists");
            if b.name.starts_with("with-cmk-other-region") {
                assert_ne!(owner.region, b.region);
            } else {
                assert_eq!(owner.region, b.region, "{}", b.name);
            }
        }
    }
}

//! Dev server: KMS on every region's port, keys from the data dir or `--demo`.

use ossguard::core::kms::{self, DescribeKeyAnswer, ListAliasesPage, ListKeysPage};
use ossguard::devserver::demo_keys::{demo_key_bucket, demo_key_id, other_region_bucket};

use crate::support::{HZ, Harness, SH, kms_key, write_kms};

async fn with_keys(count: usize) -> Harness {
    Harness::start(|c| {
        let mut keys: Vec<serde_json::Value> = (0..count)
            .map(|i| kms_key(HZ, &format!("key-hz-{i:04}abcd"), "Enabled", &[]))
            .collect();
        keys.push(kms_key(
            HZ,
            "key-hz-disabled1",
            "Disabled",
            &["alias/zz-old", "alias/aa-old"],
        ));
        keys.push(kms_key(SH, "key-sh-only00001", "Enabled", &["alias/sh"]));
        write_kms(
            c,
            &serde_json::json!({
                "keys": keys,
                "not_activated": ["cn-beijing"],
                "denied_actions": ["kms:ListAliases"],
            }),
        );
    })
    .await
}

#[tokio::test]
async fn list_keys_pages_through_the_regions_keys() {
    let h = with_keys(104).await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let answer = h.kms(HZ, &kms::list_keys(page, 50)).await;
        assert_eq!(answer.status, 200, "{:?}", answer.json);
        let parsed: ListKeysPage = serde_json::from_value(answer.json).expect("shape");
        assert_eq!(parsed.page.total_count, 105);
        assert_eq!(parsed.page.page_number, u64::from(page));
        seen.extend(parsed.keys.key.into_iter().map(|k| k.key_id));
    }
    assert_eq!(seen.len(), 105);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
    assert!(
        !seen.iter().any(|k| k.starts_with("key-sh")),
        "this region only"
    );
    let too_big = h.kms(HZ, &kms::list_keys(1, 101)).await;
    assert_eq!((too_big.status, too_big.code()), (400, "InvalidParameter"));
}

#[tokio::test]
async fn describe_key_by_id_arn_or_alias_in_its_region() {
    let h = with_keys(1).await;
    for wanted in [
        "key-hz-disabled1",
        "acs:kms:cn-hangzhou:1234567890123456:key/key-hz-disabled1",
        "alias/aa-old",
    ] {
        let answer = h.kms(HZ, &kms::describe_key(wanted)).await;
        assert_eq!(answer.status, 200, "{wanted}: {:?}", answer.json);
        let parsed: DescribeKeyAnswer = serde_json::from_value(answer.json).expect("shape");
        assert_eq!(parsed.key_metadata.key_id, "key-hz-disabled1");
        assert_eq!(parsed.key_metadata.key_state, "Disabled");
    }
    // Another region's key is not found here, but is there.
    let answer = h.kms(HZ, &kms::describe_key("key-sh-only00001")).await;
    assert_eq!(
        (answer.status, answer.code()),
        (404, "Forbidden.KeyNotFound")
    );
    assert_eq!(
        h.kms(SH, &kms::describe_key("key-sh-only00001"))
            .await
            .status,
        200
    );
    let answer = h.kms(HZ, &kms::describe_key("key-nothere00001")).await;
    assert_eq!(answer.code(), "Forbidden.KeyNotFound");
    let answer = h
        .kms(HZ, &ossguard::core::rpc::KMS.call("DescribeKey"))
        .await;
    assert_eq!((answer.status, answer.code()), (400, "MissingParameter"));
    let answer = h.kms(HZ, &ossguard::core::rpc::KMS.call("CreateKey")).await;
    assert_eq!(answer.code(), "InvalidAction.NotFound");
}

#[tokio::test]
async fn aliases_permissions_and_activation() {
    let h = with_keys(1).await;
    let by_key = h
        .kms(HZ, &kms::list_aliases_by_key_id("key-hz-disabled1", 1, 10))
        .await;
    assert_eq!(by_key.status, 200, "{:?}", by_key.json);
    let parsed: ListAliasesPage = serde_json::from_value(by_key.json).expect("shape");
    let names: Vec<&str> = parsed
        .aliases
        .alias
        .iter()
        .map(|a| a.alias_name.as_str())
        .collect();
    assert_eq!(names, ["alias/aa-old", "alias/zz-old"]);
    assert_eq!(
        parsed.aliases.alias[0].alias_arn,
        "acs:kms:cn-hangzhou:1234567890123456:alias/aa-old"
    );
    let denied = h.kms(HZ, &kms::list_aliases(1, 10)).await;
    assert_eq!(
        (denied.status, denied.code()),
        (403, "Forbidden.NoPermission")
    );
    assert!(
        denied.json["Message"]
            .as_str()
            .unwrap_or("")
            .contains("kms:ListAliases")
    );
    let off = h.kms("cn-beijing", &kms::list_keys(1, 10)).await;
    assert_eq!(
        (off.status, off.code()),
        (403, "Forbidden.KmsServiceNotEnabled")
    );
}

#[tokio::test]
async fn keys_live_on_disk_and_demo_has_every_state() {
    let h = Harness::start(|c| c.demo = true).await;
    let file = h.dir.path().join("data/kms-keys.json");
    assert!(file.exists(), "the demo keys are written with the buckets");
    let regions = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"];
    for region in regions {
        let mut states = Vec::new();
        for kind in ["aes", "sm4", "disabled", "pending", "byok", "import", "hsm"] {
            let answer = h
                .kms(region, &kms::describe_key(&demo_key_id(region, kind)))
                .await;
            assert_eq!(answer.status, 200, "{region} {kind}: {:?}", answer.json);
            let meta = serde_json::from_value::<DescribeKeyAnswer>(answer.json)
                .expect("shape")
                .key_metadata;
            if kind == "pending" {
                assert!(meta.delete_date.is_some());
            }
            if kind == "byok" {
                assert_eq!(meta.origin, "EXTERNAL");
            }
            if kind == "hsm" {
                assert_eq!(meta.protection_level, "HSM");
            }
            if kind == "sm4" {
                assert_eq!(meta.key_spec, "Aliyun_SM4");
            }
            states.push(meta.key_state);
            let bucket = h
                .send(
                    region,
                    ossguard::core::ops::encryption::get(&demo_key_bucket(region, kind)),
                    ossguard::core::sign::SignatureVersion::V4,
                )
                .await;
            assert!(
                bucket.body.contains(&demo_key_id(region, kind)),
                "{}",
                bucket.body
            );
        }
        for state in ["Enabled", "Disabled", "PendingDeletion", "PendingImport"] {
            assert!(states.iter().any(|s| s == state), "{region}: {states:?}");
        }
        let aliases = h.kms(region, &kms::list_aliases(1, 100)).await;
        assert!(aliases.json["TotalCount"].as_u64().unwrap_or(0) >= 7);
    }
    let regions: Vec<String> = regions.map(String::from).to_vec();
    let other = other_region_bucket(&regions).expect("several regions");
    let rule = h
        .send(
            HZ,
            ossguard::core::ops::encryption::get(&other),
            ossguard::core::sign::SignatureVersion::V4,
        )
        .await;
    assert!(rule.body.contains(&demo_key_id(SH, "aes")), "{}", rule.body);
}

//! A rule naming a bare key ID that exists only in a region where the account has no bucket:
//! the app finds the key there and says "Other region", not "Not found".

use crate::ui_support::UiTest;
use egui_kittest::kittest::Queryable as _;
use ossguard::core::sign::Credentials;
use ossguard::core::sse::SseRule;
use ossguard::devserver::{self, DevServerConfig};
use ossguard::transport::{ClientConfig, Endpoint, OssClient};

const AK: &str = "LTAI5tUiOtherRegion01";
const SK: &str = "ui-other-region-secret-93";
const KEY: &str = "key-bjonly0001";

#[test]
fn a_key_of_a_region_without_buckets_shows_other_region() {
    let mut test = UiTest::start(|_| {});
    let mut config = DevServerConfig::new(test.dir.path().join("server"), AK, SK);
    config.seed_buckets = 1;
    std::fs::create_dir_all(&config.data_dir).expect("data dir");
    let keys = serde_json::json!({"keys": [{
        "region": "cn-beijing",
        "metadata": {
            "KeyId": KEY,
            "Arn": format!("acs:kms:cn-beijing:1234567890123456:key/{KEY}"),
            "KeyState": "Enabled",
            "KeySpec": "Aliyun_AES_256",
            "KeyUsage": "ENCRYPT/DECRYPT",
        },
    }]});
    std::fs::write(config.data_dir.join("kms-keys.json"), keys.to_string()).expect("keys");
    let server = test
        .runtime
        .block_on(devserver::start(config))
        .expect("dev server starts");
    // seed-00001 (cn-hangzhou, the only bucket) gets a rule naming the cn-beijing key.
    let client = OssClient::new(
        ClientConfig::new(
            Endpoint::parse(&server.ready.endpoint).expect("endpoint"),
            "cn-hangzhou",
        ),
        Credentials::new(AK, SK),
    )
    .expect("client");
    test.runtime.block_on(async {
        let bucket = client.find_bucket("seed-00001").await.expect("bucket");
        let rule = SseRule::Kms {
            key_id: Some(KEY.into()),
            sm4_data: false,
        };
        client
            .put_encryption(&bucket, &rule)
            .await
            .expect("rule set");
    });

    test.step_until_label("Add account");
    test.harness.get_by_label("Add account").click();
    test.step_until_label("AccessKey secret");
    test.type_into("Name", "other-region");
    test.replace_text("Endpoint", &server.ready.endpoint);
    test.replace_text("Region", "cn-hangzhou");
    test.type_into("AccessKey ID", AK);
    test.type_into("AccessKey secret", SK);
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label("Read 1 of 1 rules");
    test.step_until_label("Other region");
    assert!(test.harness.query_by_label("Not found").is_none());
    // The audit's state for the bucket stays NotFound, as the CLI reports it.
    let state = test.harness.state().state();
    let row = state
        .row(&crate::ui_support::name("seed-00001"))
        .expect("row");
    let health = state.key_health(row).expect("key checked");
    assert_eq!(health.state.as_deref(), Some("NotFound"));
    assert_eq!(health.usable, Some(false));
}

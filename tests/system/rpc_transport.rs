//! The RPC client (KMS, STS) against the dev server and against endpoints that are not an
//! RPC service: typed errors with hints, retries, clock-skew correction, never a panic.

use std::time::Duration;

use ossguard::core::kms::{self, ListKeysPage};
use ossguard::core::rpc::KMS;
use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::devserver::demo_keys::demo_key_id;
use ossguard::transport::Endpoint;
use ossguard::transport::retry::RetryPolicy;
use ossguard::transport::rpc::{RpcClient, RpcError, RpcMethod, RpcSettings};

use crate::common::{AK, SK, TestServer};

fn kms_client(url: &str, secret: &str) -> RpcClient {
    let settings = RpcSettings {
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
    };
    RpcClient::new(
        KMS,
        Endpoint::parse(url).expect("endpoint"),
        Credentials::new(AK, secret),
        settings,
    )
    .expect("client")
}

#[tokio::test]
async fn calls_kms_with_post_and_get_and_types_its_errors() {
    let server = TestServer::start(|c| c.demo = true).await;
    let url = server.region_url("cn-shanghai");
    for method in [RpcMethod::Post, RpcMethod::Get] {
        let client = kms_client(&url, SK).with_method(method);
        let page: ListKeysPage = client
            .call_as(&kms::list_keys(1, 100))
            .await
            .expect("lists");
        assert!(
            page.keys
                .key
                .iter()
                .any(|k| k.key_id == demo_key_id("cn-shanghai", "aes"))
        );
    }
    let client = kms_client(&url, SK);
    let error = client
        .call(&kms::describe_key("key-doesnotexist0000"))
        .await
        .expect_err("unknown key");
    assert_eq!(error.code(), "Forbidden.KeyNotFound");
    assert_eq!(error.status(), Some(404));
    assert!(error.request_id().is_some());
    assert!(
        error.hint().contains("does not exist in this region"),
        "{}",
        error.hint()
    );
    let wrong = kms_client(&url, "wrong-secret");
    let error = wrong
        .call(&kms::list_keys(1, 10))
        .await
        .expect_err("refused");
    assert_eq!(error.code(), "SignatureDoesNotMatch");
    assert!(error.hint().contains("secret"));
}

#[tokio::test]
async fn shares_the_oss_clients_clock_and_learns_skew() {
    // The server's clock is 20 minutes ahead: the first call is refused as expired, the
    // client learns the offset from the answer's Date and the retry succeeds.
    let server = TestServer::start(|c| {
        c.demo = true;
        c.clock_skew = chrono::Duration::minutes(20);
    })
    .await;
    let oss = server.client(SignatureVersion::V4);
    let endpoint = Endpoint::parse(&server.region_url("cn-hangzhou")).expect("endpoint");
    let client = RpcClient::sharing(&oss, KMS, endpoint).expect("client");
    let answer = client
        .call(&kms::list_keys(1, 10))
        .await
        .expect("retried with the server's time");
    assert!(answer["TotalCount"].as_u64().unwrap_or(0) > 0);
    let offset = oss.clock().offset().num_minutes();
    assert!(
        (19..=21).contains(&offset),
        "the OSS client's clock learned it: {offset}"
    );
}

/// A local endpoint that answers every request with `status` and `body`.
async fn fake_endpoint(status: u16, body: &'static str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 16 * 1024];
            let _ = socket.read(&mut buf).await;
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_non_kms_answer_is_an_error_never_a_panic() {
    let html = kms_client(&fake_endpoint(200, "<html>portal</html>").await, SK);
    let error = html
        .call(&kms::list_keys(1, 10))
        .await
        .expect_err("not JSON");
    assert!(matches!(error, RpcError::Response { .. }), "{error:?}");
    assert_eq!(error.code(), "InvalidResponse");
    let array = kms_client(&fake_endpoint(200, "[1,2]").await, SK);
    assert_eq!(
        array
            .call(&kms::list_keys(1, 10))
            .await
            .expect_err("not an object")
            .code(),
        "InvalidResponse"
    );
    let shape = kms_client(&fake_endpoint(200, r#"{"Keys":"nope"}"#).await, SK);
    let error = shape
        .call_as::<ListKeysPage>(&kms::list_keys(1, 10))
        .await
        .expect_err("wrong shape");
    assert_eq!(error.code(), "InvalidResponse");
    let proxy = kms_client(&fake_endpoint(404, "<html>not here</html>").await, SK);
    let error = proxy
        .call(&kms::list_keys(1, 10))
        .await
        .expect_err("404 page");
    assert_eq!((error.code(), error.status()), ("HttpError", Some(404)));
    assert!(error.hint().contains("KMS endpoint"));
    let down = kms_client(&fake_endpoint(503, "busy").await, SK);
    let error = down
        .call(&kms::list_keys(1, 10))
        .await
        .expect_err("503 after retries");
    assert_eq!(error.status(), Some(503));
    // Plain http to a remote host is refused before anything is sent.
    let remote = RpcClient::new(
        KMS,
        Endpoint::parse("http://kms.cn-hangzhou.aliyuncs.com").expect("endpoint"),
        Credentials::new(AK, SK),
        RpcSettings::default(),
    );
    assert!(matches!(remote, Err(RpcError::Config(_))));
}

#[tokio::test]
async fn kms_client_finds_kms_next_to_each_regions_oss_and_reports_key_health() {
    use ossguard::devserver::demo_keys::demo_key_bucket;
    use ossguard::transport::kms::KmsClient;
    let server = TestServer::start(|c| c.demo = true).await;
    let oss = server.client(SignatureVersion::V4);
    let kms = KmsClient::new(oss.clone(), None);
    let buckets = oss.list_buckets(None).await.expect("listing");
    let expected = [
        ("aes", Some(true), "Enabled"),
        ("sm4", Some(true), "Enabled"),
        ("disabled", Some(false), "Disabled"),
        ("pending", Some(false), "PendingDeletion"),
        ("byok", Some(true), "Enabled"),
        ("import", Some(false), "PendingImport"),
        ("hsm", Some(true), "Enabled"),
        ("sign", Some(false), "Enabled"),
    ];
    for region in ["cn-shanghai", "ap-southeast-1"] {
        for (kind, usable, state) in expected {
            let bucket = buckets
                .iter()
                .find(|b| b.name.as_str() == demo_key_bucket(region, kind))
                .expect("demo bucket");
            let rule = oss
                .get_encryption(bucket)
                .await
                .expect("read")
                .expect("rule");
            let id = rule.kms_key_id().expect("a CMK");
            let health = kms
                .key_health(&bucket.region, Some(&bucket.extranet_endpoint), id)
                .await;
            assert_eq!(health.usable, usable, "{region} {kind}: {health:?}");
            assert_eq!(health.state.as_deref(), Some(state));
            assert_eq!(health.region, region);
            assert!(health.alias.is_some(), "aliases resolved");
        }
    }
    let keys = kms
        .list_region_keys(
            "cn-beijing",
            Some(&server.region_url("cn-beijing").replace("http://", "")),
        )
        .await
        .expect("listed");
    assert!(keys.len() >= 8);
    assert!(
        keys.windows(2)
            .all(|w| w[0].metadata.key_id < w[1].metadata.key_id)
    );
    assert!(
        keys.iter()
            .all(|k| k.region == "cn-beijing" && !k.metadata.key_state.is_empty())
    );
    // The dev server's bj key asked on the hz port: not found there.
    let health = kms
        .key_health("cn-hangzhou", None, &keys[0].metadata.key_id)
        .await;
    assert_eq!(health.state.as_deref(), Some("NotFound"));
    assert_eq!(health.usable, Some(false));
}

#[tokio::test]
async fn kms_calls_reach_the_oss_clients_activity_observer() {
    use ossguard::core::ops::Action;
    use ossguard::transport::kms::KmsClient;

    let server = TestServer::start(|c| c.demo = true).await;
    let calls = crate::common::Calls::default();
    let client = calls.attach(server.client(SignatureVersion::V4));
    let kms = KmsClient::new(client, None);
    let key = demo_key_id("cn-hangzhou", "aes");
    let health = kms.key_health("cn-hangzhou", None, &key).await;
    assert_eq!(health.usable, Some(true));
    let missing = kms
        .key_health("cn-hangzhou", None, "key-doesnotexist0000")
        .await;
    assert_eq!(missing.state.as_deref(), Some("NotFound"));
    let seen: Vec<(Action, String, Option<u16>, bool)> = calls
        .snapshot()
        .into_iter()
        .map(|r| (r.action, r.outcome, r.status, r.request_id.is_some()))
        .collect();
    assert_eq!(
        seen,
        [
            (Action::KmsDescribeKey, "OK".to_owned(), Some(200), true),
            (
                Action::KmsListAliasesByKeyId,
                "OK".to_owned(),
                Some(200),
                true
            ),
            (
                Action::KmsDescribeKey,
                "Forbidden.KeyNotFound".to_owned(),
                Some(404),
                true
            ),
        ]
    );
    // An error KMS answers with is recorded with its code.
    let calls = crate::common::Calls::default();
    let wrong = calls.attach(crate::common::client_for(
        server.endpoint(),
        "cn-hangzhou",
        SignatureVersion::V4,
        Credentials::new(AK, "not-the-secret"),
    ));
    let failed = KmsClient::new(wrong, None)
        .key_health("cn-hangzhou", None, &key)
        .await;
    assert!(failed.error.is_some());
    let records = calls.snapshot();
    assert_eq!(records.len(), 1, "not retried: {records:?}");
    assert_eq!(records[0].action, Action::KmsDescribeKey);
    assert_eq!(records[0].outcome, "SignatureDoesNotMatch");
    assert_eq!(records[0].status, Some(400));
}

#[tokio::test]
async fn a_key_of_a_region_without_buckets_is_found_there_once_per_refresh() {
    use ossguard::app::key_checks::{KeyChecks, KeyRegionSearch};
    use ossguard::core::ops::Action;
    use ossguard::core::sse::{EncryptionState, SseRule};

    const KEY: &str = "key-bjonly0001";
    // One bucket, in cn-hangzhou; the key lives in cn-beijing only, where no bucket is.
    let server = TestServer::start(|c| {
        c.seed_buckets = 1;
        std::fs::create_dir_all(&c.data_dir).expect("data dir");
        let keys = serde_json::json!({"keys": [crate::common::enabled_key("cn-beijing", KEY)]});
        std::fs::write(c.data_dir.join("kms-keys.json"), keys.to_string()).expect("keys");
    })
    .await;
    let calls = crate::common::Calls::default();
    let client = calls.attach(server.client(SignatureVersion::V4));
    let buckets = client.list_buckets(None).await.expect("listed");
    assert_eq!(buckets.len(), 1);
    let state = EncryptionState::Configured(SseRule::Kms {
        key_id: Some(KEY.into()),
        sm4_data: false,
    });
    let check = KeyChecks::new(&client, None)
        .observe(&buckets[0], &state)
        .expect("a CMK to check");
    let health = check.await;
    assert_eq!(health.state.as_deref(), Some("NotFound"));

    let search = KeyRegionSearch::new(&client, None, &buckets);
    let there = search.find(&health).await.expect("found in another region");
    assert_eq!(there.region, "cn-beijing");
    assert_eq!(there.key_id.as_deref(), Some(KEY));
    assert_eq!(there.state.as_deref(), Some("Enabled"));
    let before = calls.snapshot().len();
    assert_eq!(search.find(&health).await, Some(there), "the same answer");
    assert_eq!(calls.snapshot().len(), before, "asked once per refresh");
    let asked: Vec<Action> = calls.snapshot().into_iter().map(|r| r.action).collect();
    assert_eq!(
        asked
            .iter()
            .filter(|a| **a == Action::DescribeRegions)
            .count(),
        1
    );
    // Every other served region at most once, never the bucket's own again.
    let describes = asked
        .iter()
        .filter(|a| **a == Action::KmsDescribeKey)
        .count();
    assert!((2..=4).contains(&describes), "{asked:?}");

    // A key that exists nowhere is not found elsewhere either; an ARN is never looked for.
    let nowhere = ossguard::core::kms::health::assess(
        "key-nowhere0000",
        "cn-hangzhou",
        &ossguard::core::kms::health::KeyLookup::NotFound,
    );
    assert_eq!(search.find(&nowhere).await, None);
    let arn = ossguard::core::kms::health::assess(
        "acs:kms:cn-beijing:1:key/key-bjonly0001",
        "cn-hangzhou",
        &ossguard::core::kms::health::KeyLookup::NotFound,
    );
    let before = calls.snapshot().len();
    assert_eq!(search.find(&arn).await, None);
    assert_eq!(calls.snapshot().len(), before, "an ARN names its region");
}

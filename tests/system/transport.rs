//! The OSS client against the dev server: pagination, region routing, every rule kind,
//! errors with their hints, retries and clock-skew correction.

use crate::common::{AK, Calls, SK, TestServer, client_for, create_bucket, unique_bucket};
use futures::StreamExt as _;
use ossguard::core::ops::Action;
use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::core::sse::{EncryptionState, SseRule};
use ossguard::devserver::demo::{seed_bucket_name, seed_rule};
use ossguard::transport::fanout;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_2500_buckets_in_three_pages_and_reads_every_region() {
    let server = TestServer::start(|c| c.seed_buckets = 2500).await;
    let calls = Calls::default();
    let client = calls.attach(server.client(SignatureVersion::V4));
    let buckets = client.list_buckets(None).await.expect("listing");
    assert_eq!(buckets.len(), 2500);
    let pages = calls
        .snapshot()
        .iter()
        .filter(|c| c.action == Action::ListBuckets)
        .count();
    assert_eq!(pages, 3, "1000 + 1000 + 500");
    let mut names: Vec<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
    names.dedup();
    assert_eq!(names.len(), 2500, "no bucket listed twice");
    // Each region's buckets are reached through their own port: read the first 24
    // (all four regions, all six rule kinds) and compare with the seed pattern.
    let sample: Vec<_> = buckets.iter().take(24).cloned().collect();
    let regions: std::collections::BTreeSet<_> = sample.iter().map(|b| b.region.clone()).collect();
    assert_eq!(regions.len(), 4);
    let mut results: Vec<_> =
        fanout::encryption_states(client, sample, 8, CancellationToken::new())
            .collect()
            .await;
    results.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    for (i, (bucket, state)) in results.iter().enumerate() {
        assert_eq!(bucket.name.as_str(), seed_bucket_name(i + 1));
        let expected = match seed_rule(i + 1) {
            Some(rule) => EncryptionState::Configured(rule),
            None => EncryptionState::NotConfigured,
        };
        assert_eq!(state, &expected, "{}", bucket.name);
    }
}

async fn every_rule_kind(version: SignatureVersion) {
    let server = TestServer::start(|_| {}).await;
    let client = server.client(version);
    for region in ["cn-hangzhou", "ap-southeast-1"] {
        let name = unique_bucket("rules");
        create_bucket(&server, &client, &name, region).await;
        let bucket = client.find_bucket(&name).await.expect("listed");
        assert_eq!(bucket.region, region);
        assert_eq!(client.get_encryption(&bucket).await.expect("read"), None);
        for rule in crate::common::every_rule_kind() {
            let request_id = client.put_encryption(&bucket, &rule).await.expect("put");
            assert!(request_id.is_some_and(|id| id.len() == 24));
            assert_eq!(
                client.get_encryption(&bucket).await.expect("get"),
                Some(rule)
            );
        }
        let info = client.get_bucket_info(&bucket).await.expect("info");
        assert_eq!(info.location, format!("oss-{region}"));
        assert_eq!(
            info.server_side_encryption_rule.to_state(),
            Ok(EncryptionState::Configured(SseRule::Sm4))
        );
        client.delete_encryption(&bucket).await.expect("delete");
        assert_eq!(client.get_encryption(&bucket).await.expect("read"), None);
        assert_eq!(
            client.encryption_state(&bucket).await,
            EncryptionState::NotConfigured
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sets_reads_and_deletes_every_rule_kind_v4() {
    every_rule_kind(SignatureVersion::V4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sets_reads_and_deletes_every_rule_kind_v1() {
    every_rule_kind(SignatureVersion::V1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_code_request_id_and_hint() {
    let server = TestServer::start(|c| c.demo = true).await;
    let good = server.client(SignatureVersion::V4);

    let wrong_secret = client_for(
        server.endpoint(),
        "cn-hangzhou",
        SignatureVersion::V4,
        Credentials::new(AK, "not-the-secret"),
    );
    let err = wrong_secret
        .list_buckets(None)
        .await
        .expect_err("must fail");
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), "SignatureDoesNotMatch")
    );
    assert!(err.request_id().is_some());
    assert!(err.hint().contains("secret"), "{}", err.hint());

    let unknown = client_for(
        server.endpoint(),
        "cn-hangzhou",
        SignatureVersion::V1,
        Credentials::new("LTAIunknown0000000000", SK),
    );
    let err = unknown.list_buckets(None).await.expect_err("must fail");
    assert_eq!(err.code(), "InvalidAccessKeyId");
    assert!(err.hint().contains("AccessKey ID"), "{}", err.hint());

    // A denied demo bucket: AccessDenied names the missing RAM action.
    let buckets = good.list_buckets(None).await.expect("listing");
    let mut denied = Vec::new();
    for bucket in &buckets {
        if let EncryptionState::Unknown(failure) = good.encryption_state(bucket).await {
            assert_eq!(failure.code, "AccessDenied");
            assert!(
                failure.hint.contains("oss:GetBucketEncryption"),
                "{}",
                failure.hint
            );
            assert!(failure.request_id.is_some());
            denied.push(bucket.name.clone());
        }
    }
    assert!(
        !denied.is_empty(),
        "the demo has buckets the key may not read"
    );

    // Wrong region: a Shanghai bucket addressed through the Hangzhou port.
    let mut bucket = buckets
        .iter()
        .find(|b| b.region == "cn-shanghai" && !denied.contains(&b.name))
        .cloned()
        .expect("a shanghai bucket");
    let right_endpoint = bucket.extranet_endpoint.clone();
    bucket.extranet_endpoint = server.endpoint().trim_start_matches("http://").to_owned();
    bucket.region = "cn-hangzhou".into();
    let err = good
        .get_encryption(&bucket)
        .await
        .expect_err("wrong region");
    assert_eq!((err.status(), err.code()), (Some(403), "AccessDenied"));
    assert_eq!(err.correct_endpoint(), Some(right_endpoint.as_str()));
    assert!(err.hint().contains(&right_endpoint), "{}", err.hint());

    // A V4 scope for another region than the port's, on a bucket that lives there.
    let mut bucket = buckets
        .iter()
        .find(|b| b.region == "cn-hangzhou" && !denied.contains(&b.name))
        .cloned()
        .expect("a hangzhou bucket");
    bucket.region = "cn-beijing".into();
    let err = good.get_encryption(&bucket).await.expect_err("wrong scope");
    assert_eq!((err.status(), err.code()), (Some(400), "InvalidArgument"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sts_token_is_reported_as_expired() {
    let server = TestServer::start(|c| {
        c.sts_token = Some("sts-token-test".into());
        c.sts_expires_at = Some(chrono::Utc::now() - chrono::Duration::minutes(5));
    })
    .await;
    let sts =
        Credentials::new(&format!("STS.{AK}"), SK).with_security_token(Some("sts-token-test"));
    let client = client_for(server.endpoint(), "cn-hangzhou", SignatureVersion::V4, sts);
    let err = client.list_buckets(None).await.expect_err("expired");
    assert_eq!(err.code(), "SecurityTokenExpired");
    assert!(err.hint().contains("expired"), "{}", err.hint());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_sts_token_works_and_wrong_token_does_not() {
    let server = TestServer::start(|c| c.sts_token = Some("sts-token-test".into())).await;
    let good =
        Credentials::new(&format!("STS.{AK}"), SK).with_security_token(Some("sts-token-test"));
    let client = client_for(server.endpoint(), "cn-hangzhou", SignatureVersion::V1, good);
    client.list_buckets(None).await.expect("valid token");
    let bad = Credentials::new(&format!("STS.{AK}"), SK).with_security_token(Some("other"));
    let client = client_for(server.endpoint(), "cn-hangzhou", SignatureVersion::V4, bad);
    let err = client.list_buckets(None).await.expect_err("wrong token");
    assert_eq!(err.code(), "InvalidSecurityToken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learns_clock_skew_and_signs_with_the_server_time() {
    let server = TestServer::start(|c| {
        c.seed_buckets = 3;
        c.clock_skew = chrono::Duration::minutes(-40);
    })
    .await;
    let calls = Calls::default();
    let client = calls.attach(server.client(SignatureVersion::V4));
    let buckets = client
        .list_buckets(None)
        .await
        .expect("succeeds after correcting");
    assert_eq!(buckets.len(), 3);
    let offset = client.clock().offset().num_minutes();
    assert!((-41..=-39).contains(&offset), "offset {offset} min");
    let outcomes: Vec<String> = calls.snapshot().iter().map(|c| c.outcome.clone()).collect();
    assert_eq!(
        outcomes,
        vec!["RequestTimeTooSkewed".to_owned(), "OK".to_owned()]
    );
    // Later requests are signed with the corrected time straight away.
    client.get_encryption(&buckets[1]).await.expect("read");
    assert_eq!(calls.snapshot().last().map(|c| c.attempt), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_through_a_fault_storm_and_marks_the_rest_unknown() {
    let server = TestServer::start(|c| {
        c.seed_buckets = 120;
        c.fail_rate = 0.3;
    })
    .await;
    let calls = Calls::default();
    let client = calls.attach(server.client(SignatureVersion::V4));
    // Listing itself may need retries.
    // The listing is one call with 3 attempts: it fails outright 3% of the time, and then
    // the caller lists again, as an administrator would.
    let mut listing = client.list_buckets(None).await;
    for _ in 0..4 {
        if listing.is_ok() {
            break;
        }
        listing = client.list_buckets(None).await;
    }
    let buckets = listing.expect("listing survives 30% faults within 5 tries");
    assert_eq!(buckets.len(), 120);
    let results: Vec<_> = fanout::encryption_states(client, buckets, 16, CancellationToken::new())
        .collect()
        .await;
    assert_eq!(results.len(), 120, "every bucket has a result");
    let mut correct = 0;
    for (bucket, state) in &results {
        let n: usize = bucket.name.as_str()[5..].parse().expect("seed number");
        let expected = match seed_rule(n) {
            Some(rule) => EncryptionState::Configured(rule),
            None => EncryptionState::NotConfigured,
        };
        match state {
            s if *s == expected => correct += 1,
            EncryptionState::Unknown(failure) => assert!(
                ["ServiceUnavailable", "NetworkError", "ConnectionFailed"]
                    .contains(&failure.code.as_str()),
                "unexpected failure {failure:?}"
            ),
            other => panic!("{} read wrongly as {other:?}", bucket.name),
        }
    }
    // With 3 attempts at 30% failure about 97% succeed; 90% leaves room for chance.
    assert!(correct >= 108, "only {correct} of 120 read correctly");
    let retried = calls.snapshot().iter().filter(|c| c.attempt > 1).count();
    assert!(retried > 0, "faults must have caused retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_fanout_stops_it_early() {
    let server = TestServer::start(|c| {
        c.seed_buckets = 60;
        c.latency = std::time::Duration::from_millis(100);
    })
    .await;
    let client = server.client(SignatureVersion::V4);
    let buckets = client.list_buckets(None).await.expect("listing");
    let cancel = CancellationToken::new();
    let mut stream = Box::pin(fanout::encryption_states(
        client,
        buckets,
        4,
        cancel.clone(),
    ));
    let mut seen = 0;
    while let Some(_result) = stream.next().await {
        seen += 1;
        if seen == 5 {
            cancel.cancel();
        }
    }
    assert!(seen < 60, "the stream ended after cancel ({seen} results)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_endpoints_send_bucket_calls_to_the_intranet_endpoint() {
    let server = TestServer::start(|c| c.seed_buckets = 1).await;
    let listing = server.client(SignatureVersion::V4);
    let mut bucket = listing.list_buckets(None).await.expect("listing").remove(0);
    // Only the intranet endpoint is reachable, as on ECS inside a VPC.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    bucket.extranet_endpoint = format!("127.0.0.1:{closed}");
    let mut config = listing.config().clone();
    config.retry = ossguard::transport::retry::RetryPolicy::none();
    let external = ossguard::transport::OssClient::new(config.clone(), Credentials::new(AK, SK))
        .expect("client");
    let err = external
        .get_encryption(&bucket)
        .await
        .expect_err("public endpoint unreachable");
    assert_eq!(err.code(), "ConnectionFailed");
    config.internal_endpoints = true;
    let internal =
        ossguard::transport::OssClient::new(config, Credentials::new(AK, SK)).expect("client");
    assert_eq!(
        internal
            .get_encryption(&bucket)
            .await
            .expect("through the intranet endpoint"),
        None
    );
}

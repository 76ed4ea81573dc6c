//! Hostile answers: malformed or truncated XML, oversized bodies, answers slower than the
//! timeout, a server that dies mid-refresh. Every call ends, with a typed error, no panic.

use std::time::Duration;

use crate::common::mock::{MockServer, Reply};
use crate::common::{Calls, TestServer};
use futures::StreamExt as _;
use ossguard::core::model::{Bucket, BucketName};
use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::core::sse::EncryptionState;
use ossguard::devserver::demo::seed_rule;
use ossguard::transport::retry::RetryPolicy;
use ossguard::transport::{ClientConfig, Endpoint, OssClient, OssError, fanout};
use tokio_util::sync::CancellationToken;

/// A canned answer, chosen by the bucket in the request path.
fn mock_server() -> MockServer {
    MockServer::start(|req| match req.bucket() {
        "malformed" => Reply::announced(30, "<ServerSideEncryptionRule><App"),
        "truncated" => Reply::announced(500, "<ServerSideEncryptionRule>"),
        "huge" => Reply::ok(&"x".repeat(9 * 1024 * 1024)),
        "slow" => Reply::Silence(Duration::from_secs(3)),
        "html" => Reply::with_status("502 Bad Gateway", "text/html", "<html></html>"),
        // A listing whose NextMarker goes back to a page already seen.
        "" if req.target.starts_with("/?") => {
            let (name, next) = if req.target.contains("marker=aaa") {
                ("bbb", "aaa")
            } else {
                ("aaa", "aaa")
            };
            Reply::ok(&format!(
                "<ListAllMyBucketsResult><IsTruncated>true</IsTruncated><NextMarker>{next}</NextMarker><Buckets><Bucket><Name>{name}</Name><Location>oss-cn-hangzhou</Location></Bucket></Buckets></ListAllMyBucketsResult>"
            ))
        }
        _ => Reply::not_found(),
    })
}

fn fast_client(host: &str, timeout: Duration) -> OssClient {
    let mut config = ClientConfig::new(
        Endpoint::parse(&format!("http://{host}")).expect("endpoint"),
        "cn-hangzhou",
    );
    config.timeout = timeout;
    config.retry = RetryPolicy {
        base_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    OssClient::new(config, Credentials::new("ak", "sk")).expect("client")
}

fn bucket(name: &str, host: &str) -> Bucket {
    Bucket::in_region(BucketName::parse(name).expect("name"), "cn-hangzhou").with_endpoint(host)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_end_in_typed_errors() {
    let mock = mock_server();
    let host = mock.host();
    let calls = Calls::default();
    let client = calls.attach(fast_client(&host, Duration::from_millis(800)));

    let err = client
        .get_encryption(&bucket("malformed", &host))
        .await
        .expect_err("malformed");
    assert!(matches!(err, OssError::Response { .. }), "{err:?}");
    assert_eq!(err.code(), "InvalidResponse");

    let err = client
        .get_encryption(&bucket("truncated", &host))
        .await
        .expect_err("truncated");
    assert!(matches!(err, OssError::Network(_)), "{err:?}");

    let err = client
        .get_encryption(&bucket("huge", &host))
        .await
        .expect_err("oversized");
    assert!(err.to_string().contains("larger than"), "{err}");

    let err = client
        .get_encryption(&bucket("slow", &host))
        .await
        .expect_err("too slow");
    assert!(matches!(err, OssError::Timeout(_)), "{err:?}");
    assert!(err.hint().contains("did not answer in time"));

    let err = client
        .list_buckets(None)
        .await
        .expect_err("a cycling marker");
    assert!(err.to_string().contains("does not move past"), "{err}");

    let err = client
        .get_encryption(&bucket("html", &host))
        .await
        .expect_err("proxy page");
    assert_eq!((err.code(), err.status()), ("HttpError", Some(502)));

    // Each failure above was retried the SDKs' 3 times, then given up.
    let slow_attempts = calls
        .snapshot()
        .iter()
        .filter(|c| c.bucket.as_deref() == Some("slow"))
        .count();
    assert_eq!(slow_attempts, 3);

    // The row form never panics either: every bucket gets a state.
    let state = client.encryption_state(&bucket("malformed", &host)).await;
    assert!(matches!(state, EncryptionState::Unknown(ref f) if f.code == "InvalidResponse"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_dying_mid_refresh_leaves_every_bucket_correct_or_unknown() {
    let server = TestServer::start(|c| {
        c.seed_buckets = 40;
        c.latency = Duration::from_millis(150);
    })
    .await;
    let listing = server.client(SignatureVersion::V4);
    let buckets = listing.list_buckets(None).await.expect("listing");
    let client = {
        let mut config = listing.config().clone();
        config.timeout = Duration::from_secs(2);
        config.retry.base_delay = Duration::from_millis(5);
        OssClient::new(
            config,
            Credentials::new(crate::common::AK, crate::common::SK),
        )
        .expect("client")
    };
    let mut stream = Box::pin(fanout::encryption_states(
        client,
        buckets,
        4,
        CancellationToken::new(),
    ));
    let mut results = Vec::new();
    let mut server = Some(server);
    let mut _dir_keeper = None;
    while let Some(result) = stream.next().await {
        results.push(result);
        if results.len() == 6
            && let Some(TestServer { server, dir }) = server.take()
        {
            _dir_keeper = Some(dir);
            server.shutdown().await;
        }
    }
    assert_eq!(results.len(), 40, "every bucket has a result");
    for (bucket, state) in &results {
        let n: usize = bucket.name.as_str()[5..].parse().expect("seed number");
        let expected = match seed_rule(n) {
            Some(rule) => EncryptionState::Configured(rule),
            None => EncryptionState::NotConfigured,
        };
        assert!(
            *state == expected || matches!(state, EncryptionState::Unknown(_)),
            "{} read wrongly as {state:?}",
            bucket.name
        );
    }
    let unknown: Vec<_> = results
        .iter()
        .filter_map(|(_, s)| match s {
            EncryptionState::Unknown(f) => Some(f.code.clone()),
            _ => None,
        })
        .collect();
    assert!(
        unknown.len() >= 20,
        "buckets not read before the shutdown are marked unknown"
    );
    for code in &unknown {
        assert!(
            [
                "ConnectionFailed",
                "NetworkError",
                "Timeout",
                fanout::NOT_TRIED
            ]
            .contains(&code.as_str()),
            "{code}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_network_trips_the_breaker_instead_of_retrying_every_bucket() {
    // A port nobody listens on: every connection is refused.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let host = format!("127.0.0.1:{closed}");
    let client = fast_client(&host, Duration::from_millis(500));
    let buckets: Vec<Bucket> = (0..200)
        .map(|i| bucket(&format!("dead-{i:03}"), &host))
        .collect();
    let results: Vec<_> = fanout::encryption_states(client, buckets, 8, CancellationToken::new())
        .collect()
        .await;
    assert_eq!(results.len(), 200, "every bucket has a result");
    let codes: Vec<String> = results
        .iter()
        .map(|(_, s)| match s {
            EncryptionState::Unknown(f) => f.code.clone(),
            other => panic!("read {other:?} from a dead network"),
        })
        .collect();
    let tried = codes.iter().filter(|c| *c == "ConnectionFailed").count();
    let skipped = codes.iter().filter(|c| *c == fanout::NOT_TRIED).count();
    assert_eq!(tried + skipped, 200);
    assert!(
        (fanout::TRIP_AFTER..fanout::TRIP_AFTER + 8).contains(&tried),
        "the breaker trips after {} failures in a row (tried {tried})",
        fanout::TRIP_AFTER
    );
}

//! How a change is judged and logged when the write or the read-back goes wrong, against a
//! scripted server: a write that times out but took effect is verified; a write that took
//! effect but cannot be read back is logged as written (and can be undone); a refused write
//! is logged as not written (and cannot).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ossguard::app::change::{self, ApplyOutcome, Change, ChangeContext, ChangeRequest};
use ossguard::app::changelog::{self, Phase};
use ossguard::core::model::{Bucket, BucketName};
use ossguard::core::sign::Credentials;
use ossguard::core::sse::SseRule;
use ossguard::transport::retry::RetryPolicy;
use ossguard::transport::{ClientConfig, Endpoint, OssClient};

use crate::common::mock::{MockServer, Reply};

const RULE: &str = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";

/// Per bucket: how many GETs it has answered, and whether its rule was written.
type Scripts = Arc<Mutex<HashMap<String, (usize, bool)>>>;

fn scripted_server() -> MockServer {
    let state: Scripts = Arc::default();
    MockServer::start(move |req| {
        let mut state = state.lock().expect("lock");
        let bucket = req.bucket().to_owned();
        let (gets, written) = state.entry(bucket.clone()).or_default();
        match (bucket.as_str(), req.method.as_str()) {
            // The PUT takes effect, but its answer comes too late.
            ("slow-put", "PUT") => {
                *written = true;
                Reply::Silence(Duration::from_secs(3))
            }
            // The PUT works; every GET after the first fails.
            ("no-read-back", "PUT") => Reply::ok(""),
            ("no-read-back", "GET") => {
                *gets += 1;
                if *gets == 1 {
                    Reply::error("404 Not Found", "NoSuchServerSideEncryptionRule")
                } else {
                    Reply::error("503 Service Unavailable", "ServiceUnavailable")
                }
            }
            ("refused", "PUT") => Reply::error("403 Forbidden", "AccessDenied"),
            (_, "GET") if *written => Reply::ok(RULE),
            (_, "GET") => Reply::error("404 Not Found", "NoSuchServerSideEncryptionRule"),
            _ => Reply::error("400 Bad Request", "InvalidArgument"),
        }
    })
}

fn bucket(name: &str, host: &str) -> Bucket {
    Bucket::in_region(BucketName::parse(name).expect("name"), "cn-hangzhou").with_endpoint(host)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_follow_what_oss_did_not_what_the_write_answered() {
    let mock = scripted_server();
    let host = mock.host();
    let mut config = ClientConfig::new(
        Endpoint::parse(&format!("http://{host}")).expect("endpoint"),
        "cn-hangzhou",
    );
    config.timeout = Duration::from_millis(500);
    config.retry = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let client = OssClient::new(config, Credentials::new("ak-id", "sk")).expect("client");
    let dir = tempfile::tempdir().expect("tempdir");
    let log = changelog::log_path(dir.path());
    let context = ChangeContext {
        profile: "p".into(),
        account_id: None,
        log_path: Some(log.clone()),
        preflight: None,
    };
    let set = ChangeRequest::unguarded(Change::Set(SseRule::Aes256));

    let slow = change::run(&client, &bucket("slow-put", &host), &set, &context).await;
    let slow_record = slow.record.expect("logged");
    assert!(
        slow_record
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("Timeout")),
        "the write timed out: {:?}",
        slow_record.error
    );
    assert_eq!(
        slow.outcome,
        ApplyOutcome::Verified,
        "but the read-back shows it applied"
    );
    assert!(slow_record.written && slow_record.verified);

    let unconfirmed = change::run(&client, &bucket("no-read-back", &host), &set, &context).await;
    assert!(
        matches!(&unconfirmed.outcome, ApplyOutcome::Unconfirmed(f) if f.code == "ServiceUnavailable"),
        "{:?}",
        unconfirmed.outcome
    );
    let unconfirmed = unconfirmed.record.expect("logged");
    assert!(unconfirmed.written && !unconfirmed.verified);
    assert_eq!(
        unconfirmed.undo_action(),
        Some(Change::Delete),
        "written: undo is offered"
    );

    let refused = change::run(&client, &bucket("refused", &host), &set, &context).await;
    assert!(
        matches!(&refused.outcome, ApplyOutcome::WriteFailed(f) if f.code == "AccessDenied"),
        "{:?}",
        refused.outcome
    );
    let refused = refused.record.expect("logged");
    assert!(!refused.written && !refused.verified);
    assert_eq!(
        refused.undo_action(),
        None,
        "never written: nothing to undo"
    );
    assert!(
        refused
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("AccessDenied"))
    );

    let (records, skipped) = changelog::read_all(&log).expect("log");
    assert_eq!(
        (records.len(), skipped),
        (3, 0),
        "one merged record per change"
    );
    assert!(
        records
            .iter()
            .all(|r| r.phase == Phase::Done && r.access_key_id == "ak-id")
    );
    let lines = std::fs::read_to_string(&log).expect("log").lines().count();
    assert_eq!(lines, 6, "a started and a done line each");
}

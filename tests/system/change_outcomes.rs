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
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const RULE: &str = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";

fn error(status: &str, code: &str) -> String {
    let body = format!(
        "<Error><Code>{code}</Code><Message>scripted</Message><RequestId>RID</RequestId></Error>"
    );
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn ok(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nx-oss-request-id: PUTRID\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Per bucket: how many GETs it has answered, and whether its rule was written.
type Scripts = Arc<Mutex<HashMap<String, (usize, bool)>>>;

async fn scripted_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state: Scripts = Arc::default();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let state = state.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut read = 0;
                loop {
                    let Ok(n) = socket.read(&mut buf[read..]).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    read += n;
                    let text = String::from_utf8_lossy(&buf[..read]).into_owned();
                    let Some(head_end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length: usize = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if read < head_end + 4 + length {
                        continue;
                    }
                    let mut words = text.split_whitespace();
                    let method = words.next().unwrap_or_default().to_owned();
                    let bucket = words
                        .next()
                        .unwrap_or_default()
                        .split('/')
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    let reply = {
                        let mut state = state.lock().expect("lock");
                        let (gets, written) = state.entry(bucket.clone()).or_default();
                        match (bucket.as_str(), method.as_str()) {
                            // The PUT takes effect, but its answer comes too late.
                            ("slow-put", "PUT") => {
                                *written = true;
                                None
                            }
                            // The PUT works; every GET after the first fails.
                            ("no-read-back", "PUT") => Some(ok("")),
                            ("no-read-back", "GET") => {
                                *gets += 1;
                                Some(if *gets == 1 {
                                    error("404 Not Found", "NoSuchServerSideEncryptionRule")
                                } else {
                                    error("503 Service Unavailable", "ServiceUnavailable")
                                })
                            }
                            ("refused", "PUT") => Some(error("403 Forbidden", "AccessDenied")),
                            (_, "GET") if *written => Some(ok(RULE)),
                            (_, "GET") => {
                                Some(error("404 Not Found", "NoSuchServerSideEncryptionRule"))
                            }
                            _ => Some(error("400 Bad Request", "InvalidArgument")),
                        }
                    };
                    match reply {
                        Some(reply) => {
                            socket.write_all(reply.as_bytes()).await.ok();
                        }
                        None => tokio::time::sleep(Duration::from_secs(3)).await,
                    }
                    return;
                }
            });
        }
    });
    format!("127.0.0.1:{}", addr.port())
}

fn bucket(name: &str, host: &str) -> Bucket {
    Bucket::in_region(BucketName::parse(name).expect("name"), "cn-hangzhou").with_endpoint(host)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_follow_what_oss_did_not_what_the_write_answered() {
    let host = scripted_server().await;
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

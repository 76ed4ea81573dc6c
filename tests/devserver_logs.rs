//! Dev server: secrets, STS tokens and signatures never reach the log. Alone in its binary:
//! a thread-local subscriber races with other tests' callsite registration in one process.

#[path = "common/devserver.rs"]
mod support;

use std::sync::{Arc, Mutex};

use chrono::Utc;
use ossguard::core::ops;
use ossguard::core::sign::Credentials;
use ossguard::core::sse::SseRule;
use support::{AK, HZ, Harness, SK, VERSIONS};

/// Captures everything the server logs while requests with secrets go through.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut out) = self.0.lock() {
            out.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// On a current-thread runtime every server task runs on this thread, so a thread-local
/// subscriber sees all of the server's log lines.
#[tokio::test(flavor = "current_thread")]
async fn logs_never_show_secrets_tokens_or_signatures() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let token = "sts-token-must-not-be-logged";
    let h = Harness::with_buckets(|c| c.sts_token = Some(token.into())).await;
    let mut signatures = Vec::new();
    for version in VERSIONS {
        let creds = Credentials::new(&format!("STS.{AK}"), SK).with_security_token(Some(token));
        let mut req = ops::encryption::put("auth-hz", &SseRule::Aes256);
        ossguard::core::sign::sign(&mut req, version, &creds, HZ, Utc::now());
        signatures.push(req.header("authorization").expect("signed").to_owned());
        assert_eq!(
            h.send_raw(HZ, &req, None).await.expect("answer").status,
            200
        );
        let bad = Credentials::new(AK, "wrong-secret-value");
        h.send_with(ops::bucket::get_info("auth-hz"), version, &bad)
            .await;
    }
    h.server.shutdown().await;
    let log = String::from_utf8(captured.0.lock().expect("log").clone()).expect("utf8");
    assert!(log.contains("GetBucketInfo"), "the capture works: {log}");
    assert!(log.contains("SignatureDoesNotMatch"), "{log}");
    for secret in [SK, token, "wrong-secret-value"] {
        assert!(!log.contains(secret), "{secret} logged");
    }
    for signature in signatures {
        let tail = match signature.split_once("Signature=") {
            Some((_, v4)) => v4,
            None => signature
                .rsplit_once(':')
                .map(|(_, v1)| v1)
                .expect("V1 shape"),
        };
        assert!(tail.len() > 20 && !log.contains(tail), "signature logged");
    }
}

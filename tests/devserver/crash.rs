//! The dev server's state survives SIGKILL in the middle of writes: after a restart every
//! bucket is listed and every rule reads back as one that was written, never torn.

use std::time::Duration;

use crate::common::{AK, DevServerProcess, SK, client_for};
use ossguard::core::ops::{self, Action};
use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::core::sse::{EncryptionState, SseRule};
use ossguard::devserver::demo::seed_rule;
use ossguard::transport::Target;

fn rules() -> [SseRule; 3] {
    [
        SseRule::Aes256,
        SseRule::Kms {
            key_id: Some("key-crash0000001".into()),
            sm4_data: true,
        },
        SseRule::Sm4,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_sigkill_during_writes() {
    let server = DevServerProcess::start(&["--seed-buckets", "40"]);
    let client = client_for(
        &server.endpoint(),
        "cn-hangzhou",
        SignatureVersion::V4,
        Credentials::new(AK, SK),
    );
    let buckets = client.list_buckets(None).await.expect("listing");
    assert_eq!(buckets.len(), 40);

    // Writers: rules on existing buckets, and new buckets, as fast as the server takes them.
    let mut writers = Vec::new();
    for worker in 0..6 {
        let client = client.clone();
        let buckets = buckets.clone();
        let host = server.endpoint().trim_start_matches("http://").to_owned();
        writers.push(tokio::spawn(async move {
            let mut written = 0usize;
            for i in 0.. {
                let bucket = &buckets[(i * 6 + worker) % buckets.len()];
                let rule = &rules()[i % 3];
                if client.put_encryption(bucket, rule).await.is_err() {
                    break;
                }
                let name = format!("crash-{worker}-{i}");
                let created = client
                    .send(
                        Action::PutBucket,
                        &ops::bucket::create(&name),
                        &Target::Bucket {
                            host: host.clone(),
                            region: "cn-hangzhou".into(),
                        },
                    )
                    .await;
                if created.is_err() {
                    break;
                }
                written += 2;
            }
            written
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let dir = server.kill();
    let mut written = 0;
    for writer in writers {
        written += writer.await.expect("writer ends");
    }
    assert!(
        written > 20,
        "the server was killed in the middle of writing ({written} writes)"
    );

    let restarted = DevServerProcess::start_in(dir, &[]);
    let client = client_for(
        &restarted.endpoint(),
        "cn-hangzhou",
        SignatureVersion::V4,
        Credentials::new(AK, SK),
    );
    let after = client
        .list_buckets(None)
        .await
        .expect("listing after restart");
    assert!(
        after.len() >= 40 + written / 2 - 6,
        "buckets created before the kill are still there"
    );
    for bucket in &after {
        let state = client.encryption_state(bucket).await;
        let name = bucket.name.as_str();
        if let Some(n) = name.strip_prefix("seed-") {
            let n: usize = n.parse().expect("number");
            let ok = match &state {
                EncryptionState::Configured(rule) => {
                    rules().contains(rule) || seed_rule(n).as_ref() == Some(rule)
                }
                EncryptionState::NotConfigured => seed_rule(n).is_none(),
                EncryptionState::Unknown(_) => false,
            };
            assert!(ok, "{name} has a torn or foreign state: {state:?}");
        } else {
            assert_eq!(state, EncryptionState::NotConfigured, "{name}");
        }
    }
    // The restarted server still takes writes.
    client
        .put_encryption(&after[0], &SseRule::Aes256)
        .await
        .expect("write after restart");
}

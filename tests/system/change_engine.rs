//! The change engine against the in-process dev server: the changed-since guard stops a
//! change (nothing written, nothing logged) unless forced, the pre-flight hook refuses or is
//! skipped (and the log says so), and the undo of a bulk change read back from the log after a
//! "restart" (a fresh read of changes.jsonl) restores every bucket's own rule.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::BoxFuture;
use ossguard::app::change::history::{History, Owner};
use ossguard::app::change::{self, ApplyOutcome, Change, ChangeContext, ChangeRequest, Preflight};
use ossguard::app::changelog;
use ossguard::core::model::Bucket;
use ossguard::core::sign::SignatureVersion;
use ossguard::core::sse::{EncryptionState, SseRule};
use ossguard::transport::OssClient;

use crate::common::{AK, TestServer, create_bucket, unique_bucket};

const CMK: &str = "key-hzz68d1fd85qslv95ilz4";

async fn setup() -> (TestServer, OssClient, tempfile::TempDir, ChangeContext) {
    let server = TestServer::start(|_| {}).await;
    let client = server.client(SignatureVersion::V4);
    let dir = tempfile::tempdir().expect("tempdir");
    let context = ChangeContext {
        profile: "prod".into(),
        account_id: None,
        log_path: Some(changelog::log_path(dir.path())),
        preflight: None,
    };
    (server, client, dir, context)
}

async fn new_bucket(server: &TestServer, client: &OssClient, purpose: &str) -> Bucket {
    let name = unique_bucket(purpose);
    create_bucket(server, client, &name, "cn-hangzhou").await;
    client.find_bucket(&name).await.expect("listed")
}

fn set(rule: SseRule) -> ChangeRequest {
    ChangeRequest::unguarded(Change::Set(rule))
}

fn records(dir: &tempfile::TempDir) -> Vec<changelog::ChangeRecord> {
    changelog::read_all(&changelog::log_path(dir.path()))
        .expect("log")
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_changed_since_it_was_confirmed_is_not_overwritten_unless_forced() {
    let (server, client, dir, context) = setup().await;
    let bucket = new_bucket(&server, &client, "guard").await;
    // The administrator saw "no rule" and confirmed AES256; meanwhile someone set SM4.
    let report = change::run(&client, &bucket, &set(SseRule::Sm4), &context).await;
    assert_eq!(report.outcome, ApplyOutcome::Verified);
    let guarded = ChangeRequest {
        confirmed: Some(None),
        ..set(SseRule::Aes256)
    };
    let stopped = change::run(&client, &bucket, &guarded, &context).await;
    assert_eq!(
        stopped.outcome,
        ApplyOutcome::ChangedSince {
            found: EncryptionState::Configured(SseRule::Sm4)
        }
    );
    assert!(stopped.record.is_none(), "nothing logged");
    assert_eq!(
        client.get_encryption(&bucket).await.expect("read"),
        Some(SseRule::Sm4),
        "nothing written"
    );
    assert_eq!(records(&dir).len(), 1);

    // The rule the administrator saw is still there: the change goes ahead.
    let confirmed_sm4 = ChangeRequest {
        confirmed: Some(Some(SseRule::Sm4)),
        ..set(SseRule::Aes256)
    };
    let done = change::run(&client, &bucket, &confirmed_sm4, &context).await;
    assert_eq!(done.outcome, ApplyOutcome::Verified);
    assert!(!done.record.expect("logged").forced);

    // Forced: written over someone's SM4 again, and the log says it was forced.
    let sm4 = change::run(&client, &bucket, &set(SseRule::Sm4), &context).await;
    assert_eq!(sm4.outcome, ApplyOutcome::Verified);
    let forced = ChangeRequest {
        force: true,
        ..guarded
    };
    let report = change::run(&client, &bucket, &forced, &context).await;
    assert_eq!(report.outcome, ApplyOutcome::Verified);
    assert!(report.record.expect("logged").forced);
    let line = std::fs::read_to_string(changelog::log_path(dir.path())).expect("log");
    assert_eq!(
        line.matches("\"forced\":true").count(),
        2,
        "started and done"
    );
}

/// A pre-flight check that refuses every CMK and counts its calls.
#[derive(Default)]
struct NoCmk(AtomicUsize);

impl Preflight for NoCmk {
    fn applies(&self, change: &Change) -> bool {
        change.target().and_then(SseRule::kms_key_id).is_some()
    }

    fn check<'a>(
        &'a self,
        _client: &'a OssClient,
        _bucket: &'a Bucket,
        change: &'a Change,
    ) -> BoxFuture<'a, Result<(), String>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        let key = change
            .target()
            .and_then(SseRule::kms_key_id)
            .map(str::to_owned);
        Box::pin(async move { Err(format!("the CMK {key:?} is not enabled")) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preflight_check_refuses_or_is_skipped_and_logged() {
    let (server, client, dir, mut context) = setup().await;
    let check = Arc::new(NoCmk::default());
    context.preflight = Some(check.clone());
    let bucket = new_bucket(&server, &client, "preflight").await;
    let cmk = SseRule::Kms {
        key_id: Some(CMK.into()),
        sm4_data: false,
    };

    let refused = change::run(&client, &bucket, &set(cmk.clone()), &context).await;
    assert!(
        matches!(&refused.outcome, ApplyOutcome::Refused(reason) if reason.contains(CMK)),
        "{:?}",
        refused.outcome
    );
    assert!(refused.record.is_none());
    assert_eq!(client.get_encryption(&bucket).await.expect("read"), None);

    // A change it does not apply to never asks it, and is not marked.
    let aes = change::run(&client, &bucket, &set(SseRule::Aes256), &context).await;
    assert_eq!(aes.outcome, ApplyOutcome::Verified);
    assert!(!aes.record.expect("logged").checks_skipped);
    assert_eq!(check.0.load(Ordering::SeqCst), 1);

    let skipped = ChangeRequest {
        skip_checks: true,
        ..set(cmk.clone())
    };
    let report = change::run(&client, &bucket, &skipped, &context).await;
    assert_eq!(report.outcome, ApplyOutcome::Verified);
    assert_eq!(check.0.load(Ordering::SeqCst), 1, "skipped: not asked");
    let logged = records(&dir);
    assert_eq!(logged.len(), 2);
    assert!(logged[1].checks_skipped && !logged[0].checks_skipped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_change_is_undone_as_one_from_the_log_after_a_restart() {
    let (server, client, dir, context) = setup().await;
    let a = new_bucket(&server, &client, "bulk-a").await;
    let b = new_bucket(&server, &client, "bulk-b").await;
    let c = new_bucket(&server, &client, "bulk-c").await;
    change::run(&client, &a, &set(SseRule::Sm4), &context).await;
    // One bulk change: AES256 on a (SM4 before), b and c (no rule before).
    for bucket in [&a, &b, &c] {
        let request = ChangeRequest {
            batch: Some("B1".into()),
            ..set(SseRule::Aes256)
        };
        let report = change::run(&client, bucket, &request, &context).await;
        assert_eq!(report.outcome, ApplyOutcome::Verified);
    }
    // Someone else changes c afterwards.
    change::run(&client, &c, &set(SseRule::Sm4), &ChangeContext::default()).await;

    // A restart: everything the undo needs comes from changes.jsonl.
    let history = History::new(records(&dir));
    let owner = Owner {
        profile: "prod",
        access_key_id: AK,
    };
    let plan = history.batch_undo("B1", owner);
    assert_eq!(plan.len(), 3);
    let mut outcomes = Vec::new();
    for (record, undo) in &plan {
        let undo = undo.as_ref().expect("undoable");
        let bucket = client.find_bucket(&record.bucket).await.expect("listed");
        let report = change::run(&client, &bucket, &undo.request(false, None), &context).await;
        outcomes.push((record.bucket.clone(), report.outcome));
    }
    assert_eq!(outcomes[0].1, ApplyOutcome::Verified);
    assert_eq!(outcomes[1].1, ApplyOutcome::Verified);
    assert_eq!(
        outcomes[2].1,
        ApplyOutcome::ChangedSince {
            found: EncryptionState::Configured(SseRule::Sm4)
        },
        "c was changed since: left alone"
    );
    assert_eq!(
        client.get_encryption(&a).await.expect("a"),
        Some(SseRule::Sm4)
    );
    assert_eq!(client.get_encryption(&b).await.expect("b"), None);
    assert_eq!(
        client.get_encryption(&c).await.expect("c"),
        Some(SseRule::Sm4)
    );
    // Undone ones are marked as such at the next read; c can still be undone (forced).
    let history = History::new(records(&dir));
    let plan = history.batch_undo("B1", owner);
    assert!(plan[0].1.is_err() && plan[1].1.is_err());
    assert!(plan[2].1.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rule_the_bucket_already_has_is_neither_written_nor_logged() {
    let (server, client, dir, context) = setup().await;
    let bucket = new_bucket(&server, &client, "same").await;
    let none = change::run(
        &client,
        &bucket,
        &ChangeRequest::unguarded(Change::Delete),
        &context,
    )
    .await;
    assert_eq!(
        none.outcome,
        ApplyOutcome::AlreadyApplied,
        "no rule to delete"
    );
    let first = change::run(&client, &bucket, &set(SseRule::Aes256), &context).await;
    assert_eq!(first.outcome, ApplyOutcome::Verified);
    let logged = records(&dir).len();
    let again = change::run(&client, &bucket, &set(SseRule::Aes256), &context).await;
    assert_eq!(again.outcome, ApplyOutcome::AlreadyApplied);
    assert!(again.outcome.is_success() && !again.outcome.may_have_written());
    assert!(again.record.is_none(), "nothing logged");
    assert_eq!(records(&dir).len(), logged);

    // An undo is always written and logged, even of a change that changed nothing (older
    // logs hold such changes): otherwise the next undo would pick the same change again.
    let noop_undo = ChangeRequest {
        undo_of: Some("an-older-change".into()),
        confirmed: Some(Some(SseRule::Aes256)),
        ..set(SseRule::Aes256)
    };
    let undone = change::run(&client, &bucket, &noop_undo, &context).await;
    assert_eq!(undone.outcome, ApplyOutcome::Verified);
    assert!(records(&dir).len() > logged, "the undo is logged");
}

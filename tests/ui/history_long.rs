//! The History window over a long change log: only the rows in sight are laid out (the table
//! and the list of bulk changes), and the newest change can still be undone from it.

use crate::ui_support::{UiTest, confirm_and_wait, encryption, select, undo_from_history};
use egui_kittest::kittest::Queryable as _;
use ossguard::app::changelog::{ChangeKind, ChangeRecord, LoggedState, Phase};
use ossguard::core::sse::{EncryptionState, SseRule};

/// Older changes in the log before the one the test undoes.
const OLD_CHANGES: usize = 5_000;
/// Each old bulk change touched this many buckets.
const PER_BULK: usize = 5;

/// Change `i` of the old ones: made by the demo profile with its key (so each is undoable),
/// to a bucket of its own, as part of bulk change `i / PER_BULK`.
fn old_change(i: usize) -> ChangeRecord {
    let time = chrono::DateTime::from_timestamp(1_700_000_000 + i as i64, 0).expect("time");
    ChangeRecord {
        id: format!("{}-{i:08x}", time.format("%Y%m%dT%H%M%S%.3fZ")),
        phase: Phase::Done,
        time,
        profile: ossguard::app::demo::DEMO_PROFILE.into(),
        access_key_id: ossguard::devserver::DEMO_ACCESS_KEY_ID.into(),
        bucket: format!("old-bucket-{i:04}"),
        region: "cn-hangzhou".into(),
        kind: ChangeKind::Put,
        before: LoggedState::NoRule,
        after: LoggedState::from_rule(Some(&SseRule::Aes256)),
        request_id: None,
        written: true,
        verified: true,
        error: None,
        undo_of: None,
        batch: Some(format!("bulk-{:04}", i / PER_BULK)),
        forced: false,
        checks_skipped: false,
        objects_job: None,
        account_id: None,
    }
}

#[test]
fn a_log_of_thousands_shows_only_rows_in_sight_and_the_newest_change_is_undone() {
    let mut test = UiTest::start_demo(|_| {});
    let data_dir = ossguard::app::environment::AppEnvironment::for_tests(test.dir.path()).data_dir;
    let log = ossguard::app::changelog::log_path(&data_dir);
    let mut lines = String::new();
    for i in 0..OLD_CHANGES {
        lines += &serde_json::to_string(&old_change(i)).expect("json");
        lines.push('\n');
    }
    std::fs::write(&log, lines).expect("old changes written");

    // The newest change, made in the app.
    select(&mut test, "dev-sandbox-bj");
    test.harness.get_by_label("SM4 (SSE-OSS)").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    confirm_and_wait(&mut test);
    assert_eq!(
        encryption(&test, "dev-sandbox-bj"),
        Some(EncryptionState::Configured(SseRule::Sm4))
    );

    test.harness.get_by_label("History").click();
    test.step_until_label("Change history");
    test.step_until("the whole log", |h| {
        h.state()
            .state()
            .history
            .as_ref()
            .is_some_and(|h| h.records().len() == OLD_CHANGES + 1)
    });
    test.step_until_label("Undo change to dev-sandbox-bj");
    // The newest old change is listed right under it; the table lays out only a screenful.
    let last_old = format!("Undo change to old-bucket-{:04}", OLD_CHANGES - 1);
    assert!(test.harness.query_by_label(&last_old).is_some());
    let rows = test
        .harness
        .query_all_by_label_contains("Undo change to old-bucket-")
        .count();
    assert!(
        (1..100).contains(&rows),
        "{rows} of {OLD_CHANGES} rows laid out"
    );
    // Bulk changes are still grouped (five buckets each), and only those in sight laid out.
    test.step_until_label(&format!("Bulk changes ({})", OLD_CHANGES / PER_BULK));
    let bulk = test
        .harness
        .query_all_by_label(&format!("Undo bulk change ({PER_BULK} buckets)"))
        .count();
    assert!((1..20).contains(&bulk), "{bulk} bulk changes laid out");

    undo_from_history(&mut test, "dev-sandbox-bj", OLD_CHANGES + 2);
    assert_eq!(
        encryption(&test, "dev-sandbox-bj"),
        Some(EncryptionState::NotConfigured)
    );
    test.step_until_label("undone");
}

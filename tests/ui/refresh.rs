//! Refresh: rows fill in as answers arrive, progress shows n of N, Cancel stops it, and
//! one bucket can be refreshed alone. The demo server is slowed down (latency per request,
//! two requests in flight) so that the refresh is still running when Cancel is clicked.

use std::sync::Arc;
use std::time::Duration;

use crate::ui_support::UiTest;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::event::ApplyOutcome;
use ossguard::app::state::RowActivity;
use ossguard::core::sse::{EncryptionState, SseRule};

fn slow(env: &mut ossguard::app::environment::AppEnvironment) {
    env.demo_tuning = Arc::new(|c| c.latency = Duration::from_millis(300));
    env.concurrency = 2;
}

#[test]
fn cancel_stops_a_running_refresh_and_keeps_rows() {
    let mut test = UiTest::start(slow);
    test.step_until_label("Try the demo");
    test.harness.get_by_label("Try the demo").click();
    // Rows appear as soon as the listing lands, before their rules are read.
    test.step_until("the listing", |h| h.state().state().rows().len() == 63);
    let refresh = test
        .harness
        .state()
        .state()
        .refresh
        .clone()
        .expect("refresh");
    assert!(refresh.is_running(), "the slowed refresh is still running");
    assert!(
        test.harness
            .query_by_label_contains("Reading rules:")
            .is_some()
    );
    assert!(test.harness.query_all_by_label("loading…").next().is_some());

    test.harness.get_by_label("Cancel refresh").click();
    test.step_until_label_contains("Refresh cancelled at");
    let state = test.harness.state().state();
    let loaded = state.refresh.as_ref().map_or(0, |r| r.loaded);
    assert!(loaded < 63, "cancelled before the end ({loaded} read)");
    assert_eq!(state.rows().len(), 63, "rows stay");
    assert!(state.rows().iter().all(|r| r.activity == RowActivity::Idle));
    let read = state
        .rows()
        .iter()
        .filter(|r| r.encryption.is_some())
        .count();
    assert!(test.harness.query_by_label("Cancel refresh").is_none());

    // Nothing more arrives for the cancelled refresh.
    for _ in 0..20 {
        test.harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    let state = test.harness.state().state();
    assert_eq!(state.refresh.as_ref().map_or(0, |r| r.loaded), loaded);
    assert_eq!(
        state
            .rows()
            .iter()
            .filter(|r| r.encryption.is_some())
            .count(),
        read
    );

    // A new refresh completes and fills every row.
    test.harness.get_by_label("Refresh all").click();
    test.step_until_label("Read 63 of 63 rules");
    assert!(
        test.harness
            .state()
            .state()
            .rows()
            .iter()
            .all(|r| r.encryption.is_some())
    );
}

/// "Refresh all" while a change runs leaves the changed rows to the change, and each has its
/// own Cancel: cancelling the change keeps the refresh going, and the other way round.
#[test]
fn a_refresh_beside_a_change_and_their_separate_cancels() {
    let mut test = UiTest::start_demo(slow);
    // More buckets than a change runs at once (8), so some are still waiting at Cancel.
    // Buckets that already have the rule are left out of a change: none of those either.
    let aes = Some(EncryptionState::Configured(SseRule::Aes256));
    let buckets: Vec<String> = test
        .visible_bucket_names()
        .into_iter()
        .filter(|n| n != "security-audit-hz")
        .filter(|n| {
            let name = ossguard::core::model::BucketName::parse(n).expect("name");
            test.harness
                .state()
                .state()
                .row(&name)
                .map(|r| &r.encryption)
                != Some(&aes)
        })
        .take(10)
        .collect();
    for bucket in &buckets {
        test.harness
            .get_by_label(&format!("Select {bucket}"))
            .click();
        test.settle();
    }
    test.step_until_label("10 buckets selected");
    test.harness.get_by_label("AES256 (SSE-OSS)").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Confirm");
    test.harness.get_by_label("Confirm").click();
    test.step_until("the change to start", |h| h.state().state().batch_running());
    test.harness.get_by_label("Refresh all").click();
    test.step_until("the refresh to start", |h| {
        h.state().state().refresh_running()
    });

    // The change's Cancel stops the change only.
    test.harness.get_by_label("Cancel change").click();
    test.step_until("the change to end", |h| {
        h.state().state().batch.as_ref().is_some_and(|b| b.finished)
    });
    let state = test.harness.state().state();
    assert!(state.refresh_running(), "the refresh goes on");
    let batch = state.batch.clone().expect("batch");
    let outcome_count = |wanted: &ApplyOutcome| {
        batch
            .items
            .iter()
            .filter(|i| i.outcome.as_ref() == Some(wanted))
            .count()
    };
    assert!(outcome_count(&ApplyOutcome::Cancelled) > 0, "{batch:?}");
    assert!(outcome_count(&ApplyOutcome::Verified) > 0, "{batch:?}");
    // Each changed row shows the change's result, not "refreshing…".
    let check_rows = |state: &ossguard::app::state::AppState| {
        for item in &batch.items {
            let row = state.row(&item.bucket).expect("row");
            assert_eq!(row.activity, RowActivity::Idle, "{}", item.bucket);
            assert_eq!(row.verification, item.outcome, "{}", item.bucket);
            if item.outcome == Some(ApplyOutcome::Verified) {
                assert_eq!(
                    row.encryption,
                    Some(EncryptionState::Configured(SseRule::Aes256))
                );
            }
        }
    };
    check_rows(state);

    // The refresh's Cancel stops the refresh; the change's results stay.
    test.harness.get_by_label("Cancel refresh").click();
    test.step_until_label_contains("Refresh cancelled at");
    check_rows(test.harness.state().state());
}

#[test]
fn refresh_one_bucket() {
    let mut test = UiTest::start_demo(|_| {});
    test.harness.get_by_label("prod-logs-hz").click();
    test.step_until_label("Refresh bucket");
    let before = test.harness.state().state().activity.len();
    test.harness.get_by_label("Refresh bucket").click();
    test.step_until("the bucket's read", |h| {
        let s = h.state().state();
        s.activity
            .entries()
            .iter()
            .skip(before)
            .any(|e| e.operation == "GetBucketEncryption" && e.bucket == "prod-logs-hz")
            && s.rows().iter().all(|r| r.activity == RowActivity::Idle)
    });
    // Only that bucket was read again (plus its GetBucketInfo for the panel); the KMS calls
    // of the change form's key picker name no bucket.
    let s = test.harness.state().state();
    assert!(
        s.activity
            .entries()
            .iter()
            .skip(before)
            .filter(|e| e.bucket != "-")
            .all(|e| e.bucket == "prod-logs-hz")
    );
}

#[test]
fn a_skewed_clock_is_corrected_and_shown() {
    let mut test = UiTest::start_demo(|env| {
        env.demo_tuning = Arc::new(|c| c.clock_skew = chrono::Duration::minutes(-25));
    });
    // The refresh succeeded despite the skew: every rule was read.
    test.step_until_label("Read 63 of 63 rules");
    test.step_until_label_contains("clock is 25 min ahead of OSS's");
    let offset = test.harness.state().state().clock_offset_seconds;
    assert!((-1505..=-1495).contains(&offset), "{offset}");
}

#[test]
fn a_fault_storm_ends_with_every_row_read_or_marked_unknown() {
    let mut test = UiTest::start(|env| {
        env.demo_tuning = Arc::new(|c| c.fail_rate = 0.3);
    });
    test.step_until_label("Try the demo");
    test.harness.get_by_label("Try the demo").click();
    // Even the listing may fail three times in a row (a 3% chance): then the error banner
    // shows and the user refreshes again, as an administrator would.
    for attempt in 0..5 {
        test.step_until("the refresh to end", |h| {
            h.state()
                .state()
                .refresh
                .as_ref()
                .is_some_and(|r| r.finished || r.error.is_some())
        });
        let state = test.harness.state().state();
        if state.refresh.as_ref().is_some_and(|r| r.error.is_none()) {
            break;
        }
        assert!(attempt < 4, "the listing failed five times in a row");
        test.step_until_label("Listing buckets failed");
        test.harness.get_by_label("Refresh all").click();
        test.settle();
    }
    let state = test.harness.state().state();
    let refresh = state.refresh.as_ref().expect("a refresh ran");
    assert!(refresh.finished && refresh.error.is_none(), "{refresh:?}");
    assert_eq!(state.rows().len(), 63, "the listing survived the faults");
    let mut unknown = Vec::new();
    for row in state.rows() {
        match &row.encryption {
            Some(ossguard::core::sse::EncryptionState::Unknown(failure)) => {
                unknown.push(failure.code.clone());
            }
            Some(_) => {}
            None => panic!("{} was never read", row.bucket.name),
        }
        assert_eq!(row.activity, RowActivity::Idle, "{}", row.bucket.name);
    }
    // The demo's 3 locked buckets are AccessDenied; faults that outlast 3 attempts are
    // marked with their own code, never left blank.
    let denied = unknown.iter().filter(|c| *c == "AccessDenied").count();
    assert!(denied <= 3, "{unknown:?}");
    for code in &unknown {
        assert!(
            [
                "AccessDenied",
                "ServiceUnavailable",
                "NetworkError",
                "ConnectionFailed"
            ]
            .contains(&code.as_str()),
            "{code}"
        );
    }
    test.step_until_label_contains("of 63 not encrypted");
}

#[test]
fn closing_the_window_lets_a_running_change_finish_and_log_its_outcome() {
    let mut test = UiTest::start_demo(|env| {
        env.demo_tuning = Arc::new(|c| c.latency = Duration::from_millis(150));
    });
    let buckets: Vec<ossguard::app::state::RowKey> =
        ["dev-sandbox-bj", "cdn-origin-sg", "marketing-uploads-hz"]
            .iter()
            .map(|n| {
                ossguard::app::state::RowKey::single(
                    ossguard::core::model::BucketName::parse(n).expect("name"),
                )
            })
            .collect();
    let controller = test.harness.state_mut().controller_mut();
    let set = ossguard::app::change::Change::Set(ossguard::core::sse::SseRule::Aes256);
    controller.handle(ossguard::app::command::Command::Change {
        buckets: buckets
            .into_iter()
            .map(|b| {
                (
                    b,
                    ossguard::app::change::ChangeRequest::unguarded(set.clone()),
                )
            })
            .collect(),
        change: set.describe(),
        undo_of: None,
    });
    assert!(controller.state.batch_running(), "the change is in flight");
    // What on_exit does when the window closes now.
    assert!(controller.finish_changes(Duration::from_secs(30)));
    let log = test.dir.path().join("data/changes.jsonl");
    let (records, _) = ossguard::app::changelog::read_all(&log).expect("log");
    assert_eq!(records.len(), 3);
    assert!(
        records
            .iter()
            .all(|r| r.phase == ossguard::app::changelog::Phase::Done && r.verified),
        "{records:?}"
    );
}

//! Refresh: rows fill in as answers arrive, progress shows n of N, Cancel stops it, and
//! one bucket can be refreshed alone. The demo server is slowed down (latency per request,
//! two requests in flight) so that the refresh is still running when Cancel is clicked.

mod ui_support;

use std::sync::Arc;
use std::time::Duration;

use egui_kittest::kittest::Queryable as _;
use ossguard::app::state::RowActivity;
use ui_support::UiTest;

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
    test.step_until("the listing", |h| h.state().state().rows().len() == 30);
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

    test.harness.get_by_label("Cancel").click();
    test.step_until_label_contains("Refresh cancelled at");
    let state = test.harness.state().state();
    let loaded = state.refresh.as_ref().map_or(0, |r| r.loaded);
    assert!(loaded < 30, "cancelled before the end ({loaded} read)");
    assert_eq!(state.rows().len(), 30, "rows stay");
    assert!(state.rows().iter().all(|r| r.activity == RowActivity::Idle));
    let read = state
        .rows()
        .iter()
        .filter(|r| r.encryption.is_some())
        .count();
    assert!(test.harness.query_by_label("Cancel").is_none());

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
    test.step_until_label("Read 30 of 30 rules");
    assert!(
        test.harness
            .state()
            .state()
            .rows()
            .iter()
            .all(|r| r.encryption.is_some())
    );
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
    // Only that bucket was read again (plus its GetBucketInfo for the panel).
    let s = test.harness.state().state();
    assert!(
        s.activity
            .entries()
            .iter()
            .skip(before)
            .all(|e| e.bucket == "prod-logs-hz")
    );
}

#[test]
fn a_skewed_clock_is_corrected_and_shown() {
    let mut test = UiTest::start_demo(|env| {
        env.demo_tuning = Arc::new(|c| c.clock_skew = chrono::Duration::minutes(-25));
    });
    // The refresh succeeded despite the skew: every rule was read.
    test.step_until_label("Read 30 of 30 rules");
    test.step_until_label_contains("clock is 25 min ahead of OSS's");
    let offset = test.harness.state().state().clock_offset_seconds;
    assert!((-1505..=-1495).contains(&offset), "{offset}");
}

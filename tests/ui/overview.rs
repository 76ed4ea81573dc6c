//! The overview above the table: state chips filter the table, coverage bars per region
//! follow a refresh as it streams in, and the last refresh time shows.

use std::sync::Arc;
use std::time::Duration;

use crate::ui_support::UiTest;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::view::Category;

/// "region: n of m encrypted…" for `region`, computed from the rows the app holds.
fn expected_prefix(test: &UiTest, region: &str) -> String {
    let (encrypted, total) = region_counts(test, region);
    format!("{region}: {encrypted} of {total} encrypted")
}

/// How many of `region`'s rows have a rule, and how many rows it has.
fn region_counts(test: &UiTest, region: &str) -> (usize, usize) {
    let rows = test.harness.state().state().rows();
    let in_region: Vec<_> = rows.iter().filter(|r| r.bucket.region == region).collect();
    let encrypted = in_region
        .iter()
        .filter(|r| Category::of(r.encryption.as_ref()).is_encrypted())
        .count();
    (encrypted, in_region.len())
}

#[test]
fn state_chips_filter_the_table_and_region_bars_show_coverage() {
    let mut test = UiTest::start_demo(|_| {});
    test.harness.get_by_label("7 of 63 not encrypted").click();
    test.settle();
    let shown = test.visible_bucket_names();
    assert_eq!(shown.len(), 7);
    let app = test.harness.state();
    assert!(shown.iter().all(|n| {
        let row = app
            .state()
            .rows()
            .iter()
            .find(|r| r.bucket.name.as_str() == n);
        row.is_some_and(|r| Category::of(r.encryption.as_ref()) == Category::NotEncrypted)
    }));
    // The active chip again shows everything.
    test.harness.get_by_label("7 of 63 not encrypted").click();
    test.settle();
    assert_eq!(test.visible_bucket_names().len(), 63);
    test.harness.get_by_label("3 unknown").click();
    test.settle();
    assert_eq!(test.visible_bucket_names().len(), 3);
    test.harness.get_by_label("All 63").click();
    test.settle();
    assert_eq!(test.visible_bucket_names().len(), 63);

    for region in ["cn-hangzhou", "cn-beijing", "cn-shanghai", "ap-southeast-1"] {
        let prefix = expected_prefix(&test, region);
        assert!(
            test.harness.query_by_label_contains(&prefix).is_some(),
            "a bar labelled {prefix:?}"
        );
    }
    assert!(
        test.harness
            .query_by_label_contains("Last refreshed ")
            .is_some()
    );
}

#[test]
fn region_bars_update_while_a_refresh_streams_in() {
    let mut test = UiTest::start(|env| {
        env.demo_tuning = Arc::new(|c| c.latency = Duration::from_millis(200));
        env.concurrency = 2;
    });
    test.step_until_label("Try the demo");
    test.harness.get_by_label("Try the demo").click();
    // Mid-refresh: some rules are read, others still loading, and the bars say so.
    test.step_until("a bar with rules read and rules loading", |h| {
        let loaded = h
            .state()
            .state()
            .refresh
            .as_ref()
            .is_some_and(|r| r.loaded >= 4);
        loaded && h.query_all_by_label_contains(" loading").next().is_some()
    });
    assert!(test.harness.query_by_label("Refreshing…").is_some());
    test.step_until("the refresh to finish", |h| {
        h.state()
            .state()
            .refresh
            .as_ref()
            .is_some_and(|r| r.finished)
    });
    assert!(
        test.harness
            .query_all_by_label_contains(" loading")
            .next()
            .is_none()
    );
    let done = expected_prefix(&test, "cn-hangzhou");
    assert!(test.harness.query_by_label_contains(&done).is_some());
    assert!(
        test.harness
            .query_by_label_contains("Last refreshed ")
            .is_some()
    );
}

/// Each region's visible "name encrypted/total" is its own counts, and its bar sits right
/// after it on the same line (a count once sat next to the following region's name).
#[test]
fn each_region_label_shows_its_own_counts_beside_its_own_bar() {
    let test = UiTest::start_demo(|_| {});
    let regions = ["ap-southeast-1", "cn-beijing", "cn-hangzhou", "cn-shanghai"];
    for region in regions {
        let (encrypted, total) = region_counts(&test, region);
        let text = format!("{region} {encrypted}/{total}");
        let label = test.harness.get_by_label(&text).rect();
        let bar = test
            .harness
            .get_by_label_contains(&format!("{region}: {encrypted} of"))
            .rect();
        assert!(
            (label.center().y - bar.center().y).abs() < 4.0,
            "{text:?} on its bar's line"
        );
        let gap = bar.left() - label.right();
        assert!((0.0..80.0).contains(&gap), "{text:?} right before its bar");
        // No other region's label sits between this label and its bar.
        for other in regions.iter().filter(|o| **o != region) {
            let other = test
                .harness
                .get_by_label_contains(&format!("{other} "))
                .rect();
            let between = (other.center().y - bar.center().y).abs() < 4.0
                && other.left() >= label.right()
                && other.left() < bar.left();
            assert!(!between, "{text:?}: another region's label before its bar");
        }
    }
}

//! The demo flow, filter and sort, and the activity log, driven through the real app by label
//! against the embedded dev server.

use crate::ui_support::UiTest;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use ossguard::app::view::Category;
use ossguard::devserver::DEMO_ACCESS_KEY_SECRET;

const NOT_ENCRYPTED: [&str; 7] = [
    "app-base-oss-sh",
    "cdn-origin-sg",
    "dev-sandbox-bj",
    "marketing-uploads-hz",
    "qa-fixtures-sg",
    "staging-assets-sh",
    "tmp-scratch-hz",
];

#[test]
fn demo_flow_fills_the_table_and_counts_states() {
    let mut test = UiTest::start(|_| {});
    test.step_until_label("Try the demo");
    assert!(test.harness.query_by_label("Add account").is_some());
    assert!(test.harness.query_by_label("Import").is_some());
    test.harness.get_by_label("Try the demo").click();
    test.step_until_label("Read 63 of 63 rules");
    test.step_until_label_contains("7 of 63 not encrypted");

    assert!(test.harness.query_by_label_contains("3 unknown").is_some());
    assert_eq!(
        test.harness
            .state()
            .view()
            .table
            .counts()
            .get(Category::Unknown),
        3
    );
    let state = test.harness.state().state();
    assert_eq!(state.rows().len(), 63);
    assert!(state.rows().iter().all(|r| r.encryption.is_some()));
    // Rows are visible with their badges.
    assert!(test.harness.query_by_label("prod-logs-hz").is_some());
    assert!(
        test.harness
            .query_all_by_label("KMS + SM4")
            .next()
            .is_some()
    );
    test.harness.check_accessibility();

    // The demo profile is saved (endpoint of this run) without any secret.
    let config = std::fs::read_to_string(test.dir.path().join("config/config.toml"))
        .expect("config written");
    assert!(config.contains("name = \"demo\""), "{config}");
    assert!(config.contains("demo = true"), "{config}");
    assert!(!config.contains(DEMO_ACCESS_KEY_SECRET));
}

#[test]
fn filter_by_state_and_text_and_sort_by_columns() {
    let mut test = UiTest::start_demo(|_| {});
    let names = test.visible_bucket_names();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name at first");

    // Clicking the sorted header flips the order.
    test.harness.get_by_label_contains("Name (asc)").click();
    test.settle();
    let mut reversed = sorted.clone();
    reversed.reverse();
    assert_eq!(test.visible_bucket_names(), reversed);

    // Sort by region: ap-southeast-1 comes first, cn-shanghai last.
    test.harness.get_by_label("Region").click();
    test.settle();
    let app = test.harness.state();
    let regions: Vec<String> = app
        .view()
        .table
        .indices()
        .iter()
        .map(|i| app.state().rows()[*i].bucket.region.clone())
        .collect();
    let mut sorted_regions = regions.clone();
    sorted_regions.sort();
    assert_eq!(regions, sorted_regions);
    assert_eq!(regions.first().map(String::as_str), Some("ap-southeast-1"));

    // Only buckets without a rule.
    test.harness.get_by_label("State").click();
    test.settle();
    test.harness.get_by_label("None (7)").click();
    test.settle();
    assert_eq!(
        test.harness.state().view().table.state_filter,
        Some(Category::NotEncrypted)
    );
    let mut shown = test.visible_bucket_names();
    shown.sort();
    assert_eq!(shown, NOT_ENCRYPTED);
    assert!(test.harness.query_by_label("(7 shown)").is_some());

    // And by text (name, region, key or error code), case-insensitively.
    test.type_into("Filter", "SH");
    test.settle();
    let mut shown = test.visible_bucket_names();
    shown.sort();
    assert_eq!(shown, ["app-base-oss-sh", "staging-assets-sh"]);
    assert!(test.harness.query_by_label("prod-logs-hz").is_none());
}

#[test]
fn filter_text_finds_error_codes_and_key_ids() {
    let mut test = UiTest::start_demo(|_| {});
    test.type_into("Filter", "accessdenied");
    test.settle();
    let mut shown = test.visible_bucket_names();
    shown.sort();
    assert_eq!(
        shown,
        ["hr-records-sh", "legal-hold-bj", "security-audit-hz"]
    );
}

#[test]
fn activity_log_lists_requests_without_secrets() {
    let mut test = UiTest::start_demo(|_| {});
    test.harness.get_by_label("security-audit-hz").click();
    test.step_until_label("Refresh bucket");
    test.harness.get_by_label("Refresh bucket").click();
    test.settle();
    test.harness.get_by_label("Activity log").click();
    test.settle();
    assert!(!test.harness.state().state().activity.is_empty());
    assert!(
        test.harness
            .query_all_by_label("GetBucketEncryption")
            .next()
            .is_some()
    );
    // The log sticks to the bottom, so the first call (ListBuckets) is scrolled away.
    let operations: Vec<&str> = test
        .harness
        .state()
        .state()
        .activity
        .entries()
        .iter()
        .map(|e| e.operation)
        .collect();
    assert_eq!(operations.first(), Some(&"ListBuckets"));
    assert!(
        operations
            .iter()
            .filter(|o| **o == "GetBucketEncryption")
            .count()
            >= 30
    );
    // The denied bucket was refreshed last: its call is at the bottom of the log.
    test.step_until("the denied call in the log", |h| {
        h.query_all_by_label_contains("AccessDenied (403)")
            .next()
            .is_some()
    });
    let leaked = test.harness.root().children_recursive().any(|node| {
        let node = node.accesskit_node();
        node.label()
            .is_some_and(|l| l.contains(DEMO_ACCESS_KEY_SECRET))
            || node
                .value()
                .is_some_and(|v| v.contains(DEMO_ACCESS_KEY_SECRET))
    });
    assert!(!leaked, "the secret appears on screen");
}

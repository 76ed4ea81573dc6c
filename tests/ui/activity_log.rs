//! The activity log panel: expected answers are not errors, the bucket and level filters,
//! and Copy of the shown lines.

use crate::ui_support::UiTest;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;

const NO_RULE: &str = "NoSuchServerSideEncryptionRule (404)";

fn copied_text(test: &UiTest) -> Option<String> {
    test.harness
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
}

#[test]
fn no_rule_answers_are_expected_and_the_log_filters_by_bucket_and_level_and_copies() {
    let mut test = UiTest::start_demo(|_| {});
    test.harness.get_by_label("Activity log").click();
    test.settle();
    test.type_into("Bucket contains", "dev-sandbox");
    test.step_until_label(NO_RULE);
    assert!(test.harness.query_by_label("expected").is_some());
    assert!(test.harness.query_by_label("error").is_none());

    test.harness
        .get_by_role_and_label(Role::ComboBox, "Level")
        .click();
    test.settle();
    test.harness.get_by_label("Errors only").click();
    test.settle();
    assert!(
        test.harness.query_by_label(NO_RULE).is_none(),
        "an expected answer is not an error"
    );

    test.replace_text("Bucket contains", "hr-records");
    test.step_until_label_contains("AccessDenied (403)");
    test.harness.get_by_label("Copy lines").click();
    test.harness.step();
    let text = copied_text(&test).expect("Copy puts the shown lines on the clipboard");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("time\tbucket\toperation\toutcome"),
        "{text}"
    );
    assert!(lines.len() >= 2, "{text}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains("\thr-records-sh\t") && l.contains("\terror\t")),
        "{text}"
    );
}

#[test]
fn the_audits_kms_calls_are_in_the_activity_log() {
    let mut test = UiTest::start_demo(|_| {});
    // Key checks finish after the rule reads; wait for every kind of KMS answer the demo gives.
    test.step_until("DescribeKey answers in the activity log", |h| {
        let log = &h.state().state().activity;
        let kms = |op: &str, outcome: &str| {
            log.entries()
                .iter()
                .any(|e| e.operation == op && e.outcome == outcome)
        };
        kms("DescribeKey", "OK")
            && kms("ListAliasesByKeyId", "OK")
            && kms("DescribeKey", "Forbidden.KeyNotFound")
    });
    let log = &test.harness.state().state().activity;
    let not_found = log
        .entries()
        .iter()
        .find(|e| e.operation == "DescribeKey" && e.outcome == "Forbidden.KeyNotFound")
        .expect("the other-region key");
    assert_eq!(not_found.level.label(), "expected");
    assert!(!not_found.request_id.is_empty());
    assert_eq!(not_found.outcome_text(), "Forbidden.KeyNotFound (404)");
}

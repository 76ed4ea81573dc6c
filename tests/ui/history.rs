//! The change engine in the app: the changed-since guard, the History window with undo of
//! one change and of a bulk change after a restart, and the rule form following the
//! selection and refusing a change that changes nothing.

use crate::ui_support::{
    UiTest, confirm_and_wait, encryption, name, select, undo_from_history, wait_for_facts,
};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use ossguard::app::event::ApplyOutcome;
use ossguard::core::sse::{EncryptionState, SseRule};

const CMK: &str = "key-hzz68d1fd85qslv95ilz4";
const KEY_FIELD: &str = "KMS key ID (blank: the default key)";
/// The neutral line under a form that still shows the bucket's own rule.
const CURRENT_RULE_HINT: &str = "The bucket's current rule. Pick another to change it.";

fn log_records(test: &UiTest) -> Vec<ossguard::app::changelog::ChangeRecord> {
    ossguard::app::changelog::read_all(&test.dir.path().join("data/changes.jsonl"))
        .expect("log")
        .0
}

fn tick(test: &mut UiTest, buckets: &[&str]) {
    for bucket in buckets {
        test.harness
            .get_by_label(&format!("Select {bucket}"))
            .click();
        test.settle();
    }
}

#[test]
fn a_rule_changed_after_the_preview_is_not_overwritten() {
    let mut test = UiTest::start_demo(|_| {});
    select(&mut test, "marketing-uploads-hz");
    test.harness.get_by_label("AES256 (SSE-OSS)").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Review the change to 1 bucket");
    // While the administrator reads the preview ("no rule"), someone sets SM4.
    test.set_rule_elsewhere("marketing-uploads-hz", &SseRule::Sm4);
    test.harness.get_by_label("Confirm").click();
    test.step_until_label_contains("Not written: the rule changed since it was confirmed");
    let row = test
        .harness
        .state()
        .state()
        .row(&name("marketing-uploads-hz"))
        .cloned()
        .expect("row");
    assert!(matches!(
        row.verification,
        Some(ApplyOutcome::ChangedSince { .. })
    ));
    assert_eq!(
        row.encryption,
        Some(EncryptionState::Configured(SseRule::Sm4)),
        "the row shows what the guard read"
    );
    assert!(
        log_records(&test).is_empty(),
        "nothing written, nothing logged"
    );

    // Reviewed again from what it has now, the change goes through.
    wait_for_facts(&mut test, "marketing-uploads-hz");
    test.harness.get_by_label("Review change…").click();
    confirm_and_wait(&mut test);
    assert_eq!(
        encryption(&test, "marketing-uploads-hz"),
        Some(EncryptionState::Configured(SseRule::Aes256))
    );
    // "Write anyway" overrides the guard, and the log says it was forced.
    wait_for_facts(&mut test, "marketing-uploads-hz");
    test.set_rule_elsewhere("marketing-uploads-hz", &SseRule::Sm4);
    test.harness.get_by_label("KMS (SSE-KMS)").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Confirm");
    test.harness
        .get_by_label("Write even if a rule changed since (someone else's change is lost)")
        .click();
    confirm_and_wait(&mut test);
    assert_eq!(
        test.harness
            .state()
            .state()
            .row(&name("marketing-uploads-hz"))
            .and_then(|r| r.verification.clone()),
        Some(ApplyOutcome::Verified)
    );
    let records = log_records(&test);
    assert_eq!(records.len(), 2);
    assert!(records[1].forced && !records[0].forced);
    assert_eq!(
        records[1].before,
        ossguard::app::changelog::LoggedState::from_rule(Some(&SseRule::Sm4))
    );
}

#[test]
fn the_history_undoes_one_change_and_a_bulk_change_after_a_restart() {
    let mut test = UiTest::start_demo(|_| {});
    // One change to one bucket, and one bulk change to three.
    select(&mut test, "dev-sandbox-bj");
    test.harness.get_by_label("SM4 (SSE-OSS)").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    confirm_and_wait(&mut test);
    tick(
        &mut test,
        &["marketing-uploads-hz", "tmp-scratch-hz", "prod-logs-hz"],
    );
    test.step_until_label("3 buckets selected");
    test.harness.get_by_label("AES256 (SSE-OSS)").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    confirm_and_wait(&mut test);
    test.step_until_label("Done: 3 of 3 verified");

    let mut test = test.restart();
    test.harness.get_by_label("History").click();
    test.step_until_label("Change history");
    test.step_until_label_contains("Undo bulk change (3 buckets)");
    // Every change is listed with who made it, before and after.
    assert!(
        test.harness
            .query_all_by_label("LTAI5tOssguardDemoKey")
            .count()
            >= 4
    );
    assert!(test.harness.query_all_by_label("KMS (default key)").count() >= 1);
    // Someone else changes one of the three since.
    test.set_rule_elsewhere("tmp-scratch-hz", &SseRule::Sm4);
    test.harness
        .get_by_label("Undo bulk change (3 buckets)")
        .click();
    test.step_until_label("Review the change to 3 buckets");
    confirm_and_wait(&mut test);
    // A result per bucket: two restored, the changed one left alone.
    let batch = test.harness.state().state().batch.clone().expect("batch");
    let outcome = |bucket: &str| {
        batch
            .items
            .iter()
            .find(|i| i.bucket.as_str() == bucket)
            .and_then(|i| i.outcome.clone())
    };
    assert_eq!(
        outcome("marketing-uploads-hz"),
        Some(ApplyOutcome::Verified)
    );
    assert_eq!(outcome("prod-logs-hz"), Some(ApplyOutcome::Verified));
    assert!(matches!(
        outcome("tmp-scratch-hz"),
        Some(ApplyOutcome::ChangedSince { .. })
    ));
    // In the row's status and in the History window's result per bucket.
    test.step_until("the result per bucket", |h| {
        h.query_all_by_label("changed since: not written").count() == 2
    });
    assert_eq!(
        encryption(&test, "marketing-uploads-hz"),
        Some(EncryptionState::NotConfigured)
    );
    assert_eq!(
        encryption(&test, "prod-logs-hz"),
        Some(EncryptionState::Configured(SseRule::Kms {
            key_id: None,
            sm4_data: false
        }))
    );
    assert_eq!(
        encryption(&test, "tmp-scratch-hz"),
        Some(EncryptionState::Configured(SseRule::Sm4))
    );

    // The single change is undone from its row (found through the filter); the undo links
    // back to it.
    test.type_into("Filter by bucket", "dev-sandbox");
    test.settle();
    test.step_until_label("Undo change to dev-sandbox-bj");
    assert!(
        test.harness
            .query_by_label("Undo change to prod-logs-hz")
            .is_none()
    );
    undo_from_history(&mut test, "dev-sandbox-bj", 7);
    assert_eq!(
        encryption(&test, "dev-sandbox-bj"),
        Some(EncryptionState::NotConfigured)
    );
    let records = log_records(&test);
    let undone = &records[0];
    assert_eq!(undone.bucket, "dev-sandbox-bj");
    assert_eq!(
        records[6].undo_of.as_deref(),
        Some(undone.id.as_str()),
        "{records:?}"
    );
    let batch_id = records[1]
        .batch
        .clone()
        .expect("the bulk change has a batch id");
    assert!(
        records[2..4]
            .iter()
            .all(|r| r.batch.as_ref() == Some(&batch_id))
    );
    test.step_until_label(&format!("undo of {}", undone.id));
    test.harness
        .get_by_label(&format!("undo of {}", undone.id))
        .click();
    test.settle();
    assert_eq!(test.harness.query_all_by_label("undone").count(), 1);
    test.harness.get_by_label("Filter by bucket").focus();
    test.harness
        .key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    test.harness.key_press(egui::Key::Backspace);
    test.settle();
    assert_eq!(test.harness.query_all_by_label("undone").count(), 3);
}

#[test]
fn the_form_follows_the_selection_and_offers_only_real_changes() {
    let mut test = UiTest::start_demo(|_| {});
    // A bucket that has AES256 already: "AES256" is not offered.
    select(&mut test, "prod-web-assets-hz");
    test.step_until_label(CURRENT_RULE_HINT);
    test.harness.get_by_label("Review change…").click();
    test.settle();
    assert!(test.harness.query_by_label("Confirm").is_none());
    test.harness.get_by_label("SM4 (SSE-OSS)").click();
    test.settle();
    assert!(test.harness.query_by_label(CURRENT_RULE_HINT).is_none());

    // A key typed for two buckets does not carry over to another selection.
    tick(&mut test, &["marketing-uploads-hz", "tmp-scratch-hz"]);
    test.step_until_label("2 buckets selected");
    test.harness.get_by_label("KMS (SSE-KMS)").click();
    test.settle();
    test.type_into(KEY_FIELD, CMK);
    test.settle();
    assert_eq!(
        test.harness.get_by_label(KEY_FIELD).value().as_deref(),
        Some(CMK)
    );
    tick(&mut test, &["app-base-oss-sh"]);
    test.step_until_label("3 buckets selected");
    // Buckets of two regions now: a key field per region, and the typed key is gone.
    assert_eq!(
        test.harness.state().view().rule_form.key_id,
        "",
        "the form starts again"
    );
    let hz = test
        .harness
        .state()
        .state()
        .row(&ossguard::core::model::BucketName::parse("tmp-scratch-hz").expect("valid"))
        .map(|r| r.bucket.region.clone())
        .expect("demo bucket");
    assert_eq!(
        test.harness
            .get_by_label(&format!("KMS key ID for {hz} (blank: the default key)"))
            .value()
            .as_deref(),
        Some("")
    );
}

/// A selected bucket's form starts on its current rule: a neutral line, no red error, and
/// "Review change…" stays off until another rule is picked; picking the same rule again
/// is refused again.
#[test]
fn the_form_on_the_current_rule_shows_a_neutral_hint_not_an_error() {
    let mut test = UiTest::start_demo(|_| {});
    select(&mut test, "prod-web-assets-hz");
    test.step_until_label(CURRENT_RULE_HINT);
    assert!(
        test.harness
            .query_by_label_contains("nothing to change")
            .is_none(),
        "no error line for the starting state"
    );
    let review = "Review change…";
    let review_enabled = |test: &UiTest| {
        !test
            .harness
            .get_by_label(review)
            .accesskit_node()
            .is_disabled()
    };
    assert!(!review_enabled(&test));
    test.harness.get_by_label("SM4 (SSE-OSS)").click();
    test.settle();
    assert!(test.harness.query_by_label(CURRENT_RULE_HINT).is_none());
    assert!(review_enabled(&test));
    test.harness.get_by_label("AES256 (SSE-OSS)").click();
    test.settle();
    assert!(test.harness.query_by_label(CURRENT_RULE_HINT).is_some());
    test.harness.get_by_label(review).click();
    test.settle();
    assert!(test.harness.query_by_label("Confirm").is_none());
}

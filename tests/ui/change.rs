//! Changing rules through the form, the confirmation and the read-back, against the demo
//! dev server: one bucket, a delete, a denied bucket, several buckets at once.

use crate::ui_support::{UiTest, encryption, name, select};
use egui_kittest::kittest::Queryable as _;
use ossguard::app::event::ApplyOutcome;
use ossguard::app::state::InfoState;
use ossguard::core::sse::{EncryptionState, SseRule};

const CMK: &str = "key-hzz68d1fd85qslv95ilz4";
const KEY_FIELD: &str = "KMS key ID (blank: the default key)";

fn verification(test: &UiTest, bucket: &str) -> Option<ApplyOutcome> {
    test.harness
        .state()
        .state()
        .row(&name(bucket))
        .and_then(|r| r.verification.clone())
}

#[test]
fn set_kms_with_a_cmk_through_the_form_and_verify() {
    let mut test = UiTest::start_demo(|_| {});
    assert_eq!(
        encryption(&test, "marketing-uploads-hz"),
        Some(EncryptionState::NotConfigured)
    );
    select(&mut test, "marketing-uploads-hz");
    test.step_until_label_contains("Current rule: none");

    // No rule yet: the form starts at KMS with the default key.
    test.harness.get_by_label("KMS (SSE-KMS)").click();
    test.settle();
    // Inline validation: a key that is no key, so no review.
    test.type_into(KEY_FIELD, "not a key");
    test.settle();
    assert!(
        test.harness
            .query_by_label_contains("is not a KMS key ID")
            .is_some()
    );
    test.harness.get_by_label("Review change…").click();
    test.settle();
    assert!(test.harness.query_by_label("Confirm").is_none());

    test.replace_text(KEY_FIELD, CMK);
    test.settle();
    assert!(
        test.harness
            .query_by_label_contains("is not a KMS key ID")
            .is_none()
    );
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Review the change to 1 bucket");
    // The preview shows before (with when it was read) and after, and says that existing
    // objects keep their encryption.
    assert!(
        test.harness
            .query_by_label_contains("no rule (as read at ")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label_contains("Existing objects are not re-encrypted")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label_contains("will be stored unencrypted")
            .is_none(),
        "the delete warning is for deletes only"
    );
    let after = format!("KMS ({CMK})");
    assert!(test.harness.query_by_label(&after).is_some());
    test.harness.get_by_label("Confirm").click();

    test.step_until("the change to be verified", |h| {
        h.state()
            .state()
            .row(&name("marketing-uploads-hz"))
            .is_some_and(|r| r.verification.is_some())
    });
    assert_eq!(
        verification(&test, "marketing-uploads-hz"),
        Some(ApplyOutcome::Verified)
    );
    assert_eq!(
        encryption(&test, "marketing-uploads-hz"),
        Some(EncryptionState::Configured(SseRule::Kms {
            key_id: Some(CMK.into()),
            sm4_data: false
        }))
    );
    test.step_until_label_contains("Verified: the rule read back matches");
    assert!(test.harness.query_by_label("verified").is_some());
    assert!(test.harness.query_by_label("Confirm").is_none());
    // The bucket facts are read again after the change: "SSE (info)" follows it.
    test.step_until("the facts to show the new rule", |h| {
        h.state()
            .state()
            .row(&name("marketing-uploads-hz"))
            .is_some_and(|r| {
                matches!(&r.info, InfoState::Loaded(info)
                    if info.server_side_encryption_rule.algorithm.as_deref() == Some("KMS"))
            })
    });

    // The change is in the change log shared with the CLI.
    let log = std::fs::read_to_string(test.dir.path().join("data/changes.jsonl")).expect("log");
    assert!(
        log.contains("marketing-uploads-hz") && log.contains(CMK),
        "{log}"
    );

    // A fresh refresh reads the same rule back from the server.
    test.harness.get_by_label("Refresh all").click();
    test.step_until_label("Read 63 of 63 rules");
    assert!(matches!(
        encryption(&test, "marketing-uploads-hz"),
        Some(EncryptionState::Configured(SseRule::Kms { key_id: Some(k), .. })) if k == CMK
    ));
    // The key's facts arrive after the rules and open right under the rule, moving the
    // buttons below: wait for them before clicking one.
    test.step_until("the key's health", |h| {
        let state = h.state().state();
        state
            .row(&name("marketing-uploads-hz"))
            .is_some_and(|r| state.key_health(r).is_some())
    });
    test.settle();

    // Undo restores the rule from before the change (none), through the same confirmation.
    test.harness
        .get_by_label("Undo last change (delete the rule)")
        .click();
    test.step_until_label("Review the change to 1 bucket");
    test.harness.get_by_label("Confirm").click();
    test.step_until("the undo to be applied", |h| {
        h.state()
            .state()
            .row(&name("marketing-uploads-hz"))
            .is_some_and(|r| r.encryption == Some(EncryptionState::NotConfigured))
    });
    assert_eq!(
        verification(&test, "marketing-uploads-hz"),
        Some(ApplyOutcome::Verified)
    );
    let log = std::fs::read_to_string(test.dir.path().join("data/changes.jsonl")).expect("log");
    // Each change logs a "started" and a "done" line.
    let done = log
        .lines()
        .filter(|l| l.contains("\"phase\":\"done\""))
        .count();
    assert_eq!(done, 2, "the undo is logged too:\n{log}");
    // ...as the undo of the first change, so the CLI's `undo` never undoes it again.
    let (records, _) =
        ossguard::app::changelog::read_all(&test.dir.path().join("data/changes.jsonl"))
            .expect("log");
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].undo_of.as_deref(), Some(records[0].id.as_str()));
    // As in the CLI, an undo is not undone in turn: nothing is left to undo here.
    test.step_until("the history to show the undo", |h| {
        h.state()
            .state()
            .history
            .as_ref()
            .is_some_and(|h| h.records().len() == 2)
    });
    assert!(
        test.harness
            .query_by_label_contains("Undo last change")
            .is_none()
    );
}

#[test]
fn delete_asks_for_confirmation_first() {
    let mut test = UiTest::start_demo(|_| {});
    let before = Some(EncryptionState::Configured(SseRule::Aes256));
    assert_eq!(encryption(&test, "prod-web-assets-hz"), before);
    select(&mut test, "prod-web-assets-hz");
    test.harness.get_by_label("Delete the rule").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Review the change to 1 bucket");
    // Backing out changes nothing.
    test.harness.get_by_label("Back").click();
    test.settle();
    assert!(test.harness.query_by_label("Confirm").is_none());
    assert_eq!(encryption(&test, "prod-web-assets-hz"), before);
    assert!(test.harness.state().state().batch.is_none());

    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Confirm");
    test.step_until_label("Change: delete the rule");
    assert!(
        test.harness
            .query_by_label_contains("Existing objects are not re-encrypted")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label_contains(
                "new uploads without their own SSE headers will be stored unencrypted"
            )
            .is_some()
    );
    test.harness.get_by_label("Confirm").click();
    test.step_until("the delete to be verified", |h| {
        h.state()
            .state()
            .row(&name("prod-web-assets-hz"))
            .is_some_and(|r| r.verification.is_some())
    });
    assert_eq!(
        verification(&test, "prod-web-assets-hz"),
        Some(ApplyOutcome::Verified)
    );
    assert_eq!(
        encryption(&test, "prod-web-assets-hz"),
        Some(EncryptionState::NotConfigured)
    );
    test.step_until_label_contains("8 of 63 not encrypted");
}

#[test]
fn a_denied_bucket_shows_its_error_code_and_hint() {
    let mut test = UiTest::start_demo(|_| {});
    select(&mut test, "security-audit-hz");
    test.step_until_label("The rule could not be read");
    assert!(
        test.harness
            .query_by_label("Permission denied: the RAM policy must allow oss:GetBucketEncryption.")
            .is_some()
    );
    // Code in the row's status and in the error block; the request id is shown too.
    assert!(test.harness.query_all_by_label("AccessDenied").count() >= 2);
    let request_id = match encryption(&test, "security-audit-hz") {
        Some(EncryptionState::Unknown(f)) => f.request_id.expect("request id"),
        other => panic!("expected Unknown, got {other:?}"),
    };
    assert!(test.harness.query_by_label(&request_id).is_some());
    // GetBucketInfo is denied too, with its own hint, and can be asked again.
    test.step_until_label("GetBucketInfo failed");
    assert!(
        test.harness
            .query_by_label("Permission denied: the RAM policy must allow oss:GetBucketInfo.")
            .is_some()
    );
    let info_calls = |h: &egui_kittest::Harness<'static, ossguard::ui::OssGuardApp>| {
        h.state()
            .state()
            .activity
            .entries()
            .iter()
            .filter(|e| e.operation == "GetBucketInfo" && e.bucket == "security-audit-hz")
            .count()
    };
    let before = info_calls(&test.harness);
    test.harness.get_by_label("Retry GetBucketInfo").click();
    test.step_until("GetBucketInfo to be asked again", |h| {
        info_calls(h) > before
            && matches!(
                h.state()
                    .state()
                    .row(&name("security-audit-hz"))
                    .map(|r| &r.info),
                Some(InfoState::Failed(_))
            )
    });
    test.step_until_label("Retry GetBucketInfo");
    // A change is refused by OSS and the row says so, keeping what it knew.
    test.harness.get_by_label("AES256 (SSE-OSS)").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Confirm");
    test.harness.get_by_label("Confirm").click();
    test.step_until_label("The change failed");
    assert!(
        test.harness
            .query_by_label("Permission denied: the RAM policy must allow oss:PutBucketEncryption.")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label("change failed: AccessDenied")
            .is_some()
    );
}

#[test]
fn several_buckets_at_once_with_preview_and_result_per_bucket() {
    let mut test = UiTest::start_demo(|_| {});
    for bucket in [
        "marketing-uploads-hz",
        "tmp-scratch-hz",
        "security-audit-hz",
    ] {
        test.harness
            .get_by_label(&format!("Select {bucket}"))
            .click();
        test.settle();
    }
    test.step_until_label("3 buckets selected");
    test.harness.get_by_label("KMS (SSE-KMS)").click();
    test.settle();
    test.harness.get_by_label("SM4 data encryption").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Review the change to 3 buckets");
    assert_eq!(
        test.harness
            .query_all_by_label("KMS + SM4 (default key)")
            .count(),
        3
    );
    test.harness.get_by_label("Confirm").click();
    test.step_until("the batch to finish", |h| {
        h.state().state().batch.as_ref().is_some_and(|b| b.finished)
    });
    test.step_until_label("Done: 2 of 3 verified");
    let batch = test.harness.state().state().batch.clone().expect("batch");
    assert_eq!(batch.items.len(), 3);
    for item in &batch.items {
        let expected_ok = item.bucket.as_str() != "security-audit-hz";
        assert_eq!(
            item.outcome.as_ref().is_some_and(ApplyOutcome::is_success),
            expected_ok,
            "{:?}",
            item
        );
    }
    assert!(
        test.harness
            .query_by_label_contains("AccessDenied: Permission denied")
            .is_some()
    );
    assert_eq!(
        encryption(&test, "tmp-scratch-hz"),
        Some(EncryptionState::Configured(SseRule::Kms {
            key_id: None,
            sm4_data: true
        }))
    );
}

//! The CMK pre-flight check in the app: a rule naming an unusable key is refused with the
//! reason and nothing written, unless the confirmation's override is ticked (logged).

use crate::ui_support::UiTest;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::event::ApplyOutcome;
use ossguard::core::model::BucketName;
use ossguard::core::sse::{EncryptionState, SseRule};
use ossguard::devserver::demo_keys::demo_key_id;

const KEY_FIELD: &str = "KMS key ID (blank: the default key)";
const BUCKET: &str = "marketing-uploads-hz";

fn name(bucket: &str) -> BucketName {
    BucketName::parse(bucket).expect("valid")
}

fn review_kms_with(test: &mut UiTest, key: &str) {
    let selected = test.harness.state().view().selection.primary.as_ref() == Some(&name(BUCKET));
    if !selected {
        test.harness.get_by_label(BUCKET).click();
    }
    test.step_until_label_contains("Current rule: none");
    test.harness.get_by_label("KMS (SSE-KMS)").click();
    test.settle();
    test.replace_text(KEY_FIELD, key);
    test.settle();
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Review the change to 1 bucket");
}

fn verification(test: &UiTest) -> Option<ApplyOutcome> {
    test.harness
        .state()
        .state()
        .row(&name(BUCKET))
        .and_then(|r| r.verification.clone())
}

#[test]
fn an_unusable_key_is_refused_unless_the_override_is_ticked() {
    let mut test = UiTest::start_demo(|_| {});
    let disabled = demo_key_id("cn-hangzhou", "disabled");
    review_kms_with(&mut test, &disabled);
    assert!(
        test.harness
            .query_by_label_contains("The KMS key is checked first")
            .is_some()
    );
    test.harness.get_by_label("Confirm").click();
    test.step_until("the refusal", |h| {
        h.state()
            .state()
            .row(&name(BUCKET))
            .is_some_and(|r| r.verification.is_some())
    });
    let Some(ApplyOutcome::Refused(reason)) = verification(&test) else {
        panic!("refused: {:?}", verification(&test));
    };
    assert!(reason.contains("disabled"), "{reason}");
    test.step_until_label_contains("the pre-flight check refused it");
    assert_eq!(
        test.harness
            .state()
            .state()
            .row(&name(BUCKET))
            .and_then(|r| r.encryption.clone()),
        Some(EncryptionState::NotConfigured),
        "nothing written"
    );

    // Again, with the override: written, and the change log says the check was skipped.
    review_kms_with(&mut test, &disabled);
    test.harness
        .get_by_label("Write even if the key check fails (recorded in the change log)")
        .click();
    test.settle();
    test.harness.get_by_label("Confirm").click();
    test.step_until("the forced change", |h| {
        matches!(
            h.state()
                .state()
                .row(&name(BUCKET))
                .and_then(|r| r.verification.clone()),
            Some(ApplyOutcome::Verified)
        )
    });
    assert_eq!(
        test.harness
            .state()
            .state()
            .row(&name(BUCKET))
            .and_then(|r| r.encryption.clone()),
        Some(EncryptionState::Configured(SseRule::Kms {
            key_id: Some(disabled.clone()),
            sm4_data: false
        }))
    );
    let data_dir = ossguard::app::environment::AppEnvironment::for_tests(test.dir.path()).data_dir;
    let log_path = ossguard::app::changelog::log_path(&data_dir);
    let (records, _) = ossguard::app::changelog::read_all(&log_path).expect("log");
    let done = records.last().expect("logged");
    assert!(done.checks_skipped, "{done:?}");
}

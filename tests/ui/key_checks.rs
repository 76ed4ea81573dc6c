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
    let selected = test
        .harness
        .state()
        .view()
        .selection
        .primary
        .as_ref()
        .map(|k| &k.name)
        == Some(&name(BUCKET));
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

/// Per region: disabled, pending deletion, pending import and asymmetric keys, plus the
/// bucket naming another region's key.
const UNUSABLE: usize = 4 * 4 + 1;

#[test]
fn unusable_keys_are_a_red_state_with_reason_fix_and_key_facts() {
    use ossguard::app::view::Category;
    let mut test = UiTest::start_demo(|_| {});
    test.step_until("every key described", |h| {
        h.state().view().table.counts().get(Category::KeyUnusable) == UNUSABLE
    });
    test.step_until_label_contains(&format!("{UNUSABLE} key unusable"));
    // The state filter offers it, with its count, and shows only those buckets.
    test.harness.get_by_label("State").click();
    test.settle();
    test.harness
        .get_by_label(&format!("Key unusable ({UNUSABLE})"))
        .click();
    test.settle();
    let mut shown = test.visible_bucket_names();
    shown.sort();
    assert!(
        shown.contains(&"with-cmk-disabled-cn-hangzhou".to_owned()),
        "{shown:?}"
    );
    assert!(
        shown.iter().all(|n| n.starts_with("with-cmk-")),
        "{shown:?}"
    );
    assert!(!shown.contains(&"with-cmk-aes-cn-hangzhou".to_owned()));
    // The CMK column: alias and badges.
    assert!(
        test.harness
            .query_all_by_label("alias/disabled-cnhangzhou")
            .next()
            .is_some()
    );
    assert!(
        test.harness
            .query_all_by_label("Other region")
            .next()
            .is_some(),
        "the other-region bucket's key exists in cn-shanghai"
    );
    assert!(
        test.harness
            .query_all_by_label_contains("Pending deletion on ")
            .next()
            .is_some()
    );
    // The detail panel: reason, fix and the key's facts.
    test.harness
        .get_by_label("with-cmk-disabled-cn-hangzhou")
        .click();
    test.step_until_label_contains("Key unusable: The key is disabled");
    assert!(
        test.harness
            .query_by_label_contains("Fix: Enable the key in the KMS console")
            .is_some()
    );
    assert!(
        test.harness
            .query_by_label("KMS key (DescribeKey)")
            .is_some()
    );
    assert!(test.harness.query_by_label("Aliyun_AES_256").is_some());
}

/// A row whose key cannot be used reads so in the table (a red "! KMS", status "key
/// unusable", never a green "KMS" and "ok"), and its detail panel shows the key's facts
/// right under the rule, above the form.
#[test]
fn unusable_key_rows_say_so_in_encryption_and_status_and_the_key_comes_first() {
    use ossguard::app::view::Category;
    let mut test = UiTest::start_demo(|_| {});
    test.step_until("every key described", |h| {
        h.state().view().table.counts().get(Category::KeyUnusable) == UNUSABLE
    });
    test.harness
        .get_by_label(&format!("{UNUSABLE} key unusable"))
        .click();
    test.settle();
    let statuses = test.harness.query_all_by_label("key unusable").count();
    let badges = test.harness.query_all_by_label_contains("! KMS").count();
    assert!(statuses > 0, "the status says the key is unusable");
    assert_eq!(statuses, badges, "each row: a warning badge and its status");
    assert_eq!(test.harness.query_all_by_label("ok").count(), 0);
    assert_eq!(test.harness.query_all_by_label("KMS").count(), 0);

    test.harness
        .get_by_label("with-cmk-pending-cn-hangzhou")
        .click();
    test.step_until_label("Change the rule");
    test.settle();
    let key = test.harness.get_by_label("KMS key (DescribeKey)").rect();
    let warning = test.harness.get_by_label_contains("Key unusable: ").rect();
    let form = test.harness.get_by_label("Change the rule").rect();
    let rule = test.harness.get_by_label_contains("Current rule: ").rect();
    assert!(rule.top() < key.top(), "the key right under the rule");
    assert!(key.top() < form.top(), "the key before the form");
    assert!(
        warning.top() < form.top(),
        "the pending-deletion warning before the form"
    );
}

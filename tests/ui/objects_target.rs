//! The re-encryption preview's target: the bucket's rule by default, or a rule chosen as in
//! the change form (here KMS with a CMK from the key picker). A key the pre-flight check
//! refuses stops at the preview; a chosen target is previewed, confirmed and run. The
//! preview of a versioned bucket says that older versions keep their encryption.

use egui_kittest::kittest::{NodeT as _, Queryable as _};
use ossguard::app::view::human_bytes;
use ossguard::core::ops::Action;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sse::SseRule;
use ossguard::devserver::demo_keys::demo_key_id;

use super::objects::{BUCKET, expected, expected_plan_for, job, job_ended, open_preview};
use crate::ui_support::{UiTest, name};

const KEY_FIELD: &str = "Target KMS key ID (blank: the default key)";

fn enable_versioning(test: &UiTest) {
    let client = test.demo_client();
    test.runtime
        .block_on(async {
            let bucket = client.find_bucket(BUCKET).await?;
            let req = OssRequest::new(Method::Put, Some(BUCKET))
                .with_query("versioning", "")
                .with_xml_body(
                    "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
                        .into(),
                );
            client
                .send(Action::PutBucket, &req, &client.target_for(&bucket))
                .await
                .map(|_| ())
        })
        .expect("versioning on");
}

/// Waits for the preview of `asked` to be answered.
fn previewed(test: &mut UiTest, asked: &SseRule) {
    test.step_until("the preview of the chosen target", |h| {
        h.state()
            .state()
            .objects_preview
            .as_ref()
            .is_some_and(|p| p.asked.as_ref() == Some(asked) && p.result.is_some())
    });
}

fn confirm_enabled(test: &UiTest, copies: u64) -> bool {
    !test
        .harness
        .get_by_label(&format!("Confirm: re-encrypt {copies} objects"))
        .accesskit_node()
        .is_disabled()
}

#[test]
fn a_chosen_target_is_checked_previewed_and_run() {
    let mut test = UiTest::start_demo(|_| {});
    enable_versioning(&test);
    open_preview(&mut test);
    // The bucket's rule first, and the note for a versioned bucket.
    test.step_until_label("Target: AES256");
    assert!(
        test.harness
            .query_by_label_contains("The bucket is versioned: each copy is a new version")
            .is_some()
    );
    let to_rule = expected_plan_for(&test, None).copies();
    assert!(confirm_enabled(&test, to_rule));

    test.harness.get_by_label("To KMS (SSE-KMS)").click();
    let region = test
        .harness
        .state()
        .state()
        .row(&name(BUCKET))
        .map(|r| r.bucket.region.clone())
        .expect("the bucket");
    // Another target than the one previewed: it must be previewed before it can run.
    test.step_until_label("Preview this target");
    // The old target's plan is gone at once, its Confirm with it, until this one's arrives.
    test.settle();
    for stale in [
        "Target: AES256".to_owned(),
        format!("Confirm: re-encrypt {to_rule} objects"),
    ] {
        assert!(test.harness.query_by_label(&stale).is_none(), "{stale:?}");
    }
    assert!(
        test.harness
            .query_by_label("The target changed: preview it to see its plan.")
            .is_some()
    );
    // Not the bucket's rule: new uploads stay under it.
    assert!(
        test.harness
            .query_by_label(
                "This target is not the bucket's rule: new uploads keep following the \
                 bucket's rule (AES256). Change the rule to change them."
            )
            .is_some()
    );

    // A disabled key is refused by the same pre-flight check as `set`; nothing is planned.
    let disabled = demo_key_id(&region, "disabled");
    test.type_into(KEY_FIELD, &disabled);
    test.harness.get_by_label("Preview this target").click();
    let refused = SseRule::Kms {
        key_id: Some(disabled.clone()),
        sm4_data: false,
    };
    previewed(&mut test, &refused);
    test.step_until_label_contains("Cannot re-encrypt: the pre-flight check refused the target");

    // A usable CMK, picked in the key picker.
    let aes = demo_key_id(&region, "aes");
    test.step_until_label_contains(&aes);
    test.harness.get_by_label_contains(&aes).click();
    test.settle();
    assert_eq!(
        test.harness.get_by_label(KEY_FIELD).value().as_deref(),
        Some(aes.as_str())
    );
    test.harness.get_by_label("Preview this target").click();
    let target = SseRule::Kms {
        key_id: Some(aes.clone()),
        sm4_data: false,
    };
    previewed(&mut test, &target);
    let plan = expected_plan_for(&test, Some(&target));
    // Objects already under AES256 are copied too now; the KMS objects under other keys too.
    assert!(plan.copies() > to_rule, "{plan:?}");
    for label in [
        format!("Target: {target}"),
        format!(
            "To copy: {} objects ({})",
            plan.copies(),
            human_bytes(plan.bytes_to_copy)
        ),
        format!("Requests: at least {}", plan.requests),
    ] {
        assert!(test.harness.query_by_label(&label).is_some(), "{label:?}");
    }
    assert!(test.harness.query_by_label("Preview this target").is_none());
    assert!(confirm_enabled(&test, plan.copies()));
    // The window takes a frame or two to size itself to the new plan.
    test.settle();

    test.harness
        .get_by_label(&format!("Confirm: re-encrypt {} objects", plan.copies()))
        .click();
    test.step_until("the job to start", |h| {
        h.state().state().objects_job.is_some()
    });
    job_ended(&mut test);
    let job = job(&test);
    assert_eq!(job.target, target);
    let run = job.result.expect("ended").expect("ran");
    assert_eq!(run.counters.copied, plan.copies());
    assert_eq!(run.counters.failed, 0);
    // The server holds the copies under the chosen key.
    let after = expected(&test, "");
    let under_key = after
        .encryption_classes()
        .into_iter()
        .find(|(sse, _)| sse.as_ref() == Some(&target))
        .map(|(_, t)| t.objects);
    assert_eq!(under_key, Some(plan.copies()));
}

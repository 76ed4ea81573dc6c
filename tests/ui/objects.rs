//! The detail panel's "Objects" section against the demo's object mix: a scan (with a
//! prefix) shows the totals per encryption and storage class that the server holds, and a
//! running scan can be cancelled; the re-encryption preview and its job. Pause, resume,
//! cancel and the interrupted job are in objects_pause.rs.

use std::sync::Arc;
use std::time::Duration;

use crate::ui_support::UiTest;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use ossguard::app::objects::scan::{ScanOptions, scan};
use ossguard::app::view::human_bytes;
use ossguard::core::objects::counters::{ScanCounters, Tally};
use ossguard::core::objects::shard::Shard;
use tokio_util::sync::CancellationToken;

pub(crate) const BUCKET: &str = ossguard::devserver::seed_objects::DEMO_OBJECTS_BUCKET;

fn tally(t: Tally) -> String {
    let noun = if t.objects == 1 { "object" } else { "objects" };
    format!("{} {noun}, {}", t.objects, human_bytes(t.bytes))
}

/// What the server holds under `prefix`, read independently of the app.
pub(crate) fn expected(test: &UiTest, prefix: &str) -> ScanCounters {
    let client = test.demo_client();
    test.runtime
        .block_on(async {
            let bucket = client.find_bucket(BUCKET).await?;
            let rule = client.get_encryption(&bucket).await?;
            let options = ScanOptions {
                prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
                max_objects: None,
                shard: Shard::ALL,
                concurrency: 4,
            };
            scan(
                &client,
                &bucket,
                rule.as_ref(),
                &options,
                &CancellationToken::new(),
                |_, _| {},
            )
            .await
        })
        .expect("scan")
}

pub(crate) fn select(test: &mut UiTest) {
    crate::ui_support::select(test, BUCKET);
    test.step_until_label("Scan objects");
}

pub(crate) fn scan_finished(test: &mut UiTest) {
    test.step_until("the scan to finish", |h| {
        h.state()
            .state()
            .objects_scan
            .as_ref()
            .is_some_and(|s| !s.is_running())
    });
}

#[test]
fn scan_shows_objects_per_encryption_and_storage_class() {
    let mut test = UiTest::start_demo(|_| {});
    select(&mut test);
    // The detail panel's left edge, read from its Scan button.
    let left = |test: &UiTest| {
        test.harness
            .get_by_label("Scan objects")
            .accesskit_node()
            .bounding_box()
            .map(|r| r.x0)
    };
    let before = left(&test);

    test.harness.get_by_label("Scan objects").click();
    scan_finished(&mut test);
    let all = expected(&test, "");
    test.step_until_label(&format!("Scanned: {}", tally(all.total)));
    test.settle();
    // The bars fit the panel: a scan does not widen it.
    assert_eq!(left(&test), before);
    // The demo bucket's mix: several encryption classes and storage classes.
    assert!(all.by_encryption.len() >= 3 && all.by_storage_class.len() >= 2);
    for (sse, t) in all.encryption_classes() {
        let name = sse.map_or_else(|| "Not encrypted".to_owned(), |r| r.to_string());
        let label = format!("{name}: {}", tally(t));
        assert!(
            test.harness.query_by_label(&label).is_some(),
            "a bar {label:?}"
        );
    }
    for (class, t) in &all.by_storage_class {
        let label = format!("{}: {}", class.as_str(), tally(*t));
        assert!(
            test.harness.query_by_label(&label).is_some(),
            "a bar {label:?}"
        );
    }
    // The demo holds one object under the CMK: singular.
    assert!(
        test.harness
            .query_by_label("KMS (9468da86-3509-4f8d-a61e-6eab1eac0001): 1 object, 4.1 KB")
            .is_some()
    );
    assert!(all.not_matching_rule.objects > 0);
    let not_matching = format!(
        "Not matching the rule (AES256): {}",
        tally(all.not_matching_rule)
    );
    assert!(
        test.harness.query_by_label(&not_matching).is_some(),
        "{not_matching:?}"
    );

    test.type_into("Prefix", "reports/");
    test.harness.get_by_label("Scan objects").click();
    scan_finished(&mut test);
    let under = expected(&test, "reports/");
    assert!(under.total.objects > 0 && under.total.objects < all.total.objects);
    test.step_until_label(&format!(
        "Scanned under \"reports/\": {}",
        tally(under.total)
    ));
}

#[test]
fn a_running_scan_streams_its_totals_and_can_be_cancelled() {
    let mut test = UiTest::start_demo(|env| {
        env.demo_tuning = Arc::new(|c| c.latency = Duration::from_millis(150));
        env.concurrency = 1;
    });
    select(&mut test);
    test.harness.get_by_label("Scan objects").click();
    test.step_until("some objects counted while the scan runs", |h| {
        h.state()
            .state()
            .objects_scan
            .as_ref()
            .is_some_and(|s| s.is_running() && s.counters.total.objects > 0)
    });
    test.step_until_label_contains(" so far");
    test.harness.get_by_label("Cancel scan").click();
    scan_finished(&mut test);
    let scan = test
        .harness
        .state()
        .state()
        .objects_scan
        .clone()
        .expect("a scan");
    assert!(scan.cancelled);
    assert!(scan.counters.total.objects < expected(&test, "").total.objects);
    test.step_until_label(&format!(
        "Scan cancelled: {} counted",
        tally(scan.counters.total)
    ));
    assert!(test.harness.query_by_label("Scan objects").is_some());
}

/// What a run would do, read independently of the app (the same dry run the CLI prints).
fn expected_plan(test: &UiTest) -> ossguard::app::objects::dry_run::DryRun {
    expected_plan_for(test, None)
}

/// The plan for `target` (`None`: the bucket's rule).
pub(crate) fn expected_plan_for(
    test: &UiTest,
    target: Option<&ossguard::core::sse::SseRule>,
) -> ossguard::app::objects::dry_run::DryRun {
    use ossguard::app::objects::dry_run::dry_run;
    use ossguard::app::objects::job::JobSpec;
    let client = test.demo_client();
    test.runtime
        .block_on(async {
            let bucket = client.find_bucket(BUCKET).await?;
            let target = match target {
                Some(target) => target.clone(),
                None => client.get_encryption(&bucket).await?.expect("a rule"),
            };
            let spec = JobSpec {
                bucket,
                prefix: None,
                shard: Shard::ALL,
                target,
                concurrency: 4,
                data_dir: test.dir.path().join("unused"),
                profile: String::new(),
                access_key_id: String::new(),
            };
            dry_run(&client, &spec, &CancellationToken::new()).await
        })
        .expect("dry run")
}

/// Scans the whole bucket and opens the preview; returns the scan's totals.
pub(crate) fn open_preview(test: &mut UiTest) -> ScanCounters {
    select(test);
    test.harness.get_by_label("Scan objects").click();
    scan_finished(test);
    let all = expected(test, "");
    let off = all.not_matching_rule;
    let button = format!(
        "Re-encrypt {} objects ({})…",
        off.objects,
        human_bytes(off.bytes)
    );
    test.step_until_label(&button);
    test.harness.get_by_label(&button).click();
    test.step_until("the preview", |h| {
        h.state()
            .state()
            .objects_preview
            .as_ref()
            .is_some_and(|p| p.result.is_some())
    });
    all
}

pub(crate) fn job(test: &UiTest) -> ossguard::app::objects_job::ReencryptJob {
    test.harness
        .state()
        .state()
        .objects_job
        .clone()
        .expect("a job")
}

#[test]
fn reencrypt_previews_then_runs_the_job_while_other_buckets_are_browsed() {
    let mut test = UiTest::start_demo(|_| {});
    let before = open_preview(&mut test);
    let plan = expected_plan(&test);
    let copies = plan.copy + plan.multipart_copy;
    assert!(copies > 0 && !plan.skipped.is_empty());
    for label in [
        "Target: AES256".to_owned(),
        format!(
            "To copy: {copies} objects ({})",
            human_bytes(plan.bytes_to_copy)
        ),
        format!(
            "By CopyObject onto itself: {} objects ({})",
            plan.copy,
            human_bytes(plan.copy_bytes)
        ),
        format!(
            "By multipart copy (over 1 GB): {} objects ({})",
            plan.multipart_copy,
            human_bytes(plan.multipart_copy_bytes)
        ),
        format!("Already at the target: {}", plan.already_ok),
        format!("Requests: at least {}", plan.requests),
        "The bucket is not versioned: each copy replaces its object.".to_owned(),
    ] {
        assert!(test.harness.query_by_label(&label).is_some(), "{label:?}");
    }
    // The objects already encrypted otherwise (a CMK, the default key, SM4) change to AES256,
    // each a loss the preview warns about before Confirm.
    for (from, bytes) in [
        ("KMS (9468da86-3509-4f8d-a61e-6eab1eac0001)", 4_096),
        ("KMS (default key)", 4_096),
        ("SM4", 740_219),
    ] {
        let label = format!(
            "Changes encryption: {from} -> AES256: 1 object ({})",
            human_bytes(bytes)
        );
        assert!(test.harness.query_by_label(&label).is_some(), "{label:?}");
    }
    assert!(
        test.harness
            .query_by_label_contains("Warning: re-encryption weakens the encryption")
            .is_some()
    );
    for loss in [
        "a customer master key is replaced by a key you do not control",
        "SM4 encryption is replaced by a non-SM4 cipher",
        "a KMS key is replaced by an OSS-managed key",
    ] {
        assert!(
            test.harness.query_by_label_contains(loss).is_some(),
            "{loss:?}"
        );
    }
    // The demo's mix: the 2.5 GB video goes by multipart copy; archived objects are skipped.
    assert!(plan.multipart_copy > 0 && plan.copy > 0);
    for (reason, n) in &plan.skipped {
        let label = format!("Skipped ({}): {n}", reason.as_str());
        assert!(test.harness.query_by_label(&label).is_some(), "{label:?}");
        let why = format!("  {}", reason.why());
        assert!(test.harness.query_by_label(&why).is_some(), "{why:?}");
    }
    // The preview wrote nothing.
    assert_eq!(expected(&test, ""), before);

    test.harness
        .get_by_label(&format!("Confirm: re-encrypt {copies} objects"))
        .click();
    test.step_until("the job to start", |h| {
        h.state().state().objects_job.is_some()
    });
    // Browse another bucket: the job goes on.
    let other = test
        .visible_bucket_names()
        .into_iter()
        .find(|n| n != BUCKET)
        .expect("another bucket");
    test.harness.get_by_label(&other).click();
    test.step_until("the job to finish", |h| {
        h.state()
            .state()
            .objects_job
            .as_ref()
            .is_some_and(|j| !j.is_running())
    });
    let run = job(&test).result.expect("ended").expect("ran");
    assert!(!run.cancelled);
    assert_eq!(run.counters.copied, copies);
    assert_eq!(run.counters.skipped, plan.skipped);
    assert_eq!(run.counters.failed, 0);
    // Every copy is in the activity log (so counting them there, below, means something).
    assert_eq!(copies_sent_after(&test, 0), copies);
    // The server now holds only the objects that cannot be copied off the rule.
    let after = expected(&test, "");
    assert_eq!(
        after.not_matching_rule.objects,
        run.counters.skipped_total()
    );
    // The activity log has the job's line with its counts.
    let entry = test
        .harness
        .state()
        .state()
        .activity
        .entries()
        .iter()
        .find(|e| e.operation == "ReencryptObjects")
        .cloned()
        .expect("the job in the activity log");
    assert_eq!(entry.bucket, BUCKET);
    assert!(
        entry
            .outcome
            .starts_with(&format!("done: copied {copies},"))
    );
    assert_eq!(entry.request_id, run.job_id);
    // Back on the bucket, the result shows.
    select(&mut test);
    test.step_until_label_contains(&format!("Re-encryption done: copied {copies} ("));
}

/// Starts the job from the preview on a slow server and waits until some objects are done.
pub(crate) fn start_slow_job(test: &mut UiTest) -> u64 {
    open_preview(test);
    let plan = expected_plan(test);
    let copies = plan.copy + plan.multipart_copy;
    test.harness
        .get_by_label(&format!("Confirm: re-encrypt {copies} objects"))
        .click();
    test.step_until("some objects done while the job runs", |h| {
        h.state()
            .state()
            .objects_job
            .as_ref()
            .is_some_and(|j| j.is_running() && j.counters.copied > 0)
    });
    copies
}

/// Copies the app sent (CopyObject, or a multipart copy's start) after the first `skip`
/// lines of the activity log, counting each attempt.
pub(crate) fn copies_sent_after(test: &UiTest, skip: usize) -> u64 {
    let log = &test.harness.state().state().activity;
    log.entries()
        .iter()
        .skip(skip)
        .filter(|e| e.operation == "CopyObject" || e.operation == "InitiateMultipartUpload")
        .count() as u64
}

pub(crate) fn slow(env: &mut ossguard::app::environment::AppEnvironment) {
    env.demo_tuning = Arc::new(|c| c.latency = Duration::from_millis(150));
    env.concurrency = 1;
}

pub(crate) fn job_ended(test: &mut UiTest) {
    test.step_until("the job to end", |h| {
        h.state()
            .state()
            .objects_job
            .as_ref()
            .is_some_and(|j| !j.is_running())
    });
}

/// Clicks `button` (Resume, Try again) and waits for the job to run again and end; returns
/// that run.
pub(crate) fn run_again(test: &mut UiTest, button: &str) -> ossguard::app::objects::job::JobRun {
    test.harness.get_by_label(button).click();
    test.step_until("the job to run again", |h| {
        h.state()
            .state()
            .objects_job
            .as_ref()
            .is_some_and(|j| j.is_running())
    });
    job_ended(test);
    job(test).result.expect("ended").expect("ran")
}

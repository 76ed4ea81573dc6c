//! The detail panel's "Objects" section against the demo's object mix: a scan (with a
//! prefix) shows the totals per encryption and storage class that the server holds, and a
//! running scan can be cancelled.

use std::sync::Arc;
use std::time::Duration;

use crate::ui_support::UiTest;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::objects::scan::{ScanOptions, scan};
use ossguard::app::view::human_bytes;
use ossguard::core::objects::counters::{ScanCounters, Tally};
use ossguard::core::objects::shard::Shard;
use tokio_util::sync::CancellationToken;

const BUCKET: &str = ossguard::devserver::seed_objects::DEMO_OBJECTS_BUCKET;

fn tally(t: Tally) -> String {
    format!("{} objects, {}", t.objects, human_bytes(t.bytes))
}

/// What the server holds under `prefix`, read independently of the app.
fn expected(test: &UiTest, prefix: &str) -> ScanCounters {
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

fn select(test: &mut UiTest) {
    crate::ui_support::select(test, BUCKET);
    test.step_until_label("Scan objects");
}

fn scan_finished(test: &mut UiTest) {
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

    test.harness.get_by_label("Scan objects").click();
    scan_finished(&mut test);
    let all = expected(&test, "");
    test.step_until_label(&format!("Scanned: {}", tally(all.total)));
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

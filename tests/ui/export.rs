//! Export from the app: a fresh full path per format, Enter saves, the filter's rows or all,
//! the new fields, and never replacing a file without asking.

use crate::ui_support::UiTest;
use egui::Key;
use egui_kittest::kittest::Queryable as _;

fn file_field(test: &UiTest) -> String {
    test.harness
        .get_by_label("File")
        .value()
        .expect("the path field has a value")
}

fn open_export(test: &mut UiTest) {
    test.harness.get_by_label("Export…").click();
    test.step_until_label("Export the audit");
}

#[test]
fn export_follows_the_filter_prefills_a_full_path_per_format_and_asks_before_replacing() {
    let mut test = UiTest::start_demo(|_| {});
    let exports = test.dir.path().join("exports");
    test.replace_text("Filter", "prod-logs");
    test.harness.key_press(Key::Enter);
    test.settle();

    open_export(&mut test);
    test.harness.get_by_label("JSON").click();
    test.settle();
    let json_path = file_field(&test);
    assert!(
        json_path.starts_with(&exports.display().to_string()),
        "{json_path}"
    );
    assert!(
        json_path.contains("ossguard-demo-") && json_path.ends_with(".json"),
        "{json_path}"
    );
    assert!(
        test.harness
            .query_by_label("The 4 rows the filter shows")
            .is_some()
    );
    // Enter in the field saves.
    test.harness.get_by_label("File").focus();
    test.settle();
    test.harness.key_press(Key::Enter);
    test.step_until_label_contains(&format!("Exported 4 rows as JSON to {json_path}"));
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("written")).expect("json");
    let rows = value.as_array().expect("an array");
    assert_eq!(rows.len(), 4);
    let hz = rows
        .iter()
        .find(|r| r["name"] == "prod-logs-hz")
        .expect("prod-logs-hz");
    assert_eq!(hz["state"], "kms");
    assert_eq!(hz["created"], "2023-03-01T08:00:00.000Z");
    assert!(
        hz["read_at"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{hz}"
    );
    assert!(hz["exported_at"].as_str().is_some(), "{hz}");
    assert_eq!(
        hz["sse_algorithm"], "KMS",
        "existing fields keep their meaning"
    );

    // CSV has its own path; all rows on request; a relative path lands in the export folder.
    open_export(&mut test);
    test.harness.get_by_label("CSV").click();
    test.settle();
    let csv_default = file_field(&test);
    assert!(csv_default.ends_with(".csv"), "{csv_default}");
    test.harness.get_by_label("All 63 rows").click();
    test.replace_text("File", "audit.csv");
    test.harness.get_by_label("Save").click();
    let csv_path = exports.join("audit.csv");
    test.step_until_label_contains(&format!(
        "Exported 63 rows as CSV to {}",
        csv_path.display()
    ));
    let csv = std::fs::read_to_string(&csv_path).expect("written");
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.ends_with(",state,created,read_at,exported_at"),
        "{header}"
    );
    assert_eq!(csv.lines().count(), 64);

    // The same file again: asked, kept, then replaced only on request.
    std::fs::write(&csv_path, "keep me").expect("overwrite for the test");
    open_export(&mut test);
    test.harness.get_by_label("CSV").click();
    test.replace_text("File", "audit.csv");
    test.harness.key_press(Key::Enter);
    test.step_until_label_contains("already exists.");
    test.harness.get_by_label("Keep it").click();
    test.settle();
    assert_eq!(std::fs::read_to_string(&csv_path).expect("read"), "keep me");
    test.harness.get_by_label("Save").click();
    test.step_until_label_contains("already exists.");
    test.harness.get_by_label("Replace it").click();
    test.step_until("the file to be replaced", |_| {
        std::fs::read_to_string(&csv_path).is_ok_and(|t| t.starts_with("name,"))
    });
}

//! The bucket table from the keyboard and at small sizes: arrows, Space, Shift ranges,
//! Ctrl+A, Ctrl+F, Esc, Enter; the header checkbox; the bulk panel with ticks the filter hides;
//! the column chooser, horizontal scroll and what is remembered between runs.

use crate::ui_support::UiTest;
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use ossguard::app::view::SortColumn;

fn primary(test: &UiTest) -> Option<String> {
    let view = test.harness.state().view();
    view.selection.primary.as_ref().map(|n| n.to_string())
}

fn ticked(test: &UiTest) -> Vec<String> {
    let view = test.harness.state().view();
    view.selection
        .ticked
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn press(test: &mut UiTest, modifiers: Modifiers, key: Key) {
    test.harness.key_press_modifiers(modifiers, key);
    test.settle();
}

/// Types into the filter and leaves the field with Enter, so the table has the keys again.
fn filter(test: &mut UiTest, text: &str) {
    test.replace_text("Filter", text);
    press(test, Modifiers::NONE, Key::Enter);
}

#[test]
fn arrows_space_shift_and_esc_drive_the_selection() {
    let mut test = UiTest::start_demo(|_| {});
    let names = test.visible_bucket_names();
    press(&mut test, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(primary(&test).as_deref(), Some(names[0].as_str()));
    press(&mut test, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(primary(&test).as_deref(), Some(names[1].as_str()));
    // The detail panel follows the focused row.
    test.step_until_label("Refresh bucket");
    assert_eq!(
        test.harness.query_all_by_label(&names[1]).count(),
        2,
        "the row and the panel's heading"
    );

    press(&mut test, Modifiers::NONE, Key::Space);
    assert_eq!(ticked(&test), [names[1].clone()]);
    press(&mut test, Modifiers::SHIFT, Key::ArrowDown);
    press(&mut test, Modifiers::SHIFT, Key::ArrowDown);
    assert_eq!(ticked(&test), names[1..4].to_vec());
    assert_eq!(primary(&test).as_deref(), Some(names[3].as_str()));
    test.step_until_label("3 buckets selected");

    press(&mut test, Modifiers::NONE, Key::Escape);
    assert!(ticked(&test).is_empty());
    assert_eq!(primary(&test), None);
    assert!(test.harness.query_by_label("Refresh bucket").is_none());
}

#[test]
fn shift_click_ticks_a_range_and_enter_focuses_the_change_form() {
    let mut test = UiTest::start_demo(|_| {});
    let names = test.visible_bucket_names();
    test.harness.get_by_label(&names[2]).click();
    test.settle();
    assert_eq!(primary(&test).as_deref(), Some(names[2].as_str()));
    test.harness
        .get_by_label(&names[5])
        .click_modifiers(Modifiers::SHIFT);
    test.settle();
    assert_eq!(ticked(&test), names[2..6].to_vec());

    press(&mut test, Modifiers::NONE, Key::Escape);
    test.harness.get_by_label(&names[0]).click();
    test.settle();
    assert_eq!(names[0], "analytics-lake-bj");
    press(&mut test, Modifiers::NONE, Key::Enter);
    test.settle();
    // analytics-lake-bj uses KMS: the form's matching choice takes the keyboard.
    assert!(
        test.harness.get_by_label("KMS (SSE-KMS)").is_focused(),
        "Enter focuses the change form"
    );
}

#[test]
fn ctrl_a_and_the_header_tick_what_the_filter_shows_and_the_bulk_panel_says_what_it_hides() {
    let mut test = UiTest::start_demo(|_| {});
    // Ctrl+F focuses the filter.
    press(&mut test, Modifiers::COMMAND, Key::F);
    assert!(test.harness.get_by_label("Filter").is_focused());
    press(&mut test, Modifiers::NONE, Key::Escape);

    filter(&mut test, "prod-logs");
    press(&mut test, Modifiers::COMMAND, Key::A);
    assert_eq!(
        ticked(&test),
        [
            "prod-logs-bj",
            "prod-logs-hz",
            "prod-logs-sg",
            "prod-logs-sh"
        ]
    );
    test.step_until_label("4 buckets selected");
    // The header checkbox unticks them all when all are ticked, and ticks them again.
    test.harness.get_by_label("Tick all shown rows").click();
    test.settle();
    assert!(ticked(&test).is_empty());
    test.harness.get_by_label("Tick all shown rows").click();
    test.settle();
    assert_eq!(ticked(&test).len(), 4);

    // A narrower filter: two ticks are hidden, and a change would only target the shown ones.
    filter(&mut test, "prod-logs-s");
    test.step_until_label("2 buckets selected");
    test.step_until_label("2 more ticked buckets are hidden by the filter and left out.");
    let targets: Vec<String> = test
        .harness
        .state()
        .view()
        .targets()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(targets, ["prod-logs-sg", "prod-logs-sh"]);

    // Esc in the filter field clears the filter.
    test.harness.get_by_label("Filter").focus();
    test.settle();
    press(&mut test, Modifiers::NONE, Key::Escape);
    assert_eq!(test.harness.state().view().table.filter_text, "");
    assert_eq!(test.visible_bucket_names().len(), 63);
}

#[test]
fn narrow_window_keeps_name_and_encryption_and_scrolls_the_rest() {
    let mut test = UiTest::start_demo(|_| {});
    test.harness.set_size(egui::vec2(800.0, 500.0));
    test.settle();
    test.harness.get_by_label("analytics-lake-bj").click();
    test.step_until_label("Refresh bucket");
    // The bucket's name is in the table and, further right, the panel's heading.
    let panel_left = test
        .harness
        .query_all_by_label("analytics-lake-bj")
        .map(|n| n.rect().left())
        .fold(f32::MIN, f32::max);
    for header in ["Name (asc)", "Encryption"] {
        let rect = test.harness.get_by_label(header).rect();
        assert!(
            rect.right() <= panel_left,
            "{header} ends at {} but the detail panel starts at {panel_left}",
            rect.right()
        );
    }
    // Created does not fit: the table scrolls sideways to it.
    let created = test
        .harness
        .get_by_role_and_label(Role::Button, "Created")
        .rect()
        .left();
    assert!(created > panel_left, "Created at {created} is out of sight");
    test.harness
        .get_by_role_and_label(Role::Button, "Created")
        .scroll_to_me();
    test.settle();
    let scrolled = test
        .harness
        .get_by_role_and_label(Role::Button, "Created")
        .rect();
    assert!(
        scrolled.right() <= panel_left,
        "scrolled sideways, Created spans {scrolled:?}; the panel starts at {panel_left}"
    );
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn column_chooser_hides_columns_and_sort_and_columns_are_remembered() {
    let mut test = UiTest::start_demo(|_| {});
    test.harness.get_by_label("Columns").click();
    test.settle();
    // Name and Encryption cannot be hidden.
    assert!(
        test.harness
            .get_by_role_and_label(Role::CheckBox, "Name")
            .accesskit_node()
            .is_disabled()
    );
    test.harness
        .get_by_role_and_label(Role::CheckBox, "Region")
        .click();
    test.settle();
    press(&mut test, Modifiers::NONE, Key::Escape);
    assert!(
        test.harness.query_by_label("Region").is_none(),
        "column hidden"
    );
    test.harness.get_by_label("Created").click();
    test.settle();

    let mut storage = MemoryStorage::default();
    eframe::App::save(test.harness.state_mut(), &mut storage);
    let mut next = UiTest::start(|_| {});
    next.harness.state_mut().restore(&storage);
    let table = &next.harness.state().view().table;
    assert_eq!(table.sort, SortColumn::Created);
    assert!(table.hidden_columns.contains(&SortColumn::Region));
}

#[test]
fn at_900_pixels_the_columns_shrink_to_fit_and_cut_long_text() {
    let mut test = UiTest::start(|_| {});
    test.harness.set_size(egui::vec2(900.0, 600.0));
    test.open_demo();
    let status = test
        .harness
        .get_by_role_and_label(Role::Button, "Status")
        .rect();
    assert!(
        status.right() <= 900.0,
        "every column fits at 900 px: Status spans {status:?}"
    );
    // A cut label keeps its full text for hover and screen readers.
    assert!(
        test.harness
            .query_by_label("key-sgz9f8e7d6c5b4a3210")
            .is_some()
    );
}

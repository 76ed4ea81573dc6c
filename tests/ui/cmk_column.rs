//! The CMK column at the window's default size: each key's health badge is shown in full
//! (never cut with "…") and inside its column, and so is the alias; the key ID is what
//! shrinks.

use crate::ui_support::UiTest;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use ossguard::app::view::Category;

/// Buckets with an unusable key in the demo: disabled, pending deletion, pending import and
/// asymmetric keys in each of four regions, and one naming another region's key. They all fit
/// on screen at the default size once the state filter shows only them.
const UNUSABLE: usize = 4 * 4 + 1;

/// The width `text` takes unwrapped in `style`, as the table would draw it in full.
fn full_width(test: &UiTest, text: &str, style: &egui::TextStyle) -> f32 {
    let ctx = &test.harness.ctx;
    let font = style.resolve(&ctx.global_style());
    ctx.fonts_mut(|f| {
        f.layout_no_wrap(text.to_owned(), font, egui::Color32::WHITE)
            .size()
            .x
    })
}

/// Every label whose text contains `text`: drawn at its full width, within the CMK column
/// (between its header and the next column's) and within the window.
fn assert_shown_in_full(test: &UiTest, text: &str, style: &egui::TextStyle) -> usize {
    let column_left = test.harness.get_by_label("CMK ID").rect().left();
    let column_right = test.harness.get_by_label("Data encryption").rect().left();
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, ossguard::ui::WINDOW_SIZE);
    let mut count = 0;
    for node in test.harness.query_all_by_label_contains(text) {
        let label = node.accesskit_node().value().unwrap_or_default().to_owned();
        let rect = node.rect();
        let full = full_width(test, &label, style);
        assert!(
            rect.width() + 0.5 >= full,
            "{label:?} is cut: {} px of {full} px",
            rect.width()
        );
        assert!(
            rect.left() >= column_left && rect.right() <= column_right,
            "{label:?} spans {rect:?}, outside the CMK column {column_left}..{column_right}"
        );
        assert!(
            window.contains_rect(rect),
            "{label:?} spans {rect:?}, off screen"
        );
        count += 1;
    }
    count
}

#[test]
fn at_the_default_size_key_badges_and_aliases_are_shown_in_full() {
    let mut test = UiTest::start(|_| {});
    test.harness.set_size(ossguard::ui::WINDOW_SIZE);
    test.open_demo();
    test.step_until("every key described", |h| {
        h.state().view().table.counts().get(Category::KeyUnusable) == UNUSABLE
    });
    test.harness.get_by_label("State").click();
    test.settle();
    test.harness
        .get_by_label(&format!("Key unusable ({UNUSABLE})"))
        .click();
    test.settle();
    assert_eq!(test.visible_bucket_names().len(), UNUSABLE);

    let small = egui::TextStyle::Small;
    assert_eq!(assert_shown_in_full(&test, "Disabled", &small), 4);
    assert_eq!(
        assert_shown_in_full(&test, "Pending deletion on 20", &small),
        4
    );
    assert_eq!(assert_shown_in_full(&test, "Other region", &small), 1);
    let body = egui::TextStyle::Body;
    assert_eq!(assert_shown_in_full(&test, "alias/disabled-", &body), 4);
    // The key ID is the part that shrinks; its full text stays for hover and screen readers.
    assert!(
        test.harness
            .query_by_label("key-cnhangzhou-disabled-demo")
            .is_some()
    );
}

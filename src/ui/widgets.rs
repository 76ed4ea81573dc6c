//! Small shared widgets: the encryption badge and the OSS error block.

use egui::{Color32, RichText};

use crate::app::view::Category;
use crate::core::sse::{EncryptionState, ReadFailure};

/// The badge colour of a category: red for "not encrypted", grey for unknown or pending.
pub fn category_color(category: Category, visuals: &egui::Visuals) -> Color32 {
    match category {
        Category::NotEncrypted => visuals.error_fg_color,
        Category::Unknown => visuals.warn_fg_color,
        Category::KeyUnusable => visuals.error_fg_color,
        Category::Pending => visuals.weak_text_color(),
        Category::Aes256 => Color32::from_rgb(70, 150, 220),
        Category::Kms => Color32::from_rgb(60, 170, 90),
        Category::KmsSm4 => Color32::from_rgb(40, 150, 140),
        Category::Sm4 => Color32::from_rgb(150, 110, 200),
    }
}

/// The encryption badge: None / AES256 / KMS / KMS + SM4 / SM4 / Unknown (with its reason on
/// hover).
pub fn sse_badge_ui(ui: &mut egui::Ui, state: Option<&EncryptionState>) -> egui::Response {
    let category = Category::of(state);
    let color = category_color(category, ui.visuals());
    let text = RichText::new(category.label()).color(color).strong();
    let response = ui.add(egui::Label::new(text).selectable(false));
    match state {
        Some(EncryptionState::Unknown(failure)) => {
            response.on_hover_text(format!("{}: {}", failure.code, failure.hint))
        }
        _ => response,
    }
}

/// OSS's Code, Message and RequestId (copyable), with the plain hint underneath.
pub fn error_block_ui(ui: &mut egui::Ui, title: &str, failure: &ReadFailure) {
    let error = ui.visuals().error_fg_color;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(title).color(error).strong());
        ui.label(RichText::new(&failure.hint).strong());
        egui::Grid::new(("error_block", title))
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("Code");
                ui.label(&failure.code);
                ui.end_row();
                ui.label("Message");
                ui.label(&failure.message);
                ui.end_row();
                if let Some(id) = &failure.request_id {
                    ui.label("RequestId");
                    ui.horizontal(|ui| {
                        ui.label(id);
                        if ui.small_button("Copy request id").clicked() {
                            ui.ctx().copy_text(id.clone());
                        }
                    });
                    ui.end_row();
                }
            });
    });
}

/// A text field with a visible label tied to it, so tests and screen readers find it.
pub fn labelled_text_ui(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.text_edit_singleline(value).labelled_by(label.id)
    })
    .inner
}

/// A combo box with its label before it (egui's own puts the label after the box), tied to
/// it for screen readers and tests.
pub fn labelled_combo_ui(
    ui: &mut egui::Ui,
    label: &str,
    selected: &str,
    add_contents: impl FnOnce(&mut egui::Ui),
) -> egui::Response {
    ui.horizontal(|ui| {
        let label_response = ui.label(label);
        egui::ComboBox::from_id_salt(label)
            .selected_text(selected)
            .show_ui(ui, add_contents)
            .response
            .labelled_by(label_response.id)
    })
    .inner
}

/// Like [`labelled_text_ui`], masked: for secrets.
pub fn labelled_password_ui(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).password(true))
            .labelled_by(label.id)
    })
    .inner
}

fn rule_form_focus_id() -> egui::Id {
    egui::Id::unique("focus_rule_form")
}

/// Enter in the table: the change form takes the keyboard on its next frame.
pub fn request_rule_form_focus(ctx: &egui::Context) {
    ctx.data_mut(|d| d.insert_temp(rule_form_focus_id(), true));
}

/// Whether the form should take the keyboard now (true once per request).
pub fn take_rule_form_focus(ui: &egui::Ui) -> bool {
    ui.data_mut(|d| d.remove_temp::<bool>(rule_form_focus_id()))
        .unwrap_or(false)
}

/// A label cut with "…" when its column is narrow; egui shows the full text on hover.
pub fn cut_label(ui: &mut egui::Ui, text: impl Into<egui::WidgetText>) -> egui::Response {
    ui.add(egui::Label::new(text).truncate())
}

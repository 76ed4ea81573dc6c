//! A CMK's health in the table (alias and badges) and in the detail panel (facts, and for an
//! unusable key the reason and the fix). The decisions come from
//! [`crate::core::kms::health`]; this file only draws them.

use egui::RichText;

use crate::app::view::Category;
use crate::core::kms::health::{KeyHealth, badges, unusable_reason};
use crate::core::sse::EncryptionState;

/// The table's CMK cell after the Copy button: the badges first, in full (red when the key
/// cannot protect the bucket), then the first alias and the key ID, which are cut with "…"
/// when the column is narrow (egui shows the full text on hover). A badge that is cut says
/// nothing ("Pending deletion on 2…"), while an alias or ID stays recognisable by its start.
pub fn key_cell_ui(ui: &mut egui::Ui, id: &str, health: Option<(&KeyHealth, bool)>) {
    if let Some((health, found_elsewhere)) = health {
        let color = match health.usable {
            Some(false) => ui.visuals().error_fg_color,
            Some(true) => ui.visuals().text_color(),
            None => ui.visuals().warn_fg_color,
        };
        for badge in badges(health, found_elsewhere) {
            ui.add(egui::Label::new(RichText::new(badge).small().color(color)).extend());
        }
        if let Some(alias) = &health.alias {
            ui.add(egui::Label::new(RichText::new(alias).weak()).truncate());
        }
    }
    ui.add(egui::Label::new(id).truncate());
}

/// The Encryption badge of a rule whose CMK cannot be used: "!" and the rule's name (the
/// default fonts have no warning sign) in the error colour, the reason and the fix on hover,
/// so that it does not read as a healthy green "KMS".
pub fn unusable_badge_ui(
    ui: &mut egui::Ui,
    state: Option<&EncryptionState>,
    (reason, fix): &(String, String),
) -> egui::Response {
    let text = format!("! {}", Category::of(state).label());
    let text = RichText::new(text)
        .color(ui.visuals().error_fg_color)
        .strong();
    ui.add(egui::Label::new(text).selectable(false))
        .on_hover_text(format!("Key unusable: {reason}\nFix: {fix}"))
}

/// The detail panel's key section.
pub fn key_details_ui(ui: &mut egui::Ui, health: &KeyHealth) {
    egui::CollapsingHeader::new("KMS key (DescribeKey)")
        .default_open(true)
        .show(ui, |ui| {
            if let Some((reason, fix)) = unusable_reason(health) {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Key unusable: {reason}"),
                );
                ui.label(format!("Fix: {fix}"));
            }
            if let Some(error) = &health.error {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("KMS could not be asked: {}: {}", error.code, error.message),
                );
                ui.label(
                    "Fix: allow kms:DescribeKey (and kms:ListAliases) in the RAM policy, or check \
                     that KMS is activated in this region.",
                );
            }
            let none = || "-".to_owned();
            let facts = [
                ("Key", health.id.clone()),
                ("KeyId", health.key_id.clone().unwrap_or_else(none)),
                ("Alias", health.alias.clone().unwrap_or_else(none)),
                ("Region", health.region.clone()),
                ("State", health.state.clone().unwrap_or_else(none)),
                ("Spec", health.key_spec.clone().unwrap_or_else(none)),
                ("Origin", health.origin.clone().unwrap_or_else(none)),
                (
                    "Protection",
                    health.protection_level.clone().unwrap_or_else(none),
                ),
                (
                    "Deletion date",
                    health.delete_date.clone().unwrap_or_else(none),
                ),
            ];
            egui::Grid::new("key_facts").num_columns(2).show(ui, |ui| {
                for (name, value) in facts {
                    ui.weak(name);
                    ui.label(value);
                    ui.end_row();
                }
            });
        });
}

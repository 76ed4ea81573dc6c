//! A CMK's health in the table (alias and badges) and in the detail panel (facts, and for an
//! unusable key the reason and the fix). The decisions come from
//! [`crate::core::kms::health`]; this file only draws them.

use egui::RichText;

use crate::core::kms::health::{KeyHealth, badges, unusable_reason};

/// The table's CMK cell after the key ID: the first alias and the badges, red when the key
/// cannot protect the bucket.
pub fn key_cell_ui(ui: &mut egui::Ui, health: &KeyHealth, found_elsewhere: bool) {
    if let Some(alias) = &health.alias {
        ui.weak(alias);
    }
    let color = match health.usable {
        Some(false) => ui.visuals().error_fg_color,
        Some(true) => ui.visuals().text_color(),
        None => ui.visuals().warn_fg_color,
    };
    for badge in badges(health, found_elsewhere) {
        ui.label(RichText::new(badge).small().color(color));
    }
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

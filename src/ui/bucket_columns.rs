//! The bucket table's columns: how wide each starts and how narrow it may get, and what
//! each cell shows.

use egui_extras::Column;

use crate::app::command::{Command, CommandSender};
use crate::app::state::BucketRow;
use crate::app::view::{SortColumn, row_status};
use crate::core::kms::health::unusable_reason;
use crate::core::sse::EncryptionState;

use super::widgets::{cut_label, sse_badge_ui};

/// A column's preferred width and how narrow it may shrink (text is cut with "…" and shown
/// in full on hover). The CMK column never gets narrower than its Copy button and the longest
/// health badge ("Pending deletion on 2026-12-08"), which are never cut.
fn column_widths(column: SortColumn) -> (f32, f32) {
    match column {
        SortColumn::Name => (210.0, 90.0),
        SortColumn::Encryption => (95.0, 70.0),
        SortColumn::Region => (110.0, 50.0),
        SortColumn::KeyId => (300.0, 190.0),
        SortColumn::DataEncryption => (110.0, 50.0),
        SortColumn::Created => (95.0, 50.0),
        SortColumn::Status => (160.0, 60.0),
        SortColumn::Account => (180.0, 70.0),
    }
}

/// The columns' widths the first time a set of columns is shown: the preferred widths,
/// scaled down (not below each minimum) to fit `width`; what still does not fit scrolls
/// sideways. Later, egui remembers the widths the user dragged. The last column takes what a
/// wide window has left.
pub fn column_specs(columns: &[SortColumn], width: f32) -> Vec<Column> {
    let preferred: f32 = columns.iter().map(|c| column_widths(*c).0).sum();
    let scale = (width / preferred).clamp(0.0, 1.0);
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let (initial, least) = column_widths(*column);
            let spec = if i + 1 == columns.len() {
                Column::remainder()
            } else {
                Column::initial((initial * scale).max(least))
            };
            spec.at_least(least).clip(true)
        })
        .collect()
}

/// One cell of `row` (and its Account column's text); `key` is the health of the row's CMK
/// (and whether it exists in another region).
pub fn cell_ui(
    ui: &mut egui::Ui,
    column: SortColumn,
    (row, account): (&BucketRow, Option<&str>),
    key: Option<(&crate::core::kms::health::KeyHealth, bool)>,
    commands: &CommandSender,
) {
    let state = row.encryption.as_ref();
    let rule = state.and_then(EncryptionState::rule);
    let unusable = key.and_then(|(health, _)| unusable_reason(health));
    match column {
        SortColumn::Name => {
            cut_label(ui, row.bucket.name.as_str());
        }
        SortColumn::Account => {
            cut_label(ui, account.unwrap_or_default());
        }
        SortColumn::Region => {
            cut_label(ui, &row.bucket.region);
        }
        SortColumn::Encryption => match &unusable {
            Some(reason) => {
                super::key_health::unusable_badge_ui(ui, state, reason);
            }
            None => {
                sse_badge_ui(ui, state);
            }
        },
        SortColumn::KeyId => {
            if let Some(id) = rule.and_then(|r| r.kms_key_id()) {
                if ui
                    .small_button("Copy")
                    .on_hover_text("Copy the CMK ID")
                    .clicked()
                {
                    ui.ctx().copy_text(id.to_owned());
                }
                super::key_health::key_cell_ui(ui, id, key);
            } else if matches!(rule, Some(crate::core::sse::SseRule::Kms { .. })) {
                cut_label(ui, egui::RichText::new("default key").weak());
            }
        }
        SortColumn::DataEncryption => {
            if let Some(data) = rule.and_then(|r| r.data_encryption()) {
                cut_label(ui, data);
            }
        }
        SortColumn::Created => {
            let date = &row.bucket.creation_date;
            cut_label(ui, date.get(..10).unwrap_or(date));
        }
        SortColumn::Status => {
            if ui
                .small_button("Refresh")
                .on_hover_text("Refresh this bucket")
                .clicked()
            {
                commands.send(Command::RefreshBucket { bucket: row.key() });
            }
            let text = row_status(row, unusable.is_some());
            match (state, &unusable) {
                (Some(EncryptionState::Unknown(f)), _) => {
                    cut_label(ui, text).on_hover_text(&f.hint);
                }
                (_, Some((reason, _)))
                    if row.verification.is_none()
                        && matches!(row.activity, crate::app::state::RowActivity::Idle) =>
                {
                    let error = ui.visuals().error_fg_color;
                    cut_label(ui, egui::RichText::new(text).color(error)).on_hover_text(reason);
                }
                _ => {
                    cut_label(ui, text);
                }
            }
        }
    }
}

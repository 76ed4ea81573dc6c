//! The History window's table of every change: a virtualized `egui_extras` table (only the
//! rows in sight are laid out), each row with its undo.

use egui_extras::{Column, TableBuilder};

use crate::app::change::history::History;
use crate::app::changelog::ChangeRecord;
use crate::app::state::AppState;

use super::super::confirm_dialog::ConfirmRequest;
use super::super::widgets::cut_label;
use super::{HistoryWindow, owner_for};

/// The change table's columns: title, starting width, and whether text is cut with "…"
/// (shown in full on hover). Undo, last, takes what is left.
const COLUMNS: [(&str, f32, bool); 9] = [
    ("Time", 125.0, false),
    ("Bucket", 140.0, true),
    ("Profile", 80.0, true),
    ("AccessKey ID", 120.0, true),
    ("Before", 120.0, true),
    ("After", 120.0, true),
    ("Written", 60.0, false),
    ("Verified", 60.0, false),
    ("Bulk change", 90.0, true),
];

/// The positions in the log of the changes to show, newest first: those to buckets whose
/// name contains `filter` (already lowercase; bucket names are lowercase by OSS's naming
/// rules, so no record needs lowercasing).
fn shown_changes(history: &History, filter: &str) -> Vec<usize> {
    let records = history.records();
    (0..records.len())
        .rev()
        .filter(|i| filter.is_empty() || records.get(*i).is_some_and(|r| r.bucket.contains(filter)))
        .collect()
}

/// Every change, newest first: time, bucket, profile, AccessKey ID, before, after, written,
/// verified, and its undo (or why it has none). A virtualized table: only the rows in sight
/// are laid out, so a log of thousands of changes stays quick.
pub(super) fn changes_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    history: &History,
    window: &mut HistoryWindow,
    busy: bool,
) -> Option<ConfirmRequest> {
    let filter = window.filter.trim().to_lowercase();
    let shown = shown_changes(history, &filter);
    let records = history.records();
    let scroll_to = std::mem::take(&mut window.scroll_to_highlight)
        .then_some(window.highlight.as_deref())
        .flatten()
        .and_then(|id| {
            shown
                .iter()
                .position(|i| records.get(*i).is_some_and(|r| r.id == id))
        });
    let row_height = ui.spacing().interact_size.y + 4.0;
    let mut confirm = None;
    let mut followed = None;
    let height = ui.available_height();
    egui::ScrollArea::horizontal()
        .id_salt("change_history_h")
        .show(ui, |ui| {
            let mut builder = TableBuilder::new(ui)
                .id_salt("change_history")
                .striped(true)
                .resizable(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .min_scrolled_height(0.0)
                .max_scroll_height(height);
            for (_, width, clip) in COLUMNS {
                builder = builder.column(Column::initial(width).at_least(40.0).clip(clip));
            }
            builder = builder.column(Column::remainder().at_least(170.0).clip(true));
            if let Some(row) = scroll_to {
                builder = builder.scroll_to_row(row, Some(egui::Align::Center));
            }
            builder
                .header(20.0, |mut header| {
                    for title in COLUMNS.iter().map(|c| c.0).chain(["Undo"]) {
                        header.col(|ui| {
                            ui.strong(title);
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, shown.len(), |mut row| {
                        let Some(record) = shown.get(row.index()).and_then(|i| records.get(*i))
                        else {
                            return;
                        };
                        change_cells_ui(&mut row, record, window.highlight.as_deref());
                        row.col(|ui| match undo_cell_ui(ui, state, history, record, busy) {
                            Ok(Some(request)) => confirm = Some(request),
                            Ok(None) => {}
                            Err(target) => followed = Some(target),
                        });
                    });
                });
        });
    if let Some(target) = followed {
        window.highlight = Some(target);
        window.scroll_to_highlight = true;
    }
    confirm
}

/// A change's cells before its undo; its time stands out when it is `highlight`.
fn change_cells_ui(
    row: &mut egui_extras::TableRow<'_, '_>,
    record: &ChangeRecord,
    highlight: Option<&str>,
) {
    row.col(|ui| {
        let time = local_time(record);
        if highlight == Some(record.id.as_str()) {
            ui.label(egui::RichText::new(time).strong().underline());
        } else {
            ui.label(time);
        }
    });
    row.col(|ui| {
        cut_label(ui, &record.bucket);
    });
    row.col(|ui| {
        let profile = cut_label(ui, &record.profile);
        if let Some(id) = &record.account_id {
            profile.on_hover_text(format!("account {id}"));
        }
    });
    row.col(|ui| {
        cut_label(ui, &record.access_key_id);
    });
    row.col(|ui| {
        cut_label(ui, record.before.describe());
    });
    row.col(|ui| {
        cut_label(ui, record.after.describe());
    });
    row.col(|ui| {
        ui.label(yes_no(record.written, record.interrupted()));
    });
    row.col(|ui| {
        ui.label(yes_no(record.verified, record.interrupted()));
    });
    row.col(|ui| {
        cut_label(ui, record.batch.as_deref().unwrap_or_default());
    });
}

/// The undo column: a link to the change an undo undid, "undone", or the Undo button (or
/// why there is none). `Err(id)`: the user followed a link to change `id`.
fn undo_cell_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    history: &History,
    record: &ChangeRecord,
    busy: bool,
) -> Result<Option<ConfirmRequest>, String> {
    if let Some(of) = &record.undo_of {
        let link = ui.link(format!("undo of {of}"));
        return if link.clicked() {
            Err(of.clone())
        } else {
            Ok(None)
        };
    }
    if history.is_undone(record) {
        ui.weak("undone");
        return Ok(None);
    }
    let Some((owner, profile)) = owner_for(state, record) else {
        ui.weak("connect to undo");
        return Ok(None);
    };
    match history.undo(record, owner) {
        Ok(undo) => {
            let button = egui::Button::new(format!("Undo change to {}", record.bucket));
            let clicked = ui
                .add_enabled(!busy, button)
                .on_hover_text(format!("Restore {}", undo.change.describe()))
                .clicked();
            Ok(clicked.then(|| {
                let undos = vec![(undo, profile.map(str::to_owned))];
                ConfirmRequest::for_undo(state, undos, &record.id, Vec::new())
            }))
        }
        Err(reason) => {
            ui.weak("—").on_hover_text(reason);
            Ok(None)
        }
    }
}

pub(super) fn local_time(record: &ChangeRecord) -> String {
    record
        .time
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn yes_no(value: bool, interrupted: bool) -> &'static str {
    match (interrupted, value) {
        (true, _) => "interrupted",
        (_, true) => "yes",
        (_, false) => "no",
    }
}

//! The activity log panel: every HTTP attempt with time, bucket, operation, outcome and
//! request id. Built from `CallRecord`s, which hold no secret.

use egui_extras::{Column, TableBuilder};

use crate::app::state::AppState;

pub fn activity_log_ui(ui: &mut egui::Ui, state: &AppState) {
    let entries = state.activity.entries();
    ui.horizontal(|ui| {
        ui.strong("Activity log");
        ui.weak(format!("{} requests", entries.len()));
    });
    let row_height = egui::TextStyle::Body.resolve(ui.style()).size + 4.0;
    TableBuilder::new(ui)
        .id_salt("activity")
        .striped(true)
        .resizable(true)
        .stick_to_bottom(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(70.0))
        .column(Column::initial(190.0).clip(true))
        .column(Column::initial(170.0))
        .column(Column::initial(160.0).clip(true))
        .column(Column::initial(60.0))
        .column(Column::remainder().clip(true))
        .header(20.0, |mut header| {
            for title in ["Time", "Bucket", "Operation", "Outcome", "ms", "Request ID"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, entries.len(), |mut row| {
                let Some(entry) = entries.get(row.index()) else {
                    return;
                };
                row.col(|ui| {
                    ui.label(&entry.time);
                });
                row.col(|ui| {
                    ui.label(&entry.bucket);
                });
                row.col(|ui| {
                    ui.label(entry.operation);
                });
                row.col(|ui| {
                    let outcome = match (entry.status, entry.attempt) {
                        (Some(status), 1) => format!("{} ({status})", entry.outcome),
                        (Some(status), n) => format!("{} ({status}, try {n})", entry.outcome),
                        (None, _) => entry.outcome.clone(),
                    };
                    if entry.is_ok() {
                        ui.label(outcome);
                    } else {
                        ui.colored_label(ui.visuals().error_fg_color, outcome);
                    }
                });
                row.col(|ui| {
                    ui.label(entry.elapsed_ms.to_string());
                });
                row.col(|ui| {
                    ui.label(&entry.request_id);
                });
            });
        });
}

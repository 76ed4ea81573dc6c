//! The activity log panel: every HTTP attempt with time, bucket, operation, outcome and
//! request id, filtered by bucket and level, copyable. Built from `CallRecord`s, which hold
//! no secret.

use egui_extras::{Column, TableBuilder};

use crate::app::activity::{ActivityLevel, ActivityView};
use crate::app::state::AppState;

/// The level's colour: expected answers are neutral, only errors are red.
fn level_color(level: ActivityLevel, visuals: &egui::Visuals) -> egui::Color32 {
    match level {
        ActivityLevel::Ok | ActivityLevel::Expected => visuals.text_color(),
        ActivityLevel::Error => visuals.error_fg_color,
    }
}

pub fn activity_log_ui(ui: &mut egui::Ui, state: &AppState, view: &mut ActivityView) {
    let log = &state.activity;
    view.update(log);
    ui.horizontal_wrapped(|ui| {
        ui.strong("Activity log");
        ui.weak(format!(
            "{} of {} requests",
            view.indices().len(),
            log.len()
        ));
        ui.separator();
        let label = ui.label("Bucket contains");
        ui.add(
            egui::TextEdit::singleline(&mut view.filter.bucket)
                .hint_text("any")
                .desired_width(140.0),
        )
        .labelled_by(label.id);
        let levels = [
            (ActivityLevel::Ok, "All levels"),
            (ActivityLevel::Expected, "Expected and errors"),
            (ActivityLevel::Error, "Errors only"),
        ];
        let selected = levels
            .iter()
            .find(|(l, _)| *l == view.filter.min_level)
            .map_or("All levels", |(_, t)| t);
        egui::ComboBox::from_label("Level")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                for (level, text) in levels {
                    ui.selectable_value(&mut view.filter.min_level, level, text);
                }
            });
        if ui
            .button("Copy lines")
            .on_hover_text("Copy the shown lines (tab-separated)")
            .clicked()
        {
            ui.ctx().copy_text(view.to_text(log));
        }
    });
    let entries = log.entries();
    let indices = view.indices();
    let row_height = egui::TextStyle::Body.resolve(ui.style()).size + 4.0;
    let visuals = ui.visuals().clone();
    TableBuilder::new(ui)
        .id_salt("activity")
        .striped(true)
        .resizable(true)
        .stick_to_bottom(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(70.0))
        .column(Column::initial(190.0).clip(true))
        .column(Column::initial(170.0).clip(true))
        .column(Column::initial(260.0).clip(true))
        .column(Column::initial(70.0))
        .column(Column::initial(50.0))
        .column(Column::remainder().clip(true))
        .header(20.0, |mut header| {
            for title in [
                "Time",
                "Bucket",
                "Operation",
                "Outcome",
                "Level",
                "ms",
                "Request ID",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, indices.len(), |mut row| {
                let Some(entry) = indices.get(row.index()).and_then(|i| entries.get(*i)) else {
                    return;
                };
                let color = level_color(entry.level, &visuals);
                row.col(|ui| {
                    ui.label(&entry.time);
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(&entry.bucket).truncate());
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(entry.operation).truncate());
                });
                row.col(|ui| {
                    let text = egui::RichText::new(entry.outcome_text()).color(color);
                    ui.add(egui::Label::new(text).truncate());
                });
                row.col(|ui| {
                    let text = egui::RichText::new(entry.level.label()).color(color);
                    ui.label(text);
                });
                row.col(|ui| {
                    ui.label(entry.elapsed_ms.to_string());
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(&entry.request_id).truncate());
                });
            });
        });
}

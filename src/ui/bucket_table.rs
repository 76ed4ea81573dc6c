//! The bucket table: filter bar, summary counts and a virtualized `egui_extras` table. Only
//! the visible rows are laid out (`body.rows`), and the filtered, sorted index list is cached
//! in [`TableView`](crate::app::view::TableView), so 10,000 rows stay smooth.

use egui::{Role, WidgetInfo};
use egui_extras::{Column, TableBuilder};

use crate::app::command::{Command, CommandSender};
use crate::app::state::{AppState, BucketRow};
use crate::app::view::{Category, SortColumn, status_text};
use crate::core::sse::EncryptionState;

use super::app::ViewState;
use super::rule_form::RuleDraft;
use super::widgets::sse_badge_ui;

pub fn table_area_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    filter_bar_ui(ui, view);
    ui.horizontal(|ui| {
        let counts = view.table.counts();
        ui.label(counts.summary());
        let shown = view.table.indices().len();
        if shown != counts.total {
            ui.weak(format!("({shown} shown)"));
        }
        if !view.ticked.is_empty() {
            ui.separator();
            ui.label(format!("{} selected", view.ticked.len()));
            if ui.small_button("Clear selection").clicked() {
                view.ticked.clear();
            }
        }
    });
    ui.separator();
    table_ui(ui, state, view, commands);
}

fn filter_bar_ui(ui: &mut egui::Ui, view: &mut ViewState) {
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut view.table.filter_text)
                .hint_text("name, region, key, error code")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
        let selected = view
            .table
            .state_filter
            .map_or("All states", Category::label);
        let counts = view.table.counts().clone();
        egui::ComboBox::from_label("State")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.table.state_filter, None, "All states");
                for category in Category::ALL {
                    // The count makes each entry's label unique (badges say "None" too).
                    let text = format!("{} ({})", category.label(), counts.get(category));
                    ui.selectable_value(&mut view.table.state_filter, Some(category), text);
                }
            });
    });
}

fn header_label(view: &ViewState, column: SortColumn, title: &str) -> String {
    if view.table.sort != column {
        return title.to_owned();
    }
    let arrow = if view.table.ascending {
        "(asc)"
    } else {
        "(desc)"
    };
    format!("{title} {arrow}")
}

fn table_ui(ui: &mut egui::Ui, state: &AppState, view: &mut ViewState, commands: &CommandSender) {
    let row_height = egui::TextStyle::Body
        .resolve(ui.style())
        .size
        .max(ui.spacing().interact_size.y)
        + 4.0;
    // Labels must not eat clicks meant for the row.
    ui.style_mut().interaction.selectable_labels = false;
    let mut clicked: Option<usize> = None;
    let mut toggled: Option<crate::core::model::BucketName> = None;
    let mut sort_by: Option<SortColumn> = None;
    let indices = view.table.indices();
    TableBuilder::new(ui)
        .id_salt("buckets")
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(24.0))
        .column(Column::initial(210.0).at_least(120.0).clip(true))
        .column(Column::initial(110.0).at_least(60.0))
        .column(Column::initial(95.0).at_least(60.0))
        .column(Column::initial(230.0).at_least(80.0).clip(true))
        .column(Column::initial(110.0).at_least(60.0))
        .column(Column::initial(95.0).at_least(60.0))
        .column(Column::remainder().at_least(80.0).clip(true))
        .header(24.0, |mut header| {
            header.col(|_| {});
            for column in SortColumn::ALL {
                let title = column.title();
                header.col(|ui| {
                    let text = header_label(view, column, title);
                    if ui
                        .add(egui::Button::new(egui::RichText::new(text).strong()).frame(false))
                        .on_hover_text("Sort by this column")
                        .clicked()
                    {
                        sort_by = Some(column);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_height, indices.len(), |mut table_row| {
                let Some(row) = indices
                    .get(table_row.index())
                    .and_then(|i| state.rows().get(*i))
                else {
                    return;
                };
                let name = &row.bucket.name;
                let is_primary = view.primary.as_ref() == Some(name);
                table_row.set_selected(is_primary || view.ticked.contains(name));
                table_row.col(|ui| {
                    let mut ticked = view.ticked.contains(name);
                    let response = ui.checkbox(&mut ticked, "");
                    response.widget_info(|| {
                        WidgetInfo::selected(Role::CheckBox, true, ticked, format!("Select {name}"))
                    });
                    if response.clicked() {
                        toggled = Some(name.clone());
                    }
                });
                row_cells_ui(&mut table_row, row, commands);
                if table_row.response().clicked() {
                    clicked = Some(table_row.index());
                }
            });
        });
    if let Some(column) = sort_by {
        view.table.toggle_sort(column);
    }
    let name_at = |position: usize| {
        view.table
            .indices()
            .get(position)
            .and_then(|i| state.rows().get(*i))
            .map(|r| r.bucket.name.clone())
    };
    if let Some(position) = clicked
        && let Some(name) = name_at(position)
    {
        // The form starts from the bucket's current rule.
        let rule = state
            .row(&name)
            .and_then(|r| r.encryption.as_ref())
            .and_then(EncryptionState::rule);
        view.rule_form = RuleDraft::from_rule(rule);
        view.primary = Some(name);
    }
    if let Some(name) = toggled
        && !view.ticked.remove(&name)
    {
        view.ticked.insert(name);
    }
}

fn row_cells_ui(
    table_row: &mut egui_extras::TableRow<'_, '_>,
    row: &BucketRow,
    commands: &CommandSender,
) {
    let state = row.encryption.as_ref();
    let rule = state.and_then(EncryptionState::rule);
    table_row.col(|ui| {
        ui.label(row.bucket.name.as_str());
    });
    table_row.col(|ui| {
        ui.label(&row.bucket.region);
    });
    table_row.col(|ui| {
        sse_badge_ui(ui, state);
    });
    table_row.col(|ui| {
        if let Some(key) = rule.and_then(|r| r.kms_key_id()) {
            if ui
                .small_button("Copy")
                .on_hover_text("Copy the CMK ID")
                .clicked()
            {
                ui.ctx().copy_text(key.to_owned());
            }
            ui.label(key);
        } else if matches!(rule, Some(crate::core::sse::SseRule::Kms { .. })) {
            ui.weak("default key");
        }
    });
    table_row.col(|ui| {
        if let Some(data) = rule.and_then(|r| r.data_encryption()) {
            ui.label(data);
        }
    });
    table_row.col(|ui| {
        ui.label(
            row.bucket
                .creation_date
                .get(..10)
                .unwrap_or(&row.bucket.creation_date),
        );
    });
    table_row.col(|ui| {
        let text = status_text(row);
        let response = ui.label(&text);
        if let Some(EncryptionState::Unknown(f)) = state {
            response.on_hover_text(&f.hint);
        }
        if ui
            .small_button("Refresh")
            .on_hover_text("Refresh this bucket")
            .clicked()
        {
            commands.send(Command::RefreshBucket {
                bucket: row.bucket.name.clone(),
            });
        }
    });
}

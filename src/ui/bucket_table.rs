//! The bucket table: the filter bar ([`super::filter_bar`]) and summary counts above a
//! virtualized `egui_extras` table whose cells [`super::bucket_columns`] draws. Only
//! the visible rows are laid out (`body.rows`), and the filtered, sorted index list is cached
//! in [`TableView`](crate::app::view::TableView), so 10,000 rows stay smooth.
//!
//! Keys and clicks are translated into [`Selection`](crate::app::selection::Selection)
//! calls; what they mean is decided there.

use egui::{Key, Modifiers, Role, WidgetInfo};
use egui_extras::{Column, TableBuilder};

use crate::app::command::CommandSender;
use crate::app::row::RowKey;
use crate::app::selection::TickState;
use crate::app::state::AppState;
use crate::app::view::SortColumn;
use crate::core::sse::EncryptionState;

use super::app::ViewState;
use super::bucket_columns::{cell_ui, column_specs};
use super::filter_bar::{filter_bar_ui, filter_id, selection_line_ui};
use super::rule_form::RuleDraft;
use super::widgets::request_rule_form_focus;

pub fn table_area_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    filter_bar_ui(ui, view, state.is_all_profiles());
    super::overview::overview_ui(ui, state, &mut view.table);
    let total = view.table.counts().total;
    let shown = view.table.indices().len();
    if shown != total || !view.selection.ticked.is_empty() {
        selection_line_ui(ui, view, shown, total);
    }
    ui.separator();
    keyboard_ui(ui, state, view);
    egui::ScrollArea::horizontal()
        .id_salt("buckets_h")
        .show(ui, |ui| table_ui(ui, state, view, commands));
}

/// Table keys, while no text field or dialog has the keyboard.
fn keyboard_ui(ui: &mut egui::Ui, state: &AppState, view: &mut ViewState) {
    let ctx = ui.ctx().clone();
    if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
        ctx.memory_mut(|m| m.request_focus(filter_id()));
        return;
    }
    let dialog_open = view.confirm.is_some() || view.profile_dialog.is_some() || view.export.open;
    if dialog_open || ctx.egui_wants_keyboard_input() || ctx.memory(|m| m.focused().is_some()) {
        return;
    }
    let rows = view.table.names();
    let selection = &mut view.selection;
    let before = selection.primary.clone();
    let enter = ctx.input_mut(|i| {
        for (key, delta) in [(Key::ArrowDown, 1), (Key::ArrowUp, -1)] {
            if i.consume_key(Modifiers::SHIFT, key) {
                selection.step(rows, delta, true);
            } else if i.consume_key(Modifiers::NONE, key) {
                selection.step(rows, delta, false);
            }
        }
        if i.consume_key(Modifiers::COMMAND, Key::A) {
            selection.toggle_all(rows, view.table.shown());
        }
        if i.consume_key(Modifiers::NONE, Key::Space) {
            selection.toggle_primary();
        }
        if i.consume_key(Modifiers::NONE, Key::Escape) {
            selection.clear();
        }
        i.consume_key(Modifiers::NONE, Key::Enter)
    });
    if enter && view.selection.primary.is_some() {
        request_rule_form_focus(&ctx);
    }
    if view.selection.primary != before {
        focus_changed(state, view);
        view.scroll_to_primary = true;
    }
}

/// The form starts from the newly focused bucket's current rule.
fn focus_changed(state: &AppState, view: &mut ViewState) {
    let rule = view
        .selection
        .primary
        .as_ref()
        .and_then(|n| state.row_by_key(n))
        .and_then(|r| r.encryption.as_ref())
        .and_then(EncryptionState::rule);
    view.rule_form = RuleDraft::from_rule(rule);
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
    let columns = view.table.columns_for(state.is_all_profiles());
    let mut clicked: Option<usize> = None;
    let mut toggled: Option<RowKey> = None;
    let mut toggle_all = false;
    let mut sort_by: Option<SortColumn> = None;
    let indices = view.table.indices();
    let scroll_to = std::mem::take(&mut view.scroll_to_primary)
        .then_some(view.selection.primary.as_ref())
        .flatten()
        .and_then(|p| view.table.names().iter().position(|n| n == p));
    let tick_state = view.selection.tick_state(view.table.shown());
    // The checkbox column and the gaps between columns.
    let spacing = ui.spacing().item_spacing.x * (columns.len() + 1) as f32;
    let specs = column_specs(&columns, ui.available_width() - 24.0 - spacing);
    let mut builder = TableBuilder::new(ui)
        // One remembered set of widths per choice of columns.
        .id_salt(("buckets", &columns))
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(24.0));
    if let Some(row) = scroll_to {
        builder = builder.scroll_to_row(row, None);
    }
    for spec in specs {
        builder = builder.column(spec);
    }
    builder
        .header(24.0, |mut header| {
            header.col(|ui| {
                let mut all = tick_state == TickState::All;
                let response = ui.add(
                    egui::Checkbox::new(&mut all, "").indeterminate(tick_state == TickState::Some),
                );
                response.widget_info(|| {
                    WidgetInfo::selected(Role::CheckBox, true, all, "Tick all shown rows")
                });
                if response
                    .on_hover_text("Tick all shown rows (Ctrl+A)")
                    .clicked()
                {
                    toggle_all = true;
                }
            });
            for column in &columns {
                let column = *column;
                header.col(|ui| {
                    let text = header_label(view, column, column.title());
                    let button = egui::Button::new(egui::RichText::new(text).strong())
                        .frame(false)
                        .truncate();
                    if ui
                        .add(button)
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
                let name = &row.key();
                let is_primary = view.selection.primary.as_ref() == Some(name);
                table_row.set_selected(is_primary || view.selection.ticked.contains(name));
                table_row.col(|ui| {
                    let mut ticked = view.selection.ticked.contains(name);
                    let response = ui.checkbox(&mut ticked, "");
                    response.widget_info(|| {
                        WidgetInfo::selected(Role::CheckBox, true, ticked, format!("Select {name}"))
                    });
                    if response.clicked() {
                        toggled = Some(name.clone());
                    }
                });
                let key = state
                    .key_health(row)
                    .map(|k| (k, state.key_found_elsewhere(k)));
                let account = row.profile.as_deref().map(|p| state.account_label(p));
                for column in &columns {
                    table_row.col(|ui| {
                        cell_ui(ui, *column, (row, account.as_deref()), key, commands);
                    });
                }
                if table_row.response().clicked() {
                    clicked = Some(table_row.index());
                }
            });
        });
    if let Some(column) = sort_by {
        view.table.toggle_sort(column);
    }
    if toggle_all {
        view.selection
            .toggle_all(view.table.names(), view.table.shown());
    }
    if let Some(position) = clicked {
        let shift = ui.input(|i| i.modifiers.shift);
        let before = view.selection.primary.clone();
        view.selection.click(view.table.names(), position, shift);
        if view.selection.primary != before {
            focus_changed(state, view);
        }
    }
    if let Some(name) = toggled {
        view.selection.toggle(&name);
    }
}

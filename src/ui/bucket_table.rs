//! The bucket table: filter bar, summary counts and a virtualized `egui_extras` table. Only
//! the visible rows are laid out (`body.rows`), and the filtered, sorted index list is cached
//! in [`TableView`](crate::app::view::TableView), so 10,000 rows stay smooth.
//!
//! Keys and clicks are translated into [`Selection`](crate::app::selection::Selection)
//! calls; what they mean is decided there.

use egui::{Key, Modifiers, Role, WidgetInfo};
use egui_extras::{Column, TableBuilder};

use crate::app::command::{Command, CommandSender};
use crate::app::row::RowKey;
use crate::app::selection::TickState;
use crate::app::state::{AppState, BucketRow};
use crate::app::view::{Category, SortColumn, status_text};
use crate::core::sse::EncryptionState;

use super::app::ViewState;
use super::rule_form::RuleDraft;
use super::widgets::{request_rule_form_focus, sse_badge_ui};

/// The filter field's id, so Ctrl+F can focus it.
fn filter_id() -> egui::Id {
    egui::Id::unique("bucket_filter")
}

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

/// "(n shown)" under a filter, and the ticked count with what the filter hides.
fn selection_line_ui(ui: &mut egui::Ui, view: &mut ViewState, shown: usize, total: usize) {
    ui.horizontal_wrapped(|ui| {
        if shown != total {
            ui.weak(format!("({shown} shown)"));
        }
        if !view.selection.ticked.is_empty() {
            ui.label(format!("{} ticked", view.selection.ticked.len()));
            let hidden = view.selection.hidden_ticked(view.table.shown());
            if hidden > 0 {
                ui.weak(format!("({hidden} hidden by the filter)"));
            }
            if ui.small_button("Clear selection").clicked() {
                view.selection.ticked.clear();
            }
        }
    });
}

fn filter_bar_ui(ui: &mut egui::Ui, view: &mut ViewState, all_profiles: bool) {
    // Wrapped: a row wider than the panel would widen it under the detail panel.
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Filter");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut view.table.filter_text)
                    .id(filter_id())
                    .hint_text("name, region, key, error code (Ctrl+F)")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
        // Esc in the field clears it (egui already drops the focus).
        if response.lost_focus() && ui.input(|i| i.key_pressed(Key::Escape)) {
            view.table.filter_text.clear();
        }
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
        column_chooser_ui(ui, view, all_profiles);
    });
}

fn column_chooser_ui(ui: &mut egui::Ui, view: &mut ViewState, all_profiles: bool) {
    ui.menu_button("Columns", |ui| {
        for column in SortColumn::ALL {
            if column == SortColumn::Account && !all_profiles {
                continue;
            }
            let mut shown = !view.table.hidden_columns.contains(&column);
            let response = ui.add_enabled(
                column.can_hide(),
                egui::Checkbox::new(&mut shown, column.title()),
            );
            if response.changed() {
                view.table.set_column_shown(column, shown);
            }
        }
    });
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
fn column_specs(columns: &[SortColumn], width: f32) -> Vec<Column> {
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

/// A label cut with "…" when its column is narrow; egui shows the full text on hover.
fn cut_label(ui: &mut egui::Ui, text: impl Into<egui::WidgetText>) -> egui::Response {
    ui.add(egui::Label::new(text).truncate())
}

/// One cell of `row` (and its Account column's text); `key` is the health of the row's CMK
/// (and whether it exists in another region).
fn cell_ui(
    ui: &mut egui::Ui,
    column: SortColumn,
    (row, account): (&BucketRow, Option<&str>),
    key: Option<(&crate::core::kms::health::KeyHealth, bool)>,
    commands: &CommandSender,
) {
    let state = row.encryption.as_ref();
    let rule = state.and_then(EncryptionState::rule);
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
        SortColumn::Encryption => {
            sse_badge_ui(ui, state);
        }
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
            let response = cut_label(ui, status_text(row));
            if let Some(EncryptionState::Unknown(f)) = state {
                response.on_hover_text(&f.hint);
            }
        }
    }
}

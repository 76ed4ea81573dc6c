//! Above the bucket table: the filter field, the state filter with its counts, the column
//! chooser, and the line saying how many rows are shown and ticked.

use egui::Key;

use crate::app::view::{Category, SortColumn};

use super::app::ViewState;

/// The filter field's id, so Ctrl+F can focus it.
pub fn filter_id() -> egui::Id {
    egui::Id::unique("bucket_filter")
}

/// "(n shown)" under a filter, and the ticked count with what the filter hides.
pub fn selection_line_ui(ui: &mut egui::Ui, view: &mut ViewState, shown: usize, total: usize) {
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

pub fn filter_bar_ui(ui: &mut egui::Ui, view: &mut ViewState, all_profiles: bool) {
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

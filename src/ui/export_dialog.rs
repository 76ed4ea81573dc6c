//! The export window: format, which rows (the filter's or all), and the file. The path field
//! is prefilled with a full path and a fresh name per format (CSV and JSON never share one);
//! Enter saves; a file that exists is replaced only after asking.

use std::path::{Path, PathBuf};

use crate::app::command::{Command, CommandSender, ExportRows};
use crate::app::event::ExportFormat;
use crate::app::export::default_file_name;
use crate::app::state::AppState;
use crate::app::view::TableView;

const FORMATS: [ExportFormat; 2] = [ExportFormat::Csv, ExportFormat::Json];

/// The export window's own state (kept while closed, so the paths are remembered).
#[derive(Debug, Default)]
pub struct ExportDialog {
    pub open: bool,
    format: ExportFormat,
    /// Only the rows the table's filter shows.
    follow_filter: bool,
    /// The path per format.
    paths: [String; 2],
    /// The last export this window saw land (it closes then).
    seen: Option<PathBuf>,
    /// Just opened: offer fresh names (profile and time) in the remembered folders.
    fresh: bool,
}

fn slot(format: ExportFormat) -> usize {
    match format {
        ExportFormat::Csv => 0,
        ExportFormat::Json => 1,
    }
}

impl ExportDialog {
    /// Opens with the filter's rows when a filter is on.
    pub fn show(&mut self, table: &TableView) {
        self.open = true;
        self.fresh = true;
        self.follow_filter = table.names().len() != table.counts().total;
    }

    /// A fresh full path in `dir` for `format`.
    fn fresh_path(dir: &Path, profile: &str, format: ExportFormat) -> String {
        let name = default_file_name(profile, chrono::Utc::now(), format);
        dir.join(name).display().to_string()
    }

    /// On opening, offers a fresh name per format in the folder last used for it; closes
    /// when an export landed.
    fn prepare(&mut self, state: &AppState, export_dir: &Path) {
        let profile = state.export_name();
        let landed = state
            .last_export
            .as_ref()
            .filter(|(_, p)| self.seen.as_ref() != Some(p));
        if let Some((format, path)) = landed.cloned() {
            self.seen = Some(path.clone());
            self.paths[slot(format)] = path.display().to_string();
            self.open = false;
        }
        if !std::mem::take(&mut self.fresh) {
            return;
        }
        for format in FORMATS {
            let path = &mut self.paths[slot(format)];
            let last = PathBuf::from(path.trim());
            let dir = last
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(export_dir);
            *path = Self::fresh_path(dir, profile, format);
        }
    }
}

pub fn export_dialog_ui(
    ctx: &egui::Context,
    state: &AppState,
    table: &TableView,
    dialog: &mut ExportDialog,
    commands: &CommandSender,
    export_dir: &Path,
) {
    dialog.prepare(state, export_dir);
    if !dialog.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Export the audit")
        .open(&mut open)
        .collapsible(false)
        .default_width(520.0)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .show(ctx, |ui| {
            let send = |path: Option<PathBuf>, format: ExportFormat, follow: bool, overwrite| {
                let rows = if follow {
                    ExportRows::Only(table.names().to_vec())
                } else {
                    ExportRows::All
                };
                commands.send(Command::Export {
                    format,
                    path,
                    rows,
                    overwrite,
                });
            };
            ui.horizontal(|ui| {
                ui.label("Format");
                for format in FORMATS {
                    ui.radio_value(&mut dialog.format, format, format.label());
                }
            });
            let (shown, total) = (table.names().len(), table.counts().total);
            ui.horizontal(|ui| {
                ui.label("Rows");
                // Without a filter both choices write the same rows.
                ui.add_enabled_ui(shown != total, |ui| {
                    ui.radio_value(
                        &mut dialog.follow_filter,
                        true,
                        format!("The {shown} rows the filter shows"),
                    );
                });
                ui.radio_value(
                    &mut dialog.follow_filter,
                    false,
                    format!("All {total} rows"),
                );
            });
            let (format, follow) = (dialog.format, dialog.follow_filter);
            let path = &mut dialog.paths[slot(format)];
            let submitted = ui
                .horizontal(|ui| {
                    let label = ui.label("File");
                    let response = ui
                        .add(egui::TextEdit::singleline(path).desired_width(420.0))
                        .labelled_by(label.id);
                    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
                })
                .inner;
            let typed = PathBuf::from(path.trim());
            if let Some(existing) = &state.export_exists {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{} already exists.", existing.display()),
                );
                ui.horizontal(|ui| {
                    if ui.button("Replace it").clicked() {
                        send(Some(existing.clone()), format, follow, true);
                    }
                    if ui.button("Keep it").clicked() {
                        commands.send(Command::DismissExportExists);
                    }
                });
                return;
            }
            if state.export_path_needed.is_some() {
                ui.weak("No file dialog is available: type the path.");
            }
            ui.horizontal(|ui| {
                let can_save = !path.trim().is_empty();
                let save = ui.add_enabled(can_save, egui::Button::new("Save"));
                if (save.clicked() || submitted) && can_save {
                    send(Some(typed.clone()), format, follow, false);
                }
                if ui
                    .button("Choose file…")
                    .on_hover_text("Pick the file in a save dialog")
                    .clicked()
                {
                    send(None, format, follow, false);
                }
            });
        });
    if !open {
        dialog.open = false;
    }
}

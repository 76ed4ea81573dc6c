//! The first screen when no profile is active: try the demo, add an account, or import.

use crate::app::command::{Command, CommandSender};
use crate::app::state::{AppState, DemoStatus};

use super::app::ViewState;
use super::profile_dialog::{ProfileDialog, import_path_ui};

pub fn welcome_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.15);
        ui.heading("Welcome to ossguard");
        ui.label("Audit and set the default server-side encryption of your OSS buckets.");
        ui.add_space(16.0);
        if !state.started {
            ui.spinner();
            ui.label("Reading your profiles…");
            return;
        }
        let starting = state.demo == Some(DemoStatus::Starting);
        if ui
            .add_enabled(!starting, egui::Button::new("Try the demo"))
            .on_hover_text("Starts a local OSS-compatible server with about 30 sample buckets")
            .clicked()
        {
            commands.send(Command::StartDemo);
        }
        if starting {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Starting the demo server…");
            });
        }
        ui.add_space(6.0);
        if ui.button("Add account").clicked() {
            view.profile_dialog = Some(ProfileDialog::add());
        }
        ui.add_space(6.0);
        if ui
            .button("Import")
            .on_hover_text(
                "An ossutil config file, or the AccessKey CSV downloaded from the RAM console",
            )
            .clicked()
        {
            commands.send(Command::Import { path: None });
        }
        // The Profiles window's list shows its own copy when it is open.
        if !matches!(view.profile_dialog, Some(ProfileDialog::List)) {
            import_path_ui(ui, state, &mut view.import_path, commands);
        }
        if !state.profiles.profiles.is_empty() {
            ui.add_space(12.0);
            if ui.button("Choose a saved profile").clicked() {
                view.profile_dialog = Some(ProfileDialog::list());
            }
        }
    });
}

//! The top bar: profile switcher, refresh and cancel with progress, export, banners.

use crate::app::command::{Command, CommandSender};
use crate::app::state::{AppState, Connection, DemoStatus, KeystoreStatus, NoticeLevel};
use crate::app::view::thousands;

use super::app::ViewState;
use super::profile_dialog::ProfileDialog;
use super::widgets::error_block_ui;

pub fn top_bar_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.heading("ossguard");
        ui.separator();
        profile_switch_ui(ui, state, view, commands);
        if ui.button("Profiles…").clicked() {
            view.profile_dialog = Some(ProfileDialog::list());
        }
        connection_ui(ui, state);
        if state.has_session() {
            ui.separator();
            refresh_ui(ui, state, commands);
            ui.separator();
            let can_export = !state.rows().is_empty();
            if ui
                .add_enabled(can_export, egui::Button::new("Export…"))
                .on_hover_text("Write the audit as CSV or JSON")
                .clicked()
            {
                view.export.show(&view.table);
            }
            ui.toggle_value(&mut view.show_activity, "Activity log");
            ui.toggle_value(&mut view.history.open, "History");
        }
    });
    banners_ui(ui, state, commands);
    ui.add_space(2.0);
}

fn profile_switch_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    if state.profiles.profiles.is_empty() {
        return;
    }
    let current = match &state.active {
        Some(active) => active.profile.name.as_str(),
        None if state.is_all_profiles() => ALL_PROFILES,
        None => "(none)",
    };
    super::widgets::labelled_combo_ui(ui, "Profile", current, |ui| {
        if state.profiles.profiles.len() > 1 {
            let selected = state.is_all_profiles();
            if ui
                .selectable_label(selected, CHOOSE_PROFILES)
                .on_hover_text("Audit several profiles at once, each with its own credentials")
                .clicked()
            {
                view.accounts_chooser.open();
            }
        }
        for profile in &state.profiles.profiles {
            let selected = current == profile.name;
            if ui.selectable_label(selected, &profile.name).clicked() && !selected {
                commands.send(Command::SwitchProfile {
                    name: profile.name.clone(),
                });
            }
        }
    });
}

/// The profile switcher's text while several profiles are audited at once.
const ALL_PROFILES: &str = "All profiles";
/// The profile switcher's entry that chooses the profiles to audit at once.
const CHOOSE_PROFILES: &str = "All profiles…";

fn connection_ui(ui: &mut egui::Ui, state: &AppState) {
    if state.demo == Some(DemoStatus::Starting) {
        ui.spinner();
        ui.label("Starting the demo server…");
        return;
    }
    match state.active.as_ref().map(|a| &a.connection) {
        Some(Connection::Connecting) => {
            ui.spinner();
            ui.label("Connecting…");
        }
        Some(Connection::Failed(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        Some(Connection::Connected) => {
            if let Some(note) = state.credentials_note(chrono::Utc::now()) {
                ui.separator();
                ui.label(note);
                // The minutes left move on without any event.
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_secs(30));
            }
        }
        None => {}
    }
}

fn refresh_ui(ui: &mut egui::Ui, state: &AppState, commands: &CommandSender) {
    let running = state.refresh_running();
    if ui
        .add_enabled(
            state.is_connected() && !running,
            egui::Button::new("Refresh all"),
        )
        .clicked()
    {
        commands.send(Command::RefreshAll);
    }
    // Only the refresh: a running change has its own Cancel next to its progress.
    if running && ui.button("Cancel refresh").clicked() {
        commands.send(Command::CancelRefresh);
    }
    // In an audit of several, the rules read are only those of the profiles that answered.
    match state.failed_profiles() {
        0 => {}
        1 => {
            ui.colored_label(ui.visuals().error_fg_color, "1 profile failed");
        }
        failed => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{failed} profiles failed"),
            );
        }
    }
    let Some(refresh) = &state.refresh_summary() else {
        return;
    };
    let total = refresh.listed;
    let (n, n_total) = (thousands(refresh.loaded), thousands(total));
    if running {
        let fraction = if total == 0 {
            0.0
        } else {
            refresh.loaded as f32 / total as f32
        };
        let text = if refresh.listing_done {
            format!("Reading rules: {n} of {n_total}")
        } else {
            format!("Listing buckets… {n} of {n_total}")
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .desired_width(220.0)
                .text(text),
        );
    } else if refresh.cancelled {
        ui.label(format!("Refresh cancelled at {n} of {n_total}"));
    } else if refresh.error.is_none() {
        ui.label(format!("Read {n} of {n_total} rules"));
    }
}

fn banners_ui(ui: &mut egui::Ui, state: &AppState, commands: &CommandSender) {
    if let Some(KeystoreStatus::Unavailable(reason)) = &state.keystore {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "No OS keyring is available: account secrets can only be kept in memory for \
                 this run, never on disk.",
            )
            .on_hover_text(reason);
            if ui.button("Keep secrets in memory for this run").clicked() {
                commands.send(Command::UseMemoryKeystore);
            }
        });
    }
    if let Some(note) = state.clock_note() {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    if let Some(error) = state.refresh.as_ref().and_then(|r| r.error.as_ref()) {
        error_block_ui(ui, "Listing buckets failed", error);
    }
    for (index, notice) in state.notices.iter().enumerate().rev().take(3) {
        ui.horizontal_wrapped(|ui| {
            let color = match notice.level {
                NoticeLevel::Info => ui.visuals().text_color(),
                NoticeLevel::Error => ui.visuals().error_fg_color,
            };
            ui.colored_label(color, &notice.text);
            if ui.small_button("Dismiss").clicked() {
                commands.send(Command::DismissNotice { index });
            }
        });
    }
}

//! `OssGuardApp`: the eframe app. `logic` runs queued commands and applies events (bounded
//! per frame); `ui` lays out thin views that read the state and send commands.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::app::command::{Command, CommandSender};
use crate::app::controller::Controller;
use crate::app::environment::AppEnvironment;
use crate::app::runtime::RuntimeHandle;
use crate::app::state::{AppState, InfoState};
use crate::app::view::TableView;
use crate::core::model::BucketName;

use super::confirm_dialog::ConfirmRequest;
use super::profile_dialog::ProfileDialog;
use super::rule_form::RuleDraft;

/// Events applied per frame at most: a burst of 10,000 answers cannot stall one frame; the
/// rest wait for the next (which is requested at once).
pub const MAX_EVENTS_PER_FRAME: usize = 2_000;

/// What the views own: filter, selection, drafts, open dialogs. Everything else is in
/// [`AppState`] and changes through commands.
#[derive(Debug, Default)]
pub struct ViewState {
    pub table: TableView,
    /// Ticked rows (several buckets at once).
    pub ticked: BTreeSet<BucketName>,
    /// The clicked row, shown in the detail panel.
    pub primary: Option<BucketName>,
    pub rule_form: RuleDraft,
    pub confirm: Option<ConfirmRequest>,
    pub history: super::history_view::HistoryWindow,
    pub profile_dialog: Option<ProfileDialog>,
    pub show_activity: bool,
    pub export_path: String,
    pub import_path: String,
}

impl ViewState {
    /// The buckets a change applies to: the ticked ones, else the clicked one.
    pub fn targets(&self) -> Vec<BucketName> {
        if self.ticked.is_empty() {
            self.primary.iter().cloned().collect()
        } else {
            self.ticked.iter().cloned().collect()
        }
    }
}

pub struct OssGuardApp {
    controller: Controller,
    commands: CommandSender,
    view: ViewState,
}

impl OssGuardApp {
    /// Returns at once: profiles load and the keyring is probed in the background.
    pub fn new(ctx: &egui::Context, runtime: RuntimeHandle, env: AppEnvironment) -> Self {
        let repaint_ctx = ctx.clone();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || repaint_ctx.request_repaint());
        let controller = Controller::new(runtime, env, wake);
        let commands = controller.sender();
        Self {
            controller,
            commands,
            view: ViewState::default(),
        }
    }

    pub fn state(&self) -> &AppState {
        &self.controller.state
    }

    /// The app layer behind the window; tests use it to feed events directly.
    pub fn controller_mut(&mut self) -> &mut Controller {
        &mut self.controller
    }

    pub fn view(&self) -> &ViewState {
        &self.view
    }

    pub fn sender(&self) -> &CommandSender {
        &self.commands
    }

    /// Keeps the selection valid after rows changed, and asks for bucket facts once.
    fn follow_selection(&mut self) {
        let state = &self.controller.state;
        self.view.ticked.retain(|name| state.row(name).is_some());
        if let Some(name) = &self.view.primary {
            match state.row(name) {
                None => self.view.primary = None,
                Some(row) if row.info == InfoState::NotLoaded && state.is_connected() => {
                    self.commands.send(Command::LoadBucketInfo {
                        bucket: name.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        // An import is started from the welcome screen or the Profiles window; either way
        // its result opens the add-profile form, replacing the profile list if it is open.
        if let Some((_, profiles)) = self.controller.state.imported.take() {
            self.view.profile_dialog = Some(ProfileDialog::from_imported(&profiles));
        }
    }
}

impl eframe::App for OssGuardApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if self.controller.pump(MAX_EVENTS_PER_FRAME) {
            ctx.request_repaint();
        }
        self.follow_selection();
    }

    /// A change in flight when the window closes is let finish (up to 15 s), so OSS's state
    /// and the change log agree; the window is already gone, so nothing waits on screen.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if !self
            .controller
            .finish_changes(std::time::Duration::from_secs(15))
        {
            tracing::warn!("closed with a change still running: its outcome is not logged");
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let state = &self.controller.state;
        let commands = &self.commands;
        let view = &mut self.view;
        view.table.update(state);

        egui::Panel::top("top_bar").show(ui, |ui| {
            super::top_bar::top_bar_ui(ui, state, view, commands);
        });
        if view.show_activity {
            egui::Panel::bottom("activity_log")
                .resizable(true)
                .default_size(220.0)
                .show(ui, |ui| super::activity_log::activity_log_ui(ui, state));
        }
        let has_session = state.active.is_some();
        if has_session && (view.primary.is_some() || !view.ticked.is_empty()) {
            egui::Panel::right("detail_panel")
                .resizable(true)
                .default_size(400.0)
                .min_size(320.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        super::detail_panel::detail_panel_ui(ui, state, view, commands);
                    });
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if has_session {
                super::bucket_table::table_area_ui(ui, state, view, commands);
            } else {
                super::welcome::welcome_ui(ui, state, view, commands);
            }
        });

        super::history_view::history_window_ui(ui.ctx(), state, view, commands);
        super::confirm_dialog::confirm_dialog_ui(ui.ctx(), state, view, commands);
        super::profile_dialog::profile_dialog_ui(
            ui.ctx(),
            state,
            view,
            commands,
            self.controller.keystore_description(),
        );
    }
}

//! `OssGuardApp`: the eframe app. `logic` runs queued commands and applies events (bounded
//! per frame); `ui` lays out thin views that read the state and send commands.

use std::sync::Arc;

use crate::app::activity::ActivityView;
use crate::app::command::{Command, CommandSender};
use crate::app::controller::Controller;
use crate::app::environment::AppEnvironment;
use crate::app::row::RowKey;
use crate::app::runtime::RuntimeHandle;
use crate::app::selection::Selection;
use crate::app::state::{AppState, InfoState};
use crate::app::view::TableView;

use super::confirm_dialog::ConfirmRequest;
use super::export_dialog::ExportDialog;
use super::profile_dialog::ProfileDialog;
use super::rule_form::RuleDraft;

/// Events applied per frame at most: a burst of 10,000 answers cannot stall one frame; the
/// rest wait for the next (which is requested at once).
pub const MAX_EVENTS_PER_FRAME: usize = 2_000;

/// The eframe storage key of the table's sort and column choice.
const TABLE_SETTINGS_KEY: &str = "bucket_table";

/// What the views own: filter, selection, drafts, open dialogs. Everything else is in
/// [`AppState`] and changes through commands.
#[derive(Debug, Default)]
pub struct ViewState {
    pub table: TableView,
    /// The focused row (detail panel) and the ticked rows.
    pub selection: Selection,
    /// The focus moved by keyboard: scroll the table to it.
    pub scroll_to_primary: bool,
    pub rule_form: RuleDraft,
    pub confirm: Option<ConfirmRequest>,
    pub history: super::history_view::HistoryWindow,
    pub profile_dialog: Option<ProfileDialog>,
    pub show_activity: bool,
    pub activity: ActivityView,
    pub export: ExportDialog,
    pub import_path: String,
    pub objects: super::objects_panel::ObjectsPanel,
    pub close: super::close_dialog::CloseDialog,
    pub accounts_chooser: super::accounts_chooser::AccountsChooser,
}

impl ViewState {
    /// The buckets a change applies to: the ticked ones the filter shows, else the focused
    /// one.
    pub fn targets(&self) -> Vec<RowKey> {
        self.selection.targets(self.table.shown())
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

    /// Restores what the last run remembered (sort, hidden columns); egui's own memory
    /// (panel and column widths) and the window size are restored by eframe.
    pub fn restore(&mut self, storage: &dyn eframe::Storage) {
        if let Some(settings) = eframe::get_value(storage, TABLE_SETTINGS_KEY) {
            self.view.table.apply_settings(settings);
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
        self.view
            .selection
            .retain(|key| state.row_by_key(key).is_some());
        if let Some(name) = &self.view.selection.primary {
            match state.row_by_key(name) {
                None => {}
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
        self.view.close.logic(ctx, &self.controller.state);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, TABLE_SETTINGS_KEY, &self.view.table.settings());
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
                .show(ui, |ui| {
                    super::activity_log::activity_log_ui(ui, state, &mut view.activity);
                });
        }
        let has_session = state.has_session();
        if has_session && !view.selection.is_empty() {
            // At most half the window, so Name and Encryption always stay in sight.
            let max = (ui.available_width() * 0.5).max(320.0);
            egui::Panel::right("detail_panel")
                .resizable(true)
                .default_size(400.0_f32.min(max))
                .min_size(320.0)
                .max_size(max)
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
        view.accounts_chooser.ui(ui.ctx(), state, commands);
        view.close.ui(ui.ctx(), state, commands);
        super::confirm_dialog::confirm_dialog_ui(ui.ctx(), state, view, commands);
        super::export_dialog::export_dialog_ui(
            ui.ctx(),
            state,
            &view.table,
            &mut view.export,
            commands,
            &self.controller.environment().export_dir,
        );
        super::profile_dialog::profile_dialog_ui(
            ui.ctx(),
            state,
            view,
            commands,
            self.controller.keystore_description(),
        );
    }
}

//! The History window: every change in the change log (`changes.jsonl`, so it survives a
//! restart and shows the CLI's changes too), newest first, with undo of one change or of a
//! whole bulk change, both through the confirmation and the engine's changed-since guard.

use crate::app::change::history::{History, Owner};
use crate::app::changelog::ChangeRecord;
use crate::app::command::{Command, CommandSender};
use crate::app::row::RowKey;
use crate::app::state::{AppState, BucketRow};
use crate::core::model::BucketName;

use super::app::ViewState;
use super::change_result::batch_results_ui;
use super::confirm_dialog::{ConfirmRequest, UndoAs};

mod table;

use table::{changes_ui, local_time};

/// The window's own state.
#[derive(Debug, Default)]
pub struct HistoryWindow {
    pub open: bool,
    /// Was open last frame: opening it reads the log again (the CLI may have added to it).
    was_open: bool,
    filter: String,
    /// The change an "undo of" link points at, shown highlighted.
    highlight: Option<String>,
    /// A link was just followed: the table scrolls to the highlighted change once.
    scroll_to_highlight: bool,
}

/// Whose changes the app may undo: the active profile with its AccessKey.
pub fn owner(state: &AppState) -> Option<Owner<'_>> {
    state.active.as_ref().map(|a| Owner {
        profile: &a.profile.name,
        access_key_id: &a.profile.access_key_id,
    })
}

/// Whose change `record` is, when the app may undo it, and the profile of the rows it
/// touched: in an audit of several profiles, the record's own profile if it is audited
/// (undone as that profile); else the active profile.
fn owner_for<'a>(
    state: &'a AppState,
    record: &ChangeRecord,
) -> Option<(Owner<'a>, Option<&'a str>)> {
    if !state.is_all_profiles() {
        return owner(state).map(|o| (o, None));
    }
    let account = state.account(&record.profile)?;
    let profile = state.profiles.get(&account.profile)?;
    let owner = Owner {
        profile: &profile.name,
        access_key_id: &profile.access_key_id,
    };
    Some((owner, Some(profile.name.as_str())))
}

/// A bulk change's undos, each made as the profile that made the change (in an audit of
/// several profiles one bulk change can span accounts), and the buckets left out with why.
fn bulk_undo_plan(
    state: &AppState,
    history: &History,
    batch: &str,
) -> (Vec<UndoAs>, Vec<(RowKey, String)>) {
    let mut undos = Vec::new();
    let mut left_out = Vec::new();
    for record in history.batch(batch) {
        let result = match owner_for(state, record) {
            Some((owner, profile)) => history
                .undo(record, owner)
                .map(|undo| (undo, profile.map(str::to_owned))),
            None => Err(format!(
                "made as profile {:?}: choose it to undo",
                record.profile
            )),
        };
        match result {
            Ok(undo) => undos.push(undo),
            Err(why) => {
                let Ok(name) = BucketName::parse(&record.bucket) else {
                    continue;
                };
                let profile = state.is_all_profiles().then(|| record.profile.clone());
                left_out.push((RowKey { profile, name }, why));
            }
        }
    }
    (undos, left_out)
}

/// Whose changes to `row` the app may undo: the row's profile with its AccessKey in an audit
/// of several profiles, else the active profile.
pub fn owner_of<'a>(state: &'a AppState, row: &BucketRow) -> Option<Owner<'a>> {
    let Some(name) = &row.profile else {
        return owner(state);
    };
    state.profiles.get(name).map(|p| Owner {
        profile: &p.name,
        access_key_id: &p.access_key_id,
    })
}

pub fn history_window_ui(
    ctx: &egui::Context,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    let mut open = view.history.open;
    if open && !view.history.was_open {
        commands.send(Command::LoadHistory);
    }
    view.history.was_open = open;
    if !open {
        return;
    }
    let shown = egui::Window::new("Change history")
        .open(&mut open)
        .default_size([1180.0, 640.0])
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Filter by bucket");
                ui.text_edit_singleline(&mut view.history.filter)
                    .labelled_by(label.id);
                if ui.button("Reload").clicked() {
                    commands.send(Command::LoadHistory);
                }
            });
            if let Some(batch) = &state.batch {
                ui.separator();
                batch_results_ui(ui, batch, commands);
            }
            ui.separator();
            let Some(history) = &state.history else {
                ui.spinner();
                return None;
            };
            if history.records().is_empty() {
                ui.label("No change has been logged yet.");
                return None;
            }
            let busy = state.batch_running() || !state.is_connected();
            let bulk = bulk_changes_ui(ui, state, history, busy);
            let one = changes_ui(ui, state, history, &mut view.history, busy);
            bulk.or(one)
        });
    view.history.open = open;
    if let Some(confirm) = shown.and_then(|s| s.inner).flatten() {
        view.confirm = Some(confirm);
    }
}

/// One line per bulk change, newest first, with "Undo bulk change". Only the lines in sight
/// are laid out (and only their undo plans worked out): a long log has thousands.
fn bulk_changes_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    history: &History,
    busy: bool,
) -> Option<ConfirmRequest> {
    let count = history.bulk_count();
    if count == 0 {
        return None;
    }
    let mut confirm = None;
    ui.strong(format!("Bulk changes ({count})"));
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("bulk_changes")
        .max_height(BULK_LINES_SHOWN * (row_height + ui.spacing().item_spacing.y))
        .auto_shrink([false, true])
        .show_rows(ui, row_height, count, |ui, lines| {
            for n in lines {
                let Some((batch, changes)) = history.bulk_change(n) else {
                    continue;
                };
                let Some(first) = changes.first() else {
                    continue;
                };
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{}: {} on {} buckets",
                        local_time(first),
                        first.after.describe(),
                        changes.len()
                    ));
                    let (undos, left_out) = bulk_undo_plan(state, history, batch);
                    let button =
                        egui::Button::new(format!("Undo bulk change ({} buckets)", undos.len()));
                    let response = ui
                        .add_enabled(!busy && !undos.is_empty(), button)
                        .on_disabled_hover_text("Nothing left to undo, or a change is running");
                    if response.clicked() {
                        let of = format!("bulk change {batch}");
                        confirm = Some(ConfirmRequest::for_undo(state, undos, &of, left_out));
                    }
                });
            }
        });
    ui.separator();
    confirm
}

/// How many bulk changes are in sight before their list scrolls.
const BULK_LINES_SHOWN: f32 = 5.0;

//! The History window: every change in the change log (`changes.jsonl`, so it survives a
//! restart and shows the CLI's changes too), newest first, with undo of one change or of a
//! whole bulk change, both through the confirmation and the engine's changed-since guard.

use std::collections::BTreeMap;

use crate::app::change::history::{History, Owner};
use crate::app::changelog::ChangeRecord;
use crate::app::command::{Command, CommandSender};
use crate::app::row::RowKey;
use crate::app::state::{AppState, BucketRow};
use crate::core::model::BucketName;

use super::app::ViewState;
use super::change_result::batch_results_ui;
use super::confirm_dialog::{ConfirmRequest, UndoAs};

/// The window's own state.
#[derive(Debug, Default)]
pub struct HistoryWindow {
    pub open: bool,
    /// Was open last frame: opening it reads the log again (the CLI may have added to it).
    was_open: bool,
    filter: String,
    /// The change an "undo of" link points at, shown highlighted.
    highlight: Option<String>,
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
        .default_size([980.0, 640.0])
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

/// One line per bulk change, newest first, with "Undo bulk change".
fn bulk_changes_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    history: &History,
    busy: bool,
) -> Option<ConfirmRequest> {
    let mut batches: BTreeMap<&str, (&ChangeRecord, usize)> = BTreeMap::new();
    for r in history.records().iter().filter(|r| r.undo_of.is_none()) {
        if let Some(batch) = r.batch.as_deref() {
            batches.entry(batch).or_insert((r, 0)).1 += 1;
        }
    }
    if batches.is_empty() {
        return None;
    }
    let mut confirm = None;
    ui.strong("Bulk changes");
    for (batch, (first, count)) in batches.iter().rev() {
        ui.horizontal(|ui| {
            ui.label(format!(
                "{}: {} on {count} buckets",
                local_time(first),
                first.after.describe()
            ));
            let (undos, left_out) = bulk_undo_plan(state, history, batch);
            let button = egui::Button::new(format!("Undo bulk change ({} buckets)", undos.len()));
            let response = ui
                .add_enabled(!busy && !undos.is_empty(), button)
                .on_disabled_hover_text("Nothing left to undo, or a change is running");
            if response.clicked() {
                let of = format!("bulk change {batch}");
                confirm = Some(ConfirmRequest::for_undo(state, undos, &of, left_out));
            }
        });
    }
    ui.separator();
    confirm
}

/// Every change, newest first: time, bucket, profile, AccessKey ID, before, after, written,
/// verified, and its undo (or why it has none).
fn changes_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    history: &History,
    window: &mut HistoryWindow,
    busy: bool,
) -> Option<ConfirmRequest> {
    let filter = window.filter.trim().to_lowercase();
    let mut confirm = None;
    egui::ScrollArea::both().show(ui, |ui| {
        egui::Grid::new("change_history")
            .num_columns(10)
            .striped(true)
            .show(ui, |ui| {
                for title in [
                    "Time",
                    "Bucket",
                    "Profile",
                    "AccessKey ID",
                    "Before",
                    "After",
                    "Written",
                    "Verified",
                    "Bulk change",
                    "Undo",
                ] {
                    ui.strong(title);
                }
                ui.end_row();
                let shown = history
                    .records()
                    .iter()
                    .rev()
                    .filter(|r| filter.is_empty() || r.bucket.to_lowercase().contains(&filter));
                for record in shown {
                    let time = local_time(record);
                    if window.highlight.as_deref() == Some(record.id.as_str()) {
                        ui.label(egui::RichText::new(time).strong().underline());
                    } else {
                        ui.label(time);
                    }
                    ui.label(&record.bucket);
                    let profile = ui.label(&record.profile);
                    if let Some(id) = &record.account_id {
                        profile.on_hover_text(format!("account {id}"));
                    }
                    ui.label(&record.access_key_id);
                    ui.label(record.before.describe());
                    ui.label(record.after.describe());
                    ui.label(yes_no(record.written, record.interrupted()));
                    ui.label(yes_no(record.verified, record.interrupted()));
                    ui.label(record.batch.as_deref().unwrap_or(""));
                    if let Some(request) = undo_cell_ui(ui, state, history, record, busy)
                        .map_err(|target| window.highlight = Some(target))
                        .ok()
                        .flatten()
                    {
                        confirm = Some(request);
                    }
                    ui.end_row();
                }
            });
    });
    confirm
}

/// The undo column: a link to the change an undo undid, "undone", or the Undo button (or
/// why there is none). `Err(id)`: the user followed a link to change `id`.
fn undo_cell_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    history: &History,
    record: &ChangeRecord,
    busy: bool,
) -> Result<Option<ConfirmRequest>, String> {
    if let Some(of) = &record.undo_of {
        let link = ui.link(format!("undo of {of}"));
        return if link.clicked() {
            Err(of.clone())
        } else {
            Ok(None)
        };
    }
    if history.is_undone(record) {
        ui.weak("undone");
        return Ok(None);
    }
    let Some((owner, profile)) = owner_for(state, record) else {
        ui.weak("connect to undo");
        return Ok(None);
    };
    match history.undo(record, owner) {
        Ok(undo) => {
            let button = egui::Button::new(format!("Undo change to {}", record.bucket));
            let clicked = ui
                .add_enabled(!busy, button)
                .on_hover_text(format!("Restore {}", undo.change.describe()))
                .clicked();
            Ok(clicked.then(|| {
                let undos = vec![(undo, profile.map(str::to_owned))];
                ConfirmRequest::for_undo(state, undos, &record.id, Vec::new())
            }))
        }
        Err(reason) => {
            ui.weak("—").on_hover_text(reason);
            Ok(None)
        }
    }
}

fn local_time(record: &ChangeRecord) -> String {
    record
        .time
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn yes_no(value: bool, interrupted: bool) -> &'static str {
    match (interrupted, value) {
        (true, _) => "interrupted",
        (_, true) => "yes",
        (_, false) => "no",
    }
}

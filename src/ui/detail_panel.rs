//! The right panel: one bucket's rule, GetBucketInfo facts and change form; or, with several
//! rows ticked, the bulk form and the result per bucket.

use crate::app::change::known_state;
use crate::app::command::{Command, CommandSender};
use crate::app::state::{AppState, BucketRow, InfoState};
use crate::core::sse::{EncryptionState, SseRule};

use super::app::ViewState;
use super::change_result::{batch_results_ui, outcome_ui};
use super::confirm_dialog::ConfirmRequest;
use super::history_view::owner_of;
use super::key_picker::KeyPicker;
use super::rule_form::{FormChange, rule_form_ui};
use super::widgets::{error_block_ui, sse_badge_ui};

pub fn detail_panel_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    let targets = view.targets();
    let hidden = view.selection.hidden_ticked(view.table.shown());
    if view.selection.ticked.len() > 1 || hidden > 0 {
        ui.heading(format!("{} buckets selected", targets.len()));
        ui.label("One rule will be applied to each of them, after a preview.");
        if hidden > 0 {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "{hidden} more ticked {} hidden by the filter and left out.",
                    if hidden == 1 {
                        "bucket is"
                    } else {
                        "buckets are"
                    }
                ),
            );
        }
        if targets.is_empty() {
            return;
        }
    } else if let Some(row) = targets.first().and_then(|n| state.row_by_key(n)) {
        bucket_details_ui(ui, state, row, commands);
        undo_last_ui(ui, state, view, row);
    } else {
        return;
    }
    ui.separator();
    let rows: Vec<_> = targets.iter().filter_map(|n| state.row_by_key(n)).collect();
    let regions: Vec<&str> = rows.iter().map(|r| r.bucket.region.as_str()).collect();
    // The known rule of each target (unknown ones are left out: they might change).
    let current: Vec<Option<SseRule>> = rows
        .iter()
        .filter_map(|r| known_state(r.encryption.as_ref()))
        .collect();
    let shared = current
        .first()
        .filter(|first| current.len() == rows.len() && current.iter().all(|c| c == *first))
        .and_then(Option::as_ref);
    let profile = state
        .active
        .as_ref()
        .map_or("", |a| a.profile.name.as_str());
    view.rule_form.follow(profile, &targets, shared);
    let busy = state.batch_running() || !state.is_connected();
    let current = if current.len() == rows.len() {
        current
    } else {
        Vec::new()
    };
    let mut pickers = key_pickers_for(state, &rows, commands);
    match rule_form_ui(
        ui,
        &mut view.rule_form,
        &regions,
        &current,
        busy,
        &mut pickers,
    ) {
        Some(FormChange::All(change)) => {
            view.confirm = Some(ConfirmRequest::new(state, &targets, change));
        }
        Some(FormChange::ByRegion(changes)) => {
            let title = changes
                .iter()
                .map(|(region, change)| format!("{region}: {}", change.describe()))
                .collect::<Vec<_>>()
                .join("; ");
            let each = rows
                .iter()
                .filter_map(|r| {
                    let change = changes.get(&r.bucket.region)?.clone();
                    Some((r.key(), change))
                })
                .collect();
            view.confirm = Some(ConfirmRequest::each(state, each, title));
        }
        None => {}
    }
    for picker in pickers.iter().filter(|p| p.retry) {
        if let Some(row) = rows.iter().find(|r| r.bucket.region == picker.region) {
            commands.send(Command::LoadRegionKeys { bucket: row.key() });
        }
    }
    if let Some(batch) = &state.batch
        && batch.items.iter().any(|i| {
            targets
                .iter()
                .any(|t| t.name == i.bucket && t.profile == i.profile)
        })
    {
        ui.separator();
        batch_results_ui(ui, batch, commands);
    }
    // Objects work with the active profile's client: not offered in an audit of several.
    if let [row] = rows.as_slice()
        && row.profile.is_none()
    {
        ui.separator();
        view.objects.ui(ui, state, row, commands);
    }
}

/// A key picker for each region of the targets; asks for a region's keys the first time the
/// form shows for it.
fn key_pickers_for<'a>(
    state: &'a AppState,
    rows: &[&'a BucketRow],
    commands: &CommandSender,
) -> Vec<KeyPicker<'a>> {
    // Keys are listed per region for one account: in an audit of several profiles the key
    // ID is typed instead.
    if !state.is_connected() || state.is_all_profiles() {
        return Vec::new();
    }
    let mut regions: Vec<&'a BucketRow> = Vec::new();
    for row in rows {
        if !regions.iter().any(|r| r.bucket.region == row.bucket.region) {
            regions.push(row);
        }
    }
    regions.sort_by(|a, b| a.bucket.region.cmp(&b.bucket.region));
    let several = regions.len() > 1;
    regions
        .into_iter()
        .map(|row| {
            let region = row.bucket.region.as_str();
            let keys = state.region_keys.get(region);
            if keys.is_none() {
                commands.send(Command::LoadRegionKeys { bucket: row.key() });
            }
            KeyPicker {
                region,
                keys,
                search_label: if several {
                    format!("Search keys in {region}")
                } else {
                    "Search keys".to_owned()
                },
                retry: false,
            }
        })
        .collect()
}

/// "Undo last change": the newest change to this bucket in the change log that this profile
/// made and nothing undid yet (as `ossguard undo BUCKET` picks it), so it works after a
/// restart too.
fn undo_last_ui(ui: &mut egui::Ui, state: &AppState, view: &mut ViewState, row: &BucketRow) {
    let (Some(history), Some(owner)) = (&state.history, owner_of(state, row)) else {
        return;
    };
    let Some(last) = history.last_change(owner, Some(row.bucket.name.as_str())) else {
        return;
    };
    let busy = state.batch_running() || !state.is_connected();
    match history.undo(last, owner) {
        Ok(undo) => {
            let button =
                egui::Button::new(format!("Undo last change ({})", undo.change.describe()));
            if ui
                .add_enabled(!busy, button)
                .on_hover_text("Restore the rule this bucket had before its last logged change")
                .clicked()
            {
                let of = last.id.clone();
                let undos = vec![(undo, row.profile.clone())];
                view.confirm = Some(ConfirmRequest::for_undo(state, undos, &of, Vec::new()));
            }
        }
        Err(reason) => {
            ui.weak(format!("Last change cannot be undone: {reason}"));
        }
    }
}

fn bucket_details_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    row: &BucketRow,
    commands: &CommandSender,
) {
    ui.heading(row.bucket.name.as_str());
    if let Some(profile) = &row.profile {
        ui.label(format!("Account: {}", state.account_label(profile)));
    }
    ui.horizontal(|ui| {
        ui.label("Encryption:");
        sse_badge_ui(ui, row.encryption.as_ref());
        if ui.button("Refresh bucket").clicked() {
            commands.send(Command::RefreshBucket { bucket: row.key() });
        }
    });
    match &row.encryption {
        Some(EncryptionState::Configured(rule)) => {
            ui.label(format!("Current rule: {rule}"));
        }
        Some(EncryptionState::NotConfigured) => {
            ui.label("Current rule: none (objects are stored unencrypted by default)");
        }
        Some(EncryptionState::Unknown(failure)) => {
            error_block_ui(ui, "The rule could not be read", failure);
        }
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the rule…");
            });
        }
    }
    if let Some(outcome) = &row.verification {
        outcome_ui(ui, outcome);
    }
    // Right under the rule: a key pending deletion or disabled is what matters most about a
    // KMS rule, and must not hide below the form and the objects.
    if let Some(key) = state.key_health(row) {
        ui.add_space(4.0);
        super::key_health::key_details_ui(ui, key);
    }
    ui.add_space(6.0);
    egui::CollapsingHeader::new("Bucket facts (GetBucketInfo)")
        .default_open(true)
        .show(ui, |ui| info_ui(ui, row, commands));
}

fn info_ui(ui: &mut egui::Ui, row: &BucketRow, commands: &CommandSender) {
    match &row.info {
        InfoState::NotLoaded | InfoState::Loading(_) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading bucket facts…");
            });
        }
        InfoState::Failed(failure) => {
            error_block_ui(ui, "GetBucketInfo failed", failure);
            if ui.button("Retry GetBucketInfo").clicked() {
                commands.send(Command::LoadBucketInfo { bucket: row.key() });
            }
        }
        InfoState::Loaded(info) => {
            let sse = &info.server_side_encryption_rule;
            let facts = [
                ("Region", row.bucket.region.clone()),
                ("Location", info.location.clone()),
                ("Created", info.creation_date.clone()),
                ("Storage class", info.storage_class.clone()),
                (
                    "Redundancy",
                    info.data_redundancy_type.clone().unwrap_or_default(),
                ),
                ("Versioning", info.versioning.clone().unwrap_or_default()),
                ("Endpoint", info.extranet_endpoint.clone()),
                (
                    "ACL",
                    info.access_control_list
                        .as_ref()
                        .map(|a| a.grant.clone())
                        .unwrap_or_default(),
                ),
                ("SSE (info)", sse.algorithm.clone().unwrap_or_default()),
            ];
            egui::Grid::new("bucket_facts")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (name, value) in facts {
                        if value.is_empty() {
                            continue;
                        }
                        ui.label(name);
                        ui.label(value);
                        ui.end_row();
                    }
                });
        }
    }
}

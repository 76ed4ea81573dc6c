//! The confirmation before any change: every bucket with its rule before and after.

use crate::app::command::{Command, CommandSender};
use crate::app::event::Change;
use crate::app::state::{AppState, BucketRow};
use crate::core::model::BucketName;

use super::app::ViewState;
use super::detail_panel::describe;

#[derive(Debug, Clone)]
pub struct ConfirmRequest {
    pub change: Change,
    /// Set when confirming an undo: what it restores, logged as the undo of that change.
    pub undo: Option<crate::app::change::Undo>,
    /// Each bucket with its rule before, as text.
    pub preview: Vec<(BucketName, String)>,
}

impl ConfirmRequest {
    pub fn new(state: &AppState, buckets: &[BucketName], change: Change) -> Self {
        let preview = buckets
            .iter()
            .map(|name| (name.clone(), before_text(state.row(name))))
            .collect();
        Self {
            change,
            preview,
            undo: None,
        }
    }

    /// Confirms restoring `bucket`'s rule from before its last logged change.
    pub fn for_undo(state: &AppState, bucket: &BucketName, undo: crate::app::change::Undo) -> Self {
        Self {
            undo: Some(undo.clone()),
            ..Self::new(state, std::slice::from_ref(bucket), undo.change)
        }
    }

    fn after(&self) -> String {
        describe(&self.change.expected())
    }
}

/// The "before" column: the cached rule with the time it was read, so a stale one shows
/// (the rule may have been changed elsewhere since; the change itself reads it again and logs
/// what it found).
fn before_text(row: Option<&BucketRow>) -> String {
    let Some((state, row)) = row.and_then(|r| r.encryption.as_ref().map(|s| (s, r))) else {
        return "not read yet".to_owned();
    };
    match row.read_at {
        Some(at) => format!(
            "{} (as read at {})",
            describe(state),
            at.with_timezone(&chrono::Local).format("%H:%M:%S")
        ),
        None => describe(state),
    }
}

/// The default rule only applies to objects uploaded later without SSE headers of their own;
/// users often expect a change to re-encrypt what is already stored, so the dialog says it.
const EXISTING_OBJECTS_NOTE: &str = "Existing objects are not re-encrypted: changing or deleting \
    the default rule only affects new uploads that do not send their own SSE headers.";
const DELETE_WARNING: &str = "After the delete, new uploads without their own SSE headers will \
    be stored unencrypted.";

pub fn confirm_dialog_ui(
    ctx: &egui::Context,
    _state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
) {
    let Some(request) = &view.confirm else {
        return;
    };
    let mut confirmed = false;
    let mut closed = false;
    let modal = egui::Modal::new(egui::Id::unique("confirm_change")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        let count = request.preview.len();
        let what = if count == 1 {
            "1 bucket".to_owned()
        } else {
            format!("{count} buckets")
        };
        ui.heading(format!("Review the change to {what}"));
        ui.label(format!("Change: {}", request.change.describe()));
        ui.add_space(4.0);
        egui::ScrollArea::vertical()
            .max_height(320.0)
            .show(ui, |ui| {
                egui::Grid::new("confirm_preview")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong("Bucket");
                        ui.strong("Before");
                        ui.strong("After");
                        ui.end_row();
                        let after = request.after();
                        for (name, before) in &request.preview {
                            ui.label(name.as_str());
                            ui.label(before);
                            ui.label(&after);
                            ui.end_row();
                        }
                    });
            });
        ui.add_space(6.0);
        ui.label(EXISTING_OBJECTS_NOTE);
        if request.change == Change::Delete {
            ui.colored_label(ui.visuals().warn_fg_color, DELETE_WARNING);
        }
        ui.label("After the call, each rule is read back and compared.");
        ui.horizontal(|ui| {
            if ui.button("Confirm").clicked() {
                confirmed = true;
                ui.close();
            }
            if ui.button("Back").clicked() {
                closed = true;
                ui.close();
            }
        });
    });
    if confirmed {
        let buckets = request.preview.iter().map(|(n, _)| n.clone()).collect();
        let command = match (&request.undo, &request.change) {
            (Some(undo), _) => Command::Undo {
                bucket: request.preview[0].0.clone(),
                undo: undo.clone(),
            },
            (None, Change::Set(rule)) => Command::SetRule {
                buckets,
                rule: rule.clone(),
            },
            (None, Change::Delete) => Command::DeleteRule { buckets },
        };
        commands.send(command);
    }
    if confirmed || closed || modal.should_close() {
        view.confirm = None;
    }
}

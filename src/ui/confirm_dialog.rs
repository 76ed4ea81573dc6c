//! The confirmation before any change: every bucket with its rule before and after. What it
//! shows as "before" is what the change engine then guards: a bucket whose rule differs
//! by the time it is written is left alone (unless "write anyway" is ticked).

use crate::app::change::{self, Change, ChangeRequest, Undo, known_state};
use crate::app::command::{Command, CommandSender};
use crate::app::row::RowKey;
use crate::app::state::{AppState, BucketRow};
use crate::core::model::BucketName;

use super::app::ViewState;
use super::change_result::describe;

/// An undo with the profile its row belongs to (`None`: the active profile's row).
pub type UndoAs = (Undo, Option<String>);

/// One bucket's line in the preview.
#[derive(Debug, Clone)]
pub struct PreviewLine {
    pub bucket: RowKey,
    pub before: String,
    pub after: String,
    pub request: ChangeRequest,
}

#[derive(Debug, Clone)]
pub struct ConfirmRequest {
    /// The whole change, as the administrator sees it.
    pub title: String,
    /// Set when confirming an undo: the change or bulk change it undoes.
    pub undo_of: Option<String>,
    pub lines: Vec<PreviewLine>,
    /// Buckets left out of the change, each with why (it already has the rule, its change
    /// cannot be undone).
    pub left_out: Vec<(RowKey, String)>,
    /// Write even where the rule changed since it was read (someone else's change is lost).
    pub force: bool,
    /// Write a rule naming a CMK even if the key check refuses it (logged as skipped).
    pub skip_key_check: bool,
}

impl ConfirmRequest {
    /// `change` for each of `buckets`, guarded by the rule each row shows now; buckets that
    /// already have the rule are left out.
    pub fn new(state: &AppState, buckets: &[RowKey], change: Change) -> Self {
        let title = change.describe();
        let each = buckets.iter().map(|b| (b.clone(), change.clone()));
        Self::each(state, each.collect(), title)
    }

    /// Each bucket with its own change (one CMK per region), as [`Self::new`] does for one.
    pub fn each(state: &AppState, changes: Vec<(RowKey, Change)>, title: String) -> Self {
        let mut lines = Vec::new();
        let mut left_out = Vec::new();
        for (name, change) in changes {
            let row = state.row_by_key(&name);
            let confirmed = known_state(row.and_then(|r| r.encryption.as_ref()));
            if confirmed
                .as_ref()
                .is_some_and(|c| c.as_ref() == change.target())
            {
                left_out.push((name, "already has this rule".to_owned()));
                continue;
            }
            lines.push(PreviewLine {
                bucket: name,
                before: before_text(row),
                after: describe(&change.expected()),
                request: ChangeRequest {
                    confirmed,
                    ..ChangeRequest::unguarded(change)
                },
            });
        }
        Self {
            title,
            undo_of: None,
            lines,
            left_out,
            force: false,
            skip_key_check: false,
        }
    }

    /// Confirms restoring each bucket's rule from before a logged change (`of`: the change's
    /// or the bulk change's id). The guard is the rule the undone change set. `left_out`:
    /// buckets of a bulk change that cannot be undone, with why. Each undo comes with its
    /// row's profile in an audit of several profiles (the undo is made as that profile).
    pub fn for_undo(
        state: &AppState,
        undos: Vec<UndoAs>,
        of: &str,
        left_out: Vec<(RowKey, String)>,
    ) -> Self {
        let lines = undos
            .into_iter()
            .filter_map(|(undo, profile)| {
                let bucket = RowKey {
                    profile,
                    name: BucketName::parse(&undo.bucket).ok()?,
                };
                let seen = before_text(state.row_by_key(&bucket));
                Some(PreviewLine {
                    before: format!(
                        "{} (set by that change; now {seen})",
                        change::describe_state(undo.set.as_ref())
                    ),
                    after: describe(&undo.change.expected()),
                    request: undo.request(false, None),
                    bucket,
                })
            })
            .collect();
        Self {
            title: "restore the rules from before".to_owned(),
            undo_of: Some(of.to_owned()),
            lines,
            left_out,
            force: false,
            skip_key_check: false,
        }
    }

    /// Whether a line writes a rule naming a CMK (the key is checked first).
    fn names_cmk(&self) -> bool {
        self.lines.iter().any(|l| {
            l.request
                .change
                .target()
                .and_then(crate::core::kms::health::rule_cmk)
                .is_some()
        })
    }

    fn deletes(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.request.change == Change::Delete)
    }
}

/// The "before" column: the cached rule with the time it was read, so a stale one shows
/// (the rule may have been changed elsewhere since; the engine reads it again and stops if
/// it differs).
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
    let Some(request) = &mut view.confirm else {
        return;
    };
    let mut confirmed = false;
    let mut closed = false;
    let modal = egui::Modal::new(egui::Id::unique("confirm_change")).show(ctx, |ui| {
        ui.set_max_width(620.0);
        let count = request.lines.len();
        let what = if count == 1 {
            "1 bucket".to_owned()
        } else {
            format!("{count} buckets")
        };
        ui.heading(format!("Review the change to {what}"));
        ui.label(format!("Change: {}", request.title));
        if let Some(of) = &request.undo_of {
            ui.label(format!("Undoes: {of}"));
        }
        for (bucket, why) in &request.left_out {
            ui.weak(format!("Left out: {bucket} ({why})"));
        }
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
                        for line in &request.lines {
                            ui.label(line.bucket.to_string());
                            ui.label(&line.before);
                            ui.label(&line.after);
                            ui.end_row();
                        }
                    });
            });
        ui.add_space(6.0);
        ui.label(EXISTING_OBJECTS_NOTE);
        if request.deletes() {
            ui.colored_label(ui.visuals().warn_fg_color, DELETE_WARNING);
        }
        ui.label(
            "Each rule is read first: a bucket whose rule is no longer the one shown is left \
             alone. After the call, each rule is read back and compared.",
        );
        ui.checkbox(
            &mut request.force,
            "Write even if a rule changed since (someone else's change is lost)",
        );
        if request.names_cmk() {
            ui.label(
                "The KMS key is checked first: a key that is not usable in the bucket's \
                 region stops the change.",
            );
            ui.checkbox(
                &mut request.skip_key_check,
                "Write even if the key check fails (recorded in the change log)",
            );
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(count > 0, egui::Button::new("Confirm"))
                .clicked()
            {
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
        let (force, skip_key_check) = (request.force, request.skip_key_check);
        let buckets = request
            .lines
            .iter()
            .map(|line| {
                let mut step = line.request.clone();
                step.force = force;
                step.skip_checks = skip_key_check;
                (line.bucket.clone(), step)
            })
            .collect();
        commands.send(Command::Change {
            buckets,
            change: request.title.clone(),
            undo_of: request.undo_of.clone(),
        });
    }
    if confirmed || closed || modal.should_close() {
        view.confirm = None;
    }
}

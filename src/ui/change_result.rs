//! What a change did: one bucket's outcome (verified, mismatch, refused, the error with its
//! hint) and a change's progress with its result per bucket. Shown in the detail panel, the
//! History window and the confirmation dialog.

use egui::RichText;

use crate::app::change::describe_state;
use crate::app::command::{Command, CommandSender};
use crate::app::event::ApplyOutcome;
use crate::app::state::Batch;
use crate::core::sse::EncryptionState;

use super::widgets::error_block_ui;

/// The result of the last change: verified, mismatch, or the error with its hint.
pub fn outcome_ui(ui: &mut egui::Ui, outcome: &ApplyOutcome) {
    match outcome {
        ApplyOutcome::Verified => {
            ui.label(
                RichText::new("Verified: the rule read back matches the change.")
                    .color(egui::Color32::from_rgb(60, 170, 90)),
            );
        }
        ApplyOutcome::Mismatch { read_back } => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!(
                    "Mismatch: the rule read back is {}, not the one written.",
                    describe_state(read_back.as_ref())
                ),
            );
        }
        ApplyOutcome::WriteFailed(failure) => error_block_ui(ui, "The change failed", failure),
        ApplyOutcome::Unconfirmed(failure) => {
            error_block_ui(ui, "Changed, but the rule could not be read back", failure);
        }
        ApplyOutcome::ChangedSince { found } => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "Not written: the rule changed since it was confirmed (it is now {}). \
                     Review the change again.",
                    describe(found)
                ),
            );
        }
        ApplyOutcome::Refused(reason) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Not written: the pre-flight check refused it: {reason}"),
            );
        }
        ApplyOutcome::AlreadyApplied => {
            ui.label("Not written: the bucket already has this rule.");
        }
        ApplyOutcome::Cancelled => {
            ui.label("Cancelled before this bucket was changed.");
        }
    }
}

pub fn describe(state: &EncryptionState) -> String {
    match state {
        EncryptionState::Configured(rule) => rule.to_string(),
        EncryptionState::NotConfigured => "no rule".to_owned(),
        EncryptionState::Unknown(f) => format!("unknown ({})", f.code),
    }
}

/// A change's progress and its result per bucket (also shown in the History window).
pub fn batch_results_ui(ui: &mut egui::Ui, batch: &Batch, commands: &CommandSender) {
    let total = batch.items.len();
    ui.strong(format!("Change: {}", batch.title));
    if !batch.finished {
        let done = batch.done();
        ui.horizontal(|ui| {
            // Cancels this change only; a refresh running beside it has its own Cancel.
            if ui
                .button("Cancel change")
                .on_hover_text("Buckets already being changed finish; the rest are skipped")
                .clicked()
            {
                commands.send(Command::CancelBatch);
            }
            ui.add(
                egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                    .desired_width(220.0)
                    .text(format!("Applying: {done} of {total}")),
            );
        });
    } else {
        ui.label(format!("Done: {} of {total} verified", batch.succeeded()));
    }
    if total == 1 {
        return;
    }
    egui::Grid::new("batch_results")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for item in &batch.items {
                ui.label(item.bucket.as_str());
                match &item.outcome {
                    None => ui.weak("pending"),
                    Some(ApplyOutcome::WriteFailed(f) | ApplyOutcome::Unconfirmed(f)) => ui
                        .colored_label(
                            ui.visuals().error_fg_color,
                            format!("{}: {}", f.code, f.hint),
                        ),
                    Some(other) => ui.label(other.label()),
                };
                ui.end_row();
            }
        });
}

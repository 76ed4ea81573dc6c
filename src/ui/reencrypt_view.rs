//! Re-encrypting a bucket's objects from the "Objects" section: the button that opens the
//! dry-run preview (its window is [`super::reencrypt_preview`]), and the running job's
//! progress with Pause, Resume and Cancel. The job's state is in [`AppState`], so it goes on while other buckets are shown.

use crate::app::command::{Command, CommandSender};
use crate::app::objects_job::ReencryptJob;
use crate::app::objects_scan::ObjectsScan;
use crate::app::state::{AppState, BucketRow};
use crate::app::view::human_bytes;
use crate::core::objects::counters::JobCounters;

/// "Re-encrypt N objects (X)…" after a scan that found objects not matching the rule.
pub fn reencrypt_button_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    scan: &ObjectsScan,
    commands: &CommandSender,
) {
    let off = scan.counters.not_matching_rule;
    if scan.is_running() || scan.error.is_some() || scan.rule.is_none() || off.objects == 0 {
        return;
    }
    let busy = state
        .objects_job
        .as_ref()
        .is_some_and(ReencryptJob::is_running)
        || !state.is_connected();
    let text = format!(
        "Re-encrypt {} objects ({})…",
        off.objects,
        human_bytes(off.bytes)
    );
    if ui
        .add_enabled(!busy, egui::Button::new(text))
        .on_hover_text("Preview first: nothing is written before you confirm")
        .clicked()
    {
        commands.send(Command::PreviewReencrypt {
            bucket: scan.bucket.clone(),
            prefix: scan.prefix.clone(),
            target: None,
        });
    }
}

/// The job's progress (done of total, bytes) with Cancel, then its counts.
pub fn job_ui(ui: &mut egui::Ui, row: &BucketRow, job: &ReencryptJob, commands: &CommandSender) {
    if job.bucket != row.bucket.name {
        if job.is_running() {
            ui.weak(format!(
                "A re-encryption job runs on bucket {}: {} of {} objects",
                job.bucket,
                job.counters.finished(),
                job.total()
            ));
        }
        return;
    }
    ui.strong(format!("Re-encryption to {}", job.target));
    let c = &job.counters;
    match &job.result {
        None => {
            let total = job.total();
            let text = format!(
                "Re-encrypting: {} of {total} objects, {} of {} copied",
                c.finished(),
                human_bytes(c.bytes_copied),
                human_bytes(job.expected.bytes_to_copy)
            );
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(c.finished() as f32 / total.max(1) as f32)
                        .desired_width(220.0)
                        .text(text),
                );
                if job.pausing {
                    ui.weak("Pausing…");
                } else if job.cancelling {
                    ui.weak("Cancelling…");
                } else {
                    if ui
                        .button("Pause")
                        .on_hover_text("Objects being copied finish; Resume goes on from there")
                        .clicked()
                    {
                        commands.send(Command::PauseReencrypt);
                    }
                    if ui
                        .button("Cancel re-encryption")
                        .on_hover_text("Objects being copied finish; the rest are left as they are")
                        .clicked()
                    {
                        commands.send(Command::CancelReencrypt);
                    }
                }
            });
        }
        Some(Ok(run)) if job.paused => {
            ui.label(format!(
                "Re-encryption paused: {} of {} objects, {}",
                run.counters.finished(),
                job.total(),
                counts(&run.counters)
            ));
            ui.horizontal(|ui| {
                if ui.button("Resume").clicked() {
                    commands.send(Command::ResumeReencrypt);
                }
                if ui.button("Cancel re-encryption").clicked() {
                    commands.send(Command::CancelReencrypt);
                }
            });
        }
        Some(Ok(run)) => {
            let state = if run.cancelled { "cancelled" } else { "done" };
            ui.label(format!("Re-encryption {state}: {}", counts(&run.counters)));
            for (reason, n) in &run.counters.skipped {
                ui.label(format!("Skipped ({}): {n}", reason.as_str()));
            }
            let resumed = if run.resumed { " (resumed)" } else { "" };
            ui.weak(format!("Job {}{resumed}", run.job_id));
        }
        Some(Err(error)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Re-encryption failed: {error}"),
            );
            if ui
                .button("Try again")
                .on_hover_text("The same job: objects already done are not copied again")
                .clicked()
            {
                commands.send(Command::ResumeReencrypt);
            }
        }
    }
}

pub fn counts(c: &JobCounters) -> String {
    format!(
        "copied {} ({}), already ok {}, skipped {}, failed {}",
        c.copied,
        human_bytes(c.bytes_copied),
        c.already_ok,
        c.skipped_total(),
        c.failed
    )
}

/// Jobs an earlier run left unfinished on this bucket, each with Resume.
pub fn interrupted_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    row: &BucketRow,
    commands: &CommandSender,
) {
    let busy = state
        .objects_job
        .as_ref()
        .is_some_and(ReencryptJob::is_running);
    for job in state
        .interrupted_jobs
        .iter()
        .filter(|j| j.bucket == row.bucket.name.as_str())
    {
        let prefix = if job.prefix.is_empty() {
            String::new()
        } else {
            format!(" under {:?}", job.prefix)
        };
        let target = job
            .target
            .to_rule()
            .map_or_else(|_| "?".to_owned(), |r| r.to_string());
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "Interrupted re-encryption to {target}{prefix}, started {}",
                job.created
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
            ),
        );
        if ui
            .add_enabled(!busy, egui::Button::new("Resume interrupted job"))
            .on_hover_text("Objects already done are not copied again")
            .clicked()
        {
            commands.send(Command::ResumeInterrupted {
                job_id: job.job_id.clone(),
            });
        }
    }
}

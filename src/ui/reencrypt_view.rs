//! Re-encrypting a bucket's objects from the "Objects" section: the button that opens the
//! dry-run preview, the preview with its confirmation, and the running job's progress with
//! Cancel. The job's state is in [`AppState`], so it goes on while other buckets are shown.

use crate::app::command::{Command, CommandSender};
use crate::app::objects::dry_run::DryRun;
use crate::app::objects_job::{ReencryptJob, ReencryptPreview};
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
        });
    }
}

/// The preview window: what will be copied and skipped, the request count, the note on
/// versions, and the confirmation.
pub fn preview_ui(
    ctx: &egui::Context,
    row: &BucketRow,
    preview: &ReencryptPreview,
    commands: &CommandSender,
) {
    if preview.bucket != row.bucket.name {
        return;
    }
    let mut open = true;
    egui::Window::new("Re-encrypt objects")
        .collapsible(false)
        .open(&mut open)
        .show(ctx, |ui| {
            ui.label(format!("Bucket: {}", preview.bucket));
            if !preview.prefix.is_empty() {
                ui.label(format!("Prefix: {}", preview.prefix));
            }
            match &preview.result {
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Preparing the preview (a dry run: nothing is written)…");
                    });
                }
                Some(Err(error)) => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("Cannot re-encrypt: {error}"),
                    );
                }
                Some(Ok(plan)) => {
                    ui.label(format!("Target: {}", plan.target));
                    dry_run_ui(ui, &plan.dry_run);
                    let copies = plan.dry_run.copies();
                    ui.add_space(6.0);
                    ui.horizontal(|ui| {
                        if ui
                            .add_enabled(
                                copies > 0,
                                egui::Button::new(format!("Confirm: re-encrypt {copies} objects")),
                            )
                            .clicked()
                        {
                            commands.send(Command::StartReencrypt);
                        }
                        if ui.button("Close preview").clicked() {
                            commands.send(Command::ClosePreview);
                        }
                    });
                }
            }
        });
    if !open {
        commands.send(Command::ClosePreview);
    }
}

/// The plan: what will be copied (and how), what is already right, what is skipped and
/// why, the requests, and the note on versions.
fn dry_run_ui(ui: &mut egui::Ui, plan: &DryRun) {
    ui.label(format!(
        "To copy: {} objects ({})",
        plan.copies(),
        human_bytes(plan.bytes_to_copy)
    ));
    ui.label(format!(
        "By CopyObject onto itself: {} objects ({})",
        plan.copy,
        human_bytes(plan.copy_bytes)
    ));
    if plan.multipart_copy > 0 {
        ui.label(format!(
            "By multipart copy (over 1 GB): {} objects ({})",
            plan.multipart_copy,
            human_bytes(plan.multipart_copy_bytes)
        ));
    }
    ui.label(format!("Already at the target: {}", plan.already_ok));
    for (reason, n) in &plan.skipped {
        ui.label(format!("Skipped ({}): {n}", reason.as_str()))
            .on_hover_text(reason.why());
        ui.weak(format!("  {}", reason.why()));
    }
    if plan.failed > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Could not be read (HeadObject failed): {}", plan.failed),
        );
    }
    ui.label(format!("Requests: at least {}", plan.requests));
    match plan.versioning.note() {
        Some(note) => {
            ui.colored_label(ui.visuals().warn_fg_color, note);
        }
        None => {
            ui.weak("The bucket is not versioned: each copy replaces its object.");
        }
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

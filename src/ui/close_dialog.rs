//! The question shown when the window is closed while a re-encryption job runs: "Pause and
//! quit" or "Keep running". The decision is [`CloseGuard`]'s; this holds it (the dialog owns
//! its state), holds the close back, and closes the window once the job has stopped.

use crate::app::close_guard::CloseGuard;
use crate::app::command::{Command, CommandSender};
use crate::app::objects_job::ReencryptJob;
use crate::app::state::AppState;

#[derive(Debug, Default)]
pub struct CloseDialog {
    guard: CloseGuard,
}

fn job_running(state: &AppState) -> bool {
    state
        .objects_job
        .as_ref()
        .is_some_and(ReencryptJob::is_running)
}

impl CloseDialog {
    /// Before the views, every frame: a close asked while a job runs is cancelled (and the
    /// question asked); after "Pause and quit", the window closes once the job has stopped.
    pub fn logic(&mut self, ctx: &egui::Context, state: &AppState) {
        let running = job_running(state);
        if ctx.input(|i| i.viewport().close_requested()) && !self.guard.close_requested(running) {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        }
        if self.guard.close_now(running) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    pub fn ui(&mut self, ctx: &egui::Context, state: &AppState, commands: &CommandSender) {
        if self.guard.is_asking() {
            egui::Modal::new(egui::Id::unique("close_with_job")).show(ctx, |ui| {
                ui.set_max_width(460.0);
                ui.heading("A re-encryption job is running");
                if let Some(job) = &state.objects_job {
                    ui.label(format!(
                        "Bucket {}: {} of {} objects done.",
                        job.bucket,
                        job.counters.finished(),
                        job.total()
                    ));
                }
                ui.label(
                    "Pause and quit: the objects being copied finish, the job's journal \
                     keeps its place, and the next start offers to resume it.",
                );
                ui.horizontal(|ui| {
                    if ui.button("Pause and quit").clicked() {
                        commands.send(Command::PauseReencrypt);
                        self.guard.pause_and_quit();
                    }
                    if ui.button("Keep running").clicked() {
                        self.guard.keep_running();
                    }
                });
            });
        } else if self.guard.is_quitting() {
            egui::Modal::new(egui::Id::unique("close_with_job")).show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(
                        "Pausing the re-encryption job: the window closes when the objects \
                         being copied are done.",
                    );
                });
            });
        }
    }
}

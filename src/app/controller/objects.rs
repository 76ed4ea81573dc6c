//! The object scan and re-encryption commands, and the jobs they start.

use tokio_util::sync::CancellationToken;

use super::Controller;
use crate::app::command::Command;
use crate::app::objects_tasks::{self, ReencryptTask};
use crate::app::state::NoticeLevel;
use crate::app::worker::ObjectsScanTask;

impl Controller {
    /// Runs one of the objects commands (the others are `handle`'s).
    pub(super) fn handle_objects(&mut self, command: Command) {
        match command {
            Command::ScanObjects { bucket, prefix } => {
                let Some(client) = self.client.clone() else {
                    return;
                };
                self.objects_scan_cancel.cancel();
                let Some((request, bucket)) =
                    self.state.begin_objects_scan(&bucket, prefix.clone())
                else {
                    return;
                };
                self.objects_scan_cancel = CancellationToken::new();
                let task = ObjectsScanTask {
                    session: self.state.session,
                    request,
                    bucket,
                    prefix,
                    cancel: self.objects_scan_cancel.clone(),
                };
                self.worker.scan_objects(client, task);
            }
            Command::CancelObjectsScan => {
                self.objects_scan_cancel.cancel();
                if let Some(scan) = self.state.objects_scan.as_mut() {
                    scan.cancel();
                }
            }
            Command::PreviewReencrypt {
                bucket,
                prefix,
                target,
            } => {
                let Some(client) = self.client.clone() else {
                    return;
                };
                self.preview_cancel.cancel();
                let Some((request, bucket)) =
                    self.state
                        .begin_reencrypt_preview(&bucket, prefix.clone(), target.clone())
                else {
                    return;
                };
                self.preview_cancel = CancellationToken::new();
                let task =
                    self.reencrypt_task(request, bucket, prefix, self.preview_cancel.clone());
                objects_tasks::preview(&self.worker, client, task, target);
            }
            Command::ClosePreview => {
                self.preview_cancel.cancel();
                self.state.objects_preview = None;
            }
            Command::StartReencrypt => {
                if self.client.is_none() {
                    return;
                }
                let started = self.state.begin_reencrypt();
                self.run_reencrypt(started);
            }
            Command::CancelReencrypt => {
                self.job_cancel.cancel();
                if let Some(job) = self.state.objects_job.as_mut() {
                    job.cancelling = true;
                    // A paused job is already stopped: Cancel just forgets the pause.
                    job.paused = false;
                }
            }
            Command::PauseReencrypt => {
                self.job_cancel.cancel();
                if let Some(job) = self.state.objects_job.as_mut().filter(|j| j.is_running()) {
                    job.pausing = true;
                }
            }
            Command::ResumeReencrypt => {
                let resumed = self.state.begin_resume();
                self.run_reencrypt(resumed.ok_or_else(|| "No paused job to resume.".to_owned()));
            }
            Command::ResumeInterrupted { job_id } => {
                let resumed = self.state.begin_resume_interrupted(&job_id);
                self.run_reencrypt(resumed);
            }
            _ => {}
        }
    }

    /// Runs the job the state just began (new, resumed after a pause, or interrupted).
    fn run_reencrypt(
        &mut self,
        begun: Result<
            (
                crate::app::event::RequestId,
                crate::core::model::Bucket,
                String,
                crate::core::sse::SseRule,
            ),
            String,
        >,
    ) {
        let Some(client) = self.client.clone() else {
            return;
        };
        match begun {
            Ok((request, bucket, prefix, target)) => {
                self.job_cancel = CancellationToken::new();
                let task = self.reencrypt_task(request, bucket, prefix, self.job_cancel.clone());
                objects_tasks::run(&self.worker, client, task, target);
            }
            Err(reason) => self.state.notify(NoticeLevel::Error, reason),
        }
    }

    fn reencrypt_task(
        &self,
        request: crate::app::event::RequestId,
        bucket: crate::core::model::Bucket,
        prefix: String,
        cancel: CancellationToken,
    ) -> ReencryptTask {
        ReencryptTask {
            session: self.state.session,
            request,
            bucket,
            prefix,
            data_dir: self.env.data_dir.clone(),
            profile: self
                .state
                .active
                .as_ref()
                .map(|a| a.profile.name.clone())
                .unwrap_or_default(),
            concurrency: self.env.concurrency,
            preflight: self.env.preflight.clone(),
            cancel,
        }
    }
}

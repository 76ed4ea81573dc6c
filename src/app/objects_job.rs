//! The app's re-encryption of a bucket's objects: the dry-run preview shown before the
//! confirmation, then the running job's progress and result. The work itself is
//! [`crate::app::objects::job`] (the CLI's `objects encrypt`); this keeps what the views show.
//! The job lives here, not in a view, so it keeps running while other buckets are browsed.

use crate::app::activity::{ActivityEntry, ActivityLevel};
use crate::app::event::{RequestId, SessionId};
use crate::app::objects::dry_run::DryRun;
use crate::app::objects::job::JobRun;
use crate::app::objects::journal::{JobFile, JobState};
use crate::app::state::AppState;
use crate::core::model::{Bucket, BucketName};
use crate::core::objects::counters::JobCounters;
use crate::core::objects::shard::Shard;
use crate::core::sse::SseRule;

/// The dry run's answer: the target (as asked, or the bucket's rule) and what a run would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReencryptPlan {
    pub target: SseRule,
    pub dry_run: DryRun,
}

/// The preview of a re-encryption, asked for by "Re-encrypt N objects…".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReencryptPreview {
    pub session: SessionId,
    pub request: RequestId,
    pub bucket: BucketName,
    pub prefix: String,
    /// The target asked for; `None`: the bucket's rule (read when the dry run starts).
    pub asked: Option<SseRule>,
    /// `None` while the dry run runs; `Err` when it could not (no rule, key refused...).
    pub result: Option<Result<ReencryptPlan, String>>,
}

/// A confirmed job: its progress, then its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReencryptJob {
    pub session: SessionId,
    pub request: RequestId,
    pub bucket: BucketName,
    pub prefix: String,
    pub target: SseRule,
    /// What the preview counted: the totals the progress is measured against.
    pub expected: DryRun,
    pub counters: JobCounters,
    pub cancelling: bool,
    /// Pause asked: the run stops like a cancel and the journal keeps its place.
    pub pausing: bool,
    /// Stopped by Pause; Resume runs the same job again from its journal.
    pub paused: bool,
    pub result: Option<Result<JobRun, String>>,
}

impl ReencryptJob {
    pub fn is_running(&self) -> bool {
        self.result.is_none()
    }

    /// Objects to go through: the listing's count once known, else the preview's.
    pub fn total(&self) -> u64 {
        self.counters.planned.max(self.expected.planned)
    }
}

/// What a running job reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobProgress {
    Counted(JobCounters),
    /// The job ended (done or cancelled), or could not run; `entry` is its line in the
    /// activity log.
    Finished {
        result: Result<JobRun, String>,
        entry: Box<ActivityEntry>,
    },
}

/// The job's line in the activity log: its counts, under its job id.
pub fn activity_entry(
    bucket: &BucketName,
    result: &Result<JobRun, String>,
    time: chrono::DateTime<chrono::Utc>,
    elapsed: std::time::Duration,
) -> ActivityEntry {
    let (outcome, request_id, level) = match result {
        Ok(run) => {
            let c = &run.counters;
            let state = if run.cancelled { "cancelled" } else { "done" };
            let outcome = format!(
                "{state}: copied {}, already ok {}, skipped {}, failed {}",
                c.copied,
                c.already_ok,
                c.skipped_total(),
                c.failed
            );
            let level = if c.failed > 0 {
                ActivityLevel::Error
            } else {
                ActivityLevel::Ok
            };
            (outcome, run.job_id.clone(), level)
        }
        Err(error) => (
            format!("failed: {error}"),
            String::new(),
            ActivityLevel::Error,
        ),
    };
    ActivityEntry {
        time: time
            .with_timezone(&chrono::Local)
            .format("%H:%M:%S")
            .to_string(),
        bucket: bucket.to_string(),
        operation: "ReencryptObjects",
        outcome,
        status: None,
        request_id,
        attempt: 1,
        elapsed_ms: elapsed.as_millis(),
        level,
    }
}

impl AppState {
    /// Opens the preview of re-encrypting `name`'s objects under `prefix` to `asked`
    /// (replacing one open); `None` for an unknown row.
    pub fn begin_reencrypt_preview(
        &mut self,
        name: &BucketName,
        prefix: String,
        asked: Option<SseRule>,
    ) -> Option<(RequestId, Bucket)> {
        let bucket = self.row(name)?.bucket.clone();
        let request = self.next_request();
        self.objects_preview = Some(ReencryptPreview {
            session: self.session,
            request,
            bucket: name.clone(),
            prefix,
            asked,
            result: None,
        });
        Some((request, bucket))
    }

    /// The confirmed preview becomes the running job: returns its request id, bucket,
    /// prefix and target, or why it cannot start.
    pub fn begin_reencrypt(&mut self) -> Result<(RequestId, Bucket, String, SseRule), String> {
        if self
            .objects_job
            .as_ref()
            .is_some_and(ReencryptJob::is_running)
        {
            return Err("A re-encryption job is still running: wait for it or cancel it.".into());
        }
        let Some(ReencryptPreview {
            bucket,
            prefix,
            result: Some(Ok(plan)),
            ..
        }) = self.objects_preview.take()
        else {
            return Err("Nothing to re-encrypt: the preview is not ready.".into());
        };
        let row = self
            .row(&bucket)
            .ok_or_else(|| format!("Bucket {bucket} is gone."))?
            .bucket
            .clone();
        let request = self.next_request();
        self.objects_job = Some(ReencryptJob {
            session: self.session,
            request,
            bucket,
            prefix: prefix.clone(),
            target: plan.target.clone(),
            expected: plan.dry_run,
            counters: JobCounters::default(),
            cancelling: false,
            pausing: false,
            paused: false,
            result: None,
        });
        Ok((request, row, prefix, plan.target))
    }

    /// Runs the paused job, or one whose run failed (e.g. another process held it), again:
    /// its journal skips what is done. Returns what the worker needs, or `None` when no job
    /// is paused or failed.
    pub fn begin_resume(&mut self) -> Option<(RequestId, Bucket, String, SseRule)> {
        let request = self.next_request();
        let session = self.session;
        let job = self
            .objects_job
            .as_ref()
            .filter(|j| j.paused || matches!(j.result, Some(Err(_))))?;
        let bucket = self.row(&job.bucket)?.bucket.clone();
        let job = self.objects_job.as_mut()?;
        job.session = session;
        job.request = request;
        job.paused = false;
        job.pausing = false;
        job.cancelling = false;
        job.result = None;
        Some((request, bucket, job.prefix.clone(), job.target.clone()))
    }

    /// Resumes a job an earlier run of the app left unfinished (found in the data folder):
    /// the same bucket, prefix and target, so the job runner picks its journal up.
    pub fn begin_resume_interrupted(
        &mut self,
        job_id: &str,
    ) -> Result<(RequestId, Bucket, String, SseRule), String> {
        if self
            .objects_job
            .as_ref()
            .is_some_and(ReencryptJob::is_running)
        {
            return Err("A re-encryption job is still running: wait for it or cancel it.".into());
        }
        let job = self
            .interrupted_jobs
            .iter()
            .find(|j| j.job_id == job_id)
            .cloned()
            .ok_or_else(|| format!("No interrupted job {job_id}."))?;
        let target = job
            .target
            .to_rule()
            .map_err(|e| format!("Job {job_id} has an unreadable target: {e}"))?;
        let name = BucketName::parse(&job.bucket).map_err(|e| e.to_string())?;
        let bucket = self
            .row(&name)
            .ok_or_else(|| format!("Bucket {name} is not in this profile."))?
            .bucket
            .clone();
        self.interrupted_jobs.retain(|j| j.job_id != job_id);
        let request = self.next_request();
        self.objects_job = Some(ReencryptJob {
            session: self.session,
            request,
            bucket: name,
            prefix: job.prefix.clone(),
            target: target.clone(),
            expected: DryRun::default(),
            counters: JobCounters::default(),
            cancelling: false,
            pausing: false,
            paused: false,
            result: None,
        });
        Ok((request, bucket, job.prefix, target))
    }

    /// The jobs of the data folder an earlier run left unfinished (whole-bucket shard only:
    /// the CLI's sharded jobs belong to their machines).
    pub(crate) fn set_interrupted_jobs(&mut self, jobs: Vec<JobFile>) {
        self.interrupted_jobs = jobs
            .into_iter()
            .filter(|j| j.state == JobState::Running && j.shard == Shard::ALL.to_string())
            .collect();
        for job in &self.interrupted_jobs {
            let text = format!(
                "A re-encryption job on bucket {} was interrupted: resume it from the \
                 bucket's Objects section.",
                job.bucket
            );
            self.notices.push(crate::app::state::Notice {
                level: crate::app::state::NoticeLevel::Info,
                text,
            });
        }
    }

    /// Applies a job's report; false when stale.
    pub(crate) fn job_progressed(
        &mut self,
        session: SessionId,
        request: RequestId,
        progress: JobProgress,
    ) -> bool {
        let Some(job) = self
            .objects_job
            .as_mut()
            .filter(|j| j.session == session && j.request == request && j.is_running())
        else {
            return false;
        };
        match progress {
            JobProgress::Counted(counters) => job.counters = counters,
            JobProgress::Finished { result, mut entry } => {
                if let Ok(run) = &result {
                    job.counters = run.counters.clone();
                    if run.cancelled && job.pausing {
                        job.paused = true;
                        entry.outcome = entry.outcome.replacen("cancelled", "paused", 1);
                    }
                }
                job.pausing = false;
                job.result = Some(result);
                self.activity.push_entry(*entry);
            }
        }
        true
    }
}

//! The app's re-encryption of a bucket's objects: the dry-run preview shown before the
//! confirmation, then the running job's progress and result. The work itself is
//! [`crate::app::objects::job`] (the CLI's `objects encrypt`); this keeps what the views show.
//! The job lives here, not in a view, so it keeps running while other buckets are browsed.

use crate::app::activity::{ActivityEntry, ActivityLevel};
use crate::app::event::{RequestId, SessionId};
use crate::app::objects::job::{DryRun, JobRun};
use crate::app::state::AppState;
use crate::core::model::{Bucket, BucketName};
use crate::core::objects::counters::JobCounters;
use crate::core::sse::SseRule;

/// The dry run's answer: the target (the bucket's rule) and what a run would do.
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
    /// Opens the preview of re-encrypting `name`'s objects under `prefix` (replacing one
    /// open); `None` for an unknown row.
    pub fn begin_reencrypt_preview(
        &mut self,
        name: &BucketName,
        prefix: String,
    ) -> Option<(RequestId, Bucket)> {
        let bucket = self.row(name)?.bucket.clone();
        let request = self.next_request();
        self.objects_preview = Some(ReencryptPreview {
            session: self.session,
            request,
            bucket: name.clone(),
            prefix,
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
            result: None,
        });
        Ok((request, row, prefix, plan.target))
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
            JobProgress::Finished { result, entry } => {
                if let Ok(run) = &result {
                    job.counters = run.counters.clone();
                }
                job.result = Some(result);
                self.activity.push_entry(*entry);
            }
        }
        true
    }
}

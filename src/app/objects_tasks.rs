//! The re-encryption's background work for the app: the dry-run preview and the job, run
//! with the same functions as the CLI's `objects encrypt` ([`dry_run`], [`run_job`],
//! [`preflight_target`]) and reported through events.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::app::change::Preflight;
use crate::app::event::{Event, RequestId, SessionId};
use crate::app::objects::dry_run::dry_run;
use crate::app::objects::job::{JobSpec, run_job};
use crate::app::objects::preflight_target;
use crate::app::objects_job::{JobProgress, ReencryptPlan, activity_entry};
use crate::app::worker::Worker;
use crate::core::model::Bucket;
use crate::core::objects::shard::Shard;
use crate::core::sse::SseRule;
use crate::transport::OssClient;

/// What both the preview and the job need.
#[derive(Clone)]
pub struct ReencryptTask {
    pub session: SessionId,
    pub request: RequestId,
    pub bucket: Bucket,
    pub prefix: String,
    pub data_dir: std::path::PathBuf,
    pub profile: String,
    pub concurrency: usize,
    pub preflight: Option<Arc<dyn Preflight>>,
    pub cancel: CancellationToken,
}

impl std::fmt::Debug for ReencryptTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReencryptTask")
            .field("request", &self.request)
            .field("bucket", &self.bucket.name)
            .finish_non_exhaustive()
    }
}

impl ReencryptTask {
    fn spec(&self, client: &OssClient, target: SseRule) -> JobSpec {
        JobSpec {
            bucket: self.bucket.clone(),
            prefix: (!self.prefix.is_empty()).then(|| self.prefix.clone()),
            shard: Shard::ALL,
            target,
            concurrency: self.concurrency,
            data_dir: self.data_dir.clone(),
            profile: self.profile.clone(),
            access_key_id: client.access_key_id(),
        }
    }
}

/// The target is `asked`, else the bucket's current rule (as `objects encrypt` with or
/// without `--sse`), checked as `set` checks it, then the dry run: no write is sent.
pub fn preview(worker: &Worker, client: OssClient, task: ReencryptTask, asked: Option<SseRule>) {
    let events = worker.events().clone();
    worker.runtime().spawn(async move {
        let result = async {
            let target = match asked {
                Some(target) => target,
                None => client
                    .get_encryption(&task.bucket)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| {
                        "the bucket has no encryption rule: set one first, or choose a target"
                            .to_owned()
                    })?,
            };
            preflight_target(&client, &task.bucket, &target, task.preflight.as_deref())
                .await
                .map_err(|reason| format!("the pre-flight check refused the target: {reason}"))?;
            let spec = task.spec(&client, target.clone());
            let dry_run = dry_run(&client, &spec, &task.cancel)
                .await
                .map_err(|e| e.to_string())?;
            Ok(ReencryptPlan { target, dry_run })
        }
        .await;
        events.send(Event::ReencryptPreviewed {
            session: task.session,
            request: task.request,
            result,
        });
    });
}

/// Runs (or resumes) the journaled job to `target`, streaming its totals.
pub fn run(worker: &Worker, client: OssClient, task: ReencryptTask, target: SseRule) {
    let events = worker.events().clone();
    worker.runtime().spawn(async move {
        let started = std::time::Instant::now();
        let (session, request) = (task.session, task.request);
        let send = |progress| {
            events.send(Event::ReencryptProgressed {
                session,
                request,
                progress,
            })
        };
        let result = async {
            preflight_target(&client, &task.bucket, &target, task.preflight.as_deref())
                .await
                .map_err(|reason| format!("the pre-flight check refused the target: {reason}"))?;
            let spec = task.spec(&client, target);
            let last = std::sync::Mutex::new(std::time::Instant::now());
            let progress = |counters: &crate::core::objects::counters::JobCounters| {
                // A report per frame at most: the UI redraws no faster.
                if let Ok(mut last) = last.lock()
                    && last.elapsed() >= REPORT_EVERY
                {
                    *last = std::time::Instant::now();
                    send(JobProgress::Counted(counters.clone()));
                }
            };
            run_job(&client, &spec, &task.cancel, &progress)
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        let entry = activity_entry(
            &task.bucket.name,
            &result,
            chrono::Utc::now(),
            started.elapsed(),
        );
        send(JobProgress::Finished {
            result,
            entry: Box::new(entry),
        });
    });
}

/// How often a running job reports its totals.
const REPORT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// Reads the jobs in the data folder off the UI thread; the state offers the unfinished ones.
pub fn list_jobs(worker: &Worker, session: SessionId, data_dir: std::path::PathBuf) {
    let events = worker.events().clone();
    worker.runtime().spawn_blocking(move || {
        match crate::app::objects::journal::list_jobs(&data_dir) {
            Ok(jobs) => {
                events.send(Event::JobsListed { session, jobs });
            }
            Err(e) => tracing::warn!("could not read the re-encryption jobs: {e}"),
        }
    });
}

//! A re-encryption job from start to end: find or create its journal, list (prefix, shard),
//! skip what an interrupted run finished, bring every other object to the target with
//! bounded concurrency, and log the job in the change log (started, then done with counts).
//! The dry run is [`super::dry_run`].

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use futures::{StreamExt as _, TryStreamExt as _};
use tokio_util::sync::CancellationToken;

use crate::app::changelog::{self, ChangeKind, ChangeRecord, LoggedState, ObjectsJobLog, Phase};
use crate::core::model::Bucket;
use crate::core::objects::counters::JobCounters;
use crate::core::objects::shard::Shard;
use crate::core::sse::{RuleFields, SseRule};
use crate::transport::{OssClient, OssError};

use super::journal::{self, JobFile, JobState, JournalLine, JournalWriter, key_hash};
use super::lock::{JobLock, LockError};
use super::reencrypt::bring_to_target;
use super::scan::listed_objects;

/// What a job works on.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub bucket: Bucket,
    pub prefix: Option<String>,
    pub shard: Shard,
    pub target: SseRule,
    pub concurrency: usize,
    /// The data folder (jobs and the change log live there).
    pub data_dir: PathBuf,
    /// Who the change log names (profile) and the AccessKey ID.
    pub profile: String,
    pub access_key_id: String,
}

impl JobSpec {
    /// Every object of the job, listed page by page: under the prefix, in the shard. A job
    /// has no maximum, so the listing is never truncated.
    pub fn objects(
        &self,
        client: &OssClient,
    ) -> impl futures::Stream<Item = Result<crate::core::ops::list_objects::ListedObject, OssError>>
    + 'static {
        static NEVER_TRUNCATED: AtomicBool = AtomicBool::new(false);
        listed_objects(
            client,
            &self.bucket,
            self.prefix.clone(),
            self.shard,
            None,
            &NEVER_TRUNCATED,
        )
    }
}

/// A finished (or cancelled) run of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub job_id: String,
    pub counters: JobCounters,
    pub resumed: bool,
    pub cancelled: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Oss(#[from] OssError),
    #[error("job files in {path}: {error}")]
    Disk { path: String, error: std::io::Error },
    /// Another process runs the job (or its lock file could not be opened).
    #[error(transparent)]
    Lock(#[from] LockError),
}

fn disk(path: &std::path::Path) -> impl Fn(std::io::Error) -> JobError + '_ {
    move |error| JobError::Disk {
        path: path.display().to_string(),
        error,
    }
}

/// Runs (or resumes) the job. `progress` is called after each object with the totals so far.
pub async fn run_job(
    client: &OssClient,
    spec: &JobSpec,
    cancel: &CancellationToken,
    progress: &(dyn Fn(&JobCounters) + Sync),
) -> Result<JobRun, JobError> {
    let prefix = spec.prefix.clone().unwrap_or_default();
    let target = RuleFields::of(Some(&spec.target));
    let stem = journal::job_stem(
        spec.bucket.name.as_str(),
        &prefix,
        &spec.shard.to_string(),
        &target,
    );
    let (dir, job_id, existing, _lock) = claim(&spec.data_dir, &stem)?;
    let resumed = existing.is_some();
    let mut job = existing.unwrap_or_else(|| JobFile {
        job_id: job_id.clone(),
        bucket: spec.bucket.name.to_string(),
        region: spec.bucket.region.clone(),
        prefix: prefix.clone(),
        shard: spec.shard.to_string(),
        target: target.clone(),
        created: chrono::Utc::now(),
        state: JobState::Running,
        finished: None,
        counters: None,
    });
    journal::write_job(&dir, &job).map_err(disk(&dir))?;
    let before = journal::read_progress(&dir).map_err(disk(&dir))?;
    let log_id = ChangeRecord::new_id();
    log_job(spec, &log_id, Phase::Started, &job_id, resumed, None);

    let writer = JournalWriter::open(&dir).map_err(disk(&dir))?;
    let counters = Mutex::new(JobCounters::default());
    let list_error = {
        let journal_line = |line: JournalLine| writer.append(line);
        let listed = spec.objects(client);
        // A cancel (or pause) stops taking objects from the listing; the copies in flight
        // finish and are journaled `done`, so the job stops at an object boundary and no
        // multipart copy is left half-made.
        let work = listed
            .take_until(cancel.cancelled())
            .map_ok(|object| {
                let hash = key_hash(&object.key);
                if let Some(counters) = counters.lock().ok().as_deref_mut() {
                    counters.planned += 1;
                }
                let finished = before.done.get(&hash).cloned();
                let was_in_flight = before.in_flight.contains(&hash);
                let journal_line = &journal_line;
                async move {
                    if let Some(done) = finished {
                        return Ok::<_, OssError>((object.key, done, false));
                    }
                    let (outcome, size) = bring_to_target(
                        client,
                        &spec.bucket,
                        &object.key,
                        &spec.target,
                        was_in_flight,
                        journal_line,
                    )
                    .await;
                    Ok((object.key, (outcome, size), true))
                }
            })
            .try_buffer_unordered(spec.concurrency.max(1));
        let mut work = std::pin::pin!(work);
        let mut list_error = None;
        while let Some(item) = work.next().await {
            match item {
                Ok((key, (outcome, size), fresh)) => {
                    if fresh {
                        journal_line(JournalLine::Done {
                            key,
                            size,
                            outcome: outcome.clone(),
                        });
                    }
                    if let Some(counters) = counters.lock().ok().as_deref_mut() {
                        counters.record(&outcome, size);
                        progress(counters);
                    }
                }
                Err(e) => {
                    list_error = Some(e);
                    break;
                }
            }
        }
        list_error
    };
    writer.close().map_err(disk(&dir))?;
    let counters = counters.into_inner().unwrap_or_default();
    let cancelled = cancel.is_cancelled();
    if list_error.is_none() && !cancelled {
        job.state = JobState::Done;
        job.finished = Some(chrono::Utc::now());
        job.counters = Some(counters.clone());
        journal::write_job(&dir, &job).map_err(disk(&dir))?;
    }
    log_job(
        spec,
        &log_id,
        Phase::Done,
        &job_id,
        resumed,
        Some((&counters, list_error.as_ref())),
    );
    if let Some(e) = list_error {
        return Err(e.into());
    }
    Ok(JobRun {
        job_id,
        counters,
        resumed,
        cancelled,
    })
}

/// Finds the job to run (the unfinished one of this name, else a new one) and takes its lock
/// for the whole run. Before anything is written: a refused runner changes nothing. If the
/// job ended between the look-up and the lock, the look-up is made again.
fn claim(
    data_dir: &std::path::Path,
    stem: &str,
) -> Result<(PathBuf, String, Option<JobFile>, JobLock), JobError> {
    loop {
        let (dir, job_id, existing) =
            journal::find_or_new(data_dir, stem).map_err(disk(data_dir))?;
        let lock = JobLock::acquire(&dir, &job_id)?;
        let (_, again, _) = journal::find_or_new(data_dir, stem).map_err(disk(data_dir))?;
        if again == job_id {
            return Ok((dir, job_id, existing, lock));
        }
    }
}

/// The job's `started` and `done` lines in the change log. A log that cannot be written is
/// reported on the log (tracing), not fatal: the job's own journal is the record that counts.
fn log_job(
    spec: &JobSpec,
    id: &str,
    phase: Phase,
    job_id: &str,
    resumed: bool,
    end: Option<(&JobCounters, Option<&OssError>)>,
) {
    let record = ChangeRecord {
        id: id.to_owned(),
        phase,
        time: chrono::Utc::now(),
        profile: spec.profile.clone(),
        access_key_id: spec.access_key_id.clone(),
        bucket: spec.bucket.name.to_string(),
        region: spec.bucket.region.clone(),
        kind: ChangeKind::ReencryptObjects,
        before: LoggedState::Unknown {
            code: "ObjectsVary".into(),
        },
        after: LoggedState::from_rule(Some(&spec.target)),
        request_id: None,
        written: end.is_some_and(|(c, _)| c.copied > 0),
        verified: end.is_some_and(|(c, e)| c.failed == 0 && e.is_none()),
        error: end.and_then(|(_, e)| e.map(ToString::to_string)),
        undo_of: None,
        batch: None,
        forced: false,
        checks_skipped: false,
        account_id: None,
        objects_job: Some(ObjectsJobLog {
            job_id: job_id.to_owned(),
            prefix: spec.prefix.clone().unwrap_or_default(),
            shard: spec.shard.to_string(),
            resumed,
            counts: end.map(|(c, _)| c.clone()),
        }),
    };
    if let Err(e) = changelog::append(&changelog::log_path(&spec.data_dir), &record) {
        tracing::warn!("could not write the change log: {e}");
    }
}

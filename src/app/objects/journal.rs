//! A re-encryption job on disk, in `jobs/<job id>/` of the data folder:
//!
//! - `job.json`: what the job does and its state (rewritten atomically at start and end);
//! - `journal.jsonl`: append-only, synced in groups: `in_flight` written before an object's
//!   copy is sent, `done` with its outcome after. A restarted job skips objects that are `done`,
//!   re-checks those `in_flight` (HeadObject tells whether the copy landed) and processes the
//!   rest as new. A line lost in a crash costs a re-check, never a second copy: every copy is
//!   preceded by a HeadObject and sent with `x-oss-copy-source-if-match`.
//! - `results.jsonl`: one line per finished object (copied, already_ok, skipped with its
//!   reason, failed with code, message and request id).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError, mpsc};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::app::changelog::tighten;
use crate::core::objects::counters::{JobCounters, ObjectOutcome};
use crate::core::sse::RuleFields;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Done,
}

/// `job.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFile {
    pub job_id: String,
    pub bucket: String,
    pub region: String,
    pub prefix: String,
    pub shard: String,
    pub target: RuleFields,
    pub created: DateTime<Utc>,
    pub state: JobState,
    #[serde(default)]
    pub finished: Option<DateTime<Utc>>,
    #[serde(default)]
    pub counters: Option<JobCounters>,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JournalLine {
    InFlight {
        key: String,
    },
    Done {
        key: String,
        size: u64,
        #[serde(flatten)]
        outcome: ObjectOutcome,
    },
}

/// What an interrupted job had got to: 128-bit key hashes, so a million finished objects
/// cost a few tens of MB, not their keys.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: HashMap<u128, (ObjectOutcome, u64)>,
    pub in_flight: std::collections::HashSet<u128>,
}

pub fn key_hash(key: &str) -> u128 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(first)
}

pub fn jobs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("jobs")
}

/// The job name for a bucket, prefix, shard and target: the same command names the same job,
/// which is how a restarted command finds the job to resume.
pub fn job_stem(bucket: &str, prefix: &str, shard: &str, target: &RuleFields) -> String {
    let spec = serde_json::json!([bucket, prefix, shard, target]).to_string();
    format!(
        "{bucket}-{}",
        &hex::encode(Sha256::digest(spec.as_bytes()))[..10]
    )
}

/// Every job, oldest first.
pub fn list_jobs(data_dir: &Path) -> io::Result<Vec<JobFile>> {
    let mut jobs = Vec::new();
    let entries = match std::fs::read_dir(jobs_dir(data_dir)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(jobs),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path().join("job.json");
        if let Ok(job) = read_job(&path) {
            jobs.push(job);
        }
    }
    jobs.sort_by(|a, b| a.created.cmp(&b.created).then(a.job_id.cmp(&b.job_id)));
    Ok(jobs)
}

fn read_job(path: &Path) -> io::Result<JobFile> {
    serde_json::from_slice(&std::fs::read(path)?).map_err(io::Error::other)
}

/// Creates a job's folder (and `jobs/`) for the owner only, tightening existing ones: the
/// results name every object key, like the change log, which is kept the same way.
pub(crate) fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    if let Some(jobs) = dir.parent() {
        tighten(jobs, 0o700);
    }
    tighten(dir, 0o700);
    Ok(())
}

/// `options` creating a file readable by the owner only.
pub(crate) fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    options.create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

/// Writes `job.json` whole (temp file, fsync, rename).
pub fn write_job(dir: &Path, job: &JobFile) -> io::Result<()> {
    private_dir(dir)?;
    let tmp = dir.join(".job.json.tmp");
    let mut file = private_file(OpenOptions::new().write(true).truncate(true)).open(&tmp)?;
    file.write_all(&serde_json::to_vec_pretty(job).map_err(io::Error::other)?)?;
    file.sync_all()?;
    std::fs::rename(&tmp, dir.join("job.json"))?;
    File::open(dir)?.sync_all()
}

/// The directory of the newest job named `stem` that did not finish, if any, else a new one.
pub fn find_or_new(data_dir: &Path, stem: &str) -> io::Result<(PathBuf, String, Option<JobFile>)> {
    let mut newest: Option<(u32, JobFile)> = None;
    for job in list_jobs(data_dir)? {
        let Some(n) = job
            .job_id
            .strip_prefix(stem)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if newest.as_ref().is_none_or(|(m, _)| n > *m) {
            newest = Some((n, job));
        }
    }
    match newest {
        Some((_, job)) if job.state == JobState::Running => Ok((
            jobs_dir(data_dir).join(&job.job_id),
            job.job_id.clone(),
            Some(job),
        )),
        other => {
            let n = other.map_or(1, |(n, _)| n + 1);
            let id = format!("{stem}-{n}");
            Ok((jobs_dir(data_dir).join(&id), id, None))
        }
    }
}

/// Reads a journal; a torn last line (a crash mid-write) is skipped.
pub fn read_progress(dir: &Path) -> io::Result<Progress> {
    let mut progress = Progress::default();
    let file = match File::open(dir.join("journal.jsonl")) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(progress),
        Err(e) => return Err(e),
    };
    for line in io::BufReader::new(file).lines() {
        let Ok(line) = serde_json::from_str::<JournalLine>(&line?) else {
            continue;
        };
        match line {
            JournalLine::InFlight { key } => {
                progress.in_flight.insert(key_hash(&key));
            }
            JournalLine::Done { key, size, outcome } => {
                let hash = key_hash(&key);
                progress.in_flight.remove(&hash);
                progress.done.insert(hash, (outcome, size));
            }
        }
    }
    Ok(progress)
}

/// Appends journal and result lines. Each line is in the file before [`append`] returns,
/// so a killed process loses none (an `in_flight` line is there before its copy is sent);
/// a thread syncs after each burst of lines, so a thousand objects finishing at once cost a
/// few fsyncs, not a thousand. A power cut can lose the lines of the last unsynced burst:
/// those objects are re-read on resume (never copied twice, see the module doc).
///
/// [`append`]: JournalWriter::append
pub struct JournalWriter {
    files: Mutex<Appended>,
    wake: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

struct Appended {
    journal: File,
    results: File,
    /// The first write error, reported by close().
    error: Option<io::Error>,
}

impl JournalWriter {
    pub fn open(dir: &Path) -> io::Result<Self> {
        private_dir(dir)?;
        let open = |name: &str| {
            let path = dir.join(name);
            let file = private_file(OpenOptions::new().read(true).append(true)).open(&path)?;
            tighten(&path, 0o600);
            Ok::<_, io::Error>(file)
        };
        let journal = end_torn_line(open("journal.jsonl")?)?;
        let results = end_torn_line(open("results.jsonl")?)?;
        let (sync_journal, sync_results) = (journal.try_clone()?, results.try_clone()?);
        let (wake, woken) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("ossguard-journal".into())
            .spawn(move || -> io::Result<()> {
                while woken.recv().is_ok() {
                    woken.try_iter().for_each(drop);
                    sync_journal.sync_data()?;
                }
                sync_journal.sync_data()?;
                sync_results.sync_data()
            })?;
        Ok(Self {
            files: Mutex::new(Appended {
                journal,
                results,
                error: None,
            }),
            wake: Some(wake),
            thread: Some(thread),
        })
    }

    pub fn append(&self, line: JournalLine) {
        let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        if files.error.is_some() {
            return;
        }
        let written = serde_json::to_string(&line)
            .map_err(io::Error::other)
            .and_then(|mut text| {
                text.push('\n');
                files.journal.write_all(text.as_bytes())?;
                if let JournalLine::Done { .. } = line {
                    files.results.write_all(text.as_bytes())?;
                }
                Ok(())
            });
        if let Err(e) = written {
            files.error = Some(e);
        }
        drop(files);
        if let Some(wake) = &self.wake {
            // The thread only ends on a disk error, reported by close().
            wake.send(()).ok();
        }
    }

    /// Waits for the last sync; reports the first write or sync error.
    pub fn close(mut self) -> io::Result<()> {
        self.wake.take();
        let synced = match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("journal thread panicked")),
            None => Ok(()),
        };
        let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        match files.error.take() {
            Some(e) => Err(e),
            None => synced,
        }
    }
}

/// Ends a line torn by a crash, so the next line appended after it stays readable.
fn end_torn_line(mut file: File) -> io::Result<File> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    if file.metadata()?.len() > 0 {
        let mut last = [0u8];
        file.seek(SeekFrom::End(-1))?;
        file.read_exact(&mut last)?;
        if last != *b"\n" {
            file.write_all(b"\n")?;
        }
    }
    Ok(file)
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        self.wake.take();
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{JournalLine, JournalWriter, key_hash, read_progress};
    use crate::core::objects::counters::ObjectOutcome;
    use crate::core::objects::plan::SkipReason;

    /// Folders and files an older version left readable by others are tightened on open.
    #[cfg(unix)]
    #[test]
    fn job_files_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let data = tempfile::tempdir().expect("tempdir");
        let jobs = data.path().join("jobs");
        let job = jobs.join("job-1");
        std::fs::create_dir_all(&job).expect("mkdir");
        let results = job.join("results.jsonl");
        std::fs::write(&results, "").expect("write");
        let set = |p: &std::path::Path, mode| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
        };
        set(&jobs, 0o755);
        set(&job, 0o755);
        set(&results, 0o644);
        JournalWriter::open(&job)
            .expect("open")
            .close()
            .expect("close");
        let fresh = jobs.join("job-2");
        JournalWriter::open(&fresh)
            .expect("open")
            .close()
            .expect("close");
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
        };
        for dir in [&jobs, &job, &fresh] {
            assert_eq!(mode(dir), 0o700, "{}", dir.display());
        }
        for file in ["journal.jsonl", "results.jsonl"] {
            assert_eq!(mode(&job.join(file)), 0o600, "{file}");
            assert_eq!(mode(&fresh.join(file)), 0o600, "{file}");
        }
    }

    #[test]
    fn a_line_is_in_the_file_when_append_returns() {
        let dir = tempfile::tempdir().expect("tempdir");
        let writer = JournalWriter::open(dir.path()).expect("open");
        for n in 0..50 {
            let key = format!("k{n}");
            writer.append(JournalLine::InFlight { key: key.clone() });
            let progress = read_progress(dir.path()).expect("read");
            assert!(progress.in_flight.contains(&key_hash(&key)), "{key}");
        }
        writer.close().expect("close");
    }

    #[test]
    fn journal_replays_and_survives_a_torn_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let writer = JournalWriter::open(dir.path()).expect("open");
        writer.append(JournalLine::InFlight { key: "a".into() });
        writer.append(JournalLine::InFlight { key: "b".into() });
        writer.append(JournalLine::Done {
            key: "a".into(),
            size: 3,
            outcome: ObjectOutcome::Copied,
        });
        writer.append(JournalLine::Done {
            key: "c".into(),
            size: 1,
            outcome: ObjectOutcome::Skipped {
                reason: SkipReason::Appendable,
            },
        });
        writer.close().expect("close");
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("journal.jsonl"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"state\":\"do"))
            .expect("torn");
        // A resumed run appends after the torn line without losing its own first line.
        let writer = JournalWriter::open(dir.path()).expect("reopen");
        writer.append(JournalLine::InFlight { key: "d".into() });
        writer.close().expect("close");
        let progress = read_progress(dir.path()).expect("read");
        assert!(progress.in_flight.contains(&key_hash("d")));
        assert_eq!(progress.done.len(), 2);
        assert_eq!(progress.done[&key_hash("a")], (ObjectOutcome::Copied, 3));
        assert!(progress.in_flight.contains(&key_hash("b")));
        assert!(!progress.in_flight.contains(&key_hash("a")));
        let results = std::fs::read_to_string(dir.path().join("results.jsonl")).expect("results");
        assert_eq!(results.lines().count(), 2);
        assert!(
            results.contains(
                r#"{"state":"done","key":"c","size":1,"result":"skipped","reason":"appendable"}"#
            ),
            "{results}"
        );
    }
}

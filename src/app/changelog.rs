//! The change log: every PutBucketEncryption and DeleteBucketEncryption ossguard makes,
//! appended as one JSON line to `changes.jsonl` in the data folder, so no change is ever
//! lost track of, and any can be undone.
//!
//! Lines are appended with `O_APPEND` and synced before the call returns; a line torn by a
//! crash (even mid-character) is skipped on reading with a warning naming it, never fatal,
//! and the next append starts on a fresh line. The file is kept at 0600 and its folder at
//! 0700: the log names every bucket and key ID that changed.

use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::change::Change;
use crate::core::sse::{RuleFields, SseRule};

/// What a bucket's rule was, as far as ossguard could tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LoggedState {
    /// In the audit row's field names.
    Rule(RuleFields),
    NoRule,
    /// It could not be read (the error code says why): such a change cannot be undone.
    Unknown {
        code: String,
    },
}

impl LoggedState {
    pub fn from_rule(rule: Option<&SseRule>) -> Self {
        rule.map_or(Self::NoRule, |r| Self::Rule(RuleFields::of(Some(r))))
    }

    /// For people: the rule, `None`, or `unknown (Code)`.
    pub fn describe(&self) -> String {
        match self {
            Self::Rule(rule) => rule.to_rule().map_or_else(
                |_| rule.sse_algorithm.clone().unwrap_or_default(),
                |r| r.to_string(),
            ),
            Self::NoRule => "None".into(),
            Self::Unknown { code } => format!("unknown ({code})"),
        }
    }

    /// The rule (`Some(None)`: no rule), or `None` when it is unknown.
    pub fn to_rule_state(&self) -> Option<Option<SseRule>> {
        match self {
            Self::Rule(rule) => rule.to_rule().ok().map(Some),
            Self::NoRule => Some(None),
            Self::Unknown { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Put,
    Delete,
    /// A job re-encrypting existing objects (`objects encrypt`): not a rule change, never
    /// undone; `after` is its target, `objects_job` its counts.
    ReencryptObjects,
}

/// A re-encryption job in the change log: which job, and its counts once done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectsJobLog {
    pub job_id: String,
    pub prefix: String,
    pub shard: String,
    pub resumed: bool,
    #[serde(default)]
    pub counts: Option<crate::core::objects::counters::JobCounters>,
}

/// Where a change got to. A `started` line is written before the write is sent, and a
/// `done` line (same `id`) once the outcome is known, so even a change interrupted by a crash
/// or a closed window leaves a record: the write may or may not have reached OSS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Started,
    Done,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// Ties a change's `started` and `done` lines together, and names it in `undo_of`.
    pub id: String,
    pub phase: Phase,
    pub time: DateTime<Utc>,
    pub profile: String,
    /// Who made the change (not a secret: the key ID only).
    pub access_key_id: String,
    pub bucket: String,
    pub region: String,
    pub kind: ChangeKind,
    pub before: LoggedState,
    pub after: LoggedState,
    pub request_id: Option<String>,
    /// OSS accepted the write (or the read-back shows it took effect).
    pub written: bool,
    /// The rule read back after the change matched `after`.
    pub verified: bool,
    /// Why the write or the read-back failed, when one did (an attempt is a fact too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The change this one undid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo_of: Option<String>,
    /// The bulk change this one was part of (one id for all its buckets): undone as one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    /// Written although the rule had changed since the administrator confirmed it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
    /// The pre-flight check was skipped on the administrator's say-so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub checks_skipped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_job: Option<ObjectsJobLog>,
    /// The account UID of `profile` (from GetCallerIdentity), for changes made from an
    /// audit of several profiles; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

impl ChangeRecord {
    /// Started and never finished: the write may or may not have been applied.
    pub fn interrupted(&self) -> bool {
        self.phase == Phase::Started
    }

    /// How to restore the rule from before this change; `None` when the previous rule is
    /// unknown or the write certainly did not happen.
    pub fn undo_action(&self) -> Option<Change> {
        if self.kind == ChangeKind::ReencryptObjects || !(self.written || self.interrupted()) {
            return None;
        }
        match &self.before {
            LoggedState::Rule(rule) => rule.to_rule().ok().map(Change::Set),
            LoggedState::NoRule => Some(Change::Delete),
            LoggedState::Unknown { .. } => None,
        }
    }

    /// [`Self::undo_action`] with this change's id and the rule it set (the guard).
    pub fn undo(&self) -> Option<super::change::Undo> {
        let set = self.after.to_rule_state()?;
        self.undo_action().map(|change| super::change::Undo {
            bucket: self.bucket.clone(),
            change,
            of: self.id.clone(),
            set,
        })
    }

    /// A fresh id: time-ordered, and unique enough for one user's log.
    pub fn new_id() -> String {
        format!(
            "{}-{:08x}",
            Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
            rand::random::<u32>()
        )
    }
}

/// `changes.jsonl` in the data folder.
pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.join("changes.jsonl")
}

/// Appends one record and syncs it to disk. If the file does not end with a newline (a
/// line torn by a crash), the record starts on a new line so it is not swallowed.
pub fn append(path: &Path, record: &ChangeRecord) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
        tighten(dir, 0o700);
    }
    let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut options = std::fs::OpenOptions::new();
    options.create(true).read(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    tighten(path, 0o600);
    if file.metadata()?.len() > 0 {
        let mut last = [0u8];
        file.seek(std::io::SeekFrom::End(-1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            line.insert(0, '\n');
        }
    }
    file.write_all(line.as_bytes())?;
    file.sync_data()
}

/// Removes group and other permissions from `path` when it has any; a failure is reported
/// as a warning (the log is still written: losing a change record is worse).
pub(crate) fn tighten(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let current = meta.permissions().mode() & 0o777;
        if current & !mode == 0 {
            return;
        }
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            Ok(()) => tracing::warn!(
                path = %path.display(),
                "tightened permissions from {current:o} to {mode:o}"
            ),
            Err(e) => tracing::warn!(
                path = %path.display(),
                "permissions are {current:o}, looser than {mode:o}, and could not be tightened: {e}"
            ),
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// What reading the log found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogContents {
    /// Every change, oldest first (by its first line), each as its newest line.
    pub records: Vec<ChangeRecord>,
    /// 1-based numbers of the lines that could not be read (torn, not UTF-8, not a record).
    pub skipped_lines: Vec<usize>,
}

/// Every change, oldest first (by its first line), each as its newest line: a `done` line
/// replaces its `started` line. Also the number of lines that could not be read.
pub fn read_all(path: &Path) -> std::io::Result<(Vec<ChangeRecord>, usize)> {
    read_contents(path).map(|c| (c.records, c.skipped_lines.len()))
}

/// As [`read_all`], naming the skipped lines.
pub fn read_contents(path: &Path) -> std::io::Result<LogContents> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LogContents::default()),
        Err(e) => return Err(e),
    };
    if let Some(dir) = path.parent() {
        tighten(dir, 0o700);
    }
    tighten(path, 0o600);
    let mut contents = LogContents::default();
    let mut position: std::collections::HashMap<String, usize> = Default::default();
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = std::str::from_utf8(line)
            .ok()
            .and_then(|text| serde_json::from_str::<ChangeRecord>(text).ok());
        let Some(record) = parsed else {
            contents.skipped_lines.push(index + 1);
            continue;
        };
        match position.get(&record.id) {
            Some(&i) => contents.records[i] = record,
            None => {
                position.insert(record.id.clone(), contents.records.len());
                contents.records.push(record);
            }
        }
    }
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::{
        ChangeKind, ChangeRecord, LoggedState, Phase, append, log_path, read_all, read_contents,
    };
    use crate::app::change::Change;
    use crate::core::sse::SseRule;

    fn record(before: LoggedState, after: Option<&SseRule>) -> ChangeRecord {
        ChangeRecord {
            id: ChangeRecord::new_id(),
            phase: Phase::Done,
            time: chrono::Utc::now(),
            profile: "prod".into(),
            access_key_id: "LTAIexample".into(),
            bucket: "logs".into(),
            region: "cn-hangzhou".into(),
            kind: if after.is_some() {
                ChangeKind::Put
            } else {
                ChangeKind::Delete
            },
            before,
            after: LoggedState::from_rule(after),
            request_id: Some("RID".into()),
            written: true,
            verified: true,
            error: None,
            undo_of: None,
            batch: None,
            forced: false,
            checks_skipped: false,
            objects_job: None,
            account_id: None,
        }
    }

    #[test]
    fn started_and_done_lines_merge_and_torn_lines_are_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = log_path(dir.path());
        let kms = SseRule::Kms {
            key_id: Some("key-abcdefgh1".into()),
            sm4_data: true,
        };
        let first = record(LoggedState::NoRule, Some(&kms));
        let second = record(LoggedState::from_rule(Some(&kms)), None);
        let started = |r: &ChangeRecord| ChangeRecord {
            phase: Phase::Started,
            written: false,
            verified: false,
            request_id: None,
            ..r.clone()
        };
        append(&path, &started(&first)).expect("append");
        append(&path, &first).expect("append");
        append(&path, &started(&second)).expect("append");
        append(&path, &second).expect("append");
        let interrupted = record(LoggedState::from_rule(Some(&SseRule::Aes256)), Some(&kms));
        append(&path, &started(&interrupted)).expect("append");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"time\":\"2025-"))
            .expect("torn line");
        let (records, skipped) = read_all(&path).expect("read");
        assert_eq!(records.len(), 3);
        assert_eq!(records[0], first);
        assert_eq!(records[1], second);
        assert!(records[2].interrupted());
        assert_eq!(skipped, 1);
        assert_eq!(first.undo_action(), Some(Change::Delete));
        assert_eq!(second.undo_action(), Some(Change::Set(kms)));
        // An interrupted change may have been applied: restoring the rule before is offered.
        assert_eq!(records[2].undo_action(), Some(Change::Set(SseRule::Aes256)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_torn_multibyte_line_is_skipped_by_number_and_the_next_append_is_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = log_path(dir.path());
        let first = record(LoggedState::NoRule, Some(&SseRule::Aes256));
        append(&path, &first).expect("append");
        // A crash mid-way through a multibyte character: not UTF-8, no newline.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"bucket\":\"\xe4\xb8"))
            .expect("torn line");
        let second = record(LoggedState::NoRule, Some(&SseRule::Sm4));
        append(&path, &second).expect("append after the torn line");
        let contents = read_contents(&path).expect("read despite the torn line");
        assert_eq!(contents.records, [first, second]);
        assert_eq!(contents.skipped_lines, [2]);
        assert_eq!(read_all(&path).expect("read").1, 1);
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let path = log_path(&data);
        append(&path, &record(LoggedState::NoRule, None)).expect("append");
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        let set = |p: &std::path::Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
        };
        set(&data, 0o755);
        set(&path, 0o644);
        read_contents(&path).expect("read");
        assert_eq!(
            (mode(&data), mode(&path)),
            (0o700, 0o600),
            "reading tightens"
        );
        set(&data, 0o777);
        set(&path, 0o666);
        append(&path, &record(LoggedState::NoRule, None)).expect("append");
        assert_eq!(
            (mode(&data), mode(&path)),
            (0o700, 0o600),
            "appending tightens"
        );
    }

    #[test]
    fn a_change_that_was_not_written_or_had_an_unknown_before_cannot_be_undone() {
        let mut refused = record(LoggedState::NoRule, Some(&SseRule::Aes256));
        refused.written = false;
        refused.verified = false;
        refused.error = Some("AccessDenied: no".into());
        assert_eq!(refused.undo_action(), None);
        // Written but not verified (the read-back timed out): undo is still possible.
        let mut unverified = refused.clone();
        unverified.written = true;
        unverified.error = Some("Timeout: read-back".into());
        assert_eq!(unverified.undo_action(), Some(Change::Delete));
        let r = record(
            LoggedState::Unknown {
                code: "AccessDenied".into(),
            },
            Some(&SseRule::Aes256),
        );
        assert_eq!(r.undo_action(), None);
        let line = serde_json::to_string(&r).expect("json");
        assert!(
            line.contains("\"before\":{\"state\":\"unknown\",\"code\":\"AccessDenied\"}"),
            "{line}"
        );
    }
}

//! The change log: every PutBucketEncryption and DeleteBucketEncryption ossguard makes,
//! appended as one JSON line to `changes.jsonl` in the data folder, so no change is ever
//! lost track of, and any can be undone.
//!
//! Lines are appended with `O_APPEND` and synced before the call returns; a line torn by a
//! crash is skipped on reading, never fatal.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::change::Change;
use crate::core::sse::SseRule;
use crate::core::validate::rule_from_fields;

/// A rule in the log, in the CLI's field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRule {
    pub sse_algorithm: String,
    pub kms_master_key_id: Option<String>,
    pub kms_data_encryption: Option<String>,
}

impl LoggedRule {
    pub fn from_rule(rule: &SseRule) -> Self {
        Self {
            sse_algorithm: rule.algorithm().to_owned(),
            kms_master_key_id: rule.kms_key_id().map(str::to_owned),
            kms_data_encryption: rule.data_encryption().map(str::to_owned),
        }
    }

    pub fn to_rule(&self) -> Option<SseRule> {
        rule_from_fields(
            &self.sse_algorithm,
            self.kms_master_key_id.as_deref(),
            self.kms_data_encryption.as_deref(),
        )
        .ok()
    }
}

/// What a bucket's rule was, as far as ossguard could tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LoggedState {
    Rule(LoggedRule),
    NoRule,
    /// It could not be read (the error code says why): such a change cannot be undone.
    Unknown {
        code: String,
    },
}

impl LoggedState {
    pub fn from_rule(rule: Option<&SseRule>) -> Self {
        rule.map_or(Self::NoRule, |r| Self::Rule(LoggedRule::from_rule(r)))
    }

    /// For people: the rule, `None`, or `unknown (Code)`.
    pub fn describe(&self) -> String {
        match self {
            Self::Rule(rule) => rule
                .to_rule()
                .map_or_else(|| rule.sse_algorithm.clone(), |r| r.to_string()),
            Self::NoRule => "None".into(),
            Self::Unknown { code } => format!("unknown ({code})"),
        }
    }

    /// The rule (`Some(None)`: no rule), or `None` when it is unknown.
    pub fn to_rule_state(&self) -> Option<Option<SseRule>> {
        match self {
            Self::Rule(rule) => rule.to_rule().map(Some),
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
}

impl ChangeRecord {
    /// Started and never finished: the write may or may not have been applied.
    pub fn interrupted(&self) -> bool {
        self.phase == Phase::Started
    }

    /// How to restore the rule from before this change; `None` when the previous rule is
    /// unknown or the write certainly did not happen.
    pub fn undo_action(&self) -> Option<Change> {
        if !(self.written || self.interrupted()) {
            return None;
        }
        match &self.before {
            LoggedState::Rule(rule) => rule.to_rule().map(Change::Set),
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

/// Appends one record and syncs it to disk.
pub fn append(path: &Path, record: &ChangeRecord) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(line.as_bytes())?;
    file.sync_data()
}

/// Every change, oldest first (by its first line), each as its newest line: a `done` line
/// replaces its `started` line. Also the number of lines that could not be read (a line torn
/// by a crash is skipped, never fatal).
pub fn read_all(path: &Path) -> std::io::Result<(Vec<ChangeRecord>, usize)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let mut records: Vec<ChangeRecord> = Vec::new();
    let mut position: std::collections::HashMap<String, usize> = Default::default();
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(record) = serde_json::from_str::<ChangeRecord>(line) else {
            skipped += 1;
            continue;
        };
        match position.get(&record.id) {
            Some(&i) => records[i] = record,
            None => {
                position.insert(record.id.clone(), records.len());
                records.push(record);
            }
        }
    }
    Ok((records, skipped))
}

#[cfg(test)]
mod tests {
    use super::{ChangeKind, ChangeRecord, LoggedState, Phase, append, log_path, read_all};
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

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Put,
    Delete,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub time: DateTime<Utc>,
    pub profile: String,
    pub bucket: String,
    pub region: String,
    pub kind: ChangeKind,
    pub before: LoggedState,
    pub after: LoggedState,
    pub request_id: Option<String>,
    /// The rule read back after the change matched `after`.
    pub verified: bool,
    /// Why the change failed, when it did (the record is kept: an attempt is a fact too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ChangeRecord {
    /// How to restore the rule from before this change; `None` when the previous rule is
    /// unknown or the change never happened.
    pub fn undo_action(&self) -> Option<Change> {
        if self.error.is_some() && !self.verified {
            return None;
        }
        match &self.before {
            LoggedState::Rule(rule) => rule.to_rule().map(Change::Set),
            LoggedState::NoRule => Some(Change::Delete),
            LoggedState::Unknown { .. } => None,
        }
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

/// Every readable record, oldest first, and the number of lines that could not be read.
pub fn read_all(path: &Path) -> std::io::Result<(Vec<ChangeRecord>, usize)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let mut records = Vec::new();
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str(line) {
            Ok(record) => records.push(record),
            Err(_) => skipped += 1,
        }
    }
    Ok((records, skipped))
}

#[cfg(test)]
mod tests {
    use super::{ChangeKind, ChangeRecord, LoggedState, append, log_path, read_all};
    use crate::app::change::Change;
    use crate::core::sse::SseRule;

    fn record(before: LoggedState, after: Option<&SseRule>) -> ChangeRecord {
        ChangeRecord {
            time: chrono::Utc::now(),
            profile: "prod".into(),
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
            verified: true,
            error: None,
        }
    }

    #[test]
    fn appends_reads_and_skips_torn_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = log_path(dir.path());
        let kms = SseRule::Kms {
            key_id: Some("key-abcdefgh1".into()),
            sm4_data: true,
        };
        let first = record(LoggedState::NoRule, Some(&kms));
        let second = record(LoggedState::from_rule(Some(&kms)), None);
        append(&path, &first).expect("append");
        append(&path, &second).expect("append");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"time\":\"2025-"))
            .expect("torn line");
        let (records, skipped) = read_all(&path).expect("read");
        assert_eq!(records, vec![first.clone(), second.clone()]);
        assert_eq!(skipped, 1);
        assert_eq!(first.undo_action(), Some(Change::Delete));
        assert_eq!(second.undo_action(), Some(Change::Set(kms)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn unknown_before_cannot_be_undone() {
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

//! One rule change, done the careful way: read the rule before, write the complete new rule
//! (or delete it), read it back, compare, and append the outcome to the change log. Used by
//! the CLI and the desktop app alike, so both leave the same audit trail.

use std::path::PathBuf;

use crate::core::model::Bucket;
use crate::core::sse::{EncryptionState, SseRule};
use crate::transport::{OssClient, OssError};

use super::changelog::{self, ChangeKind, ChangeRecord, LoggedState, Phase};

/// A change to one bucket's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Set(SseRule),
    Delete,
}

impl Change {
    /// The rule after the change (`None`: no rule).
    pub fn target(&self) -> Option<&SseRule> {
        match self {
            Self::Set(rule) => Some(rule),
            Self::Delete => None,
        }
    }

    /// What GetBucketEncryption should answer after the change.
    pub fn expected(&self) -> EncryptionState {
        match self {
            Self::Set(rule) => EncryptionState::Configured(rule.clone()),
            Self::Delete => EncryptionState::NotConfigured,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Set(rule) => format!("set {rule}"),
            Self::Delete => "delete the rule".to_owned(),
        }
    }
}

/// How to restore a bucket's rule from before a logged change: the change to make, and the
/// id of the logged change it undoes (recorded as `undo_of`, so undos are never undone as
/// ordinary changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undo {
    pub change: Change,
    pub of: String,
}

/// The result of [`apply_change`].
#[derive(Debug, Clone)]
pub struct ChangeOutcome {
    /// What the change log now says about this change (its `done` line).
    pub record: ChangeRecord,
    /// What was read back after the change (`None` = no rule), when the read-back worked.
    pub read_back: Option<Option<SseRule>>,
    /// The write failed (it may still have taken effect: `record.written` says).
    pub write_error: Option<OssError>,
    /// The read-back after the write failed, so the result is unconfirmed.
    pub read_back_error: Option<OssError>,
    /// The change log could not be written (the change itself may have succeeded).
    pub log_error: Option<String>,
}

/// Where and as whom changes are logged.
#[derive(Debug, Clone)]
pub struct ChangeContext {
    pub profile: String,
    /// `None` disables logging (tests of unrelated behaviour).
    pub log_path: Option<PathBuf>,
    /// Set when this change undoes a logged one: its id.
    pub undo_of: Option<String>,
}

/// Applies `change` to `bucket`: reads the rule before, logs that the change started, writes
/// the complete rule (or deletes it), reads it back, compares, and logs the outcome. The read
/// -back runs even when the write failed: a timed-out write may still have been applied, and
/// only OSS can say.
pub async fn apply_change(
    client: &OssClient,
    bucket: &Bucket,
    change: &Change,
    context: &ChangeContext,
) -> ChangeOutcome {
    let target = change.target();
    let before = match client.get_encryption(bucket).await {
        Ok(rule) => LoggedState::from_rule(rule.as_ref()),
        Err(e) => LoggedState::Unknown {
            code: e.code().to_owned(),
        },
    };
    let mut record = ChangeRecord {
        id: ChangeRecord::new_id(),
        phase: Phase::Started,
        time: chrono::Utc::now(),
        profile: context.profile.clone(),
        access_key_id: client.access_key_id(),
        bucket: bucket.name.to_string(),
        region: bucket.region.clone(),
        kind: if target.is_some() {
            ChangeKind::Put
        } else {
            ChangeKind::Delete
        },
        before,
        after: LoggedState::from_rule(target),
        request_id: None,
        written: false,
        verified: false,
        error: None,
        undo_of: context.undo_of.clone(),
    };
    let mut log_error = append_line(context, &record).await;
    let write = match target {
        Some(rule) => client.put_encryption(bucket, rule).await,
        None => client.delete_encryption(bucket).await,
    };
    let (request_id, write_error) = match write {
        Ok(request_id) => (request_id, None),
        Err(e) => (e.request_id().map(str::to_owned), Some(e)),
    };
    let (read_back, read_back_error) = match client.get_encryption(bucket).await {
        Ok(rule) => (Some(rule), None),
        Err(e) => (None, Some(e)),
    };
    record.verified = read_back
        .as_ref()
        .is_some_and(|rule| rule.as_ref() == target);
    record.written = write_error.is_none() || record.verified;
    record.phase = Phase::Done;
    record.time = chrono::Utc::now();
    record.request_id = request_id;
    record.error = write_error
        .as_ref()
        .or(read_back_error.as_ref())
        .map(|e| format!("{}: {}", e.code(), e.message()));
    log_error = log_error.or(append_line(context, &record).await);
    ChangeOutcome {
        record,
        read_back,
        write_error,
        read_back_error,
        log_error,
    }
}

/// Appends one line off the async threads; the error, if any, is logged here once.
async fn append_line(context: &ChangeContext, record: &ChangeRecord) -> Option<String> {
    let path = context.log_path.clone()?;
    let line = record.clone();
    let error = match tokio::task::spawn_blocking(move || changelog::append(&path, &line)).await {
        Ok(Ok(())) => return None,
        Ok(Err(e)) => e.to_string(),
        Err(e) => e.to_string(),
    };
    tracing::error!(error = %error, "could not append to the change log");
    Some(error)
}

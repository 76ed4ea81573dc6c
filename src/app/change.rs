//! One rule change, done the careful way: read the rule before, write the complete new rule
//! (or delete it), read it back, compare, and append the outcome to the change log. Used by
//! the CLI and the desktop app alike, so both leave the same audit trail.

use std::path::PathBuf;

use crate::core::model::Bucket;
use crate::core::sse::{EncryptionState, SseRule};
use crate::transport::{OssClient, OssError};

use super::changelog::{self, ChangeKind, ChangeRecord, LoggedState};

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

/// The result of [`apply_change`].
#[derive(Debug, Clone)]
pub struct ChangeOutcome {
    pub record: ChangeRecord,
    /// What was read back after the change (`None` = no rule), when the read-back worked.
    pub read_back: Option<Option<SseRule>>,
    /// The write or read-back failure, if any.
    pub error: Option<OssError>,
    /// The change log could not be written (the change itself may have succeeded).
    pub log_error: Option<String>,
}

impl ChangeOutcome {
    pub fn verified(&self) -> bool {
        self.record.verified
    }
}

/// Where and as whom changes are logged.
#[derive(Debug, Clone)]
pub struct ChangeContext {
    pub profile: String,
    /// `None` disables logging (tests of unrelated behaviour).
    pub log_path: Option<PathBuf>,
}

/// Applies `change` to `bucket`, verifies and logs it.
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
    let write = match target {
        Some(rule) => client.put_encryption(bucket, rule).await,
        None => client.delete_encryption(bucket).await,
    };
    let (request_id, read_back, error) = match write {
        Err(e) => (e.request_id().map(str::to_owned), None, Some(e)),
        Ok(request_id) => match client.get_encryption(bucket).await {
            Ok(rule) => (request_id, Some(rule), None),
            Err(e) => (request_id, None, Some(e)),
        },
    };
    let verified = read_back
        .as_ref()
        .is_some_and(|rule| rule.as_ref() == target);
    let record = ChangeRecord {
        time: chrono::Utc::now(),
        profile: context.profile.clone(),
        bucket: bucket.name.to_string(),
        region: bucket.region.clone(),
        kind: if target.is_some() {
            ChangeKind::Put
        } else {
            ChangeKind::Delete
        },
        before,
        after: LoggedState::from_rule(target),
        request_id,
        verified,
        error: error
            .as_ref()
            .map(|e| format!("{}: {}", e.code(), e.message())),
    };
    let log_error = match &context.log_path {
        Some(path) => {
            let (path, line) = (path.clone(), record.clone());
            match tokio::task::spawn_blocking(move || changelog::append(&path, &line)).await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(e) => Some(e.to_string()),
            }
        }
        None => None,
    };
    if let Some(e) = &log_error {
        tracing::error!(error = %e, "could not append to the change log");
    }
    ChangeOutcome {
        record,
        read_back,
        error,
        log_error,
    }
}

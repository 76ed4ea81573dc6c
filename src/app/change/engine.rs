//! [`run`]: one rule change to one bucket, end to end (see the module doc of
//! [`crate::app::change`] for the steps and the pre-flight hook).

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::app::changelog::{self, ChangeKind, ChangeRecord, LoggedState, Phase};
use crate::core::model::Bucket;
use crate::core::sse::EncryptionState;
use crate::transport::{OssClient, OssError};

use super::{ApplyOutcome, Change, RuleState, Undo};

/// A check run before anything is written (the pre-flight hook). It runs after the
/// changed-since guard, only for the changes it [`applies`](Preflight::applies) to, and
/// returns `Err(reason)` to stop the change ([`ApplyOutcome::Refused`]).
pub trait Preflight: Send + Sync {
    /// Whether this check has anything to say about `change` (e.g. only a rule with a CMK).
    fn applies(&self, change: &Change) -> bool;

    /// `Ok` to go on, or why the change must not be written (shown as is).
    fn check<'a>(
        &'a self,
        client: &'a OssClient,
        bucket: &'a Bucket,
        change: &'a Change,
    ) -> BoxFuture<'a, Result<(), String>>;
}

/// What the administrator asked for, for one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequest {
    pub change: Change,
    /// The rule the administrator saw and confirmed as the bucket's rule before the change;
    /// the engine stops if the bucket has another one now. `None`: nothing was known (no
    /// guard).
    pub confirmed: Option<RuleState>,
    /// Set when this change undoes a logged one: its id.
    pub undo_of: Option<String>,
    /// Ties the buckets of one bulk change together in the log (undone as one).
    pub batch: Option<String>,
    /// Write even if the rule changed since it was confirmed (logged as `forced`).
    pub force: bool,
    /// Skip the pre-flight check (logged as `checks_skipped`).
    pub skip_checks: bool,
}

impl ChangeRequest {
    /// A change with no "before" to guard against (the CLI's `set` and `delete`).
    pub fn unguarded(change: Change) -> Self {
        Self {
            change,
            confirmed: None,
            undo_of: None,
            batch: None,
            force: false,
            skip_checks: false,
        }
    }
}

/// Where and as whom changes are logged, and the pre-flight check to run.
#[derive(Clone, Default)]
pub struct ChangeContext {
    pub profile: String,
    /// The profile's account UID, when known (changes from an audit of several profiles).
    pub account_id: Option<String>,
    /// `None` disables logging (tests of unrelated behaviour).
    pub log_path: Option<PathBuf>,
    pub preflight: Option<Arc<dyn Preflight>>,
}

impl std::fmt::Debug for ChangeContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeContext")
            .field("profile", &self.profile)
            .field("account_id", &self.account_id)
            .field("log_path", &self.log_path)
            .field("preflight", &self.preflight.is_some())
            .finish()
    }
}

/// The result of [`run`].
#[derive(Debug, Clone)]
pub struct ChangeReport {
    pub outcome: ApplyOutcome,
    /// The change's `done` line; `None` when it stopped before writing (nothing logged).
    pub record: Option<ChangeRecord>,
    /// The change log could not be written (the change itself may have succeeded).
    pub log_error: Option<String>,
}

impl ChangeReport {
    /// How to restore the rule from before this change, when it is known.
    pub fn undo(&self) -> Option<Undo> {
        self.record.as_ref().and_then(ChangeRecord::undo)
    }

    fn stopped(outcome: ApplyOutcome) -> Self {
        Self {
            outcome,
            record: None,
            log_error: None,
        }
    }
}

/// Makes one change to `bucket`: guard, pre-flight, `started` line, write, read back,
/// compare, `done` line.
pub async fn run(
    client: &OssClient,
    bucket: &Bucket,
    request: &ChangeRequest,
    context: &ChangeContext,
) -> ChangeReport {
    let change = &request.change;
    let target = change.target();
    let current = client.get_encryption(bucket).await;
    if let Some(confirmed) = request.confirmed.as_ref().filter(|_| !request.force) {
        let found = match &current {
            Ok(rule) if rule == confirmed => None,
            Ok(rule) => Some(
                rule.clone()
                    .map_or(EncryptionState::NotConfigured, EncryptionState::Configured),
            ),
            // Unreadable: it cannot be shown to be unchanged, so nothing is written.
            Err(e) => Some(EncryptionState::Unknown(e.to_read_failure())),
        };
        if let Some(found) = found {
            return ChangeReport::stopped(ApplyOutcome::ChangedSince { found });
        }
    }
    // Writing the rule the bucket already has changes nothing, and logging it would give
    // `undo` a change to restore that restores nothing. An undo is still written: it must be
    // logged, so that the next undo moves past the change it undid.
    if request.undo_of.is_none() && current.as_ref().is_ok_and(|rule| rule.as_ref() == target) {
        return ChangeReport::stopped(ApplyOutcome::AlreadyApplied);
    }
    let preflight = context.preflight.as_ref().filter(|p| p.applies(change));
    if let Some(check) = preflight.filter(|_| !request.skip_checks)
        && let Err(reason) = check.check(client, bucket, change).await
    {
        return ChangeReport::stopped(ApplyOutcome::Refused(reason));
    }
    let before = match &current {
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
        // Read after the first call, so the credentials have been loaded.
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
        undo_of: request.undo_of.clone(),
        batch: request.batch.clone(),
        forced: request.force && request.confirmed.is_some(),
        checks_skipped: request.skip_checks && preflight.is_some(),
        objects_job: None,
        account_id: context.account_id.clone(),
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
    let read_back = client.get_encryption(bucket).await;
    record.verified = read_back.as_ref().is_ok_and(|rule| rule.as_ref() == target);
    record.written = write_error.is_none() || record.verified;
    record.phase = Phase::Done;
    record.time = chrono::Utc::now();
    record.request_id = request_id;
    record.error = write_error
        .as_ref()
        .or(read_back.as_ref().err())
        .map(|e| format!("{}: {}", e.code(), e.message()));
    log_error = log_error.or(append_line(context, &record).await);
    let outcome = verdict(record.verified, record.written, write_error, read_back);
    ChangeReport {
        outcome,
        record: Some(record),
        log_error,
    }
}

/// The outcome from what OSS said: the read-back decides, not the write's answer.
fn verdict(
    verified: bool,
    written: bool,
    write_error: Option<OssError>,
    read_back: Result<RuleState, OssError>,
) -> ApplyOutcome {
    match (write_error, read_back) {
        _ if verified => ApplyOutcome::Verified,
        // The write was refused and the rule read back shows it unchanged.
        (Some(error), _) if !written => ApplyOutcome::WriteFailed(error.to_read_failure()),
        (_, Ok(read_back)) => ApplyOutcome::Mismatch { read_back },
        (_, Err(error)) => ApplyOutcome::Unconfirmed(error.to_read_failure()),
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

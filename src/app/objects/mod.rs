//! Existing objects: the scan of their encryption and the resumable re-encryption job, shared
//! by the CLI (`ossguard objects`) and the app.
//!
//! | module | what it holds |
//! |---|---|
//! | [`scan`] | list + HEAD with bounded concurrency into counters and a per-object sink |
//! | [`reencrypt`] | one object brought to the target: copy or multipart copy, ACL, verify |
//! | [`job`] | a whole job: journal, resume, change log |
//! | [`dry_run`] | the plan without a write: copies, skips and why, requests, versions |
//! | [`journal`] | the job's files in the data folder (append-only, synced) |
//! | [`lock`] | one runner per job: the job folder's lock file |
pub mod dry_run;
pub mod job;
pub mod journal;
pub mod lock;
pub mod reencrypt;
pub mod scan;

use crate::app::change::{Change, Preflight};
use crate::core::model::Bucket;
use crate::core::sse::SseRule;
use crate::transport::OssClient;

/// The pre-flight check of a re-encryption target, before any object is touched: the same
/// check `set` runs for that rule (the change engine's [`Preflight`], e.g. a CMK that must
/// exist and be enabled), given the rule as if it were set on the bucket.
pub async fn preflight_target(
    client: &OssClient,
    bucket: &Bucket,
    target: &SseRule,
    preflight: Option<&dyn Preflight>,
) -> Result<(), String> {
    let change = Change::Set(target.clone());
    match preflight {
        Some(check) if check.applies(&change) => check.check(client, bucket, &change).await,
        _ => Ok(()),
    }
}

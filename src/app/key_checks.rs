//! KMS key health for the audit and the pre-flight check, shared by the CLI and the app.
//!
//! The audit describes each distinct (region, key) once per refresh, as soon as the first
//! rule naming it is read, so key checks run while the other rules are still being read. The
//! decisions themselves (usable or not, why, what to do) live in
//! [`crate::core::kms::health`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::app::change::{Change, Preflight};
use crate::core::kms::health::{KeyHealth, preflight_verdict, rule_cmk, skipped};
use crate::core::model::Bucket;
use crate::core::sse::EncryptionState;
use crate::transport::kms::KmsClient;
use crate::transport::{Endpoint, OssClient};

/// DescribeKey calls in flight at once during an audit.
const KEY_CHECK_CONCURRENCY: usize = 16;

/// Whether an audit asks KMS about the CMKs its rules name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheckMode {
    /// DescribeKey each distinct (region, key); `explicit` is the KMS endpoint override
    /// (`--kms-endpoint`, `OSS_KMS_ENDPOINT`).
    Ask { explicit: Option<Endpoint> },
    /// Ask KMS nothing (no permission, or in a hurry): every CMK is reported as not checked.
    Skip,
}

/// The key checks of one audit: each distinct (region, key) once, as rules arrive. The
/// caller spawns each check, so the CLI collects them at the end and the app reports each
/// as it lands.
pub struct KeyChecks {
    kms: KmsClient,
    limit: Arc<Semaphore>,
    started: HashSet<(String, String)>,
}

impl KeyChecks {
    /// `explicit` is the KMS endpoint override (`--kms-endpoint`, `OSS_KMS_ENDPOINT`).
    pub fn new(client: &OssClient, explicit: Option<Endpoint>) -> Self {
        Self {
            kms: KmsClient::new(client.clone(), explicit),
            limit: Arc::new(Semaphore::new(KEY_CHECK_CONCURRENCY)),
            started: HashSet::new(),
        }
    }

    /// The check of the key `state`'s rule names, unless it names none or that (region,
    /// key) was already handed out.
    pub fn observe(
        &mut self,
        bucket: &Bucket,
        state: &EncryptionState,
    ) -> Option<BoxFuture<'static, KeyHealth>> {
        let id = state.rule().and_then(rule_cmk)?;
        if !self.started.insert((bucket.region.clone(), id.to_owned())) {
            return None;
        }
        let kms = self.kms.clone();
        let limit = Arc::clone(&self.limit);
        let (region, host, id) = (
            bucket.region.clone(),
            bucket.extranet_endpoint.clone(),
            id.to_owned(),
        );
        Some(Box::pin(async move {
            let _permit = limit.acquire_owned().await.ok();
            kms.key_health(&region, Some(&host), &id).await
        }))
    }
}

/// Key health by (region, key as the rule names it).
#[derive(Debug, Clone, Default)]
pub struct KeyHealthMap(HashMap<(String, String), KeyHealth>);

impl KeyHealthMap {
    /// Waits for every spawned check.
    pub async fn collect(tasks: Vec<JoinHandle<KeyHealth>>) -> Self {
        let mut out = HashMap::with_capacity(tasks.len());
        for task in tasks {
            if let Ok(health) = task.await {
                out.insert((health.region.clone(), health.id.clone()), health);
            }
        }
        Self(out)
    }

    /// The health of the key `state`'s rule names for a bucket of `bucket_region`, as
    /// reported when key checks were skipped.
    pub fn skipped_for(bucket_region: &str, state: &EncryptionState) -> Option<KeyHealth> {
        let id = state.rule().and_then(rule_cmk)?;
        Some(skipped(id, bucket_region))
    }

    /// The health of the key `state`'s rule names, for a bucket of `bucket_region`.
    pub fn for_bucket(&self, bucket_region: &str, state: &EncryptionState) -> Option<KeyHealth> {
        let id = state.rule().and_then(rule_cmk)?;
        self.0
            .get(&(bucket_region.to_owned(), id.to_owned()))
            .cloned()
    }
}

/// `OSS_KMS_ENDPOINT` for the app (the CLI's `--kms-endpoint` reads it too); a malformed
/// value is ignored with a warning rather than blocking the app.
pub fn kms_endpoint_from_env() -> Option<Endpoint> {
    let value = std::env::var("OSS_KMS_ENDPOINT").ok()?;
    if value.trim().is_empty() {
        return None;
    }
    Endpoint::parse(&value)
        .inspect_err(|e| tracing::warn!("OSS_KMS_ENDPOINT ignored: {e}"))
        .ok()
}

/// The pre-flight check of the change engine: before a rule naming a CMK is written,
/// DescribeKey in the bucket's region, and refuse unless the key is usable.
#[derive(Debug, Clone, Default)]
pub struct KeyPreflight {
    pub explicit: Option<Endpoint>,
}

impl Preflight for KeyPreflight {
    fn applies(&self, change: &Change) -> bool {
        change.target().and_then(rule_cmk).is_some()
    }

    fn check<'a>(
        &'a self,
        client: &'a OssClient,
        bucket: &'a Bucket,
        change: &'a Change,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let Some(id) = change.target().and_then(rule_cmk) else {
                return Ok(());
            };
            let health = key_health(client, self.explicit.clone(), bucket, id).await;
            preflight_verdict(&health)
        })
    }
}

/// One key's health for one bucket (the CLI's `get`, the pre-flight check).
pub async fn key_health(
    client: &OssClient,
    explicit: Option<Endpoint>,
    bucket: &Bucket,
    id: &str,
) -> KeyHealth {
    KmsClient::new(client.clone(), explicit)
        .key_health(&bucket.region, Some(&bucket.extranet_endpoint), id)
        .await
}

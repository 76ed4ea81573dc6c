//! KMS key health for the audit and the pre-flight check, shared by the CLI and the app.
//!
//! The audit describes each distinct (region, key) once per refresh, as soon as the first
//! rule naming it is read, so key checks run while the other rules are still being read. The
//! decisions themselves (usable or not, why, what to do) live in
//! [`crate::core::kms::health`].

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::app::change::{Change, Preflight};
use crate::core::kms::health::{KeyHealth, preflight_verdict, rule_cmk};
use crate::core::model::Bucket;
use crate::core::sse::EncryptionState;
use crate::transport::kms::KmsClient;
use crate::transport::{Endpoint, OssClient};

/// DescribeKey calls in flight at once during an audit.
const KEY_CHECK_CONCURRENCY: usize = 16;

/// The key checks of one audit: started as rules arrive, collected at the end.
pub struct KeyChecks {
    kms: KmsClient,
    limit: Arc<Semaphore>,
    started: HashMap<(String, String), JoinHandle<KeyHealth>>,
}

impl KeyChecks {
    /// `explicit` is the KMS endpoint override (`--kms-endpoint`, `OSS_KMS_ENDPOINT`).
    pub fn new(client: &OssClient, explicit: Option<Endpoint>) -> Self {
        Self {
            kms: KmsClient::new(client.clone(), explicit),
            limit: Arc::new(Semaphore::new(KEY_CHECK_CONCURRENCY)),
            started: HashMap::new(),
        }
    }

    /// Starts the check of the key `state`'s rule names, unless it names none or that
    /// (region, key) is already being checked. Must be called inside a tokio runtime.
    pub fn observe(&mut self, bucket: &Bucket, state: &EncryptionState) {
        let Some(id) = state.rule().and_then(rule_cmk) else {
            return;
        };
        let key = (bucket.region.clone(), id.to_owned());
        if self.started.contains_key(&key) {
            return;
        }
        let kms = self.kms.clone();
        let limit = Arc::clone(&self.limit);
        let (region, host, id) = (
            bucket.region.clone(),
            bucket.extranet_endpoint.clone(),
            id.to_owned(),
        );
        let task = tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.ok();
            kms.key_health(&region, Some(&host), &id).await
        });
        self.started.insert(key, task);
    }

    /// Every check's result, by (region, key as the rule names it).
    pub async fn finish(self) -> KeyHealthMap {
        let mut out = HashMap::with_capacity(self.started.len());
        for ((region, id), task) in self.started {
            if let Ok(health) = task.await {
                out.insert((region, id), health);
            }
        }
        KeyHealthMap(out)
    }
}

/// Key health by (region, key as the rule names it).
#[derive(Debug, Clone, Default)]
pub struct KeyHealthMap(HashMap<(String, String), KeyHealth>);

impl KeyHealthMap {
    /// The health of the key `state`'s rule names, for `bucket`.
    pub fn for_bucket(&self, bucket_region: &str, state: &EncryptionState) -> Option<KeyHealth> {
        let id = state.rule().and_then(rule_cmk)?;
        self.0
            .get(&(bucket_region.to_owned(), id.to_owned()))
            .cloned()
    }
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

//! KMS key health for the audit and the pre-flight check, shared by the CLI and the app.
//!
//! The audit describes each distinct (region, key) once per refresh, as soon as the first
//! rule naming it is read, so key checks run while the other rules are still being read. The
//! decisions themselves (usable or not, why, what to do) live in
//! [`crate::core::kms::health`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::StreamExt as _;
use futures::future::BoxFuture;
use tokio::sync::{Mutex, OnceCell, Semaphore};
use tokio::task::JoinHandle;

use crate::app::change::{Change, Preflight};
use crate::core::kms::health::{KeyHealth, preflight_verdict, rule_cmk, skipped};
use crate::core::kms::key_region;
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

/// One key's search, shared by every bucket whose rule names it: its health where it lives.
type SearchResult = Arc<OnceCell<Option<KeyHealth>>>;

/// Other regions asked about one key at once.
const REGION_SEARCH_CONCURRENCY: usize = 4;

/// Finds where a key lives when its bucket's region does not know it, for the app's "Other
/// region" badge (the decision: [`crate::core::kms::key_region`]). Made once per refresh:
/// DescribeRegions is asked at most once, and only when a key needs it; each key is looked
/// for once, in at most [`key_region::MAX_REGIONS_ASKED`] regions.
#[derive(Clone)]
pub struct KeyRegionSearch {
    kms: KmsClient,
    oss: OssClient,
    /// Region -> OSS endpoint host of the account's buckets: asked even when
    /// DescribeRegions is refused (it needs `oss:DescribeRegions`).
    known: Arc<Vec<(String, String)>>,
    regions: Arc<OnceCell<Vec<(String, String)>>>,
    found: Arc<Mutex<HashMap<String, SearchResult>>>,
}

impl KeyRegionSearch {
    /// `buckets` are the refresh's listed buckets; `explicit` the KMS endpoint override.
    pub fn new(client: &OssClient, explicit: Option<Endpoint>, buckets: &[Bucket]) -> Self {
        let mut known: Vec<(String, String)> = Vec::new();
        for bucket in buckets {
            if !known.iter().any(|(r, _)| *r == bucket.region) {
                known.push((bucket.region.clone(), bucket.extranet_endpoint.clone()));
            }
        }
        Self {
            kms: KmsClient::new(client.clone(), explicit),
            oss: client.clone(),
            known: Arc::new(known),
            regions: Arc::new(OnceCell::new()),
            found: Arc::default(),
        }
    }

    /// The key's health in the region where KMS knows it, when `health` (its health in the
    /// bucket's region) says it is not there; `None` when not looked for or not found.
    pub async fn find(&self, health: &KeyHealth) -> Option<KeyHealth> {
        if !key_region::should_search(health) {
            return None;
        }
        let cell = {
            let mut found = self.found.lock().await;
            Arc::clone(found.entry(health.id.clone()).or_default())
        };
        cell.get_or_init(|| self.search(health)).await.clone()
    }

    async fn search(&self, health: &KeyHealth) -> Option<KeyHealth> {
        let regions = self.regions.get_or_init(|| self.all_regions()).await;
        let asked = key_region::regions_to_ask(health, regions.iter().map(|(r, _)| r.as_str()));
        let lookups: Vec<BoxFuture<'static, KeyHealth>> = asked
            .into_iter()
            .map(|region| {
                let host = regions
                    .iter()
                    .find(|(r, _)| r == region)
                    .map(|(_, h)| h.clone());
                let (kms, region, id) = (self.kms.clone(), region.to_owned(), health.id.clone());
                Box::pin(async move { kms.key_health(&region, host.as_deref(), &id).await })
                    as BoxFuture<'static, KeyHealth>
            })
            .collect();
        let mut answers =
            futures::stream::iter(lookups).buffer_unordered(REGION_SEARCH_CONCURRENCY);
        while let Some(there) = answers.next().await {
            if key_region::exists(&there) {
                return Some(there);
            }
        }
        None
    }

    /// The regions of DescribeRegions, then those of the account's buckets it did not list.
    async fn all_regions(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = match self.oss.describe_regions().await {
            Ok(regions) => regions
                .into_iter()
                .map(|r| (r.region, r.internet_endpoint))
                .collect(),
            Err(e) => {
                tracing::info!("DescribeRegions refused, asking the buckets' regions only: {e}");
                Vec::new()
            }
        };
        for (region, host) in self.known.iter() {
            if !all.iter().any(|(r, _)| r == region) {
                all.push((region.clone(), host.clone()));
            }
        }
        all
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

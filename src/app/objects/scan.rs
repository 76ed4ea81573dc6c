//! The scan: list a bucket (prefix, shard), HEAD every object with bounded concurrency, and
//! fold the answers into counters while each object's line goes to a sink (a file), so memory
//! does not grow with the number of objects.

use std::sync::atomic::{AtomicBool, Ordering};

use futures::{StreamExt as _, TryStreamExt as _};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::core::model::Bucket;
use crate::core::objects::counters::ScanCounters;
use crate::core::objects::facts::ObjectFacts;
use crate::core::objects::shard::Shard;
use crate::core::ops::list_objects::ListedObject;
use crate::core::sse::{RuleFields, SseRule};
use crate::transport::paginate::object_pages;
use crate::transport::{OssClient, OssError};

/// What to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub prefix: Option<String>,
    /// Stop after this many objects (the result says `truncated`).
    pub max_objects: Option<u64>,
    pub shard: Shard,
    pub concurrency: usize,
}

/// One object's line in `--out`: the fields of the CLI's JSON Lines file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectLine {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub storage_class: String,
    pub object_type: Option<String>,
    /// `sse_algorithm`, `kms_master_key_id`, `kms_data_encryption` (null: none).
    #[serde(flatten)]
    pub sse: RuleFields,
    /// `Code: Message` when HeadObject failed.
    pub error: Option<String>,
}

impl ObjectLine {
    fn from_facts(facts: &ObjectFacts) -> Self {
        let sse = facts.sse.as_ref();
        Self {
            key: facts.key.clone(),
            size: facts.size,
            etag: facts.etag.clone(),
            storage_class: facts.storage_class.as_str().to_owned(),
            object_type: Some(facts.object_type.as_str().to_owned()),
            sse: RuleFields::of(sse),
            error: None,
        }
    }

    fn failed(listed: &ListedObject, error: &OssError) -> Self {
        Self {
            key: listed.key.clone(),
            size: listed.size,
            etag: listed.etag.clone(),
            storage_class: listed.storage_class.as_str().to_owned(),
            object_type: None,
            sse: RuleFields::default(),
            error: Some(format!("{}: {}", error.code(), error.message())),
        }
    }
}

/// Every listed object under the prefix that belongs to the shard, in key order, at most
/// `max` (the flag is set when more were there).
pub fn listed_objects<'a>(
    client: &OssClient,
    bucket: &Bucket,
    prefix: Option<String>,
    shard: Shard,
    max: Option<u64>,
    truncated: &'a AtomicBool,
) -> impl futures::Stream<Item = Result<ListedObject, OssError>> + 'a {
    let mut seen = 0u64;
    object_pages(client.clone(), bucket.clone(), prefix)
        .map_ok(|page| futures::stream::iter(page.objects.into_iter().map(Ok)))
        .try_flatten()
        .try_filter(move |o| std::future::ready(shard.contains(&o.key)))
        .take_while(move |item| {
            let keep = item.is_err() || max.is_none_or(|max| seen < max);
            if item.is_ok() {
                seen += 1;
            }
            if !keep {
                truncated.store(true, Ordering::Relaxed);
            }
            std::future::ready(keep)
        })
}

/// Scans and returns the totals; `sink` gets each object's line as its answer lands.
/// Cancelling stops early with `truncated` set. A listing failure ends the scan with it.
pub async fn scan(
    client: &OssClient,
    bucket: &Bucket,
    rule: Option<&SseRule>,
    options: &ScanOptions,
    cancel: &CancellationToken,
    mut sink: impl FnMut(&ObjectLine, &ScanCounters),
) -> Result<ScanCounters, OssError> {
    let truncated = AtomicBool::new(false);
    let listed = listed_objects(
        client,
        bucket,
        options.prefix.clone(),
        options.shard,
        options.max_objects,
        &truncated,
    );
    let mut heads = std::pin::pin!(
        listed
            .map_ok(|object| async move {
                let answer = client.head_object(bucket, &object.key).await;
                Ok::<_, OssError>((object, answer))
            })
            .try_buffer_unordered(options.concurrency.max(1))
            .take_until(cancel.cancelled())
    );
    let mut counters = ScanCounters::default();
    while let Some(item) = heads.next().await {
        let (listed, answer) = item?;
        let line = match answer {
            Ok(facts) => {
                counters.add(&facts, rule);
                ObjectLine::from_facts(&facts)
            }
            Err(e) => {
                counters.errors += 1;
                ObjectLine::failed(&listed, &e)
            }
        };
        sink(&line, &counters);
    }
    counters.truncated = truncated.load(Ordering::Relaxed) || cancel.is_cancelled();
    Ok(counters)
}

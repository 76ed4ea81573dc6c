//! Background work on tokio: each job calls the transport and reports through events. Jobs
//! never touch egui; the only way back to the UI is the [`EventSender`] (send, then wake).

use std::pin::pin;

use futures::StreamExt as _;
use tokio_util::sync::CancellationToken;

use crate::app::change::{self, ChangeContext, ChangeRequest};
use crate::app::changelog;
use crate::app::event::{ApplyOutcome, Event, EventSender, RequestId, SessionId};
use crate::app::key_checks::{KeyChecks, KeyRegionSearch, kms_endpoint_from_env};
use crate::app::objects::scan::{ScanOptions, scan};
use crate::app::objects_scan::ScanProgress;
use crate::app::region_keys::load_region_keys;
use crate::app::runtime::RuntimeHandle;
use crate::core::kms::health::KeyHealth;
use crate::core::model::Bucket;
use crate::core::objects::counters::ScanCounters;
use crate::core::objects::shard::Shard;
use crate::transport::kms::KmsClient;
use crate::transport::{OssClient, fanout, paginate};

/// Changes in flight at once in a batch: writes are rarer and heavier than reads.
pub const BATCH_CONCURRENCY: usize = 8;

/// One batch of changes, as the controller hands it to [`Worker::apply_change`].
#[derive(Debug)]
pub struct ChangeJob {
    pub session: SessionId,
    pub batch: RequestId,
    pub work: Vec<ChangeStep>,
    pub cancel: CancellationToken,
}

/// One bucket of a batch: its request id, what the engine is asked to do to it, and the
/// client and change-log context of the bucket's profile (in an audit of several profiles
/// each bucket is changed as its own account).
#[derive(Debug)]
pub struct ChangeStep {
    pub request: RequestId,
    pub bucket: Bucket,
    pub change: ChangeRequest,
    pub client: OssClient,
    /// Where the change log goes (shared with the CLI), and the pre-flight check.
    pub context: ChangeContext,
}

/// How often a running object scan reports its totals.
const SCAN_REPORT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// One object scan, as the controller hands it to [`Worker::scan_objects`].
#[derive(Debug)]
pub struct ObjectsScanTask {
    pub session: SessionId,
    pub request: RequestId,
    pub bucket: Bucket,
    pub prefix: String,
    pub cancel: CancellationToken,
}

#[derive(Debug, Clone)]
pub struct Worker {
    rt: RuntimeHandle,
    events: EventSender,
    /// GetBucketEncryption requests in flight during a refresh.
    concurrency: usize,
}

impl Worker {
    pub fn new(rt: RuntimeHandle, events: EventSender, concurrency: usize) -> Self {
        Self {
            rt,
            events,
            concurrency: concurrency.max(1),
        }
    }

    pub fn runtime(&self) -> &RuntimeHandle {
        &self.rt
    }

    pub fn events(&self) -> &EventSender {
        &self.events
    }

    /// Lists every bucket page by page (rows appear as pages land), then reads every rule
    /// with the concurrency limit, one event per bucket, and a final `RefreshFinished`.
    pub fn refresh_all(
        &self,
        client: OssClient,
        session: SessionId,
        request: RequestId,
        cancel: CancellationToken,
    ) {
        let events = self.events.clone();
        let concurrency = self.concurrency;
        self.rt.spawn(async move {
            let finished = |cancelled| Event::RefreshFinished {
                session,
                request,
                cancelled,
            };
            let mut buckets = Vec::new();
            let mut pages = pin!(paginate::bucket_pages(client.clone(), None));
            loop {
                let page = tokio::select! {
                    () = cancel.cancelled() => {
                        events.send(finished(true));
                        return;
                    }
                    page = pages.next() => page,
                };
                let page = match page {
                    Some(Ok(page)) => page,
                    Some(Err(error)) => {
                        events.send(Event::ListFailed {
                            session,
                            request,
                            error: error.to_read_failure(),
                        });
                        return;
                    }
                    None => break,
                };
                // Only the last page completes the listing (rows not in it are then gone).
                let complete = page.next_marker.is_none();
                buckets.extend(page.buckets.iter().cloned());
                events.send(Event::BucketsListed {
                    session,
                    request,
                    buckets: page.buckets,
                    complete,
                });
            }
            let mut keys = KeyChecks::new(&client, kms_endpoint_from_env());
            let elsewhere = KeyRegionSearch::new(&client, kms_endpoint_from_env(), &buckets);
            let mut states = pin!(fanout::encryption_states(
                client,
                buckets,
                concurrency,
                cancel.clone()
            ));
            while let Some((bucket, state)) = states.next().await {
                if let Some(check) = keys.observe(&bucket, &state) {
                    let events = events.clone();
                    let elsewhere = elsewhere.clone();
                    tokio::spawn(async move {
                        report_key(&events, session, check, &elsewhere).await;
                    });
                }
                if !events.send(Event::EncryptionLoaded {
                    session,
                    request,
                    bucket: bucket.name,
                    state,
                }) {
                    return;
                }
            }
            events.send(finished(cancel.is_cancelled()));
        });
    }

    pub fn refresh_bucket(
        &self,
        client: OssClient,
        session: SessionId,
        request: RequestId,
        bucket: Bucket,
    ) {
        let events = self.events.clone();
        self.rt.spawn(async move {
            let state = client.encryption_state(&bucket).await;
            let check = KeyChecks::new(&client, kms_endpoint_from_env()).observe(&bucket, &state);
            let elsewhere = KeyRegionSearch::new(
                &client,
                kms_endpoint_from_env(),
                std::slice::from_ref(&bucket),
            );
            events.send(Event::EncryptionLoaded {
                session,
                request,
                bucket: bucket.name,
                state,
            });
            if let Some(check) = check {
                report_key(&events, session, check, &elsewhere).await;
            }
        });
    }

    pub fn load_info(
        &self,
        client: OssClient,
        session: SessionId,
        request: RequestId,
        bucket: Bucket,
    ) {
        let events = self.events.clone();
        self.rt.spawn(async move {
            let result = client
                .get_bucket_info(&bucket)
                .await
                .map(Box::new)
                .map_err(|e| e.to_read_failure());
            events.send(Event::BucketInfoLoaded {
                session,
                request,
                bucket: bucket.name,
                result,
            });
        });
    }

    /// Lists and describes the keys of `bucket`'s region for the key picker.
    pub fn load_region_keys(
        &self,
        client: OssClient,
        session: SessionId,
        request: RequestId,
        bucket: Bucket,
    ) {
        let events = self.events.clone();
        self.rt.spawn(async move {
            let kms = KmsClient::new(client, kms_endpoint_from_env());
            let result = load_region_keys(&kms, &bucket.region, &bucket.extranet_endpoint).await;
            events.send(Event::RegionKeysLoaded {
                session,
                request,
                region: bucket.region,
                result,
            });
        });
    }

    /// Runs the change engine on each bucket of the job; one `RuleApplied` per bucket, then
    /// `BatchFinished`. Cancelling skips the buckets not started yet.
    pub fn apply_change(&self, job: ChangeJob) {
        let ChangeJob {
            session,
            batch,
            work,
            cancel,
        } = job;
        let events = self.events.clone();
        self.rt.spawn(async move {
            let mut results = futures::stream::iter(work)
                .map(|step| {
                    let cancel = cancel.clone();
                    async move {
                        let outcome = if cancel.is_cancelled() {
                            ApplyOutcome::Cancelled
                        } else {
                            change::run(&step.client, &step.bucket, &step.change, &step.context)
                                .await
                                .outcome
                        };
                        (step.request, step.bucket, outcome)
                    }
                })
                .buffer_unordered(BATCH_CONCURRENCY);
            while let Some((request, bucket, outcome)) = results.next().await {
                events.send(Event::RuleApplied {
                    session,
                    batch,
                    request,
                    bucket: bucket.name,
                    outcome,
                });
            }
            events.send(Event::BatchFinished { session, batch });
        });
    }

    /// Reads the bucket's rule, then scans its objects under `prefix` with the shared scan
    /// (the CLI's `objects scan`), streaming the totals; cancelling keeps the totals so far.
    pub fn scan_objects(&self, client: OssClient, task: ObjectsScanTask) {
        let ObjectsScanTask {
            session,
            request,
            bucket,
            prefix,
            cancel,
        } = task;
        let events = self.events.clone();
        let concurrency = self.concurrency;
        self.rt.spawn(async move {
            let send = |progress| {
                events.send(Event::ObjectsScanned {
                    session,
                    request,
                    progress,
                })
            };
            let finished = |counters: ScanCounters, error| ScanProgress::Finished {
                counters: Box::new(counters),
                error,
            };
            let rule = match client.get_encryption(&bucket).await {
                Ok(rule) => rule,
                Err(e) => {
                    send(finished(ScanCounters::default(), Some(e.to_string())));
                    return;
                }
            };
            send(ScanProgress::Rule(rule.clone()));
            let options = ScanOptions {
                prefix: (!prefix.is_empty()).then_some(prefix),
                max_objects: None,
                shard: Shard::ALL,
                concurrency,
            };
            let mut last = std::time::Instant::now();
            let result = scan(
                &client,
                &bucket,
                rule.as_ref(),
                &options,
                &cancel,
                |_, counters| {
                    // A report per frame at most: the UI redraws no faster.
                    if last.elapsed() >= SCAN_REPORT_EVERY {
                        last = std::time::Instant::now();
                        send(ScanProgress::Counted(Box::new(counters.clone())));
                    }
                },
            )
            .await;
            send(match result {
                Ok(counters) => finished(counters, None),
                Err(e) => finished(ScanCounters::default(), Some(e.to_string())),
            });
        });
    }

    /// Reads the change log off the UI thread.
    pub fn load_history(&self, path: std::path::PathBuf) {
        let events = self.events.clone();
        self.rt.spawn_blocking(move || {
            events.send(match changelog::read_all(&path) {
                Ok((records, skipped)) => Event::HistoryLoaded { records, skipped },
                Err(e) => Event::HistoryFailed {
                    error: format!("{e}: {}", path.display()),
                },
            });
        });
    }
}

/// Reports a key check's result, then, for a key not found in its bucket's region, the key's
/// health where it lives: the state then tells "Other region" from "Not found"
/// (`AppState::key_found_elsewhere`).
async fn report_key(
    events: &EventSender,
    session: SessionId,
    check: futures::future::BoxFuture<'static, KeyHealth>,
    elsewhere: &KeyRegionSearch,
) {
    let health = check.await;
    events.send(Event::KeyHealthLoaded {
        session,
        health: health.clone(),
    });
    if let Some(there) = elsewhere.find(&health).await {
        events.send(Event::KeyHealthLoaded {
            session,
            health: there,
        });
    }
}

//! Background work on tokio: each job calls the transport and reports through events. Jobs
//! never touch egui; the only way back to the UI is the [`EventSender`] (send, then wake).

use std::pin::pin;

use futures::StreamExt as _;
use tokio_util::sync::CancellationToken;

use crate::app::change::{self, ChangeContext, Undo};
use crate::app::event::{ApplyOutcome, Change, Event, EventSender, RequestId, SessionId};
use crate::app::runtime::RuntimeHandle;
use crate::core::model::Bucket;
use crate::core::sse::EncryptionState;
use crate::transport::{OssClient, OssError, fanout, paginate};

/// Changes in flight at once in a batch: writes are rarer and heavier than reads.
pub const BATCH_CONCURRENCY: usize = 8;

/// One batch of changes, as the controller hands it to [`Worker::apply_change`].
#[derive(Debug)]
pub struct ChangeJob {
    pub session: SessionId,
    pub batch: RequestId,
    /// Each bucket with its own request id.
    pub work: Vec<(RequestId, Bucket)>,
    pub change: Change,
    /// Where the change log goes (shared with the CLI).
    pub context: ChangeContext,
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
            let mut states = pin!(fanout::encryption_states(
                client,
                buckets,
                concurrency,
                cancel.clone()
            ));
            while let Some((bucket, state)) = states.next().await {
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
            events.send(Event::EncryptionLoaded {
                session,
                request,
                bucket: bucket.name,
                state,
            });
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
                .map_err(|e| e.to_read_failure());
            events.send(Event::BucketInfoLoaded {
                session,
                request,
                bucket: bucket.name,
                result,
            });
        });
    }

    /// Applies the job's change to each bucket: write, read back, compare; one
    /// `RuleApplied` per bucket, then `BatchFinished`. Cancelling skips the buckets not
    /// started yet.
    pub fn apply_change(&self, client: OssClient, job: ChangeJob) {
        let ChangeJob {
            session,
            batch,
            work,
            change,
            context,
            cancel,
        } = job;
        let events = self.events.clone();
        self.rt.spawn(async move {
            let mut results = futures::stream::iter(work)
                .map(|(request, bucket)| {
                    let client = client.clone();
                    let change = change.clone();
                    let cancel = cancel.clone();
                    let context = context.clone();
                    async move {
                        let (outcome, undo) = if cancel.is_cancelled() {
                            (ApplyOutcome::Cancelled, None)
                        } else {
                            change_one(&client, &bucket, &change, &context).await
                        };
                        (request, bucket, outcome, undo)
                    }
                })
                .buffer_unordered(BATCH_CONCURRENCY);
            while let Some((request, bucket, outcome, undo)) = results.next().await {
                events.send(Event::RuleApplied {
                    session,
                    batch,
                    request,
                    bucket: bucket.name,
                    outcome,
                    undo,
                });
            }
            events.send(Event::BatchFinished { session, batch });
        });
    }
}

/// Write, read back and compare through [`change::apply_change`] (which also appends the
/// change log, so the audit trail is the CLI's), then says how it went and how to undo it.
pub async fn change_one(
    client: &OssClient,
    bucket: &Bucket,
    change: &Change,
    context: &ChangeContext,
) -> (ApplyOutcome, Option<Undo>) {
    let outcome = change::apply_change(client, bucket, change, context).await;
    let undo = outcome.record.undo();
    let written = outcome.record.written;
    let result = match (
        outcome.read_back,
        outcome.write_error,
        outcome.read_back_error,
    ) {
        _ if outcome.record.verified => ApplyOutcome::Verified,
        // The write was refused and the rule read back shows it unchanged.
        (_, Some(error), _) if !written => ApplyOutcome::Failed(error.to_read_failure()),
        (Some(rule), _, _) => ApplyOutcome::Mismatch {
            expected: change.expected(),
            actual: rule.map_or(EncryptionState::NotConfigured, EncryptionState::Configured),
        },
        (None, _, Some(error)) => ApplyOutcome::ReadBackFailed(error.to_read_failure()),
        (None, _, None) => ApplyOutcome::Failed(OssError::Cancelled.to_read_failure()),
    };
    (result, undo)
}

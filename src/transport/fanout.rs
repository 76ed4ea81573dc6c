//! Reading many buckets at once: bounded concurrency, results streamed as they land,
//! cancellable as a whole, and a circuit breaker so a dead network ends an audit in seconds
//! instead of retrying every bucket for hours.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::{Stream, StreamExt as _};
use tokio_util::sync::CancellationToken;

use crate::core::model::Bucket;
use crate::core::sse::{EncryptionState, ReadFailure};

use super::client::OssClient;

/// The default number of requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 32;

/// Buckets in a row that could not reach OSS at all (after their retries) before the rest
/// are no longer tried.
pub const TRIP_AFTER: usize = 32;

/// The code of a bucket skipped once the breaker tripped.
pub const NOT_TRIED: &str = "NotTried";

/// Counts consecutive results that never reached OSS; any answer from OSS resets it.
#[derive(Debug, Default)]
struct Breaker {
    consecutive: AtomicUsize,
}

impl Breaker {
    fn is_open(&self) -> bool {
        self.consecutive.load(Ordering::Relaxed) >= TRIP_AFTER
    }

    fn record(&self, state: &EncryptionState) {
        let unreachable = matches!(
            state,
            EncryptionState::Unknown(f)
                if matches!(f.code.as_str(), "ConnectionFailed" | "NetworkError" | "Timeout")
        );
        if unreachable {
            self.consecutive.fetch_add(1, Ordering::Relaxed);
        } else {
            self.consecutive.store(0, Ordering::Relaxed);
        }
    }

    fn skipped() -> EncryptionState {
        EncryptionState::Unknown(ReadFailure {
            code: NOT_TRIED.to_owned(),
            message: format!("{TRIP_AFTER} buckets in a row could not reach OSS"),
            request_id: None,
            hint: "Not tried: OSS could not be reached. Check the network, then refresh.".into(),
        })
    }
}

/// Each bucket's encryption state, in completion order. Cancelling `cancel` ends the stream
/// and drops the requests still in flight. Once [`TRIP_AFTER`] buckets in a row could not
/// reach OSS, the remaining ones are reported as [`NOT_TRIED`] without a request.
pub fn encryption_states(
    client: OssClient,
    buckets: Vec<Bucket>,
    concurrency: usize,
    cancel: CancellationToken,
) -> impl Stream<Item = (Bucket, EncryptionState)> {
    let breaker = Arc::new(Breaker::default());
    futures::stream::iter(buckets)
        .map(move |bucket| {
            let client = client.clone();
            let breaker = breaker.clone();
            async move {
                if breaker.is_open() {
                    return (bucket, Breaker::skipped());
                }
                let state = client.encryption_state(&bucket).await;
                breaker.record(&state);
                (bucket, state)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .take_until(cancel.cancelled_owned())
}

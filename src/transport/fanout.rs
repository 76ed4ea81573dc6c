//! Reading many buckets at once: bounded concurrency, results streamed as they land,
//! cancellable as a whole.

use futures::{Stream, StreamExt as _};
use tokio_util::sync::CancellationToken;

use crate::core::model::Bucket;
use crate::core::sse::EncryptionState;

use super::client::OssClient;

/// The default number of requests in flight.
pub const DEFAULT_CONCURRENCY: usize = 32;

/// Each bucket's encryption state, in completion order. Cancelling `cancel` ends the stream
/// and drops the requests still in flight.
pub fn encryption_states(
    client: OssClient,
    buckets: Vec<Bucket>,
    concurrency: usize,
    cancel: CancellationToken,
) -> impl Stream<Item = (Bucket, EncryptionState)> {
    futures::stream::iter(buckets)
        .map(move |bucket| {
            let client = client.clone();
            async move {
                let state = client.encryption_state(&bucket).await;
                (bucket, state)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .take_until(cancel.cancelled_owned())
}

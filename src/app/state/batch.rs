//! One rule change over one or more buckets (a batch), with a result per bucket.

use super::{AppState, RowActivity, RowKey};
use crate::app::event::{ApplyOutcome, Change, RequestId};
use crate::core::model::{Bucket, BucketName};
use crate::core::sse::EncryptionState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    pub bucket: BucketName,
    /// The row's profile in an audit of several profiles.
    pub profile: Option<String>,
    pub request: RequestId,
    /// This bucket's change (in an undo of a bulk change, each bucket restores its own rule).
    pub change: Change,
    pub before: Option<EncryptionState>,
    pub outcome: Option<ApplyOutcome>,
}

/// One rule change over one or more buckets, with a result per bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: RequestId,
    /// The whole change, described ("set AES256", "undo of bulk change …").
    pub title: String,
    pub items: Vec<BatchItem>,
    pub finished: bool,
}

impl Batch {
    pub fn done(&self) -> usize {
        self.items.iter().filter(|i| i.outcome.is_some()).count()
    }

    pub fn succeeded(&self) -> usize {
        let ok = |i: &&BatchItem| i.outcome.as_ref().is_some_and(ApplyOutcome::is_success);
        self.items.iter().filter(ok).count()
    }
}

/// Each bucket of a starting batch: its request id, the bucket, and what the worker needs.
pub type BatchWork<T> = Vec<(RequestId, Bucket, T)>;

impl AppState {
    /// Starts a change over the named buckets, each with its own change (unknown names are
    /// skipped). Returns the batch id and, per bucket, its request id, the bucket and `T`
    /// (what the worker needs to make the change).
    pub fn begin_batch<T>(
        &mut self,
        steps: Vec<(RowKey, Change, T)>,
        title: String,
    ) -> Option<(RequestId, BatchWork<T>)> {
        let id = self.next_request();
        let mut items = Vec::new();
        let mut work = Vec::new();
        for (key, change, extra) in steps {
            let request = self.next_request();
            let Some(row) = self.row_mut(&key) else {
                continue;
            };
            row.last_request = request;
            row.activity = RowActivity::Applying;
            row.verification = None;
            items.push(BatchItem {
                bucket: key.name,
                profile: key.profile,
                request,
                change,
                before: row.encryption.clone(),
                outcome: None,
            });
            work.push((request, row.bucket.clone(), extra));
        }
        if work.is_empty() {
            return None;
        }
        self.batch = Some(Batch {
            id,
            title,
            items,
            finished: false,
        });
        Some((id, work))
    }
}

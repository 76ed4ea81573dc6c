//! One bucket's row in the table: the last known rule, what it waits for, the outcome and
//! undo of the last change made here, and its GetBucketInfo facts.

use crate::app::change::Change;
use crate::app::event::{ApplyOutcome, RequestId};
use crate::core::model::Bucket;
use crate::core::ops::bucket::BucketInfo;
use crate::core::sse::{EncryptionState, ReadFailure};

/// What the row is waiting for, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowActivity {
    Idle,
    Loading,
    Applying,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfoState {
    NotLoaded,
    Loading(RequestId),
    Loaded(Box<BucketInfo>),
    Failed(ReadFailure),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketRow {
    pub bucket: Bucket,
    /// The last known state; kept while a refresh runs, so the table never blanks.
    pub encryption: Option<EncryptionState>,
    pub activity: RowActivity,
    /// The newest request touching this row; answers to older ones are stale.
    pub last_request: RequestId,
    /// The refresh that listed this row last.
    pub(super) listed_by: RequestId,
    /// The outcome of the last change made from this app.
    pub verification: Option<ApplyOutcome>,
    /// How to restore the rule from before the last change made from this app.
    pub undo: Option<Change>,
    pub info: InfoState,
}

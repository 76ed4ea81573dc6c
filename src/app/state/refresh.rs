//! A refresh of every bucket: its progress, and how listed buckets become rows.

use super::{AppState, BucketRow, InfoState, RowActivity};
use crate::app::event::{RequestId, SessionId};
use crate::core::model::Bucket;
use crate::core::sse::ReadFailure;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshStatus {
    pub request: RequestId,
    /// Buckets listed so far: the N of "n of N".
    pub listed: usize,
    pub listing_done: bool,
    /// Rules read so far in this refresh.
    pub loaded: usize,
    pub finished: bool,
    pub cancelled: bool,
    pub error: Option<ReadFailure>,
}

impl RefreshStatus {
    pub fn is_running(&self) -> bool {
        !self.finished
    }
}

impl AppState {
    /// Marks every row as loading, keeping its last known state. Rows a running change is
    /// applying to are left alone: the change's answer stays their latest, and this refresh's
    /// read of them (which may land before the write) is dropped as stale.
    pub fn begin_refresh(&mut self) -> RequestId {
        let request = self.next_request();
        for row in &mut self.rows {
            if row.activity == RowActivity::Applying {
                continue;
            }
            row.activity = RowActivity::Loading;
            row.last_request = request;
        }
        self.data_version += 1;
        self.refresh = Some(RefreshStatus {
            request,
            listed: 0,
            listing_done: false,
            loaded: 0,
            finished: false,
            cancelled: false,
            error: None,
        });
        request
    }

    /// The user pressed Cancel: the refresh ends now; rows keep their last known state.
    pub fn cancel_refresh(&mut self) {
        let Some(refresh) = self.refresh.as_mut().filter(|r| r.is_running()) else {
            return;
        };
        refresh.finished = true;
        refresh.cancelled = true;
        let request = refresh.request;
        self.settle_rows(request);
    }

    fn settle_rows(&mut self, request: RequestId) {
        for row in &mut self.rows {
            if row.last_request == request && row.activity == RowActivity::Loading {
                row.activity = RowActivity::Idle;
            }
        }
        self.data_version += 1;
    }

    // --- used by `apply.rs` ---

    pub(in crate::app) fn refresh_matches(&self, session: SessionId, request: RequestId) -> bool {
        session == self.session && self.refresh.as_ref().is_some_and(|r| r.request == request)
    }

    pub(in crate::app) fn add_listed(
        &mut self,
        request: RequestId,
        buckets: Vec<Bucket>,
        complete: bool,
    ) {
        let count = buckets.len();
        for bucket in buckets {
            match self.index.get(&bucket.name).copied() {
                Some(i) => {
                    if let Some(row) = self.rows.get_mut(i) {
                        row.bucket = bucket;
                        row.listed_by = request;
                    }
                }
                None => {
                    self.index.insert(bucket.name.clone(), self.rows.len());
                    self.rows.push(BucketRow {
                        bucket,
                        encryption: None,
                        activity: RowActivity::Loading,
                        last_request: request,
                        listed_by: request,
                        verification: None,
                        info: InfoState::NotLoaded,
                        read_at: None,
                    });
                }
            }
        }
        if complete {
            // Buckets missing from a complete listing were deleted elsewhere.
            self.rows.retain(|r| r.listed_by == request);
            self.index = self
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| (r.bucket.name.clone(), i))
                .collect();
        }
        self.data_version += 1;
        if let Some(refresh) = self.refresh.as_mut() {
            refresh.listed += count;
            refresh.listing_done = complete;
        }
    }

    pub(in crate::app) fn finish_refresh(&mut self, cancelled: bool, error: Option<ReadFailure>) {
        let Some(refresh) = self.refresh.as_mut() else {
            return;
        };
        if refresh.finished {
            return;
        }
        refresh.finished = true;
        refresh.cancelled = cancelled;
        if error.is_some() {
            refresh.error = error;
        }
        let request = refresh.request;
        self.settle_rows(request);
    }
}

//! A refresh of every bucket: its progress, and how listed buckets become rows.

use super::{AppState, BucketRow, InfoState, RowActivity, RowKey};
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
    pub fn new(request: RequestId) -> Self {
        Self {
            request,
            listed: 0,
            listing_done: false,
            loaded: 0,
            finished: false,
            cancelled: false,
            error: None,
        }
    }

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
        self.refresh = Some(RefreshStatus::new(request));
        request
    }

    /// A refresh runs: the profile's, or any profile's of an audit of several.
    pub fn refresh_running(&self) -> bool {
        self.refreshes().any(RefreshStatus::is_running)
    }

    /// The refresh as the top bar shows it: the profile's, or the sum over every profile of
    /// an audit of several (each profile's own error is shown with that profile).
    pub fn refresh_summary(&self) -> Option<RefreshStatus> {
        if self.accounts.is_empty() {
            return self.refresh.clone();
        }
        let mut sum: Option<RefreshStatus> = None;
        for r in self.accounts.iter().filter_map(|a| a.refresh.as_ref()) {
            let total = sum.get_or_insert_with(|| RefreshStatus {
                listing_done: true,
                finished: true,
                ..RefreshStatus::new(r.request)
            });
            total.request = total.request.max(r.request);
            total.listed += r.listed;
            total.loaded += r.loaded;
            total.listing_done &= r.listing_done;
            total.finished &= r.finished;
            total.cancelled |= r.cancelled;
        }
        sum
    }

    fn refreshes(&self) -> impl Iterator<Item = &RefreshStatus> {
        self.refresh
            .iter()
            .chain(self.accounts.iter().filter_map(|a| a.refresh.as_ref()))
    }

    /// The user pressed Cancel: every running refresh ends now; rows keep their last known
    /// state.
    pub fn cancel_refresh(&mut self) {
        let running: Vec<RequestId> = self
            .refreshes()
            .filter(|r| r.is_running())
            .map(|r| r.request)
            .collect();
        for request in running {
            if let Some(refresh) = self.refresh_mut(request) {
                refresh.finished = true;
                refresh.cancelled = true;
            }
            self.settle_rows(request);
        }
    }

    fn settle_rows(&mut self, request: RequestId) {
        for row in &mut self.rows {
            if row.last_request == request && row.activity == RowActivity::Loading {
                row.activity = RowActivity::Idle;
            }
        }
        self.data_version += 1;
    }

    /// The profile a refresh lists for: `None` for the single profile's.
    fn refresh_profile(&self, request: RequestId) -> Option<String> {
        self.accounts
            .iter()
            .find(|a| a.refresh.as_ref().is_some_and(|r| r.request == request))
            .map(|a| a.profile.clone())
    }

    // --- used by `apply.rs` ---

    /// `request` is a current refresh of this session (the profile's, or one account's).
    pub(in crate::app) fn refresh_matches(&self, session: SessionId, request: RequestId) -> bool {
        session == self.session && self.refreshes().any(|r| r.request == request)
    }

    pub(in crate::app) fn refresh_mut(&mut self, request: RequestId) -> Option<&mut RefreshStatus> {
        self.refresh
            .iter_mut()
            .chain(self.accounts.iter_mut().filter_map(|a| a.refresh.as_mut()))
            .find(|r| r.request == request)
    }

    pub(in crate::app) fn add_listed(
        &mut self,
        request: RequestId,
        buckets: Vec<Bucket>,
        complete: bool,
    ) {
        let count = buckets.len();
        let profile = self.refresh_profile(request);
        for bucket in buckets {
            let key = RowKey {
                profile: profile.clone(),
                name: bucket.name.clone(),
            };
            match self.index.get(&key).copied() {
                Some(i) => {
                    if let Some(row) = self.rows.get_mut(i) {
                        row.bucket = bucket;
                        row.listed_by = request;
                    }
                }
                None => {
                    self.index.insert(key, self.rows.len());
                    self.rows.push(BucketRow {
                        bucket,
                        profile: profile.clone(),
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
            // Buckets missing from a complete listing were deleted elsewhere (other
            // profiles' rows are theirs to keep).
            self.rows
                .retain(|r| r.profile != profile || r.listed_by == request);
            self.index = self
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| (r.key(), i))
                .collect();
        }
        self.data_version += 1;
        if let Some(refresh) = self.refresh_mut(request) {
            refresh.listed += count;
            refresh.listing_done = complete;
        }
    }

    pub(in crate::app) fn finish_refresh(
        &mut self,
        request: RequestId,
        cancelled: bool,
        error: Option<ReadFailure>,
    ) {
        let Some(refresh) = self.refresh_mut(request) else {
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
        self.settle_rows(request);
    }
}

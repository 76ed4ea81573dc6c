//! The app's object scan of one bucket (the detail panel's "Objects" section): what is
//! running or was last found. The scan itself is [`crate::app::objects::scan::scan`], the
//! same the CLI runs; this only keeps its streamed totals for the view.

use crate::app::event::{RequestId, SessionId};
use crate::core::model::BucketName;
use crate::core::objects::counters::ScanCounters;
use crate::core::sse::SseRule;

/// One scan: its bucket and prefix, the totals so far, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectsScan {
    pub session: SessionId,
    pub request: RequestId,
    pub bucket: BucketName,
    pub prefix: String,
    /// The bucket's rule the scan compared against ("not matching the rule").
    pub rule: Option<SseRule>,
    pub counters: ScanCounters,
    pub finished: bool,
    pub cancelled: bool,
    pub error: Option<String>,
}

impl ObjectsScan {
    pub fn new(session: SessionId, request: RequestId, bucket: BucketName, prefix: String) -> Self {
        Self {
            session,
            request,
            bucket,
            prefix,
            rule: None,
            counters: ScanCounters::default(),
            finished: false,
            cancelled: false,
            error: None,
        }
    }

    pub fn is_running(&self) -> bool {
        !self.finished
    }

    /// Applies one progress report; false when it belongs to another scan (stale).
    pub fn update(
        &mut self,
        session: SessionId,
        request: RequestId,
        progress: ScanProgress,
    ) -> bool {
        if session != self.session || request != self.request || self.finished {
            return false;
        }
        match progress {
            ScanProgress::Rule(rule) => self.rule = rule,
            ScanProgress::Counted(counters) => self.counters = *counters,
            ScanProgress::Finished { counters, error } => {
                self.counters = *counters;
                self.cancelled = self.cancelled || self.counters.truncated;
                self.error = error;
                self.finished = true;
            }
        }
        true
    }

    /// The user pressed Cancel: shown at once; the worker's last totals still land.
    pub fn cancel(&mut self) {
        if !self.finished {
            self.cancelled = true;
        }
    }
}

/// What a running scan reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanProgress {
    /// The bucket's rule was read (before the first object).
    Rule(Option<SseRule>),
    /// Totals so far (boxed: the maps are larger than most events).
    Counted(Box<ScanCounters>),
    Finished {
        counters: Box<ScanCounters>,
        error: Option<String>,
    },
}

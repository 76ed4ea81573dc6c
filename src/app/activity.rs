//! The activity log: one line per HTTP attempt, newest last, bounded in memory.

use std::collections::VecDeque;

use crate::transport::client::CallRecord;

/// How many entries are kept; older ones are dropped first.
pub const ACTIVITY_CAPACITY: usize = 20_000;

/// One attempt as the activity panel shows it. Built from a [`CallRecord`], which holds no
/// secret, so nothing here can leak one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEntry {
    /// Local time, `HH:MM:SS`.
    pub time: String,
    pub bucket: String,
    pub operation: &'static str,
    /// `OK`, or OSS's error code.
    pub outcome: String,
    pub status: Option<u16>,
    pub request_id: String,
    pub attempt: u32,
    pub elapsed_ms: u128,
}

impl ActivityEntry {
    pub fn from_record(record: &CallRecord) -> Self {
        let local = record.time.with_timezone(&chrono::Local);
        Self {
            time: local.format("%H:%M:%S").to_string(),
            bucket: record.bucket.clone().unwrap_or_else(|| "-".to_owned()),
            operation: record.action.name(),
            outcome: record.outcome.clone(),
            status: record.status,
            request_id: record.request_id.clone().unwrap_or_default(),
            attempt: record.attempt,
            elapsed_ms: record.elapsed.as_millis(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.outcome == "OK"
    }
}

#[derive(Debug, Clone, Default)]
pub struct ActivityLog {
    entries: VecDeque<ActivityEntry>,
    /// Bumped on every change, so views can tell when to re-filter.
    version: u64,
}

impl ActivityLog {
    pub fn push(&mut self, record: &CallRecord) {
        if self.entries.len() == ACTIVITY_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(ActivityEntry::from_record(record));
        self.version += 1;
    }

    pub fn entries(&self) -> &VecDeque<ActivityEntry> {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.version += 1;
    }
}

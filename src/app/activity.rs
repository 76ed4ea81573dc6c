//! The activity log: one line per HTTP attempt, newest last, bounded in memory; how each
//! line is classed (ok, an expected answer, an error) and the panel's filter.

use std::collections::VecDeque;

use crate::core::ops::Action;
use crate::core::ops::encryption::NO_RULE_CODE;
use crate::transport::client::CallRecord;

/// KMS's answer to DescribeKey for a key that does not exist in the region asked.
const KEY_NOT_FOUND_CODE: &str = "Forbidden.KeyNotFound";

/// How an attempt ended, for the colour and the level filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActivityLevel {
    Ok,
    /// An error code that is an answer, not a problem: GetBucketEncryption's "no rule", and
    /// DescribeKey's "no such key in this region" (the table shows what it means for the
    /// bucket).
    Expected,
    Error,
}

impl ActivityLevel {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Expected => "expected",
            Self::Error => "error",
        }
    }

    fn of(record: &CallRecord) -> Self {
        if record.outcome == "OK" {
            Self::Ok
        } else if (record.action == Action::GetBucketEncryption && record.outcome == NO_RULE_CODE)
            || (record.action == Action::KmsDescribeKey && record.outcome == KEY_NOT_FOUND_CODE)
        {
            Self::Expected
        } else {
            Self::Error
        }
    }
}

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
    pub level: ActivityLevel,
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
            level: ActivityLevel::of(record),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.outcome == "OK"
    }

    /// The outcome with the HTTP status and, after a retry, the attempt number.
    pub fn outcome_text(&self) -> String {
        match (self.status, self.attempt) {
            (Some(status), 1) => format!("{} ({status})", self.outcome),
            (Some(status), n) => format!("{} ({status}, try {n})", self.outcome),
            (None, _) => self.outcome.clone(),
        }
    }

    /// One tab-separated line, as "Copy" puts it on the clipboard.
    pub fn to_line(&self) -> String {
        [
            self.time.as_str(),
            &self.bucket,
            self.operation,
            &self.outcome_text(),
            self.level.label(),
            &self.elapsed_ms.to_string(),
            &self.request_id,
        ]
        .join("\t")
    }
}

/// The panel's filter: a bucket name part and the least level shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFilter {
    pub bucket: String,
    pub min_level: ActivityLevel,
}

impl Default for ActivityFilter {
    fn default() -> Self {
        Self {
            bucket: String::new(),
            min_level: ActivityLevel::Ok,
        }
    }
}

impl ActivityFilter {
    pub fn matches(&self, entry: &ActivityEntry) -> bool {
        let needle = self.bucket.trim().to_lowercase();
        entry.level >= self.min_level
            && (needle.is_empty() || entry.bucket.to_lowercase().contains(&needle))
    }
}

/// The filtered lines (indices into [`ActivityLog::entries`]), recomputed only when the log
/// or the filter changed.
#[derive(Debug, Clone, Default)]
pub struct ActivityView {
    pub filter: ActivityFilter,
    cached: Option<(u64, ActivityFilter)>,
    indices: Vec<usize>,
}

impl ActivityView {
    pub fn update(&mut self, log: &ActivityLog) {
        let key = (log.version(), self.filter.clone());
        if self.cached.as_ref() == Some(&key) {
            return;
        }
        self.indices = log
            .entries()
            .iter()
            .enumerate()
            .filter(|(_, e)| self.filter.matches(e))
            .map(|(i, _)| i)
            .collect();
        self.cached = Some(key);
    }

    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// The shown lines with a header, tab-separated, for the clipboard.
    pub fn to_text(&self, log: &ActivityLog) -> String {
        let mut text = "time\tbucket\toperation\toutcome\tlevel\tms\trequest_id\n".to_owned();
        for entry in self.indices.iter().filter_map(|i| log.entries().get(*i)) {
            text.push_str(&entry.to_line());
            text.push('\n');
        }
        text
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
        self.push_entry(ActivityEntry::from_record(record));
    }

    /// A line that is not one HTTP attempt (a re-encryption job's summary).
    pub fn push_entry(&mut self, entry: ActivityEntry) {
        if self.entries.len() == ACTIVITY_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{ActivityLevel, ActivityLog, ActivityView};
    use crate::core::ops::Action;
    use crate::transport::client::CallRecord;

    fn record(action: Action, bucket: &str, outcome: &str) -> CallRecord {
        CallRecord {
            time: chrono::Utc::now(),
            action,
            bucket: Some(bucket.to_owned()),
            attempt: 1,
            outcome: outcome.to_owned(),
            status: Some(if outcome == "OK" { 200 } else { 404 }),
            request_id: Some("RID".to_owned()),
            elapsed: Duration::from_millis(3),
        }
    }

    #[test]
    fn no_rule_on_a_rule_read_is_expected_and_the_filter_sees_levels_and_buckets() {
        let mut log = ActivityLog::default();
        log.push(&record(Action::GetBucketEncryption, "aaa-hz", "OK"));
        log.push(&record(
            Action::GetBucketEncryption,
            "bbb-hz",
            "NoSuchServerSideEncryptionRule",
        ));
        // The same code from any other call is a real error.
        log.push(&record(
            Action::DeleteBucketEncryption,
            "bbb-hz",
            "NoSuchServerSideEncryptionRule",
        ));
        log.push(&record(
            Action::GetBucketEncryption,
            "ccc-sh",
            "AccessDenied",
        ));
        let levels: Vec<_> = log.entries().iter().map(|e| e.level).collect();
        use ActivityLevel::{Error, Expected, Ok};
        assert_eq!(levels, [Ok, Expected, Error, Error]);
        // KMS: a key missing in the region asked is an answer; no permission is an error.
        let mut kms = ActivityLog::default();
        kms.push(&record(
            Action::KmsDescribeKey,
            "-",
            "Forbidden.KeyNotFound",
        ));
        kms.push(&record(Action::KmsListKeys, "-", "Forbidden.KeyNotFound"));
        kms.push(&record(
            Action::KmsDescribeKey,
            "-",
            "Forbidden.NoPermission",
        ));
        let levels: Vec<_> = kms.entries().iter().map(|e| e.level).collect();
        assert_eq!(levels, [Expected, Error, Error]);
        assert_eq!(kms.entries()[0].operation, "DescribeKey");

        let mut view = ActivityView::default();
        view.update(&log);
        assert_eq!(view.indices(), [0, 1, 2, 3]);
        view.filter.min_level = Expected;
        view.update(&log);
        assert_eq!(view.indices(), [1, 2, 3]);
        view.filter.bucket = "BBB".into();
        view.update(&log);
        assert_eq!(view.indices(), [1, 2]);
        view.filter.min_level = Error;
        view.update(&log);
        assert_eq!(view.indices(), [2]);
        let text = view.to_text(&log);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("time\tbucket\toperation"));
        assert!(
            lines[1].contains("bbb-hz\tDeleteBucketEncryption\tNoSuchServerSideEncryptionRule (404)\terror\t3\tRID"),
            "{text}"
        );
    }
}

//! Running totals of a scan and of a re-encryption job. They grow with the number of
//! distinct classes, never with the number of objects, so memory stays bounded.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::facts::{ObjectFacts, StorageClass};
use super::plan::{SkipReason, follows_rule};
use crate::core::sse::SseRule;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub objects: u64,
    pub bytes: u64,
}

impl Tally {
    fn add(&mut self, bytes: u64) {
        self.objects += 1;
        self.bytes += bytes;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanCounters {
    pub total: Tally,
    /// `None`: not encrypted.
    pub by_encryption: HashMap<Option<SseRule>, Tally>,
    pub by_storage_class: BTreeMap<StorageClass, Tally>,
    pub not_matching_rule: Tally,
    /// Objects listed whose HeadObject failed.
    pub errors: u64,
    /// Stopped at `--max-objects` (or cancelled) before the listing ended.
    pub truncated: bool,
}

impl ScanCounters {
    pub fn add(&mut self, facts: &ObjectFacts, rule: Option<&SseRule>) {
        self.total.add(facts.size);
        self.by_encryption
            .entry(facts.sse.clone())
            .or_default()
            .add(facts.size);
        self.by_storage_class
            .entry(facts.storage_class.clone())
            .or_default()
            .add(facts.size);
        if !follows_rule(facts.sse.as_ref(), rule) {
            self.not_matching_rule.add(facts.size);
        }
    }

    /// Encryption classes by object count, largest first (ties by label, for stable output).
    pub fn encryption_classes(&self) -> Vec<(Option<SseRule>, Tally)> {
        let mut classes: Vec<_> = self
            .by_encryption
            .iter()
            .map(|(sse, tally)| (sse.clone(), *tally))
            .collect();
        classes.sort_by(|a, b| {
            b.1.objects
                .cmp(&a.1.objects)
                .then_with(|| label(a.0.as_ref()).cmp(&label(b.0.as_ref())))
        });
        classes
    }
}

fn label(sse: Option<&SseRule>) -> String {
    sse.map_or_else(|| "None".to_owned(), ToString::to_string)
}

/// One object's result in a job, as the per-object result file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ObjectOutcome {
    Copied,
    AlreadyOk,
    Skipped {
        reason: SkipReason,
    },
    Failed {
        code: String,
        message: String,
        request_id: Option<String>,
    },
}

/// A job's totals: `copied + already_ok + skipped + failed = planned` once it is done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCounters {
    pub planned: u64,
    pub copied: u64,
    pub already_ok: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    pub failed: u64,
    pub bytes_copied: u64,
}

impl JobCounters {
    pub fn record(&mut self, outcome: &ObjectOutcome, size: u64) {
        match outcome {
            ObjectOutcome::Copied => {
                self.copied += 1;
                self.bytes_copied += size;
            }
            ObjectOutcome::AlreadyOk => self.already_ok += 1,
            ObjectOutcome::Skipped { reason } => *self.skipped.entry(*reason).or_default() += 1,
            ObjectOutcome::Failed { .. } => self.failed += 1,
        }
    }

    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Objects with a final result so far.
    pub fn finished(&self) -> u64 {
        self.copied + self.already_ok + self.skipped_total() + self.failed
    }
}

#[cfg(test)]
mod tests {
    use super::{JobCounters, ObjectOutcome, ScanCounters};
    use crate::core::objects::facts::{ObjectFacts, ObjectType, RestoreState, StorageClass};
    use crate::core::objects::plan::SkipReason;
    use crate::core::sse::SseRule;

    fn facts(size: u64, sse: Option<SseRule>, class: StorageClass) -> ObjectFacts {
        ObjectFacts {
            key: "k".into(),
            size,
            etag: String::new(),
            storage_class: class,
            object_type: ObjectType::Normal,
            sse,
            restore: RestoreState::NotRequested,
            version_id: None,
            kept_headers: Vec::new(),
        }
    }

    #[test]
    fn scan_totals_per_class() {
        let rule = SseRule::Aes256;
        let mut scan = ScanCounters::default();
        scan.add(&facts(10, None, StorageClass::Standard), Some(&rule));
        scan.add(&facts(5, None, StorageClass::Archive), Some(&rule));
        scan.add(
            &facts(1, Some(SseRule::Aes256), StorageClass::Standard),
            Some(&rule),
        );
        assert_eq!((scan.total.objects, scan.total.bytes), (3, 16));
        let classes = scan.encryption_classes();
        assert_eq!(classes[0].0, None);
        assert_eq!((classes[0].1.objects, classes[0].1.bytes), (2, 15));
        assert_eq!(classes[1].0, Some(SseRule::Aes256));
        assert_eq!(scan.by_storage_class[&StorageClass::Archive].bytes, 5);
        assert_eq!(
            (scan.not_matching_rule.objects, scan.not_matching_rule.bytes),
            (2, 15)
        );
    }

    #[test]
    fn job_totals_add_up() {
        let mut job = JobCounters {
            planned: 4,
            ..Default::default()
        };
        job.record(&ObjectOutcome::Copied, 100);
        job.record(&ObjectOutcome::AlreadyOk, 7);
        job.record(
            &ObjectOutcome::Skipped {
                reason: SkipReason::Appendable,
            },
            9,
        );
        job.record(
            &ObjectOutcome::Failed {
                code: "X".into(),
                message: String::new(),
                request_id: None,
            },
            1,
        );
        assert_eq!(job.finished(), job.planned);
        assert_eq!(job.bytes_copied, 100);
        assert_eq!(job.skipped[&SkipReason::Appendable], 1);
        let line = serde_json::to_string(&ObjectOutcome::Skipped {
            reason: SkipReason::ArchiveNotRestored,
        })
        .unwrap_or_default();
        assert_eq!(
            line,
            r#"{"result":"skipped","reason":"archive-not-restored"}"#
        );
    }
}

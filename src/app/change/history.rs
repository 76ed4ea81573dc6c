//! Which logged change to undo, and whether one can be: the same answer for `ossguard undo`
//! and the app's History window, read from `changes.jsonl` (so it survives a restart).

use std::collections::{BTreeMap, HashSet};

use crate::app::changelog::{ChangeKind, ChangeRecord};

use super::Undo;

/// Whose changes may be undone: a profile and the AccessKey it made them with. Changes made
/// as someone else (another profile, another key) are shown, never undone on their behalf.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub profile: &'a str,
    pub access_key_id: &'a str,
}

impl Owner<'_> {
    /// Temporary credentials (RAM role, ECS role: `STS.` IDs) are renewed during and between
    /// runs, so for them the profile alone names who made the change.
    fn made(&self, record: &ChangeRecord) -> bool {
        let temporary = |id: &str| id.starts_with("STS.");
        record.profile == self.profile
            && (record.access_key_id == self.access_key_id
                || (temporary(&record.access_key_id) && temporary(self.access_key_id)))
    }
}

/// The log's changes with what is known about undoing them.
#[derive(Debug, Clone, Default)]
pub struct History {
    records: Vec<ChangeRecord>,
    undone: HashSet<String>,
    /// Each bulk change's id with the positions of its changes (not its undos) in `records`,
    /// ordered by id (ids are time-ordered: oldest first). Grouped once when the log is read,
    /// so that listing the bulk changes of a long log does not scan it once per bulk change.
    batches: Vec<(String, Vec<usize>)>,
}

impl History {
    pub fn new(records: Vec<ChangeRecord>) -> Self {
        let undone = records.iter().filter_map(|r| r.undo_of.clone()).collect();
        let mut batches: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, record) in records.iter().enumerate() {
            if let (Some(batch), None) = (record.batch.as_deref(), &record.undo_of) {
                batches.entry(batch).or_default().push(i);
            }
        }
        let batches = batches
            .into_iter()
            .map(|(id, positions)| (id.to_owned(), positions))
            .collect();
        Self {
            records,
            undone,
            batches,
        }
    }

    /// Every change, oldest first.
    pub fn records(&self) -> &[ChangeRecord] {
        &self.records
    }

    /// Whether a later change undid this one.
    pub fn is_undone(&self, record: &ChangeRecord) -> bool {
        self.undone.contains(&record.id)
    }

    /// How to undo `record` as `owner`, or why it cannot be undone.
    pub fn undo(&self, record: &ChangeRecord, owner: Owner<'_>) -> Result<Undo, String> {
        if record.undo_of.is_some() {
            return Err("this is an undo: undo the change it restored instead".into());
        }
        if record.kind == ChangeKind::ReencryptObjects {
            return Err("a re-encryption of objects: the rule did not change".into());
        }
        if self.is_undone(record) {
            return Err("already undone".into());
        }
        if !owner.made(record) {
            return Err(format!(
                "made as profile {:?} with AccessKey {}: switch to it to undo",
                record.profile, record.access_key_id
            ));
        }
        if !(record.written || record.interrupted()) {
            return Err("never written: nothing to undo".into());
        }
        record.undo().ok_or_else(|| {
            format!(
                "the rule of {} before that change is unknown, so it cannot be restored",
                record.bucket
            )
        })
    }

    /// The newest change `owner` made (to `bucket`, if named) that was written and not undone
    /// yet, and is not itself an undo: repeated undos walk back through history.
    pub fn last_change(&self, owner: Owner<'_>, bucket: Option<&str>) -> Option<&ChangeRecord> {
        self.records.iter().rev().find(|r| {
            owner.made(r)
                && bucket.is_none_or(|b| r.bucket == b)
                && r.undo_of.is_none()
                && r.kind != ChangeKind::ReencryptObjects
                && !self.is_undone(r)
                && (r.written || r.interrupted())
        })
    }

    /// The changes of one bulk change, each with its undo or why it has none.
    pub fn batch_undo(
        &self,
        batch: &str,
        owner: Owner<'_>,
    ) -> Vec<(&ChangeRecord, Result<Undo, String>)> {
        self.batch(batch)
            .into_iter()
            .map(|r| (r, self.undo(r, owner)))
            .collect()
    }

    /// The changes of one bulk change (not its undos), oldest first.
    pub fn batch(&self, batch: &str) -> Vec<&ChangeRecord> {
        self.batches
            .binary_search_by(|(id, _)| id.as_str().cmp(batch))
            .ok()
            .and_then(|i| self.batches.get(i))
            .map(|(_, positions)| self.at(positions))
            .unwrap_or_default()
    }

    /// How many bulk changes the log holds.
    pub fn bulk_count(&self) -> usize {
        self.batches.len()
    }

    /// The `n`th bulk change, newest first: its id and its changes (not its undos), oldest
    /// first.
    pub fn bulk_change(&self, n: usize) -> Option<(&str, Vec<&ChangeRecord>)> {
        let i = self.batches.len().checked_sub(n + 1)?;
        let (id, positions) = self.batches.get(i)?;
        Some((id.as_str(), self.at(positions)))
    }

    fn at(&self, positions: &[usize]) -> Vec<&ChangeRecord> {
        positions
            .iter()
            .filter_map(|i| self.records.get(*i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{History, Owner};
    use crate::app::change::Change;
    use crate::app::changelog::{ChangeKind, ChangeRecord, LoggedState, Phase};
    use crate::core::sse::SseRule;

    fn record(id: &str, bucket: &str, batch: Option<&str>, undo_of: Option<&str>) -> ChangeRecord {
        ChangeRecord {
            id: id.into(),
            phase: Phase::Done,
            time: chrono::Utc::now(),
            profile: "prod".into(),
            access_key_id: "LTAIexample".into(),
            bucket: bucket.into(),
            region: "cn-hangzhou".into(),
            kind: ChangeKind::Put,
            before: LoggedState::NoRule,
            after: LoggedState::from_rule(Some(&SseRule::Aes256)),
            request_id: None,
            written: true,
            verified: true,
            error: None,
            undo_of: undo_of.map(str::to_owned),
            batch: batch.map(str::to_owned),
            forced: false,
            checks_skipped: false,
            objects_job: None,
            account_id: None,
        }
    }

    const OWNER: Owner<'static> = Owner {
        profile: "prod",
        access_key_id: "LTAIexample",
    };

    #[test]
    fn undo_walks_back_skips_undone_and_refuses_others_changes() {
        let mut refused = record("c", "b", None, None);
        refused.written = false;
        let history = History::new(vec![
            record("a", "a", None, None),
            record("b", "b", None, None),
            record("undo-b", "b", None, Some("b")),
            refused.clone(),
        ]);
        assert_eq!(history.last_change(OWNER, None).map(|r| &*r.id), Some("a"));
        assert_eq!(history.last_change(OWNER, Some("b")), None);
        let undo = history
            .undo(&history.records()[0], OWNER)
            .expect("undoable");
        assert_eq!(undo.change, Change::Delete);
        assert_eq!(
            undo.set,
            Some(SseRule::Aes256),
            "the guard: the rule it set"
        );
        assert!(history.undo(&history.records()[1], OWNER).is_err());
        assert!(history.undo(&history.records()[2], OWNER).is_err());
        assert!(history.undo(&refused, OWNER).is_err());
        let stranger = Owner {
            profile: "prod",
            access_key_id: "LTAIother",
        };
        let err = history
            .undo(&history.records()[0], stranger)
            .expect_err("not ours");
        assert!(err.contains("LTAIexample"), "{err}");
        assert_eq!(history.last_change(stranger, None), None);
    }

    #[test]
    fn changes_made_with_temporary_credentials_belong_to_the_profile() {
        let mut earlier = record("a", "a", None, None);
        earlier.access_key_id = "STS.first".into();
        let history = History::new(vec![earlier]);
        let renewed = Owner {
            profile: "prod",
            access_key_id: "STS.renewed",
        };
        assert_eq!(
            history.last_change(renewed, None).map(|r| &*r.id),
            Some("a")
        );
        let other_profile = Owner {
            profile: "other",
            access_key_id: "STS.renewed",
        };
        assert_eq!(history.last_change(other_profile, None), None);
        assert_eq!(
            history.last_change(OWNER, None),
            None,
            "a long-term key is not the role"
        );
    }

    #[test]
    fn a_bulk_change_is_undone_bucket_by_bucket() {
        let mut unknown = record("y", "y", Some("B1"), None);
        unknown.before = LoggedState::Unknown {
            code: "AccessDenied".into(),
        };
        let history = History::new(vec![
            record("x", "x", Some("B1"), None),
            unknown,
            record("z", "z", Some("B2"), None),
        ]);
        let plan = history.batch_undo("B1", OWNER);
        assert_eq!(plan.len(), 2);
        assert!(plan[0].1.is_ok());
        assert!(plan[1].1.as_ref().is_err_and(|e| e.contains("unknown")));
    }

    #[test]
    fn bulk_changes_are_listed_newest_first_without_their_undos() {
        let history = History::new(vec![
            record("x", "x", Some("B1"), None),
            record("z", "z", Some("B2"), None),
            record("y", "y", Some("B1"), None),
            record("u", "x", Some("B3"), Some("x")),
            record("w", "w", None, None),
        ]);
        assert_eq!(history.bulk_count(), 2, "B3 holds only an undo");
        let ids = |changes: Vec<&super::ChangeRecord>| -> Vec<String> {
            changes.into_iter().map(|r| r.id.clone()).collect()
        };
        let (newest, changes) = history.bulk_change(0).expect("B2");
        assert_eq!((newest, ids(changes)), ("B2", vec!["z".to_owned()]));
        let (oldest, changes) = history.bulk_change(1).expect("B1");
        assert_eq!(
            (oldest, ids(changes)),
            ("B1", vec!["x".to_owned(), "y".to_owned()])
        );
        assert!(history.bulk_change(2).is_none());
        assert_eq!(ids(history.batch("B1")), ["x", "y"]);
        assert!(history.batch("B3").is_empty());
        assert!(history.batch("B9").is_empty());
    }
}

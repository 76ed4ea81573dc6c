//! One bucket's row in the table: the last known rule, what it waits for, the outcome of
//! the last change made here, and its GetBucketInfo facts. (What to undo comes from the
//! change log: [`crate::app::change::history`].)

use crate::app::event::{ApplyOutcome, RequestId};
use crate::core::model::{Bucket, BucketName};
use crate::core::ops::bucket::BucketInfo;
use crate::core::sse::{EncryptionState, ReadFailure};

/// Which row: the bucket's name, and in an audit of several profiles the profile it was
/// listed with (two accounts, or two profiles of one account, can list the same name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey {
    /// `None` in a single-profile session.
    pub profile: Option<String>,
    pub name: BucketName,
}

impl RowKey {
    /// The row of `name` in a single-profile session.
    pub fn single(name: BucketName) -> Self {
        Self {
            profile: None,
            name,
        }
    }
}

impl std::fmt::Display for RowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.profile {
            Some(profile) => write!(f, "{} ({profile})", self.name),
            None => write!(f, "{}", self.name),
        }
    }
}

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
    /// The profile that listed the bucket, in an audit of several profiles.
    pub profile: Option<String>,
    /// The last known state; kept while a refresh runs, so the table never blanks.
    pub encryption: Option<EncryptionState>,
    pub activity: RowActivity,
    /// The newest request touching this row; answers to older ones are stale.
    pub last_request: RequestId,
    /// The refresh that listed this row last.
    pub(super) listed_by: RequestId,
    /// The outcome of the last change made from this app.
    pub verification: Option<ApplyOutcome>,
    pub info: InfoState,
    /// When the rule in `encryption` was read from OSS (by a refresh or a change's
    /// read-back), so a preview built from it can say how old it is. Set by the controller:
    /// the state itself never reads the clock.
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl BucketRow {
    pub fn key(&self) -> RowKey {
        RowKey {
            profile: self.profile.clone(),
            name: self.bucket.name.clone(),
        }
    }

    /// Records a rule read from OSS. The last change's outcome ("verified", "mismatch", …)
    /// described the rule the row held; when the new read says otherwise (changed elsewhere
    /// since), that outcome no longer describes the bucket and is cleared.
    pub(crate) fn set_read_rule(&mut self, state: EncryptionState) {
        let same = self
            .encryption
            .as_ref()
            .is_some_and(|old| same_reading(old, &state));
        if !same {
            self.verification = None;
        }
        self.encryption = Some(state);
    }
}

/// Two reads say the same thing: the same rule, or both failed with the same code (a new
/// request id alone is not news).
fn same_reading(a: &EncryptionState, b: &EncryptionState) -> bool {
    match (a, b) {
        (EncryptionState::Unknown(x), EncryptionState::Unknown(y)) => x.code == y.code,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::{BucketRow, InfoState, RowActivity};
    use crate::app::event::{ApplyOutcome, RequestId};
    use crate::core::model::{Bucket, BucketName};
    use crate::core::sse::{EncryptionState, ReadFailure, SseRule};

    fn row(encryption: EncryptionState, verification: ApplyOutcome) -> BucketRow {
        BucketRow {
            bucket: Bucket::in_region(BucketName::parse("aaa").expect("valid"), "cn-hangzhou"),
            profile: None,
            encryption: Some(encryption),
            activity: RowActivity::Idle,
            last_request: RequestId(1),
            listed_by: RequestId(1),
            verification: Some(verification),
            info: InfoState::NotLoaded,
            read_at: None,
        }
    }

    fn denied(request_id: &str) -> EncryptionState {
        EncryptionState::Unknown(ReadFailure {
            code: "AccessDenied".into(),
            message: "m".into(),
            request_id: Some(request_id.into()),
            hint: "h".into(),
        })
    }

    #[test]
    fn a_read_that_differs_clears_the_change_outcome() {
        let aes = EncryptionState::Configured(SseRule::Aes256);
        let mut r = row(aes.clone(), ApplyOutcome::Verified);
        r.set_read_rule(aes.clone());
        assert_eq!(r.verification, Some(ApplyOutcome::Verified), "same rule");
        r.set_read_rule(EncryptionState::NotConfigured);
        assert_eq!(r.verification, None, "changed elsewhere");
        assert_eq!(r.encryption, Some(EncryptionState::NotConfigured));

        let failed = ApplyOutcome::WriteFailed(ReadFailure {
            code: "AccessDenied".into(),
            message: "m".into(),
            request_id: None,
            hint: "h".into(),
        });
        let mut r = row(denied("R1"), failed.clone());
        r.set_read_rule(denied("R2"));
        assert_eq!(r.verification, Some(failed), "same failure, new request id");
        r.set_read_rule(aes);
        assert_eq!(r.verification, None);
    }
}

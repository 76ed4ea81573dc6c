//! How one bucket's change ended: the engine's verdict, which the worker turns into an event
//! and the CLI into an exit code.

use crate::core::sse::{EncryptionState, ReadFailure, SseRule};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// Written, and the rule read back is the one written.
    Verified,
    /// The rule read back after the write is not the one written (`None`: no rule).
    Mismatch { read_back: Option<SseRule> },
    /// The write failed and the read-back does not show it applied: the rule is unchanged.
    WriteFailed(ReadFailure),
    /// OSS accepted the write (or may have), but the read-back failed: unconfirmed.
    Unconfirmed(ReadFailure),
    /// The rule read before writing is not the one the administrator confirmed: someone
    /// changed it since. Nothing was written.
    ChangedSince { found: EncryptionState },
    /// The pre-flight check said no (its reason). Nothing was written.
    Refused(String),
    /// The bucket already has the rule asked for. Nothing was written or logged.
    AlreadyApplied,
    /// Cancelled before this bucket was changed.
    Cancelled,
}

impl ApplyOutcome {
    /// The bucket has the rule asked for (written and read back, or already there).
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Verified | Self::AlreadyApplied)
    }

    /// The write may have reached OSS: the bucket's rule was read back (or should be read
    /// again) and its GetBucketInfo facts are stale.
    pub fn may_have_written(&self) -> bool {
        matches!(
            self,
            Self::Verified | Self::Mismatch { .. } | Self::Unconfirmed(_)
        )
    }

    /// What OSS said about the bucket's rule, when this outcome carries a fresh read.
    pub fn read(&self, expected: &EncryptionState) -> Option<EncryptionState> {
        match self {
            Self::Verified | Self::AlreadyApplied => Some(expected.clone()),
            Self::Mismatch { read_back } => Some(
                read_back
                    .clone()
                    .map_or(EncryptionState::NotConfigured, EncryptionState::Configured),
            ),
            Self::Unconfirmed(failure) => Some(EncryptionState::Unknown(failure.clone())),
            Self::ChangedSince { found } => Some(found.clone()),
            Self::WriteFailed(_) | Self::Refused(_) | Self::Cancelled => None,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Mismatch { .. } => "mismatch",
            Self::WriteFailed(_) => "failed",
            Self::Unconfirmed(_) => "not verified",
            Self::ChangedSince { .. } => "changed since: not written",
            Self::Refused(_) => "refused by the pre-flight check",
            Self::AlreadyApplied => "already has this rule: not written",
            Self::Cancelled => "cancelled",
        }
    }
}

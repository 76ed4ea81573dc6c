//! The change engine: the one place that decides a rule change, for the CLI and the desktop
//! app alike. Front ends only translate: the CLI turns an [`ApplyOutcome`] into an exit code,
//! the worker into an event.
//!
//! | module | what it holds |
//! |---|---|
//! | [`rule`] | [`Algorithm`], the typed rule choice shared by clap and the form, and [`RuleSpec`] |
//! | [`outcome`] | [`ApplyOutcome`]: verified, mismatch, write failed, unconfirmed, changed since, refused |
//! | [`engine`] | [`run`]: guard, pre-flight, write, read back, compare, log |
//! | [`history`] | which change to undo, undo of one change or of a whole bulk change |
//!
//! One change to one bucket, in [`run`]:
//! 1. read the rule; if the administrator confirmed a "before" ([`ChangeRequest::confirmed`])
//!    and the rule read differs, stop with [`ApplyOutcome::ChangedSince`] (nothing written,
//!    nothing logged), unless [`ChangeRequest::force`];
//! 2. if the bucket already has the rule asked for, stop with [`ApplyOutcome::AlreadyApplied`]
//!    (nothing written, nothing logged; undos excepted: they are always logged);
//! 3. run the pre-flight check, if one is installed (below);
//! 4. log a `started` line, write the whole rule (or delete it), read it back, compare, and log
//!    the `done` line. The read-back runs even when the write failed: a timed-out write may
//!    still have been applied, and only OSS can say.
//!
//! ## Pre-flight checks (the hook)
//! [`ChangeContext::preflight`] holds an optional [`Preflight`]: an async check run after the
//! guard and before anything is written, for the changes it [`Preflight::applies`] to (for
//! example "the CMK of a KMS rule exists and is enabled"). If it refuses, the outcome is
//! [`ApplyOutcome::Refused`] with its reason and nothing is written or logged.
//! [`ChangeRequest::skip_checks`] skips it on the administrator's say-so; the change-log
//! record then says `checks_skipped: true`, so the audit shows the override. A check is
//! installed by whoever builds the context: `cli::changes` and the app's controller.
pub mod engine;
pub mod history;
pub mod outcome;
pub mod rule;

use crate::core::sse::{EncryptionState, SseRule};

pub use engine::{ChangeContext, ChangeReport, ChangeRequest, Preflight, run};
pub use outcome::ApplyOutcome;
pub use rule::{Algorithm, RuleSpec};

/// A change to one bucket's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Set(SseRule),
    Delete,
}

impl Change {
    /// The rule after the change (`None`: no rule).
    pub fn target(&self) -> Option<&SseRule> {
        match self {
            Self::Set(rule) => Some(rule),
            Self::Delete => None,
        }
    }

    /// What GetBucketEncryption should answer after the change.
    pub fn expected(&self) -> EncryptionState {
        match self {
            Self::Set(rule) => EncryptionState::Configured(rule.clone()),
            Self::Delete => EncryptionState::NotConfigured,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Set(rule) => format!("set {rule}"),
            Self::Delete => "delete the rule".to_owned(),
        }
    }
}

/// A bucket's rule as someone saw it: `None` is "no rule". The changed-since guard compares
/// these, never an unreadable state.
pub type RuleState = Option<SseRule>;

/// The rule state an [`EncryptionState`] shows, or `None` when it is unknown (nothing to
/// compare against: no guard).
pub fn known_state(state: Option<&EncryptionState>) -> Option<RuleState> {
    match state? {
        EncryptionState::Configured(rule) => Some(Some(rule.clone())),
        EncryptionState::NotConfigured => Some(None),
        EncryptionState::Unknown(_) => None,
    }
}

/// Describes a rule state for people: the rule, or "no rule".
pub fn describe_state(state: Option<&SseRule>) -> String {
    state.map_or_else(|| "no rule".to_owned(), ToString::to_string)
}

/// How to restore a bucket's rule from before a logged change: the change to make, the id of
/// the logged change it undoes (recorded as `undo_of`, so undos are never undone as ordinary
/// changes), and the rule that change set (the changed-since guard: someone else's later
/// change is not overwritten).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undo {
    pub bucket: String,
    pub change: Change,
    pub of: String,
    pub set: RuleState,
}

impl Undo {
    /// The engine request for this undo; `force` skips the changed-since guard.
    pub fn request(&self, force: bool, batch: Option<String>) -> ChangeRequest {
        ChangeRequest {
            change: self.change.clone(),
            confirmed: Some(self.set.clone()),
            undo_of: Some(self.of.clone()),
            batch,
            force,
            skip_checks: false,
        }
    }
}

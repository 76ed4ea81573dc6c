//! Events: what background tasks report back to the UI, in the past tense.
//!
//! Every event that can go stale carries the [`SessionId`] of the profile connection that
//! caused it and the [`RequestId`] of the request; [`AppState::apply`](super::state::AppState::apply)
//! drops those that no longer match (the rules are in `app/apply.rs`). A refresh's own `RequestId` is its
//! generation: a newer refresh has a larger id.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::changelog::ChangeRecord;
use crate::app::import::ImportedProfile;
use crate::app::profile::{Profile, ProfileConfig};
use crate::core::model::{Bucket, BucketName};
use crate::core::ops::bucket::BucketInfo;
use crate::core::sse::{EncryptionState, ReadFailure};
use crate::transport::OssClient;
use crate::transport::client::CallRecord;

/// Identifies one request (a refresh, one bucket's read, one bucket's change). Ids only grow,
/// so "newer" is "larger".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RequestId(pub u64);

/// Identifies one connection to one profile; bumped at every profile switch or reconnect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SessionId(pub u64);

pub use crate::app::change::{ApplyOutcome, Change};

/// Audit export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Json => "JSON",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    /// The config file was read and the keystore probed (once, at start).
    Started {
        config: Result<ProfileConfig, String>,
        keystore: Result<(), String>,
    },
    /// A profile's secret was found and its client built.
    Connected {
        session: SessionId,
        profile: Profile,
        client: OssClient,
    },
    ConnectFailed {
        session: SessionId,
        /// The profile's name (an audit of several profiles connects to each).
        profile: String,
        error: String,
    },
    /// A profile of an audit of several: its account UID from GetCallerIdentity, or why not.
    AccountIdentified {
        session: SessionId,
        profile: String,
        result: Result<String, String>,
    },
    /// The embedded dev server runs; `profile` points at it.
    DemoStarted {
        profile: Profile,
    },
    DemoFailed {
        error: String,
    },
    /// The profile config was saved (after any change to its keystore entry), or a newer
    /// version that holds it.
    ProfilesSaved {
        config: ProfileConfig,
        version: crate::app::config_writes::ConfigVersion,
        notice: Option<String>,
        /// The unreadable config file was moved aside first: where to, as an error notice.
        moved_aside: Option<String>,
        /// Connect to this profile next (it was just added, edited or made active).
        switch_to: Option<String>,
    },
    /// A profile change was not saved (keystore or config file): the app goes back.
    ProfileFailed {
        error: String,
        version: crate::app::config_writes::ConfigVersion,
    },
    /// The profile form's connection test ended: a summary, or what to fix.
    ProfileChecked {
        id: u64,
        result: Result<String, crate::app::profile_check::ProfileProblem>,
    },
    /// One ListBuckets page; `complete` on the last one.
    BucketsListed {
        session: SessionId,
        request: RequestId,
        buckets: Vec<Bucket>,
        complete: bool,
    },
    ListFailed {
        session: SessionId,
        request: RequestId,
        error: ReadFailure,
    },
    /// One bucket's rule, from a refresh (`request` = the refresh) or a single read.
    EncryptionLoaded {
        session: SessionId,
        request: RequestId,
        bucket: BucketName,
        state: EncryptionState,
    },
    /// A CMK named by a rule was described (once per refresh and key).
    KeyHealthLoaded {
        session: SessionId,
        health: crate::core::kms::health::KeyHealth,
    },
    RefreshFinished {
        session: SessionId,
        request: RequestId,
        cancelled: bool,
    },
    /// The keys of a region for the key picker, or why KMS could not list them.
    RegionKeysLoaded {
        session: SessionId,
        request: RequestId,
        region: String,
        result: Result<Vec<crate::app::region_keys::RegionKey>, String>,
    },
    BucketInfoLoaded {
        session: SessionId,
        request: RequestId,
        bucket: BucketName,
        /// Boxed: the facts are large, and most events are small.
        result: Result<Box<BucketInfo>, ReadFailure>,
    },
    /// One bucket of a batch was changed and read back.
    RuleApplied {
        session: SessionId,
        batch: RequestId,
        request: RequestId,
        bucket: BucketName,
        outcome: ApplyOutcome,
    },
    BatchFinished {
        session: SessionId,
        batch: RequestId,
    },
    /// The change log was read: every change, oldest first, and how many lines were unreadable.
    HistoryLoaded {
        records: Vec<ChangeRecord>,
        skipped: usize,
    },
    HistoryFailed {
        error: String,
    },
    /// An object scan's progress (streamed) or end.
    ObjectsScanned {
        session: SessionId,
        request: RequestId,
        progress: crate::app::objects_scan::ScanProgress,
    },
    /// The re-encryption preview (dry run) ended.
    ReencryptPreviewed {
        session: SessionId,
        request: RequestId,
        result: Result<crate::app::objects_job::ReencryptPlan, String>,
    },
    /// A re-encryption job's progress (streamed) or end.
    ReencryptProgressed {
        session: SessionId,
        request: RequestId,
        progress: crate::app::objects_job::JobProgress,
    },
    /// The re-encryption jobs in the data folder were read (at connect).
    JobsListed {
        session: SessionId,
        jobs: Vec<crate::app::objects::journal::JobFile>,
    },
    /// One HTTP attempt, for the activity log (never holds a secret).
    CallRecorded {
        session: SessionId,
        record: CallRecord,
    },
    /// No file dialog could be shown: the UI asks for a path instead.
    ExportPathNeeded {
        format: ExportFormat,
    },
    /// The typed path exists and `overwrite` was not given: nothing was written.
    ExportExists {
        path: PathBuf,
    },
    Exported {
        path: PathBuf,
        rows: usize,
        format: ExportFormat,
    },
    ExportFailed {
        error: String,
    },
    ImportPathNeeded,
    Imported {
        path: PathBuf,
        profiles: Vec<ImportedProfile>,
    },
    ImportFailed {
        error: String,
    },
}

/// Sends events to the UI, then wakes it: send first, wake second, so the woken frame sees
/// the event.
#[derive(Clone)]
pub struct EventSender {
    tx: tokio::sync::mpsc::UnboundedSender<Event>,
    repaint: Arc<dyn Fn() + Send + Sync>,
}

impl EventSender {
    pub fn new(
        tx: tokio::sync::mpsc::UnboundedSender<Event>,
        repaint: Arc<dyn Fn() + Send + Sync>,
    ) -> Self {
        Self { tx, repaint }
    }

    /// Returns false when the UI is gone (the task may stop).
    pub fn send(&self, event: Event) -> bool {
        let sent = self.tx.send(event).is_ok();
        (self.repaint)();
        sent
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

impl fmt::Debug for EventSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventSender")
    }
}

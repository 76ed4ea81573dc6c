//! Commands: what the views ask the app to do, in the imperative. Views record a command and
//! return; [`Controller::handle`](super::controller::Controller::handle) runs it at the start
//! of the next frame, so nothing restructures the app in the middle of a layout.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use crate::app::change::ChangeRequest;
use crate::app::event::ExportFormat;
use crate::app::keystore::ProfileSecret;
use crate::app::profile::Profile;
use crate::app::row::RowKey;
use crate::core::model::BucketName;

/// Which rows an export writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportRows {
    All,
    /// The rows the table's filter shows.
    Only(Vec<RowKey>),
}

#[derive(Debug, Clone)]
pub enum Command {
    /// List every bucket and read every rule again (cancels a running refresh).
    RefreshAll,
    /// Read one bucket's rule again.
    RefreshBucket { bucket: RowKey },
    /// Read GetBucketInfo for the detail panel.
    LoadBucketInfo { bucket: RowKey },
    /// List and describe the KMS keys of `bucket`'s region for the key picker (once per
    /// region and session; again after a failure).
    LoadRegionKeys { bucket: RowKey },
    /// Make a change (or an undo) to each bucket through the change engine: guard against a
    /// rule changed since it was confirmed, write, read back, log. Each bucket carries its own
    /// request (an undo of a bulk change restores each bucket's own rule); `undo_of` names
    /// the logged change or bulk change being undone, for the batch's title.
    Change {
        buckets: Vec<(RowKey, ChangeRequest)>,
        change: String,
        undo_of: Option<String>,
    },
    /// Read the change log again (the History window).
    LoadHistory,
    /// Stop the running refresh; a running change goes on.
    CancelRefresh,
    /// Skip the buckets of the running change not started yet; a running refresh goes on.
    CancelBatch,
    /// Audit these profiles at once into one table (each with its own endpoint, region and
    /// credentials); the active profile stays as it is for the next start.
    AuditProfiles { names: Vec<String> },
    /// Make `name` the active profile and connect to it.
    SwitchProfile { name: String },
    /// Add or replace a profile. `secret: None` keeps the stored secret (an edit that does
    /// not retype it); `previous_name` is set when an edit renames the profile.
    SaveProfile {
        profile: Profile,
        secret: Option<ProfileSecret>,
        previous_name: Option<String>,
    },
    /// Test a profile before saving it: ListBuckets and one rule read. `secret: None` uses
    /// the one stored under `previous_name`. Answered by `ProfileChecked { id, .. }`.
    CheckProfile {
        id: u64,
        profile: Profile,
        secret: Option<ProfileSecret>,
        previous_name: Option<String>,
    },
    /// Remove a profile and its keyring entry.
    DeleteProfile { name: String },
    /// Start the embedded dev server with demo data and switch to its profile.
    StartDemo,
    /// The OS keyring is unavailable: keep secrets in memory for this run.
    UseMemoryKeystore,
    /// Export the audit; `path: None` asks with a save dialog first. A typed `path` that
    /// exists is replaced only with `overwrite` (the user was asked).
    Export {
        format: ExportFormat,
        path: Option<PathBuf>,
        rows: ExportRows,
        overwrite: bool,
    },
    /// Read an ossutil config or AccessKey CSV; `path: None` asks with an open dialog first.
    Import { path: Option<PathBuf> },
    /// Scan a bucket's objects (LIST, then HEAD each) under `prefix`; replaces a running scan.
    ScanObjects { bucket: BucketName, prefix: String },
    /// Stop the running object scan; the totals so far stay.
    CancelObjectsScan,
    /// Preview re-encrypting the bucket's objects under `prefix` to `target` (`None`: the
    /// bucket's rule): the target's pre-flight check, then a dry run.
    PreviewReencrypt {
        bucket: BucketName,
        prefix: String,
        target: Option<crate::core::sse::SseRule>,
    },
    /// Close the preview (stops its dry run).
    ClosePreview,
    /// Run the previewed re-encryption as a journaled job.
    StartReencrypt,
    /// Stop the running job; objects in flight finish, the journal lets it resume.
    CancelReencrypt,
    /// Stop the running job where it is, to resume it later.
    PauseReencrypt,
    /// Run the paused (or failed) job again from its journal.
    ResumeReencrypt,
    /// Resume a job an earlier run of the app left unfinished.
    ResumeInterrupted { job_id: String },
    /// Forget dismissed notices.
    DismissNotice { index: usize },
    /// Keep the file an export would have replaced (the question goes away).
    DismissExportExists,
}

/// The views' end of the command channel. Unbounded because the app also sends to itself.
#[derive(Clone)]
pub struct CommandSender {
    tx: mpsc::Sender<Command>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl CommandSender {
    pub fn new(tx: mpsc::Sender<Command>, wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        Self { tx, wake }
    }

    /// Queues `command` and asks for a frame so it runs promptly. Records who sent it, which
    /// makes a stray command easy to trace (`RUST_LOG=ossguard=trace`).
    #[track_caller]
    pub fn send(&self, command: Command) {
        let caller = std::panic::Location::caller();
        tracing::trace!(?command, %caller, "command");
        if self.tx.send(command).is_err() {
            tracing::debug!("command dropped: the app is shutting down");
        }
        (self.wake)();
    }
}

impl fmt::Debug for CommandSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CommandSender")
    }
}

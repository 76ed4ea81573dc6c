//! `AppState`: everything the desktop app shows, changed only by [`AppState::apply`] (events
//! from tasks) and the `begin_*` methods (commands from views). Pure: no egui, no I/O, no
//! clock, so every rule here is unit-tested without a window.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::app::activity::ActivityLog;
use crate::app::event::{Event, ExportFormat, RequestId, SessionId};
use crate::app::export::AuditRow;
use crate::app::import::ImportedProfile;
use crate::app::profile::{Profile, ProfileConfig};
use crate::core::kms::health::{KeyHealth, rule_cmk};
use crate::core::model::{Bucket, BucketName};
use crate::core::sse::EncryptionState;

pub use super::row::{BucketRow, InfoState, RowActivity, RowKey};
pub use accounts::AccountStatus;
pub use batch::{Batch, BatchItem, BatchWork};
pub use refresh::RefreshStatus;
pub use status::{ActiveProfile, Connection, DemoStatus, KeystoreStatus, Notice, NoticeLevel};

mod accounts;
mod batch;
mod refresh;
mod status;

#[derive(Debug, Default)]
pub struct AppState {
    pub session: SessionId,
    next_request: u64,
    /// The config as last written (the controller's edits on their way are not in it yet).
    pub profiles: ProfileConfig,
    /// Which of the app's config writes `profiles` is; an older answer never replaces it.
    pub profiles_version: crate::app::config_writes::ConfigVersion,
    /// The config file has been read (the welcome screen waits for it).
    pub started: bool,
    pub keystore: Option<KeystoreStatus>,
    pub active: Option<ActiveProfile>,
    /// The profiles of an audit of several accounts at once (empty: one profile, `active`).
    pub accounts: Vec<AccountStatus>,
    pub demo: Option<DemoStatus>,
    rows: Vec<BucketRow>,
    index: HashMap<RowKey, usize>,
    data_version: u64,
    pub refresh: Option<RefreshStatus>,
    pub batch: Option<Batch>,
    pub activity: ActivityLog,
    /// The last connection test of the profile form: its id and result.
    pub profile_check: Option<(
        u64,
        Result<String, crate::app::profile_check::ProfileProblem>,
    )>,
    /// The change log as last read (`None`: not read yet); the History window shows it.
    pub history: Option<crate::app::change::history::History>,
    pub notices: Vec<Notice>,
    /// No save dialog was available: ask for a path.
    pub export_path_needed: Option<ExportFormat>,
    /// A typed export path exists: the UI asks before replacing it.
    pub export_exists: Option<PathBuf>,
    /// The last export written (the export window closes when it lands).
    pub last_export: Option<(ExportFormat, PathBuf)>,
    pub import_path_needed: bool,
    /// Profiles read from an imported file, waiting for the user to pick one.
    pub imported: Option<(PathBuf, Vec<ImportedProfile>)>,
    /// The object scan running or last run (the detail panel's "Objects" section).
    pub objects_scan: Option<crate::app::objects_scan::ObjectsScan>,
    /// The re-encryption preview open (its dry run running or done).
    pub objects_preview: Option<crate::app::objects_job::ReencryptPreview>,
    /// The re-encryption job running or last run.
    pub objects_job: Option<crate::app::objects_job::ReencryptJob>,
    /// Re-encryption jobs an earlier run left unfinished, offered for resumption.
    pub interrupted_jobs: Vec<crate::app::objects::journal::JobFile>,
    /// Events dropped as stale (for tests and the debug log).
    pub dropped_events: u64,
    /// The clock offset the client learned from RequestTimeTooSkewed (0: none).
    pub clock_offset_seconds: i64,
    /// When the temporary credentials in use expire (STS token, RAM or ECS role), from the
    /// client's credential cache; `None` for an AccessKey or before the first load.
    pub credentials_expire: Option<chrono::DateTime<chrono::Utc>>,
    /// The health of each CMK the rules name, by (region, key as the rule names it); kept
    /// across refreshes (replaced as keys are described again), forgotten with the session.
    key_health: HashMap<(String, String), KeyHealth>,
    /// The keys of each region the change form asked for (the key picker).
    pub region_keys: crate::app::region_keys::RegionKeys,
}

impl AppState {
    pub fn rows(&self) -> &[BucketRow] {
        &self.rows
    }

    /// `name`'s row in a single-profile session.
    pub fn row(&self, name: &BucketName) -> Option<&BucketRow> {
        self.row_by_key(&RowKey::single(name.clone()))
    }

    pub fn row_by_key(&self, key: &RowKey) -> Option<&BucketRow> {
        self.index.get(key).and_then(|i| self.rows.get(*i))
    }

    fn row_mut(&mut self, key: &RowKey) -> Option<&mut BucketRow> {
        let i = *self.index.get(key)?;
        self.data_version += 1;
        self.rows.get_mut(i)
    }

    /// The health of the CMK `row`'s rule names, once KMS was asked.
    pub fn key_health(&self, row: &BucketRow) -> Option<&KeyHealth> {
        let id = row
            .encryption
            .as_ref()
            .and_then(EncryptionState::rule)
            .and_then(rule_cmk)?;
        self.key_health
            .get(&(row.bucket.region.clone(), id.to_owned()))
    }

    /// Whether a key not found in `health`'s region was described in another region (a rule
    /// naming another region's key).
    pub fn key_found_elsewhere(&self, health: &KeyHealth) -> bool {
        health.state.as_deref() == Some(crate::core::kms::health::STATE_NOT_FOUND)
            && self.key_health.values().any(|other| {
                other.region != health.region && other.key_id.as_deref() == Some(health.id.as_str())
            })
    }

    /// Records a key's health (from the audit's key checks).
    pub(crate) fn set_key_health(&mut self, health: KeyHealth) {
        self.key_health
            .insert((health.region.clone(), health.id.clone()), health);
        self.data_version += 1;
    }

    /// Something the table shows changed (an account ID arrived): views filter again.
    pub(super) fn touch(&mut self) {
        self.data_version += 1;
    }

    /// Bumped on every change to the rows; views re-filter only when it moves.
    pub fn data_version(&self) -> u64 {
        self.data_version
    }

    pub fn notify(&mut self, level: NoticeLevel, text: impl Into<String>) {
        self.notices.push(Notice {
            level,
            text: text.into(),
        });
    }

    pub(crate) fn next_request(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }

    /// Starts listing the keys of `name`'s region unless they are listed or on their way.
    pub fn begin_region_keys(&mut self, key: &RowKey) -> Option<(RequestId, Bucket)> {
        let bucket = self.row_by_key(key)?.bucket.clone();
        if !self.region_keys.needs(&bucket.region) {
            return None;
        }
        let request = self.next_request();
        self.region_keys.begin(&bucket.region, request);
        Some((request, bucket))
    }

    /// Connected to the active profile, or to at least one profile of an audit of several.
    pub fn is_connected(&self) -> bool {
        self.active
            .as_ref()
            .is_some_and(|a| a.connection == Connection::Connected)
            || self
                .accounts
                .iter()
                .any(|a| a.connection == Connection::Connected)
    }

    /// A profile, or several, is chosen.
    pub fn has_session(&self) -> bool {
        self.active.is_some() || !self.accounts.is_empty()
    }

    /// What an export's file is named after: the profile, or all of them.
    pub fn export_name(&self) -> &str {
        match &self.active {
            Some(active) => &active.profile.name,
            None if self.is_all_profiles() => "all-profiles",
            None => "ossguard",
        }
    }

    /// The table holds several profiles' buckets (rows carry their profile).
    pub fn is_all_profiles(&self) -> bool {
        !self.accounts.is_empty()
    }

    pub fn batch_running(&self) -> bool {
        self.batch.as_ref().is_some_and(|b| !b.finished)
    }

    /// The top bar's note on the temporary credentials in use, if any.
    pub fn credentials_note(&self, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
        let renewed = self
            .active
            .as_ref()
            .is_some_and(|a| !a.profile.has_own_secret());
        Some(super::expiry::note(self.credentials_expire?, renewed, now))
    }

    /// The clock-skew banner's text, when the client learned an offset.
    pub fn clock_note(&self) -> Option<String> {
        crate::transport::clock::describe_offset(chrono::Duration::seconds(
            self.clock_offset_seconds,
        ))
    }

    /// A new connection: forgets the previous profile's rows and in-flight work.
    pub fn begin_session(&mut self, profile: Profile) -> SessionId {
        self.reset_session();
        self.accounts.clear();
        self.active = Some(ActiveProfile {
            profile,
            connection: Connection::Connecting,
        });
        self.session
    }

    /// No profile is active any more (it was deleted).
    pub fn end_session(&mut self) {
        self.reset_session();
        self.accounts.clear();
        self.active = None;
    }

    /// A new session id; everything learned in the previous session is forgotten, so its
    /// late answers are dropped as stale.
    fn reset_session(&mut self) {
        self.session = SessionId(self.session.0 + 1);
        self.rows.clear();
        self.index.clear();
        self.data_version += 1;
        self.refresh = None;
        self.batch = None;
        self.objects_scan = None;
        self.objects_preview = None;
        self.objects_job = None;
        self.clock_offset_seconds = 0;
        self.credentials_expire = None;
        self.key_health.clear();
        self.region_keys.clear();
    }

    /// `None` for an unknown row, or one a running change is applying to (its answer would
    /// make the change's result stale).
    pub fn begin_bucket_refresh(&mut self, key: &RowKey) -> Option<(RequestId, Bucket)> {
        if self.row_by_key(key)?.activity == RowActivity::Applying {
            return None;
        }
        let request = self.next_request();
        let row = self.row_mut(key)?;
        row.last_request = request;
        row.activity = RowActivity::Loading;
        Some((request, row.bucket.clone()))
    }

    pub fn begin_info(&mut self, key: &RowKey) -> Option<(RequestId, Bucket)> {
        let request = self.next_request();
        let row = self.row_mut(key)?;
        row.info = InfoState::Loading(request);
        Some((request, row.bucket.clone()))
    }

    /// Starts an object scan of `name` (replacing any other); `None` for an unknown row.
    pub fn begin_objects_scan(
        &mut self,
        name: &BucketName,
        prefix: String,
    ) -> Option<(RequestId, Bucket)> {
        let bucket = self.row(name)?.bucket.clone();
        let request = self.next_request();
        self.objects_scan = Some(crate::app::objects_scan::ObjectsScan::new(
            self.session,
            request,
            name.clone(),
            prefix,
        ));
        Some((request, bucket))
    }

    /// Rows whose rule is known, as export rows stamped with their read time and `now`,
    /// sorted by profile, then name (as the CLI's audit of several profiles); `only` limits
    /// them to those rows (the table's filter). Rows of an audit of several profiles carry
    /// their profile and account ID.
    pub fn export_rows(
        &self,
        only: Option<&[RowKey]>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<AuditRow> {
        let wanted: Option<std::collections::HashSet<&RowKey>> =
            only.map(|keys| keys.iter().collect());
        let mut rows: Vec<(&BucketRow, AuditRow)> = self
            .rows
            .iter()
            .filter(|r| wanted.as_ref().is_none_or(|w| w.contains(&r.key())))
            .filter_map(|r| {
                let state = r.encryption.as_ref()?;
                let row = AuditRow::new(&r.bucket, state)
                    .with_times(r.read_at, now)
                    .with_key(self.key_health(r).cloned());
                let row = match &r.profile {
                    Some(profile) => {
                        row.with_account(profile, self.account_id(profile).unwrap_or_default())
                    }
                    None => row,
                };
                Some((r, row))
            })
            .collect();
        rows.sort_by(|(a, _), (b, _)| {
            (&a.profile, &a.bucket.name).cmp(&(&b.profile, &b.bucket.name))
        });
        rows.into_iter().map(|(_, row)| row).collect()
    }

    /// Applies one event; returns false if it was dropped as stale.
    pub fn apply(&mut self, event: Event) -> bool {
        let applied = super::apply::apply(self, event);
        if !applied {
            self.dropped_events += 1;
        }
        applied
    }

    // --- used by `apply.rs` ---

    /// Stamps the time a bucket's rule was read by `request` (the controller calls this after
    /// applying an event that carried a read; the state never reads the clock itself).
    pub(crate) fn mark_read(
        &mut self,
        name: &BucketName,
        request: RequestId,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        if let Some(row) = self.row_answering(name, |r| r.last_request == request) {
            row.read_at = Some(at);
        }
    }

    /// A change to `name` completed: its GetBucketInfo facts (which include the SSE
    /// algorithm) are out of date, so the panel loads them again. An answer still in flight
    /// was asked before the change and is dropped when it lands. (In an audit of several
    /// profiles every row of that name forgets them: a reload costs one request.)
    pub(crate) fn forget_info(&mut self, name: &BucketName) {
        for row in &mut self.rows {
            if row.bucket.name == *name {
                row.info = InfoState::NotLoaded;
            }
        }
        self.data_version += 1;
    }

    /// The row named `name` that `answers` picks (events name the bucket and the request,
    /// not the profile: request ids are unique, so the request tells the rows apart).
    pub(super) fn row_answering(
        &mut self,
        name: &BucketName,
        answers: impl Fn(&BucketRow) -> bool,
    ) -> Option<&mut BucketRow> {
        let profiles =
            std::iter::once(None).chain(self.accounts.iter().map(|a| Some(a.profile.clone())));
        let found = profiles
            .map(|profile| RowKey {
                profile,
                name: name.clone(),
            })
            .find(|key| self.row_by_key(key).is_some_and(&answers))?;
        self.row_mut(&found)
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "state_batch_tests.rs"]
mod batch_tests;

#[cfg(test)]
#[path = "state_accounts_tests.rs"]
mod accounts_tests;

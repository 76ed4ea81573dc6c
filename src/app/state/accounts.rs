//! An audit of several profiles at once: each profile's connection, account ID and refresh.
//! Rows carry their profile (`BucketRow::profile`); refresh events find their profile
//! through the refresh's request id.

use super::{AppState, Connection, RefreshStatus, RowActivity};
use crate::app::category::Category;
use crate::app::event::{RequestId, SessionId};
use crate::app::profile::Profile;

/// One profile of an audit of several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStatus {
    pub profile: String,
    pub connection: Connection,
    /// The account UID from GetCallerIdentity, or why it could not be read; `None` while asked.
    pub account_id: Option<Result<String, String>>,
    /// This profile's last refresh (its own request id, progress and listing error).
    pub refresh: Option<RefreshStatus>,
}

impl AccountStatus {
    /// What went wrong with this profile, if anything: connecting, listing, or its identity.
    pub fn error(&self) -> Option<String> {
        if let Connection::Failed(error) = &self.connection {
            return Some(error.clone());
        }
        if let Some(error) = self.refresh.as_ref().and_then(|r| r.error.as_ref()) {
            return Some(format!("{}: {} {}", error.code, error.message, error.hint));
        }
        match &self.account_id {
            Some(Err(error)) => Some(format!("GetCallerIdentity failed: {error}")),
            _ => None,
        }
    }

    /// Whether this profile's buckets could not be listed (it did not connect, or its
    /// listing failed): its counts are then no count at all, not zeros.
    pub fn failed(&self) -> bool {
        matches!(self.connection, Connection::Failed(_))
            || self.refresh.as_ref().is_some_and(|r| r.error.is_some())
    }
}

/// A profile's buckets by what their rules count as (the per-profile counts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountCounts {
    pub buckets: usize,
    pub not_encrypted: usize,
    pub unknown: usize,
}

impl AppState {
    /// A new session over `profiles` at once: forgets the previous rows and in-flight work.
    pub fn begin_accounts_session(&mut self, profiles: &[Profile]) -> SessionId {
        self.reset_session();
        self.active = None;
        self.accounts = profiles
            .iter()
            .map(|p| AccountStatus {
                profile: p.name.clone(),
                connection: Connection::Connecting,
                account_id: None,
                refresh: None,
            })
            .collect();
        self.session
    }

    pub fn account(&self, profile: &str) -> Option<&AccountStatus> {
        self.accounts.iter().find(|a| a.profile == profile)
    }

    pub(in crate::app) fn account_mut(&mut self, profile: &str) -> Option<&mut AccountStatus> {
        self.accounts.iter_mut().find(|a| a.profile == profile)
    }

    /// The profile's account UID, once GetCallerIdentity answered.
    pub fn account_id(&self, profile: &str) -> Option<&str> {
        self.account(profile)?.account_id.as_ref()?.as_deref().ok()
    }

    /// The Account column's text: the profile, and its account ID once known.
    pub fn account_label(&self, profile: &str) -> String {
        match self.account_id(profile) {
            Some(id) => format!("{profile} ({id})"),
            None => profile.to_owned(),
        }
    }

    /// Starts a refresh of one profile's buckets: its rows show as loading (rows a change is
    /// applying to are left alone, as in a single-profile refresh).
    pub fn begin_account_refresh(&mut self, profile: &str) -> Option<RequestId> {
        self.account(profile)?;
        let request = self.next_request();
        for row in &mut self.rows {
            if row.profile.as_deref() != Some(profile) || row.activity == RowActivity::Applying {
                continue;
            }
            row.activity = RowActivity::Loading;
            row.last_request = request;
        }
        self.data_version += 1;
        let account = self.account_mut(profile)?;
        account.refresh = Some(RefreshStatus::new(request));
        Some(request)
    }

    /// How many profiles of an audit of several could not list their buckets.
    pub fn failed_profiles(&self) -> usize {
        self.accounts.iter().filter(|a| a.failed()).count()
    }

    /// How many of `profile`'s rows there are, and how many are not encrypted or unread.
    pub fn account_counts(&self, profile: &str) -> AccountCounts {
        let mut counts = AccountCounts::default();
        for row in self
            .rows
            .iter()
            .filter(|r| r.profile.as_deref() == Some(profile))
        {
            counts.buckets += 1;
            match Category::of(row.encryption.as_ref()) {
                Category::NotEncrypted => counts.not_encrypted += 1,
                Category::Unknown => counts.unknown += 1,
                _ => {}
            }
        }
        counts
    }
}

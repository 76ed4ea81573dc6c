//! The commands over buckets: refresh every bucket, change rules, export the table.

use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use super::Controller;
use crate::app::change::{ChangeContext, ChangeRequest};
use crate::app::changelog;
use crate::app::command::ExportRows;
use crate::app::event::ExportFormat;
use crate::app::export::default_file_name;
use crate::app::files;
use crate::app::row::RowKey;
use crate::app::state::NoticeLevel;
use crate::app::worker::{ChangeJob, ChangeStep};

impl Controller {
    pub(super) fn refresh_all(&mut self) {
        if self.state.is_all_profiles() {
            self.refresh_cancel.cancel();
            self.refresh_cancel = CancellationToken::new();
            let names: Vec<String> = self.account_clients.keys().cloned().collect();
            for name in names {
                self.refresh_account(&name);
            }
            return;
        }
        let Some(client) = self.client.clone() else {
            self.state
                .notify(NoticeLevel::Error, "Not connected: choose a profile first.");
            return;
        };
        self.refresh_cancel.cancel();
        self.refresh_cancel = CancellationToken::new();
        let request = self.state.begin_refresh();
        self.worker.refresh_all(
            client,
            self.state.session,
            request,
            self.refresh_cancel.clone(),
        );
    }

    /// Starts one change over several buckets. A change to more than one bucket gets a
    /// batch id in the change log, so it can be undone as one. Each bucket is changed with
    /// its row's profile (in an audit of several profiles, rows of several accounts).
    pub(super) fn apply_change(&mut self, buckets: Vec<(RowKey, ChangeRequest)>, title: String) {
        if !self.state.is_connected() {
            return;
        }
        if self.state.batch_running() {
            self.state.notify(
                NoticeLevel::Error,
                "A change is still running: wait for it or cancel it.",
            );
            return;
        }
        let batch_id = (buckets.len() > 1).then(changelog::ChangeRecord::new_id);
        let mut steps = Vec::new();
        for (key, mut request) in buckets {
            // A row whose profile is not connected is left out (its client is missing).
            let Some(client) = self.client_for(key.profile.as_deref()) else {
                continue;
            };
            request.batch = request.batch.or_else(|| batch_id.clone());
            let context = self.change_context(key.profile.as_deref());
            steps.push((key, request.change.clone(), (request, client, context)));
        }
        let Some((batch, work)) = self.state.begin_batch(steps, title) else {
            return;
        };
        self.batch_cancel = CancellationToken::new();
        let work = work
            .into_iter()
            .map(|(request, bucket, (change, client, context))| ChangeStep {
                request,
                bucket,
                change,
                client,
                context,
            })
            .collect();
        let job = ChangeJob {
            session: self.state.session,
            batch,
            work,
            cancel: self.batch_cancel.clone(),
        };
        self.worker.apply_change(job);
    }

    /// As whom a change to a row of `profile` (`None`: the active profile) is logged.
    fn change_context(&self, profile: Option<&str>) -> ChangeContext {
        let profile = profile
            .map(str::to_owned)
            .or_else(|| self.state.active.as_ref().map(|a| a.profile.name.clone()));
        let account_id = profile
            .as_deref()
            .filter(|_| self.state.is_all_profiles())
            .and_then(|p| self.state.account_id(p))
            .map(str::to_owned);
        ChangeContext {
            profile: profile.unwrap_or_default(),
            account_id,
            log_path: Some(changelog::log_path(&self.env.data_dir)),
            preflight: self.env.preflight.clone(),
        }
    }

    pub(super) fn export(
        &mut self,
        format: ExportFormat,
        path: Option<PathBuf>,
        rows: ExportRows,
        overwrite: bool,
    ) {
        let only = match &rows {
            ExportRows::All => None,
            ExportRows::Only(names) => Some(names.as_slice()),
        };
        let now = chrono::Utc::now();
        let rows = self.state.export_rows(only, now);
        if rows.is_empty() {
            self.state
                .notify(NoticeLevel::Error, "Nothing to export yet: refresh first.");
            return;
        }
        self.state.export_path_needed = None;
        self.state.export_exists = None;
        let profile = self.state.export_name();
        let request = files::ExportRequest {
            format,
            file_name: default_file_name(profile, now, format),
            path,
            overwrite,
        };
        files::export(&self.worker, &self.env, &self.dialogs, request, rows);
    }
}

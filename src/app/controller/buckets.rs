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
use crate::app::state::NoticeLevel;
use crate::app::worker::ChangeJob;
use crate::core::model::BucketName;

impl Controller {
    pub(super) fn refresh_all(&mut self) {
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
    /// batch id in the change log, so it can be undone as one.
    pub(super) fn apply_change(
        &mut self,
        buckets: Vec<(BucketName, ChangeRequest)>,
        title: String,
    ) {
        let Some(client) = self.client.clone() else {
            return;
        };
        if self.state.batch_running() {
            self.state.notify(
                NoticeLevel::Error,
                "A change is still running: wait for it or cancel it.",
            );
            return;
        }
        let batch_id = (buckets.len() > 1).then(changelog::ChangeRecord::new_id);
        let steps = buckets
            .into_iter()
            .map(|(name, mut request)| {
                request.batch = request.batch.or_else(|| batch_id.clone());
                (name, request.change.clone(), request)
            })
            .collect();
        let Some((batch, work)) = self.state.begin_batch(steps, title) else {
            return;
        };
        self.batch_cancel = CancellationToken::new();
        let context = ChangeContext {
            profile: self
                .state
                .active
                .as_ref()
                .map(|a| a.profile.name.clone())
                .unwrap_or_default(),
            log_path: Some(changelog::log_path(&self.env.data_dir)),
            preflight: self.env.preflight.clone(),
        };
        let job = ChangeJob {
            session: self.state.session,
            batch,
            work,
            context,
            cancel: self.batch_cancel.clone(),
        };
        self.worker.apply_change(client, job);
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
        let profile = self
            .state
            .active
            .as_ref()
            .map_or("ossguard", |a| a.profile.name.as_str());
        let request = files::ExportRequest {
            format,
            file_name: default_file_name(profile, now, format),
            path,
            overwrite,
        };
        files::export(&self.worker, &self.env, &self.dialogs, request, rows);
    }
}

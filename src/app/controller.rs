//! `Controller`: runs commands from the views and applies events from tasks. It owns the
//! state, the active client and the cancellation tokens; it never blocks and never draws, so
//! the whole app can be driven without a window.

use std::sync::{Arc, mpsc};

use tokio_util::sync::CancellationToken;

use crate::app::change::ChangeContext;
use crate::app::change::ChangeRequest;
use crate::app::changelog;
use crate::app::command::{Command, CommandSender, ExportRows};
use crate::app::demo::{self, DemoSlot};
use crate::app::environment::AppEnvironment;
use crate::app::event::{ApplyOutcome, Event, EventSender, SessionId};
use crate::app::export::default_file_name;
use crate::app::files;
use crate::app::keystore::{Keystore, MemoryStore, ProfileSecret};
use crate::app::objects_tasks::{self, ReencryptTask};
use crate::app::profile::{self, Profile, ProfileConfig};
use crate::app::profile_check;
use crate::app::profile_tasks::{self, ConnectTask, SaveTask};
use crate::app::state::{AppState, DemoStatus, KeystoreStatus, NoticeLevel};
use crate::app::worker::{ChangeJob, ObjectsScanTask, Worker};
use crate::core::model::BucketName;
use crate::transport::OssClient;

pub struct Controller {
    pub state: AppState,
    env: AppEnvironment,
    keystore: Arc<dyn Keystore>,
    worker: Worker,
    events_rx: tokio::sync::mpsc::UnboundedReceiver<Event>,
    commands_rx: mpsc::Receiver<Command>,
    commands: CommandSender,
    client: Option<OssClient>,
    refresh_cancel: CancellationToken,
    batch_cancel: CancellationToken,
    objects_scan_cancel: CancellationToken,
    preview_cancel: CancellationToken,
    job_cancel: CancellationToken,
    demo: DemoSlot,
    /// Whether a file dialog ever returned a path this run (tells a cancel from no portal).
    dialogs: files::DialogHistory,
}

/// What an event says about one bucket beyond the row update `apply` makes: whether it
/// carried a rule read from OSS (its time is stamped here, since the state never reads the
/// clock) and whether the bucket was written (its GetBucketInfo facts are then outdated).
struct BucketNews {
    session: SessionId,
    bucket: BucketName,
    read: bool,
    written: bool,
}

impl BucketNews {
    fn of(event: &Event) -> Option<Self> {
        let (session, bucket, read, written) = match event {
            Event::EncryptionLoaded {
                session, bucket, ..
            } => (*session, bucket, true, false),
            Event::RuleApplied {
                session,
                bucket,
                outcome,
                ..
            } if outcome.may_have_written()
                || matches!(outcome, ApplyOutcome::ChangedSince { .. }) =>
            {
                (*session, bucket, true, outcome.may_have_written())
            }
            _ => return None,
        };
        Some(Self {
            session,
            bucket: bucket.clone(),
            read,
            written,
        })
    }
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("session", &self.state.session)
            .finish_non_exhaustive()
    }
}

impl Controller {
    /// Returns at once; reading the config and probing the keyring run in the background.
    pub fn new(
        rt: crate::app::runtime::RuntimeHandle,
        env: AppEnvironment,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> Self {
        let (events_tx, events_rx) = tokio::sync::mpsc::unbounded_channel();
        let (commands_tx, commands_rx) = mpsc::channel();
        let events = EventSender::new(events_tx, wake.clone());
        let worker = Worker::new(rt, events, env.concurrency);
        let keystore = env.keystore.clone();
        let controller = Self {
            state: AppState::default(),
            keystore,
            worker,
            events_rx,
            commands_rx,
            commands: CommandSender::new(commands_tx, wake),
            client: None,
            refresh_cancel: CancellationToken::new(),
            batch_cancel: CancellationToken::new(),
            objects_scan_cancel: CancellationToken::new(),
            preview_cancel: CancellationToken::new(),
            job_cancel: CancellationToken::new(),
            demo: DemoSlot::default(),
            dialogs: files::DialogHistory::default(),
            env,
        };
        controller.start();
        controller
    }

    fn start(&self) {
        let path = self.env.config_path.clone();
        let probe = self.env.probe_keystore.clone();
        let events = self.worker.events().clone();
        self.worker.runtime().spawn_blocking(move || {
            let config = profile::load(&path).map_err(|e| e.to_string());
            let keystore = probe().map_err(|e| e.to_string());
            events.send(Event::Started { config, keystore });
        });
    }

    pub fn sender(&self) -> CommandSender {
        self.commands.clone()
    }

    pub fn environment(&self) -> &AppEnvironment {
        &self.env
    }

    /// Runs queued commands, then applies up to `max_events` events. Returns true when events
    /// are left over (the caller asks for another frame).
    pub fn pump(&mut self, max_events: usize) -> bool {
        while let Ok(command) = self.commands_rx.try_recv() {
            self.handle(command);
        }
        for _ in 0..max_events {
            match self.events_rx.try_recv() {
                Ok(event) => self.on_event(event),
                Err(_) => break,
            }
        }
        // One atomic read: the offset the client learned, for the clock banner.
        self.state.clock_offset_seconds = self
            .client
            .as_ref()
            .map_or(0, |c| c.clock().offset().num_seconds());
        // A lock read: the expiry of the credentials the cache loaded last.
        self.state.credentials_expire = self
            .client
            .as_ref()
            .and_then(|c| c.credentials().expiration());
        !self.events_rx.is_empty()
    }

    /// Waits (at most `timeout`) for a running change to finish, applying its events: called
    /// when the window closes, so a change already sent to OSS gets its read-back and its
    /// `done` line in the change log instead of being cut off by the runtime's shutdown.
    /// Returns whether nothing is left running.
    pub fn finish_changes(&mut self, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while self.state.batch_running() && std::time::Instant::now() < deadline {
            if !self.pump(usize::MAX) {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        !self.state.batch_running()
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Started { .. } => {
                self.state.apply(event);
                self.handle(Command::LoadHistory);
                if self.env.demo {
                    self.handle(Command::StartDemo);
                } else if let Some(name) = self.state.profiles.active.clone() {
                    self.handle(Command::SwitchProfile { name });
                }
            }
            Event::Connected {
                session,
                ref client,
                ..
            } => {
                if session == self.state.session {
                    self.client = Some(client.clone());
                }
                if self.state.apply(event) {
                    self.handle(Command::RefreshAll);
                    objects_tasks::list_jobs(
                        &self.worker,
                        self.state.session,
                        self.env.data_dir.clone(),
                    );
                }
            }
            Event::DemoStarted { ref profile } => {
                let profile = profile.clone();
                self.state.apply(event);
                self.save_config(self.state.profiles.clone());
                self.connect(profile);
            }
            Event::ProfilesSaved { ref switch_to, .. } => {
                let switch_to = switch_to.clone();
                self.state.apply(event);
                let active_gone = self
                    .state
                    .active
                    .as_ref()
                    .is_some_and(|a| self.state.profiles.get(&a.profile.name).is_none());
                if active_gone {
                    self.end_session();
                }
                if let Some(name) = switch_to.or_else(|| {
                    active_gone
                        .then(|| self.state.profiles.active.clone())
                        .flatten()
                }) {
                    self.handle(Command::SwitchProfile { name });
                }
            }
            Event::ReencryptProgressed {
                progress: crate::app::objects_job::JobProgress::Finished { .. },
                ..
            } => {
                // The change log has the job's lines now: History follows it.
                if self.state.apply(event) {
                    self.handle(Command::LoadHistory);
                }
            }
            Event::BatchFinished { .. } => {
                // The change log has the batch's lines now: History and undo follow it.
                if self.state.apply(event) {
                    self.handle(Command::LoadHistory);
                }
            }
            other => {
                let news = BucketNews::of(&other);
                let applied = self.state.apply(other);
                if let Some(news) = news {
                    self.after_bucket_news(news, applied);
                }
            }
        }
    }

    fn after_bucket_news(&mut self, news: BucketNews, applied: bool) {
        if applied && news.read {
            self.state.mark_read(&news.bucket, chrono::Utc::now());
        }
        if news.written && news.session == self.state.session {
            self.state.forget_info(&news.bucket);
        }
    }

    fn end_session(&mut self) {
        self.refresh_cancel.cancel();
        self.batch_cancel.cancel();
        self.objects_scan_cancel.cancel();
        self.preview_cancel.cancel();
        self.job_cancel.cancel();
        self.client = None;
        self.state.end_session();
    }

    pub fn handle(&mut self, command: Command) {
        match command {
            Command::RefreshAll => self.refresh_all(),
            Command::RefreshBucket { bucket } => {
                let Some(client) = self.client.clone() else {
                    return;
                };
                if let Some((request, bucket)) = self.state.begin_bucket_refresh(&bucket) {
                    self.worker
                        .refresh_bucket(client, self.state.session, request, bucket);
                }
            }
            Command::LoadBucketInfo { bucket } => {
                let Some(client) = self.client.clone() else {
                    return;
                };
                if let Some((request, bucket)) = self.state.begin_info(&bucket) {
                    self.worker
                        .load_info(client, self.state.session, request, bucket);
                }
            }
            Command::LoadRegionKeys { bucket } => {
                let Some(client) = self.client.clone() else {
                    return;
                };
                if let Some((request, bucket)) = self.state.begin_region_keys(&bucket) {
                    self.worker
                        .load_region_keys(client, self.state.session, request, bucket);
                }
            }
            Command::Change {
                buckets,
                change,
                undo_of,
            } => {
                let title = match undo_of {
                    Some(of) => format!("{change} (undo of {of})"),
                    None => change,
                };
                self.apply_change(buckets, title);
            }
            Command::LoadHistory => self
                .worker
                .load_history(changelog::log_path(&self.env.data_dir)),
            Command::CancelRefresh => {
                self.refresh_cancel.cancel();
                self.state.cancel_refresh();
            }
            Command::CancelBatch => self.batch_cancel.cancel(),
            Command::SwitchProfile { name } => self.switch_profile(&name),
            Command::SaveProfile {
                profile,
                secret,
                previous_name,
            } => self.save_profile(profile, secret, previous_name),
            Command::CheckProfile {
                id,
                profile,
                secret,
                previous_name,
            } => profile_check::check(
                &self.worker,
                profile_check::CheckTask {
                    id,
                    profile,
                    secret,
                    stored_under: previous_name,
                    config: self.state.profiles.clone(),
                    keystore: self.keystore.clone(),
                    sources: self.env.credential_sources.clone(),
                    timeout: self.env.request_timeout,
                },
            ),
            Command::DeleteProfile { name } => self.delete_profile(&name),
            Command::StartDemo => {
                if self.state.demo == Some(DemoStatus::Starting) {
                    return;
                }
                self.state.demo = Some(DemoStatus::Starting);
                demo::start(
                    self.worker.runtime(),
                    self.worker.events().clone(),
                    self.env.data_dir.clone(),
                    self.env.demo_tuning.clone(),
                    self.demo.clone(),
                );
            }
            Command::UseMemoryKeystore => {
                self.keystore = Arc::new(MemoryStore::default());
                self.state.keystore = Some(KeystoreStatus::Memory);
            }
            Command::Export {
                format,
                path,
                rows,
                overwrite,
            } => {
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
            Command::Import { path } => {
                self.state.import_path_needed = false;
                files::import(&self.worker, &self.env, &self.dialogs, path);
            }
            Command::ScanObjects { bucket, prefix } => {
                let Some(client) = self.client.clone() else {
                    return;
                };
                self.objects_scan_cancel.cancel();
                let Some((request, bucket)) =
                    self.state.begin_objects_scan(&bucket, prefix.clone())
                else {
                    return;
                };
                self.objects_scan_cancel = CancellationToken::new();
                let task = ObjectsScanTask {
                    session: self.state.session,
                    request,
                    bucket,
                    prefix,
                    cancel: self.objects_scan_cancel.clone(),
                };
                self.worker.scan_objects(client, task);
            }
            Command::CancelObjectsScan => {
                self.objects_scan_cancel.cancel();
                if let Some(scan) = self.state.objects_scan.as_mut() {
                    scan.cancel();
                }
            }
            Command::PreviewReencrypt { bucket, prefix } => {
                let Some(client) = self.client.clone() else {
                    return;
                };
                self.preview_cancel.cancel();
                let Some((request, bucket)) =
                    self.state.begin_reencrypt_preview(&bucket, prefix.clone())
                else {
                    return;
                };
                self.preview_cancel = CancellationToken::new();
                let task =
                    self.reencrypt_task(request, bucket, prefix, self.preview_cancel.clone());
                objects_tasks::preview(&self.worker, client, task);
            }
            Command::ClosePreview => {
                self.preview_cancel.cancel();
                self.state.objects_preview = None;
            }
            Command::StartReencrypt => {
                if self.client.is_none() {
                    return;
                }
                let started = self.state.begin_reencrypt();
                self.run_reencrypt(started);
            }
            Command::CancelReencrypt => {
                self.job_cancel.cancel();
                if let Some(job) = self.state.objects_job.as_mut() {
                    job.cancelling = true;
                    // A paused job is already stopped: Cancel just forgets the pause.
                    job.paused = false;
                }
            }
            Command::PauseReencrypt => {
                self.job_cancel.cancel();
                if let Some(job) = self.state.objects_job.as_mut().filter(|j| j.is_running()) {
                    job.pausing = true;
                }
            }
            Command::ResumeReencrypt => {
                let resumed = self.state.begin_resume();
                self.run_reencrypt(resumed.ok_or_else(|| "No paused job to resume.".to_owned()));
            }
            Command::ResumeInterrupted { job_id } => {
                let resumed = self.state.begin_resume_interrupted(&job_id);
                self.run_reencrypt(resumed);
            }
            Command::DismissExportExists => self.state.export_exists = None,
            Command::DismissNotice { index } => {
                if index < self.state.notices.len() {
                    self.state.notices.remove(index);
                }
            }
        }
    }

    /// Runs the job the state just began (new, resumed after a pause, or interrupted).
    fn run_reencrypt(
        &mut self,
        begun: Result<
            (
                crate::app::event::RequestId,
                crate::core::model::Bucket,
                String,
                crate::core::sse::SseRule,
            ),
            String,
        >,
    ) {
        let Some(client) = self.client.clone() else {
            return;
        };
        match begun {
            Ok((request, bucket, prefix, target)) => {
                self.job_cancel = CancellationToken::new();
                let task = self.reencrypt_task(request, bucket, prefix, self.job_cancel.clone());
                objects_tasks::run(&self.worker, client, task, target);
            }
            Err(reason) => self.state.notify(NoticeLevel::Error, reason),
        }
    }

    fn reencrypt_task(
        &self,
        request: crate::app::event::RequestId,
        bucket: crate::core::model::Bucket,
        prefix: String,
        cancel: CancellationToken,
    ) -> ReencryptTask {
        ReencryptTask {
            session: self.state.session,
            request,
            bucket,
            prefix,
            data_dir: self.env.data_dir.clone(),
            profile: self
                .state
                .active
                .as_ref()
                .map(|a| a.profile.name.clone())
                .unwrap_or_default(),
            concurrency: self.env.concurrency,
            preflight: self.env.preflight.clone(),
            cancel,
        }
    }

    fn refresh_all(&mut self) {
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
    fn apply_change(&mut self, buckets: Vec<(BucketName, ChangeRequest)>, title: String) {
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

    fn switch_profile(&mut self, name: &str) {
        let Some(profile) = self.state.profiles.get(name).cloned() else {
            self.state
                .notify(NoticeLevel::Error, format!("No profile named {name:?}."));
            return;
        };
        if profile.demo {
            // The demo endpoint changes at every start: (re)start the server first.
            self.handle(Command::StartDemo);
            return;
        }
        if self.state.profiles.active.as_deref() != Some(name) {
            let mut config = self.state.profiles.clone();
            config.active = Some(name.to_owned());
            self.state.profiles = config.clone();
            self.save_config(config);
        }
        self.connect(profile);
    }

    /// A new session for `profile`: fetch its secret off the UI thread, build the client.
    fn connect(&mut self, profile: Profile) {
        self.refresh_cancel.cancel();
        self.batch_cancel.cancel();
        self.objects_scan_cancel.cancel();
        self.preview_cancel.cancel();
        self.job_cancel.cancel();
        self.client = None;
        let session = self.state.begin_session(profile.clone());
        let task = ConnectTask {
            profile,
            config: self.state.profiles.clone(),
            session,
            keystore: self.keystore.clone(),
            sources: self.env.credential_sources.clone(),
            timeout: self.env.request_timeout,
        };
        profile_tasks::connect(&self.worker, task);
    }

    fn save_profile(
        &mut self,
        profile: Profile,
        secret: Option<ProfileSecret>,
        previous_name: Option<String>,
    ) {
        if let Err(error) = profile_tasks::check_profile(&profile) {
            self.state.notify(NoticeLevel::Error, error);
            return;
        }
        let needs_store = secret.is_some() && !profile.demo;
        if needs_store
            && !matches!(
                self.state.keystore,
                Some(KeystoreStatus::Available | KeystoreStatus::Memory)
            )
        {
            self.state.notify(
                NoticeLevel::Error,
                "No keyring is available to keep the secret: choose \"Keep secrets in memory\" first.",
            );
            return;
        }
        let mut config = self.state.profiles.clone();
        let renamed = previous_name.filter(|p| *p != profile.name);
        if let Some(old) = &renamed {
            config.remove(old);
        }
        let name = profile.name.clone();
        config.upsert(profile);
        if config.active.is_none() || config.active == renamed {
            config.active = Some(name.clone());
        }
        let task = SaveTask {
            keystore: self.keystore.clone(),
            path: self.env.config_path.clone(),
            config,
            name,
            secret,
            renamed,
        };
        profile_tasks::save(&self.worker, task);
    }

    fn delete_profile(&mut self, name: &str) {
        let mut config = self.state.profiles.clone();
        let Some(profile) = config.get(name).cloned() else {
            return;
        };
        config.remove(name);
        profile_tasks::delete(
            &self.worker,
            self.keystore.clone(),
            self.env.config_path.clone(),
            config,
            profile,
        );
    }

    fn save_config(&self, config: ProfileConfig) {
        profile_tasks::save_config(&self.worker, self.env.config_path.clone(), config);
    }

    pub fn keystore_description(&self) -> &'static str {
        self.keystore.describe()
    }
}

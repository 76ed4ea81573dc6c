//! `Controller`: runs commands from the views and applies events from tasks. It owns the
//! state, the active client and the cancellation tokens; it never blocks and never draws, so
//! the whole app can be driven without a window.

use std::sync::{Arc, mpsc};

use tokio_util::sync::CancellationToken;

use crate::app::changelog;
use crate::app::command::{Command, CommandSender};
use crate::app::config_writes::{ConfigFile, PendingConfigs};
use crate::app::demo::{self, DemoSlot};
use crate::app::environment::AppEnvironment;
use crate::app::event::{Event, EventSender};
use crate::app::files;
use crate::app::keystore::{Keystore, MemoryStore};
use crate::app::profile;
use crate::app::profile_check;
use crate::app::state::{AppState, DemoStatus, KeystoreStatus};
use crate::app::worker::Worker;
use crate::transport::OssClient;

mod accounts;
mod buckets;
mod events;
mod objects;
mod profiles;

pub struct Controller {
    pub state: AppState,
    env: AppEnvironment,
    keystore: Arc<dyn Keystore>,
    worker: Worker,
    events_rx: tokio::sync::mpsc::UnboundedReceiver<Event>,
    commands_rx: mpsc::Receiver<Command>,
    commands: CommandSender,
    client: Option<OssClient>,
    /// In an audit of several profiles: each connected profile's client, by profile name.
    account_clients: std::collections::HashMap<String, OssClient>,
    refresh_cancel: CancellationToken,
    batch_cancel: CancellationToken,
    objects_scan_cancel: CancellationToken,
    preview_cancel: CancellationToken,
    job_cancel: CancellationToken,
    demo: DemoSlot,
    /// Whether a file dialog ever returned a path this run (tells a cancel from no portal).
    dialogs: files::DialogHistory,
    /// The config file's one writer, and the versions asked of it not yet answered.
    config_file: Arc<ConfigFile>,
    config_writes: PendingConfigs,
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
            account_clients: std::collections::HashMap::new(),
            refresh_cancel: CancellationToken::new(),
            batch_cancel: CancellationToken::new(),
            objects_scan_cancel: CancellationToken::new(),
            preview_cancel: CancellationToken::new(),
            job_cancel: CancellationToken::new(),
            demo: DemoSlot::default(),
            dialogs: files::DialogHistory::default(),
            config_file: Arc::new(ConfigFile::new(env.config_path.clone())),
            config_writes: PendingConfigs::default(),
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
            // Kept as it is: the first save moves it aside (see `ConfigFile`).
            let config = profile::load(&path).map_err(|e| {
                format!(
                    "{e}\nossguard starts without its profiles and will not overwrite the file: \
                     the first save moves it to {}.unreadable-<UTC time>. To use it, fix it and \
                     restart ossguard.",
                    path.display()
                )
            });
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

    fn end_session(&mut self) {
        self.stop_session_work();
        self.state.end_session();
    }

    /// Cancels the session's running work and forgets its clients (a new session follows).
    fn stop_session_work(&mut self) {
        self.refresh_cancel.cancel();
        self.batch_cancel.cancel();
        self.objects_scan_cancel.cancel();
        self.preview_cancel.cancel();
        self.job_cancel.cancel();
        self.client = None;
        self.account_clients.clear();
    }

    pub fn handle(&mut self, command: Command) {
        match command {
            Command::RefreshAll => self.refresh_all(),
            Command::RefreshBucket { bucket } => {
                let Some(client) = self.client_for(bucket.profile.as_deref()) else {
                    return;
                };
                if let Some((request, bucket)) = self.state.begin_bucket_refresh(&bucket) {
                    self.worker
                        .refresh_bucket(client, self.state.session, request, bucket);
                }
            }
            Command::LoadBucketInfo { bucket } => {
                let Some(client) = self.client_for(bucket.profile.as_deref()) else {
                    return;
                };
                if let Some((request, bucket)) = self.state.begin_info(&bucket) {
                    self.worker
                        .load_info(client, self.state.session, request, bucket);
                }
            }
            Command::LoadRegionKeys { bucket } => {
                // Keys are cached by region: in an audit of several profiles two accounts'
                // keys of one region would mix, so the picker is not offered there.
                let Some(client) = self.client.clone().filter(|_| bucket.profile.is_none()) else {
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
            Command::AuditProfiles { names } => self.audit_profiles(&names),
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
            } => self.export(format, path, rows, overwrite),
            Command::Import { path } => {
                self.state.import_path_needed = false;
                files::import(&self.worker, &self.env, &self.dialogs, path);
            }
            command @ (Command::ScanObjects { .. }
            | Command::CancelObjectsScan
            | Command::PreviewReencrypt { .. }
            | Command::ClosePreview
            | Command::StartReencrypt
            | Command::CancelReencrypt
            | Command::PauseReencrypt
            | Command::ResumeReencrypt
            | Command::ResumeInterrupted { .. }) => self.handle_objects(command),
            Command::DismissExportExists => self.state.export_exists = None,
            Command::DismissNotice { index } => {
                if index < self.state.notices.len() {
                    self.state.notices.remove(index);
                }
            }
        }
    }

    pub fn keystore_description(&self) -> &'static str {
        self.keystore.describe()
    }
}

//! The profile commands: switch, connect, save, delete.

use super::Controller;
use crate::app::command::Command;
use crate::app::config_writes::ConfigVersion;
use crate::app::event::SessionId;
use crate::app::keystore::ProfileSecret;
use crate::app::profile::{Profile, ProfileConfig};
use crate::app::profile_tasks::{self, ConnectTask, SaveTask};
use crate::app::state::{KeystoreStatus, NoticeLevel};

impl Controller {
    pub(super) fn switch_profile(&mut self, name: &str) {
        let latest = self.config_writes.latest(&self.state.profiles);
        let Some(profile) = latest.get(name).cloned() else {
            self.state
                .notify(NoticeLevel::Error, format!("No profile named {name:?}."));
            return;
        };
        if profile.demo {
            // The demo endpoint changes at every start: (re)start the server first.
            self.handle(Command::StartDemo);
            return;
        }
        if latest.active.as_deref() != Some(name) {
            self.state.profiles.active = Some(name.to_owned());
            self.write_config(|config| config.active = Some(name.to_owned()));
        }
        self.connect(profile);
    }

    /// A new session for `profile`: fetch its secret off the UI thread, build the client.
    pub(super) fn connect(&mut self, profile: Profile) {
        self.stop_session_work();
        let session = self.state.begin_session(profile.clone());
        profile_tasks::connect(&self.worker, self.connect_task(profile, session));
    }

    /// Connecting `profile` in `session` with this run's keystore and credential sources.
    pub(super) fn connect_task(&self, profile: Profile, session: SessionId) -> ConnectTask {
        ConnectTask {
            profile,
            config: self.state.profiles.clone(),
            session,
            keystore: self.keystore.clone(),
            sources: self.env.credential_sources.clone(),
            timeout: self.env.request_timeout,
        }
    }

    pub(super) fn save_profile(
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
        let renamed = previous_name.filter(|p| *p != profile.name);
        let name = profile.name.clone();
        let (config, version) = self.next_config(|config| {
            if let Some(old) = &renamed {
                config.remove(old);
            }
            config.upsert(profile);
            if config.active.is_none() || config.active == renamed {
                config.active = Some(name.clone());
            }
        });
        let task = SaveTask {
            keystore: self.keystore.clone(),
            file: self.config_file.clone(),
            config,
            version,
            name,
            secret,
            renamed,
        };
        profile_tasks::save(&self.worker, task);
    }

    pub(super) fn delete_profile(&mut self, name: &str) {
        let latest = self.config_writes.latest(&self.state.profiles);
        let Some(profile) = latest.get(name).cloned() else {
            return;
        };
        let (config, version) = self.next_config(|config| config.remove(name));
        profile_tasks::delete(
            &self.worker,
            self.keystore.clone(),
            self.config_file.clone(),
            config,
            version,
            profile,
        );
    }

    /// Writes the newest config with `edit` applied (active profile, demo endpoint); only
    /// a failure is shown.
    pub(super) fn write_config(&mut self, edit: impl FnOnce(&mut ProfileConfig)) {
        let (config, version) = self.next_config(edit);
        profile_tasks::save_config(&self.worker, self.config_file.clone(), version, config);
    }

    /// The newest config asked for (else the saved one) with `edit` applied, recorded as on
    /// its way, and its version. Each edit builds on the one before even while that one is
    /// not written yet, so edits made in a row all reach the file.
    fn next_config(
        &mut self,
        edit: impl FnOnce(&mut ProfileConfig),
    ) -> (ProfileConfig, ConfigVersion) {
        let mut config = self.config_writes.latest(&self.state.profiles).clone();
        edit(&mut config);
        let version = self.config_writes.ask(config.clone());
        (config, version)
    }
}

#[cfg(test)]
#[path = "profiles_tests.rs"]
mod tests;

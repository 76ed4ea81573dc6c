//! Ordering the app's writes of `config.toml`. Saving, deleting and switching profiles and
//! starting the demo each write the whole config from the blocking pool, where tasks finish
//! in any order, and the user may make the next edit before the last one is written.
//!
//! The controller numbers each config it asks to write ([`ConfigVersion`]) and builds every
//! new one on the newest it asked for ([`PendingConfigs`]), so the newest holds every change;
//! [`ConfigFile`] never lets an older version replace a newer one on disk.
//!
//! A config file the app cannot read (a typo made by hand, a field of a newer version) is
//! never overwritten: before a write replaces it, it is moved aside to
//! `config.toml.unreadable-<UTC time>` and the user is told where. Chosen over refusing every
//! write until the file is fixed: it also loses nothing, and the app stays usable meanwhile.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::app::profile::{self, ProfileConfig};

/// Which of the controller's config writes a config is; later edits have higher versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigVersion(u64);

/// The app's one writer of the config file, shared by the blocking tasks.
#[derive(Debug)]
pub struct ConfigFile {
    path: PathBuf,
    /// The version on disk; held while writing, so writes also never overlap.
    written: Mutex<ConfigVersion>,
}

impl ConfigFile {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            written: Mutex::new(ConfigVersion::default()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `config` unless a newer version is on disk already (built on this one, it holds
    /// this change too). Blocks: call it from the blocking pool. Returns a notice when the
    /// file on disk could not be read and was moved aside first.
    pub fn write(
        &self,
        version: ConfigVersion,
        config: &ProfileConfig,
    ) -> Result<Option<String>, String> {
        // A panic while writing leaves at worst the old file (the write is atomic).
        let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        if version <= *written {
            return Ok(None);
        }
        let moved = self.move_aside_if_unreadable()?;
        profile::save(&self.path, config).map_err(|e| match &moved {
            Some(moved) => format!("{e}\n{moved}"),
            None => e.to_string(),
        })?;
        *written = version;
        Ok(moved)
    }

    /// Renames the file on disk to `<name>.unreadable-<UTC time>` (mode 0600) when it exists
    /// and does not load, so the write that follows replaces nothing the user had.
    fn move_aside_if_unreadable(&self) -> Result<Option<String>, String> {
        let problem = match profile::load(&self.path) {
            Ok(_) => return Ok(None),
            Err(e) => e.to_string(),
        };
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let named = |suffix: String| {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        let mut aside = named(format!(".unreadable-{stamp}"));
        let mut n = 1;
        while aside.exists() {
            n += 1;
            aside = named(format!(".unreadable-{stamp}-{n}"));
        }
        let fail = |e: std::io::Error| {
            format!(
                "Not saved: {problem}\nIt could not be moved aside to {}: {e}",
                aside.display()
            )
        };
        std::fs::rename(&self.path, &aside).map_err(fail)?;
        #[cfg(unix)]
        std::fs::set_permissions(&aside, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .map_err(fail)?;
        Ok(Some(format!(
            "{problem}\nIts content is kept in {}, so saving does not overwrite it.",
            aside.display()
        )))
    }
}

/// The controller's side: the configs it asked to write and has no answer for yet.
#[derive(Debug, Default)]
pub struct PendingConfigs {
    last: ConfigVersion,
    /// Oldest first.
    in_flight: Vec<(ConfigVersion, ProfileConfig)>,
}

impl PendingConfigs {
    /// What the next edit builds on: the newest config asked for, else `saved` (the one the
    /// app shows, as last written).
    pub fn latest<'a>(&'a self, saved: &'a ProfileConfig) -> &'a ProfileConfig {
        self.in_flight.last().map_or(saved, |(_, config)| config)
    }

    /// Records `config` as on its way to disk; the version to write it with.
    pub fn ask(&mut self, config: ProfileConfig) -> ConfigVersion {
        self.last = ConfigVersion(self.last.0 + 1);
        self.in_flight.push((self.last, config));
        self.last
    }

    /// `version` was answered, written or not. After a failure the next edit builds on the
    /// newest config still on its way, else on the saved one. (A newer write built on the
    /// failed one still carries its change: the file and the app then show it.)
    pub fn answered(&mut self, version: ConfigVersion) {
        self.in_flight.retain(|(v, _)| *v != version);
    }

    /// Whether every write asked for has been answered.
    pub fn settled(&self) -> bool {
        self.in_flight.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{ConfigFile, ConfigVersion, PendingConfigs};
    use crate::app::profile::{self, Profile, ProfileConfig};

    fn with(names: &[&str]) -> ProfileConfig {
        let mut config = ProfileConfig::default();
        for name in names {
            config.upsert(Profile::new(
                name,
                "http://127.0.0.1:9",
                "cn-hangzhou",
                "LTAI",
            ));
        }
        config
    }

    #[test]
    fn an_older_version_never_replaces_a_newer_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = ConfigFile::new(dir.path().join("config.toml"));
        let (v1, v2) = (ConfigVersion(1), ConfigVersion(2));
        file.write(v2, &with(&["a", "b"])).expect("v2");
        file.write(v1, &with(&["a"])).expect("v1 is no error");
        assert_eq!(profile::load(file.path()).expect("load"), with(&["a", "b"]));
    }

    #[test]
    fn edits_build_on_the_newest_config_asked_for() {
        let saved = with(&["old"]);
        let mut pending = PendingConfigs::default();
        assert_eq!(pending.latest(&saved), &saved);
        let v1 = pending.ask(with(&["old", "a"]));
        let v2 = pending.ask(with(&["old", "a", "b"]));
        assert!(v1 < v2);
        pending.answered(v2);
        assert_eq!(
            pending.latest(&saved),
            &with(&["old", "a"]),
            "v1 still on its way"
        );
        assert!(!pending.settled());
        pending.answered(v1);
        assert!(pending.settled());
        assert_eq!(pending.latest(&saved), &saved);
    }
}

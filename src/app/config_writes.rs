//! Ordering the app's writes of `config.toml`. Saving, deleting and switching profiles and
//! starting the demo each write the whole config from the blocking pool, where tasks finish
//! in any order, and the user may make the next edit before the last one is written.
//!
//! The controller numbers each config it asks to write ([`ConfigVersion`]) and builds every
//! new one on the newest it asked for ([`PendingConfigs`]), so the newest holds every change;
//! [`ConfigFile`] never lets an older version replace a newer one on disk.

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
    /// this change too). Blocks: call it from the blocking pool.
    pub fn write(&self, version: ConfigVersion, config: &ProfileConfig) -> Result<(), String> {
        // A panic while writing leaves at worst the old file (the write is atomic).
        let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        if version <= *written {
            return Ok(());
        }
        profile::save(&self.path, config).map_err(|e| e.to_string())?;
        *written = version;
        Ok(())
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

//! `AppEnvironment`: where the app keeps things and which services it uses. Production uses
//! the OS folders and keyring; tests point it at temp dirs and a [`MemoryStore`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::app::credential_source::SourceOptions;
use crate::app::keystore::{KeyringStore, Keystore, KeystoreError, MemoryStore};
use crate::app::profile;
use crate::transport::fanout::DEFAULT_CONCURRENCY;

/// A loopback address where nothing listens (the discard port): what tests' ECS roles ask.
pub const CLOSED_LOOPBACK_URL: &str = "http://127.0.0.1:9";

pub type DemoTuning = Arc<dyn Fn(&mut crate::devserver::DevServerConfig) + Send + Sync>;

pub type KeystoreProbe = Arc<dyn Fn() -> Result<(), KeystoreError> + Send + Sync>;

#[derive(Clone)]
pub struct AppEnvironment {
    pub config_path: PathBuf,
    /// Dev-server state (`devserver/`) lives here.
    pub data_dir: PathBuf,
    pub keystore: Arc<dyn Keystore>,
    /// Checks the keystore can be reached; runs once at start, off the UI thread.
    pub probe_keystore: KeystoreProbe,
    /// Open straight into the demo (`OSSGUARD_DEMO=1`).
    pub demo: bool,
    /// Adjusts the demo server before it starts: tests add latency (to cancel a refresh),
    /// clock skew or faults.
    pub demo_tuning: DemoTuning,
    /// GetBucketEncryption requests in flight during a refresh.
    pub concurrency: usize,
    pub request_timeout: Duration,
    /// Use rfd's dialogs; when false (tests), paths are typed into a field.
    pub file_dialogs: bool,
    /// The change engine's pre-flight check (see [`crate::app::change`]), if any.
    pub preflight: Option<Arc<dyn crate::app::change::Preflight>>,
    /// Where exports go by default, and what a typed relative path is relative to (never
    /// the process's working folder, which the user cannot see).
    pub export_dir: PathBuf,
    /// Where STS and the ECS metadata service are asked for role profiles.
    pub credential_sources: SourceOptions,
}

impl AppEnvironment {
    /// The OS config and data folders (or `OSSGUARD_CONFIG_DIR` / `OSSGUARD_DATA_DIR`), the OS
    /// keyring, and `OSSGUARD_DEMO=1` to open the demo.
    pub fn from_os() -> Self {
        let demo = std::env::var("OSSGUARD_DEMO").is_ok_and(|v| v == "1" || v == "true");
        Self {
            config_path: profile::default_config_path(),
            data_dir: profile::default_data_dir(),
            keystore: Arc::new(KeyringStore),
            probe_keystore: Arc::new(KeyringStore::probe),
            demo,
            demo_tuning: Arc::new(|_| {}),
            concurrency: DEFAULT_CONCURRENCY,
            request_timeout: Duration::from_secs(30),
            file_dialogs: true,
            preflight: Some(key_preflight()),
            export_dir: default_export_dir(),
            credential_sources: SourceOptions::from_env(),
        }
    }

    /// Config and data under `dir`, secrets in memory, no dialogs, the CMK pre-flight check:
    /// for tests.
    pub fn for_tests(dir: &std::path::Path) -> Self {
        let keystore = MemoryStore::default();
        Self::with_keystore(dir, Arc::new(keystore))
    }

    /// Config and data under `dir` with the given keystore, probed through `get`.
    pub fn with_keystore(dir: &std::path::Path, keystore: Arc<dyn Keystore>) -> Self {
        let probe_store = keystore.clone();
        Self {
            config_path: dir.join("config").join("config.toml"),
            data_dir: dir.join("data"),
            keystore,
            probe_keystore: Arc::new(move || probe_store.get("__ossguard_probe__").map(|_| ())),
            demo: false,
            demo_tuning: Arc::new(|_| {}),
            concurrency: DEFAULT_CONCURRENCY,
            request_timeout: Duration::from_secs(30),
            file_dialogs: false,
            preflight: Some(key_preflight()),
            export_dir: dir.join("exports"),
            // Tests never reach the real metadata address (it is not on this machine): an ECS
            // role asks a loopback port where nothing listens unless the test sets a stub.
            credential_sources: SourceOptions {
                sts_endpoint: None,
                ecs_metadata_url: Some(CLOSED_LOOPBACK_URL.to_owned()),
            },
        }
    }
}

/// The user's Documents folder, else their home folder.
fn default_export_dir() -> PathBuf {
    directories::UserDirs::new()
        .map(|dirs| {
            dirs.document_dir()
                .unwrap_or_else(|| dirs.home_dir())
                .to_path_buf()
        })
        .unwrap_or_else(std::env::temp_dir)
}

impl fmt::Debug for AppEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppEnvironment")
            .field("config_path", &self.config_path)
            .field("data_dir", &self.data_dir)
            .field("keystore", &self.keystore.describe())
            .field("demo", &self.demo)
            .field("concurrency", &self.concurrency)
            .field("file_dialogs", &self.file_dialogs)
            .field("export_dir", &self.export_dir)
            .finish_non_exhaustive()
    }
}

/// The CMK pre-flight check, with KMS where `OSS_KMS_ENDPOINT` says, else next to each
/// bucket's OSS endpoint.
fn key_preflight() -> Arc<dyn crate::app::change::Preflight> {
    Arc::new(crate::app::key_checks::KeyPreflight {
        explicit: crate::app::key_checks::kms_endpoint_from_env(),
    })
}

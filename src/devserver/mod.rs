//! A local OSS-compatible server for development, tests, demos and the SDK interop checks.
//!
//! It answers the calls ossguard uses (ListBuckets, bucket create/delete/info/location,
//! Put/Get/DeleteBucketEncryption, and the object calls that prove a rule works) the way real
//! OSS does: same status codes, error `Code`s and XML, both signature versions verified with the
//! same canonicalisation as the client ([`crate::core::sign`]), and one loopback port per region
//! so that region routing mistakes show up locally. State lives on disk under `--data`.
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | config, [`start`], [`run`] and the ready line |
//! | `args.rs` | the `ossguard devserver` flags |
//! | `server.rs` | one listener per region, shutdown |
//! | `connections.rs` | the accept loop: connection bound, idle and header deadlines |
//! | `faults.rs` | latency, fail rate (503 or a dropped connection) |
//! | `addressing.rs` | bucket and key from Host and path, query decoding, name checks |
//! | `routes.rs` | the request pipeline and dispatch by method + sub-resource |
//! | `auth.rs` | V1/V4 signature verification, STS, clock skew |
//! | [`sts_state`] | STS roles and the temporary credentials issued |
//! | `handlers/` | bucket, encryption and object operations |
//! | `rpc/` | RPC-style OpenAPI (KMS): recognition, V1/ACS3 signatures, nonces, JSON errors |
//! | `demo_keys.rs` | the demo's KMS keys and the buckets that name them |
//! | `store.rs` | on-disk state and its in-memory index |
//! | `errors.rs` | OSS error answers |
//! | `demo.rs` | demo buckets and the `--seed-buckets` pattern |
//! | `seed_objects.rs` | the demo's object mix and the `--seed-objects` pattern |
//! | `seed_keys.rs` | the `--seed-kms-keys` pattern |
mod addressing;
mod args;
mod auth;
pub mod connections;
pub mod demo;
pub mod demo_keys;
mod errors;
mod faults;
mod handlers;
mod routes;
mod rpc;
pub mod seed_keys;
pub mod seed_objects;
mod server;
mod store;
pub mod sts_state;

use std::fmt;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::ser::SerializeMap as _;
use tokio_util::sync::CancellationToken;

pub use args::DevServerArgs;
pub use connections::ConnectionLimits;

/// The access key the demo server accepts by default. Not a secret: it only opens the local
/// dev server.
pub const DEMO_ACCESS_KEY_ID: &str = "LTAI5tOssguardDemoKey";
/// The matching secret; public on purpose, never valid on real OSS.
pub const DEMO_ACCESS_KEY_SECRET: &str = "ossguard-demo-secret-not-for-production";

/// The account UID the server's AccessKey belongs to unless `--account-id` says otherwise.
pub const DEFAULT_ACCOUNT_ID: &str = "1234567890123456";

/// The four regions served by default, in this order.
pub const DEFAULT_REGIONS: [&str; 4] =
    ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"];

/// Everything the server needs to start. `Debug` never shows the secret or the STS token.
#[derive(Clone)]
pub struct DevServerConfig {
    /// Must be a loopback address: the server accepts a well-known demo key.
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// The first region is served on `listen`, each other one on its own port.
    pub regions: Vec<String>,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub demo: bool,
    pub latency: Duration,
    /// Probability in `0.0..=1.0` that a request fails (half 503, half a dropped connection).
    pub fail_rate: f64,
    /// The server's clock is the real clock plus this (for RequestTimeTooSkewed tests).
    pub clock_skew: chrono::Duration,
    /// When set, `STS.<access_key_id>` is accepted with this `x-oss-security-token`.
    pub sts_token: Option<String>,
    pub sts_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Buckets `seed-00001`.. created at start when the data dir holds none (see [`demo`]).
    pub seed_buckets: usize,
    /// Objects `obj/0000001`.. in bucket `seed-objects`, created with the buckets (see
    /// [`seed_objects`]).
    pub seed_objects: usize,
    /// Enabled KMS keys the seed buckets' CMK rules name (see [`seed_keys`]); created with
    /// the buckets, when the data dir holds no keys yet.
    pub seed_kms_keys: usize,
    /// The account UID of the server's AccessKey (bucket owner, GetCallerIdentity).
    pub account_id: String,
    /// Roles STS AssumeRole may issue credentials for (besides `sts-roles.json` in the data
    /// folder).
    pub sts_roles: Vec<sts_state::RoleDef>,
    /// Issued temporary credentials live at most this long (short values test expiry).
    pub sts_max_duration_seconds: Option<u32>,
    /// Connections at once, idle and body deadlines (see [`ConnectionLimits`]).
    pub connection_limits: ConnectionLimits,
}

impl DevServerConfig {
    /// Defaults: `127.0.0.1:0`, the four [`DEFAULT_REGIONS`], no demo data, no faults.
    pub fn new(data_dir: PathBuf, access_key_id: &str, access_key_secret: &str) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            regions: DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            access_key_id: access_key_id.to_owned(),
            access_key_secret: access_key_secret.to_owned(),
            demo: false,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            clock_skew: chrono::Duration::zero(),
            sts_token: None,
            sts_expires_at: None,
            seed_buckets: 0,
            seed_objects: 0,
            seed_kms_keys: 0,
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            sts_roles: Vec::new(),
            sts_max_duration_seconds: None,
            connection_limits: ConnectionLimits::default(),
        }
    }

    /// Refuses settings that would make the server unsafe or meaningless.
    fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.listen.ip().is_loopback(),
            "the dev server only listens on loopback addresses, not {}",
            self.listen.ip()
        );
        anyhow::ensure!(!self.regions.is_empty(), "at least one region is needed");
        for (i, region) in self.regions.iter().enumerate() {
            let ok = !region.is_empty()
                && region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            anyhow::ensure!(ok, "invalid region {region:?}");
            anyhow::ensure!(
                !self.regions[..i].contains(region),
                "region {region} listed twice"
            );
        }
        anyhow::ensure!(
            (0.0..=1.0).contains(&self.fail_rate),
            "fail rate must be between 0 and 1"
        );
        anyhow::ensure!(
            self.clock_skew.num_seconds().abs() <= args::MAX_CLOCK_SKEW_SECONDS,
            "clock skew must be at most ten years either way"
        );
        anyhow::ensure!(
            !self.access_key_id.trim().is_empty() && !self.access_key_secret.trim().is_empty(),
            "access key id and secret must not be empty"
        );
        anyhow::ensure!(
            !self.account_id.is_empty() && self.account_id.bytes().all(|b| b.is_ascii_digit()),
            "account id must be digits, not {:?}",
            self.account_id
        );
        anyhow::ensure!(
            self.sts_max_duration_seconds != Some(0),
            "--sts-max-duration-seconds must be at least 1"
        );
        Ok(())
    }
}

impl fmt::Debug for DevServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevServerConfig")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("regions", &self.regions)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("demo", &self.demo)
            .field("latency", &self.latency)
            .field("fail_rate", &self.fail_rate)
            .field("clock_skew", &self.clock_skew)
            .field("sts_token", &self.sts_token.as_ref().map(|_| "***"))
            .field("sts_expires_at", &self.sts_expires_at)
            .field("seed_buckets", &self.seed_buckets)
            .field("seed_objects", &self.seed_objects)
            .field("seed_kms_keys", &self.seed_kms_keys)
            .field("account_id", &self.account_id)
            .field("sts_roles", &self.sts_roles)
            .field("sts_max_duration_seconds", &self.sts_max_duration_seconds)
            .field("connection_limits", &self.connection_limits)
            .finish()
    }
}

/// Region -> base URL, in `--regions` order. Serialised as a JSON object that keeps that order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegionEndpoints(pub Vec<(String, String)>);

impl RegionEndpoints {
    pub fn get(&self, region: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(r, _)| r == region)
            .map(|(_, url)| url.as_str())
    }
}

impl serde::Serialize for RegionEndpoints {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (region, url) in &self.0 {
            map.serialize_entry(region, url)?;
        }
        map.end()
    }
}

/// What the ready line says: where to connect and with which key id (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReadyInfo {
    /// The first region's URL, which is also the service endpoint.
    pub endpoint: String,
    pub regions: RegionEndpoints,
    pub access_key_id: String,
}

impl ReadyInfo {
    /// The single JSON line `ossguard devserver` prints on stdout.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("plain strings serialise: {e}"))
    }
}

/// A running server. Dropping it stops the listeners; [`DevServer::shutdown`] also waits.
pub struct DevServer {
    pub ready: ReadyInfo,
    ports: Vec<(String, u16)>,
    cancel: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl DevServer {
    /// Stops accepting, lets in-flight requests finish (up to a few seconds), then returns.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        tracing::info!("dev server stopped");
    }

    /// The loopback port that serves `region`.
    pub fn region_port(&self, region: &str) -> Option<u16> {
        self.ports
            .iter()
            .find(|(r, _)| r == region)
            .map(|(_, port)| *port)
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl fmt::Debug for DevServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevServer")
            .field("ready", &self.ready)
            .finish_non_exhaustive()
    }
}

/// Opens the data dir (seeding it if asked and empty), binds one port per region and serves.
pub async fn start(config: DevServerConfig) -> anyhow::Result<DevServer> {
    config.validate()?;
    let running = server::launch(config).await?;
    Ok(DevServer {
        ready: running.ready,
        ports: running.ports,
        cancel: running.cancel,
        tasks: running.tasks,
    })
}

/// What `ossguard devserver` runs: start, print exactly one ready JSON line on stdout (flush),
/// then serve until SIGINT/SIGTERM. Logs go to stderr.
pub async fn run(args: DevServerArgs) -> anyhow::Result<()> {
    // main.rs may already have installed a subscriber; then this is a no-op.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let server = start(args.into_config()?).await?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", server.ready.to_line())?;
        stdout.flush()?;
    }
    wait_for_signal().await?;
    tracing::info!("signal received, shutting down");
    server.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> anyhow::Result<()> {
    tokio::signal::ctrl_c().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{DevServerConfig, ReadyInfo, RegionEndpoints};

    #[test]
    fn ready_line_keeps_region_order_and_hides_the_secret() {
        let ready = ReadyInfo {
            endpoint: "http://127.0.0.1:1".into(),
            regions: RegionEndpoints(vec![
                ("cn-shanghai".into(), "http://127.0.0.1:1".into()),
                ("cn-beijing".into(), "http://127.0.0.1:2".into()),
            ]),
            access_key_id: "ak".into(),
        };
        assert_eq!(
            ready.to_line(),
            r#"{"endpoint":"http://127.0.0.1:1","regions":{"cn-shanghai":"http://127.0.0.1:1","cn-beijing":"http://127.0.0.1:2"},"access_key_id":"ak"}"#
        );
        let mut config = DevServerConfig::new("/tmp/x".into(), "ak", "super-secret-value");
        config.sts_token = Some("token-value".into());
        let shown = format!("{config:?}");
        assert!(!shown.contains("super-secret-value") && !shown.contains("token-value"));
    }

    #[test]
    fn refuses_non_loopback_and_bad_settings() {
        let mut config = DevServerConfig::new("/tmp/x".into(), "ak", "sk");
        assert!(config.validate().is_ok());
        config.listen = "0.0.0.0:0".parse().expect("address");
        assert!(config.validate().is_err());
        config.listen = "[::1]:0".parse().expect("address");
        assert!(config.validate().is_ok());
        config.fail_rate = 1.5;
        assert!(config.validate().is_err());
        config.fail_rate = 0.0;
        config.regions = vec!["cn-hangzhou".into(), "cn-hangzhou".into()];
        assert!(config.validate().is_err());
    }
}

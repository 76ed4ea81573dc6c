//! Shared helpers for integration tests: an in-process dev server on port 0, clients for
//! it, and unique bucket names so tests can share one server.
#![allow(dead_code)]

pub mod mock;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::devserver::{self, DevServer, DevServerConfig};
use ossguard::transport::client::{CallRecord, OssClient};
use ossguard::transport::{ClientConfig, Endpoint};

pub const AK: &str = "LTAI5tTestKey000000000";
pub const SK: &str = "test-secret-never-logged-7f3c9a";

/// A running dev server and the temp dir holding its state.
pub struct TestServer {
    pub server: DevServer,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start(configure: impl FnOnce(&mut DevServerConfig)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = DevServerConfig::new(dir.path().join("data"), AK, SK);
        configure(&mut config);
        let server = devserver::start(config).await.expect("dev server starts");
        Self { server, dir }
    }

    pub fn endpoint(&self) -> &str {
        &self.server.ready.endpoint
    }

    pub fn region_url(&self, region: &str) -> String {
        self.server
            .ready
            .regions
            .get(region)
            .expect("region served")
            .to_owned()
    }

    /// A client on the service endpoint (cn-hangzhou) with the right key.
    pub fn client(&self, version: SignatureVersion) -> OssClient {
        client_for(
            self.endpoint(),
            "cn-hangzhou",
            version,
            Credentials::new(AK, SK),
        )
    }
}

pub fn client_for(
    endpoint: &str,
    region: &str,
    version: SignatureVersion,
    credentials: Credentials,
) -> OssClient {
    let mut config = ClientConfig::new(Endpoint::parse(endpoint).expect("endpoint"), region);
    config.signature_version = version;
    OssClient::new(config, credentials).expect("client")
}

/// Records every attempt a client makes.
#[derive(Clone, Default)]
pub struct Calls(pub Arc<Mutex<Vec<CallRecord>>>);

impl Calls {
    pub fn attach(&self, client: OssClient) -> OssClient {
        let calls = self.0.clone();
        client.with_observer(Arc::new(move |record| {
            if let Ok(mut calls) = calls.lock() {
                calls.push(record);
            }
        }))
    }

    pub fn snapshot(&self) -> Vec<CallRecord> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Every rule ossguard can set: each valid algorithm, key and SM4 combination, with CMKs
/// that do not exist (OSS accepts any key ID on PUT).
pub fn every_rule_kind() -> Vec<ossguard::core::sse::SseRule> {
    use ossguard::app::change::{Algorithm, RuleSpec};
    let keys = [
        None,
        Some("9468da86-3509-4f8d-a61e-6eab1eac0001"),
        Some("key-doesnotexist0000"),
    ];
    let mut rules = Vec::new();
    for algorithm in Algorithm::ALL {
        for key in keys {
            for sm4_data in [false, true] {
                let spec = RuleSpec {
                    algorithm,
                    kms_key_id: key.map(str::to_owned),
                    sm4_data,
                };
                if let Ok(rule) = spec.build(&[])
                    && !rules.contains(&rule)
                {
                    rules.push(rule);
                }
            }
        }
    }
    rules
}

/// A bucket name no other test uses.
pub fn unique_bucket(purpose: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("t{}-{purpose}-{n}", std::process::id())
}

/// Creates a bucket in `region` through that region's port.
pub async fn create_bucket(server: &TestServer, client: &OssClient, name: &str, region: &str) {
    use ossguard::core::ops::{self, Action};
    use ossguard::transport::Target;
    let url = server.region_url(region);
    let host = url.trim_start_matches("http://").to_owned();
    client
        .send(
            Action::PutBucket,
            &ops::bucket::create(name),
            &Target::Bucket {
                host,
                region: region.to_owned(),
            },
        )
        .await
        .expect("bucket created");
}

/// `ossguard devserver` running as a real process, with its parsed ready line.
pub struct DevServerProcess {
    pub child: std::process::Child,
    pub ready_line: String,
    pub ready: serde_json::Value,
    pub dir: tempfile::TempDir,
}

impl DevServerProcess {
    /// Starts the binary with `args` (after `devserver --data <tmp>`), waits for the ready line.
    pub fn start(args: &[&str]) -> Self {
        Self::start_in(tempfile::tempdir().expect("tempdir"), args)
    }

    /// Starts with `keys` (the dev server's `kms-keys.json`) in its data folder.
    pub fn start_with_kms(keys: &serde_json::Value, args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
        std::fs::write(
            dir.path().join("data/kms-keys.json"),
            serde_json::to_vec(keys).expect("json"),
        )
        .expect("keys written");
        Self::start_in(dir, args)
    }

    /// Starts on the state under `dir/data` (a restart when a server ran there before).
    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Self {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ossguard"))
            .arg("devserver")
            .arg("--data")
            .arg(dir.path().join("data"))
            .args(args)
            .env("OSS_ACCESS_KEY_ID", AK)
            .env("OSS_ACCESS_KEY_SECRET", SK)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dev server binary starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut ready_line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut ready_line)
            .expect("ready line");
        let ready: serde_json::Value =
            serde_json::from_str(ready_line.trim()).expect("ready line is JSON");
        Self {
            child,
            ready_line: ready_line.trim().to_owned(),
            ready,
            dir,
        }
    }

    pub fn endpoint(&self) -> String {
        self.ready["endpoint"]
            .as_str()
            .expect("endpoint")
            .to_owned()
    }
}

impl Drop for DevServerProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl DevServerProcess {
    /// SIGKILLs the server and hands back its state directory.
    pub fn kill(mut self) -> tempfile::TempDir {
        self.child.kill().ok();
        self.child.wait().ok();
        let dir = tempfile::tempdir().expect("tempdir");
        std::mem::replace(&mut self.dir, dir)
    }
}

/// An Enabled AES key of `region` for the dev server's `kms-keys.json`.
pub fn enabled_key(region: &str, id: &str) -> serde_json::Value {
    serde_json::json!({
        "region": region,
        "metadata": {
            "KeyId": id,
            "Arn": format!("acs:kms:{region}:1234567890123456:key/{id}"),
            "KeyState": "Enabled",
            "KeySpec": "Aliyun_AES_256",
            "KeyUsage": "ENCRYPT/DECRYPT",
            "Origin": "Aliyun_KMS",
            "ProtectionLevel": "SOFTWARE",
        },
        "aliases": [],
    })
}

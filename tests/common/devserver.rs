//! Helpers for the `devserver_*` tests: an in-process dev server on port 0 with a temp data
//! dir, and raw reqwest requests signed with `core::sign` (no transport layer in between, so
//! these tests pin the server's wire behaviour). Included with `#[path]`, independent of
//! `common/mod.rs`.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use ossguard::core::ops;
use ossguard::core::request::OssRequest;
use ossguard::core::sign::canonical::{encode_component, encode_path};
use ossguard::core::sign::{self, Credentials, SignatureVersion};
use ossguard::core::xml::error::ErrorDoc;
use ossguard::devserver::{self, DevServer, DevServerConfig};

pub const AK: &str = "LTAI5tDevserverTest01";
pub const SK: &str = "devserver-test-secret-3b9f";
pub const HZ: &str = "cn-hangzhou";
pub const SH: &str = "cn-shanghai";

/// A running server, its data dir, and an HTTP client without proxies.
pub struct Harness {
    pub server: DevServer,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// One answer, read completely.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `<Error>` document (from the body, or from `x-oss-err` for HEAD).
    pub fn error(&self) -> ErrorDoc {
        let xml = match self.header("x-oss-err") {
            Some(encoded) => {
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .expect("x-oss-err is base64");
                String::from_utf8(bytes).expect("utf8")
            }
            None => self.body.clone(),
        };
        ossguard::core::xml::error::parse(&xml)
            .unwrap_or_else(|e| panic!("not an error document ({e}): {xml}"))
    }

    /// The text of one element of the error document, read raw: the client's `ErrorDoc`
    /// deliberately never keeps `StringToSign` and its kin (they hold the STS token).
    pub fn element(&self, name: &str) -> Option<String> {
        let open = format!("<{name}>");
        let start = self.body.find(&open)? + open.len();
        let end = self.body[start..].find(&format!("</{name}>"))? + start;
        Some(
            self.body[start..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        )
    }

    /// Status and Code, the pair tests assert on.
    pub fn status_code(&self) -> (u16, String) {
        (self.status, self.error().code)
    }
}

pub fn config(dir: &std::path::Path) -> DevServerConfig {
    DevServerConfig::new(dir.join("data"), AK, SK)
}

/// A temp dir under Cargo's target tmp dir (file creation in some `/tmp`s is 10x slower,
/// which matters when seeding thousands of buckets).
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("devserver-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("tempdir")
}

impl Harness {
    pub async fn start(configure: impl FnOnce(&mut DevServerConfig)) -> Self {
        let dir = tempdir();
        let mut config = config(dir.path());
        configure(&mut config);
        let server = devserver::start(config).await.expect("dev server starts");
        Self {
            server,
            dir,
            http: http_client(),
        }
    }

    /// A server with bucket `auth-hz` in cn-hangzhou and `auth-sh` in cn-shanghai.
    pub async fn with_buckets(configure: impl FnOnce(&mut DevServerConfig)) -> Self {
        let h = Self::start(configure).await;
        for (region, name) in [(HZ, "auth-hz"), (SH, "auth-sh")] {
            let answer = h
                .send(region, ops::bucket::create(name), SignatureVersion::V4)
                .await;
            assert_eq!(answer.status, 200, "{answer:?}");
        }
        h
    }

    pub fn base_url(&self, region: &str) -> String {
        self.server
            .ready
            .regions
            .get(region)
            .expect("region served")
            .to_owned()
    }

    pub fn creds(&self) -> Credentials {
        Credentials::new(AK, SK)
    }

    /// Signs `req` for the region of the port it goes to, now, and sends it path-style.
    pub async fn send(&self, region: &str, req: OssRequest, version: SignatureVersion) -> Answer {
        self.send_as(region, region, req, version, &self.creds(), Utc::now())
            .await
    }

    /// Signed now with `creds` for cn-hangzhou and sent to its port.
    pub async fn send_with(
        &self,
        req: OssRequest,
        version: SignatureVersion,
        creds: &Credentials,
    ) -> Answer {
        self.send_as(HZ, HZ, req, version, creds, Utc::now()).await
    }

    /// Full control: the port's region, the V4 scope region, credentials and signing time.
    pub async fn send_as(
        &self,
        port_region: &str,
        scope_region: &str,
        mut req: OssRequest,
        version: SignatureVersion,
        creds: &Credentials,
        now: DateTime<Utc>,
    ) -> Answer {
        sign::sign(&mut req, version, creds, scope_region, now);
        self.send_raw(port_region, &req, None)
            .await
            .expect("request answered")
    }

    /// Sends an already signed request. With `host`, it goes virtual-hosted style: that Host
    /// header and the key alone as the path (what ali-oss does with an IP endpoint).
    pub async fn send_raw(
        &self,
        port_region: &str,
        req: &OssRequest,
        host: Option<&str>,
    ) -> Result<Answer, reqwest::Error> {
        send_raw(&self.http, &self.base_url(port_region), req, host).await
    }
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client")
}

pub async fn send_raw(
    http: &reqwest::Client,
    base_url: &str,
    req: &OssRequest,
    host: Option<&str>,
) -> Result<Answer, reqwest::Error> {
    let path = match (host, req.bucket.as_deref(), req.key.as_deref()) {
        (Some(_), _, key) => format!("/{}", encode_path(key.unwrap_or_default())),
        (None, None, _) => "/".to_owned(),
        (None, Some(bucket), None) => format!("/{bucket}/"),
        (None, Some(bucket), Some(key)) => format!("/{bucket}/{}", encode_path(key)),
    };
    let query: Vec<String> = req
        .query
        .iter()
        .map(|(n, v)| {
            if v.is_empty() {
                encode_component(n)
            } else {
                format!("{}={}", encode_component(n), encode_component(v))
            }
        })
        .collect();
    let mut url = format!("{base_url}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes()).expect("method");
    let mut builder = http.request(method, url);
    for (name, value) in &req.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(host) = host {
        builder = builder.header("host", host);
    }
    let response = builder.body(req.body.clone()).send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Both signature versions, for tests that must pass with each.
pub const VERSIONS: [SignatureVersion; 2] = [SignatureVersion::V4, SignatureVersion::V1];

/// A KMS key for `kms-keys.json` (the dev server's key file).
pub fn kms_key(region: &str, id: &str, state: &str, aliases: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "region": region,
        "metadata": {
            "KeyId": id,
            "Arn": format!("acs:kms:{region}:1234567890123456:key/{id}"),
            "KeyState": state,
            "KeySpec": "Aliyun_AES_256",
            "KeyUsage": "ENCRYPT/DECRYPT",
            "Origin": "Aliyun_KMS",
            "ProtectionLevel": "SOFTWARE",
            "Creator": "1234567890123456",
            "CreationDate": "2024-05-20T08:00:00Z",
            "Description": ""
        },
        "aliases": aliases,
    })
}

/// Writes the dev server's KMS key file into `config`'s data dir (before it starts).
pub fn write_kms(config: &DevServerConfig, data: &serde_json::Value) {
    std::fs::create_dir_all(&config.data_dir).expect("data dir");
    std::fs::write(
        config.data_dir.join("kms-keys.json"),
        serde_json::to_vec(data).expect("json"),
    )
    .expect("write keys");
}

/// An RPC answer: status and JSON body.
#[derive(Debug)]
pub struct RpcAnswer {
    pub status: u16,
    pub json: serde_json::Value,
}

impl RpcAnswer {
    pub fn code(&self) -> &str {
        self.json["Code"].as_str().unwrap_or("")
    }
}

impl Harness {
    /// A V1-signed KMS call sent now to `region`'s port (POST form body, fresh nonce).
    pub async fn kms(&self, region: &str, call: &ossguard::core::sign::rpc::RpcCall) -> RpcAnswer {
        let nonce = format!("n-{}", rand_nonce());
        self.rpc_v1(region, "POST", call, &self.creds(), Utc::now(), &nonce)
            .await
    }

    /// A V1-signed RPC call with full control over method, credentials, time and nonce.
    pub async fn rpc_v1(
        &self,
        region: &str,
        method: &str,
        call: &ossguard::core::sign::rpc::RpcCall,
        creds: &Credentials,
        now: DateTime<Utc>,
        nonce: &str,
    ) -> RpcAnswer {
        use ossguard::core::sign::rpc;
        let params = rpc::sign_v1(method, call, creds, now, nonce);
        self.rpc_raw(region, method, &rpc::encode_params(&params), &[])
            .await
    }

    /// Sends `encoded` parameters as a form body (POST) or the query (GET), with extra headers.
    pub async fn rpc_raw(
        &self,
        region: &str,
        method: &str,
        encoded: &str,
        headers: &[(&str, String)],
    ) -> RpcAnswer {
        let base = format!("{}/", self.base_url(region));
        let mut builder = if method == "GET" {
            self.http.get(format!("{base}?{encoded}"))
        } else {
            self.http
                .post(base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encoded.to_owned())
        };
        for (name, value) in headers {
            builder = builder.header(*name, value.as_str());
        }
        let response = builder.send().await.expect("answered");
        let status = response.status().as_u16();
        let body = response.text().await.expect("body");
        let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
        RpcAnswer { status, json }
    }
}

/// A nonce nobody else uses.
pub fn rand_nonce() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

//! `OssClient`: signs, sends, retries and classifies every OSS call ossguard makes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{DateTime, Utc};

use crate::core::model::{Bucket, public_endpoint_for_region};
use crate::core::ops::Action;
use crate::core::request::{Method, OssRequest};
use crate::core::sign::{self, Credentials, SignatureVersion};

use super::clock::Clock;
use super::credentials::{CredentialCache, CredentialProvider};
use super::endpoint::Endpoint;
use super::error::{OssError, ServiceError};
use super::paginate::ListingLimits;
use super::retry::{RetryPolicy, is_retryable};

/// Largest answer body ossguard reads; OSS's answers to its calls are a few KiB, a 1,000-bucket
/// page about 400 KiB. Anything bigger is refused rather than buffered.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// How a client talks to OSS. Secrets live in [`Credentials`], not here.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The profile's endpoint: ListBuckets goes here, and its scheme is used for every bucket.
    pub endpoint: Endpoint,
    /// The profile's region ID (V4 scope for ListBuckets).
    pub region: String,
    pub signature_version: SignatureVersion,
    /// Per-attempt time limit for a whole call, connect to last byte.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    /// Send bucket calls to each bucket's IntranetEndpoint instead of its ExtranetEndpoint.
    pub internal_endpoints: bool,
    /// Accept https bucket endpoints outside the profile endpoint's domain and aliyuncs.com
    /// (see [`Endpoint::for_bucket`]); off unless the profile or flag opts in.
    pub allow_foreign_bucket_endpoints: bool,
    /// Where a ListBuckets listing gives up (see [`ListingLimits`]).
    pub listing_limits: ListingLimits,
}

impl ClientConfig {
    pub fn new(endpoint: Endpoint, region: &str) -> Self {
        Self {
            endpoint,
            region: region.to_owned(),
            signature_version: SignatureVersion::V4,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            internal_endpoints: false,
            allow_foreign_bucket_endpoints: false,
            listing_limits: ListingLimits::DEFAULT,
        }
    }
}

/// One finished attempt, for the activity log. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub time: DateTime<Utc>,
    pub action: Action,
    pub bucket: Option<String>,
    pub attempt: u32,
    /// `OK`, or the error code.
    pub outcome: String,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub elapsed: Duration,
}

pub type CallObserver = Arc<dyn Fn(CallRecord) + Send + Sync>;

/// Where a request is sent and which region signs it.
#[derive(Debug, Clone)]
pub enum Target {
    /// The profile's endpoint and region (ListBuckets).
    Service,
    /// A bucket's own endpoint host and region.
    Bucket { host: String, region: String },
}

impl Target {
    /// The bucket's own endpoint: its ExtranetEndpoint, or with `internal` (ossguard running
    /// on ECS in the bucket's region, where only the VPC endpoint is reachable) its
    /// IntranetEndpoint. An empty endpoint falls back to the region's public one.
    pub fn for_bucket(bucket: &Bucket, internal: bool) -> Self {
        let listed = if internal {
            &bucket.intranet_endpoint
        } else {
            &bucket.extranet_endpoint
        };
        let host = if listed.trim().is_empty() {
            public_endpoint_for_region(&bucket.region)
        } else {
            listed.clone()
        };
        Self::Bucket {
            host,
            region: bucket.region.clone(),
        }
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl RawResponse {
    pub fn request_id(&self) -> Option<String> {
        header_string(&self.headers, "x-oss-request-id")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        header_string(&self.headers, name)
    }
}

/// Credentials whose key ID or token cannot travel in a header are refused before sending
/// (fixed ones when the client is built, provided ones at each use).
fn check_header_safe(credentials: &Credentials) -> Result<(), OssError> {
    credentials
        .check_header_safe()
        .map_err(|e| OssError::Config(e.to_string()))
}

fn header_string(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Cheap to clone: clones share the connection pool, the clock offset and the observer.
#[derive(Clone)]
pub struct OssClient {
    http: reqwest::Client,
    config: Arc<ClientConfig>,
    credentials: CredentialCache,
    clock: Clock,
    observer: Option<CallObserver>,
}

impl std::fmt::Debug for OssClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OssClient")
            .field("endpoint", &self.config.endpoint.url())
            .field("region", &self.config.region)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl OssClient {
    /// A client signing with fixed credentials.
    pub fn new(config: ClientConfig, credentials: Credentials) -> Result<Self, OssError> {
        check_header_safe(&credentials)?;
        Self::with_credentials(config, CredentialCache::fixed(credentials))
    }

    /// A client whose credentials come from `provider` (renewed before they expire).
    pub fn with_provider(
        config: ClientConfig,
        provider: Arc<dyn CredentialProvider>,
    ) -> Result<Self, OssError> {
        Self::with_credentials(config, CredentialCache::new(provider))
    }

    /// A client sharing `credentials` with other clients (the KMS client of one profile).
    pub fn with_credentials(
        config: ClientConfig,
        credentials: CredentialCache,
    ) -> Result<Self, OssError> {
        config.endpoint.require_secure()?;
        let http = config
            .endpoint
            .http_client_builder()
            .connect_timeout(config.connect_timeout)
            .pool_max_idle_per_host(64)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ossguard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OssError::Config(format!("cannot build HTTP client: {e}")))?;
        Ok(Self {
            http,
            config: Arc::new(config),
            credentials,
            clock: Clock::default(),
            observer: None,
        })
    }

    pub fn with_observer(mut self, observer: CallObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The AccessKey ID requests are signed with (not a secret); empty before the first load.
    pub fn access_key_id(&self) -> String {
        self.credentials.access_key_id().unwrap_or_default()
    }

    /// The credential cache, to share with the profile's other clients.
    pub fn credentials(&self) -> &CredentialCache {
        &self.credentials
    }

    /// Where `bucket`'s calls go under this client's settings.
    pub fn target_for(&self, bucket: &Bucket) -> Target {
        Target::for_bucket(bucket, self.config.internal_endpoints)
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// What an RPC client (KMS, STS) shares with this one: the connection pool, the
    /// credentials and the learned clock offset.
    pub(super) fn shared_parts(&self) -> (reqwest::Client, CredentialCache) {
        (self.http.clone(), self.credentials.clone())
    }

    /// The activity observer, shared with the KMS calls made on this client's behalf.
    pub(super) fn observer(&self) -> Option<CallObserver> {
        self.observer.clone()
    }

    /// Signs and sends `req`, retrying per the policy. Each attempt is signed afresh with the
    /// (skew-corrected) time and the current credentials; an answer saying the temporary
    /// credentials expired renews them and tries once more (not counted as a retry).
    pub async fn send(
        &self,
        action: Action,
        req: &OssRequest,
        target: &Target,
    ) -> Result<RawResponse, OssError> {
        let (endpoint, region) = match target {
            Target::Service => (self.config.endpoint.clone(), self.config.region.as_str()),
            Target::Bucket { host, region } => (
                self.config
                    .endpoint
                    .for_bucket(host, self.config.allow_foreign_bucket_endpoints)?,
                region.as_str(),
            ),
        };
        endpoint.require_secure()?;
        let policy = self.config.retry;
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            let credentials = self.credentials.get().await?;
            check_header_safe(&credentials)?;
            let mut signed = req.clone();
            let (now, signing_offset) = self.clock.now();
            sign::sign(
                &mut signed,
                self.config.signature_version,
                &credentials,
                region,
                now,
            );
            let started = Instant::now();
            let result = self.send_once(action, &endpoint, &signed).await;
            self.observe(action, req, attempt, started, &result);
            let error = match result {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if let OssError::Service(e) = &error
                && e.doc.code == "RequestTimeTooSkewed"
                && let Some(offset) = self.clock.learn(&e.doc, signing_offset)
            {
                tracing::warn!(
                    offset_seconds = offset.num_seconds(),
                    "clock skew corrected"
                );
            }
            if !renewed
                && error.code() == "SecurityTokenExpired"
                && self.credentials.renew_after_expiry(&credentials).await?
            {
                renewed = true;
                attempt -= 1;
                continue;
            }
            if attempt >= policy.max_attempts || !is_retryable(&error, req.method.is_idempotent()) {
                return Err(error);
            }
            tokio::time::sleep(policy.delay(attempt - 1)).await;
        }
    }

    fn observe(
        &self,
        action: Action,
        req: &OssRequest,
        attempt: u32,
        started: Instant,
        result: &Result<RawResponse, OssError>,
    ) {
        let Some(observer) = &self.observer else {
            return;
        };
        let (outcome, status, request_id) = match result {
            Ok(r) => ("OK".to_owned(), Some(r.status), r.request_id()),
            Err(e) => (
                e.code().to_owned(),
                e.status(),
                e.request_id().map(str::to_owned),
            ),
        };
        observer(CallRecord {
            time: Utc::now(),
            action,
            bucket: req.bucket.clone(),
            attempt,
            outcome,
            status,
            request_id,
            elapsed: started.elapsed(),
        });
    }

    async fn send_once(
        &self,
        action: Action,
        endpoint: &Endpoint,
        req: &OssRequest,
    ) -> Result<RawResponse, OssError> {
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
        };
        let mut builder = self
            .http
            .request(method, endpoint.url_for(req))
            .timeout(self.config.timeout);
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !req.body.is_empty() || matches!(req.method, Method::Put | Method::Post) {
            builder = builder.body(req.body.clone());
        }
        let timeout = self.config.timeout;
        let response = builder.send().await.map_err(|e| classify(&e, timeout))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let Some(body) = read_capped(response)
            .await
            .map_err(|e| classify(&e, timeout))?
        else {
            return Err(OssError::Response {
                action,
                detail: format!("answer larger than {MAX_BODY_BYTES} bytes"),
            });
        };
        if (200..300).contains(&status) {
            return Ok(RawResponse {
                status,
                headers,
                body,
            });
        }
        let request_id = header_string(&headers, "x-oss-request-id");
        let error_xml = if req.method == Method::Head {
            header_string(&headers, "x-oss-err")
                .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        } else {
            Some(body)
        };
        match error_xml.and_then(|xml| crate::core::xml::error::parse(&xml).ok()) {
            Some(mut doc) => {
                if doc.request_id.is_empty() {
                    doc.request_id = request_id.unwrap_or_default();
                }
                Err(OssError::Service(Box::new(ServiceError {
                    status,
                    action,
                    doc,
                })))
            }
            None => Err(OssError::Status {
                status,
                action,
                request_id,
            }),
        }
    }
}

/// The body as text, or `None` when it is larger than [`MAX_BODY_BYTES`].
pub(super) async fn read_capped(
    mut response: reqwest::Response,
) -> Result<Option<String>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(String::from_utf8_lossy(&body).into_owned()))
}

/// A failure without an answer, by what really happened (timeout, refused, reset).
pub(super) fn classify(error: &reqwest::Error, timeout: Duration) -> OssError {
    // The source chain says what really happened (refused, reset); reqwest's own
    // message alone is only "error sending request".
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_timeout() {
        OssError::Timeout(timeout)
    } else if error.is_connect() {
        OssError::Connect(detail)
    } else {
        OssError::Network(detail)
    }
}

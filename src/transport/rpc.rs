//! `RpcClient`: calls an RPC-style OpenAPI service (KMS, STS) the way the official SDKs do:
//! signature V1 over every parameter, a fresh `SignatureNonce` per attempt, POST with a form
//! body (or GET with a query), the OSS client's retry policy and clock offset, and a typed
//! error for anything that is not the service's JSON, never a panic.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::core::rpc::{RpcApi, RpcErrorDoc, error_hint, parse_error};
use crate::core::sign::Credentials;
use crate::core::sign::rpc::{RpcCall, encode_params, sign_v1};

use super::client::{CallObserver, CallRecord, MAX_BODY_BYTES, OssClient, classify, read_capped};
use super::clock::Clock;
use super::credentials::{CredentialCache, CredentialError};
use super::endpoint::Endpoint;
use super::error::OssError;
use super::retry::{RetryPolicy, is_retryable_status};
use crate::core::ops::Action;

/// How parameters travel; both are signed the same way, with the method in the string to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RpcMethod {
    /// Parameters in an `application/x-www-form-urlencoded` body (what the SDKs send).
    #[default]
    Post,
    /// Parameters in the query string.
    Get,
}

impl RpcMethod {
    fn as_str(self) -> &'static str {
        match self {
            Self::Post => "POST",
            Self::Get => "GET",
        }
    }
}

/// The service answered with its JSON error document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcServiceError {
    pub api: RpcApi,
    pub action: String,
    pub status: u16,
    pub doc: RpcErrorDoc,
}

/// Everything an RPC call can end in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    #[error("{}: {} (request id {})", .0.doc.code, .0.doc.message, .0.doc.request_id)]
    Service(Box<RpcServiceError>),
    /// A non-2xx answer that is not the service's JSON (a proxy page, an OSS endpoint).
    #[error("HTTP {status} from {action} without a {} JSON error document", .api.product)]
    Status {
        api: RpcApi,
        action: String,
        status: u16,
    },
    /// A 2xx answer that is not the JSON the action returns.
    #[error("unreadable answer to {action}: {detail}")]
    Response {
        api: RpcApi,
        action: String,
        detail: String,
    },
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("network error: {0}")]
    Network(String),
    /// A local refusal before anything was sent (plain http to a remote host).
    #[error("{0}")]
    Config(String),
    /// No credentials to sign with (the provider failed).
    #[error(transparent)]
    Credentials(#[from] CredentialError),
}

impl RpcError {
    /// The service's Code, or a local one for failures without its answer.
    pub fn code(&self) -> &str {
        match self {
            Self::Service(e) => &e.doc.code,
            Self::Status { .. } => "HttpError",
            Self::Response { .. } => "InvalidResponse",
            Self::Timeout(_) => "Timeout",
            Self::Connect(_) => "ConnectionFailed",
            Self::Network(_) => "NetworkError",
            Self::Config(_) => "ConfigError",
            Self::Credentials(e) => e.code(),
        }
    }

    /// The service's Message verbatim, or this error's own description.
    pub fn message(&self) -> String {
        match self {
            Self::Service(e) => e.doc.message.clone(),
            other => other.to_string(),
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Service(e) => Some(e.doc.request_id.as_str()).filter(|id| !id.is_empty()),
            Self::Credentials(e) => e.request_id(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Service(e) => Some(e.status),
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What the user can do about it, in plain words.
    pub fn hint(&self) -> String {
        match self {
            Self::Service(e) => error_hint(&e.api, &e.action, &e.doc),
            Self::Status { api, status, .. } if *status >= 500 => {
                format!("{} is unavailable right now; try again later.", api.product)
            }
            Self::Status { api, .. } | Self::Response { api, .. } => format!(
                "The endpoint did not answer like {}: check the {} endpoint.",
                api.product, api.product
            ),
            Self::Timeout(_) => "No answer in time; check the network or raise the timeout.".into(),
            Self::Connect(_) => {
                "Could not reach the endpoint; check the endpoint URL and the network.".into()
            }
            Self::Network(_) => "The connection broke; try again.".into(),
            Self::Config(msg) => msg.clone(),
            Self::Credentials(e) => e.hint(),
        }
    }

    fn from_transport(error: OssError) -> Self {
        match error {
            OssError::Timeout(d) => Self::Timeout(d),
            OssError::Connect(detail) => Self::Connect(detail),
            OssError::Network(detail) => Self::Network(detail),
            OssError::Credentials(e) => Self::Credentials(e),
            other => Self::Config(other.to_string()),
        }
    }

    /// Worth another attempt (with a new nonce and a fresh timestamp).
    fn is_retryable(&self) -> bool {
        match self {
            Self::Service(e) => {
                is_retryable_status(e.status)
                    || e.doc.code.starts_with("Throttling")
                    || matches!(
                        e.doc.code.as_str(),
                        "InvalidTimeStamp.Expired" | "SignatureNonceUsed" | "ServiceUnavailable"
                    )
            }
            Self::Status { status, .. } => is_retryable_status(*status),
            Self::Timeout(_) | Self::Connect(_) | Self::Network(_) => true,
            Self::Response { .. } | Self::Config(_) | Self::Credentials(_) => false,
        }
    }
}

/// Time limits and retries, as for OSS.
#[derive(Debug, Clone, Copy)]
pub struct RpcSettings {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for RpcSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }
}

/// Cheap to clone: clones share the connection pool, the clock offset and the observer.
#[derive(Clone)]
pub struct RpcClient {
    http: reqwest::Client,
    api: RpcApi,
    endpoint: Endpoint,
    credentials: CredentialCache,
    clock: Clock,
    settings: RpcSettings,
    method: RpcMethod,
    /// The OSS client's activity observer (KMS calls only: see [`Action::kms`]).
    observer: Option<CallObserver>,
}

impl std::fmt::Debug for RpcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcClient")
            .field("api", &self.api.product)
            .field("endpoint", &self.endpoint.url())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl RpcClient {
    /// A client with fixed credentials and its own connection pool and clock.
    pub fn new(
        api: RpcApi,
        endpoint: Endpoint,
        credentials: Credentials,
        settings: RpcSettings,
    ) -> Result<Self, RpcError> {
        Self::with_credentials(api, endpoint, CredentialCache::fixed(credentials), settings)
    }

    /// A client whose credentials come from `credentials` (renewed before they expire).
    pub fn with_credentials(
        api: RpcApi,
        endpoint: Endpoint,
        credentials: CredentialCache,
        settings: RpcSettings,
    ) -> Result<Self, RpcError> {
        let http = endpoint
            .http_client_builder()
            .connect_timeout(settings.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ossguard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RpcError::Config(format!("cannot build HTTP client: {e}")))?;
        Self::assemble(api, endpoint, http, credentials, Clock::default(), settings)
    }

    /// A client for `api` at `endpoint` that shares `oss`'s connection pool, credentials,
    /// clock offset, timeouts and retry policy.
    pub fn sharing(oss: &OssClient, api: RpcApi, endpoint: Endpoint) -> Result<Self, RpcError> {
        let (http, credentials) = oss.shared_parts();
        let config = oss.config();
        let settings = RpcSettings {
            timeout: config.timeout,
            connect_timeout: config.connect_timeout,
            retry: config.retry,
        };
        let mut client = Self::assemble(
            api,
            endpoint,
            http,
            credentials,
            oss.clock().clone(),
            settings,
        )?;
        client.observer = oss.observer();
        Ok(client)
    }

    fn assemble(
        api: RpcApi,
        endpoint: Endpoint,
        http: reqwest::Client,
        credentials: CredentialCache,
        clock: Clock,
        settings: RpcSettings,
    ) -> Result<Self, RpcError> {
        endpoint
            .require_secure()
            .map_err(RpcError::from_transport)?;
        Ok(Self {
            http,
            api,
            endpoint,
            credentials,
            clock,
            settings,
            method: RpcMethod::default(),
            observer: None,
        })
    }

    pub fn with_method(mut self, method: RpcMethod) -> Self {
        self.method = method;
        self
    }

    pub fn api(&self) -> RpcApi {
        self.api
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Sends `call` and decodes its JSON answer into `T`.
    pub async fn call_as<T: DeserializeOwned>(&self, call: &RpcCall) -> Result<T, RpcError> {
        let value = self.call(call).await?;
        serde_json::from_value(value).map_err(|e| RpcError::Response {
            api: self.api,
            action: call.action.clone(),
            detail: e.to_string(),
        })
    }

    /// Sends `call`, retrying per the policy; each attempt is signed afresh (new nonce,
    /// skew-corrected time). Returns the answer's JSON object.
    pub async fn call(&self, call: &RpcCall) -> Result<serde_json::Value, RpcError> {
        let policy = self.settings.retry;
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            let credentials = self.credentials.get().await?;
            let started = Instant::now();
            let result = self.call_once(call, &credentials).await;
            self.observe(call, attempt, started, &result);
            let error = match result {
                Ok((_, value)) => return Ok(value),
                Err(error) => error,
            };
            // Temporary credentials that expired in flight: renew once, not counted as a retry.
            if !renewed
                && error.code() == "InvalidSecurityToken.Expired"
                && self.credentials.renew_after_expiry(&credentials).await?
            {
                renewed = true;
                attempt -= 1;
                continue;
            }
            if attempt >= policy.max_attempts || !error.is_retryable() {
                return Err(error);
            }
            tokio::time::sleep(policy.delay(attempt - 1)).await;
        }
    }

    async fn call_once(
        &self,
        call: &RpcCall,
        credentials: &Credentials,
    ) -> Result<(u16, serde_json::Value), RpcError> {
        let (now, used_offset) = self.clock.now();
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let method = self.method.as_str();
        let params = sign_v1(method, call, credentials, now, &nonce);
        let encoded = encode_params(&params);
        let base = format!("{}/", self.endpoint.url());
        let builder = match self.method {
            RpcMethod::Post => self
                .http
                .post(base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encoded),
            RpcMethod::Get => self.http.get(format!("{base}?{encoded}")),
        };
        let timeout = self.settings.timeout;
        let transport = |e: reqwest::Error| RpcError::from_transport(classify(&e, timeout));
        let response = builder.timeout(timeout).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let server_date = response
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(crate::core::sign::v1::parse_http_date);
        let body = read_capped(response)
            .await
            .map_err(transport)?
            .ok_or_else(|| RpcError::Response {
                api: self.api,
                action: call.action.clone(),
                detail: format!("answer larger than {MAX_BODY_BYTES} bytes"),
            })?;
        if (200..300).contains(&status) {
            return match serde_json::from_str::<serde_json::Value>(&body) {
                Ok(value) if value.is_object() => Ok((status, value)),
                Ok(_) => Err(self.unreadable(call, "not a JSON object".into())),
                Err(e) => Err(self.unreadable(call, format!("not JSON: {e}"))),
            };
        }
        let Ok(doc) = parse_error(&body) else {
            return Err(RpcError::Status {
                api: self.api,
                action: call.action.clone(),
                status,
            });
        };
        if doc.code == "InvalidTimeStamp.Expired"
            && let Some(server) = server_date
        {
            let offset = self.clock.learn_server_time(server, now, used_offset);
            tracing::warn!(
                offset_seconds = offset.num_seconds(),
                "clock skew corrected"
            );
        }
        Err(RpcError::Service(Box::new(RpcServiceError {
            api: self.api,
            action: call.action.clone(),
            status,
            doc,
        })))
    }

    /// Tells the observer about one attempt of a KMS call (other services' calls are not
    /// shown in the activity log).
    fn observe(
        &self,
        call: &RpcCall,
        attempt: u32,
        started: Instant,
        result: &Result<(u16, serde_json::Value), RpcError>,
    ) {
        let (Some(observer), Some(action)) = (&self.observer, Action::kms(&call.action)) else {
            return;
        };
        if self.api != crate::core::rpc::KMS {
            return;
        }
        let (outcome, status, request_id) = match result {
            Ok((status, value)) => (
                "OK".to_owned(),
                Some(*status),
                value
                    .get("RequestId")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
            ),
            Err(e) => (
                e.code().to_owned(),
                e.status(),
                e.request_id().map(str::to_owned),
            ),
        };
        observer(CallRecord {
            time: chrono::Utc::now(),
            action,
            bucket: None,
            attempt,
            outcome,
            status,
            request_id,
            elapsed: started.elapsed(),
        });
    }

    fn unreadable(&self, call: &RpcCall, detail: String) -> RpcError {
        RpcError::Response {
            api: self.api,
            action: call.action.clone(),
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{RpcError, RpcServiceError};
    use crate::core::rpc::{KMS, RpcErrorDoc};

    fn service(status: u16, code: &str) -> RpcError {
        RpcError::Service(Box::new(RpcServiceError {
            api: KMS,
            action: "DescribeKey".into(),
            status,
            doc: RpcErrorDoc {
                code: code.into(),
                message: "m".into(),
                request_id: "R".into(),
                ..Default::default()
            },
        }))
    }

    #[test]
    fn classifies_and_explains() {
        let denied = service(403, "Forbidden.NoPermission");
        assert_eq!(denied.code(), "Forbidden.NoPermission");
        assert_eq!(denied.request_id(), Some("R"));
        assert!(denied.hint().contains("kms:DescribeKey"));
        assert!(!denied.is_retryable());
        assert!(service(503, "ServiceUnavailable").is_retryable());
        assert!(service(400, "Throttling.User").is_retryable());
        assert!(!service(404, "Forbidden.KeyNotFound").is_retryable());
        let html = RpcError::Status {
            api: KMS,
            action: "ListKeys".into(),
            status: 404,
        };
        assert_eq!(html.code(), "HttpError");
        assert!(html.hint().contains("KMS endpoint"));
    }
}

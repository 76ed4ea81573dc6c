//! RPC-style OpenAPI services (KMS, STS) on every region's port.
//!
//! A request is RPC when it goes to `/` and names `Action` and `Version` (query or form body)
//! or carries the ACS3 `x-acs-action` header. Its signature is verified like the services do
//! ([`auth`]), then the handler registered for its `Version` answers with a JSON object; every
//! refusal is the services' JSON error `{RequestId, HostId, Code, Message, Recommend}`.

mod auth;
pub(crate) mod kms;
mod sts;

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::server::RegionState;
use crate::core::request::{Method, header_value};

/// A verified call as a handler sees it.
#[derive(Debug)]
#[allow(
    dead_code,
    reason = "access_key_id and now are for handlers that need them (STS)"
)]
pub(crate) struct RpcRequest {
    pub action: String,
    pub version: String,
    /// Every parameter of the query and the form body (V1's common ones included).
    pub params: BTreeMap<String, String>,
    pub access_key_id: String,
    /// The server clock.
    pub now: DateTime<Utc>,
}

impl RpcRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A mandatory parameter, or the services' MissingParameter.
    pub fn required(&self, name: &str) -> Result<&str, RpcFault> {
        self.param(name)
            .ok_or_else(|| RpcFault::missing_parameter(name))
    }
}

/// A service's answer to a verified call: the JSON object, without `RequestId`.
pub(crate) type Handler =
    fn(&RegionState, &RpcRequest) -> Result<serde_json::Map<String, serde_json::Value>, RpcFault>;

/// The services this server answers, by API version.
fn handler_for(version: &str) -> Option<Handler> {
    match version {
        v if v == crate::core::rpc::KMS.version => Some(kms::handle),
        v if v == crate::core::rpc::STS.version => Some(sts::handle),
        _ => None,
    }
}

/// An error answer: HTTP status, `Code`, `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RpcFault {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl RpcFault {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::bad_request(
            "MissingParameter",
            format!(
                "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
            ),
        )
    }

    pub fn invalid_parameter(name: &str, value: &str) -> Self {
        Self::bad_request(
            "InvalidParameter",
            format!("The specified parameter \"{name}\" is not valid: {value:?}."),
        )
    }
}

/// SignatureNonce values seen in the last 15 minutes, per AccessKey ID.
#[derive(Default)]
pub(crate) struct NonceCache {
    seen: Mutex<BTreeMap<(String, String), DateTime<Utc>>>,
}

impl NonceCache {
    /// Records `nonce`; false when it was already used within the validity window.
    fn insert(&self, access_key_id: &str, nonce: &str, now: DateTime<Utc>) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        // Older entries cannot be replayed anyway: their timestamp is refused as expired.
        let window = chrono::Duration::milliseconds(auth::MAX_SKEW_MS * 2);
        if seen.len() >= 4096 {
            seen.retain(|_, at| now - *at <= window);
        }
        let key = (access_key_id.to_owned(), nonce.to_owned());
        match seen.get(&key) {
            Some(at) if now - *at <= window => false,
            _ => {
                seen.insert(key, now);
                true
            }
        }
    }
}

/// One request as it arrived, before anything is checked.
pub(crate) struct RpcInput {
    pub method: Method,
    /// The path as sent (still encoded).
    pub path: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub host: String,
    pub now: DateTime<Utc>,
}

impl RpcInput {
    fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    fn is_form(&self) -> bool {
        self.header("content-type")
            .is_some_and(|t| t.contains("application/x-www-form-urlencoded"))
    }

    /// Query and form-body parameters; the body wins on a clash, as the services merge them.
    fn params(&self) -> BTreeMap<String, String> {
        let mut params: BTreeMap<String, String> = self.query.iter().cloned().collect();
        if self.is_form() {
            params.extend(url::form_urlencoded::parse(&self.body).into_owned());
        }
        params
    }
}

/// Whether a request is an RPC call rather than an OSS one. Decided before the body is read,
/// so a form POST to `/` (never an OSS call) counts, and its body is checked afterwards.
pub(crate) fn is_rpc(
    method: Method,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> bool {
    let has = |name: &str| query.iter().any(|(n, _)| n == name);
    let form = header_value(headers, "content-type")
        .is_some_and(|t| t.contains("application/x-www-form-urlencoded"));
    path == "/"
        && ((has("Action") && has("Version"))
            || header_value(headers, "x-acs-action").is_some()
            || (method == Method::Post && form))
}

/// Verifies, dispatches and renders one RPC request; returns the answer and the error code.
pub(crate) fn handle(st: &RegionState, input: &RpcInput, request_id: &str) -> (Response, String) {
    let outcome = auth::verify(
        &st.shared.keys,
        &st.shared.rpc_nonces,
        input,
        input.params(),
    )
    .and_then(|call| {
        let handler = handler_for(&call.version).ok_or_else(|| {
            RpcFault::new(
                StatusCode::NOT_FOUND,
                "InvalidVersion",
                format!(
                    "Specified parameter Version is not valid: {:?}.",
                    call.version
                ),
            )
        })?;
        handler(st, &call).map(|answer| (call.action.clone(), answer))
    });
    match outcome {
        Ok((action, mut answer)) => {
            answer.insert("RequestId".into(), request_id.into());
            (
                json_response(StatusCode::OK, &answer.into(), request_id),
                action,
            )
        }
        Err(fault) => {
            let body = serde_json::json!({
                "RequestId": request_id,
                "HostId": input.host,
                "Code": fault.code,
                "Message": fault.message,
                "Recommend": format!("https://api.aliyun.com/troubleshoot?q={}", fault.code),
            });
            (json_response(fault.status, &body, request_id), fault.code)
        }
    }
}

fn json_response(status: StatusCode, body: &serde_json::Value, request_id: &str) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-acs-request-id", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{NonceCache, is_rpc};
    use crate::core::request::{Method, pairs};

    #[test]
    fn recognises_rpc_requests() {
        let query = pairs(&[("Action", "ListKeys"), ("Version", "2016-01-20")]);
        assert!(is_rpc(Method::Get, "/", &query, &[]));
        assert!(!is_rpc(Method::Get, "/bucket/", &query, &[]));
        assert!(!is_rpc(Method::Get, "/", &pairs(&[("Action", "x")]), &[]));
        assert!(!is_rpc(Method::Get, "/", &[], &[]), "ListBuckets stays OSS");
        let form = pairs(&[("content-type", "application/x-www-form-urlencoded")]);
        assert!(is_rpc(Method::Post, "/", &[], &form));
        let acs3 = pairs(&[("x-acs-action", "ListKeys")]);
        assert!(is_rpc(Method::Post, "/", &[], &acs3));
    }

    #[test]
    fn a_nonce_is_accepted_once() {
        let cache = NonceCache::default();
        let now = chrono::Utc::now();
        assert!(cache.insert("ak", "n1", now));
        assert!(!cache.insert("ak", "n1", now));
        assert!(cache.insert("other", "n1", now), "per AccessKey");
        assert!(cache.insert("ak", "n1", now + chrono::Duration::hours(1)));
    }
}

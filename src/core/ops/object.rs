//! Object calls ossguard uses to prove a rule works: PutObject and HeadObject with SSE headers.

use crate::core::request::{Method, OssRequest};
use crate::core::sse::SseRule;

pub const SSE_HEADER: &str = "x-oss-server-side-encryption";
pub const SSE_KEY_ID_HEADER: &str = "x-oss-server-side-encryption-key-id";
pub const SSE_DATA_HEADER: &str = "x-oss-server-side-data-encryption";

/// PutObject; `sse` overrides the bucket default for this object.
pub fn put(bucket: &str, key: &str, body: Vec<u8>, sse: Option<&SseRule>) -> OssRequest {
    let mut req = OssRequest::new(Method::Put, Some(bucket)).with_key(key);
    if let Some(rule) = sse {
        for (name, value) in sse_headers(rule) {
            req.set_header(name, &value);
        }
    }
    req.body = body;
    req
}

pub fn head(bucket: &str, key: &str) -> OssRequest {
    OssRequest::new(Method::Head, Some(bucket)).with_key(key)
}

/// The response and request headers that describe an object's SSE.
pub fn sse_headers(rule: &SseRule) -> Vec<(&'static str, String)> {
    let mut out = vec![(SSE_HEADER, rule.algorithm().to_owned())];
    if let Some(key) = rule.kms_key_id() {
        out.push((SSE_KEY_ID_HEADER, key.to_owned()));
    }
    if let Some(data) = rule.data_encryption() {
        out.push((SSE_DATA_HEADER, data.to_owned()));
    }
    out
}

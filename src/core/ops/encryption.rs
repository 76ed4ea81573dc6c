//! Put/Get/DeleteBucketEncryption: `/?encryption` on the bucket's own endpoint.

use crate::core::request::{Method, OssRequest};
use crate::core::sse::SseRule;
use crate::core::xml::encryption_rule::to_xml;

/// The Code GetBucketEncryption answers when a bucket has no rule: a result, not an error.
pub const NO_RULE_CODE: &str = "NoSuchServerSideEncryptionRule";

pub fn get(bucket: &str) -> OssRequest {
    OssRequest::new(Method::Get, Some(bucket)).with_query("encryption", "")
}

/// Always the complete rule: a bucket holds one, and a PUT replaces it.
pub fn put(bucket: &str, rule: &SseRule) -> OssRequest {
    OssRequest::new(Method::Put, Some(bucket))
        .with_query("encryption", "")
        .with_xml_body(to_xml(rule))
}

pub fn delete(bucket: &str) -> OssRequest {
    OssRequest::new(Method::Delete, Some(bucket)).with_query("encryption", "")
}

pub use crate::core::xml::encryption_rule::{RuleBodyError, parse_rule as parse};

//! Put/Get/DeleteBucketEncryption (https://www.alibabacloud.com/help/en/oss/developer-reference/putbucketencryption and its Get/Delete
//! pages), parsed and validated by the same core code
//! the client uses, so both sides agree on what a valid rule is.

use axum::http::StatusCode;
use axum::response::Response;

use super::{empty, store_error, xml};
use crate::core::xml::encryption_rule::{RuleBodyError, parse_rule, to_xml};
use crate::devserver::errors::OssError;
use crate::devserver::routes::RequestCtx;
use crate::devserver::server::RegionState;
use crate::devserver::store::BucketRecord;

/// A rule is a few hundred bytes; a configuration body past this is refused unread rather
/// than parsed (OSS caps bucket configuration bodies too).
const MAX_RULE_BODY_BYTES: usize = 64 * 1024;

/// Accepts every SDK's wire variant (declaration or not, any element order, an empty
/// `KMSMasterKeyID`) and any CMK id: like OSS, key validity only matters on object writes.
pub(super) async fn put(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    if ctx.body.len() > MAX_RULE_BODY_BYTES {
        return Err(OssError::entity_too_large());
    }
    let text = std::str::from_utf8(&ctx.body).map_err(|_| OssError::malformed_xml())?;
    let rule = parse_rule(text).map_err(|e| match e {
        RuleBodyError::Xml(_) => OssError::malformed_xml(),
        RuleBodyError::Invalid(v) => OssError::from_validation(&v),
    })?;
    st.shared
        .store
        .set_rule(&bucket.name, Some(rule))
        .await
        .map_err(|e| store_error(e, &bucket.name))?;
    Ok(empty(StatusCode::OK))
}

pub(super) fn get(bucket: &BucketRecord) -> Result<Response, OssError> {
    match &bucket.rule {
        Some(rule) => Ok(xml(StatusCode::OK, to_xml(rule))),
        None => Err(OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchServerSideEncryptionRule",
            "0005-00000004",
            "The server side encryption configuration was not found",
        )
        .with(|d| d.bucket_name = Some(bucket.name.clone()))),
    }
}

pub(super) async fn delete(st: &RegionState, bucket: &BucketRecord) -> Result<Response, OssError> {
    st.shared
        .store
        .set_rule(&bucket.name, None)
        .await
        .map_err(|e| store_error(e, &bucket.name))?;
    Ok(empty(StatusCode::NO_CONTENT))
}

//! Bucket versioning (Get/PutBucketVersioning) and a retention policy (InitiateBucketWorm,
//! GetBucketWorm): what changes how a re-encryption by copy behaves.

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::object::set_header;
use super::{empty, store_error, xml};
use crate::core::xml::to_document;
use crate::devserver::errors::OssError;
use crate::devserver::routes::RequestCtx;
use crate::devserver::server::RegionState;
use crate::devserver::store::BucketRecord;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "VersioningConfiguration")]
struct VersioningConfiguration {
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "InitiateWormConfiguration")]
struct InitiateWorm {
    #[serde(rename = "RetentionPeriodInDays")]
    days: u32,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "WormConfiguration")]
struct WormConfiguration {
    #[serde(rename = "WormId")]
    id: String,
    #[serde(rename = "State")]
    state: String,
    #[serde(rename = "RetentionPeriodInDays")]
    days: u32,
}

impl crate::core::xml::Document for VersioningConfiguration {
    const ROOT: &'static str = "VersioningConfiguration";
}

impl crate::core::xml::Document for InitiateWorm {
    const ROOT: &'static str = "InitiateWormConfiguration";
}

fn body_doc<T: crate::core::xml::Document>(ctx: &RequestCtx) -> Result<T, OssError> {
    let text = std::str::from_utf8(&ctx.body).map_err(|_| OssError::malformed_xml())?;
    crate::core::xml::parse(text).map_err(|_| OssError::malformed_xml())
}

pub(super) fn get_versioning(bucket: &BucketRecord) -> Response {
    let doc = VersioningConfiguration {
        status: bucket.versioning.clone(),
    };
    xml(StatusCode::OK, to_document(&doc))
}

pub(super) async fn put_versioning(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let doc: VersioningConfiguration = body_doc(ctx)?;
    let status = match doc.status.as_deref().map(str::trim) {
        Some(s @ ("Enabled" | "Suspended")) => s.to_owned(),
        _ => return Err(OssError::malformed_xml()),
    };
    st.shared
        .store
        .update_bucket(&bucket.name, |b| b.versioning = Some(status))
        .await
        .map_err(|e| store_error(e, &bucket.name))?;
    Ok(empty(StatusCode::OK))
}

/// The policy applies at once (OSS protects objects from InitiateBucketWorm on, before the
/// policy is locked).
pub(super) async fn initiate_worm(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let doc: InitiateWorm = body_doc(ctx)?;
    if !(1..=25_550).contains(&doc.days) {
        return Err(OssError::invalid_argument(
            "0024-00000001",
            "RetentionPeriodInDays must be between 1 and 25550.",
        ));
    }
    st.shared
        .store
        .update_bucket(&bucket.name, |b| b.worm_days = Some(doc.days))
        .await
        .map_err(|e| store_error(e, &bucket.name))?;
    let mut response = empty(StatusCode::OK);
    set_header(
        response.headers_mut(),
        "x-oss-worm-id",
        &worm_id(&bucket.name),
    );
    Ok(response)
}

pub(super) fn get_worm(bucket: &BucketRecord) -> Result<Response, OssError> {
    let days = bucket.worm_days.ok_or_else(|| {
        OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchWORMConfiguration",
            "0024-00000002",
            "The WORM Configuration does not exist.",
        )
    })?;
    let doc = WormConfiguration {
        id: worm_id(&bucket.name),
        state: "InProgress".to_owned(),
        days,
    };
    Ok(xml(StatusCode::OK, to_document(&doc)))
}

fn worm_id(bucket: &str) -> String {
    use md5::Digest as _;
    hex::encode_upper(md5::Md5::digest(bucket.as_bytes()))
}

//! PutObject, CopyObject, GetObject, HeadObject, DeleteObject with object-level SSE (§5):
//! an SSE request header wins over the bucket default, which applies only to writes without
//! one; CopyObject never inherits the source's SSE.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use md5::Digest as _;

use super::{empty, store_error, xml};
use crate::core::ops::object::{SSE_DATA_HEADER, SSE_HEADER, SSE_KEY_ID_HEADER, sse_headers};
use crate::core::sign::v1::format_http_date;
use crate::core::sse::SseRule;
use crate::core::validate::rule_from_fields;
use crate::devserver::addressing::{decode, validate_object_name};
use crate::devserver::errors::OssError;
use crate::devserver::routes::{RequestCtx, check_allowed};
use crate::devserver::server::RegionState;
use crate::devserver::store::{BucketRecord, ObjectRecord};

const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// OSS caps the `x-oss-meta-*` headers of one object at 8 KB, names and values together.
const MAX_USER_METADATA_BYTES: usize = 8 * 1024;

fn check_user_metadata(ctx: &RequestCtx) -> Result<(), OssError> {
    let total: usize = ctx
        .headers
        .iter()
        .filter(|(name, _)| name.starts_with("x-oss-meta-"))
        .map(|(name, value)| name.len() + value.len())
        .sum();
    if total >= MAX_USER_METADATA_BYTES {
        return Err(OssError::invalid_argument(
            "0011-00000002",
            "Your metadata headers exceed the maximum allowed metadata size.",
        ));
    }
    Ok(())
}

pub(super) async fn put(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    check_user_metadata(ctx)?;
    let sse = requested_sse(ctx)?.or_else(|| bucket.rule.clone());
    let content_type = ctx.header("content-type").unwrap_or(DEFAULT_CONTENT_TYPE);
    let record = new_record(key_of(ctx)?, &ctx.body, content_type, ctx.now, sse);
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&ctx.body));
    let mut response = empty(StatusCode::OK);
    set_header(response.headers_mut(), "content-md5", &md5);
    write_object_headers(response.headers_mut(), &record, false);
    store(st, &bucket.name, record, ctx.body.clone()).await?;
    Ok(response)
}

pub(super) async fn copy(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let (source_bucket, source_key) = copy_source(ctx.header("x-oss-copy-source"))?;
    let source = st
        .shared
        .store
        .bucket(&source_bucket)
        .ok_or_else(|| OssError::no_such_bucket(&source_bucket))?;
    if source.region != bucket.region {
        return Err(OssError::invalid_argument(
            "0017-00000104",
            "CopyObject only copies between buckets of the same region.",
        ));
    }
    check_allowed(&source, "oss:GetObject")?;
    let meta = st
        .shared
        .store
        .object(&source_bucket, &source_key)
        .ok_or_else(OssError::no_such_key)?;
    let key = key_of(ctx)?;
    let forbid = ctx.header("x-oss-forbid-overwrite").map(str::trim) == Some("true");
    if forbid && st.shared.store.object(&bucket.name, &key).is_some() {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "FileAlreadyExists",
            "0017-00000808",
            "The object you specified already exists and can not be overwritten.",
        ));
    }
    let content_type = match ctx.header("x-oss-metadata-directive").map(str::trim) {
        None | Some("COPY") => meta.content_type.clone(),
        Some("REPLACE") => ctx
            .header("content-type")
            .unwrap_or(DEFAULT_CONTENT_TYPE)
            .to_owned(),
        Some(_) => {
            return Err(OssError::invalid_argument(
                "0017-00000204",
                "x-oss-metadata-directive must be COPY or REPLACE.",
            ));
        }
    };
    let body = read_body(st, &source_bucket, &source_key).await?;
    let sse = requested_sse(ctx)?.or_else(|| bucket.rule.clone());
    let record = new_record(key, &body, &content_type, ctx.now, sse);
    let result = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult><ETag>{}</ETag><LastModified>{}</LastModified></CopyObjectResult>",
        record.etag,
        iso_time(record.last_modified_ms)
    );
    let mut response = xml(StatusCode::OK, result);
    write_object_headers(response.headers_mut(), &record, false);
    store(st, &bucket.name, record, body.into()).await?;
    Ok(response)
}

/// GetObject (`with_body`) or HeadObject (same headers, `Content-Length` but no body).
pub(super) async fn get(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
    with_body: bool,
) -> Result<Response, OssError> {
    let key = key_of(ctx)?;
    let meta = st
        .shared
        .store
        .object(&bucket.name, &key)
        .ok_or_else(OssError::no_such_key)?;
    let mut response = if with_body {
        Response::new(Body::from(read_body(st, &bucket.name, &key).await?))
    } else {
        Response::new(Body::empty())
    };
    write_object_headers(response.headers_mut(), &meta, true);
    if !with_body {
        set_header(
            response.headers_mut(),
            header::CONTENT_LENGTH.as_str(),
            &meta.size.to_string(),
        );
    }
    Ok(response)
}

/// 204 whether or not the key existed, as on OSS.
pub(super) async fn delete(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    st.shared
        .store
        .delete_object(&bucket.name, &key_of(ctx)?)
        .await
        .map_err(|e| store_error(e, &bucket.name))?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// The SSE the request asks for, validated with the same rules as a bucket rule:
/// unknown algorithm -> InvalidEncryptionAlgorithmError, key id or data encryption without
/// KMS -> InvalidArgument.
fn requested_sse(ctx: &RequestCtx) -> Result<Option<SseRule>, OssError> {
    let key_id = ctx.header(SSE_KEY_ID_HEADER);
    let data = ctx.header(SSE_DATA_HEADER);
    match ctx.header(SSE_HEADER) {
        None if key_id.is_some() || data.is_some() => Err(OssError::invalid_argument(
            "0005-00000204",
            "x-oss-server-side-encryption-key-id and x-oss-server-side-data-encryption need x-oss-server-side-encryption: KMS.",
        )),
        None => Ok(None),
        Some(algorithm) => rule_from_fields(algorithm.trim(), key_id, data)
            .map(Some)
            .map_err(|e| OssError::from_validation(&e)),
    }
}

/// `x-oss-copy-source: /<bucket>/<url-encoded key>[?versionId=..]`.
fn copy_source(value: Option<&str>) -> Result<(String, String), OssError> {
    let invalid = || {
        OssError::invalid_argument(
            "0017-00000101",
            "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.",
        )
    };
    let raw = value.ok_or_else(invalid)?.trim();
    let raw = raw.split_once('?').map_or(raw, |(path, _)| path);
    let decoded = decode(raw).ok_or_else(invalid)?;
    let (bucket, key) = decoded
        .strip_prefix('/')
        .unwrap_or(&decoded)
        .split_once('/')
        .ok_or_else(invalid)?;
    crate::core::validate::validate_bucket_name(bucket).map_err(|_| invalid())?;
    validate_object_name(key)?;
    Ok((bucket.to_owned(), key.to_owned()))
}

fn key_of(ctx: &RequestCtx) -> Result<String, OssError> {
    ctx.key
        .clone()
        .ok_or_else(|| OssError::internal("object key not resolved"))
}

fn new_record(
    key: String,
    body: &[u8],
    content_type: &str,
    now: DateTime<Utc>,
    sse: Option<SseRule>,
) -> ObjectRecord {
    ObjectRecord {
        key,
        etag: format!("\"{}\"", hex::encode_upper(md5::Md5::digest(body))),
        size: body.len() as u64,
        content_type: content_type.to_owned(),
        last_modified_ms: now.timestamp_millis(),
        sse,
    }
}

async fn store(
    st: &RegionState,
    bucket: &str,
    record: ObjectRecord,
    body: axum::body::Bytes,
) -> Result<(), OssError> {
    st.shared
        .store
        .put_object(bucket, record, body)
        .await
        .map_err(|e| store_error(e, bucket))
}

async fn read_body(st: &RegionState, bucket: &str, key: &str) -> Result<Vec<u8>, OssError> {
    st.shared
        .store
        .read_body(bucket, key)
        .await
        .map_err(|e| match e.kind() {
            // Deleted between the lookup and the read.
            std::io::ErrorKind::NotFound => OssError::no_such_key(),
            _ => {
                tracing::error!("reading an object body failed: {e}");
                OssError::internal("disk read failed")
            }
        })
}

/// ETag and SSE headers on every object answer; reads also get type, dates and class.
fn write_object_headers(headers: &mut HeaderMap, record: &ObjectRecord, read: bool) {
    set_header(headers, header::ETAG.as_str(), &record.etag);
    if let Some(rule) = &record.sse {
        for (name, value) in sse_headers(rule) {
            set_header(headers, name, &value);
        }
    }
    if read {
        set_header(headers, header::CONTENT_TYPE.as_str(), &record.content_type);
        let modified = DateTime::from_timestamp_millis(record.last_modified_ms).unwrap_or_default();
        set_header(
            headers,
            header::LAST_MODIFIED.as_str(),
            &format_http_date(modified),
        );
        set_header(headers, header::ACCEPT_RANGES.as_str(), "bytes");
        set_header(headers, "x-oss-object-type", "Normal");
        set_header(headers, "x-oss-storage-class", "Standard");
    }
}

fn set_header(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        axum::http::HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(name, value);
    }
}

fn iso_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::copy_source;

    #[test]
    fn copy_source_forms() {
        assert_eq!(
            copy_source(Some("/b-1/a%2Fb%20c.txt?versionId=x")).ok(),
            Some(("b-1".into(), "a/b c.txt".into()))
        );
        assert_eq!(
            copy_source(Some("b-1/k")).ok(),
            Some(("b-1".into(), "k".into()))
        );
        assert!(copy_source(Some("/b-1")).is_err());
        assert!(copy_source(Some("/b-1/../x")).is_err());
        assert!(copy_source(None).is_err());
    }
}

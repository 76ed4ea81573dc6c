//! PutObject, GetObject, HeadObject, DeleteObject, AppendObject and PutSymlink with
//! object-level SSE: an SSE request header wins over the bucket default, which applies only
//! to writes without one. Also the helpers every object write shares: storage class,
//! metadata and tags from the request.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use md5::Digest as _;

use super::object_write::{immutable, write_locked, write_record};
use super::{empty, store_error};
use crate::core::objects::facts::{CONTENT_HEADERS, ObjectType, StorageClass};
use crate::core::ops::object::{SSE_DATA_HEADER, SSE_HEADER, SSE_KEY_ID_HEADER, sse_headers};
use crate::core::sign::v1::format_http_date;
use crate::core::sse::SseRule;
use crate::core::validate::rule_from_fields;
use crate::devserver::addressing::decode;
use crate::devserver::errors::OssError;
use crate::devserver::routes::{MAX_BODY_BYTES, RequestCtx};
use crate::devserver::server::RegionState;
use crate::devserver::store::{BucketRecord, ObjectRecord};

const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// OSS caps the `x-oss-meta-*` headers of one object at 8 KB, names and values together.
const MAX_USER_METADATA_BYTES: usize = 8 * 1024;

pub(super) fn check_user_metadata(ctx: &RequestCtx) -> Result<(), OssError> {
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

/// A new object record from the request's headers: SSE (else the bucket default), storage
/// class (else the bucket's), Content-Type, user metadata, content headers and tags.
pub(super) fn record_from_request(
    ctx: &RequestCtx,
    bucket: &BucketRecord,
    key: &str,
    etag: String,
    size: u64,
) -> Result<ObjectRecord, OssError> {
    check_user_metadata(ctx)?;
    let sse = requested_sse(ctx)?.or_else(|| bucket.rule.clone());
    let mut record = ObjectRecord::new(key, etag, size, ctx.now.timestamp_millis(), sse);
    record.storage_class = storage_class(ctx, bucket)?;
    record.content_type = ctx
        .header("content-type")
        .unwrap_or(DEFAULT_CONTENT_TYPE)
        .to_owned();
    record.headers = request_metadata(ctx);
    record.tags = tags_from_header(ctx.header("x-oss-tagging"))?;
    Ok(record)
}

/// `x-oss-storage-class`, else the bucket's class (as OSS does for a write without one).
pub(super) fn storage_class(
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<StorageClass, OssError> {
    match ctx.header("x-oss-storage-class").map(str::trim) {
        None | Some("") => Ok(StorageClass::parse(&bucket.storage_class)),
        Some(name) => match StorageClass::parse(name) {
            StorageClass::Other(_) => Err(OssError::invalid_argument(
                "0011-00000103",
                "Invalid storage class.",
            )),
            class => Ok(class),
        },
    }
}

/// The user metadata and content headers (not Content-Type) of the request.
pub(super) fn request_metadata(ctx: &RequestCtx) -> Vec<(String, String)> {
    ctx.headers
        .iter()
        .filter(|(n, _)| {
            n.starts_with("x-oss-meta-")
                || (CONTENT_HEADERS.contains(&n.as_str()) && n != "content-type")
        })
        .cloned()
        .collect()
}

/// `x-oss-tagging: k1=v1&k2=v2` (URL-encoded); at most 10 tags.
pub(super) fn tags_from_header(value: Option<&str>) -> Result<Vec<(String, String)>, OssError> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let tags: Vec<(String, String)> = url::form_urlencoded::parse(value.trim().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if tags.len() > 10 || tags.iter().any(|(k, _)| k.is_empty()) {
        return Err(OssError::invalid_argument(
            "0017-00000301",
            "The tag set is invalid: at most 10 tags with non-empty keys.",
        ));
    }
    Ok(tags)
}

pub(super) fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode_upper(md5::Md5::digest(body)))
}

pub(super) async fn put(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let key = key_of(ctx)?;
    let record = record_from_request(ctx, bucket, &key, etag_of(&ctx.body), ctx.body.len() as u64)?;
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&ctx.body));
    let record = write_record(st, bucket, record, Some(ctx.body.clone())).await?;
    let mut response = empty(StatusCode::OK);
    set_header(response.headers_mut(), "content-md5", &md5);
    write_object_headers(response.headers_mut(), &record, false);
    Ok(response)
}

/// AppendObject (`POST /<key>?append&position=N`): creates an Appendable object or adds to
/// one; the position must equal the current length.
pub(super) async fn append(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let key = key_of(ctx)?;
    let position: u64 = ctx
        .query("position")
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| OssError::invalid_argument("0026-00000001", "Position is invalid."))?;
    // The length is read and extended under the key's lock: of appends at one position,
    // exactly one lands.
    let writer = st.shared.store.write_object(&bucket.name, &key).await;
    let existing = writer.current();
    let (mut body, mut record) = match &existing {
        Some(old) if old.object_type != ObjectType::Appendable => {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "ObjectNotAppendable",
                "0026-00000002",
                "The object is not appendable.",
            ));
        }
        Some(old) => (
            read_body(st, &bucket.name, old).await?,
            ObjectRecord::clone(old),
        ),
        None => {
            let mut record = record_from_request(ctx, bucket, &key, String::new(), 0)?;
            record.object_type = ObjectType::Appendable;
            (Vec::new(), record)
        }
    };
    if position != body.len() as u64 {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "PositionNotEqualToLength",
            "0026-00000003",
            "Position is not equal to file length.",
        ));
    }
    body.extend_from_slice(&ctx.body);
    if body.len() > MAX_BODY_BYTES {
        return Err(OssError::entity_too_large());
    }
    record.size = body.len() as u64;
    record.etag = etag_of(&body);
    record.last_modified_ms = ctx.now.timestamp_millis();
    // An append adds to the object; a new one is written as any new object (the retention
    // check, and a version after a delete marker's).
    let record = match existing {
        Some(_) => {
            writer
                .put(record.clone(), Some(body.into()))
                .await
                .map_err(|e| store_error(e, &bucket.name))?;
            record
        }
        None => write_locked(&writer, &bucket.name, record, Some(body.into())).await?,
    };
    let mut response = empty(StatusCode::OK);
    write_object_headers(response.headers_mut(), &record, false);
    set_header(
        response.headers_mut(),
        "x-oss-next-append-position",
        &record.size.to_string(),
    );
    Ok(response)
}

/// PutSymlink (`PUT /<key>?symlink`, target in `x-oss-symlink-target`). The link is its own
/// small object; HeadObject reports its type as Symlink.
pub(super) async fn put_symlink(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let key = key_of(ctx)?;
    let target = ctx
        .header("x-oss-symlink-target")
        .and_then(decode)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            OssError::invalid_argument("0017-00000901", "x-oss-symlink-target is missing.")
        })?;
    let mut record = record_from_request(ctx, bucket, &key, etag_of(target.as_bytes()), 0)?;
    record.object_type = ObjectType::Symlink;
    record.symlink_target = Some(target);
    let record = write_record(st, bucket, record, Some(Bytes::new())).await?;
    let mut response = empty(StatusCode::OK);
    write_object_headers(response.headers_mut(), &record, false);
    Ok(response)
}

/// GetObject (`with_body`) or HeadObject (same headers, `Content-Length` but no body).
/// `?versionId=` of an older version answers its facts (HEAD only: bodies are not kept).
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
        .latest_version(&bucket.name, &key)
        .ok_or_else(OssError::no_such_key)?;
    let meta = match ctx.query("versionId") {
        Some(id) if meta.version_id.as_deref() != Some(id) && !with_body => {
            let old = meta
                .older_versions
                .iter()
                .find(|v| v.version_id == id && !v.delete_marker)
                .ok_or_else(|| {
                    OssError::new(
                        StatusCode::NOT_FOUND,
                        "NoSuchVersion",
                        "0026-00000004",
                        "The specified version does not exist.",
                    )
                })?;
            let mut record = ObjectRecord::clone(&meta);
            record.version_id = Some(old.version_id.clone());
            record.etag.clone_from(&old.etag);
            record.size = old.size;
            record.sse.clone_from(&old.sse);
            record.delete_marker = false;
            std::sync::Arc::new(record)
        }
        // [unverified] OSS's answer to reading a delete marker by its versionId.
        _ if meta.delete_marker => return Err(OssError::no_such_key()),
        _ => meta,
    };
    if with_body && !readable(&meta, ctx.now) {
        return Err(invalid_object_state());
    }
    let mut response = if with_body {
        if meta.size > MAX_BODY_BYTES as u64 {
            return Err(OssError::not_implemented());
        }
        Response::new(Body::from(read_body(st, &bucket.name, &meta).await?))
    } else {
        Response::new(Body::empty())
    };
    write_object_headers(response.headers_mut(), &meta, true);
    let headers = response.headers_mut();
    if let Some(restore) = restore_header(&meta, ctx.now) {
        set_header(headers, "x-oss-restore", &restore);
    }
    if !with_body {
        set_header(
            headers,
            header::CONTENT_LENGTH.as_str(),
            &meta.size.to_string(),
        );
    }
    Ok(response)
}

/// Archive-class data can be read only once a restore finished.
pub(super) fn readable(record: &ObjectRecord, now: DateTime<Utc>) -> bool {
    !record.storage_class.needs_restore()
        || record
            .restore_ready_ms
            .is_some_and(|ready| now.timestamp_millis() >= ready)
}

pub(super) fn invalid_object_state() -> OssError {
    OssError::new(
        StatusCode::FORBIDDEN,
        "InvalidObjectState",
        "0016-00000408",
        "The operation is not valid for the object's state",
    )
}

/// `x-oss-restore` once RestoreObject was called; a restored copy stays a day.
fn restore_header(record: &ObjectRecord, now: DateTime<Utc>) -> Option<String> {
    let ready = record.restore_ready_ms?;
    if now.timestamp_millis() < ready {
        return Some("ongoing-request=\"true\"".to_owned());
    }
    let expiry =
        DateTime::from_timestamp_millis(ready.saturating_add(86_400_000)).unwrap_or_default();
    Some(format!(
        "ongoing-request=\"false\", expiry-date=\"{}\"",
        format_http_date(expiry)
    ))
}

/// 204 whether or not the key existed, as on OSS; refused under a retention policy. On a
/// bucket with versioning the key gets a delete marker and keeps its versions.
pub(super) async fn delete(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let key = key_of(ctx)?;
    let writer = st.shared.store.write_object(&bucket.name, &key).await;
    if bucket.worm_days.is_some() && writer.current().is_some() {
        return Err(immutable());
    }
    if bucket.versioning.is_some() && ctx.query("versionId").is_none() {
        let mut marker =
            ObjectRecord::new(&key, String::new(), 0, ctx.now.timestamp_millis(), None);
        marker.delete_marker = true;
        let marker = write_locked(&writer, &bucket.name, marker, Some(Bytes::new())).await?;
        let mut response = empty(StatusCode::NO_CONTENT);
        set_header(response.headers_mut(), "x-oss-delete-marker", "true");
        if let Some(version) = &marker.version_id {
            set_header(response.headers_mut(), "x-oss-version-id", version);
        }
        return Ok(response);
    }
    // [unverified] deleting one version by `versionId`: the dev server deletes the key with
    // every version (older versions keep no body to fall back to).
    writer
        .delete()
        .await
        .map_err(|e| store_error(e, &bucket.name))?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// The SSE the request asks for, validated with the same rules as a bucket rule:
/// unknown algorithm -> InvalidEncryptionAlgorithmError, key id or data encryption without
/// KMS -> InvalidArgument.
pub(super) fn requested_sse(ctx: &RequestCtx) -> Result<Option<SseRule>, OssError> {
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

pub(super) fn key_of(ctx: &RequestCtx) -> Result<String, OssError> {
    ctx.key
        .clone()
        .ok_or_else(|| OssError::internal("object key not resolved"))
}

pub(super) async fn read_body(
    st: &RegionState,
    bucket: &str,
    record: &ObjectRecord,
) -> Result<Vec<u8>, OssError> {
    st.shared
        .store
        .read_body(bucket, record)
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

/// ETag, SSE and version on every object answer; reads also get type, class, dates and
/// the stored metadata.
pub(super) fn write_object_headers(headers: &mut HeaderMap, record: &ObjectRecord, read: bool) {
    set_header(headers, header::ETAG.as_str(), &record.etag);
    if let Some(rule) = &record.sse {
        for (name, value) in sse_headers(rule) {
            set_header(headers, name, &value);
        }
    }
    if let Some(version) = &record.version_id {
        set_header(headers, "x-oss-version-id", version);
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
        set_header(headers, "x-oss-object-type", record.object_type.as_str());
        set_header(
            headers,
            "x-oss-storage-class",
            record.storage_class.as_str(),
        );
        for (name, value) in &record.headers {
            set_header(headers, name, value);
        }
        if !record.tags.is_empty() {
            set_header(
                headers,
                "x-oss-tagging-count",
                &record.tags.len().to_string(),
            );
        }
    }
}

pub(super) fn set_header(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        axum::http::HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(name, value);
    }
}

/// Whole seconds with a literal `.000Z`: oss2 parses `LastModified` with exactly that pattern.
pub(super) fn iso_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string()
}

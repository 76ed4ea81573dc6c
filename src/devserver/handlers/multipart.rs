//! Multipart uploads: InitiateMultipartUpload, UploadPart, UploadPartCopy (with
//! `x-oss-copy-source-range` and the source preconditions), CompleteMultipartUpload (parts
//! of at least 100 KB but the last), AbortMultipartUpload and ListParts.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use md5::Digest as _;

use super::copy::source_object;
use super::object::{
    etag_of, iso_time, key_of, record_from_request, set_header, write_object_headers,
};
use super::object_write::write_locked;
use super::{empty, xml};
use crate::core::objects::facts::ObjectType;
use crate::core::objects::plan::{MAX_PARTS, MIN_PART_SIZE};
use crate::core::xml::multipart::{
    CompleteResult, CompleteUpload, CopyResult, InitiateResult, ListPartsResult, ListedPart,
    parse_doc,
};
use crate::core::xml::to_document;
use crate::devserver::errors::OssError;
use crate::devserver::routes::{MAX_BODY_BYTES, RequestCtx};
use crate::devserver::server::RegionState;
use crate::devserver::store::{BucketRecord, Part, PartBody, Upload, generated_bytes};

pub(super) fn initiate(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let key = key_of(ctx)?;
    let mut template = record_from_request(ctx, bucket, &key, String::new(), 0)?;
    template.object_type = ObjectType::Multipart;
    let upload_id = st.shared.store.uploads.start(Upload {
        bucket: bucket.name.clone(),
        template: template.clone(),
        parts: std::collections::BTreeMap::new(),
    });
    let doc = InitiateResult {
        bucket: bucket.name.clone(),
        key,
        upload_id,
    };
    let mut response = xml(StatusCode::OK, to_document(&doc));
    write_object_headers(response.headers_mut(), &template, false);
    Ok(response)
}

fn upload_of(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<(String, Upload), OssError> {
    let id = ctx.query("uploadId").unwrap_or_default().to_owned();
    let key = key_of(ctx)?;
    let upload = st.shared.store.uploads.get(&id, &bucket.name, &key).ok_or_else(|| {
        OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchUpload",
            "0042-00000002",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
    })?;
    Ok((id, upload))
}

fn part_number(ctx: &RequestCtx) -> Result<u32, OssError> {
    ctx.query("partNumber")
        .and_then(|n| n.trim().parse::<u32>().ok())
        .filter(|n| (1..=u32::try_from(MAX_PARTS).unwrap_or(u32::MAX)).contains(n))
        .ok_or_else(|| {
            OssError::invalid_argument(
                "0042-00000003",
                "Part number must be an integer between 1 and 10000.",
            )
        })
}

/// UploadPart (body) or, with `x-oss-copy-source`, UploadPartCopy.
pub(super) async fn upload_part(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let (id, _) = upload_of(st, ctx, bucket)?;
    let number = part_number(ctx)?;
    if ctx.header("x-oss-copy-source").is_none() {
        let part = Part {
            etag: etag_of(&ctx.body),
            size: ctx.body.len() as u64,
            body: PartBody::Bytes(ctx.body.clone()),
        };
        let etag = part.etag.clone();
        st.shared.store.uploads.add_part(&id, number, part);
        let mut response = empty(StatusCode::OK);
        set_header(response.headers_mut(), "etag", &etag);
        return Ok(response);
    }
    let (source_bucket, source) = source_object(st, ctx, bucket)?;
    let (start, end) = match ctx.header("x-oss-copy-source-range") {
        None => (0, source.size.saturating_sub(1)),
        Some(range) => parse_range(range)
            .filter(|(a, b)| a <= b && *b < source.size)
            .ok_or_else(|| {
                OssError::invalid_argument(
                    "0042-00000004",
                    "The x-oss-copy-source-range is not valid.",
                )
            })?,
    };
    let len = if source.size == 0 { 0 } else { end - start + 1 };
    let (etag, body) = if source.generated {
        let etag = format!(
            "\"{}\"",
            hex::encode_upper(md5::Md5::digest(format!("generated {start} {len}")))
        );
        (etag, PartBody::Generated { offset: start })
    } else {
        if len > MAX_BODY_BYTES as u64 {
            return Err(OssError::entity_too_large());
        }
        let bytes = st
            .shared
            .store
            .read_range(&source_bucket.name, &source, start, len)
            .await
            .map_err(|_| OssError::internal("disk read failed"))?;
        (etag_of(&bytes), PartBody::Bytes(bytes.into()))
    };
    st.shared.store.uploads.add_part(
        &id,
        number,
        Part {
            etag: etag.clone(),
            size: len,
            body,
        },
    );
    let doc = CopyResult {
        last_modified: iso_time(ctx.now.timestamp_millis()),
        etag: etag.clone(),
    };
    let body = to_document(&doc)
        .replace("<CopyResult>", "<CopyPartResult>")
        .replace("</CopyResult>", "</CopyPartResult>");
    // oss2 reads the part's ETag from the header, the v2 SDKs from the body.
    let mut response = xml(StatusCode::OK, body);
    set_header(response.headers_mut(), "etag", &etag);
    Ok(response)
}

fn parse_range(value: &str) -> Option<(u64, u64)> {
    let (a, b) = value.trim().strip_prefix("bytes=")?.split_once('-')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

pub(super) async fn complete(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    // Under the key's lock from the look-up of the upload to its removal: of two Completes
    // of one upload, the second finds it gone, and the object it replaces is read (for its
    // version) under the lock too.
    let writer = st
        .shared
        .store
        .write_object(&bucket.name, &key_of(ctx)?)
        .await;
    let (id, upload) = upload_of(st, ctx, bucket)?;
    let text = std::str::from_utf8(&ctx.body).map_err(|_| OssError::malformed_xml())?;
    let list: CompleteUpload =
        parse_doc(text, "CompleteMultipartUpload").map_err(|_| OssError::malformed_xml())?;
    let invalid_part = || {
        OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidPart",
            "0042-00000005",
            "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
        )
    };
    if list.parts.is_empty()
        || list
            .parts
            .windows(2)
            .any(|w| w[0].part_number >= w[1].part_number)
    {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidPartOrder",
            "0042-00000006",
            "The list of parts was not in ascending order.",
        ));
    }
    let mut parts = Vec::new();
    for (i, wanted) in list.parts.iter().enumerate() {
        let part = upload
            .parts
            .get(&wanted.part_number)
            .ok_or_else(invalid_part)?;
        if part.etag.trim_matches('"') != wanted.etag.trim().trim_matches('"') {
            return Err(invalid_part());
        }
        if i + 1 < list.parts.len() && part.size < MIN_PART_SIZE {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "EntityTooSmall",
                "0042-00000007",
                "Your proposed upload is smaller than the minimum allowed size.",
            ));
        }
        parts.push(part.clone());
    }
    let size: u64 = parts.iter().map(|p| p.size).sum();
    let mut md5s = Vec::new();
    for part in &parts {
        md5s.extend(hex::decode(part.etag.trim_matches('"')).unwrap_or_default());
    }
    let etag = format!(
        "\"{}-{}\"",
        hex::encode_upper(md5::Md5::digest(&md5s)),
        parts.len()
    );
    let mut record = upload.template.clone();
    record.etag.clone_from(&etag);
    record.size = size;
    record.last_modified_ms = ctx.now.timestamp_millis();
    let body = assemble(&parts)?;
    record.generated = body.is_none();
    let record = write_locked(&writer, &bucket.name, record, body).await?;
    st.shared.store.uploads.remove(&id);
    let doc = CompleteResult {
        bucket: bucket.name.clone(),
        key: record.key.clone(),
        etag,
    };
    let mut response = xml(StatusCode::OK, to_document(&doc));
    write_object_headers(response.headers_mut(), &record, false);
    Ok(response)
}

/// The object's body: the parts' bytes joined, or `None` for a generated object when every
/// part is the matching range of a generated body (a copy of a generated object).
fn assemble(parts: &[Part]) -> Result<Option<Bytes>, OssError> {
    let mut offset = 0;
    let generated = parts.iter().all(|p| {
        let ok = matches!(p.body, PartBody::Generated { offset: o } if o == offset);
        offset += p.size;
        ok
    });
    if generated {
        return Ok(None);
    }
    let mut joined = Vec::new();
    for part in parts {
        match &part.body {
            PartBody::Bytes(bytes) => joined.extend_from_slice(bytes),
            PartBody::Generated { offset } if part.size <= MAX_BODY_BYTES as u64 => {
                joined.extend(generated_bytes(*offset, part.size));
            }
            PartBody::Generated { .. } => return Err(OssError::entity_too_large()),
        }
        if joined.len() > 4 * MAX_BODY_BYTES {
            return Err(OssError::entity_too_large());
        }
    }
    Ok(Some(joined.into()))
}

/// Under the key's lock, as Complete: an upload is either completed or aborted, never both.
pub(super) async fn abort(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let _writer = st
        .shared
        .store
        .write_object(&bucket.name, &key_of(ctx)?)
        .await;
    let (id, _) = upload_of(st, ctx, bucket)?;
    st.shared.store.uploads.remove(&id);
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) fn list_parts(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let (id, upload) = upload_of(st, ctx, bucket)?;
    let doc = ListPartsResult {
        bucket: bucket.name.clone(),
        key: upload.template.key.clone(),
        upload_id: id,
        is_truncated: false,
        parts: upload
            .parts
            .iter()
            .map(|(n, p)| ListedPart {
                part_number: *n,
                etag: p.etag.clone(),
                size: p.size,
            })
            .collect(),
    };
    Ok(xml(StatusCode::OK, to_document(&doc)))
}

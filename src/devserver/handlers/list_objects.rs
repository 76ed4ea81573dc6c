//! ListObjects (v1, `marker`) and ListObjectsV2 (`list-type=2`, `continuation-token`), with
//! `prefix`, `delimiter`, `max-keys` (default 100, at most 1000) and `encoding-type=url`.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;

use super::object::iso_time;
use super::xml;
use crate::core::sign::canonical::encode_component;
use crate::core::xml::list_objects::{CommonPrefix, ListBucketResult, ObjectEntry};
use crate::core::xml::to_document;
use crate::devserver::errors::OssError;
use crate::devserver::routes::RequestCtx;
use crate::devserver::server::RegionState;
use crate::devserver::store::BucketRecord;

const DEFAULT_MAX_KEYS: usize = 100;
const MAX_KEYS: usize = 1000;

pub(super) fn list(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
    v2: bool,
) -> Result<Response, OssError> {
    let prefix = ctx.query("prefix").unwrap_or_default();
    let delimiter = ctx.query("delimiter").filter(|d| !d.is_empty());
    let max_keys = match ctx.query("max-keys").map(str::trim) {
        None | Some("") => DEFAULT_MAX_KEYS,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_KEYS).contains(n))
            .ok_or_else(|| {
                OssError::invalid_argument(
                    "0016-00000101",
                    "Argument max-keys must be an integer between 1 and 1000.",
                )
            })?,
    };
    let url = match ctx.query("encoding-type") {
        None => false,
        Some(e) if e.eq_ignore_ascii_case("url") => true,
        Some(_) => {
            return Err(OssError::invalid_argument(
                "0016-00000102",
                "The encoding-type must be url.",
            ));
        }
    };
    let token = ctx.query("continuation-token").filter(|t| !t.is_empty());
    let after = if v2 {
        match token {
            Some(token) => decode_token(token)?,
            None => ctx.query("start-after").unwrap_or_default().to_owned(),
        }
    } else {
        ctx.query("marker").unwrap_or_default().to_owned()
    };
    let encode = |s: &str| {
        if url {
            encode_component(s)
        } else {
            s.to_owned()
        }
    };
    let mut doc = ListBucketResult {
        name: bucket.name.clone(),
        prefix: encode(prefix),
        max_keys: u32::try_from(max_keys).unwrap_or(1000),
        delimiter: delimiter.map(encode),
        encoding_type: url.then(|| "url".to_owned()),
        ..ListBucketResult::default()
    };
    if !v2 {
        doc.marker = Some(encode(&after));
    }
    // Walk the keys in order, folding those under a delimiter into one common prefix.
    let mut cursor = after;
    let mut last = None;
    let mut count = 0;
    'pages: loop {
        let (page, more) =
            st.shared
                .store
                .list_objects(&bucket.name, prefix, &cursor, MAX_KEYS, false);
        for object in &page {
            cursor.clone_from(&object.key);
            let folded = delimiter.and_then(|d| {
                object.key[prefix.len()..]
                    .find(d)
                    .map(|at| object.key[..prefix.len() + at + d.len()].to_owned())
            });
            if count == max_keys {
                doc.is_truncated = true;
                break 'pages;
            }
            match folded {
                Some(common) => {
                    if doc.common_prefixes.last().map(|c| &c.prefix) != Some(&encode(&common)) {
                        doc.common_prefixes.push(CommonPrefix {
                            prefix: encode(&common),
                        });
                        count += 1;
                    }
                    // Skip the rest of the folded keys.
                    last = Some(format!("{common}\u{10ffff}"));
                    cursor = last.clone().unwrap_or_default();
                    continue 'pages;
                }
                None => {
                    doc.contents.push(entry(object, &encode));
                    last = Some(object.key.clone());
                    count += 1;
                }
            }
        }
        if !more {
            break;
        }
    }
    if doc.is_truncated {
        let next = last.unwrap_or_default();
        if v2 {
            doc.next_continuation_token = Some(encode_token(&next));
        } else {
            doc.next_marker = Some(encode(&next));
        }
    }
    if v2 {
        doc.key_count = u32::try_from(count).ok();
    }
    Ok(xml(StatusCode::OK, to_document(&doc)))
}

fn entry(
    object: &crate::devserver::store::ObjectRecord,
    encode: &dyn Fn(&str) -> String,
) -> ObjectEntry {
    ObjectEntry {
        key: encode(&object.key),
        last_modified: iso_time(object.last_modified_ms),
        etag: object.etag.clone(),
        object_type: object.object_type.as_str().to_owned(),
        size: object.size,
        storage_class: object.storage_class.as_str().to_owned(),
    }
}

/// The token is opaque to clients: here, the last key listed, base64url.
fn encode_token(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

fn decode_token(token: &str) -> Result<String, OssError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            OssError::invalid_argument("0016-00000103", "The continuation token is not valid.")
        })
}

/// ListObjectVersions (`GET /?versions`): every version and delete marker of the keys under
/// `prefix`, newest first per key. The dev server answers in one page (up to `max-keys`, default 1000).
pub(super) fn list_versions(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    use std::fmt::Write as _;
    let prefix = ctx.query("prefix").unwrap_or_default();
    let max = ctx
        .query("max-keys")
        .and_then(|m| m.trim().parse::<usize>().ok())
        .unwrap_or(MAX_KEYS)
        .clamp(1, MAX_KEYS);
    let (objects, _) = st
        .shared
        .store
        .list_objects(&bucket.name, prefix, "", usize::MAX, true);
    let mut body = String::new();
    let mut count = 0;
    let mut truncated = false;
    let escape = |s: &str| quick_xml::escape::escape(s).into_owned();
    'objects: for object in &objects {
        let current = std::iter::once((
            object.version_id.clone().unwrap_or_else(|| "null".into()),
            object.etag.clone(),
            object.size,
            true,
            object.delete_marker,
        ));
        let older = object.older_versions.iter().rev().map(|v| {
            let id = v.version_id.clone();
            (id, v.etag.clone(), v.size, false, v.delete_marker)
        });
        for (version, etag, size, latest, marker) in current.chain(older) {
            if count == max {
                truncated = true;
                break 'objects;
            }
            count += 1;
            let (key, version, modified) = (
                escape(&object.key),
                escape(&version),
                iso_time(object.last_modified_ms),
            );
            let _ = if marker {
                write!(
                    body,
                    "<DeleteMarker><Key>{key}</Key><VersionId>{version}</VersionId><IsLatest>{latest}</IsLatest><LastModified>{modified}</LastModified></DeleteMarker>",
                )
            } else {
                write!(
                    body,
                    "<Version><Key>{key}</Key><VersionId>{version}</VersionId><IsLatest>{latest}</IsLatest><LastModified>{modified}</LastModified><ETag>{}</ETag><Size>{size}</Size><StorageClass>{}</StorageClass></Version>",
                    escape(&etag),
                    object.storage_class.as_str(),
                )
            };
        }
    }
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListVersionsResult><Name>{}</Name><Prefix>{}</Prefix><MaxKeys>{max}</MaxKeys><IsTruncated>{truncated}</IsTruncated>{body}</ListVersionsResult>",
        escape(&bucket.name),
        escape(prefix),
    );
    Ok(xml(StatusCode::OK, doc))
}

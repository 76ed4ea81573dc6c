//! What an object carries besides its data: tagging (Get/Put/DeleteObjectTagging), the
//! canned ACL (Get/PutObjectAcl), and the restore state of archived data (RestoreObject).

use axum::http::StatusCode;
use axum::response::Response;

use super::object::key_of;
use super::{empty, store_error, xml};
use crate::core::xml::multipart::{
    AccessControlList, AccessControlPolicy, Tag, TagSet, Tagging, parse_doc,
};
use crate::core::xml::to_document;
use crate::devserver::errors::OssError;
use crate::devserver::routes::RequestCtx;
use crate::devserver::server::RegionState;
use crate::devserver::store::{BucketRecord, ObjectRecord};

const ACLS: [&str; 4] = ["default", "private", "public-read", "public-read-write"];

fn current(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<ObjectRecord, OssError> {
    let key = key_of(ctx)?;
    st.shared
        .store
        .object(&bucket.name, &key)
        .map(|o| ObjectRecord::clone(&o))
        .ok_or_else(OssError::no_such_key)
}

/// Changes the key's current record with `change` and rewrites its metadata, reading it
/// under the key's write lock: a PutObject at the same time is never undone by a record
/// read before it. `change` may refuse (its error is answered, nothing is written) or
/// decide nothing needs writing (`Ok(false)`).
async fn update(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
    change: impl FnOnce(&mut ObjectRecord) -> Result<bool, OssError>,
) -> Result<(), OssError> {
    let key = key_of(ctx)?;
    let writer = st.shared.store.write_object(&bucket.name, &key).await;
    let mut record = writer
        .current()
        .map(|o| ObjectRecord::clone(&o))
        .ok_or_else(OssError::no_such_key)?;
    if !change(&mut record)? {
        return Ok(());
    }
    writer
        .put_meta(record)
        .await
        .map_err(|e| store_error(e, &bucket.name))
}

pub(super) fn get_tagging(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let record = current(st, ctx, bucket)?;
    let doc = Tagging {
        tag_set: TagSet {
            tags: record
                .tags
                .iter()
                .map(|(key, value)| Tag {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect(),
        },
    };
    Ok(xml(StatusCode::OK, to_document(&doc)))
}

pub(super) async fn put_tagging(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    update(st, ctx, bucket, |record| {
        let text = std::str::from_utf8(&ctx.body).map_err(|_| OssError::malformed_xml())?;
        let doc: Tagging = parse_doc(text, "Tagging").map_err(|_| OssError::malformed_xml())?;
        if doc.tag_set.tags.len() > 10 || doc.tag_set.tags.iter().any(|t| t.key.is_empty()) {
            return Err(OssError::invalid_argument(
                "0017-00000301",
                "The tag set is invalid: at most 10 tags with non-empty keys.",
            ));
        }
        record.tags = doc
            .tag_set
            .tags
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect();
        Ok(true)
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

pub(super) async fn delete_tagging(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    update(st, ctx, bucket, |record| {
        record.tags.clear();
        Ok(true)
    })
    .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub(super) fn get_acl(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let record = current(st, ctx, bucket)?;
    let doc = AccessControlPolicy {
        access_control_list: AccessControlList { grant: record.acl },
    };
    Ok(xml(StatusCode::OK, to_document(&doc)))
}

pub(super) async fn put_acl(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    update(st, ctx, bucket, |record| {
        let acl = ctx
            .header("x-oss-object-acl")
            .map(str::trim)
            .unwrap_or_default();
        if !ACLS.contains(&acl) {
            return Err(OssError::invalid_argument(
                "0017-00000601",
                "The ACL you provided is not valid.",
            ));
        }
        acl.clone_into(&mut record.acl);
        Ok(true)
    })
    .await?;
    Ok(empty(StatusCode::OK))
}

/// RestoreObject: 202 when a restore starts, 409 while one is under way, 200 once the data
/// is readable. The dev server restores at once unless the record says otherwise (the demo
/// keeps one object "ongoing" for ever).
pub(super) async fn restore(
    st: &RegionState,
    ctx: &RequestCtx,
    bucket: &BucketRecord,
) -> Result<Response, OssError> {
    let now = ctx.now.timestamp_millis();
    let mut status = StatusCode::OK;
    update(st, ctx, bucket, |record| {
        if !record.storage_class.needs_restore() {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "OperationNotSupported",
                "0016-00000702",
                "The operation is not supported for this resource.",
            ));
        }
        match record.restore_ready_ms {
            Some(ready) if now < ready => Err(OssError::new(
                StatusCode::CONFLICT,
                "RestoreAlreadyInProgress",
                "0016-00000703",
                "The restore operation is in progress.",
            )),
            Some(_) => Ok(false),
            None => {
                record.restore_ready_ms = Some(now);
                status = StatusCode::ACCEPTED;
                Ok(true)
            }
        }
    })
    .await?;
    Ok(empty(status))
}

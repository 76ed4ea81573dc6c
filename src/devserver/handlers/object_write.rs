//! Writing an object as the key's current one, as every object write does (PutObject,
//! CopyObject, CompleteMultipartUpload, PutSymlink): the retention (WORM) check and, on a
//! versioned bucket, keeping the replaced object as an older version.

use axum::body::Bytes;
use axum::http::StatusCode;

use super::store_error;
use crate::devserver::errors::OssError;
use crate::devserver::server::RegionState;
use crate::devserver::store::{BucketRecord, ObjectRecord, ObjectWriter, VersionSummary};

/// Writes `record` as the key's current object, under the key's write lock.
pub(super) async fn write_record(
    st: &RegionState,
    bucket: &BucketRecord,
    record: ObjectRecord,
    body: Option<Bytes>,
) -> Result<ObjectRecord, OssError> {
    let writer = st
        .shared
        .store
        .write_object(&bucket.name, &record.key)
        .await;
    write_locked(&writer, &bucket.name, record, body).await
}

/// Writes `record` as the current object of `writer`'s key: refused on a retention-locked
/// bucket when the key exists; on a bucket with versioning (enabled or suspended) the
/// previous object becomes an older version. The previous object and the bucket are read under the lock, so writes at once
/// to one key each keep their version.
pub(super) async fn write_locked(
    writer: &ObjectWriter<'_>,
    bucket_name: &str,
    mut record: ObjectRecord,
    body: Option<Bytes>,
) -> Result<ObjectRecord, OssError> {
    let bucket = writer
        .bucket()
        .ok_or_else(|| OssError::no_such_bucket(bucket_name))?;
    let existing = writer.current();
    if bucket.worm_days.is_some() && existing.is_some() {
        return Err(immutable());
    }
    if bucket.versioning.is_some() {
        let latest = writer.latest_version();
        keep_versions(&mut record, latest.as_deref(), bucket.versioned());
    }
    writer
        .put(record.clone(), body)
        .await
        .map_err(|e| store_error(e, bucket_name))?;
    Ok(record)
}

/// The versions `record` carries on a bucket whose versioning is enabled (a new version id;
/// `previous` joins the older versions) or suspended (the `null` version: it replaces a
/// `null` previous or older one; the other versions stay). OSS documents the null version
/// ID of writes while suspended; [unverified] that a write then replaces a null version
/// that is no longer current (S3 does). Either way no version with an id is ever dropped.
fn keep_versions(record: &mut ObjectRecord, previous: Option<&ObjectRecord>, enabled: bool) {
    record.version_id = enabled.then(|| hex::encode(rand::random::<[u8; 16]>()));
    let Some(old) = previous else {
        return;
    };
    record.older_versions.clone_from(&old.older_versions);
    if !enabled {
        record
            .older_versions
            .retain(|v| v.version_id != NULL_VERSION);
    }
    let old_id = old.version_id.as_deref().unwrap_or(NULL_VERSION);
    if enabled || old_id != NULL_VERSION {
        record.older_versions.push(VersionSummary {
            version_id: old_id.to_owned(),
            etag: old.etag.clone(),
            size: old.size,
            sse: old.sse.clone(),
            delete_marker: old.delete_marker,
        });
    }
}

/// The id of the version written while versioning was off or suspended.
const NULL_VERSION: &str = "null";

/// The answer to overwriting or deleting an object under a retention policy.
pub(super) fn immutable() -> OssError {
    OssError::new(
        StatusCode::CONFLICT,
        "FileImmutable",
        "0025-00000101",
        "The object you specified is immutable.",
    )
}

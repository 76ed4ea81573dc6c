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
/// bucket when the key exists; on a versioned bucket the previous object becomes an older
/// version. The previous object and the bucket are read under the lock, so writes at once
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
    if bucket.versioned() {
        record.version_id = Some(hex::encode(rand::random::<[u8; 16]>()));
        if let Some(old) = existing {
            record.older_versions.clone_from(&old.older_versions);
            record.older_versions.push(VersionSummary {
                version_id: old.version_id.clone().unwrap_or_else(|| "null".to_owned()),
                etag: old.etag.clone(),
                size: old.size,
                sse: old.sse.clone(),
            });
        }
    }
    writer
        .put(record.clone(), body)
        .await
        .map_err(|e| store_error(e, bucket_name))?;
    Ok(record)
}

/// The answer to overwriting or deleting an object under a retention policy.
pub(super) fn immutable() -> OssError {
    OssError::new(
        StatusCode::CONFLICT,
        "FileImmutable",
        "0025-00000101",
        "The object you specified is immutable.",
    )
}

//! Objects in the store: lookups, listing in key order, bodies (on disk, or generated for
//! large and seeded objects), metadata-only updates, and the seed pack of `--seed-objects`.

use std::sync::Arc;

use axum::body::Bytes;
use serde::{Deserialize, Serialize};

use super::disk::{remove_file, sync_dir, to_json, write_atomic};
use super::write_locks::ObjectGuard;
use super::{BucketRecord, ObjectRecord, Store, StoreError, blocking};
use crate::core::sse::SseRule;

/// An earlier version of an object on a versioned bucket: what it was encrypted with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct VersionSummary {
    pub version_id: String,
    pub etag: String,
    pub size: u64,
    #[serde(default)]
    pub sse: Option<SseRule>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete_marker: bool,
}

/// Bytes `start..start + len` of a generated body: a fixed pattern, so any range of any
/// size can be produced (and compared) without storing it.
pub(crate) fn generated_bytes(start: u64, len: u64) -> Vec<u8> {
    (start..start + len).map(|i| (i % 251) as u8).collect()
}

impl Store {
    /// The key's object; none when its latest version is a delete marker.
    pub fn object(&self, bucket: &str, key: &str) -> Option<Arc<ObjectRecord>> {
        self.latest_version(bucket, key)
            .filter(|o| !o.delete_marker)
    }

    /// The key's latest version, a delete marker included, with the older versions.
    pub fn latest_version(&self, bucket: &str, key: &str) -> Option<Arc<ObjectRecord>> {
        self.read_index().objects.get(bucket)?.get(key).cloned()
    }

    /// Objects whose keys start with `prefix` and sort after `after`, at most `max`; the
    /// flag says whether more follow. Keys whose latest version is a delete marker are left
    /// out unless `with_markers` (ListObjectVersions).
    pub fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        after: &str,
        max: usize,
        with_markers: bool,
    ) -> (Vec<Arc<ObjectRecord>>, bool) {
        let index = self.read_index();
        let Some(objects) = index.objects.get(bucket) else {
            return (Vec::new(), false);
        };
        super::page_where(objects, prefix, after, max, |o| {
            with_markers || !o.delete_marker
        })
    }

    /// Bytes `start..start + len` of the object's body.
    pub async fn read_range(
        &self,
        bucket: &str,
        record: &ObjectRecord,
        start: u64,
        len: u64,
    ) -> std::io::Result<Vec<u8>> {
        if record.generated {
            return Ok(generated_bytes(start, len));
        }
        let body = tokio::fs::read(self.layout.object_file(bucket, &record.key, "")).await?;
        let from = usize::try_from(start).unwrap_or(usize::MAX).min(body.len());
        let to = usize::try_from(start.saturating_add(len))
            .unwrap_or(usize::MAX)
            .min(body.len());
        Ok(body[from..to].to_vec())
    }

    pub async fn read_body(&self, bucket: &str, record: &ObjectRecord) -> std::io::Result<Vec<u8>> {
        self.read_range(bucket, record, 0, record.size).await
    }

    /// Takes `bucket`/`key`'s write lock. Whatever reads the object's record to build its
    /// next one (versions, append positions, tags, existence checks) reads it through the
    /// returned writer, so no other write to the key lands between that read and the write.
    pub async fn write_object(&self, bucket: &str, key: &str) -> ObjectWriter<'_> {
        ObjectWriter {
            _guard: self.writes.object(bucket, key).await,
            store: self,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        }
    }

    fn index_object(&self, bucket: &str, record: ObjectRecord) {
        self.write_index()
            .objects
            .entry(bucket.to_owned())
            .or_default()
            .insert(record.key.clone(), Arc::new(record));
    }

    /// Writes many generated objects into the bucket's seed pack: one file, one fsync.
    pub fn seed_objects(&self, bucket: &str, records: Vec<ObjectRecord>) -> std::io::Result<()> {
        self.layout.write_object_pack(bucket, &records)?;
        let mut index = self.write_index();
        let objects = index.objects.entry(bucket.to_owned()).or_default();
        for record in records {
            objects.insert(record.key.clone(), Arc::new(record));
        }
        Ok(())
    }
}

/// One key's write lock held: reads of the key's record and bucket are stable until it is
/// dropped, and writes go through it. Records written get the writer's key.
pub(crate) struct ObjectWriter<'a> {
    _guard: ObjectGuard<'a>,
    store: &'a Store,
    bucket: String,
    key: String,
}

impl ObjectWriter<'_> {
    /// The key's object (none under a delete marker); no other write can change it while
    /// the writer lives.
    pub fn current(&self) -> Option<Arc<ObjectRecord>> {
        self.store.object(&self.bucket, &self.key)
    }

    /// The key's latest version, a delete marker included: what a new version builds on.
    pub fn latest_version(&self) -> Option<Arc<ObjectRecord>> {
        self.store.latest_version(&self.bucket, &self.key)
    }

    /// The bucket's record: bucket changes wait for object writers, so it holds until the
    /// write lands (a versioning or retention change cannot slip in between).
    pub fn bucket(&self) -> Option<Arc<BucketRecord>> {
        self.store.bucket(&self.bucket)
    }

    /// Stores the body (`None`: a generated one), then the metadata (the commit point: a
    /// body without metadata is ignored).
    pub async fn put(
        &self,
        mut record: ObjectRecord,
        body: Option<Bytes>,
    ) -> Result<(), StoreError> {
        if self.bucket().is_none() {
            return Err(StoreError::NoBucket);
        }
        record.key.clone_from(&self.key);
        let layout = &self.store.layout;
        let body_path = layout.object_file(&self.bucket, &self.key, "");
        let meta_path = layout.object_file(&self.bucket, &self.key, ".json");
        let tombstone = layout.object_file(&self.bucket, &self.key, ".deleted");
        let dir = layout.objects_dir(&self.bucket);
        let meta = to_json(&record);
        blocking(move || {
            std::fs::create_dir_all(dir)?;
            match body {
                Some(body) => write_atomic(&body_path, &body, true)?,
                None => remove_file(&body_path)?,
            }
            write_atomic(&meta_path, &meta, true)?;
            remove_file(&tombstone)
        })
        .await?;
        self.store.index_object(&self.bucket, record);
        Ok(())
    }

    /// Rewrites the metadata only (tags, ACL, restore state); the body stays.
    pub async fn put_meta(&self, mut record: ObjectRecord) -> Result<(), StoreError> {
        record.key.clone_from(&self.key);
        let meta_path = self
            .store
            .layout
            .object_file(&self.bucket, &self.key, ".json");
        let dir = self.store.layout.objects_dir(&self.bucket);
        let meta = to_json(&record);
        blocking(move || {
            std::fs::create_dir_all(dir)?;
            write_atomic(&meta_path, &meta, true)
        })
        .await?;
        self.store.index_object(&self.bucket, record);
        Ok(())
    }

    /// Deletes the key with all its versions; a missing one is not an error (OSS answers
    /// 204 either way).
    pub async fn delete(&self) -> Result<(), StoreError> {
        if self.latest_version().is_none() {
            return Ok(());
        }
        let layout = &self.store.layout;
        let body_path = layout.object_file(&self.bucket, &self.key, "");
        let meta_path = layout.object_file(&self.bucket, &self.key, ".json");
        let tombstone = layout.object_file(&self.bucket, &self.key, ".deleted");
        let dir = layout.objects_dir(&self.bucket);
        blocking(move || {
            // The tombstone hides a seed-pack entry of the same key after a restart.
            write_atomic(&tombstone, b"", false)?;
            remove_file(&meta_path)?;
            sync_dir(&dir)?;
            remove_file(&body_path)
        })
        .await?;
        if let Some(objects) = self.store.write_index().objects.get_mut(&self.bucket) {
            objects.remove(&self.key);
        }
        Ok(())
    }
}

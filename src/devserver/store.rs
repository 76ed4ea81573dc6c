//! The server's state on disk (layout in [`disk`]), with an in-memory index for fast reads.
//!
//! Designed for 10,000+ buckets: one small file per bucket, so a rule change rewrites one
//! file, not the world. Writers are serialised by an async mutex and do their I/O on the
//! blocking pool, disk first, index second; readers only take the index's `RwLock` for a
//! lookup and clone an `Arc` out, never across I/O or `.await`.
mod disk;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use serde::{Deserialize, Serialize};

use self::disk::{Layout, remove_dir_all, remove_file, sync_dir, to_json, write_atomic};
use crate::core::sse::SseRule;

/// One bucket as stored. `denied_actions` lists RAM actions (`oss:GetBucketInfo`, ...) the
/// server's key may not call on it: a stand-in for a RAM policy, used by the demo data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BucketRecord {
    pub name: String,
    pub region: String,
    /// ISO 8601 with milliseconds, as OSS writes `CreationDate`.
    pub creation_date: String,
    #[serde(default = "standard_class")]
    pub storage_class: String,
    #[serde(default)]
    pub rule: Option<SseRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denied_actions: Vec<String>,
}

fn standard_class() -> String {
    "Standard".to_owned()
}

/// One object's metadata; the body is a separate file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ObjectRecord {
    pub key: String,
    /// Quoted upper-case hex MD5, as OSS sends `ETag`.
    pub etag: String,
    pub size: u64,
    pub content_type: String,
    /// Milliseconds since the Unix epoch.
    pub last_modified_ms: i64,
    #[serde(default)]
    pub sse: Option<SseRule>,
}

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("the bucket already exists")]
    Exists,
    #[error("no such bucket")]
    NoBucket,
    #[error("the bucket is not empty")]
    NotEmpty,
    #[error("disk error: {0}")]
    Io(#[from] io::Error),
}

#[derive(Default)]
struct Index {
    buckets: BTreeMap<String, Arc<BucketRecord>>,
    /// Buckets that live in the seed pack (deleting one writes a tombstone).
    packed: HashSet<String>,
    objects: HashMap<String, BTreeMap<String, Arc<ObjectRecord>>>,
}

pub(crate) struct Store {
    layout: Layout,
    index: RwLock<Index>,
    writer: tokio::sync::Mutex<()>,
}

impl Store {
    /// Opens (creating if needed) the data dir and loads every record. Blocking.
    pub fn open(root: &Path) -> io::Result<Self> {
        let layout = Layout::create(root)?;
        let loaded = layout.load()?;
        Ok(Self {
            layout,
            index: RwLock::new(Index {
                buckets: loaded.buckets,
                packed: loaded.packed,
                objects: loaded.objects,
            }),
            writer: tokio::sync::Mutex::new(()),
        })
    }

    fn read_index(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_index(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn bucket_count(&self) -> usize {
        self.read_index().buckets.len()
    }

    pub fn bucket(&self, name: &str) -> Option<Arc<BucketRecord>> {
        self.read_index().buckets.get(name).cloned()
    }

    /// Buckets after `marker` (exclusive) whose names start with `prefix`, in name order, at
    /// most `max`; the flag says whether more follow.
    pub fn list(&self, prefix: &str, marker: &str, max: usize) -> (Vec<Arc<BucketRecord>>, bool) {
        let index = self.read_index();
        let start = if marker.is_empty() {
            Bound::Unbounded
        } else {
            Bound::Excluded(marker.to_owned())
        };
        let mut page: Vec<Arc<BucketRecord>> = index
            .buckets
            .range((start, Bound::Unbounded))
            .map(|(_, b)| b)
            .skip_while(|b| !prefix.is_empty() && b.name.as_str() < prefix)
            .take_while(|b| b.name.starts_with(prefix))
            .take(max.saturating_add(1))
            .cloned()
            .collect();
        let truncated = page.len() > max;
        page.truncate(max);
        (page, truncated)
    }

    /// Writes many new buckets at once into the seed pack: one file and one fsync, so
    /// `--seed-buckets 10000` takes milliseconds. Blocking.
    pub fn seed(&self, records: Vec<BucketRecord>) -> io::Result<()> {
        self.layout.write_pack(&records)?;
        let mut index = self.write_index();
        for record in records {
            index.packed.insert(record.name.clone());
            index.buckets.insert(record.name.clone(), Arc::new(record));
        }
        Ok(())
    }

    pub async fn create_bucket(&self, record: BucketRecord) -> Result<(), StoreError> {
        let _guard = self.writer.lock().await;
        if self.bucket(&record.name).is_some() {
            return Err(StoreError::Exists);
        }
        let path = self.layout.bucket_file(&record.name);
        let tombstone = self.layout.tombstone(&record.name);
        let bytes = to_json(&record);
        // The file wins over a tombstone, so removing the tombstone second is crash-safe.
        blocking(move || {
            write_atomic(&path, &bytes, true)?;
            remove_file(&tombstone)
        })
        .await?;
        self.write_index()
            .buckets
            .insert(record.name.clone(), Arc::new(record));
        Ok(())
    }

    /// Replaces (or with `None` removes) a bucket's default encryption rule.
    pub async fn set_rule(&self, name: &str, rule: Option<SseRule>) -> Result<(), StoreError> {
        let _guard = self.writer.lock().await;
        let current = self.bucket(name).ok_or(StoreError::NoBucket)?;
        let mut record = BucketRecord::clone(&current);
        record.rule = rule;
        let path = self.layout.bucket_file(name);
        let bytes = to_json(&record);
        blocking(move || write_atomic(&path, &bytes, true)).await?;
        self.write_index()
            .buckets
            .insert(name.to_owned(), Arc::new(record));
        Ok(())
    }

    pub async fn delete_bucket(&self, name: &str) -> Result<(), StoreError> {
        let _guard = self.writer.lock().await;
        {
            let index = self.read_index();
            if !index.buckets.contains_key(name) {
                return Err(StoreError::NoBucket);
            }
            if index.objects.get(name).is_some_and(|o| !o.is_empty()) {
                return Err(StoreError::NotEmpty);
            }
        }
        let packed = self.read_index().packed.contains(name);
        let file = self.layout.bucket_file(name);
        let tombstone = self.layout.tombstone(name);
        let objects = self.layout.objects_dir(name);
        let dir = self.layout.buckets_dir();
        blocking(move || {
            if packed {
                write_atomic(&tombstone, b"", true)?;
            }
            remove_file(&file)?;
            sync_dir(&dir)?;
            remove_dir_all(&objects)
        })
        .await?;
        let mut index = self.write_index();
        index.buckets.remove(name);
        index.objects.remove(name);
        Ok(())
    }

    pub fn object(&self, bucket: &str, key: &str) -> Option<Arc<ObjectRecord>> {
        self.read_index().objects.get(bucket)?.get(key).cloned()
    }

    pub async fn read_body(&self, bucket: &str, key: &str) -> io::Result<Vec<u8>> {
        tokio::fs::read(self.layout.object_file(bucket, key, "")).await
    }

    /// Stores the body, then the metadata (the commit point: a body without metadata is ignored).
    pub async fn put_object(
        &self,
        bucket: &str,
        record: ObjectRecord,
        body: axum::body::Bytes,
    ) -> Result<(), StoreError> {
        let _guard = self.writer.lock().await;
        if self.bucket(bucket).is_none() {
            return Err(StoreError::NoBucket);
        }
        let body_path = self.layout.object_file(bucket, &record.key, "");
        let meta_path = self.layout.object_file(bucket, &record.key, ".json");
        let dir = self.layout.objects_dir(bucket);
        let meta = to_json(&record);
        blocking(move || {
            std::fs::create_dir_all(dir)?;
            write_atomic(&body_path, &body, true)?;
            write_atomic(&meta_path, &meta, true)
        })
        .await?;
        self.write_index()
            .objects
            .entry(bucket.to_owned())
            .or_default()
            .insert(record.key.clone(), Arc::new(record));
        Ok(())
    }

    /// Deletes an object; a missing one is not an error (OSS answers 204 either way).
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        let _guard = self.writer.lock().await;
        if self.object(bucket, key).is_none() {
            return Ok(());
        }
        let body_path = self.layout.object_file(bucket, key, "");
        let meta_path = self.layout.object_file(bucket, key, ".json");
        let dir = self.layout.objects_dir(bucket);
        blocking(move || {
            remove_file(&meta_path)?;
            sync_dir(&dir)?;
            remove_file(&body_path)
        })
        .await?;
        if let Some(objects) = self.write_index().objects.get_mut(bucket) {
            objects.remove(key);
        }
        Ok(())
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| io::Error::other(format!("disk task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::{BucketRecord, ObjectRecord, Store};

    fn bucket(name: &str) -> BucketRecord {
        BucketRecord {
            name: name.into(),
            region: "cn-hangzhou".into(),
            creation_date: "2024-01-01T00:00:00.000Z".into(),
            storage_class: "Standard".into(),
            rule: None,
            denied_actions: Vec::new(),
        }
    }

    #[tokio::test]
    async fn state_survives_reopen_and_lists_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        store
            .seed(vec![bucket("b-2"), bucket("a-1"), bucket("c-3")])
            .expect("seed");
        store.create_bucket(bucket("a-2")).await.expect("create");
        assert!(store.create_bucket(bucket("a-2")).await.is_err());
        store
            .set_rule("a-1", Some(crate::core::sse::SseRule::Sm4))
            .await
            .expect("rule");
        let object = ObjectRecord {
            key: "../x".into(),
            etag: "\"E\"".into(),
            size: 2,
            content_type: "text/plain".into(),
            last_modified_ms: 0,
            sse: None,
        };
        store
            .put_object("a-1", object, axum::body::Bytes::from_static(b"hi"))
            .await
            .expect("put");
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        let (page, truncated) = store.list("", "", 2);
        let names: Vec<&str> = page.iter().map(|b| b.name.as_str()).collect();
        assert_eq!((names, truncated), (vec!["a-1", "a-2"], true));
        let (page, truncated) = store.list("a-", "a-1", 10);
        assert_eq!((page.len(), truncated), (1, false));
        assert_eq!(store.list("b", "", 10).0.len(), 1);
        assert_eq!(
            store.bucket("a-1").and_then(|b| b.rule.clone()),
            Some(crate::core::sse::SseRule::Sm4)
        );
        assert_eq!(store.read_body("a-1", "../x").await.expect("body"), b"hi");
        assert!(store.delete_bucket("a-1").await.is_err());
        store.delete_object("a-1", "../x").await.expect("delete");
        store.delete_bucket("a-1").await.expect("delete bucket");
        assert_eq!(store.bucket_count(), 3);
        // a-1 came from the seed pack: the tombstone keeps it deleted across a restart...
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        assert!(store.bucket("a-1").is_none());
        assert_eq!(store.bucket_count(), 3);
        // ...until it is created again.
        store.create_bucket(bucket("a-1")).await.expect("recreate");
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.bucket("a-1").map(|b| b.rule.clone()), Some(None));
        store.delete_bucket("c-3").await.expect("delete packed");
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.bucket_count(), 3);
        assert!(store.bucket("c-3").is_none());
    }
}

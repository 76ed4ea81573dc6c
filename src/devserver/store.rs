//! The server's state on disk (layout in [`disk`]), with an in-memory index for fast reads.
//!
//! Designed for 10,000+ buckets: one small file per bucket, so a rule change rewrites one
//! file, not the world. Writers take [`write_locks`] (a bucket change alone, object writes
//! per key) and do their I/O on the blocking pool, disk first, index second; readers only
//! take the index's `RwLock` for a lookup and clone an `Arc` out, never across I/O or `.await`.
mod disk;
mod objects;
mod uploads;
mod write_locks;

pub(crate) use self::objects::{ObjectWriter, VersionSummary, generated_bytes};
pub(crate) use self::uploads::{Part, PartBody, Upload, Uploads};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use serde::{Deserialize, Serialize};

use self::disk::{Layout, remove_dir_all, remove_file, sync_dir};
pub(crate) use self::disk::{to_json, write_atomic};
use crate::core::objects::facts::{ObjectType, StorageClass};
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
    /// `Enabled` or `Suspended` once PutBucketVersioning was called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<String>,
    /// A retention (WORM) policy: objects may be neither overwritten nor deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worm_days: Option<u32>,
}

impl BucketRecord {
    /// A Standard bucket with no rule, versioning or retention.
    pub fn new(name: &str, region: &str, creation_date: &str) -> Self {
        Self {
            name: name.to_owned(),
            region: region.to_owned(),
            creation_date: creation_date.to_owned(),
            storage_class: standard_class(),
            rule: None,
            denied_actions: Vec::new(),
            versioning: None,
            worm_days: None,
        }
    }

    pub fn versioned(&self) -> bool {
        self.versioning.as_deref() == Some("Enabled")
    }
}

fn standard_class() -> String {
    "Standard".to_owned()
}

/// One object's metadata; the body is a separate file unless `generated`.
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
    #[serde(default)]
    pub storage_class: StorageClass,
    #[serde(default)]
    pub object_type: ObjectType,
    /// Set by RestoreObject: the restored copy is readable from this time (ms) on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_ready_ms: Option<i64>,
    /// `x-oss-meta-*` and the content headers other than Content-Type, lower-case names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    /// Canned object ACL; `default` follows the bucket's.
    #[serde(default = "default_acl")]
    pub acl: String,
    /// No body on disk: byte `i` is [`generated_bytes`]' pattern, so a 2 GB object costs
    /// nothing (multipart tests, `--seed-objects`).
    #[serde(default)]
    pub generated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Earlier versions on a versioned bucket (their facts; bodies are not kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub older_versions: Vec<VersionSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symlink_target: Option<String>,
    /// A DeleteObject on a versioned bucket: the key reads as absent, its versions stay.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete_marker: bool,
}

fn default_acl() -> String {
    "default".to_owned()
}

impl ObjectRecord {
    /// A Normal, Standard object with no metadata.
    pub fn new(key: &str, etag: String, size: u64, now_ms: i64, sse: Option<SseRule>) -> Self {
        Self {
            key: key.to_owned(),
            etag,
            size,
            content_type: "application/octet-stream".to_owned(),
            last_modified_ms: now_ms,
            sse,
            storage_class: StorageClass::Standard,
            object_type: ObjectType::Normal,
            restore_ready_ms: None,
            headers: Vec::new(),
            tags: Vec::new(),
            acl: default_acl(),
            generated: false,
            version_id: None,
            older_versions: Vec::new(),
            symlink_target: None,
            delete_marker: false,
        }
    }
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
    writes: write_locks::WriteLocks,
    /// Multipart uploads in progress (memory only: a restart forgets them).
    pub uploads: Uploads,
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
            writes: write_locks::WriteLocks::new(),
            uploads: Uploads::default(),
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
        page(&self.read_index().buckets, prefix, marker, max)
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
        let _guard = self.writes.bucket().await;
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
        self.update_bucket(name, |record| record.rule = rule).await
    }

    /// Changes a bucket's record (rule, versioning, retention) and writes it.
    pub async fn update_bucket(
        &self,
        name: &str,
        change: impl FnOnce(&mut BucketRecord),
    ) -> Result<(), StoreError> {
        let _guard = self.writes.bucket().await;
        let current = self.bucket(name).ok_or(StoreError::NoBucket)?;
        let mut record = BucketRecord::clone(&current);
        change(&mut record);
        let path = self.layout.bucket_file(name);
        let bytes = to_json(&record);
        blocking(move || write_atomic(&path, &bytes, true)).await?;
        self.write_index()
            .buckets
            .insert(name.to_owned(), Arc::new(record));
        Ok(())
    }

    pub async fn delete_bucket(&self, name: &str) -> Result<(), StoreError> {
        let _guard = self.writes.bucket().await;
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
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| io::Error::other(format!("disk task failed: {e}")))?
}

/// One page of a name-ordered map: entries after `after` (exclusive) whose names start with
/// `prefix`, at most `max`, and whether more follow. ListBuckets and ListObjects page alike.
pub(crate) fn page<T: Clone>(
    map: &BTreeMap<String, T>,
    prefix: &str,
    after: &str,
    max: usize,
) -> (Vec<T>, bool) {
    page_where(map, prefix, after, max, |_| true)
}

/// [`page`] of the entries `keep` accepts.
pub(crate) fn page_where<T: Clone>(
    map: &BTreeMap<String, T>,
    prefix: &str,
    after: &str,
    max: usize,
    keep: impl Fn(&T) -> bool,
) -> (Vec<T>, bool) {
    let start = if after.is_empty() {
        Bound::Unbounded
    } else {
        Bound::Excluded(after.to_owned())
    };
    let mut page: Vec<T> = map
        .range((start, Bound::Unbounded))
        .skip_while(|(name, _)| !prefix.is_empty() && name.as_str() < prefix)
        .take_while(|(name, _)| name.starts_with(prefix))
        .filter(|(_, value)| keep(value))
        .take(max.saturating_add(1))
        .map(|(_, value)| value.clone())
        .collect();
    let truncated = page.len() > max;
    page.truncate(max);
    (page, truncated)
}

#[cfg(test)]
mod tests {
    use super::{BucketRecord, ObjectRecord, Store};

    fn bucket(name: &str) -> BucketRecord {
        BucketRecord::new(name, "cn-hangzhou", "2024-01-01T00:00:00.000Z")
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
        let object = ObjectRecord::new("../x", "\"E\"".into(), 2, 0, None);
        store
            .write_object("a-1", "../x")
            .await
            .put(object, Some(axum::body::Bytes::from_static(b"hi")))
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
        let stored = store.object("a-1", "../x").expect("object");
        assert_eq!(store.read_body("a-1", &stored).await.expect("body"), b"hi");
        assert!(store.delete_bucket("a-1").await.is_err());
        store
            .write_object("a-1", "../x")
            .await
            .delete()
            .await
            .expect("delete");
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
        // Seeded objects: generated bodies, a deleted one stays deleted, a rewritten one wins.
        let seeded: Vec<ObjectRecord> = (0..3)
            .map(|n| {
                let mut o = ObjectRecord::new(&format!("s{n}"), "\"G\"".into(), 5, 0, None);
                o.generated = true;
                o
            })
            .collect();
        store.seed_objects("b-2", seeded).expect("seed objects");
        store
            .write_object("b-2", "s0")
            .await
            .delete()
            .await
            .expect("delete seeded");
        let rewritten = ObjectRecord::new("s1", "\"N\"".into(), 1, 0, None);
        store
            .write_object("b-2", "s1")
            .await
            .put(rewritten, Some(axum::body::Bytes::from_static(b"n")))
            .await
            .expect("rewrite");
        let s2 = store.object("b-2", "s2").expect("s2");
        assert_eq!(
            store.read_range("b-2", &s2, 250, 3).await.expect("range"),
            [250, 0, 1]
        );
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.bucket_count(), 3);
        assert!(store.bucket("c-3").is_none());
        let (keys, _) = store.list_objects("b-2", "s", "", 10, false);
        let keys: Vec<(&str, &str)> = keys
            .iter()
            .map(|o| (o.key.as_str(), o.etag.as_str()))
            .collect();
        assert_eq!(keys, [("s1", "\"N\""), ("s2", "\"G\"")]);
    }

    #[tokio::test]
    async fn temp_files_left_by_a_crash_are_removed_on_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        store.create_bucket(bucket("a-1")).await.expect("create");
        drop(store);
        let leftovers = [
            dir.path().join("buckets/.a-1.json.00000000deadbeef.tmp"),
            dir.path()
                .join("objects/a-1/.0123abcd.json.00000000deadbeef.tmp"),
        ];
        for path in &leftovers {
            std::fs::create_dir_all(path.parent().expect("dir")).expect("dir");
            std::fs::write(path, b"{\"half\":").expect("leftover");
        }
        let store = Store::open(dir.path()).expect("reopen");
        assert!(store.bucket("a-1").is_some());
        for path in &leftovers {
            assert!(!path.exists(), "{} is still there", path.display());
        }
    }
}

//! The data dir's layout, loading it, and crash-safe file writes.
//!
//! - `buckets/<name>.json`: one bucket ([`BucketRecord`]);
//! - `buckets/_seed-pack.json`: buckets written in bulk by `--demo`/`--seed-buckets`, one file
//!   instead of thousands (file creation dominates on some filesystems: 10,000 creates took
//!   0.3-7 s on the CI VM). A `<name>.json` overrides the pack's entry, and `<name>.deleted`
//!   (a tombstone) removes it unless a `<name>.json` exists;
//! - `objects/<bucket>/<hex sha256 of key>` and `<same>.json`: an object's body and
//!   [`ObjectRecord`]. Keys never become paths themselves, so no key can escape the dir.
//!   `objects/<bucket>/_seed-pack.json` holds `--seed-objects` records (bodies generated);
//!   `<hash>.deleted` hides a pack entry that was deleted.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::{BucketRecord, ObjectRecord};
use crate::core::validate::validate_bucket_name;

const PACK_FILE: &str = "_seed-pack.json";
const TOMBSTONE: &str = ".deleted";

/// Everything read from disk at start.
#[derive(Default)]
pub(super) struct Loaded {
    pub buckets: BTreeMap<String, Arc<BucketRecord>>,
    /// Names that came from the pack (deleting them needs a tombstone).
    pub packed: HashSet<String>,
    pub objects: HashMap<String, BTreeMap<String, Arc<ObjectRecord>>>,
}

#[derive(Debug, Clone)]
pub(super) struct Layout {
    root: PathBuf,
}

impl Layout {
    pub fn create(root: &Path) -> io::Result<Self> {
        fs::create_dir_all(root.join("buckets"))?;
        fs::create_dir_all(root.join("objects"))?;
        Ok(Self {
            root: root.to_owned(),
        })
    }

    pub fn buckets_dir(&self) -> PathBuf {
        self.root.join("buckets")
    }

    pub fn pack_file(&self) -> PathBuf {
        self.buckets_dir().join(PACK_FILE)
    }

    pub fn bucket_file(&self, name: &str) -> PathBuf {
        self.buckets_dir().join(format!("{name}.json"))
    }

    pub fn tombstone(&self, name: &str) -> PathBuf {
        self.buckets_dir().join(format!("{name}{TOMBSTONE}"))
    }

    pub fn objects_dir(&self, bucket: &str) -> PathBuf {
        self.root.join("objects").join(bucket)
    }

    pub fn object_file(&self, bucket: &str, key: &str, suffix: &str) -> PathBuf {
        self.objects_dir(bucket)
            .join(format!("{}{suffix}", key_hash(key)))
    }

    /// Reads the pack, then the per-bucket files and tombstones, then each bucket's objects.
    /// Unreadable files are skipped with a warning rather than refusing to start.
    pub fn load(&self) -> io::Result<Loaded> {
        let mut loaded = Loaded::default();
        if let Ok(bytes) = fs::read(self.pack_file()) {
            match serde_json::from_slice::<Vec<BucketRecord>>(&bytes) {
                Ok(records) => {
                    for record in records {
                        if validate_bucket_name(&record.name).is_ok() {
                            loaded.packed.insert(record.name.clone());
                            loaded.buckets.insert(record.name.clone(), Arc::new(record));
                        }
                    }
                }
                Err(e) => tracing::warn!("skipping unreadable seed pack: {e}"),
            }
        }
        let (mut files, mut tombstones) = (HashSet::new(), Vec::new());
        for entry in fs::read_dir(self.buckets_dir())? {
            let path = entry?.path();
            let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if remove_leftover_temp(&path) {
                continue;
            }
            if let Some(name) = file.strip_suffix(TOMBSTONE) {
                tombstones.push(name.to_owned());
                continue;
            }
            let Some(name) = file.strip_suffix(".json") else {
                continue;
            };
            if file == PACK_FILE || validate_bucket_name(name).is_err() {
                continue;
            }
            match read_json::<BucketRecord>(&path) {
                Ok(record) if record.name == name => {
                    files.insert(record.name.clone());
                    loaded.buckets.insert(record.name.clone(), Arc::new(record));
                }
                Ok(_) => tracing::warn!(?path, "skipping bucket file whose name does not match"),
                Err(e) => tracing::warn!(?path, "skipping unreadable bucket file: {e}"),
            }
        }
        for name in tombstones.iter().filter(|n| !files.contains(*n)) {
            loaded.buckets.remove(name);
        }
        for name in loaded.buckets.keys() {
            let objects = self.load_objects(name)?;
            if !objects.is_empty() {
                loaded.objects.insert(name.clone(), objects);
            }
        }
        Ok(loaded)
    }

    /// One bucket's objects: the seed pack (minus tombstoned keys), then the per-object
    /// files, which override it.
    fn load_objects(&self, bucket: &str) -> io::Result<BTreeMap<String, Arc<ObjectRecord>>> {
        let mut objects = BTreeMap::new();
        let Ok(entries) = fs::read_dir(self.objects_dir(bucket)) else {
            return Ok(objects);
        };
        let (mut files, mut tombstones) = (Vec::new(), HashSet::new());
        for entry in entries {
            let path = entry?.path();
            let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if remove_leftover_temp(&path) {
                continue;
            }
            if let Some(hash) = file.strip_suffix(TOMBSTONE) {
                tombstones.insert(hash.to_owned());
            } else if file != PACK_FILE && file.ends_with(".json") {
                files.push(path);
            }
        }
        if let Ok(bytes) = fs::read(self.objects_dir(bucket).join(PACK_FILE)) {
            match serde_json::from_slice::<Vec<ObjectRecord>>(&bytes) {
                Ok(records) => {
                    for record in records {
                        if !tombstones.contains(&key_hash(&record.key)) {
                            objects.insert(record.key.clone(), Arc::new(record));
                        }
                    }
                }
                Err(e) => tracing::warn!(bucket, "skipping unreadable object seed pack: {e}"),
            }
        }
        for path in files {
            match read_json::<ObjectRecord>(&path) {
                Ok(record) => {
                    objects.insert(record.key.clone(), Arc::new(record));
                }
                Err(e) => tracing::warn!(?path, "skipping unreadable object file: {e}"),
            }
        }
        Ok(objects)
    }

    /// Replaces a bucket's object seed pack (`--seed-objects`).
    pub fn write_object_pack(&self, bucket: &str, records: &[ObjectRecord]) -> io::Result<()> {
        let dir = self.objects_dir(bucket);
        fs::create_dir_all(&dir)?;
        let bytes = serde_json::to_vec(records).map_err(io::Error::other)?;
        write_atomic(&dir.join(PACK_FILE), &bytes, true)
    }

    /// Replaces the pack and clears old tombstones (a fresh seed starts from nothing).
    pub fn write_pack(&self, records: &[BucketRecord]) -> io::Result<()> {
        for entry in fs::read_dir(self.buckets_dir())? {
            let path = entry?.path();
            if path.to_str().is_some_and(|p| p.ends_with(TOMBSTONE)) {
                fs::remove_file(&path)?;
            }
        }
        let bytes = serde_json::to_vec(records).map_err(io::Error::other)?;
        write_atomic(&self.pack_file(), &bytes, true)
    }
}

fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_else(|e| unreachable!("records serialise: {e}"))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> io::Result<T> {
    serde_json::from_slice(&fs::read(path)?).map_err(io::Error::other)
}

/// Temp file in the same directory, fsync, rename over the target, fsync the directory: a
/// crash leaves the old or the new file, never half of one.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("path has no directory"))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::other("path has no file name"))?;
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        if sync {
            file.sync_all()?;
        }
        fs::rename(&tmp, path)?;
        if sync {
            sync_dir(dir)?;
        }
        Ok(())
    })();
    if result.is_err() {
        fs::remove_file(&tmp).ok();
    }
    result
}

/// Removes a temp file of [`write_atomic`] left by a crash between create and rename (the
/// target still holds the old or the new version); true when `path` was one.
fn remove_leftover_temp(path: &Path) -> bool {
    let is_temp = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp"));
    if is_temp {
        match fs::remove_file(path) {
            Ok(()) => tracing::info!(?path, "removed a temp file left by an interrupted write"),
            Err(e) => tracing::warn!(?path, "cannot remove a leftover temp file: {e}"),
        }
    }
    is_temp
}

pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Removes a file; one that is already gone is fine.
pub(super) fn remove_file(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

pub(super) fn remove_dir_all(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

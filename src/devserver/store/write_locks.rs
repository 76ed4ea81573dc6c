//! Who may write at the same time. A bucket change (create, rule, delete) writes alone; an
//! object write shares the store with other object writes and excludes only writes to the
//! same key (a stripe of keys). Every write is still synced before it is answered, but
//! writes to different keys do their I/O at the same time, so the filesystem commits their
//! fsyncs together (ext4's journal does). With one lock for all, CopyObjects were answered
//! one per write's fsyncs, 4.4 ms apart on a busy disk, where re-encrypting at 32 in flight
//! and 20 ms per request needs one every 2.5 ms (doc/benchmarks.md, objects). Two writes to
//! one key stay ordered on disk and in the index alike. Whatever a write builds from the key's
//! record (a version, an append position, tags) it reads while holding the key's lock
//! (`Store::write_object`), or two writes could both build on the same record.

use std::hash::{DefaultHasher, Hash as _, Hasher as _};

use tokio::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Enough stripes that 32-128 writers in flight rarely share one.
const STRIPES: usize = 256;

pub(super) struct WriteLocks {
    store: RwLock<()>,
    keys: Vec<Mutex<()>>,
}

/// Held while one object is written.
pub(super) struct ObjectGuard<'a> {
    _key: MutexGuard<'a, ()>,
    _store: RwLockReadGuard<'a, ()>,
}

impl WriteLocks {
    pub fn new() -> Self {
        Self {
            store: RwLock::new(()),
            keys: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// For a change to a bucket's record or its existence: waits for object writes to end.
    pub async fn bucket(&self) -> RwLockWriteGuard<'_, ()> {
        self.store.write().await
    }

    /// For a write to `bucket`/`key`. Always the store first, then the key: no deadlock.
    pub async fn object(&self, bucket: &str, key: &str) -> ObjectGuard<'_> {
        let store = self.store.read().await;
        let mut hasher = DefaultHasher::new();
        (bucket, key).hash(&mut hasher);
        let stripe = usize::try_from(hasher.finish() % STRIPES as u64).unwrap_or_default();
        ObjectGuard {
            _key: self.keys[stripe].lock().await,
            _store: store,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::WriteLocks;

    #[tokio::test]
    async fn one_key_and_bucket_changes_are_exclusive_other_keys_are_not() {
        let locks = WriteLocks::new();
        let a = locks.object("b", "a").await;
        // Another key goes ahead while "a" is held.
        let other = tokio::time::timeout(Duration::from_secs(5), locks.object("b", "other")).await;
        assert!(other.is_ok(), "a write to another key waited");
        drop(other);
        let same = tokio::time::timeout(Duration::from_millis(50), locks.object("b", "a")).await;
        assert!(same.is_err(), "two writes to one key ran together");
        let bucket = tokio::time::timeout(Duration::from_millis(50), locks.bucket()).await;
        assert!(
            bucket.is_err(),
            "a bucket change ran during an object write"
        );
        drop(a);
        let bucket = tokio::time::timeout(Duration::from_secs(5), locks.bucket()).await;
        assert!(bucket.is_ok());
    }
}

//! Multipart uploads in progress, in memory: Initiate stores the object to be, UploadPart and
//! UploadPartCopy add parts, Complete takes the upload out, Abort drops it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;

use super::ObjectRecord;

/// A part's content: bytes sent, or a range of a generated body (so a 2 GB copy costs nothing).
#[derive(Debug, Clone)]
pub(crate) enum PartBody {
    Bytes(Bytes),
    Generated { offset: u64 },
}

#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub etag: String,
    pub size: u64,
    pub body: PartBody,
}

#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub bucket: String,
    /// The object to be: key, SSE, storage class, metadata and tags from Initiate.
    pub template: ObjectRecord,
    pub parts: BTreeMap<u32, Part>,
}

#[derive(Debug, Default)]
pub(crate) struct Uploads(Mutex<HashMap<String, Upload>>);

impl Uploads {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Upload>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers an upload and returns its id (32 upper-case hex characters, as OSS's).
    pub fn start(&self, upload: Upload) -> String {
        let id = hex::encode_upper(rand::random::<[u8; 16]>());
        self.map().insert(id.clone(), upload);
        id
    }

    /// The upload, if `id` is in progress for this bucket and key.
    pub fn get(&self, id: &str, bucket: &str, key: &str) -> Option<Upload> {
        self.map()
            .get(id)
            .filter(|u| u.bucket == bucket && u.template.key == key)
            .cloned()
    }

    /// Adds (or replaces) a part; false when the upload is unknown.
    pub fn add_part(&self, id: &str, number: u32, part: Part) -> bool {
        match self.map().get_mut(id) {
            Some(upload) => {
                upload.parts.insert(number, part);
                true
            }
            None => false,
        }
    }

    pub fn remove(&self, id: &str) -> Option<Upload> {
        self.map().remove(id)
    }
}

//! What HeadObject says about one object, typed: its SSE, storage class, object type,
//! restore state, size, ETag, and the headers a multipart copy must carry over by hand.

use serde::{Deserialize, Serialize};

use crate::core::ops::object::{SSE_DATA_HEADER, SSE_HEADER, SSE_KEY_ID_HEADER};
use crate::core::request::header_value;
use crate::core::sse::SseRule;
use crate::core::validate::rule_from_fields;

/// The content headers CopyObject keeps with `x-oss-metadata-directive: COPY` but a
/// multipart copy does not, so the copier sends them again on InitiateMultipartUpload.
pub const CONTENT_HEADERS: [&str; 5] = [
    "content-type",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "expires",
];

/// `x-oss-storage-class`. Names outside the documented set are kept as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StorageClass {
    #[default]
    Standard,
    InfrequentAccess,
    Archive,
    ColdArchive,
    DeepColdArchive,
    Other(String),
}

impl StorageClass {
    /// An absent or empty class is Standard (OSS omits the header for Standard objects).
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "" | "Standard" => Self::Standard,
            "IA" => Self::InfrequentAccess,
            "Archive" => Self::Archive,
            "ColdArchive" => Self::ColdArchive,
            "DeepColdArchive" => Self::DeepColdArchive,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire name, as `x-oss-storage-class` takes it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Standard => "Standard",
            Self::InfrequentAccess => "IA",
            Self::Archive => "Archive",
            Self::ColdArchive => "ColdArchive",
            Self::DeepColdArchive => "DeepColdArchive",
            Self::Other(name) => name,
        }
    }

    /// Data that must be restored (RestoreObject) before it can be read or copied.
    pub fn needs_restore(&self) -> bool {
        matches!(
            self,
            Self::Archive | Self::ColdArchive | Self::DeepColdArchive
        )
    }
}

/// `x-oss-object-type`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectType {
    #[default]
    Normal,
    Multipart,
    Appendable,
    Symlink,
    Other(String),
}

impl ObjectType {
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "" | "Normal" => Self::Normal,
            "Multipart" => Self::Multipart,
            "Appendable" => Self::Appendable,
            "Symlink" => Self::Symlink,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Normal => "Normal",
            Self::Multipart => "Multipart",
            Self::Appendable => "Appendable",
            Self::Symlink => "Symlink",
            Self::Other(name) => name,
        }
    }
}

/// `x-oss-restore`: absent, `ongoing-request="true"`, or `ongoing-request="false",
/// expiry-date="..."` once a restored copy is readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RestoreState {
    NotRequested,
    Ongoing,
    Restored,
}

impl RestoreState {
    pub fn parse(header: Option<&str>) -> Self {
        match header.map(|h| h.replace(' ', "")) {
            None => Self::NotRequested,
            Some(h) if h.contains("ongoing-request=\"true\"") => Self::Ongoing,
            Some(h) if h.contains("ongoing-request=\"false\"") => Self::Restored,
            // Unknown form: treat as not readable, the safe guess for a copy.
            Some(_) => Self::Ongoing,
        }
    }
}

/// One object as HeadObject describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectFacts {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub storage_class: StorageClass,
    pub object_type: ObjectType,
    /// `None`: not encrypted.
    pub sse: Option<SseRule>,
    pub restore: RestoreState,
    pub version_id: Option<String>,
    /// `x-oss-meta-*` and [`CONTENT_HEADERS`], lower-case names, as sent.
    pub kept_headers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("HeadObject answer has no valid Content-Length")]
    Size,
    #[error("HeadObject answer has an unknown encryption: {0}")]
    Encryption(String),
}

impl ObjectFacts {
    /// Reads a HeadObject answer's headers (any case).
    pub fn from_head(key: &str, headers: &[(String, String)]) -> Result<Self, FactsError> {
        let get = |name| header_value(headers, name);
        let size = get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or(FactsError::Size)?;
        let sse = match get(SSE_HEADER) {
            None => None,
            Some(algorithm) => Some(
                rule_from_fields(
                    algorithm.trim(),
                    get(SSE_KEY_ID_HEADER),
                    get(SSE_DATA_HEADER),
                )
                .map_err(|e| FactsError::Encryption(e.to_string()))?,
            ),
        };
        let kept_headers = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .filter(|(n, _)| n.starts_with("x-oss-meta-") || CONTENT_HEADERS.contains(&n.as_str()))
            .collect();
        Ok(Self {
            key: key.to_owned(),
            size,
            etag: get("etag").unwrap_or_default().to_owned(),
            storage_class: StorageClass::parse(get("x-oss-storage-class").unwrap_or_default()),
            object_type: ObjectType::parse(get("x-oss-object-type").unwrap_or_default()),
            sse,
            restore: RestoreState::parse(get("x-oss-restore")),
            version_id: get("x-oss-version-id").map(str::to_owned),
            kept_headers,
        })
    }

    /// The user metadata (`x-oss-meta-*`) only, sorted, to compare before and after a copy.
    pub fn user_metadata(&self) -> Vec<(&str, &str)> {
        let mut meta: Vec<(&str, &str)> = self
            .kept_headers
            .iter()
            .filter(|(n, _)| n.starts_with("x-oss-meta-"))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        meta.sort_unstable();
        meta
    }
}

#[cfg(test)]
mod tests {
    use super::{FactsError, ObjectFacts, ObjectType, RestoreState, StorageClass};
    use crate::core::request::pairs;
    use crate::core::sse::SseRule;

    #[test]
    fn reads_a_kms_archive_object() {
        let headers = pairs(&[
            ("Content-Length", "2048"),
            ("ETag", "\"ABC\""),
            ("x-oss-server-side-encryption", "KMS"),
            ("x-oss-server-side-encryption-key-id", "key-1"),
            ("x-oss-server-side-data-encryption", "SM4"),
            ("x-oss-storage-class", "Archive"),
            ("x-oss-object-type", "Multipart"),
            (
                "x-oss-restore",
                "ongoing-request=\"false\", expiry-date=\"Sun, 16 Apr 2017 08:12:33 GMT\"",
            ),
            ("x-oss-meta-b", "2"),
            ("X-Oss-Meta-A", "1"),
            ("Content-Type", "text/plain"),
            ("x-oss-request-id", "R"),
        ]);
        let facts = ObjectFacts::from_head("k", &headers).expect("parses");
        assert_eq!(facts.size, 2048);
        assert_eq!(facts.etag, "\"ABC\"");
        assert_eq!(
            facts.sse,
            Some(SseRule::Kms {
                key_id: Some("key-1".into()),
                sm4_data: true
            })
        );
        assert_eq!(facts.storage_class, StorageClass::Archive);
        assert!(facts.storage_class.needs_restore());
        assert_eq!(facts.object_type, ObjectType::Multipart);
        assert_eq!(facts.restore, RestoreState::Restored);
        assert_eq!(
            facts.user_metadata(),
            vec![("x-oss-meta-a", "1"), ("x-oss-meta-b", "2")]
        );
        assert_eq!(facts.kept_headers.len(), 3);
    }

    #[test]
    fn plain_object_and_refusals() {
        let facts =
            ObjectFacts::from_head("k", &pairs(&[("content-length", "0")])).expect("parses");
        assert_eq!(facts.sse, None);
        assert_eq!(facts.storage_class, StorageClass::Standard);
        assert_eq!(facts.object_type, ObjectType::Normal);
        assert_eq!(facts.restore, RestoreState::NotRequested);
        assert_eq!(ObjectFacts::from_head("k", &[]), Err(FactsError::Size));
        let bad = pairs(&[
            ("content-length", "1"),
            ("x-oss-server-side-encryption", "DES"),
        ]);
        assert!(matches!(
            ObjectFacts::from_head("k", &bad),
            Err(FactsError::Encryption(_))
        ));
        assert_eq!(
            RestoreState::parse(Some("ongoing-request=\"true\"")),
            RestoreState::Ongoing
        );
        assert_eq!(StorageClass::parse("IA").as_str(), "IA");
        assert_eq!(StorageClass::parse("Weird").as_str(), "Weird");
    }
}

//! The bodies of CopyObject, the multipart calls (Initiate, UploadPartCopy, Complete,
//! ListParts), and object tagging and ACL: small documents the copy path reads and writes.

use serde::{Deserialize, Serialize};

use super::XmlError;

/// CopyObject's and UploadPartCopy's answer (`CopyObjectResult` / `CopyPartResult`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CopyResult {
    #[serde(rename = "LastModified", default)]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "InitiateMultipartUploadResult")]
pub struct InitiateResult {
    #[serde(rename = "Bucket", default)]
    pub bucket: String,
    #[serde(rename = "Key", default)]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
}

/// CompleteMultipartUpload's request body: every part in order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "CompleteMultipartUpload")]
pub struct CompleteUpload {
    #[serde(rename = "Part", default)]
    pub parts: Vec<PartRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PartRef {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "ETag")]
    pub etag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "CompleteMultipartUploadResult")]
pub struct CompleteResult {
    #[serde(rename = "Bucket", default)]
    pub bucket: String,
    #[serde(rename = "Key", default)]
    pub key: String,
    #[serde(rename = "ETag", default)]
    pub etag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "ListPartsResult")]
pub struct ListPartsResult {
    #[serde(rename = "Bucket", default)]
    pub bucket: String,
    #[serde(rename = "Key", default)]
    pub key: String,
    #[serde(rename = "UploadId", default)]
    pub upload_id: String,
    #[serde(rename = "IsTruncated", default)]
    pub is_truncated: bool,
    #[serde(rename = "Part", default)]
    pub parts: Vec<ListedPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListedPart {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "Size")]
    pub size: u64,
}

/// GetObjectTagging's answer and PutObjectTagging's body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "Tagging")]
pub struct Tagging {
    #[serde(rename = "TagSet", default)]
    pub tag_set: TagSet,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TagSet {
    #[serde(rename = "Tag", default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tag {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value", default)]
    pub value: String,
}

impl Tagging {
    /// The `x-oss-tagging` header form (`k1=v1&k2=v2`, URL-encoded) InitiateMultipartUpload
    /// takes, so the new object starts with the old one's tags.
    pub fn header_value(&self) -> Option<String> {
        if self.tag_set.tags.is_empty() {
            return None;
        }
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for tag in &self.tag_set.tags {
            form.append_pair(&tag.key, &tag.value);
        }
        Some(form.finish().replace('+', "%20"))
    }
}

/// GetObjectAcl's answer: `AccessControlPolicy/AccessControlList/Grant`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "AccessControlPolicy")]
pub struct AccessControlPolicy {
    #[serde(rename = "AccessControlList", default)]
    pub access_control_list: AccessControlList,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccessControlList {
    #[serde(rename = "Grant", default)]
    pub grant: String,
}

/// Parses `T` after checking the root element is `root`.
pub fn parse_doc<T: serde::de::DeserializeOwned>(body: &str, root: &str) -> Result<T, XmlError> {
    super::expect_root(body, root)?;
    super::deserialize(body)
}

#[cfg(test)]
mod tests {
    use super::{AccessControlPolicy, CompleteUpload, PartRef, Tag, TagSet, Tagging, parse_doc};
    use crate::core::xml::to_document;

    #[test]
    fn documents_round_trip_and_roots_are_checked() {
        let complete = CompleteUpload {
            parts: vec![PartRef {
                part_number: 1,
                etag: "\"A\"".into(),
            }],
        };
        let body = to_document(&complete);
        assert!(body.contains("<Part><PartNumber>1</PartNumber><ETag>\"A\"</ETag></Part>"));
        assert_eq!(
            parse_doc::<CompleteUpload>(&body, "CompleteMultipartUpload").ok(),
            Some(complete)
        );
        assert!(parse_doc::<CompleteUpload>(&body, "Tagging").is_err());
        let acl = "<AccessControlPolicy><Owner><ID>1</ID></Owner><AccessControlList><Grant>public-read</Grant></AccessControlList></AccessControlPolicy>";
        let parsed: AccessControlPolicy = parse_doc(acl, "AccessControlPolicy").expect("acl");
        assert_eq!(parsed.access_control_list.grant, "public-read");
    }

    #[test]
    fn tags_become_the_tagging_header() {
        let tagging = Tagging {
            tag_set: TagSet {
                tags: vec![
                    Tag {
                        key: "team a".into(),
                        value: "x&y".into(),
                    },
                    Tag {
                        key: "k".into(),
                        value: String::new(),
                    },
                ],
            },
        };
        assert_eq!(tagging.header_value().as_deref(), Some("team%20a=x%26y&k="));
        assert_eq!(Tagging::default().header_value(), None);
    }
}

//! The multipart copy for objects over CopyObject's 1 GB limit: Initiate (with the SSE and
//! everything the directives would have kept), UploadPartCopy per range (if-match on the
//! ETag read before), Complete, and Abort on any failure.

use crate::core::objects::facts::ObjectFacts;
use crate::core::request::{Method, OssRequest};
use crate::core::sse::SseRule;
use crate::core::xml::multipart::{CompleteUpload, PartRef};
use crate::core::xml::to_document;

use super::object::{
    COPY_IF_MATCH_HEADER, COPY_SOURCE_HEADER, STORAGE_CLASS_HEADER, copy_source, set_sse,
};

/// InitiateMultipartUpload for a copy of `facts` onto itself: the target SSE, the object's
/// own storage class, its user metadata and content headers, and its tags (`x-oss-tagging`),
/// because neither directive applies to a multipart upload.
pub fn initiate(
    bucket: &str,
    facts: &ObjectFacts,
    target: &SseRule,
    tagging: Option<&str>,
) -> OssRequest {
    let mut req = OssRequest::new(Method::Post, Some(bucket))
        .with_key(&facts.key)
        .with_query("uploads", "")
        .with_header(STORAGE_CLASS_HEADER, facts.storage_class.as_str());
    for (name, value) in &facts.kept_headers {
        req.set_header(name, value);
    }
    if let Some(tags) = tagging {
        req.set_header("x-oss-tagging", tags);
    }
    set_sse(&mut req, target);
    req
}

/// UploadPartCopy of bytes `range` (inclusive) of the object as it was read.
pub fn upload_part_copy(
    bucket: &str,
    facts: &ObjectFacts,
    upload_id: &str,
    part_number: u32,
    range: (u64, u64),
) -> OssRequest {
    OssRequest::new(Method::Put, Some(bucket))
        .with_key(&facts.key)
        .with_query("partNumber", &part_number.to_string())
        .with_query("uploadId", upload_id)
        .with_header(COPY_SOURCE_HEADER, &copy_source(bucket, &facts.key))
        .with_header(
            "x-oss-copy-source-range",
            &format!("bytes={}-{}", range.0, range.1),
        )
        .with_header(COPY_IF_MATCH_HEADER, &facts.etag)
}

pub fn complete(bucket: &str, key: &str, upload_id: &str, parts: Vec<PartRef>) -> OssRequest {
    OssRequest::new(Method::Post, Some(bucket))
        .with_key(key)
        .with_query("uploadId", upload_id)
        .with_xml_body(to_document(&CompleteUpload { parts }))
}

pub fn abort(bucket: &str, key: &str, upload_id: &str) -> OssRequest {
    OssRequest::new(Method::Delete, Some(bucket))
        .with_key(key)
        .with_query("uploadId", upload_id)
}

#[cfg(test)]
mod tests {
    use super::{abort, complete, initiate, upload_part_copy};
    use crate::core::objects::facts::{ObjectFacts, ObjectType, RestoreState, StorageClass};
    use crate::core::request::{Method, pairs};
    use crate::core::sse::SseRule;
    use crate::core::xml::multipart::PartRef;

    #[test]
    fn carries_over_what_the_directives_would_have() {
        let facts = ObjectFacts {
            key: "big/file".into(),
            size: 3 << 30,
            etag: "\"E-3\"".into(),
            storage_class: StorageClass::InfrequentAccess,
            object_type: ObjectType::Multipart,
            sse: None,
            restore: RestoreState::NotRequested,
            version_id: None,
            kept_headers: pairs(&[("x-oss-meta-owner", "ops"), ("content-type", "video/mp4")]),
        };
        let init = initiate("b-1", &facts, &SseRule::Sm4, Some("a=1"));
        assert_eq!(init.method, Method::Post);
        assert_eq!(init.query, pairs(&[("uploads", "")]));
        assert_eq!(init.header("x-oss-meta-owner"), Some("ops"));
        assert_eq!(init.header("content-type"), Some("video/mp4"));
        assert_eq!(init.header("x-oss-tagging"), Some("a=1"));
        assert_eq!(init.header("x-oss-storage-class"), Some("IA"));
        assert_eq!(init.header("x-oss-server-side-encryption"), Some("SM4"));
        let part = upload_part_copy("b-1", &facts, "UP", 2, (100, 199));
        assert_eq!(
            part.query,
            pairs(&[("partNumber", "2"), ("uploadId", "UP")])
        );
        assert_eq!(
            part.header("x-oss-copy-source-range"),
            Some("bytes=100-199")
        );
        assert_eq!(part.header("x-oss-copy-source-if-match"), Some("\"E-3\""));
        assert_eq!(part.header("x-oss-copy-source"), Some("/b-1/big/file"));
        let done = complete(
            "b-1",
            "big/file",
            "UP",
            vec![PartRef {
                part_number: 1,
                etag: "\"P1\"".into(),
            }],
        );
        let body = String::from_utf8(done.body.clone()).unwrap_or_default();
        assert!(body.contains("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"));
        assert!(done.header("content-md5").is_some());
        assert_eq!(abort("b-1", "big/file", "UP").method, Method::Delete);
    }
}

//! Object calls: PutObject and HeadObject with SSE headers, CopyObject onto itself (the
//! re-encryption), and the object's tagging and ACL that a copy must keep.

use crate::core::objects::facts::ObjectFacts;
use crate::core::request::{Method, OssRequest};
use crate::core::sign::canonical::encode_path;
use crate::core::sse::SseRule;

pub const SSE_HEADER: &str = "x-oss-server-side-encryption";
pub const SSE_KEY_ID_HEADER: &str = "x-oss-server-side-encryption-key-id";
pub const SSE_DATA_HEADER: &str = "x-oss-server-side-data-encryption";
pub const COPY_SOURCE_HEADER: &str = "x-oss-copy-source";
pub const COPY_IF_MATCH_HEADER: &str = "x-oss-copy-source-if-match";
pub const STORAGE_CLASS_HEADER: &str = "x-oss-storage-class";
pub const OBJECT_ACL_HEADER: &str = "x-oss-object-acl";

/// PutObject; `sse` overrides the bucket default for this object.
pub fn put(bucket: &str, key: &str, body: Vec<u8>, sse: Option<&SseRule>) -> OssRequest {
    let mut req = OssRequest::new(Method::Put, Some(bucket)).with_key(key);
    if let Some(rule) = sse {
        set_sse(&mut req, rule);
    }
    req.body = body;
    req
}

pub fn head(bucket: &str, key: &str) -> OssRequest {
    OssRequest::new(Method::Head, Some(bucket)).with_key(key)
}

/// The response and request headers that describe an object's SSE.
pub fn sse_headers(rule: &SseRule) -> Vec<(&'static str, String)> {
    let mut out = vec![(SSE_HEADER, rule.algorithm().to_owned())];
    if let Some(key) = rule.kms_key_id() {
        out.push((SSE_KEY_ID_HEADER, key.to_owned()));
    }
    if let Some(data) = rule.data_encryption() {
        out.push((SSE_DATA_HEADER, data.to_owned()));
    }
    out
}

pub fn set_sse(req: &mut OssRequest, rule: &SseRule) {
    for (name, value) in sse_headers(rule) {
        req.set_header(name, &value);
    }
}

/// `x-oss-copy-source: /<bucket>/<key>`, the key URL-encoded with `/` kept (as the Go SDK's
/// `encodeSourceObject` does).
pub fn copy_source(bucket: &str, key: &str) -> String {
    format!("/{bucket}/{}", encode_path(key))
}

/// CopyObject of an object onto itself with the target's SSE: only if it still has the ETag
/// read before (an object overwritten meanwhile is never clobbered), keeping its metadata and
/// tags (directives COPY) and its own storage class (a copy must not move IA or Archive data
/// to the bucket's default class).
pub fn copy_in_place(bucket: &str, facts: &ObjectFacts, target: &SseRule) -> OssRequest {
    let mut req = OssRequest::new(Method::Put, Some(bucket))
        .with_key(&facts.key)
        .with_header(COPY_SOURCE_HEADER, &copy_source(bucket, &facts.key))
        .with_header(COPY_IF_MATCH_HEADER, &facts.etag)
        .with_header("x-oss-metadata-directive", "COPY")
        .with_header("x-oss-tagging-directive", "Copy")
        .with_header(STORAGE_CLASS_HEADER, facts.storage_class.as_str());
    set_sse(&mut req, target);
    req
}

pub fn get_tagging(bucket: &str, key: &str) -> OssRequest {
    OssRequest::new(Method::Get, Some(bucket))
        .with_key(key)
        .with_query("tagging", "")
}

pub fn get_acl(bucket: &str, key: &str) -> OssRequest {
    OssRequest::new(Method::Get, Some(bucket))
        .with_key(key)
        .with_query("acl", "")
}

/// PutObjectAcl with a canned ACL (`default`, `private`, `public-read`, `public-read-write`).
pub fn put_acl(bucket: &str, key: &str, acl: &str) -> OssRequest {
    get_acl(bucket, key)
        .with_header(OBJECT_ACL_HEADER, acl)
        .with_method(Method::Put)
}

#[cfg(test)]
mod tests {
    use super::{copy_in_place, put_acl};
    use crate::core::objects::facts::{ObjectFacts, ObjectType, RestoreState, StorageClass};
    use crate::core::request::Method;
    use crate::core::sse::SseRule;

    #[test]
    fn copy_in_place_keeps_class_and_checks_the_etag() {
        let facts = ObjectFacts {
            key: "dir/a b+c.txt".into(),
            size: 3,
            etag: "\"ETAG\"".into(),
            storage_class: StorageClass::InfrequentAccess,
            object_type: ObjectType::Normal,
            sse: None,
            restore: RestoreState::NotRequested,
            version_id: None,
            kept_headers: Vec::new(),
        };
        let target = SseRule::Kms {
            key_id: Some("key-1".into()),
            sm4_data: true,
        };
        let req = copy_in_place("b-1", &facts, &target);
        assert_eq!(req.method, Method::Put);
        assert_eq!(req.key.as_deref(), Some("dir/a b+c.txt"));
        assert_eq!(
            req.header("x-oss-copy-source"),
            Some("/b-1/dir/a%20b%2Bc.txt")
        );
        assert_eq!(req.header("x-oss-copy-source-if-match"), Some("\"ETAG\""));
        assert_eq!(req.header("x-oss-metadata-directive"), Some("COPY"));
        assert_eq!(req.header("x-oss-storage-class"), Some("IA"));
        assert_eq!(req.header("x-oss-server-side-encryption"), Some("KMS"));
        assert_eq!(
            req.header("x-oss-server-side-encryption-key-id"),
            Some("key-1")
        );
        assert_eq!(req.header("x-oss-server-side-data-encryption"), Some("SM4"));
        let acl = put_acl("b-1", "k", "public-read");
        assert_eq!(acl.method, Method::Put);
        assert_eq!(acl.query, [("acl".to_owned(), String::new())]);
        assert_eq!(acl.header("x-oss-object-acl"), Some("public-read"));
    }
}

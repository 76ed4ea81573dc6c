//! Dev server: Put/Get/DeleteBucketEncryption for every rule kind, both signature versions,
//! the SDKs' wire variants, and OSS's error codes.

use crate::support::{HZ, Harness, VERSIONS};
use ossguard::core::ops;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sign::SignatureVersion;
use ossguard::core::sse::SseRule;

const V4: SignatureVersion = SignatureVersion::V4;

async fn bucket(h: &Harness, name: &str) {
    let answer = h.send(HZ, ops::bucket::create(name), V4).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn put_get_delete_every_rule_kind_with_v4_and_v1() {
    let h = Harness::start(|_| {}).await;
    bucket(&h, "enc-kinds").await;
    for version in VERSIONS {
        let none = h.send(HZ, ops::encryption::get("enc-kinds"), version).await;
        assert_eq!(
            none.status_code(),
            (404, "NoSuchServerSideEncryptionRule".into())
        );
        assert_eq!(none.error().ec.as_deref(), Some("0005-00000004"));
        assert_eq!(none.header("x-oss-ec"), Some("0005-00000004"));
        for rule in crate::common::every_rule_kind() {
            let put = h
                .send(HZ, ops::encryption::put("enc-kinds", &rule), version)
                .await;
            assert_eq!(
                (put.status, put.body.as_str()),
                (200, ""),
                "{rule:?} {version:?}"
            );
            let get = h.send(HZ, ops::encryption::get("enc-kinds"), version).await;
            assert_eq!(get.status, 200, "{}", get.body);
            assert_eq!(get.header("content-type"), Some("application/xml"));
            assert_eq!(ops::encryption::parse(&get.body), Ok(rule.clone()));
            let info = h
                .send(HZ, ops::bucket::get_info("enc-kinds"), version)
                .await;
            let info = ops::bucket::parse_info(&info.body).expect("info");
            assert_eq!(
                info.server_side_encryption_rule
                    .to_state()
                    .ok()
                    .and_then(|s| s.rule().cloned()),
                Some(rule.clone())
            );
        }
        let del = h
            .send(HZ, ops::encryption::delete("enc-kinds"), version)
            .await;
        assert_eq!(del.status, 204, "{}", del.body);
        let gone = h.send(HZ, ops::encryption::get("enc-kinds"), version).await;
        assert_eq!(gone.status, 404);
    }
}

fn put_body(bucket: &str, body: &str) -> OssRequest {
    OssRequest::new(Method::Put, Some(bucket))
        .with_query("encryption", "")
        .with_xml_body(body.to_owned())
}

#[tokio::test]
async fn invalid_rules_get_oss_codes() {
    let h = Harness::start(|_| {}).await;
    bucket(&h, "enc-bad").await;
    let wrap = |inner: &str| {
        format!(
            "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>{inner}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>"
        )
    };
    let cases = [
        (
            wrap("<SSEAlgorithm>DES</SSEAlgorithm>"),
            400,
            "InvalidEncryptionAlgorithmError",
            Some("0005-00000003"),
        ),
        (
            wrap("<SSEAlgorithm>aes256</SSEAlgorithm>"),
            400,
            "InvalidEncryptionAlgorithmError",
            None,
        ),
        (
            wrap("<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID>"),
            400,
            "InvalidArgument",
            Some("0005-00000204"),
        ),
        (
            wrap("<SSEAlgorithm>SM4</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID>"),
            400,
            "InvalidArgument",
            None,
        ),
        (
            wrap("<SSEAlgorithm>KMS</SSEAlgorithm><KMSDataEncryption>AES</KMSDataEncryption>"),
            400,
            "InvalidArgument",
            None,
        ),
        (
            "<ServerSideEncryptionRule><Apply".to_owned(),
            400,
            "MalformedXML",
            None,
        ),
        (String::new(), 400, "MalformedXML", None),
        (wrap(""), 400, "MalformedXML", None),
    ];
    for version in VERSIONS {
        for (body, status, code, ec) in &cases {
            let answer = h.send(HZ, put_body("enc-bad", body), version).await;
            assert_eq!(
                answer.status_code(),
                (*status, (*code).to_owned()),
                "{body}"
            );
            if let Some(ec) = ec {
                assert_eq!(answer.error().ec.as_deref(), Some(*ec));
            }
        }
    }
    // Nothing was stored by the failures.
    let get = h.send(HZ, ops::encryption::get("enc-bad"), V4).await;
    assert_eq!(get.status, 404);
}

/// What each official SDK actually sends (their PutBucketEncryption code, e.g. ali-oss
/// `lib/common/bucket/putBucketEncryption.js`; the interop tests run them).
#[tokio::test]
async fn accepts_every_sdk_wire_variant() {
    let h = Harness::start(|_| {}).await;
    bucket(&h, "enc-wire").await;
    // alibabacloud-oss-v2: no declaration, alphabetical elements, Content-Type + Content-MD5.
    let v2 = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><KMSDataEncryption>SM4</KMSDataEncryption><KMSMasterKeyID>k-1</KMSMasterKeyID><SSEAlgorithm>KMS</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
    assert_eq!(h.send(HZ, put_body("enc-wire", v2), V4).await.status, 200);
    // ...and the MD5 of an empty body on GET.
    let get = ops::encryption::get("enc-wire")
        .with_header("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")
        .with_header("content-type", "application/xml");
    let answer = h.send(HZ, get, V4).await;
    assert_eq!(
        ops::encryption::parse(&answer.body),
        Ok(SseRule::Kms {
            key_id: Some("k-1".into()),
            sm4_data: true
        })
    );
    // oss2: no Content-Type, no Content-MD5, `?encryption=` form is the same resource.
    let mut oss2 = OssRequest::new(Method::Put, Some("enc-wire")).with_query("encryption", "");
    oss2.body = b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>".to_vec();
    assert_eq!(h.send(HZ, oss2, SignatureVersion::V1).await.status, 200);
    // ali-oss: declaration, an empty KMSMasterKeyID, a namespace.
    let ali = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ServerSideEncryptionRule xmlns=\"http://doc.oss-cn-hangzhou.aliyuncs.com\"><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
    assert_eq!(h.send(HZ, put_body("enc-wire", ali), V4).await.status, 200);
    let answer = h.send(HZ, ops::encryption::get("enc-wire"), V4).await;
    assert!(!answer.body.contains("KMSMasterKeyID"), "{}", answer.body);
    assert_eq!(
        ops::encryption::parse(&answer.body),
        Ok(SseRule::Kms {
            key_id: None,
            sm4_data: false
        })
    );
}

#[tokio::test]
async fn content_md5_is_checked_when_sent() {
    let h = Harness::start(|_| {}).await;
    bucket(&h, "enc-md5").await;
    let mut req = ops::encryption::put("enc-md5", &SseRule::Aes256);
    req.set_header("content-md5", "AAAAAAAAAAAAAAAAAAAAAA==");
    let answer = h.send(HZ, req, V4).await;
    assert_eq!(answer.status_code(), (400, "InvalidDigest".into()));
    let mut req = ops::encryption::put("enc-md5", &SseRule::Aes256);
    req.set_header("content-md5", "not base64!");
    assert_eq!(h.send(HZ, req, SignatureVersion::V1).await.status, 400);
}

#[tokio::test]
async fn every_response_carries_oss_headers() {
    let h = Harness::start(|_| {}).await;
    bucket(&h, "enc-headers").await;
    let ok = h
        .send(HZ, ops::encryption::put("enc-headers", &SseRule::Sm4), V4)
        .await;
    let missing = h.send(HZ, ops::encryption::get("nope-bucket"), V4).await;
    for answer in [&ok, &missing] {
        let id = answer.header("x-oss-request-id").expect("request id");
        assert_eq!(id.len(), 24);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        );
        assert_eq!(answer.header("server"), Some("AliyunOSS"));
        assert!(answer.header("date").is_some_and(|d| d.ends_with("GMT")));
    }
    assert_ne!(
        ok.header("x-oss-request-id"),
        missing.header("x-oss-request-id")
    );
    assert_eq!(missing.status_code(), (404, "NoSuchBucket".into()));
    let err = missing.error();
    assert_eq!(
        Some(err.request_id.as_str()),
        missing.header("x-oss-request-id")
    );
    assert!(err.host_id.starts_with("127.0.0.1:"), "{}", err.host_id);
    assert_eq!(missing.header("x-oss-ec"), Some("0015-00000101"));
    assert_eq!(missing.header("content-type"), Some("application/xml"));
    assert!(missing.body.starts_with("<?xml"), "{}", missing.body);
    assert!(err.recommend_doc.is_some());
}

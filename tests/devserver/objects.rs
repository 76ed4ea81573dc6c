//! Dev server: object calls with object-level SSE (header wins, else the bucket default at
//! write time; copies do not inherit), HEAD errors, names and sizes.

use crate::support::{HZ, Harness, VERSIONS};
use ossguard::core::ops;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sign::SignatureVersion;
use ossguard::core::sse::SseRule;

const V4: SignatureVersion = SignatureVersion::V4;
const DATA: &[u8] = b"hello from the dev server tests";

type Headers = &'static [(&'static str, &'static str)];

async fn harness(bucket: &str) -> Harness {
    let h = Harness::start(|_| {}).await;
    assert_eq!(
        h.send(HZ, ops::bucket::create(bucket), V4).await.status,
        200
    );
    h
}

fn sse(answer: &crate::support::Answer) -> (Option<&str>, Option<&str>, Option<&str>) {
    (
        answer.header("x-oss-server-side-encryption"),
        answer.header("x-oss-server-side-encryption-key-id"),
        answer.header("x-oss-server-side-data-encryption"),
    )
}

#[tokio::test]
async fn sse_header_wins_and_the_default_is_inherited_at_write_time() {
    let h = harness("obj-sse").await;
    for version in VERSIONS {
        let kms = SseRule::Kms {
            key_id: Some("key-objtest00001".into()),
            sm4_data: true,
        };
        let put = h
            .send(
                HZ,
                ops::object::put("obj-sse", "kms.txt", DATA.to_vec(), Some(&kms)),
                version,
            )
            .await;
        assert_eq!(put.status, 200, "{}", put.body);
        assert_eq!(
            sse(&put),
            (Some("KMS"), Some("key-objtest00001"), Some("SM4"))
        );
        let head = h
            .send(HZ, ops::object::head("obj-sse", "kms.txt"), version)
            .await;
        assert_eq!(head.status, 200);
        assert_eq!(
            sse(&head),
            (Some("KMS"), Some("key-objtest00001"), Some("SM4"))
        );
        assert_eq!(
            head.header("content-length"),
            Some(DATA.len().to_string().as_str())
        );
        assert_eq!(head.header("etag"), put.header("etag"));

        // No rule, no header: no SSE.
        let plain = h
            .send(
                HZ,
                ops::object::put("obj-sse", "plain.txt", DATA.to_vec(), None),
                version,
            )
            .await;
        assert_eq!(sse(&plain), (None, None, None));

        // With a bucket default, a write without a header inherits it...
        let rule = h
            .send(
                HZ,
                ops::encryption::put("obj-sse", &SseRule::Aes256),
                version,
            )
            .await;
        assert_eq!(rule.status, 200);
        h.send(
            HZ,
            ops::object::put("obj-sse", "later.txt", DATA.to_vec(), None),
            version,
        )
        .await;
        let head = h
            .send(HZ, ops::object::head("obj-sse", "later.txt"), version)
            .await;
        assert_eq!(sse(&head), (Some("AES256"), None, None));
        // ...but objects written before the rule keep what they had.
        let head = h
            .send(HZ, ops::object::head("obj-sse", "plain.txt"), version)
            .await;
        assert_eq!(sse(&head), (None, None, None));
        let sm4 = h
            .send(
                HZ,
                ops::object::put("obj-sse", "sm4.txt", DATA.to_vec(), Some(&SseRule::Sm4)),
                version,
            )
            .await;
        assert_eq!(sse(&sm4), (Some("SM4"), None, None));
        h.send(HZ, ops::encryption::delete("obj-sse"), version)
            .await;
    }
}

#[tokio::test]
async fn get_copy_and_delete() {
    let h = harness("obj-copy").await;
    let kms = SseRule::Kms {
        key_id: None,
        sm4_data: false,
    };
    let mut put = ops::object::put("obj-copy", "dir/src file+1.txt", DATA.to_vec(), Some(&kms));
    put.set_header("content-type", "text/plain");
    let put = h.send(HZ, put, V4).await;
    let etag = put.header("etag").expect("etag").to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34,
        "{etag}"
    );
    assert_eq!(etag, etag.to_ascii_uppercase());

    let get = h
        .send(
            HZ,
            OssRequest::new(Method::Get, Some("obj-copy")).with_key("dir/src file+1.txt"),
            SignatureVersion::V1,
        )
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(get.body.as_bytes(), DATA);
    assert_eq!(get.header("content-type"), Some("text/plain"));
    assert_eq!(get.header("x-oss-server-side-encryption"), Some("KMS"));
    assert!(
        get.header("last-modified")
            .is_some_and(|d| d.ends_with("GMT"))
    );

    // The copy does not inherit the source's SSE: it gets the destination's default.
    h.send(HZ, ops::encryption::put("obj-copy", &SseRule::Aes256), V4)
        .await;
    for version in VERSIONS {
        let copy = OssRequest::new(Method::Put, Some("obj-copy"))
            .with_key("copy.txt")
            .with_header("x-oss-copy-source", "/obj-copy/dir/src%20file%2B1.txt");
        let answer = h.send(HZ, copy, version).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(
            answer.body.contains("<CopyObjectResult><ETag>"),
            "{}",
            answer.body
        );
        assert!(answer.body.contains(&etag), "{}", answer.body);
        assert!(answer.body.contains("<LastModified>"), "{}", answer.body);
        assert_eq!(
            answer.header("x-oss-server-side-encryption"),
            Some("AES256")
        );
        let head = h
            .send(HZ, ops::object::head("obj-copy", "copy.txt"), version)
            .await;
        assert_eq!(head.header("x-oss-server-side-encryption"), Some("AES256"));
        assert_eq!(head.header("content-type"), Some("text/plain"));
    }
    // An explicit SSE header on the copy wins.
    let copy = OssRequest::new(Method::Put, Some("obj-copy"))
        .with_key("copy-sm4.txt")
        .with_header("x-oss-copy-source", "/obj-copy/dir/src%20file%2B1.txt")
        .with_header("x-oss-server-side-encryption", "SM4");
    assert_eq!(
        h.send(HZ, copy, V4)
            .await
            .header("x-oss-server-side-encryption"),
        Some("SM4")
    );
    let missing = OssRequest::new(Method::Put, Some("obj-copy"))
        .with_key("x.txt")
        .with_header("x-oss-copy-source", "/obj-copy/none.txt");
    assert_eq!(
        h.send(HZ, missing, V4).await.status_code(),
        (404, "NoSuchKey".into())
    );

    let del = OssRequest::new(Method::Delete, Some("obj-copy")).with_key("copy.txt");
    assert_eq!(h.send(HZ, del.clone(), V4).await.status, 204);
    assert_eq!(
        h.send(HZ, del, V4).await.status,
        204,
        "deleting a missing key is 204 too"
    );
    let get = h
        .send(
            HZ,
            OssRequest::new(Method::Get, Some("obj-copy")).with_key("copy.txt"),
            V4,
        )
        .await;
    assert_eq!(get.status_code(), (404, "NoSuchKey".into()));
}

#[tokio::test]
async fn head_errors_have_no_body_but_x_oss_err() {
    let h = harness("obj-head").await;
    let head = h
        .send(HZ, ops::object::head("obj-head", "missing.txt"), V4)
        .await;
    assert_eq!(head.status, 404);
    assert!(head.body.is_empty());
    assert_eq!(head.error().code, "NoSuchKey");
    assert_eq!(head.header("x-oss-ec"), head.error().ec.as_deref());
    let head = h.send(HZ, ops::object::head("obj-none", "k"), V4).await;
    assert_eq!(head.status_code(), (404, "NoSuchBucket".into()));
}

#[tokio::test]
async fn bad_sse_headers_names_and_sizes() {
    let h = harness("obj-bad").await;
    let put = |headers: &[(&str, &str)]| {
        let mut req = ops::object::put("obj-bad", "k.txt", DATA.to_vec(), None);
        for (n, v) in headers {
            req.set_header(n, v);
        }
        req
    };
    let cases: [(Headers, u16, &str); 4] = [
        (
            &[("x-oss-server-side-encryption", "DES")],
            400,
            "InvalidEncryptionAlgorithmError",
        ),
        (
            &[
                ("x-oss-server-side-encryption", "AES256"),
                ("x-oss-server-side-encryption-key-id", "k"),
            ],
            400,
            "InvalidArgument",
        ),
        (
            &[
                ("x-oss-server-side-encryption", "SM4"),
                ("x-oss-server-side-data-encryption", "SM4"),
            ],
            400,
            "InvalidArgument",
        ),
        (
            &[("x-oss-server-side-encryption-key-id", "k")],
            400,
            "InvalidArgument",
        ),
    ];
    for (headers, status, code) in cases {
        let answer = h.send(HZ, put(headers), V4).await;
        assert_eq!(
            answer.status_code(),
            (status, code.to_owned()),
            "{headers:?}"
        );
    }
    // (Literal `..` segments never leave the client: URL parsers normalise them.)
    for path in [
        "/obj-bad/a%2F..%2F..%2Fx",
        "/obj-bad//etc/passwd",
        "/obj-bad/%5Cwin.ini",
    ] {
        let answer = h
            .http
            .put(format!("{}{path}", h.base_url(HZ)))
            .body("x")
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), 400, "{path}");
        let body = answer.text().await.expect("body");
        assert!(body.contains("<Code>InvalidObjectName</Code>"), "{body}");
    }
    let long_key = "k".repeat(1024);
    let answer = h
        .send(
            HZ,
            ops::object::put("obj-bad", &long_key, DATA.to_vec(), None),
            V4,
        )
        .await;
    assert_eq!(answer.status_code(), (400, "InvalidObjectName".into()));
    let big = vec![b'x'; 16 * 1024 * 1024 + 1];
    let answer = h
        .send(HZ, ops::object::put("obj-bad", "big.bin", big, None), V4)
        .await;
    assert_eq!(answer.status_code(), (400, "EntityTooLarge".into()));
    let ok = vec![b'y'; 16 * 1024 * 1024];
    let answer = h
        .send(HZ, ops::object::put("obj-bad", "max.bin", ok, None), V4)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

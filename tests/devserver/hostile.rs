//! Dev server under hostile input: oversized headers and bodies, path traversal through
//! bucket, key and Host, garbage XML. Every answer is an OSS error, no file escapes the
//! data folder, and the server keeps serving.

use crate::support::{HZ, Harness};
use ossguard::core::ops;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sign::SignatureVersion;

const V4: SignatureVersion = SignatureVersion::V4;

async fn harness() -> Harness {
    let h = Harness::start(|_| {}).await;
    assert_eq!(
        h.send(HZ, ops::bucket::create("hostile"), V4).await.status,
        200
    );
    h
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_metadata_and_bodies_get_oss_errors() {
    let h = harness().await;
    let big_meta = "m".repeat(9 * 1024);
    let req = ops::object::put("hostile", "meta.txt", b"x".to_vec(), None)
        .with_header("x-oss-meta-big", &big_meta);
    let answer = h.send(HZ, req, V4).await;
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.status_code(), (400, "InvalidArgument".into()));
    assert_eq!(answer.error().ec.as_deref(), Some("0011-00000002"));

    // A 3 MiB "rule" is refused, not parsed.
    let huge = format!(
        "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>{}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>",
        "<Pad>x</Pad>".repeat(260_000)
    );
    let req = OssRequest::new(Method::Put, Some("hostile"))
        .with_query("encryption", "")
        .with_xml_body(huge);
    let answer = h.send(HZ, req, V4).await;
    assert_eq!(answer.status, 400, "{:?}", answer.status_code());
    assert!(
        ["EntityTooLarge", "MalformedXML", "InvalidArgument"]
            .contains(&answer.error().code.as_str()),
        "{:?}",
        answer.status_code()
    );

    for garbage in [
        "",
        "<",
        "not xml at all",
        "<ServerSideEncryptionRule>",
        "\u{0}\u{1}\u{2}",
    ] {
        let req = OssRequest::new(Method::Put, Some("hostile"))
            .with_query("encryption", "")
            .with_xml_body(garbage.to_owned());
        let answer = h.send(HZ, req, V4).await;
        assert_eq!(
            answer.status_code(),
            (400, "MalformedXML".into()),
            "{garbage:?}"
        );
    }
    // Still serving, and nothing was changed by the refused requests.
    let answer = h.send(HZ, ops::encryption::get("hostile"), V4).await;
    assert_eq!(
        answer.status_code(),
        (404, "NoSuchServerSideEncryptionRule".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_traversal_never_leaves_the_data_folder() {
    let h = harness().await;
    let outside = h.dir.path().join("escaped");
    for key in [
        "../../../escaped",
        "a/../../escaped",
        "..\\..\\escaped",
        "/abs",
        "./x/../../y",
    ] {
        let req = ops::object::put("hostile", key, b"payload".to_vec(), None);
        let answer = h.send(HZ, req, V4).await;
        // HTTP clients remove dot segments before sending, so some of these arrive as
        // another path than was signed (SignatureDoesNotMatch); the rest are refused by name.
        // Either way: an OSS error, or a plain key that reads back under the same name.
        if answer.status == 200 {
            let back = h.send(HZ, ops::object::head("hostile", key), V4).await;
            assert_eq!(back.status, 200, "{key}");
        } else {
            let (status, code) = answer.status_code();
            assert!(
                matches!(
                    (status, code.as_str()),
                    (400, "InvalidObjectName" | "InvalidBucketName")
                        | (403, "SignatureDoesNotMatch")
                ),
                "{key}: {status} {code}"
            );
        }
    }
    for bucket in ["..", "../x", "a..b", "x/y"] {
        let answer = h.send(HZ, ops::encryption::get(bucket), V4).await;
        // ".." is resolved away by the HTTP client (the path no longer matches the
        // signature); the others are refused by name.
        let (status, code) = answer.status_code();
        assert!(
            matches!(
                (status, code.as_str()),
                (400, "InvalidBucketName") | (403, "SignatureDoesNotMatch")
            ),
            "{bucket}: {status} {code}"
        );
    }
    let traversal_host = OssRequest::new(Method::Get, None).with_query("encryption", "");
    let answer = h
        .send_raw(
            HZ,
            &traversal_host,
            Some("..%2f..%2f.oss-cn-hangzhou.aliyuncs.com"),
        )
        .await
        .expect("answered");
    assert!(answer.status >= 400);
    assert!(!outside.exists());
    let data = h.dir.path().canonicalize().expect("dir");
    for file in files_under(&data) {
        assert!(file.canonicalize().expect("file").starts_with(&data));
        assert!(!file.to_string_lossy().contains(".."), "{}", file.display());
    }
}

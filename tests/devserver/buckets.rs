//! Dev server: ListBuckets paging, bucket lifecycle, GetBucketInfo/Location, demo and seed data.

use crate::support::{HZ, Harness, SH, VERSIONS};
use ossguard::core::ops;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sign::SignatureVersion;
use ossguard::core::xml::list_buckets::{ListAllMyBucketsResult, parse_page};
use ossguard::devserver::demo::{seed_bucket_name, seed_region, seed_rule};

const V4: SignatureVersion = SignatureVersion::V4;

#[tokio::test]
async fn list_buckets_pages_through_2500_seeded_buckets() {
    let h = Harness::start(|c| c.seed_buckets = 2500).await;
    let mut marker: Option<String> = None;
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let req = ops::list_buckets::request(None, marker.as_deref(), 1000);
        let answer = h.send(HZ, req, V4).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page = parse_page(&answer.body).expect("page parses");
        pages += 1;
        let doc: ListAllMyBucketsResult =
            ossguard::core::xml::parse(&answer.body).expect("document");
        if pages < 3 {
            assert_eq!(doc.max_keys, Some(1000));
            assert_eq!(doc.is_truncated, Some(true));
        } else {
            // The last page fits entirely: the paging elements are omitted.
            assert_eq!(doc.is_truncated, None);
            assert_eq!(doc.next_marker, None);
        }
        names.extend(page.buckets.iter().map(|b| b.name.to_string()));
        match page.next_marker {
            Some(next) => marker = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let want: Vec<String> = (1..=2500).map(seed_bucket_name).collect();
    assert_eq!(names, want);
}

#[tokio::test]
async fn list_buckets_reports_region_endpoints_and_filters() {
    let h = Harness::start(|c| c.seed_buckets = 12).await;
    for version in VERSIONS {
        let answer = h
            .send(
                SH,
                ops::list_buckets::request(Some("seed-0000"), None, 5),
                version,
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let page = parse_page(&answer.body).expect("parses");
        assert_eq!(page.buckets.len(), 5);
        assert_eq!(page.next_marker.as_deref(), Some("seed-00005"));
        for bucket in &page.buckets {
            let n: usize = bucket.name.as_str()[5..].parse().expect("number");
            let regions: Vec<String> = h
                .server
                .ready
                .regions
                .0
                .iter()
                .map(|(r, _)| r.clone())
                .collect();
            let region = seed_region(n, &regions);
            assert_eq!(bucket.region, region);
            assert_eq!(bucket.location, format!("oss-{region}"));
            let port = h.server.region_port(region).expect("port");
            assert_eq!(bucket.extranet_endpoint, format!("127.0.0.1:{port}"));
            assert_eq!(bucket.intranet_endpoint, format!("127.0.0.1:{port}"));
        }
    }
    // oss2 sends empty prefix and marker.
    let req = OssRequest::new(Method::Get, None)
        .with_query("prefix", "")
        .with_query("marker", "")
        .with_query("max-keys", "100");
    let answer = h.send(HZ, req, V4).await;
    let page = parse_page(&answer.body).expect("parses");
    assert_eq!((page.buckets.len(), page.next_marker), (12, None));
    assert!(!answer.body.contains("<IsTruncated>"), "{}", answer.body);

    for bad in ["0", "1001", "x"] {
        let req = OssRequest::new(Method::Get, None).with_query("max-keys", bad);
        let answer = h.send(HZ, req, V4).await;
        assert_eq!(
            answer.status_code(),
            (400, "InvalidArgument".into()),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn bucket_lifecycle_info_and_location() {
    let h = Harness::start(|_| {}).await;
    let answer = h.send(SH, ops::bucket::create("fresh-sh"), V4).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let again = h.send(SH, ops::bucket::create("fresh-sh"), V4).await;
    assert_eq!(again.status_code(), (409, "BucketAlreadyExists".into()));
    // Created where it was asked: the Shanghai port makes a Shanghai bucket.
    let info = h.send(SH, ops::bucket::get_info("fresh-sh"), V4).await;
    assert_eq!(info.status, 200, "{}", info.body);
    let parsed = ops::bucket::parse_info(&info.body).expect("bucket info");
    assert_eq!(parsed.location, "oss-cn-shanghai");
    assert!(
        info.body.contains(
            "<ServerSideEncryptionRule><SSEAlgorithm>None</SSEAlgorithm></ServerSideEncryptionRule>"
        ),
        "{}",
        info.body
    );
    assert!(info.body.contains("<Owner>") && info.body.contains("<Grant>private</Grant>"));
    let location = h
        .send(
            SH,
            OssRequest::new(Method::Get, Some("fresh-sh")).with_query("location", ""),
            V4,
        )
        .await;
    assert!(
        location
            .body
            .contains("<LocationConstraint>oss-cn-shanghai</LocationConstraint>"),
        "{}",
        location.body
    );

    // With a CreateBucketConfiguration body.
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>";
    let req = ops::bucket::create("fresh-ia").with_xml_body(body.into());
    assert_eq!(h.send(HZ, req, SignatureVersion::V1).await.status, 200);
    let info = h.send(HZ, ops::bucket::get_info("fresh-ia"), V4).await;
    assert!(
        info.body.contains("<StorageClass>IA</StorageClass>"),
        "{}",
        info.body
    );
    let bad = ops::bucket::create("fresh-bad").with_xml_body("<CreateBucketConfiguration>".into());
    assert_eq!(
        h.send(HZ, bad, V4).await.status_code(),
        (400, "MalformedXML".into())
    );

    // Not empty, then empty, then gone.
    let put = ops::object::put("fresh-sh", "a.txt", b"x".to_vec(), None);
    assert_eq!(h.send(SH, put, V4).await.status, 200);
    let busy = h.send(SH, ops::bucket::delete("fresh-sh"), V4).await;
    assert_eq!(busy.status_code(), (409, "BucketNotEmpty".into()));
    let del = OssRequest::new(Method::Delete, Some("fresh-sh")).with_key("a.txt");
    assert_eq!(h.send(SH, del, V4).await.status, 204);
    assert_eq!(
        h.send(SH, ops::bucket::delete("fresh-sh"), V4).await.status,
        204
    );
    let gone = h.send(SH, ops::bucket::get_info("fresh-sh"), V4).await;
    assert_eq!(gone.status_code(), (404, "NoSuchBucket".into()));
    assert_eq!(gone.error().bucket_name.as_deref(), Some("fresh-sh"));
    let gone = h.send(SH, ops::bucket::delete("fresh-sh"), V4).await;
    assert_eq!(gone.status_code(), (404, "NoSuchBucket".into()));
}

#[tokio::test]
async fn invalid_bucket_names_and_unknown_calls() {
    let h = Harness::start(|_| {}).await;
    for name in ["Upper-Case", "ab", "has_underscore"] {
        let answer = h.send(HZ, ops::bucket::create(name), V4).await;
        assert_eq!(
            answer.status_code(),
            (400, "InvalidBucketName".into()),
            "{name}"
        );
    }
    let answer = h
        .http
        .get(format!("{}/..%2f..%2fetc/passwd", h.base_url(HZ)))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 400);
    h.send(HZ, ops::bucket::create("acl-test"), V4).await;
    let acl = OssRequest::new(Method::Get, Some("acl-test")).with_query("acl", "");
    assert_eq!(
        h.send(HZ, acl, V4).await.status_code(),
        (501, "NotImplemented".into())
    );
}

#[tokio::test]
async fn seed_pattern_is_what_the_docs_say() {
    let h = Harness::start(|c| c.seed_buckets = 12).await;
    let regions: Vec<String> = h
        .server
        .ready
        .regions
        .0
        .iter()
        .map(|(r, _)| r.clone())
        .collect();
    for n in 1..=12 {
        let name = seed_bucket_name(n);
        let region = seed_region(n, &regions);
        let answer = h.send(region, ops::encryption::get(&name), V4).await;
        match seed_rule(n) {
            None => assert_eq!(
                answer.status_code(),
                (404, "NoSuchServerSideEncryptionRule".into())
            ),
            Some(rule) => {
                assert_eq!(answer.status, 200, "{}", answer.body);
                assert_eq!(ops::encryption::parse(&answer.body), Ok(rule));
            }
        }
    }
}

#[tokio::test]
async fn demo_data_spans_regions_with_three_locked_buckets() {
    let h = Harness::start(|c| c.demo = true).await;
    let answer = h
        .send(HZ, ops::list_buckets::request(None, None, 1000), V4)
        .await;
    let page = parse_page(&answer.body).expect("parses");
    assert!(page.buckets.len() >= 28, "{}", page.buckets.len());
    let mut locked = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for bucket in &page.buckets {
        let answer = h
            .send(
                &bucket.region,
                ops::encryption::get(bucket.name.as_str()),
                V4,
            )
            .await;
        match answer.status {
            200 => {
                let rule = ops::encryption::parse(&answer.body).expect("rule");
                kinds.insert(format!("{}{}", rule.label(), rule.kms_key_id().is_some()));
            }
            404 => {
                kinds.insert("none".into());
            }
            403 => {
                let err = answer.error();
                assert_eq!(err.code, "AccessDenied");
                assert!(err.message.contains("no right"), "{}", err.message);
                let info = h
                    .send(
                        &bucket.region,
                        ops::bucket::get_info(bucket.name.as_str()),
                        V4,
                    )
                    .await;
                assert_eq!(info.status, 403);
                locked.push(bucket.name.to_string());
            }
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!(locked.len(), 3, "{locked:?}");
    // none, AES256, KMS, KMS + key, KMS + SM4, SM4
    assert!(kinds.len() >= 6, "{kinds:?}");
    for region in h.server.ready.regions.0.iter().map(|(r, _)| r) {
        assert!(page.buckets.iter().any(|b| &b.region == region), "{region}");
    }
}

//! Dev server: many writes to one key at once. Every versioned write keeps its version, and
//! of appends at one position exactly one lands: each read-modify-write of an object record
//! happens under that key's write lock.

use futures::future::join_all;

use crate::support::{Answer, HZ, Harness};
use ossguard::core::ops;
use ossguard::core::ops::object::COPY_SOURCE_HEADER;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sign::SignatureVersion;
use ossguard::core::sse::SseRule;
use ossguard::core::xml::multipart::PartRef;

const V4: SignatureVersion = SignatureVersion::V4;
const WRITERS: usize = 32;

async fn harness(bucket: &str) -> Harness {
    let h = Harness::start(|_| {}).await;
    assert_eq!(
        h.send(HZ, ops::bucket::create(bucket), V4).await.status,
        200
    );
    h
}

async fn enable_versioning(h: &Harness, bucket: &str) {
    set_versioning(h, bucket, "Enabled").await;
}

async fn set_versioning(h: &Harness, bucket: &str, status: &str) {
    let set = OssRequest::new(Method::Put, Some(bucket))
        .with_query("versioning", "")
        .with_xml_body(format!(
            "<VersioningConfiguration><Status>{status}</Status></VersioningConfiguration>"
        ));
    assert_eq!(h.send(HZ, set, V4).await.status, 200);
}

/// `(VersionId, IsLatest)` of every version and delete marker ListObjectVersions lists.
fn versions(list: &Answer) -> Vec<(String, bool)> {
    list.body
        .replace("<DeleteMarker>", "<Version>")
        .split("<Version>")
        .skip(1)
        .map(|v| {
            let field = |name: &str| {
                let open = format!("<{name}>");
                let start = v.find(&open).expect(name) + open.len();
                let end = v[start..].find('<').expect(name) + start;
                v[start..end].to_owned()
            };
            (field("VersionId"), field("IsLatest") == "true")
        })
        .collect()
}

/// CopyObject of `key` onto itself with SM4, with no ETag condition.
fn copy_to_sm4(bucket: &str, key: &str) -> OssRequest {
    let mut copy = OssRequest::new(Method::Put, Some(bucket))
        .with_key(key)
        .with_header(COPY_SOURCE_HEADER, &ops::object::copy_source(bucket, key));
    ops::object::set_sse(&mut copy, &SseRule::Sm4);
    copy
}

fn tagging(bucket: &str, key: &str, n: usize) -> OssRequest {
    OssRequest::new(Method::Put, Some(bucket))
        .with_key(key)
        .with_query("tagging", "")
        .with_xml_body(format!(
            "<Tagging><TagSet><Tag><Key>writer</Key><Value>{n}</Value></Tag></TagSet></Tagging>"
        ))
}

#[tokio::test]
async fn concurrent_writes_to_one_versioned_key_keep_every_version() {
    let h = harness("same-key-ver").await;
    enable_versioning(&h, "same-key-ver").await;
    let first = ops::object::put("same-key-ver", "k", b"first".to_vec(), None);
    assert_eq!(h.send(HZ, first, V4).await.status, 200);
    // PutObjects, CopyObjects onto itself (no ETag condition: each copies whatever is
    // current), and tagging and ACL changes, which rewrite the record but add no version.
    let requests = (0..WRITERS).flat_map(|n| {
        let copy = copy_to_sm4("same-key-ver", "k");
        [
            ops::object::put("same-key-ver", "k", format!("body {n}").into_bytes(), None),
            copy,
            tagging("same-key-ver", "k", n),
            ops::object::put_acl("same-key-ver", "k", "private"),
        ]
    });
    let answers = join_all(requests.map(|req| h.send(HZ, req, V4))).await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    let list = OssRequest::new(Method::Get, Some("same-key-ver")).with_query("versions", "");
    let list = h.send(HZ, list, V4).await;
    assert_eq!(list.status, 200);
    let versions = versions(&list);
    assert_eq!(versions.len(), 1 + 2 * WRITERS, "{}", list.body);
    let mut ids: Vec<&str> = versions.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), versions.len(), "a version id repeats");
    assert_eq!(versions.iter().filter(|(_, latest)| *latest).count(), 1);
}

#[tokio::test]
async fn of_concurrent_appends_at_one_position_exactly_one_lands() {
    let h = harness("same-key-app").await;
    let append = |position: usize, body: String| {
        let mut req = OssRequest::new(Method::Post, Some("same-key-app"))
            .with_key("log")
            .with_query("append", "")
            .with_query("position", &position.to_string());
        req.body = body.into_bytes();
        req
    };
    let mut expected = String::new();
    for round in 0..3 {
        let bodies: Vec<String> = (0..WRITERS).map(|n| format!("r{round}w{n:02};")).collect();
        let answers = join_all(
            bodies
                .iter()
                .map(|b| h.send(HZ, append(expected.len(), b.clone()), V4)),
        )
        .await;
        let winners: Vec<usize> = (0..WRITERS).filter(|&n| answers[n].status == 200).collect();
        assert_eq!(winners.len(), 1, "{answers:?}");
        for (n, answer) in answers.iter().enumerate() {
            if n != winners[0] {
                assert_eq!(
                    answer.status_code(),
                    (409, "PositionNotEqualToLength".into())
                );
            }
        }
        expected.push_str(&bodies[winners[0]]);
        assert_eq!(
            answers[winners[0]].header("x-oss-next-append-position"),
            Some(expected.len().to_string().as_str())
        );
    }
    let get = OssRequest::new(Method::Get, Some("same-key-app")).with_key("log");
    assert_eq!(h.send(HZ, get, V4).await.body, expected);
}

/// ossguard's re-encryption copies an object onto itself only if it still has the ETag read
/// before: a PutObject at the same time is either copied (before it) or refused (after it),
/// so the last data written is always the object's.
#[tokio::test]
async fn a_conditional_copy_onto_itself_never_undoes_a_put_at_the_same_time() {
    let h = harness("same-key-cas").await;
    for round in 0..3 {
        let old = format!("old {round}").into_bytes();
        let put = ops::object::put("same-key-cas", "k", old.clone(), None);
        let etag = h
            .send(HZ, put, V4)
            .await
            .header("etag")
            .expect("etag")
            .to_owned();
        let copies = (0..WRITERS).map(|_| {
            let copy = copy_to_sm4("same-key-cas", "k")
                .with_header(ops::object::COPY_IF_MATCH_HEADER, &etag);
            h.send(HZ, copy, V4)
        });
        let new = format!("new {round}").into_bytes();
        let put = h.send(
            HZ,
            ops::object::put("same-key-cas", "k", new.clone(), None),
            V4,
        );
        let (answers, put) = futures::join!(join_all(copies), put);
        assert_eq!(put.status, 200, "{put:?}");
        for answer in &answers {
            assert!(
                answer.status == 200 || answer.status_code() == (412, "PreconditionFailed".into()),
                "{answer:?}"
            );
        }
        let get = OssRequest::new(Method::Get, Some("same-key-cas")).with_key("k");
        let get = h.send(HZ, get, V4).await;
        assert_eq!(get.body.as_bytes(), new.as_slice(), "round {round}");
        assert_eq!(get.header("etag"), put.header("etag"));
    }
}

/// An upload of `key` with one part: its id and the part list to complete it with.
async fn one_part_upload(h: &Harness, bucket: &str, key: &str) -> (String, Vec<PartRef>) {
    let init = OssRequest::new(Method::Post, Some(bucket))
        .with_key(key)
        .with_query("uploads", "");
    let init = h.send(HZ, init, V4).await;
    let upload_id = init.element("UploadId").expect("upload id");
    let mut part = OssRequest::new(Method::Put, Some(bucket))
        .with_key(key)
        .with_query("partNumber", "1")
        .with_query("uploadId", &upload_id);
    part.body = b"the only part".to_vec();
    let part = h.send(HZ, part, V4).await;
    assert_eq!(part.status, 200, "{part:?}");
    let parts = vec![PartRef {
        part_number: 1,
        etag: part.header("etag").expect("etag").to_owned(),
    }];
    (upload_id, parts)
}

/// Two Completes of one upload at once: one writes the object, the other finds the upload
/// gone. [unverified] OSS's answer to a second Complete; the dev server never writes twice.
#[tokio::test]
async fn of_two_completes_of_one_upload_one_writes() {
    let h = harness("same-key-mpu").await;
    enable_versioning(&h, "same-key-mpu").await;
    let (upload_id, part_list) = one_part_upload(&h, "same-key-mpu", "big").await;
    let parts = || part_list.clone();
    let complete = |_| {
        h.send(
            HZ,
            ops::multipart::complete("same-key-mpu", "big", &upload_id, parts()),
            V4,
        )
    };
    let answers = join_all((0..8).map(complete)).await;
    let done = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(done, 1, "{answers:?}");
    for answer in answers.iter().filter(|a| a.status != 200) {
        assert_eq!(answer.status_code(), (404, "NoSuchUpload".into()));
    }
    let list = OssRequest::new(Method::Get, Some("same-key-mpu")).with_query("versions", "");
    assert_eq!(versions(&h.send(HZ, list, V4).await).len(), 1);
}

/// Suspending versioning keeps the versions written before; new writes share the one
/// `null` version, each replacing the last.
#[tokio::test]
async fn suspended_versioning_keeps_older_versions_and_one_null_version() {
    let h = harness("same-key-sus").await;
    enable_versioning(&h, "same-key-sus").await;
    let mut kept = Vec::new();
    for body in ["a", "b"] {
        let put = ops::object::put("same-key-sus", "k", body.into(), None);
        let put = h.send(HZ, put, V4).await;
        kept.push(put.header("x-oss-version-id").expect("version").to_owned());
    }
    set_versioning(&h, "same-key-sus", "Suspended").await;
    let answers = join_all((0..WRITERS).map(|n| {
        let put = ops::object::put("same-key-sus", "k", format!("s{n}").into_bytes(), None);
        h.send(HZ, put, V4)
    }))
    .await;
    assert!(answers.iter().all(|a| a.status == 200), "{answers:?}");
    let list = OssRequest::new(Method::Get, Some("same-key-sus")).with_query("versions", "");
    let list = h.send(HZ, list, V4).await;
    let expected = [
        ("null".to_owned(), true),
        (kept[1].clone(), false),
        (kept[0].clone(), false),
    ];
    assert_eq!(versions(&list), expected, "{}", list.body);
}

/// DeleteObject on a versioned bucket adds a delete marker: the key reads as absent and
/// leaves ListObjects, every version stays, and a later PutObject is the latest again.
#[tokio::test]
async fn deletes_on_a_versioned_bucket_add_markers_and_keep_every_version() {
    let h = harness("same-key-del").await;
    enable_versioning(&h, "same-key-del").await;
    let put = |n: usize| ops::object::put("same-key-del", "k", format!("v{n}").into_bytes(), None);
    let delete = || OssRequest::new(Method::Delete, Some("same-key-del")).with_key("k");
    let first = h.send(HZ, put(0), V4).await;
    let first_version = first
        .header("x-oss-version-id")
        .expect("version")
        .to_owned();
    let answers =
        join_all((1..=WRITERS).flat_map(|n| [h.send(HZ, put(n), V4), h.send(HZ, delete(), V4)]))
            .await;
    assert!(answers.iter().all(|a| a.status / 100 == 2), "{answers:?}");
    let gone = h.send(HZ, delete(), V4).await;
    assert_eq!(gone.status, 204);
    assert_eq!(gone.header("x-oss-delete-marker"), Some("true"));
    let get = OssRequest::new(Method::Get, Some("same-key-del")).with_key("k");
    assert_eq!(
        h.send(HZ, get.clone(), V4).await.status_code(),
        (404, "NoSuchKey".into())
    );
    let listed = OssRequest::new(Method::Get, Some("same-key-del")).with_query("list-type", "2");
    assert!(!h.send(HZ, listed, V4).await.body.contains("<Key>k</Key>"));
    let old = ops::object::head("same-key-del", "k").with_query("versionId", &first_version);
    assert_eq!(h.send(HZ, old, V4).await.status, 200);

    let list = || OssRequest::new(Method::Get, Some("same-key-del")).with_query("versions", "");
    let body = h.send(HZ, list(), V4).await.body;
    assert_eq!(
        versions(&h.send(HZ, list(), V4).await).len(),
        2 + 2 * WRITERS
    );
    assert_eq!(body.matches("<DeleteMarker>").count(), WRITERS + 1);
    assert!(body.contains(&format!(
        "<DeleteMarker><Key>k</Key><VersionId>{}</VersionId><IsLatest>true</IsLatest>",
        gone.header("x-oss-version-id").expect("marker version")
    )));

    assert_eq!(h.send(HZ, put(99), V4).await.status, 200);
    assert_eq!(h.send(HZ, get, V4).await.body, "v99");
    assert_eq!(
        versions(&h.send(HZ, list(), V4).await).len(),
        3 + 2 * WRITERS
    );
}

/// Complete and Abort of one upload at once: exactly one of them succeeds, and the object
/// exists exactly when Complete did.
#[tokio::test]
async fn an_upload_is_completed_or_aborted_never_both() {
    let h = harness("same-key-abort").await;
    for round in 0..8 {
        let key = format!("k{round}");
        let (upload_id, parts) = one_part_upload(&h, "same-key-abort", &key).await;
        let complete = ops::multipart::complete("same-key-abort", &key, &upload_id, parts);
        let abort = ops::multipart::abort("same-key-abort", &key, &upload_id);
        let (completed, aborted) = futures::join!(h.send(HZ, complete, V4), h.send(HZ, abort, V4));
        let head = h
            .send(HZ, ops::object::head("same-key-abort", &key), V4)
            .await;
        match (completed.status, aborted.status) {
            (200, 404) => assert_eq!(head.status, 200),
            (404, 204) => assert_eq!(head.status, 404),
            other => panic!("round {round}: {other:?} {completed:?} {aborted:?}"),
        }
    }
}

//! Dev server: what re-encryption by copy relies on. Listing (V2 and V1, URL-encoded keys,
//! pages), HeadObject facts, CopyObject onto itself (SSE, directives, preconditions, storage
//! class, ACL, archived and appendable sources, the 1 GB limit), multipart copy of a 2.5 GB
//! generated object, tagging, versioning and a retention policy.

use crate::support::{HZ, Harness};
use ossguard::core::objects::facts::{ObjectFacts, ObjectType, RestoreState, StorageClass};
use ossguard::core::ops;
use ossguard::core::ops::list_objects::request_v2;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sign::SignatureVersion;
use ossguard::core::sse::SseRule;
use ossguard::core::xml::multipart::{InitiateResult, PartRef};
use ossguard::devserver::seed_objects::{DEMO_OBJECTS_BUCKET, SEED_OBJECTS_BUCKET};

const V4: SignatureVersion = SignatureVersion::V4;
const V1: SignatureVersion = SignatureVersion::V1;

async fn harness(bucket: &str) -> Harness {
    let h = Harness::start(|_| {}).await;
    assert_eq!(
        h.send(HZ, ops::bucket::create(bucket), V4).await.status,
        200
    );
    h
}

async fn put(h: &Harness, req: OssRequest) {
    let answer = h.send(HZ, req, V4).await;
    assert!(answer.status < 300, "{answer:?}");
}

async fn head(h: &Harness, bucket: &str, key: &str) -> ObjectFacts {
    let answer = h.send(HZ, ops::object::head(bucket, key), V4).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let headers: Vec<(String, String)> = answer
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    ObjectFacts::from_head(key, &headers).expect("facts")
}

#[tokio::test]
async fn lists_pages_with_url_encoded_keys_in_both_versions() {
    let h = harness("list-objs").await;
    let keys = ["a/1", "a/2 two", "a/3+\u{4e2d}", "a/4\u{1}", "b/5"];
    for key in keys {
        put(&h, ops::object::put("list-objs", key, b"x".to_vec(), None)).await;
    }
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let answer = h
            .send(
                HZ,
                request_v2("list-objs", Some("a/"), token.as_deref(), 2),
                V4,
            )
            .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(answer.body.contains("<KeyCount>"), "{}", answer.body);
        let page = ops::list_objects::parse(&answer.body).expect("page");
        pages += 1;
        seen.extend(page.objects.into_iter().map(|o| o.key));
        match page.next {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen, keys[..4]);
    // V1 with marker, V1-signed (continuation-token and marker are signed differently).
    let v1 = OssRequest::new(Method::Get, Some("list-objs"))
        .with_query("marker", "a/3+\u{4e2d}")
        .with_query("encoding-type", "url");
    let answer = h.send(HZ, v1, V1).await;
    let page = ossguard::core::xml::list_objects::parse_page(&answer.body, false).expect("v1");
    let rest: Vec<String> = page.objects.into_iter().map(|o| o.key).collect();
    assert_eq!(rest, ["a/4\u{1}", "b/5"]);
    let too_many = h
        .send(HZ, request_v2("list-objs", None, None, 1001), V4)
        .await;
    assert_eq!(too_many.status_code(), (400, "InvalidArgument".into()));
    let folded = h
        .send(
            HZ,
            request_v2("list-objs", None, None, 10).with_query("delimiter", "/"),
            V4,
        )
        .await;
    assert!(
        folded
            .body
            .contains("<CommonPrefixes><Prefix>a%2F</Prefix></CommonPrefixes>"),
        "{}",
        folded.body
    );
}

#[tokio::test]
async fn copy_in_place_changes_sse_and_keeps_what_it_must() {
    let h = harness("copy-objs").await;
    let mut req = ops::object::put("copy-objs", "doc.txt", b"data".to_vec(), None)
        .with_header("x-oss-storage-class", "IA")
        .with_header("x-oss-meta-owner", "alice")
        .with_header("content-type", "text/plain")
        .with_header("x-oss-tagging", "team=a");
    req.set_header("cache-control", "no-cache");
    put(&h, req).await;
    put(
        &h,
        ops::object::put_acl("copy-objs", "doc.txt", "public-read"),
    )
    .await;
    let before = head(&h, "copy-objs", "doc.txt").await;
    assert_eq!(before.storage_class, StorageClass::InfrequentAccess);
    let kms = SseRule::Kms {
        key_id: Some("key-copytest0001".into()),
        sm4_data: false,
    };

    // A stale ETag is refused and nothing changes.
    let mut stale = before.clone();
    stale.etag = "\"0123\"".into();
    let refused = h
        .send(
            HZ,
            ops::object::copy_in_place("copy-objs", &stale, &kms),
            V4,
        )
        .await;
    assert_eq!(refused.status_code(), (412, "PreconditionFailed".into()));
    assert_eq!(head(&h, "copy-objs", "doc.txt").await.sse, None);

    let copied = h
        .send(
            HZ,
            ops::object::copy_in_place("copy-objs", &before, &kms),
            V4,
        )
        .await;
    assert_eq!(copied.status, 200, "{copied:?}");
    assert!(copied.body.contains("<CopyObjectResult>"));
    let after = head(&h, "copy-objs", "doc.txt").await;
    assert_eq!(after.sse, Some(kms.clone()));
    assert_eq!(after.storage_class, StorageClass::InfrequentAccess);
    assert_eq!(after.size, 4);
    assert_eq!(after.user_metadata(), before.user_metadata());
    assert_eq!(after.kept_headers, before.kept_headers);
    let tags = h
        .send(HZ, ops::object::get_tagging("copy-objs", "doc.txt"), V4)
        .await;
    assert!(
        tags.body.contains("<Key>team</Key><Value>a</Value>"),
        "{}",
        tags.body
    );
    // The copy resets the ACL (ossguard puts it back itself).
    let acl = h
        .send(HZ, ops::object::get_acl("copy-objs", "doc.txt"), V4)
        .await;
    assert!(acl.body.contains("<Grant>default</Grant>"), "{}", acl.body);

    // Without x-oss-storage-class the copy lands in the bucket's class.
    let mut plain = ops::object::copy_in_place("copy-objs", &after, &SseRule::Aes256);
    plain.headers.retain(|(n, _)| n != "x-oss-storage-class");
    assert_eq!(h.send(HZ, plain, V4).await.status, 200);
    assert_eq!(
        head(&h, "copy-objs", "doc.txt").await.storage_class,
        StorageClass::Standard
    );

    // if-none-match on the current ETag: not modified.
    let current = head(&h, "copy-objs", "doc.txt").await;
    let none_match = OssRequest::new(Method::Put, Some("copy-objs"))
        .with_key("other.txt")
        .with_header("x-oss-copy-source", "/copy-objs/doc.txt")
        .with_header("x-oss-copy-source-if-none-match", &current.etag);
    assert_eq!(h.send(HZ, none_match, V4).await.status, 304);
}

#[tokio::test]
async fn archived_appendable_and_symlink_objects() {
    let h = harness("state-objs").await;
    put(
        &h,
        ops::object::put("state-objs", "cold", b"frozen".to_vec(), None)
            .with_header("x-oss-storage-class", "Archive"),
    )
    .await;
    let cold = head(&h, "state-objs", "cold").await;
    assert_eq!(
        (cold.storage_class.clone(), cold.restore.clone()),
        (StorageClass::Archive, RestoreState::NotRequested)
    );
    let refused = h
        .send(
            HZ,
            ops::object::copy_in_place("state-objs", &cold, &SseRule::Aes256),
            V4,
        )
        .await;
    assert_eq!(refused.status_code(), (403, "InvalidObjectState".into()));
    let restore = OssRequest::new(Method::Post, Some("state-objs"))
        .with_key("cold")
        .with_query("restore", "");
    assert_eq!(h.send(HZ, restore.clone(), V4).await.status, 202);
    assert_eq!(h.send(HZ, restore, V4).await.status, 200);
    let restored = head(&h, "state-objs", "cold").await;
    assert_eq!(restored.restore, RestoreState::Restored);
    let copied = h
        .send(
            HZ,
            ops::object::copy_in_place("state-objs", &restored, &SseRule::Aes256),
            V4,
        )
        .await;
    assert_eq!(copied.status, 200, "{copied:?}");
    assert_eq!(
        head(&h, "state-objs", "cold").await.storage_class,
        StorageClass::Archive
    );

    let append = |pos: u64, body: &[u8]| {
        let mut req = OssRequest::new(Method::Post, Some("state-objs"))
            .with_key("log")
            .with_query("append", "")
            .with_query("position", &pos.to_string());
        req.body = body.to_vec();
        req
    };
    let first = h.send(HZ, append(0, b"abc"), V4).await;
    assert_eq!(first.header("x-oss-next-append-position"), Some("3"));
    assert_eq!(
        h.send(HZ, append(1, b"x"), V4).await.status_code(),
        (409, "PositionNotEqualToLength".into())
    );
    assert_eq!(h.send(HZ, append(3, b"de"), V4).await.status, 200);
    let log = head(&h, "state-objs", "log").await;
    assert_eq!(
        (log.object_type.clone(), log.size),
        (ObjectType::Appendable, 5)
    );
    let refused = h
        .send(
            HZ,
            ops::object::copy_in_place("state-objs", &log, &SseRule::Aes256),
            V4,
        )
        .await;
    assert_eq!(refused.status, 409);

    let link = OssRequest::new(Method::Put, Some("state-objs"))
        .with_key("link")
        .with_query("symlink", "")
        .with_header("x-oss-symlink-target", "log");
    put(&h, link).await;
    assert_eq!(
        head(&h, "state-objs", "link").await.object_type,
        ObjectType::Symlink
    );
}

#[tokio::test]
async fn versioning_keeps_old_versions_and_retention_refuses_rewrites() {
    let h = harness("ver-objs").await;
    let enable = OssRequest::new(Method::Put, Some("ver-objs"))
        .with_query("versioning", "")
        .with_xml_body(
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>".into(),
        );
    put(&h, enable).await;
    put(&h, ops::object::put("ver-objs", "v", b"one".to_vec(), None)).await;
    let first = head(&h, "ver-objs", "v").await;
    let first_version = first.version_id.clone().expect("versioned");
    put(
        &h,
        ops::object::copy_in_place("ver-objs", &first, &SseRule::Sm4),
    )
    .await;
    let second = head(&h, "ver-objs", "v").await;
    assert_ne!(second.version_id.as_deref(), Some(first_version.as_str()));
    assert_eq!(second.sse, Some(SseRule::Sm4));
    let old = h
        .send(
            HZ,
            ops::object::head("ver-objs", "v").with_query("versionId", &first_version),
            V4,
        )
        .await;
    assert_eq!(old.status, 200);
    assert_eq!(old.header("x-oss-server-side-encryption"), None);

    put(&h, ops::bucket::create("worm-objs")).await;
    put(
        &h,
        ops::object::put("worm-objs", "w", b"keep".to_vec(), None),
    )
    .await;
    let worm = OssRequest::new(Method::Post, Some("worm-objs"))
        .with_query("worm", "")
        .with_xml_body("<InitiateWormConfiguration><RetentionPeriodInDays>1</RetentionPeriodInDays></InitiateWormConfiguration>".into());
    put(&h, worm).await;
    let facts = head(&h, "worm-objs", "w").await;
    let refused = h
        .send(
            HZ,
            ops::object::copy_in_place("worm-objs", &facts, &SseRule::Aes256),
            V4,
        )
        .await;
    assert_eq!(refused.status_code(), (409, "FileImmutable".into()));
    assert_eq!(
        refused.error().message,
        "The object you specified is immutable."
    );
    let delete = OssRequest::new(Method::Delete, Some("worm-objs")).with_key("w");
    assert_eq!(h.send(HZ, delete, V4).await.status, 409);
    assert_eq!(head(&h, "worm-objs", "w").await.sse, None);
}

#[tokio::test]
async fn large_objects_need_the_multipart_copy() {
    let h = Harness::start(|c| {
        c.demo = true;
        c.regions = vec![HZ.into()];
    })
    .await;
    let bucket = DEMO_OBJECTS_BUCKET;
    let video = head(&h, bucket, "media/all-hands.mp4").await;
    assert!(video.size > 2 << 30);
    let refused = h
        .send(
            HZ,
            ops::object::copy_in_place(bucket, &video, &SseRule::Sm4),
            V4,
        )
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(head(&h, bucket, "media/all-hands.mp4").await.sse, None);

    let init = h
        .send(
            HZ,
            ops::multipart::initiate(bucket, &video, &SseRule::Sm4, Some("k=v")),
            V4,
        )
        .await;
    assert_eq!(init.status, 200, "{init:?}");
    let upload: InitiateResult =
        ossguard::core::xml::multipart::parse_doc(&init.body, "InitiateMultipartUploadResult")
            .expect("init");
    let plan = ossguard::core::objects::plan::PartPlan::for_size(video.size);
    assert_eq!(plan.parts, 40);
    let mut parts = Vec::new();
    for n in 1..=plan.parts {
        let part = h
            .send(
                HZ,
                ops::multipart::upload_part_copy(
                    bucket,
                    &video,
                    &upload.upload_id,
                    n,
                    plan.range(n),
                ),
                V4,
            )
            .await;
        assert_eq!(part.status, 200, "{part:?}");
        let etag = part.element("ETag").expect("etag");
        parts.push(PartRef {
            part_number: n,
            etag,
        });
    }
    let listed = h
        .send(
            HZ,
            OssRequest::new(Method::Get, Some(bucket))
                .with_key(&video.key)
                .with_query("uploadId", &upload.upload_id),
            V4,
        )
        .await;
    assert_eq!(listed.body.matches("<Part>").count(), 40);
    let done = h
        .send(
            HZ,
            ops::multipart::complete(bucket, &video.key, &upload.upload_id, parts),
            V4,
        )
        .await;
    assert_eq!(done.status, 200, "{done:?}");
    let after = head(&h, bucket, "media/all-hands.mp4").await;
    assert_eq!(after.sse, Some(SseRule::Sm4));
    assert_eq!(after.size, video.size);
    assert_eq!(after.user_metadata(), video.user_metadata());
    assert_eq!(after.kept_headers, video.kept_headers);
    let tags = h
        .send(HZ, ops::object::get_tagging(bucket, &video.key), V4)
        .await;
    assert!(tags.body.contains("<Key>k</Key>"));

    // A changed source fails the part copy; Abort forgets the upload.
    let init = h
        .send(
            HZ,
            ops::multipart::initiate(bucket, &after, &SseRule::Aes256, None),
            V4,
        )
        .await;
    let upload: InitiateResult =
        ossguard::core::xml::multipart::parse_doc(&init.body, "InitiateMultipartUploadResult")
            .expect("init");
    let part = h
        .send(
            HZ,
            ops::multipart::upload_part_copy(bucket, &video, &upload.upload_id, 1, (0, 1023)),
            V4,
        )
        .await;
    assert_eq!(part.status_code(), (412, "PreconditionFailed".into()));
    let abort = h
        .send(
            HZ,
            ops::multipart::abort(bucket, &after.key, &upload.upload_id),
            V4,
        )
        .await;
    assert_eq!(abort.status, 204);
    let gone = h
        .send(
            HZ,
            ops::multipart::abort(bucket, &after.key, &upload.upload_id),
            V4,
        )
        .await;
    assert_eq!(gone.status_code(), (404, "NoSuchUpload".into()));
}

#[tokio::test]
async fn small_parts_are_refused_and_seeded_objects_list() {
    let h = Harness::start(|c| c.seed_objects = 1500).await;
    let bucket = SEED_OBJECTS_BUCKET;
    let first = h.send(HZ, request_v2(bucket, None, None, 1000), V4).await;
    let page = ops::list_objects::parse(&first.body).expect("page");
    assert_eq!(page.objects.len(), 1000);
    let second = h
        .send(HZ, request_v2(bucket, None, page.next.as_deref(), 1000), V4)
        .await;
    let rest = ops::list_objects::parse(&second.body).expect("page");
    assert_eq!((rest.objects.len(), rest.next), (500, None));
    assert_eq!(rest.objects[499].key, "obj/0001500");

    let facts = head(&h, bucket, "obj/0000001").await;
    let init = h
        .send(
            HZ,
            ops::multipart::initiate(bucket, &facts, &SseRule::Aes256, None),
            V4,
        )
        .await;
    let upload: InitiateResult =
        ossguard::core::xml::multipart::parse_doc(&init.body, "InitiateMultipartUploadResult")
            .expect("init");
    let mut parts = Vec::new();
    for (n, range) in [(1, (0, 511)), (2, (512, 1023))] {
        let part = h
            .send(
                HZ,
                ops::multipart::upload_part_copy(bucket, &facts, &upload.upload_id, n, range),
                V4,
            )
            .await;
        parts.push(PartRef {
            part_number: n,
            etag: part.element("ETag").expect("etag"),
        });
    }
    let done = h
        .send(
            HZ,
            ops::multipart::complete(bucket, &facts.key, &upload.upload_id, parts),
            V4,
        )
        .await;
    assert_eq!(done.status_code(), (400, "EntityTooSmall".into()));
}

//! Objects for tests, benchmarks and the demo, written in one seed pack with generated bodies.
//!
//! `--seed-objects N`: bucket [`SEED_OBJECTS_BUCKET`] in the first region, no rule, objects
//! `obj/0000001`.. (see [`seed_object_key`]), each 1,024 bytes, unencrypted, Standard.
//! `--demo`: demo bucket [`DEMO_OBJECTS_BUCKET`] (rule AES256) holds a mix to re-encrypt:
//! unencrypted, AES256, KMS, archived (not restored, restoring, restored), appendable,
//! a symlink, and a 2.5 GB object that needs the multipart copy.

use md5::Digest as _;

use super::store::{BucketRecord, ObjectRecord};
use crate::core::objects::facts::{ObjectType, StorageClass};
use crate::core::sse::SseRule;

pub const SEED_OBJECTS_BUCKET: &str = "seed-objects";
/// A demo bucket (rule AES256) that also holds the object mix.
pub const DEMO_OBJECTS_BUCKET: &str = "customer-exports-sh";
pub const SEED_OBJECT_SIZE: u64 = 1024;
/// 2023-06-01T00:00:00Z, the seeded objects' LastModified.
const SEEDED_AT_MS: i64 = 1_685_577_600_000;

pub fn seed_object_key(n: usize) -> String {
    format!("obj/{n:07}")
}

/// A generated body's ETag (stable, distinct per size).
fn generated_etag(size: u64) -> String {
    format!(
        "\"{}\"",
        hex::encode_upper(md5::Md5::digest(format!("generated {size}")))
    )
}

fn generated(key: &str, size: u64, sse: Option<SseRule>) -> ObjectRecord {
    let mut record = ObjectRecord::new(key, generated_etag(size), size, SEEDED_AT_MS, sse);
    record.generated = true;
    record
}

pub(crate) fn seed_objects(count: usize) -> Vec<ObjectRecord> {
    (1..=count)
        .map(|n| generated(&seed_object_key(n), SEED_OBJECT_SIZE, None))
        .collect()
}

pub(crate) fn seed_objects_bucket(region: &str) -> BucketRecord {
    BucketRecord::new(SEED_OBJECTS_BUCKET, region, "2023-06-01T00:00:00.000Z")
}

pub(crate) fn demo_objects() -> Vec<ObjectRecord> {
    let kms_default = SseRule::Kms {
        key_id: None,
        sm4_data: false,
    };
    let kms_cmk = SseRule::Kms {
        key_id: Some("9468da86-3509-4f8d-a61e-6eab1eac0001".into()),
        sm4_data: false,
    };
    let mut objects = vec![
        generated("reports/2023/q1.csv", 48_213, None),
        generated("reports/2023/q2.csv", 51_877, None),
        generated("reports/2023/q3.csv", 50_112, None),
        generated("reports/2024/q1.csv", 52_004, Some(SseRule::Aes256)),
        generated("reports/2024/q2.csv", 53_990, Some(SseRule::Aes256)),
        generated("keys/default-kms.bin", 4_096, Some(kms_default)),
        generated("keys/cmk.bin", 4_096, Some(kms_cmk)),
        generated("images/logo.png", 182_330, None),
        generated("images/banner.jpg", 740_219, Some(SseRule::Sm4)),
    ];
    let mut ia = generated("cold/ia-export.parquet", 9_437_184, None);
    ia.storage_class = StorageClass::InfrequentAccess;
    let mut archived = generated("archive/2019.tar", 31_457_280, None);
    archived.storage_class = StorageClass::Archive;
    let mut restoring = generated("archive/2020.tar", 20_971_520, None);
    restoring.storage_class = StorageClass::Archive;
    restoring.restore_ready_ms = Some(i64::MAX);
    let mut restored = generated("archive/2021.tar", 10_485_760, None);
    restored.storage_class = StorageClass::ColdArchive;
    restored.restore_ready_ms = Some(SEEDED_AT_MS);
    let mut appendable = generated("logs/app.log", 65_536, None);
    appendable.object_type = ObjectType::Appendable;
    let mut link = generated("links/latest-report", 0, None);
    link.object_type = ObjectType::Symlink;
    link.symlink_target = Some("reports/2024/q2.csv".into());
    let mut video = generated("media/all-hands.mp4", 2_684_354_560, None);
    video.object_type = ObjectType::Multipart;
    video.headers = vec![("x-oss-meta-owner".into(), "comms".into())];
    video.content_type = "video/mp4".into();
    objects.extend([ia, archived, restoring, restored, appendable, link, video]);
    objects
}

#[cfg(test)]
mod tests {
    use super::{demo_objects, seed_object_key, seed_objects};
    use crate::core::objects::facts::{ObjectType, StorageClass};

    #[test]
    fn patterns() {
        let seeded = seed_objects(3);
        assert_eq!(seeded[2].key, seed_object_key(3));
        assert_eq!(seed_object_key(3), "obj/0000003");
        assert!(seeded.iter().all(|o| o.generated && o.sse.is_none()));
        let demo = demo_objects();
        assert!(demo.iter().any(|o| o.sse.is_none()));
        assert!(demo.iter().any(|o| o.sse.is_some()));
        assert!(
            demo.iter()
                .any(|o| o.storage_class == StorageClass::Archive)
        );
        assert!(demo.iter().any(|o| o.object_type == ObjectType::Appendable));
        assert!(demo.iter().any(|o| o.size > 2 << 30));
        let regions = ["cn-hangzhou".to_owned(), "cn-shanghai".to_owned()];
        let home = crate::devserver::demo::demo_buckets(&regions)
            .into_iter()
            .find(|b| b.name == super::DEMO_OBJECTS_BUCKET)
            .expect("a demo bucket");
        assert_eq!(home.rule, Some(crate::core::sse::SseRule::Aes256));
    }
}

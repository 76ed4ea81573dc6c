//! What to do with one object to bring it to the target encryption: the single decision the
//! CLI, the app and the dry-run preview all call.

use serde::{Deserialize, Serialize};

use super::facts::{ObjectFacts, ObjectType, RestoreState};
use crate::core::sse::SseRule;

/// CopyObject refuses to change the encryption of larger objects (OSS doc "CopyObject").
pub const COPY_OBJECT_LIMIT: u64 = 1_073_741_824;
/// UploadPartCopy: every part but the last at least 100 KB, at most 10,000 parts.
pub const MIN_PART_SIZE: u64 = 100 * 1024;
pub const MAX_PARTS: u64 = 10_000;
/// The Go SDK's Copier part size (`oss/copier.go`).
pub const DEFAULT_PART_SIZE: u64 = 64 * 1024 * 1024;

/// Why an object is not copied. Each is counted and reported, never silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Archive, ColdArchive or DeepColdArchive without a finished restore.
    ArchiveNotRestored,
    /// CopyObject refuses Appendable objects.
    Appendable,
    /// Copying a symlink copies the link, not the data.
    Symlink,
    /// A retention (WORM) policy refuses the overwrite.
    Immutable,
    /// Overwritten by someone else twice while ossguard tried to copy it.
    Changed,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArchiveNotRestored => "archive-not-restored",
            Self::Appendable => "appendable",
            Self::Symlink => "symlink",
            Self::Immutable => "immutable",
            Self::Changed => "changed",
        }
    }

    /// Why such an object is not copied, for the preview and the dry run.
    pub fn why(self) -> &'static str {
        match self {
            Self::ArchiveNotRestored => {
                "Archive, Cold Archive and Deep Cold Archive objects must be restored \
                 (RestoreObject) before they can be copied"
            }
            Self::Appendable => "CopyObject does not accept appendable objects",
            Self::Symlink => "copying a symlink would copy the link, not the data",
            Self::Immutable => "a retention policy refuses the overwrite",
            Self::Changed => "the object was overwritten by someone else while being copied",
        }
    }

    pub const ALL: [Self; 5] = [
        Self::ArchiveNotRestored,
        Self::Appendable,
        Self::Symlink,
        Self::Immutable,
        Self::Changed,
    ];
}

/// Part layout of a multipart copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartPlan {
    pub size: u64,
    pub part_size: u64,
    pub parts: u32,
}

impl PartPlan {
    /// 64 MiB parts, larger when that would need more than 10,000 parts.
    pub fn for_size(size: u64) -> Self {
        let part_size = DEFAULT_PART_SIZE
            .max(size.div_ceil(MAX_PARTS))
            .max(MIN_PART_SIZE);
        let parts = size.div_ceil(part_size).max(1);
        Self {
            size,
            part_size,
            parts: u32::try_from(parts).unwrap_or(u32::MAX),
        }
    }

    /// Inclusive byte range of part `number` (1-based), for `x-oss-copy-source-range`.
    pub fn range(&self, number: u32) -> (u64, u64) {
        let start = u64::from(number.saturating_sub(1)) * self.part_size;
        let end = (start + self.part_size).min(self.size).saturating_sub(1);
        (start, end)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    AlreadyOk,
    Copy,
    MultipartCopy(PartPlan),
    Skip(SkipReason),
}

/// Whether an object's encryption equals the target. A KMS target with the default key
/// matches only KMS objects that report no key ID. **[unverified]** If OSS reports the
/// default key's ID on HEAD, those objects are copied again on each run: harmless (same
/// encryption), where the opposite guess could leave objects under a CMK the user meant to leave.
pub fn encryption_matches(object: Option<&SseRule>, target: &SseRule) -> bool {
    object == Some(target)
}

/// Whether an object follows the bucket's rule (`None`: no rule, so unencrypted matches).
pub fn follows_rule(object: Option<&SseRule>, rule: Option<&SseRule>) -> bool {
    match rule {
        Some(rule) => encryption_matches(object, rule),
        None => object.is_none(),
    }
}

pub fn plan(facts: &ObjectFacts, target: &SseRule) -> Plan {
    if encryption_matches(facts.sse.as_ref(), target) {
        return Plan::AlreadyOk;
    }
    match facts.object_type {
        ObjectType::Symlink => return Plan::Skip(SkipReason::Symlink),
        ObjectType::Appendable => return Plan::Skip(SkipReason::Appendable),
        _ => {}
    }
    if facts.storage_class.needs_restore() && facts.restore != RestoreState::Restored {
        return Plan::Skip(SkipReason::ArchiveNotRestored);
    }
    if facts.size > COPY_OBJECT_LIMIT {
        Plan::MultipartCopy(PartPlan::for_size(facts.size))
    } else {
        Plan::Copy
    }
}

/// What to do after a copy failed with OSS's `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// The object changed since it was read: read it again and decide anew (once).
    Reread,
    Skip(SkipReason),
    Fail,
}

/// `reread_already`: this object was already re-read after a failed precondition.
pub fn after_failure(code: &str, message: &str, reread_already: bool) -> AfterFailure {
    match code {
        "PreconditionFailed" if reread_already => AfterFailure::Skip(SkipReason::Changed),
        "PreconditionFailed" => AfterFailure::Reread,
        "InvalidObjectState" => AfterFailure::Skip(SkipReason::ArchiveNotRestored),
        "FileImmutable" | "ObjectImmutable" => AfterFailure::Skip(SkipReason::Immutable),
        // The WORM message is documented; its Code is not, so the text decides too.
        _ if message.to_ascii_lowercase().contains("immutable") => {
            AfterFailure::Skip(SkipReason::Immutable)
        }
        _ => AfterFailure::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::{
        AfterFailure, COPY_OBJECT_LIMIT, PartPlan, Plan, SkipReason, after_failure, follows_rule,
        plan,
    };
    use crate::core::objects::facts::{ObjectFacts, ObjectType, RestoreState, StorageClass};
    use crate::core::sse::SseRule;

    fn object(size: u64, sse: Option<SseRule>) -> ObjectFacts {
        ObjectFacts {
            key: "k".into(),
            size,
            etag: "\"E\"".into(),
            storage_class: StorageClass::Standard,
            object_type: ObjectType::Normal,
            sse,
            restore: RestoreState::NotRequested,
            version_id: None,
            kept_headers: Vec::new(),
        }
    }

    #[test]
    fn decides_each_case() {
        let kms = SseRule::Kms {
            key_id: Some("key-1".into()),
            sm4_data: false,
        };
        assert_eq!(plan(&object(5, Some(kms.clone())), &kms), Plan::AlreadyOk);
        assert_eq!(plan(&object(5, None), &kms), Plan::Copy);
        assert_eq!(plan(&object(5, Some(SseRule::Aes256)), &kms), Plan::Copy);
        assert_eq!(plan(&object(COPY_OBJECT_LIMIT, None), &kms), Plan::Copy);
        assert!(matches!(
            plan(&object(COPY_OBJECT_LIMIT + 1, None), &kms),
            Plan::MultipartCopy(_)
        ));
        let mut link = object(5, None);
        link.object_type = ObjectType::Symlink;
        assert_eq!(plan(&link, &kms), Plan::Skip(SkipReason::Symlink));
        let mut append = object(5, None);
        append.object_type = ObjectType::Appendable;
        assert_eq!(plan(&append, &kms), Plan::Skip(SkipReason::Appendable));
        let mut cold = object(5, None);
        cold.storage_class = StorageClass::ColdArchive;
        assert_eq!(
            plan(&cold, &kms),
            Plan::Skip(SkipReason::ArchiveNotRestored)
        );
        cold.restore = RestoreState::Ongoing;
        assert_eq!(
            plan(&cold, &kms),
            Plan::Skip(SkipReason::ArchiveNotRestored)
        );
        cold.restore = RestoreState::Restored;
        assert_eq!(plan(&cold, &kms), Plan::Copy);
        let mut ia = object(5, None);
        ia.storage_class = StorageClass::InfrequentAccess;
        assert_eq!(plan(&ia, &kms), Plan::Copy);
        // Already encrypted as asked: nothing to do even when it could not be copied.
        append.sse = Some(kms.clone());
        assert_eq!(plan(&append, &kms), Plan::AlreadyOk);
        let default_key = SseRule::Kms {
            key_id: None,
            sm4_data: false,
        };
        assert_eq!(plan(&object(5, Some(kms)), &default_key), Plan::Copy);
        assert!(follows_rule(None, None));
        assert!(!follows_rule(Some(&SseRule::Aes256), None));
        assert!(!follows_rule(None, Some(&SseRule::Aes256)));
    }

    #[test]
    fn parts_respect_the_limits() {
        let two_gb = PartPlan::for_size(2 * 1024 * 1024 * 1024);
        assert_eq!((two_gb.part_size, two_gb.parts), (64 * 1024 * 1024, 32));
        assert_eq!(two_gb.range(1), (0, 64 * 1024 * 1024 - 1));
        assert_eq!(two_gb.range(32).1, 2 * 1024 * 1024 * 1024 - 1);
        let huge = PartPlan::for_size(48 * 1024 * 1024 * 1024 * 1024);
        assert!(huge.parts <= 10_000);
        assert!(u64::from(huge.parts) * huge.part_size >= huge.size);
        let odd = PartPlan::for_size(COPY_OBJECT_LIMIT + 7);
        assert_eq!(odd.parts, 17);
        assert_eq!(odd.range(17), (COPY_OBJECT_LIMIT, COPY_OBJECT_LIMIT + 6));
    }

    #[test]
    fn failures_map_to_reasons() {
        assert_eq!(
            after_failure("PreconditionFailed", "", false),
            AfterFailure::Reread
        );
        assert_eq!(
            after_failure("PreconditionFailed", "", true),
            AfterFailure::Skip(SkipReason::Changed)
        );
        assert_eq!(
            after_failure(
                "AccessDenied",
                "The object you specified is immutable.",
                false
            ),
            AfterFailure::Skip(SkipReason::Immutable)
        );
        assert_eq!(
            after_failure("InvalidObjectState", "", false),
            AfterFailure::Skip(SkipReason::ArchiveNotRestored)
        );
        assert_eq!(
            after_failure("InternalError", "", false),
            AfterFailure::Fail
        );
        assert_eq!(
            SkipReason::ArchiveNotRestored.as_str(),
            "archive-not-restored"
        );
        assert_eq!(
            serde_json::to_string(&SkipReason::ArchiveNotRestored)
                .ok()
                .as_deref(),
            Some("\"archive-not-restored\"")
        );
    }
}

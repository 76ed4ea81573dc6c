//! The plan of a re-encryption, without a write: what will be copied (by CopyObject, or by
//! the multipart copy over 1 GB), what is already at the target, what will be skipped and
//! why, how many requests a run sends, and whether the bucket keeps versions. The one
//! function behind `ossguard objects encrypt --dry-run` and the app's preview.

use std::collections::BTreeMap;

use futures::{StreamExt as _, TryStreamExt as _};
use tokio_util::sync::CancellationToken;

use crate::core::objects::downgrade::{Loss, losses};
use crate::core::objects::plan::{Plan, SkipReason, plan};
use crate::core::sse::SseRule;
use crate::transport::{OssClient, OssError};

use super::job::JobSpec;

/// A ListObjectsV2 page holds this many keys (the scan asks for the maximum).
const KEYS_PER_PAGE: u64 = 1000;

/// The bucket's versioning, as GetBucketInfo reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Versioning {
    /// GetBucketInfo could not be read: the plan says versions may be kept.
    #[default]
    Unknown,
    /// Never versioned: a copy replaces the object.
    Off,
    Enabled,
    /// Versions written while it was enabled are kept.
    Suspended,
}

impl Versioning {
    /// From GetBucketInfo's `Versioning` (absent: never versioned).
    pub fn of(status: Option<&str>) -> Self {
        match status {
            None => Self::Off,
            Some(s) if s.eq_ignore_ascii_case("Enabled") => Self::Enabled,
            Some(s) if s.eq_ignore_ascii_case("Suspended") => Self::Suspended,
            Some(_) => Self::Unknown,
        }
    }

    /// The JSON value: `Enabled`, `Suspended`, `Off`, or null when unknown.
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            Self::Unknown => None,
            Self::Off => Some("Off"),
            Self::Enabled => Some("Enabled"),
            Self::Suspended => Some("Suspended"),
        }
    }

    /// What the plan says about older versions; `None` for a bucket never versioned.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Self::Off => None,
            Self::Enabled | Self::Suspended => Some(
                "The bucket is versioned: each copy is a new version; older versions keep \
                 their encryption.",
            ),
            Self::Unknown => Some(
                "The bucket's versioning could not be read: if it is versioned, each copy \
                 is a new version and older versions keep their encryption.",
            ),
        }
    }
}

/// What a run would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DryRun {
    /// Every object listed under the prefix (and shard).
    pub planned: u64,
    /// Objects copied onto themselves by CopyObject, and their bytes.
    pub copy: u64,
    pub copy_bytes: u64,
    /// Objects over 1 GB, copied by InitiateMultipartUpload and UploadPartCopy.
    pub multipart_copy: u64,
    pub multipart_copy_bytes: u64,
    pub already_ok: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Objects whose HeadObject failed.
    pub failed: u64,
    /// `copy_bytes + multipart_copy_bytes`.
    pub bytes_to_copy: u64,
    /// Requests a run would send at least (list, HEAD, ACL, tags, copy or parts, verify).
    pub requests: u64,
    pub versioning: Versioning,
    /// Objects already encrypted that the copy moves to another encryption, by their
    /// current encryption (sorted by it); unencrypted objects are not in it.
    pub changes: Vec<EncryptionChange>,
}

/// Copies from one encryption to the target: how many, their bytes, and what they lose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptionChange {
    pub from: SseRule,
    pub to: SseRule,
    pub objects: u64,
    pub bytes: u64,
    pub losses: Vec<Loss>,
}

impl EncryptionChange {
    /// `from -> to`, e.g. "KMS (default key) -> AES256".
    pub fn label(&self) -> String {
        format!("{} -> {}", self.from, self.to)
    }
}

impl DryRun {
    pub fn copies(&self) -> u64 {
        self.copy + self.multipart_copy
    }

    /// The warning shown before a run when some copy loses protection; `None` when none does.
    pub fn downgrade_warning(&self) -> Option<String> {
        let lossy: Vec<String> = self
            .changes
            .iter()
            .filter(|c| !c.losses.is_empty())
            .map(|c| {
                let why: Vec<&str> = c.losses.iter().map(|l| l.why()).collect();
                format!(
                    "{} ({} {}): {}",
                    c.label(),
                    c.objects,
                    if c.objects == 1 { "object" } else { "objects" },
                    why.join("; ")
                )
            })
            .collect();
        (!lossy.is_empty()).then(|| {
            format!(
                "re-encryption weakens the encryption of objects already encrypted: {}",
                lossy.join(", ")
            )
        })
    }

    fn count_change(&mut self, from: Option<&SseRule>, to: &SseRule, bytes: u64) {
        let Some(from) = from else { return };
        match self.changes.iter_mut().find(|c| c.from == *from) {
            Some(change) => {
                change.objects += 1;
                change.bytes += bytes;
            }
            None => self.changes.push(EncryptionChange {
                from: from.clone(),
                to: to.clone(),
                objects: 1,
                bytes,
                losses: losses(from, to),
            }),
        }
    }
}

/// Lists and HEADs every object of the job (prefix, shard) and decides each with the same
/// [`plan`] a run uses. Sends no write.
pub async fn dry_run(
    client: &OssClient,
    spec: &JobSpec,
    cancel: &CancellationToken,
) -> Result<DryRun, OssError> {
    let mut heads = std::pin::pin!(
        spec.objects(client)
            .map_ok(
                |o| async move { Ok::<_, OssError>(client.head_object(&spec.bucket, &o.key).await) }
            )
            .try_buffer_unordered(spec.concurrency.max(1))
            .take_until(cancel.cancelled())
    );
    let mut out = DryRun::default();
    while let Some(answer) = heads.next().await {
        out.planned += 1;
        out.requests += 1;
        let Ok(facts) = answer? else {
            out.failed += 1;
            continue;
        };
        match plan(&facts, &spec.target) {
            Plan::AlreadyOk => out.already_ok += 1,
            Plan::Skip(reason) => *out.skipped.entry(reason).or_default() += 1,
            Plan::Copy => {
                out.copy += 1;
                out.copy_bytes += facts.size;
                out.count_change(facts.sse.as_ref(), &spec.target, facts.size);
                // GetObjectAcl, CopyObject, HeadObject to verify.
                out.requests += 3;
            }
            Plan::MultipartCopy(parts) => {
                out.multipart_copy += 1;
                out.multipart_copy_bytes += facts.size;
                out.count_change(facts.sse.as_ref(), &spec.target, facts.size);
                // GetObjectAcl, GetObjectTagging, Initiate, the parts, Complete, verify.
                out.requests += 5 + u64::from(parts.parts);
            }
        }
    }
    out.bytes_to_copy = out.copy_bytes + out.multipart_copy_bytes;
    out.changes.sort_by_key(EncryptionChange::label);
    out.requests += out.planned.div_ceil(KEYS_PER_PAGE).max(1);
    out.versioning = match client.get_bucket_info(&spec.bucket).await {
        Ok(info) => Versioning::of(info.versioning.as_deref()),
        Err(e) => {
            tracing::debug!("versioning unknown for the plan: {e}");
            Versioning::Unknown
        }
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::Versioning;

    #[test]
    fn versioning_and_its_note() {
        assert_eq!(Versioning::of(None), Versioning::Off);
        assert_eq!(Versioning::of(Some("Enabled")), Versioning::Enabled);
        assert_eq!(Versioning::of(Some("Suspended")), Versioning::Suspended);
        assert_eq!(Versioning::Off.note(), None);
        for versioned in [
            Versioning::Enabled,
            Versioning::Suspended,
            Versioning::Unknown,
        ] {
            let note = versioned.note().expect("a note");
            assert!(
                note.contains("older versions keep their encryption"),
                "{note}"
            );
        }
        assert_eq!(Versioning::Unknown.as_str(), None);
    }
}

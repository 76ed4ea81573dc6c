//! Bringing one object to the target encryption, the way the CLI and the app both do it:
//! HeadObject, [`plan`], then CopyObject onto itself (or the multipart copy over 1 GB), the
//! ACL put back, and a HeadObject to verify. A precondition failure (the object changed) is
//! re-read once, then reported as `changed`.

use crate::core::model::Bucket;
use crate::core::objects::counters::ObjectOutcome;
use crate::core::objects::facts::ObjectFacts;
use crate::core::objects::plan::{AfterFailure, Plan, after_failure, plan};
use crate::core::sse::SseRule;
use crate::transport::{OssClient, OssError};

use super::journal::JournalLine;

/// The canned ACL that means "as the bucket": nothing to put back.
const DEFAULT_ACL: &str = "default";

fn failed(error: &OssError) -> ObjectOutcome {
    ObjectOutcome::Failed {
        code: error.code().to_owned(),
        message: error.message(),
        request_id: error.request_id().map(str::to_owned),
    }
}

/// Brings `key` to `target`. `was_in_flight`: an interrupted run had sent (or was about to
/// send) its copy, so finding it already at the target means that copy landed. `journal`
/// records the object as in flight just before a write is sent. Returns the outcome and
/// the object's size.
pub async fn bring_to_target(
    client: &OssClient,
    bucket: &Bucket,
    key: &str,
    target: &SseRule,
    was_in_flight: bool,
    journal: &(dyn Fn(JournalLine) + Sync),
) -> (ObjectOutcome, u64) {
    let mut reread = false;
    loop {
        let facts = match client.head_object(bucket, key).await {
            Ok(facts) => facts,
            Err(e) => return (failed(&e), 0),
        };
        let size = facts.size;
        let decision = plan(&facts, target);
        let multipart = match decision {
            Plan::AlreadyOk if was_in_flight => return (ObjectOutcome::Copied, size),
            Plan::AlreadyOk => return (ObjectOutcome::AlreadyOk, size),
            Plan::Skip(reason) => return (ObjectOutcome::Skipped { reason }, size),
            Plan::Copy => false,
            Plan::MultipartCopy(_) => true,
        };
        let acl = match client.get_object_acl(bucket, key).await {
            Ok(acl) => acl,
            Err(e) => return (failed(&e), size),
        };
        journal(JournalLine::InFlight {
            key: key.to_owned(),
        });
        let copied = if multipart {
            copy_multipart(client, bucket, &facts, target).await
        } else {
            client
                .copy_in_place(bucket, &facts, target)
                .await
                .map(|_| ())
        };
        if let Err(e) = copied {
            match after_failure(e.code(), &e.message(), reread) {
                AfterFailure::Reread => {
                    reread = true;
                    continue;
                }
                AfterFailure::Skip(reason) => return (ObjectOutcome::Skipped { reason }, size),
                AfterFailure::Fail => return (failed(&e), size),
            }
        }
        if acl != DEFAULT_ACL
            && let Err(e) = client.put_object_acl(bucket, key, &acl).await
        {
            return (failed(&e), size);
        }
        return (verify(client, bucket, &facts, target).await, size);
    }
}

/// Tags ride along on InitiateMultipartUpload: the directives do not apply there.
async fn copy_multipart(
    client: &OssClient,
    bucket: &Bucket,
    facts: &ObjectFacts,
    target: &SseRule,
) -> Result<(), OssError> {
    let tagging = client.get_object_tagging(bucket, &facts.key).await?;
    client
        .multipart_copy(bucket, facts, target, tagging.header_value().as_deref())
        .await
        .map(|_| ())
}

/// Reads the object back: encryption as asked, same size, same metadata.
async fn verify(
    client: &OssClient,
    bucket: &Bucket,
    before: &ObjectFacts,
    target: &SseRule,
) -> ObjectOutcome {
    let after = match client.head_object(bucket, &before.key).await {
        Ok(after) => after,
        Err(e) => return failed(&e),
    };
    let problem = if after.sse.as_ref() != Some(target) {
        Some("the copy's encryption is not the target's")
    } else if after.size != before.size {
        Some("the copy's size differs from the original's")
    } else if after.user_metadata() != before.user_metadata() {
        Some("the copy's user metadata differs from the original's")
    } else {
        None
    };
    match problem {
        None => ObjectOutcome::Copied,
        Some(message) => ObjectOutcome::Failed {
            code: "VerifyFailed".to_owned(),
            message: message.to_owned(),
            request_id: None,
        },
    }
}

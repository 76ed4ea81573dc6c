//! The object calls of a scan and a re-encryption: ListObjectsV2 pages, HeadObject, CopyObject
//! onto itself, the multipart copy (aborted on any failure), tagging and ACL.

use futures::{StreamExt as _, TryStreamExt as _};

use crate::core::model::Bucket;
use crate::core::objects::facts::ObjectFacts;
use crate::core::objects::plan::PartPlan;
use crate::core::ops::{self, Action};
use crate::core::request::OssRequest;
use crate::core::sse::SseRule;
use crate::core::xml::XmlError;
use crate::core::xml::multipart::{
    AccessControlPolicy, InitiateResult, PartRef, Tagging, parse_doc,
};

use super::client::{OssClient, RawResponse};
use super::error::OssError;

/// Parts copied at once by one multipart copy (the Go SDK Copier's default).
pub const PART_CONCURRENCY: usize = 3;

fn unreadable(action: Action) -> impl Fn(XmlError) -> OssError {
    move |e| OssError::Response {
        action,
        detail: e.to_string(),
    }
}

/// Header pairs of an answer, names lower case.
pub fn header_pairs(response: &RawResponse) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

impl OssClient {
    async fn send_to(
        &self,
        bucket: &Bucket,
        action: Action,
        req: &OssRequest,
    ) -> Result<RawResponse, OssError> {
        self.send(action, req, &self.target_for(bucket)).await
    }

    /// One ListObjectsV2 page (keys decoded).
    pub async fn list_objects_page(
        &self,
        bucket: &Bucket,
        prefix: Option<&str>,
        token: Option<&str>,
    ) -> Result<ops::list_objects::ObjectPage, OssError> {
        let req = ops::list_objects::request_v2(
            bucket.name.as_str(),
            prefix,
            token,
            ops::list_objects::MAX_KEYS,
        );
        let response = self.send_to(bucket, Action::ListObjects, &req).await?;
        ops::list_objects::parse(&response.body).map_err(unreadable(Action::ListObjects))
    }

    pub async fn head_object(&self, bucket: &Bucket, key: &str) -> Result<ObjectFacts, OssError> {
        let req = ops::object::head(bucket.name.as_str(), key);
        let response = self.send_to(bucket, Action::HeadObject, &req).await?;
        ObjectFacts::from_head(key, &header_pairs(&response)).map_err(|e| OssError::Response {
            action: Action::HeadObject,
            detail: e.to_string(),
        })
    }

    /// CopyObject onto itself with `target`'s SSE, only if the object still has the ETag in
    /// `facts`. Returns the request id.
    pub async fn copy_in_place(
        &self,
        bucket: &Bucket,
        facts: &ObjectFacts,
        target: &SseRule,
    ) -> Result<Option<String>, OssError> {
        let req = ops::object::copy_in_place(bucket.name.as_str(), facts, target);
        let response = self.send_to(bucket, Action::CopyObject, &req).await?;
        Ok(response.request_id())
    }

    pub async fn get_object_tagging(
        &self,
        bucket: &Bucket,
        key: &str,
    ) -> Result<Tagging, OssError> {
        let req = ops::object::get_tagging(bucket.name.as_str(), key);
        let response = self.send_to(bucket, Action::GetObjectTagging, &req).await?;
        parse_doc(&response.body, "Tagging").map_err(unreadable(Action::GetObjectTagging))
    }

    /// The object's canned ACL (`default` follows the bucket).
    pub async fn get_object_acl(&self, bucket: &Bucket, key: &str) -> Result<String, OssError> {
        let req = ops::object::get_acl(bucket.name.as_str(), key);
        let response = self.send_to(bucket, Action::GetObjectAcl, &req).await?;
        let doc: AccessControlPolicy = parse_doc(&response.body, "AccessControlPolicy")
            .map_err(unreadable(Action::GetObjectAcl))?;
        Ok(doc.access_control_list.grant)
    }

    pub async fn put_object_acl(
        &self,
        bucket: &Bucket,
        key: &str,
        acl: &str,
    ) -> Result<(), OssError> {
        let req = ops::object::put_acl(bucket.name.as_str(), key, acl);
        self.send_to(bucket, Action::PutObjectAcl, &req).await?;
        Ok(())
    }

    /// The multipart copy of an object onto itself (over CopyObject's 1 GB limit): Initiate
    /// with the SSE, metadata and tags, UploadPartCopy of every range (if-match on the ETag
    /// read before, [`PART_CONCURRENCY`] at once), Complete. Any failure aborts the upload,
    /// so no half-copied upload is left to bill; the first error is returned.
    pub async fn multipart_copy(
        &self,
        bucket: &Bucket,
        facts: &ObjectFacts,
        target: &SseRule,
        tagging: Option<&str>,
    ) -> Result<Option<String>, OssError> {
        let name = bucket.name.as_str();
        let req = ops::multipart::initiate(name, facts, target, tagging);
        let response = self
            .send_to(bucket, Action::InitiateMultipartUpload, &req)
            .await?;
        let upload: InitiateResult = parse_doc(&response.body, "InitiateMultipartUploadResult")
            .map_err(unreadable(Action::InitiateMultipartUpload))?;
        let result = self
            .copy_parts_and_complete(bucket, facts, &upload.upload_id)
            .await;
        if result.is_err() {
            let abort = ops::multipart::abort(name, &facts.key, &upload.upload_id);
            if let Err(e) = self
                .send_to(bucket, Action::AbortMultipartUpload, &abort)
                .await
            {
                tracing::warn!(key = ?facts.key, "aborting a failed multipart copy failed: {e}");
            }
        }
        result
    }

    async fn copy_parts_and_complete(
        &self,
        bucket: &Bucket,
        facts: &ObjectFacts,
        upload_id: &str,
    ) -> Result<Option<String>, OssError> {
        let name = bucket.name.as_str();
        let plan = PartPlan::for_size(facts.size);
        let mut parts: Vec<PartRef> = futures::stream::iter(1..=plan.parts)
            .map(|number| async move {
                let req = ops::multipart::upload_part_copy(
                    name,
                    facts,
                    upload_id,
                    number,
                    plan.range(number),
                );
                let response = self.send_to(bucket, Action::UploadPartCopy, &req).await?;
                let etag = part_etag(&response).ok_or_else(|| OssError::Response {
                    action: Action::UploadPartCopy,
                    detail: "no ETag in CopyPartResult".into(),
                })?;
                Ok::<_, OssError>(PartRef {
                    part_number: number,
                    etag,
                })
            })
            .buffer_unordered(PART_CONCURRENCY)
            .try_collect()
            .await?;
        parts.sort_by_key(|p| p.part_number);
        let req = ops::multipart::complete(name, &facts.key, upload_id, parts);
        let response = self
            .send_to(bucket, Action::CompleteMultipartUpload, &req)
            .await?;
        Ok(response.request_id())
    }
}

/// The part's ETag from `CopyPartResult` (OSS and the SDKs name the root CopyPartResult, some
/// documents CopyObjectResult: either is accepted).
fn part_etag(response: &RawResponse) -> Option<String> {
    use crate::core::xml::multipart::{CopyResult, parse_doc};
    parse_doc::<CopyResult>(&response.body, "CopyPartResult")
        .or_else(|_| parse_doc::<CopyResult>(&response.body, "CopyObjectResult"))
        .ok()
        .map(|r| r.etag)
        .filter(|e| !e.is_empty())
}

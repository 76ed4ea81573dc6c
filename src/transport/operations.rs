//! One method per OSS call ossguard makes, on top of [`OssClient::send`]: build the request
//! with `core::ops`, send it to the right target, parse the answer.

use crate::core::model::Bucket;
use crate::core::ops::{self, Action};
use crate::core::sse::{EncryptionState, SseRule};
use crate::core::xml::error::ErrorDoc;

use futures::StreamExt as _;

use super::client::{OssClient, Target};
use super::error::{OssError, ServiceError};
use super::paginate::bucket_pages;

impl OssClient {
    /// One ListBuckets page.
    pub async fn list_buckets_page(
        &self,
        prefix: Option<&str>,
        marker: Option<&str>,
        max_keys: u32,
    ) -> Result<ops::list_buckets::BucketPage, OssError> {
        let req = ops::list_buckets::request(prefix, marker, max_keys);
        let response = self
            .send(Action::ListBuckets, &req, &Target::Service)
            .await?;
        ops::list_buckets::parse(&response.body).map_err(|e| OssError::Response {
            action: Action::ListBuckets,
            detail: e.to_string(),
        })
    }

    /// Every OSS region and its public endpoint (DescribeRegions), asked on the profile's
    /// endpoint.
    pub async fn describe_regions(&self) -> Result<Vec<ops::regions::RegionEndpoint>, OssError> {
        let response = self
            .send(
                Action::DescribeRegions,
                &ops::regions::request(),
                &Target::Service,
            )
            .await?;
        ops::regions::parse(&response.body).map_err(|e| OssError::Response {
            action: Action::DescribeRegions,
            detail: e.to_string(),
        })
    }

    /// Every bucket of the account (all regions), following NextMarker.
    pub async fn list_buckets(&self, prefix: Option<&str>) -> Result<Vec<Bucket>, OssError> {
        let mut pages = std::pin::pin!(bucket_pages(self.clone(), prefix.map(str::to_owned)));
        let mut all = Vec::new();
        while let Some(page) = pages.next().await {
            all.extend(page?.buckets);
        }
        Ok(all)
    }

    /// Finds one bucket by name through the listing, which also tells its region and endpoint.
    pub async fn find_bucket(&self, name: &str) -> Result<Bucket, OssError> {
        let buckets = self.list_buckets(Some(name)).await?;
        buckets
            .into_iter()
            .find(|b| b.name.as_str() == name)
            .ok_or_else(|| {
                OssError::Service(Box::new(ServiceError {
                    status: 404,
                    action: Action::ListBuckets,
                    doc: ErrorDoc {
                        code: "NoSuchBucket".into(),
                        message: "The specified bucket does not exist.".into(),
                        bucket_name: Some(name.to_owned()),
                        ..Default::default()
                    },
                }))
            })
    }

    /// The bucket's rule; `None` when OSS says `NoSuchServerSideEncryptionRule`.
    pub async fn get_encryption(&self, bucket: &Bucket) -> Result<Option<SseRule>, OssError> {
        let req = ops::encryption::get(bucket.name.as_str());
        let action = Action::GetBucketEncryption;
        match self.send(action, &req, &self.target_for(bucket)).await {
            Ok(response) => ops::encryption::parse(&response.body)
                .map(Some)
                .map_err(|e| OssError::Response {
                    action,
                    detail: e.to_string(),
                }),
            Err(e) if e.code() == ops::encryption::NO_RULE_CODE => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The bucket's state, with any failure folded into `Unknown`.
    pub async fn encryption_state(&self, bucket: &Bucket) -> EncryptionState {
        match self.get_encryption(bucket).await {
            Ok(Some(rule)) => EncryptionState::Configured(rule),
            Ok(None) => EncryptionState::NotConfigured,
            Err(e) => EncryptionState::Unknown(e.to_read_failure()),
        }
    }

    /// Writes the complete rule; returns the request id.
    pub async fn put_encryption(
        &self,
        bucket: &Bucket,
        rule: &SseRule,
    ) -> Result<Option<String>, OssError> {
        let req = ops::encryption::put(bucket.name.as_str(), rule);
        let response = self
            .send(Action::PutBucketEncryption, &req, &self.target_for(bucket))
            .await?;
        Ok(response.request_id())
    }

    /// Removes the rule; returns the request id.
    pub async fn delete_encryption(&self, bucket: &Bucket) -> Result<Option<String>, OssError> {
        let req = ops::encryption::delete(bucket.name.as_str());
        let response = self
            .send(
                Action::DeleteBucketEncryption,
                &req,
                &self.target_for(bucket),
            )
            .await?;
        Ok(response.request_id())
    }

    pub async fn get_bucket_info(
        &self,
        bucket: &Bucket,
    ) -> Result<ops::bucket::BucketInfo, OssError> {
        let req = ops::bucket::get_info(bucket.name.as_str());
        let action = Action::GetBucketInfo;
        let response = self.send(action, &req, &self.target_for(bucket)).await?;
        ops::bucket::parse_info(&response.body).map_err(|e| OssError::Response {
            action,
            detail: e.to_string(),
        })
    }
}

//! Bucket-level calls besides encryption: GetBucketInfo, PutBucket, DeleteBucket.

use crate::core::request::{Method, OssRequest};

pub fn get_info(bucket: &str) -> OssRequest {
    OssRequest::new(Method::Get, Some(bucket)).with_query("bucketInfo", "")
}

pub fn create(bucket: &str) -> OssRequest {
    OssRequest::new(Method::Put, Some(bucket))
}

pub fn delete(bucket: &str) -> OssRequest {
    OssRequest::new(Method::Delete, Some(bucket))
}

pub use crate::core::xml::bucket_info::{BucketInfo, parse as parse_info};

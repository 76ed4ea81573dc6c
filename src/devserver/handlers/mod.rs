//! The API operations. Each handler gets a request that already passed addressing, the
//! region check and signature verification, and answers with OSS's status and XML.
mod bucket;
mod bucket_config;
mod copy;
mod encryption;
mod list_objects;
mod multipart;
mod object;
mod object_meta;
mod object_write;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::errors::OssError;
use super::routes::RequestCtx;
use super::server::RegionState;
use super::store::BucketRecord;

/// The calls the server implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    ListBuckets,
    DescribeRegions,
    PutBucket,
    DeleteBucket,
    GetBucketInfo,
    GetBucketLocation,
    PutBucketEncryption,
    GetBucketEncryption,
    DeleteBucketEncryption,
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    DeleteObject,
    ListObjects,
    ListObjectsV2,
    ListObjectVersions,
    GetBucketVersioning,
    PutBucketVersioning,
    InitiateBucketWorm,
    GetBucketWorm,
    AppendObject,
    PutSymlink,
    InitiateMultipartUpload,
    UploadPart,
    UploadPartCopy,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListParts,
    GetObjectTagging,
    PutObjectTagging,
    DeleteObjectTagging,
    GetObjectAcl,
    PutObjectAcl,
    RestoreObject,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Self::ListBuckets => "ListBuckets",
            Self::DescribeRegions => "DescribeRegions",
            Self::PutBucket => "PutBucket",
            Self::DeleteBucket => "DeleteBucket",
            Self::GetBucketInfo => "GetBucketInfo",
            Self::GetBucketLocation => "GetBucketLocation",
            Self::PutBucketEncryption => "PutBucketEncryption",
            Self::GetBucketEncryption => "GetBucketEncryption",
            Self::DeleteBucketEncryption => "DeleteBucketEncryption",
            Self::PutObject => "PutObject",
            Self::CopyObject => "CopyObject",
            Self::GetObject => "GetObject",
            Self::HeadObject => "HeadObject",
            Self::DeleteObject => "DeleteObject",
            Self::ListObjects => "ListObjects",
            Self::ListObjectsV2 => "ListObjectsV2",
            Self::ListObjectVersions => "ListObjectVersions",
            Self::GetBucketVersioning => "GetBucketVersioning",
            Self::PutBucketVersioning => "PutBucketVersioning",
            Self::InitiateBucketWorm => "InitiateBucketWorm",
            Self::GetBucketWorm => "GetBucketWorm",
            Self::AppendObject => "AppendObject",
            Self::PutSymlink => "PutSymlink",
            Self::InitiateMultipartUpload => "InitiateMultipartUpload",
            Self::UploadPart => "UploadPart",
            Self::UploadPartCopy => "UploadPartCopy",
            Self::CompleteMultipartUpload => "CompleteMultipartUpload",
            Self::AbortMultipartUpload => "AbortMultipartUpload",
            Self::ListParts => "ListParts",
            Self::GetObjectTagging => "GetObjectTagging",
            Self::PutObjectTagging => "PutObjectTagging",
            Self::DeleteObjectTagging => "DeleteObjectTagging",
            Self::GetObjectAcl => "GetObjectAcl",
            Self::PutObjectAcl => "PutObjectAcl",
            Self::RestoreObject => "RestoreObject",
        }
    }

    /// The RAM action a policy would have to allow (HeadObject is `oss:GetObject`).
    pub fn ram_action(self) -> &'static str {
        match self {
            Self::ListBuckets => "oss:ListBuckets",
            Self::DescribeRegions => "oss:DescribeRegions",
            Self::PutBucket => "oss:PutBucket",
            Self::DeleteBucket => "oss:DeleteBucket",
            Self::GetBucketInfo => "oss:GetBucketInfo",
            Self::GetBucketLocation => "oss:GetBucketLocation",
            Self::PutBucketEncryption => "oss:PutBucketEncryption",
            Self::GetBucketEncryption => "oss:GetBucketEncryption",
            Self::DeleteBucketEncryption => "oss:DeleteBucketEncryption",
            Self::PutObject | Self::CopyObject => "oss:PutObject",
            Self::GetObject | Self::HeadObject => "oss:GetObject",
            Self::DeleteObject => "oss:DeleteObject",
            Self::ListObjects | Self::ListObjectsV2 => "oss:ListObjects",
            Self::ListObjectVersions => "oss:ListObjectVersions",
            Self::AppendObject
            | Self::PutSymlink
            | Self::InitiateMultipartUpload
            | Self::UploadPart
            | Self::UploadPartCopy
            | Self::CompleteMultipartUpload => "oss:PutObject",
            Self::GetBucketVersioning => "oss:GetBucketVersioning",
            Self::PutBucketVersioning => "oss:PutBucketVersioning",
            Self::InitiateBucketWorm => "oss:InitiateBucketWorm",
            Self::GetBucketWorm => "oss:GetBucketWorm",
            Self::AbortMultipartUpload => "oss:AbortMultipartUpload",
            Self::ListParts => "oss:ListParts",
            Self::GetObjectTagging => "oss:GetObjectTagging",
            Self::PutObjectTagging => "oss:PutObjectTagging",
            Self::DeleteObjectTagging => "oss:DeleteObjectTagging",
            Self::GetObjectAcl => "oss:GetObjectAcl",
            Self::PutObjectAcl => "oss:PutObjectAcl",
            Self::RestoreObject => "oss:RestoreObject",
        }
    }

    /// The largest body this call reads: object data for uploads, a document otherwise.
    pub fn max_body(self) -> usize {
        use crate::devserver::routes::{MAX_BODY_BYTES, MAX_DOCUMENT_BYTES};
        match self {
            Self::PutObject | Self::AppendObject | Self::UploadPart => MAX_BODY_BYTES,
            _ => MAX_DOCUMENT_BYTES,
        }
    }

    /// Whether the bucket must exist (and be in this region) before the signature is checked.
    pub fn needs_existing_bucket(self) -> bool {
        !matches!(self, Self::ListBuckets | Self::PutBucket)
    }
}

pub(crate) async fn dispatch(
    op: Operation,
    st: &RegionState,
    ctx: &RequestCtx,
    record: Option<Arc<BucketRecord>>,
) -> Result<Response, OssError> {
    let resolved = record.as_deref();
    let record = || resolved.ok_or_else(|| OssError::internal("bucket not resolved"));
    match op {
        Operation::ListBuckets => bucket::list(st, ctx),
        Operation::DescribeRegions => Ok(bucket::regions(st)),
        Operation::PutBucket => bucket::create(st, ctx).await,
        Operation::DeleteBucket => bucket::delete(st, record()?).await,
        Operation::GetBucketInfo => Ok(bucket::info(st, record()?)),
        Operation::GetBucketLocation => Ok(bucket::location(record()?)),
        Operation::PutBucketEncryption => encryption::put(st, ctx, record()?).await,
        Operation::GetBucketEncryption => encryption::get(record()?),
        Operation::DeleteBucketEncryption => encryption::delete(st, record()?).await,
        Operation::PutObject => object::put(st, ctx, record()?).await,
        Operation::CopyObject => copy::copy(st, ctx, record()?).await,
        Operation::GetObject => object::get(st, ctx, record()?, true).await,
        Operation::HeadObject => object::get(st, ctx, record()?, false).await,
        Operation::DeleteObject => object::delete(st, ctx, record()?).await,
        Operation::ListObjects => list_objects::list(st, ctx, record()?, false),
        Operation::ListObjectsV2 => list_objects::list(st, ctx, record()?, true),
        Operation::ListObjectVersions => list_objects::list_versions(st, ctx, record()?),
        Operation::GetBucketVersioning => Ok(bucket_config::get_versioning(record()?)),
        Operation::PutBucketVersioning => bucket_config::put_versioning(st, ctx, record()?).await,
        Operation::InitiateBucketWorm => bucket_config::initiate_worm(st, ctx, record()?).await,
        Operation::GetBucketWorm => bucket_config::get_worm(record()?),
        Operation::AppendObject => object::append(st, ctx, record()?).await,
        Operation::PutSymlink => object::put_symlink(st, ctx, record()?).await,
        Operation::InitiateMultipartUpload => multipart::initiate(st, ctx, record()?),
        Operation::UploadPart | Operation::UploadPartCopy => {
            multipart::upload_part(st, ctx, record()?).await
        }
        Operation::CompleteMultipartUpload => multipart::complete(st, ctx, record()?).await,
        Operation::AbortMultipartUpload => multipart::abort(st, ctx, record()?).await,
        Operation::ListParts => multipart::list_parts(st, ctx, record()?),
        Operation::GetObjectTagging => object_meta::get_tagging(st, ctx, record()?),
        Operation::PutObjectTagging => object_meta::put_tagging(st, ctx, record()?).await,
        Operation::DeleteObjectTagging => object_meta::delete_tagging(st, ctx, record()?).await,
        Operation::GetObjectAcl => object_meta::get_acl(st, ctx, record()?),
        Operation::PutObjectAcl => object_meta::put_acl(st, ctx, record()?).await,
        Operation::RestoreObject => object_meta::restore(st, ctx, record()?).await,
    }
}

/// A 2xx answer with an XML body.
pub(crate) fn xml(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

/// A 2xx answer without a body.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// Maps a store failure to OSS's answer for it.
pub(crate) fn store_error(err: super::store::StoreError, bucket: &str) -> OssError {
    use super::store::StoreError;
    match err {
        StoreError::NoBucket => OssError::no_such_bucket(bucket),
        StoreError::Exists => OssError::new(
            StatusCode::CONFLICT,
            "BucketAlreadyExists",
            "0015-00000002",
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        ),
        StoreError::NotEmpty => OssError::new(
            StatusCode::CONFLICT,
            "BucketNotEmpty",
            "0015-00000301",
            "The bucket you tried to delete is not empty.",
        )
        .with(|d| d.bucket_name = Some(bucket.to_owned())),
        StoreError::Io(e) => {
            tracing::error!("store write failed: {e}");
            OssError::internal("disk write failed")
        }
    }
}

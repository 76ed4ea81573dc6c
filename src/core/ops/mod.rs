//! One module per OSS API action: build the [`OssRequest`](crate::core::request::OssRequest)
//! and parse the answer. The transport decides where to send it and how to retry.
pub mod bucket;
pub mod encryption;
pub mod list_buckets;
pub mod list_objects;
pub mod multipart;
pub mod object;
pub mod regions;

/// The API action a request performs (OSS, and the KMS calls of the key checks, so that
/// both reach the activity log); names the RAM permission in hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Action {
    ListBuckets,
    GetBucketInfo,
    PutBucket,
    DeleteBucket,
    GetBucketEncryption,
    PutBucketEncryption,
    DeleteBucketEncryption,
    PutObject,
    HeadObject,
    ListObjects,
    CopyObject,
    InitiateMultipartUpload,
    UploadPartCopy,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    GetObjectTagging,
    GetObjectAcl,
    PutObjectAcl,
    DescribeRegions,
    /// KMS `ListKeys`.
    KmsListKeys,
    /// KMS `DescribeKey`.
    KmsDescribeKey,
    /// KMS `ListAliases`.
    KmsListAliases,
    /// KMS `ListAliasesByKeyId`.
    KmsListAliasesByKeyId,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Self::ListBuckets => "ListBuckets",
            Self::GetBucketInfo => "GetBucketInfo",
            Self::PutBucket => "PutBucket",
            Self::DeleteBucket => "DeleteBucket",
            Self::GetBucketEncryption => "GetBucketEncryption",
            Self::PutBucketEncryption => "PutBucketEncryption",
            Self::DeleteBucketEncryption => "DeleteBucketEncryption",
            Self::PutObject => "PutObject",
            Self::HeadObject => "HeadObject",
            Self::ListObjects => "ListObjects",
            Self::CopyObject => "CopyObject",
            Self::InitiateMultipartUpload => "InitiateMultipartUpload",
            Self::UploadPartCopy => "UploadPartCopy",
            Self::CompleteMultipartUpload => "CompleteMultipartUpload",
            Self::AbortMultipartUpload => "AbortMultipartUpload",
            Self::GetObjectTagging => "GetObjectTagging",
            Self::GetObjectAcl => "GetObjectAcl",
            Self::PutObjectAcl => "PutObjectAcl",
            Self::DescribeRegions => "DescribeRegions",
            Self::KmsListKeys => "ListKeys",
            Self::KmsDescribeKey => "DescribeKey",
            Self::KmsListAliases => "ListAliases",
            Self::KmsListAliasesByKeyId => "ListAliasesByKeyId",
        }
    }

    /// The KMS call named `action` (an RPC `Action` parameter), if ossguard makes it.
    pub fn kms(action: &str) -> Option<Self> {
        [
            Self::KmsListKeys,
            Self::KmsDescribeKey,
            Self::KmsListAliases,
            Self::KmsListAliasesByKeyId,
        ]
        .into_iter()
        .find(|a| a.name() == action)
    }

    /// The RAM action a policy must allow, e.g. `oss:GetBucketEncryption`.
    pub fn ram_action(self) -> String {
        match self {
            Self::HeadObject => "oss:GetObject".to_owned(),
            // A copy reads the source and writes the destination.
            Self::CopyObject | Self::UploadPartCopy => "oss:GetObject and oss:PutObject".to_owned(),
            Self::InitiateMultipartUpload | Self::CompleteMultipartUpload => {
                "oss:PutObject".to_owned()
            }
            Self::KmsListKeys
            | Self::KmsDescribeKey
            | Self::KmsListAliases
            | Self::KmsListAliasesByKeyId => format!("kms:{}", self.name()),
            other => format!("oss:{}", other.name()),
        }
    }
}

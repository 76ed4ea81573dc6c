//! The async OSS client: the only place that does HTTP as a client.
//!
//! | module | what it holds |
//! |---|---|
//! | [`client`] | `OssClient`: sign, send, retry, classify |
//! | `operations` | one `OssClient` method per OSS call (list, get/put/delete rule, info) |
//! | [`objects`] | object calls: list, head, copy in place, multipart copy, tagging, ACL |
//! | [`endpoint`] | where a request goes (bucket endpoint, virtual-hosted vs path-style, https rule) |
//! | [`retry`] | the SDKs' retry policy with full-jitter backoff |
//! | [`credentials`] | credential providers (keyring, env, AssumeRole, ECS role) and their cache |
//! | [`clock`] | clock-skew correction learned from `RequestTimeTooSkewed` |
//! | [`paginate`] | ListBuckets and ListObjectsV2 pages as streams; a marker that does not advance is an error |
//! | [`fanout`] | many buckets at once with a concurrency limit, streamed and cancellable |
//! | [`error`] | `OssError` with Code, Message, RequestId, Endpoint and a plain hint |
//! | [`kms`] | `KmsClient`: where KMS is per region, keys and aliases (all pages), key health |
//! | [`rpc`] | `RpcClient`: RPC-style OpenAPI calls (KMS, STS), signature V1, typed `RpcError` |
pub mod client;
pub mod clock;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod fanout;
pub mod kms;
pub mod objects;
mod operations;
pub mod paginate;
pub mod retry;
pub mod rpc;

pub use client::{ClientConfig, OssClient, Target};
pub use endpoint::Endpoint;
pub use error::OssError;

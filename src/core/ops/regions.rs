//! DescribeRegions: `GET /?regions` on a regional endpoint lists every OSS region with its
//! endpoints (needs `oss:DescribeRegions`).

use crate::core::request::{Method, OssRequest};

pub fn request() -> OssRequest {
    OssRequest::new(Method::Get, None).with_query("regions", "")
}

pub use crate::core::xml::regions::{RegionEndpoint, parse};

//! ListBuckets (GetService): `GET /` on any regional endpoint lists every region's buckets.

use crate::core::request::{Method, OssRequest};

/// ossguard always asks for the largest page.
pub const MAX_KEYS: u32 = 1000;

pub fn request(prefix: Option<&str>, marker: Option<&str>, max_keys: u32) -> OssRequest {
    let mut req = OssRequest::new(Method::Get, None);
    if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
        req = req.with_query("prefix", prefix);
    }
    if let Some(marker) = marker.filter(|m| !m.is_empty()) {
        req = req.with_query("marker", marker);
    }
    req.with_query("max-keys", &max_keys.to_string())
}

pub use crate::core::xml::list_buckets::{BucketPage, parse_page as parse};

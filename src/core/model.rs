//! Buckets and their names, as ListBuckets reports them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::validate::{ValidationError, validate_bucket_name};

/// A bucket name that follows OSS's naming rules (3-63 chars of `a-z`, `0-9`, `-`, not
/// starting or ending with `-`). Checking once here keeps path traversal and
/// header-injection attempts out of every layer above.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BucketName(String);

impl BucketName {
    pub fn parse(name: &str) -> Result<Self, ValidationError> {
        validate_bucket_name(name)?;
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BucketName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        validate_bucket_name(&value)?;
        Ok(Self(value))
    }
}

impl From<BucketName> for String {
    fn from(value: BucketName) -> Self {
        value.0
    }
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for BucketName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// One bucket as listed by ListBuckets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub name: BucketName,
    /// Region ID, e.g. `cn-hangzhou` (the V4 signing scope).
    pub region: String,
    /// OSS region ID, e.g. `oss-cn-hangzhou`.
    pub location: String,
    /// Public endpoint host exactly as ListBuckets returned it (may carry a port on the dev server).
    pub extranet_endpoint: String,
    pub intranet_endpoint: String,
    pub creation_date: String,
    pub storage_class: String,
}

impl Bucket {
    /// A Standard bucket in `region` with real OSS's public and internal endpoints; for
    /// addressing a bucket whose region is known without listing (and for tests).
    pub fn in_region(name: BucketName, region: &str) -> Self {
        Self {
            name,
            region: region.to_owned(),
            location: location_for_region(region),
            extranet_endpoint: public_endpoint_for_region(region),
            intranet_endpoint: format!("oss-{region}-internal.aliyuncs.com"),
            creation_date: String::new(),
            storage_class: "Standard".to_owned(),
        }
    }

    /// The same bucket reached through another endpoint host (a dev server's port).
    pub fn with_endpoint(mut self, host: &str) -> Self {
        host.clone_into(&mut self.extranet_endpoint);
        host.clone_into(&mut self.intranet_endpoint);
        self
    }
}

/// The region ID for an OSS region ID: `oss-cn-hangzhou` -> `cn-hangzhou`. Older ListBuckets
/// answers carry no `Region`, so the client derives it from `Location` as ali-oss does.
pub fn region_from_location(location: &str) -> &str {
    location.strip_prefix("oss-").unwrap_or(location)
}

/// The OSS region ID (`Location`) for a region ID.
pub fn location_for_region(region: &str) -> String {
    format!("oss-{region}")
}

/// The public endpoint host of a region on real OSS.
pub fn public_endpoint_for_region(region: &str) -> String {
    format!("oss-{region}.aliyuncs.com")
}

/// A `Host` value without its port: `127.0.0.1:9000` -> `127.0.0.1`, `[::1]:80` -> `::1`.
pub fn host_without_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// The region ID in a standard endpoint, with or without scheme and port:
/// `https://oss-cn-hangzhou.aliyuncs.com` or `oss-cn-hangzhou-internal.aliyuncs.com` ->
/// `cn-hangzhou`. `None` for anything else (an IP, a CNAME, the dev server).
pub fn region_from_endpoint_host(endpoint: &str) -> Option<String> {
    let host = endpoint.split("://").nth(1).unwrap_or(endpoint);
    let host = host.split(['/', ':']).next()?;
    let (first, rest) = host.split_once('.')?;
    let region = first.strip_prefix("oss-")?;
    let region = region.strip_suffix("-internal").unwrap_or(region);
    // The acceleration endpoints (`oss-accelerate[-overseas]`) name no region.
    let standard = rest == "aliyuncs.com" && !region.starts_with("accelerate");
    (standard && !region.is_empty()).then(|| region.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{BucketName, location_for_region, region_from_endpoint_host, region_from_location};

    #[test]
    fn host_without_port_handles_ipv6() {
        use super::host_without_port;
        assert_eq!(host_without_port("127.0.0.1:9000"), "127.0.0.1");
        assert_eq!(host_without_port("[::1]:80"), "::1");
        assert_eq!(
            host_without_port("b.oss-cn-hangzhou.aliyuncs.com"),
            "b.oss-cn-hangzhou.aliyuncs.com"
        );
    }

    #[test]
    fn region_from_standard_endpoints_only() {
        for (endpoint, region) in [
            ("oss-cn-hangzhou.aliyuncs.com", Some("cn-hangzhou")),
            ("https://oss-cn-beijing.aliyuncs.com", Some("cn-beijing")),
            (
                "https://oss-ap-southeast-1-internal.aliyuncs.com/",
                Some("ap-southeast-1"),
            ),
            ("http://127.0.0.1:9000", None),
            ("oss-cn-hangzhou.example.com", None),
            ("oss-accelerate.aliyuncs.com.evil.com", None),
            ("oss-accelerate.aliyuncs.com", None),
            ("https://oss-accelerate-overseas.aliyuncs.com", None),
            ("cdn.example.com", None),
        ] {
            assert_eq!(
                region_from_endpoint_host(endpoint).as_deref(),
                region,
                "{endpoint}"
            );
        }
    }

    #[test]
    fn region_and_location_convert_both_ways() {
        assert_eq!(region_from_location("oss-cn-hangzhou"), "cn-hangzhou");
        assert_eq!(region_from_location("cn-hangzhou"), "cn-hangzhou");
        assert_eq!(location_for_region("ap-southeast-1"), "oss-ap-southeast-1");
    }

    #[test]
    fn bucket_name_rejects_bad_names() {
        assert!(BucketName::parse("good-bucket-1").is_ok());
        for bad in [
            "ab",
            "-start",
            "end-",
            "Upper",
            "has_underscore",
            "../etc",
            "a b c",
            "",
        ] {
            assert!(BucketName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(BucketName::parse(&"a".repeat(64)).is_err());
        assert!(BucketName::parse(&"a".repeat(63)).is_ok());
    }
}

//! Which bucket and key a request names, from its Host header and path (OSS domain names:
//! https://www.alibabacloud.com/help/en/oss/user-guide/oss-domain-names).
//!
//! Virtual-hosted style (`Host: <bucket>.oss-<region>.aliyuncs.com`, or `<bucket>.localhost:P`)
//! wins; a Host that is an IP literal, `localhost` or a single label means path style (first
//! segment = bucket). ali-oss sends `Host: .oss-<region>.aliyuncs.com` for ListBuckets: a
//! leading dot means "no bucket". Names are checked here, once, so nothing later can turn a
//! request into a path outside the data dir.

use axum::http::StatusCode;
use percent_encoding::percent_decode_str;

use super::errors::OssError;
use crate::core::validate::validate_bucket_name;

/// Longest object name OSS accepts, in bytes.
const MAX_KEY_BYTES: usize = 1023;

/// The resource a request addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub bucket: Option<String>,
    pub key: Option<String>,
}

/// Resolves bucket and key from the Host header value and the raw (still encoded) path.
pub(crate) fn resolve(host: &str, raw_path: &str) -> Result<Target, OssError> {
    let path = decode(raw_path).ok_or_else(invalid_object_name)?;
    let path = path.strip_prefix('/').unwrap_or(&path);
    let (bucket, key) = match bucket_from_host(host) {
        HostStyle::Virtual(bucket) => (Some(bucket.to_owned()), path),
        HostStyle::Service => (None, path),
        HostStyle::Path => match path.split_once('/') {
            Some((bucket, key)) => (Some(bucket.to_owned()), key),
            None => (Some(path.to_owned()), ""),
        },
    };
    let bucket = bucket.filter(|b| !b.is_empty());
    let key = (!key.is_empty()).then(|| key.to_owned());
    match &bucket {
        Some(name) => validate_bucket_name(name).map_err(|_| invalid_bucket_name())?,
        // `/` + a key without a bucket is meaningless; OSS would call it a bad bucket name.
        None if key.is_some() => return Err(invalid_bucket_name()),
        None => {}
    }
    if let Some(key) = &key {
        validate_object_name(key)?;
    }
    Ok(Target { bucket, key })
}

enum HostStyle<'a> {
    Virtual(&'a str),
    Service,
    Path,
}

fn bucket_from_host(host: &str) -> HostStyle<'_> {
    let name = crate::core::model::host_without_port(host.trim());
    if name.starts_with('.') {
        return HostStyle::Service;
    }
    if name.is_empty()
        || name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok()
        || name.starts_with('[')
    {
        return HostStyle::Path;
    }
    let labels: Vec<&str> = name.split('.').collect();
    match labels.as_slice() {
        [_single] => HostStyle::Path,
        // The bare public endpoint `oss-<region>.aliyuncs.com` names no bucket.
        [first, "aliyuncs", "com"] if first.starts_with("oss-") => HostStyle::Service,
        [first, ..] => HostStyle::Virtual(first),
        [] => HostStyle::Path,
    }
}

/// Percent-decodes to UTF-8; `+` stays `+` (SDKs encode spaces as `%20`).
pub(crate) fn decode(raw: &str) -> Option<String> {
    percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// Decoded query pairs in send order; `?encryption` and `?encryption=` both give an empty value.
pub(crate) fn parse_query(raw: Option<&str>) -> Result<Vec<(String, String)>, OssError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (decode(name), decode(value)) {
                (Some(n), Some(v)) => Ok((n, v)),
                _ => Err(OssError::invalid_argument(
                    "0003-00000001",
                    "The query string is not valid UTF-8.",
                )),
            }
        })
        .collect()
}

/// OSS's object-name rules plus a refusal of `..` segments (keys never become file paths here,
/// but a `..` key is almost always an attack or a bug).
pub(crate) fn validate_object_name(key: &str) -> Result<(), OssError> {
    let bad = key.is_empty()
        || key.len() > MAX_KEY_BYTES
        || key.starts_with('/')
        || key.starts_with('\\')
        || key.contains('\0')
        || key.split(['/', '\\']).any(|segment| segment == "..");
    if bad {
        Err(invalid_object_name())
    } else {
        Ok(())
    }
}

pub(crate) fn invalid_bucket_name() -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "InvalidBucketName",
        "0015-00000011",
        "The specified bucket is not valid.",
    )
}

pub(crate) fn invalid_object_name() -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "InvalidObjectName",
        "0016-00000005",
        "The specified object is not valid.",
    )
}

#[cfg(test)]
mod tests {
    use super::{Target, parse_query, resolve};

    fn target(bucket: Option<&str>, key: Option<&str>) -> Target {
        Target {
            bucket: bucket.map(str::to_owned),
            key: key.map(str::to_owned),
        }
    }

    #[test]
    fn every_addressing_style() {
        let cases = [
            ("127.0.0.1:9000", "/", target(None, None)),
            ("127.0.0.1:9000", "/b-1", target(Some("b-1"), None)),
            ("127.0.0.1:9000", "/b-1/", target(Some("b-1"), None)),
            (
                "127.0.0.1:9000",
                "/b-1/a/b%20c.txt",
                target(Some("b-1"), Some("a/b c.txt")),
            ),
            ("localhost:9000", "/b-1/k", target(Some("b-1"), Some("k"))),
            ("[::1]:9000", "/b-1/k", target(Some("b-1"), Some("k"))),
            (
                "b-1.oss-cn-hangzhou.aliyuncs.com",
                "/",
                target(Some("b-1"), None),
            ),
            (
                "b-1.oss-cn-hangzhou.aliyuncs.com",
                "/x%2By",
                target(Some("b-1"), Some("x+y")),
            ),
            ("b-1.localhost:9000", "/k", target(Some("b-1"), Some("k"))),
            (".oss-cn-hangzhou.aliyuncs.com", "/", target(None, None)),
            ("oss-cn-hangzhou.aliyuncs.com", "/", target(None, None)),
        ];
        for (host, path, want) in cases {
            assert_eq!(resolve(host, path).ok(), Some(want), "{host} {path}");
        }
    }

    #[test]
    fn refuses_bad_names() {
        for (host, path, code) in [
            ("127.0.0.1", "/../etc", "InvalidBucketName"),
            ("127.0.0.1", "/%2e%2e/x", "InvalidBucketName"),
            ("127.0.0.1", "/Bad_Name", "InvalidBucketName"),
            ("127.0.0.1", "/b-1/../../etc/passwd", "InvalidObjectName"),
            ("127.0.0.1", "/b-1//abs", "InvalidObjectName"),
            ("127.0.0.1", "/b-1/%5Cwin", "InvalidObjectName"),
            ("127.0.0.1", "/b-1/%ff", "InvalidObjectName"),
            ("b-1.localhost", "/a/..", "InvalidObjectName"),
        ] {
            let err = resolve(host, path).err().map(|e| e.code().to_owned());
            assert_eq!(err.as_deref(), Some(code), "{path}");
        }
        let long = format!("/b-1/{}", "k".repeat(1024));
        assert!(resolve("127.0.0.1", &long).is_err());
        assert!(resolve("127.0.0.1", &format!("/b-1/{}", "k".repeat(1023))).is_ok());
    }

    #[test]
    fn query_forms() {
        let q =
            parse_query(Some("encryption=&prefix=&max-keys=100&marker=a%2Fb&x+y")).expect("parses");
        assert_eq!(
            q,
            vec![
                ("encryption".into(), String::new()),
                ("prefix".into(), String::new()),
                ("max-keys".into(), "100".into()),
                ("marker".into(), "a/b".into()),
                ("x+y".into(), String::new()),
            ]
        );
        assert_eq!(parse_query(Some("encryption")).expect("ok").len(), 1);
    }
}

//! Where a request goes: the profile's endpoint for ListBuckets, the bucket's own
//! ExtranetEndpoint for everything else, virtual-hosted on real OSS, path-style on loopback.

use std::net::IpAddr;

use crate::core::request::OssRequest;
use crate::core::sign::canonical::{encode_component, encode_path};

use super::error::OssError;

/// Scheme plus host (and port) of an OSS endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: String,
    /// Host with an optional `:port`, e.g. `oss-cn-hangzhou.aliyuncs.com` or `127.0.0.1:9000`.
    pub host: String,
}

impl Endpoint {
    /// Accepts `https://oss-cn-hangzhou.aliyuncs.com`, `http://127.0.0.1:9000/` or a bare host
    /// (https is assumed, as the v2 SDKs do).
    pub fn parse(value: &str) -> Result<Self, OssError> {
        let value = value.trim();
        let with_scheme = if value.contains("://") {
            value.to_owned()
        } else {
            format!("https://{value}")
        };
        let url = url::Url::parse(&with_scheme)
            .map_err(|e| OssError::Config(format!("invalid endpoint {value:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OssError::Config(format!(
                "endpoint must be http or https, not {:?}",
                url.scheme()
            )));
        }
        if url.path() != "/" || url.query().is_some() {
            return Err(OssError::Config(format!(
                "endpoint must be a bare host, without a path: {value:?}"
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| OssError::Config(format!("endpoint has no host: {value:?}")))?;
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Self {
            scheme: url.scheme().to_owned(),
            host,
        })
    }

    /// The same scheme with another host: a bucket's ExtranetEndpoint is a bare host.
    pub fn with_host(&self, host: &str) -> Self {
        Self {
            scheme: self.scheme.clone(),
            host: host.trim().trim_end_matches('/').to_owned(),
        }
    }

    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    fn host_without_port(&self) -> &str {
        crate::core::model::host_without_port(&self.host)
    }

    /// IP literals and `localhost` cannot carry a bucket subdomain: the SDKs use path-style.
    pub fn is_ip_or_localhost(&self) -> bool {
        let host = self.host_without_port();
        host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok()
    }

    pub fn is_loopback(&self) -> bool {
        let host = self.host_without_port();
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// Secrets and signatures only travel over https, except to this machine.
    pub fn require_secure(&self) -> Result<(), OssError> {
        if self.scheme == "https" || self.is_loopback() {
            Ok(())
        } else {
            Err(OssError::Config(format!(
                "refusing plain http to {}: use https (http is allowed for loopback only)",
                self.host
            )))
        }
    }

    /// The full URL of `req` through this endpoint.
    pub fn url_for(&self, req: &OssRequest) -> String {
        let key = req.key.as_deref().map(encode_path).unwrap_or_default();
        let mut url = match req.bucket.as_deref() {
            None => format!("{}://{}/", self.scheme, self.host),
            Some(bucket) if self.is_ip_or_localhost() => {
                format!("{}://{}/{bucket}/{key}", self.scheme, self.host)
            }
            Some(bucket) => format!("{}://{bucket}.{}/{key}", self.scheme, self.host),
        };
        for (i, (name, value)) in req.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode_component(name));
            if !value.is_empty() {
                url.push('=');
                url.push_str(&encode_component(value));
            }
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::Endpoint;
    use crate::core::ops;

    #[test]
    fn parses_and_addresses() {
        let real = Endpoint::parse("oss-cn-hangzhou.aliyuncs.com").expect("parses");
        assert_eq!(real.scheme, "https");
        let bucket = real.with_host("oss-cn-beijing.aliyuncs.com");
        assert_eq!(
            bucket.url_for(&ops::encryption::get("logs")),
            "https://logs.oss-cn-beijing.aliyuncs.com/?encryption"
        );
        let local = Endpoint::parse("http://127.0.0.1:9000/").expect("parses");
        assert!(local.is_ip_or_localhost() && local.is_loopback());
        assert_eq!(
            local.url_for(&ops::encryption::get("logs")),
            "http://127.0.0.1:9000/logs/?encryption"
        );
        assert_eq!(
            local.url_for(&ops::list_buckets::request(Some("a b"), None, 1000)),
            "http://127.0.0.1:9000/?prefix=a%20b&max-keys=1000"
        );
        assert_eq!(
            local.url_for(&ops::object::head("b", "dir/x+y.txt")),
            "http://127.0.0.1:9000/b/dir/x%2By.txt"
        );
        let v6 = Endpoint::parse("http://[::1]:9000").expect("parses");
        assert!(v6.is_loopback());
    }

    #[test]
    fn https_required_except_loopback() {
        let plain = Endpoint::parse("http://oss-cn-hangzhou.aliyuncs.com").expect("parses");
        assert!(plain.require_secure().is_err());
        let lan = Endpoint::parse("http://10.0.0.5:9000").expect("parses");
        assert!(lan.require_secure().is_err());
        assert!(
            Endpoint::parse("http://localhost:1")
                .expect("parses")
                .require_secure()
                .is_ok()
        );
        assert!(
            Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com")
                .expect("parses")
                .require_secure()
                .is_ok()
        );
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("https://x/path").is_err());
    }
}

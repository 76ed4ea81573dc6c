//! Where a request goes: the profile's endpoint for ListBuckets, the bucket's own
//! ExtranetEndpoint for everything else, virtual-hosted on real OSS, path-style on loopback.

use std::net::IpAddr;

use crate::core::request::OssRequest;
use crate::core::sign::canonical::{encode_component, encode_path};

use super::error::OssError;

/// Real OSS endpoints all lie under this domain.
pub const OSS_DOMAIN: &str = "aliyuncs.com";

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
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OssError::Config(format!(
                "endpoint must not carry a user name or password: {value:?}"
            )));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
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

    /// A bucket's endpoint with this endpoint's scheme. `host` (a ListBuckets
    /// `ExtranetEndpoint`, or `--bucket-endpoint`) must be a plain `host[:port]`: it is parsed
    /// as a URL authority and never pasted into a URL, so `[::1]@elsewhere:80` cannot pass a
    /// loopback check and then go elsewhere. Over https the host must also lie under this
    /// endpoint's parent domain or `aliyuncs.com`, unless `allow_foreign` (the profile's
    /// explicit opt-in): a listing cannot send signed requests to a host of its choosing.
    pub fn for_bucket(&self, host: &str, allow_foreign: bool) -> Result<Self, OssError> {
        let host = parse_authority(host)?;
        let bucket = Self {
            scheme: self.scheme.clone(),
            host,
        };
        if bucket.scheme == "https" && !allow_foreign && !self.covers(&bucket) {
            return Err(OssError::Config(format!(
                "refusing bucket endpoint {}: it is not under {} or {OSS_DOMAIN} (allow other domains with --allow-foreign-bucket-endpoints or the profile's allow_foreign_bucket_endpoints)",
                bucket.host,
                self.parent_domain().unwrap_or(&self.host),
            )));
        }
        Ok(bucket)
    }

    /// Whether `other`'s host is this host, or under its parent domain or [`OSS_DOMAIN`].
    fn covers(&self, other: &Endpoint) -> bool {
        let host = other.host_without_port();
        host == self.host_without_port()
            || is_under(host, OSS_DOMAIN)
            || self
                .parent_domain()
                .is_some_and(|parent| is_under(host, parent))
    }

    /// `example.com` for `oss-cn-x.example.com`: the host without its first label, if that
    /// still has two labels. IP literals have none.
    fn parent_domain(&self) -> Option<&str> {
        let host = self.host_without_port();
        if host.starts_with('[') || host.parse::<IpAddr>().is_ok() {
            return None;
        }
        host.split_once('.')
            .map(|(_, parent)| parent)
            .filter(|parent| parent.contains('.'))
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

    /// An HTTP client builder with the proxy rule for this endpoint: plain http only ever
    /// goes to this machine ([`Self::require_secure`]), and a proxy from the environment
    /// (HTTP_PROXY, ALL_PROXY) would carry the signed request, STS token included, in clear
    /// text to another host, so for http no proxy is used. Over https the environment's
    /// proxies are honoured: a proxy only sees a CONNECT to the host checked here.
    pub fn http_client_builder(&self) -> reqwest::ClientBuilder {
        let builder = reqwest::Client::builder();
        if self.scheme == "http" {
            builder.no_proxy()
        } else {
            builder
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

fn is_under(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// A strict `host[:port]`: a DNS name of letters, digits, `-` and `.`, an IPv4 address, or
/// a bracketed IPv6 address, then an optional port. Lower-cased. Anything else (user info,
/// a path, a scheme, percent-escapes, spaces) is refused.
pub fn parse_authority(text: &str) -> Result<String, OssError> {
    let invalid = |why: &str| {
        Err(OssError::Config(format!(
            "invalid endpoint host {:?}: {why}; expected host[:port]",
            text.chars().take(80).collect::<String>()
        )))
    };
    let text = text.trim();
    let (host, port) = match text.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, port)) => (&text[..v6.len() + 2], port),
            None => return invalid("unclosed ["),
        },
        None => match text.split_once(':') {
            Some((host, port)) => (host, text.get(host.len()..).unwrap_or(port)),
            None => (text, ""),
        },
    };
    let port = match port.strip_prefix(':') {
        None if port.is_empty() => None,
        None => return invalid("unexpected characters after the host"),
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            match digits.parse::<u16>() {
                Ok(port) if port > 0 => Some(port),
                _ => return invalid("port out of range"),
            }
        }
        Some(_) => return invalid("the port must be digits"),
    };
    let host = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        match v6.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => format!("[{ip}]"),
            Err(_) => return invalid("not an IPv6 address"),
        }
    } else {
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
            return invalid("not a host name");
        }
        name
    };
    Ok(match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::Endpoint;
    use crate::core::ops;

    #[test]
    fn parses_and_addresses() {
        let real = Endpoint::parse("oss-cn-hangzhou.aliyuncs.com").expect("parses");
        assert_eq!(real.scheme, "https");
        let bucket = real
            .for_bucket("oss-cn-beijing.aliyuncs.com", false)
            .expect("under aliyuncs.com");
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

#[cfg(test)]
mod bucket_endpoint_tests {
    use super::{Endpoint, parse_authority};

    #[test]
    fn hosts_are_strict_authorities() {
        for ok in [
            (
                "oss-cn-hangzhou.aliyuncs.com",
                "oss-cn-hangzhou.aliyuncs.com",
            ),
            (
                "OSS-CN-Hangzhou.aliyuncs.com.",
                "oss-cn-hangzhou.aliyuncs.com",
            ),
            ("127.0.0.1:9000", "127.0.0.1:9000"),
            ("[::1]:18021", "[::1]:18021"),
            ("[0:0::1]", "[::1]"),
            ("localhost", "localhost"),
        ] {
            assert_eq!(parse_authority(ok.0).ok().as_deref(), Some(ok.1), "{ok:?}");
        }
        for bad in [
            "[::1]@vm:18021",
            "127.0.0.1@vm",
            "user:pw@oss-cn-hangzhou.aliyuncs.com",
            "http://127.0.0.1",
            "127.0.0.1/path",
            "127.0.0.1:0",
            "127.0.0.1:99999",
            "127.0.0.1:80:80",
            "host name",
            "a%2eb",
            "[::1",
            "[vm]",
            "",
            "-bad-.com",
            "127.0.0.1#x",
            "127.0.0.1?x",
            "evil\\@127.0.0.1",
        ] {
            assert!(parse_authority(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn https_bucket_endpoints_stay_in_the_domain_unless_allowed() {
        let real = Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").expect("parses");
        assert!(
            real.for_bucket("oss-cn-beijing.aliyuncs.com", false)
                .is_ok()
        );
        assert!(real.for_bucket("evil.example.com", false).is_err());
        assert!(real.for_bucket("aliyuncs.com.evil.com", false).is_err());
        assert!(real.for_bucket("evilaliyuncs.com", false).is_err());
        assert!(real.for_bucket("evil.example.com", true).is_ok());
        assert!(
            real.for_bucket("[::1]@vm:18021", true).is_err(),
            "never a URL"
        );
        let private = Endpoint::parse("https://oss-a.cloud.example.org").expect("parses");
        assert!(private.for_bucket("oss-b.cloud.example.org", false).is_ok());
        assert!(private.for_bucket("oss-b.example.org", false).is_err());
        let by_ip = Endpoint::parse("https://10.0.0.5:8443").expect("parses");
        assert!(by_ip.for_bucket("10.0.0.5:8443", false).is_ok());
        assert!(by_ip.for_bucket("10.0.0.6:8443", false).is_err());
        // Plain http: the host must be parseable, and `require_secure` keeps it on loopback.
        let local = Endpoint::parse("http://127.0.0.1:9000").expect("parses");
        let remote = local.for_bucket("vm:18021", false).expect("a plain host");
        assert!(remote.require_secure().is_err());
        assert!(Endpoint::parse("http://[::1]@vm:18021").is_err());
    }
}

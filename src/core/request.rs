//! A transport-neutral OSS request: what is signed, before any host or URL is chosen.

/// HTTP method of an OSS call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Head,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Head => "HEAD",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "GET" => Self::Get,
            "PUT" => Self::Put,
            "POST" => Self::Post,
            "DELETE" => Self::Delete,
            "HEAD" => Self::Head,
            _ => return None,
        })
    }

    /// Whether repeating the call cannot change the outcome (so a timeout may be retried).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Self::Post)
    }
}

/// An OSS request as the signer sees it. Header names are lower case. The bucket and key
/// are kept apart from the host because OSS signs `/<bucket>/<key>` whatever the addressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssRequest {
    pub method: Method,
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// Query parameters in send order, decoded. An empty value is a bare `?name`.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl OssRequest {
    pub fn new(method: Method, bucket: Option<&str>) -> Self {
        Self {
            method,
            bucket: bucket.map(str::to_owned),
            key: None,
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }

    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets a header, replacing any earlier value of the same name.
    pub fn set_header(&mut self, name: &str, value: &str) {
        let name = name.to_ascii_lowercase();
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.to_owned()));
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.set_header(name, value);
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// An XML body with its `Content-Type` and `Content-MD5`, as the v2 SDKs send it.
    pub fn with_xml_body(mut self, body: String) -> Self {
        use base64::Engine as _;
        use md5::Digest as _;
        let md5 = md5::Md5::digest(body.as_bytes());
        self.set_header("content-type", "application/xml");
        self.set_header(
            "content-md5",
            &base64::engine::general_purpose::STANDARD.encode(md5),
        );
        self.body = body.into_bytes();
        self
    }
}

/// Owned name/value pairs from string literals (tests and fixed vectors).
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// Case-insensitive header lookup in a list of pairs.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::{Method, OssRequest};

    #[test]
    fn xml_body_sets_md5_like_the_sdks() {
        let body = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        let req = OssRequest::new(Method::Put, Some("examplebucket")).with_xml_body(body.into());
        assert_eq!(req.header("Content-MD5"), Some("4tKS6Y/XHpiZmwhLHJUbFQ=="));
        assert_eq!(req.header("content-type"), Some("application/xml"));
    }

    #[test]
    fn set_header_replaces() {
        let mut req = OssRequest::new(Method::Get, None).with_header("X-Oss-Date", "a");
        req.set_header("x-oss-date", "b");
        assert_eq!(req.headers.len(), 1);
        assert_eq!(req.header("x-oss-date"), Some("b"));
    }
}

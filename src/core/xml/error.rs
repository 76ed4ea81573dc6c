//! `Error`: the body of every failed OSS call (and, base64-encoded, HEAD's `x-oss-err`).

use serde::{Deserialize, Serialize};

/// OSS's error document. Only `Code` is required; the rest depends on the code (for example
/// `Endpoint` for a wrong region, `ServerTime` for a skewed clock).
///
/// `StringToSign`, `CanonicalRequest` and `SignatureProvided` are written (the dev server
/// sends them, as OSS does) but never read: the string to sign contains the STS token, so a
/// client that kept it could leak the token through a log or a panic. `Debug` omits them too.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "Error")]
pub struct ErrorDoc {
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Message", default)]
    pub message: String,
    #[serde(rename = "RequestId", default)]
    pub request_id: String,
    #[serde(rename = "HostId", default)]
    pub host_id: String,
    #[serde(rename = "Bucket", default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(rename = "Endpoint", default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(
        rename = "BucketName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bucket_name: Option<String>,
    #[serde(
        rename = "OSSAccessKeyId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub oss_access_key_id: Option<String>,
    #[serde(
        rename = "SignatureProvided",
        default,
        skip_serializing_if = "Option::is_none",
        skip_deserializing
    )]
    pub signature_provided: Option<String>,
    #[serde(
        rename = "StringToSign",
        default,
        skip_serializing_if = "Option::is_none",
        skip_deserializing
    )]
    pub string_to_sign: Option<String>,
    #[serde(
        rename = "CanonicalRequest",
        default,
        skip_serializing_if = "Option::is_none",
        skip_deserializing
    )]
    pub canonical_request: Option<String>,
    #[serde(
        rename = "RequestTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_time: Option<String>,
    #[serde(
        rename = "ServerTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub server_time: Option<String>,
    #[serde(
        rename = "MaxAllowedSkewMilliseconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_allowed_skew_milliseconds: Option<String>,
    #[serde(rename = "EC", default, skip_serializing_if = "Option::is_none")]
    pub ec: Option<String>,
    #[serde(
        rename = "RecommendDoc",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub recommend_doc: Option<String>,
}

impl super::Document for ErrorDoc {
    const ROOT: &'static str = "Error";
}

impl std::fmt::Debug for ErrorDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorDoc")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("host_id", &self.host_id)
            .field("endpoint", &self.endpoint)
            .field("ec", &self.ec)
            .field("server_time", &self.server_time)
            .finish_non_exhaustive()
    }
}

pub fn parse(body: &str) -> Result<ErrorDoc, super::XmlError> {
    let doc: ErrorDoc = super::parse(body)?;
    if doc.code.trim().is_empty() {
        return Err(super::XmlError::Missing("Code"));
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::{ErrorDoc, parse};
    use crate::core::xml::to_document;

    #[test]
    fn parses_documented_error() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchBucket</Code>
  <Message>The specified bucket does not exist.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>test.oss-cn-hangzhou.aliyuncs.com</HostId>
  <BucketName>test</BucketName>
  <EC>0015-00000101</EC>
  <RecommendDoc>https://api.aliyun.com/troubleshoot?q=0015-00000101</RecommendDoc>
</Error>"#;
        let err = parse(body).expect("parses");
        assert_eq!(err.code, "NoSuchBucket");
        assert_eq!(err.ec.as_deref(), Some("0015-00000101"));
        assert_eq!(err.bucket_name.as_deref(), Some("test"));
    }

    #[test]
    fn the_string_to_sign_is_never_kept() {
        let body = "<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message><StringToSign>GET\n\n\nx-oss-security-token:sts-secret-token\n/b/</StringToSign><CanonicalRequest>x-oss-security-token:sts-secret-token</CanonicalRequest><SignatureProvided>sig</SignatureProvided></Error>";
        let err = parse(body).expect("parses");
        assert_eq!(err.string_to_sign, None);
        assert_eq!(err.canonical_request, None);
        assert_eq!(err.signature_provided, None);
        let shown = format!("{err:?} {err:#?}");
        assert!(!shown.contains("sts-secret-token") && shown.contains("SignatureDoesNotMatch"));
        // The server still writes them.
        let written = to_document(&ErrorDoc {
            code: "SignatureDoesNotMatch".into(),
            string_to_sign: Some("sts".into()),
            ..Default::default()
        });
        assert!(written.contains("<StringToSign>sts</StringToSign>"));
    }

    #[test]
    fn wrong_region_carries_endpoint_and_round_trips() {
        let err = ErrorDoc {
            code: "AccessDenied".into(),
            message: "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.".into(),
            request_id: "id".into(),
            host_id: "b.oss-cn-hangzhou.aliyuncs.com".into(),
            bucket: Some("b".into()),
            endpoint: Some("oss-cn-beijing.aliyuncs.com".into()),
            ec: Some("0003-00001403".into()),
            ..Default::default()
        };
        assert_eq!(parse(&to_document(&err)), Ok(err));
        assert!(parse("<Error><Message>x</Message></Error>").is_err());
        assert!(parse("<html>502 Bad Gateway</html>").is_err());
    }
}

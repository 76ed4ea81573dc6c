//! OSS error answers: status, `Code`, `EC` and the `<Error>` document, as OSS's "Error
//! responses" page describes them (https://www.alibabacloud.com/help/en/oss/developer-reference/error-responses).
//!
//! `EC` values: the ones OSS documents (its EC pages) are exact (0002-00000504/-505/-214/-228/-006/
//! -007, 0005-00000003/-004/-203/-204, 0015-00000101); the others are plausible stand-ins.
//! Clients must never branch on `EC` (OSS says it may change), so tests assert status + Code.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;

use crate::core::validate::ValidationError;
use crate::core::xml::error::ErrorDoc;
use crate::core::xml::to_document;

/// An error answer before it is rendered; `RequestId` and `HostId` are filled in at the end.
/// The document is boxed so that `Result<_, OssError>` stays small on the happy path.
#[derive(Debug, Clone)]
pub(crate) struct OssError {
    pub status: StatusCode,
    pub doc: Box<ErrorDoc>,
}

pub(crate) const WRONG_ENDPOINT_MESSAGE: &str = "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.";

impl OssError {
    pub fn new(status: StatusCode, code: &str, ec: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            doc: Box::new(ErrorDoc {
                code: code.to_owned(),
                message: message.into(),
                ec: Some(ec.to_owned()),
                recommend_doc: Some(format!("https://api.aliyun.com/troubleshoot?q={ec}")),
                ..ErrorDoc::default()
            }),
        }
    }

    /// Adds code-specific elements (`Endpoint`, `StringToSign`, ...).
    pub fn with(mut self, fill: impl FnOnce(&mut ErrorDoc)) -> Self {
        fill(&mut self.doc);
        self
    }

    pub fn code(&self) -> &str {
        &self.doc.code
    }

    pub fn access_denied(ec: &str, message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDenied", ec, message)
    }

    pub fn invalid_argument(ec: &str, message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", ec, message)
    }

    pub fn no_such_bucket(bucket: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "0015-00000101",
            "The specified bucket does not exist.",
        )
        .with(|d| d.bucket_name = Some(bucket.to_owned()))
    }

    pub fn no_such_key() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "0026-00000001",
            "The specified key does not exist.",
        )
    }

    pub fn malformed_xml() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "0005-00000001",
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
    }

    pub fn entity_too_large() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "0016-00000101",
            "Your proposed upload exceeds the maximum allowed size.",
        )
    }

    pub fn not_implemented() -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "0003-00000203",
            "A header or query you provided implies functionality that is not implemented by this server.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "0003-00000102",
            "The specified method is not allowed against this resource.",
        )
    }

    pub fn service_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "0003-00000503",
            "Please reduce your request rate.",
        )
    }

    pub fn internal(message: &str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "0003-00000500",
            format!("We encountered an internal error. Please try again. ({message})"),
        )
    }

    /// A rule or SSE header OSS would refuse, with OSS's Code for it.
    pub fn from_validation(err: &ValidationError) -> Self {
        let ec = match err {
            ValidationError::Algorithm(_) => "0005-00000003",
            ValidationError::DataEncryption(_) => "0005-00000203",
            ValidationError::BucketName => "0015-00000011",
            _ => "0005-00000204",
        };
        Self::new(StatusCode::BAD_REQUEST, err.oss_code(), ec, err.to_string())
    }
}

/// Renders the error: XML body with `Content-Type: application/xml` and `x-oss-ec`; a HEAD
/// answer has no body, so the same XML travels base64-encoded in `x-oss-err`.
pub(crate) fn render(err: &OssError, request_id: &str, host: &str, head: bool) -> Response {
    let mut doc = ErrorDoc::clone(&err.doc);
    doc.request_id = request_id.to_owned();
    doc.host_id = host.to_owned();
    let xml = to_document(&doc);
    let mut response = Response::new(Body::empty());
    *response.status_mut() = err.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    if let Some(ec) = doc
        .ec
        .as_deref()
        .and_then(|ec| HeaderValue::from_str(ec).ok())
    {
        headers.insert("x-oss-ec", ec);
    }
    if head {
        let encoded = base64::engine::general_purpose::STANDARD.encode(xml.as_bytes());
        if let Ok(value) = HeaderValue::from_str(&encoded) {
            headers.insert("x-oss-err", value);
        }
    } else {
        *response.body_mut() = Body::from(xml);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{OssError, render};
    use crate::core::xml::error::parse;

    #[test]
    fn head_errors_carry_the_document_in_a_header() {
        let err = OssError::no_such_key();
        let response = render(&err, "ABC", "b.localhost", true);
        assert_eq!(response.status(), 404);
        let header = response
            .headers()
            .get("x-oss-err")
            .and_then(|v| v.to_str().ok())
            .expect("x-oss-err");
        use base64::Engine as _;
        let xml = base64::engine::general_purpose::STANDARD
            .decode(header)
            .expect("base64");
        let doc = parse(std::str::from_utf8(&xml).expect("utf8")).expect("error doc");
        assert_eq!(doc.code, "NoSuchKey");
        assert_eq!(doc.request_id, "ABC");
        assert_eq!(doc.host_id, "b.localhost");
        assert_eq!(
            response.headers().get("x-oss-ec").map(|v| v.as_bytes()),
            Some(&b"0026-00000001"[..])
        );
    }
}

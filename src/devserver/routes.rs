//! The request pipeline shared by every region's port, and dispatch by method + sub-resource.
//!
//! OSS addressing does not fit path routing (the bucket may be in the Host header), so one
//! fallback handler does it all, in OSS's order: faults -> addressing and name checks ->
//! operation -> bucket exists and lives in this port's region (OSS answers these before
//! checking the signature) -> signature -> body (the operation's size cap, a deadline) ->
//! Content-MD5 -> per-bucket denied RAM actions -> the handler. No body is read before the
//! signature is checked. Every answer gets `x-oss-request-id`, `Date` and `Server`.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use md5::Digest as _;

use super::addressing::{self, Target};
use super::errors::{OssError, WRONG_ENDPOINT_MESSAGE, render};
use super::faults::{self, Fault, KillSwitch};
use super::handlers::{self, Operation};
use super::rpc;
use super::server::RegionState;
use super::store::BucketRecord;
use crate::core::request::{Method, header_value};
use crate::core::sign::v1::format_http_date;

/// Largest request body accepted (objects included): OSS's single PUT allows more, but a dev
/// server has no use for it, and the cap keeps a stray upload from filling memory.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Largest body of a call that sends an XML or form document rather than object data (a
/// CompleteMultipartUpload of 10,000 parts is about 1 MiB).
pub(crate) const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;

/// One request as the auth code and the handlers see it.
#[derive(Debug)]
pub(crate) struct RequestCtx {
    pub method: Method,
    /// This port's region.
    pub region: String,
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// Decoded query pairs in send order.
    pub query: Vec<(String, String)>,
    /// Lower-case names, as received.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The server clock (real clock + configured skew).
    pub now: DateTime<Utc>,
}

impl RequestCtx {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) fn router(state: Arc<RegionState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// What the log line says about a request.
struct Trace {
    op: &'static str,
    bucket: Option<String>,
    /// An RPC call's action (on success) or error code.
    rpc: Option<String>,
}

async fn handle(
    State(st): State<Arc<RegionState>>,
    Extension(kill): Extension<KillSwitch>,
    request: Request,
) -> Response {
    let request_id = new_request_id();
    if !st.shared.latency.is_zero() {
        tokio::time::sleep(st.shared.latency).await;
    }
    let method = request.method().clone();
    let head = method == axum::http::Method::HEAD;
    let host = host_of(request.headers());
    let mut trace = Trace {
        op: "-",
        bucket: None,
        rpc: None,
    };
    let result = match faults::roll(st.shared.fail_rate) {
        Fault::Drop => {
            kill.trigger();
            tracing::info!(%method, %request_id, "fault injection: dropping the connection");
            return Response::new(Body::empty());
        }
        Fault::Unavailable => Err(OssError::service_unavailable()),
        Fault::None => match oversized_head(&request) {
            Some(err) => Err(err),
            None => process(&st, request, &host, &request_id, &mut trace).await,
        },
    };
    let (mut response, code) = match result {
        Ok(response) => (response, None),
        Err(err) => (
            render(&err, &request_id, &host, head),
            Some(err.code().to_owned()),
        ),
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-oss-request-id", value);
    }
    if let Ok(value) = HeaderValue::from_str(&format_http_date(st.shared.now())) {
        headers.insert(header::DATE, value);
    }
    headers.insert(header::SERVER, HeaderValue::from_static("AliyunOSS"));
    tracing::info!(
        %method,
        bucket = trace.bucket.as_deref().unwrap_or("-"),
        op = trace.op,
        status = response.status().as_u16(),
        code = code.as_deref().unwrap_or("-"),
        rpc = trace.rpc.as_deref().unwrap_or("-"),
        %request_id,
        region = %st.region,
        "request"
    );
    response
}

async fn process(
    st: &RegionState,
    request: Request,
    host: &str,
    request_id: &str,
    trace: &mut Trace,
) -> Result<Response, OssError> {
    let (parts, body) = request.into_parts();
    let method = Method::parse(parts.method.as_str()).ok_or_else(OssError::method_not_allowed)?;
    let query = addressing::parse_query(parts.uri.query())?;
    let headers = header_pairs(&parts.headers);
    if rpc::is_rpc(method, parts.uri.path(), &query, &headers) {
        trace.op = "RPC";
        let input = rpc::RpcInput {
            method,
            path: parts.uri.path().to_owned(),
            query,
            headers,
            // The RPC signature covers the form body, so it is read first, but small.
            body: read_body(
                &parts.headers,
                body,
                MAX_DOCUMENT_BYTES,
                st.shared.body_timeout,
            )
            .await?,
            host: host.to_owned(),
            now: st.shared.now(),
        };
        let (response, outcome) = rpc::handle(st, &input, request_id);
        trace.rpc = Some(outcome);
        return Ok(response);
    }
    let target = addressing::resolve(host, parts.uri.path())?;
    trace.bucket.clone_from(&target.bucket);
    let op = classify(method, &target, &query, &headers)?;
    trace.op = op.name();
    let mut ctx = RequestCtx {
        method,
        region: st.region.clone(),
        bucket: target.bucket,
        key: target.key,
        query,
        headers,
        body: Bytes::new(),
        now: st.shared.now(),
    };
    let record = match (&ctx.bucket, op.needs_existing_bucket()) {
        (Some(name), true) => Some(locate_bucket(st, name)?),
        _ => None,
    };
    // OSS signatures do not cover the body (V4 signs UNSIGNED-PAYLOAD, V1 only the
    // Content-MD5 header), so an unsigned or wrongly signed request is refused before a byte
    // of its body is read: hyper then closes the connection instead of draining it.
    super::auth::verify(&st.shared.keys, &ctx)?;
    ctx.body = read_body(&parts.headers, body, op.max_body(), st.shared.body_timeout).await?;
    check_content_md5(&ctx)?;
    if let Some(record) = &record {
        check_allowed(record, op.ram_action())?;
    }
    handlers::dispatch(op, st, &ctx, record).await
}

/// Sub-resources the server implements (the others are answered NotImplemented).
const SUPPORTED_SUB_RESOURCES: &[&str] = &[
    "encryption",
    "bucketInfo",
    "location",
    "security-token",
    "continuation-token",
    "versioning",
    "versions",
    "versionId",
    "worm",
    "uploads",
    "uploadId",
    "partNumber",
    "tagging",
    "acl",
    "restore",
    "append",
    "position",
    "symlink",
];

/// Sub-resources the server implements on objects only (bucket ACL, tagging... are not).
const OBJECT_SUB_RESOURCES: &[&str] = &[
    "uploads",
    "uploadId",
    "partNumber",
    "tagging",
    "acl",
    "restore",
    "append",
    "position",
    "symlink",
];

/// Which API call a request is. Unknown sub-resources are NotImplemented rather than being
/// mistaken for a plain bucket or object call.
fn classify(
    method: Method,
    target: &Target,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> Result<Operation, OssError> {
    let has = |name: &str| query.iter().any(|(n, _)| n == name);
    let unsupported = query.iter().any(|(n, _)| {
        crate::core::sign::v1::SUB_RESOURCES.contains(&n.as_str())
            && !n.starts_with("response-")
            && !SUPPORTED_SUB_RESOURCES.contains(&n.as_str())
    });
    let copy = header_value(headers, "x-oss-copy-source").is_some();
    let op = match (&target.bucket, &target.key, method) {
        (None, _, Method::Get) if has("regions") => Operation::DescribeRegions,
        (None, _, Method::Get) => Operation::ListBuckets,
        (None, _, _) => return Err(OssError::method_not_allowed()),
        _ if unsupported => return Err(OssError::not_implemented()),
        (Some(_), None, _) if has("encryption") => match method {
            Method::Put => Operation::PutBucketEncryption,
            Method::Get => Operation::GetBucketEncryption,
            Method::Delete => Operation::DeleteBucketEncryption,
            _ => return Err(OssError::method_not_allowed()),
        },
        (Some(_), None, _) if has("versioning") => match method {
            Method::Put => Operation::PutBucketVersioning,
            Method::Get => Operation::GetBucketVersioning,
            _ => return Err(OssError::method_not_allowed()),
        },
        (Some(_), None, _) if has("worm") => match method {
            Method::Post => Operation::InitiateBucketWorm,
            Method::Get => Operation::GetBucketWorm,
            _ => return Err(OssError::method_not_allowed()),
        },
        (Some(_), None, _) if OBJECT_SUB_RESOURCES.iter().any(|n| has(n)) => {
            return Err(OssError::not_implemented());
        }
        (Some(_), None, Method::Get) if has("bucketInfo") => Operation::GetBucketInfo,
        (Some(_), None, Method::Get) if has("location") => Operation::GetBucketLocation,
        (Some(_), None, _) if has("bucketInfo") || has("location") => {
            return Err(OssError::method_not_allowed());
        }
        (Some(_), None, Method::Get) if has("versions") => Operation::ListObjectVersions,
        (Some(_), None, Method::Get) if query.iter().any(|(n, v)| n == "list-type" && v == "2") => {
            Operation::ListObjectsV2
        }
        (Some(_), None, Method::Get) => Operation::ListObjects,
        (Some(_), None, Method::Put) => Operation::PutBucket,
        (Some(_), None, Method::Delete) => Operation::DeleteBucket,
        (Some(_), None, _) => return Err(OssError::not_implemented()),
        (Some(_), Some(_), _) if has("uploadId") => match method {
            Method::Put if copy => Operation::UploadPartCopy,
            Method::Put => Operation::UploadPart,
            Method::Post => Operation::CompleteMultipartUpload,
            Method::Delete => Operation::AbortMultipartUpload,
            Method::Get => Operation::ListParts,
            Method::Head => return Err(OssError::method_not_allowed()),
        },
        (Some(_), Some(_), Method::Post) if has("uploads") => Operation::InitiateMultipartUpload,
        (Some(_), Some(_), _) if has("tagging") => match method {
            Method::Get => Operation::GetObjectTagging,
            Method::Put => Operation::PutObjectTagging,
            Method::Delete => Operation::DeleteObjectTagging,
            _ => return Err(OssError::method_not_allowed()),
        },
        (Some(_), Some(_), _) if has("acl") => match method {
            Method::Get => Operation::GetObjectAcl,
            Method::Put => Operation::PutObjectAcl,
            _ => return Err(OssError::method_not_allowed()),
        },
        (Some(_), Some(_), Method::Post) if has("restore") => Operation::RestoreObject,
        (Some(_), Some(_), Method::Post) if has("append") => Operation::AppendObject,
        (Some(_), Some(_), Method::Put) if has("symlink") => Operation::PutSymlink,
        (Some(_), Some(_), _)
            if ["uploads", "restore", "append", "symlink"]
                .iter()
                .any(|n| has(n)) =>
        {
            return Err(OssError::not_implemented());
        }
        (Some(_), Some(_), Method::Put) if copy => Operation::CopyObject,
        (Some(_), Some(_), Method::Put) => Operation::PutObject,
        (Some(_), Some(_), Method::Get) => Operation::GetObject,
        (Some(_), Some(_), Method::Head) => Operation::HeadObject,
        (Some(_), Some(_), Method::Delete) => Operation::DeleteObject,
        (Some(_), Some(_), Method::Post) => return Err(OssError::not_implemented()),
    };
    Ok(op)
}

/// The bucket, if it exists and lives in this port's region; otherwise OSS's NoSuchBucket or
/// the AccessDenied that names the right endpoint.
fn locate_bucket(st: &RegionState, name: &str) -> Result<Arc<BucketRecord>, OssError> {
    let record = st
        .shared
        .store
        .bucket(name)
        .ok_or_else(|| OssError::no_such_bucket(name))?;
    if record.region != st.region {
        let endpoint = st.shared.endpoint_of(&record.region);
        return Err(
            OssError::access_denied("0003-00001403", WRONG_ENDPOINT_MESSAGE).with(|d| {
                d.bucket = Some(name.to_owned());
                d.endpoint = Some(endpoint);
            }),
        );
    }
    Ok(record)
}

/// The demo's stand-in for a RAM policy.
pub(crate) fn check_allowed(record: &BucketRecord, action: &str) -> Result<(), OssError> {
    if record.denied_actions.iter().any(|a| a == action) {
        return Err(OssError::access_denied(
            "0003-00000001",
            "You have no right to access this bucket.",
        ));
    }
    Ok(())
}

/// `Content-MD5` is optional, but when sent it must match the body (the v2 SDKs send the MD5
/// of an empty body even on GET).
fn check_content_md5(ctx: &RequestCtx) -> Result<(), OssError> {
    let Some(sent) = ctx.header("content-md5") else {
        return Ok(());
    };
    let actual = md5::Md5::digest(&ctx.body);
    let matches = base64::engine::general_purpose::STANDARD
        .decode(sent.trim())
        .is_ok_and(|d| d.as_slice() == actual.as_slice());
    if matches {
        Ok(())
    } else {
        Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidDigest",
            "0016-00000301",
            "The Content-MD5 you specified was invalid.",
        ))
    }
}

/// Longest request target (path and query) answered normally.
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest request head (all header lines) answered normally.
pub(crate) const MAX_HEADER_BYTES: usize = 64 * 1024;

/// An over-long URL (414) or header section (431) gets an OSS error document instead of
/// hyper's bare status line. OSS's codes for these are not documented; the names follow
/// its style. Heads past hyper's own limits (a 64 KiB URL, a 1 MiB head) still get hyper's
/// bare answer: they never reach a handler.
fn oversized_head(request: &Request) -> Option<OssError> {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return Some(OssError::new(
            StatusCode::URI_TOO_LONG,
            "RequestURITooLong",
            "0002-00000414",
            format!("The request URL is longer than {MAX_URI_BYTES} bytes."),
        ));
    }
    let head: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    (head > MAX_HEADER_BYTES).then(|| {
        OssError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "RequestHeaderTooLarge",
            "0002-00000431",
            format!("The request headers are larger than {MAX_HEADER_BYTES} bytes."),
        )
    })
}

/// How long an over-limit body is read and discarded before it is refused.
const LINGER: std::time::Duration = std::time::Duration::from_secs(2);

/// Reads at most `limit` bytes of body within `deadline`; a declared length over the limit is
/// refused before reading, a body that trickles is cut off with OSS's RequestTimeout.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    deadline: std::time::Duration,
) -> Result<Bytes, OssError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared.filter(|len| *len > limit as u64) {
        // A body over the limit but within an upload's size is read and discarded for a
        // short while (never kept) before the refusal: a client still sending would
        // otherwise get a broken pipe instead of the error document (nginx's "lingering
        // close" does the same). A client that stalls is answered when the time is up;
        // larger bodies are refused unread, and hyper closes.
        if len <= MAX_BODY_BYTES as u64 {
            let mut frames = body.into_data_stream();
            let drain = async { while let Some(Ok(_)) = frames.next().await {} };
            tokio::time::timeout(deadline.min(LINGER), drain).await.ok();
        }
        return Err(OssError::entity_too_large());
    }
    match tokio::time::timeout(deadline, axum::body::to_bytes(body, limit)).await {
        Ok(read) => read.map_err(|_| OssError::entity_too_large()),
        Err(_) => Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "RequestTimeout",
            "0002-00000501",
            "Your socket connection to the server was not read from or written to within the timeout period.",
        )),
    }
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn host_of(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// 24 upper-case hex characters, like OSS's request ids.
fn new_request_id() -> String {
    hex::encode_upper(rand::random::<[u8; 12]>())
}

#[cfg(test)]
mod tests {
    use super::{Operation, Target, classify, new_request_id};
    use crate::core::request::{Method, pairs};

    #[test]
    fn classifies_by_method_and_sub_resource() {
        let bucket = Target {
            bucket: Some("b-1".into()),
            key: None,
        };
        let object = Target {
            bucket: Some("b-1".into()),
            key: Some("k".into()),
        };
        let service = Target {
            bucket: None,
            key: None,
        };
        let enc = pairs(&[("encryption", "")]);
        let op = |m, t: &Target, q: &[(String, String)], h: &[(String, String)]| {
            classify(m, t, q, h).ok()
        };
        assert_eq!(
            op(Method::Get, &service, &[], &[]),
            Some(Operation::ListBuckets)
        );
        assert_eq!(
            op(Method::Put, &bucket, &enc, &[]),
            Some(Operation::PutBucketEncryption)
        );
        assert_eq!(
            op(Method::Delete, &bucket, &enc, &[]),
            Some(Operation::DeleteBucketEncryption)
        );
        assert_eq!(
            op(Method::Put, &bucket, &[], &[]),
            Some(Operation::PutBucket)
        );
        assert_eq!(op(Method::Get, &bucket, &pairs(&[("acl", "")]), &[]), None);
        assert_eq!(
            op(Method::Get, &bucket, &pairs(&[("list-type", "2")]), &[]),
            Some(Operation::ListObjectsV2)
        );
        assert_eq!(
            op(Method::Get, &bucket, &[], &[]),
            Some(Operation::ListObjects)
        );
        let part = pairs(&[("partNumber", "1"), ("uploadId", "U")]);
        assert_eq!(
            op(
                Method::Put,
                &object,
                &part,
                &pairs(&[("x-oss-copy-source", "/b-1/x")])
            ),
            Some(Operation::UploadPartCopy)
        );
        assert_eq!(
            op(Method::Put, &object, &part, &[]),
            Some(Operation::UploadPart)
        );
        assert_eq!(
            op(Method::Post, &object, &pairs(&[("uploads", "")]), &[]),
            Some(Operation::InitiateMultipartUpload)
        );
        assert_eq!(
            op(Method::Post, &object, &pairs(&[("restore", "")]), &[]),
            Some(Operation::RestoreObject)
        );
        assert_eq!(op(Method::Get, &object, &pairs(&[("cors", "")]), &[]), None);
        let copy = pairs(&[("x-oss-copy-source", "/b-1/x")]);
        assert_eq!(
            op(Method::Put, &object, &[], &copy),
            Some(Operation::CopyObject)
        );
        assert_eq!(
            op(Method::Head, &object, &[], &[]),
            Some(Operation::HeadObject)
        );
        let id = new_request_id();
        assert_eq!(id.len(), 24);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        );
    }
}

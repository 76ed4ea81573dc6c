//! Dev server: signature verification, addressing styles, region checks and clock skew.

use crate::support::{AK, HZ, Harness, SH, SK, VERSIONS};
use chrono::{Duration, Utc};
use ossguard::core::ops;
use ossguard::core::request::{Method, OssRequest};
use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::core::sse::SseRule;

const V4: SignatureVersion = SignatureVersion::V4;
const V1: SignatureVersion = SignatureVersion::V1;

#[tokio::test]
async fn wrong_secret_and_unknown_key() {
    let h = Harness::with_buckets(|_| {}).await;
    let wrong = Credentials::new(AK, "not-the-secret");
    let answer = h
        .send_with(ops::encryption::get("auth-hz"), V4, &wrong)
        .await;
    assert_eq!(answer.status_code(), (403, "SignatureDoesNotMatch".into()));
    let err = answer.error();
    assert_eq!(err.oss_access_key_id.as_deref(), Some(AK));
    assert!(answer.element("SignatureProvided").is_some());
    let canonical = answer
        .element("CanonicalRequest")
        .expect("V4 shows the canonical request");
    assert!(
        canonical.starts_with("GET\n/auth-hz/\nencryption\n"),
        "{canonical}"
    );
    assert!(
        answer
            .element("StringToSign")
            .is_some_and(|s| s.starts_with("OSS4-HMAC-SHA256\n"))
    );

    let answer = h
        .send_with(ops::encryption::get("auth-hz"), V1, &wrong)
        .await;
    assert_eq!(answer.status_code(), (403, "SignatureDoesNotMatch".into()));
    assert!(
        answer
            .element("StringToSign")
            .is_some_and(|s| s.ends_with("\n/auth-hz/?encryption"))
    );
    assert_eq!(answer.element("CanonicalRequest"), None);

    for version in VERSIONS {
        let unknown = Credentials::new("LTAIunknown000000000", SK);
        let answer = h
            .send_with(ops::bucket::get_info("auth-hz"), version, &unknown)
            .await;
        assert_eq!(answer.status_code(), (403, "InvalidAccessKeyId".into()));
    }
    let anonymous = h
        .send_raw(HZ, &ops::encryption::get("auth-hz"), None)
        .await
        .expect("answer");
    assert_eq!(anonymous.status_code(), (403, "AccessDenied".into()));
}

#[tokio::test]
async fn a_bucket_through_another_regions_port_names_its_endpoint() {
    let h = Harness::with_buckets(|_| {}).await;
    for version in VERSIONS {
        // Signed for the port's region, as a client that guessed wrong would do.
        let answer = h.send(HZ, ops::encryption::get("auth-sh"), version).await;
        assert_eq!(answer.status_code(), (403, "AccessDenied".into()));
        let err = answer.error();
        let port = h.server.region_port(SH).expect("port");
        assert_eq!(err.endpoint, Some(format!("127.0.0.1:{port}")));
        assert_eq!(err.bucket.as_deref(), Some("auth-sh"));
        assert!(
            err.message.contains("specified endpoint"),
            "{}",
            err.message
        );
    }
    // ListBuckets answers on every port.
    for (region, _) in &h.server.ready.regions.0 {
        let answer = h
            .send(region, ops::list_buckets::request(None, None, 10), V4)
            .await;
        assert_eq!(answer.status, 200, "{region}");
    }
}

#[tokio::test]
async fn v4_scope_must_be_the_ports_region() {
    let h = Harness::with_buckets(|_| {}).await;
    let answer = h
        .send_as(
            HZ,
            SH,
            ops::encryption::get("auth-hz"),
            V4,
            &h.creds(),
            Utc::now(),
        )
        .await;
    assert_eq!(answer.status_code(), (400, "InvalidArgument".into()));
    assert_eq!(answer.error().ec.as_deref(), Some("0002-00000228"));
    let answer = h
        .send_as(
            SH,
            HZ,
            ops::list_buckets::request(None, None, 10),
            V4,
            &h.creds(),
            Utc::now(),
        )
        .await;
    assert_eq!(answer.status_code(), (400, "InvalidArgument".into()));
}

#[tokio::test]
async fn payload_hash_must_be_unsigned_payload() {
    let h = Harness::with_buckets(|_| {}).await;
    let mut req = ops::encryption::get("auth-hz");
    ossguard::core::sign::sign(&mut req, V4, &h.creds(), HZ, Utc::now());
    req.set_header(
        "x-oss-content-sha256",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    let answer = h.send_raw(HZ, &req, None).await.expect("answer");
    assert_eq!(answer.status_code(), (400, "InvalidArgument".into()));
}

#[tokio::test]
async fn request_time_too_skewed() {
    let h = Harness::start(|c| c.clock_skew = Duration::minutes(20)).await;
    let server_clock = Utc::now() + Duration::minutes(20);
    let create = ops::bucket::create("auth-hz");
    let answer = h
        .send_as(HZ, HZ, create, V4, &h.creds(), server_clock)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    for version in VERSIONS {
        let answer = h.send(HZ, ops::encryption::get("auth-hz"), version).await;
        assert_eq!(answer.status_code(), (403, "RequestTimeTooSkewed".into()));
        let err = answer.error();
        assert_eq!(err.max_allowed_skew_milliseconds.as_deref(), Some("900000"));
        assert!(err.request_time.is_some());
        let server_time = err.server_time.expect("ServerTime");
        let server_time = chrono::DateTime::parse_from_rfc3339(&server_time).expect("ISO time");
        let ahead = server_time.with_timezone(&Utc) - Utc::now();
        assert!(
            ahead > Duration::minutes(19) && ahead < Duration::minutes(21),
            "{ahead}"
        );
        // A client that signs with the server's clock (from the Date header) gets through.
        let date = answer.header("date").expect("Date");
        let server_now = ossguard::core::sign::v1::parse_http_date(date).expect("date");
        let retry = h
            .send_as(
                HZ,
                HZ,
                ops::encryption::get("auth-hz"),
                version,
                &h.creds(),
                server_now,
            )
            .await;
        assert_eq!(retry.status, 404, "{}", retry.body);
    }
    // Within 15 minutes of the server clock is fine.
    let answer = h
        .send_as(
            HZ,
            HZ,
            ops::bucket::get_info("auth-hz"),
            V4,
            &h.creds(),
            Utc::now() + Duration::minutes(8),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // No date at all.
    let mut req = ops::bucket::get_info("auth-hz");
    req.set_header("authorization", &format!("OSS {AK}:AAAA"));
    let answer = h.send_raw(HZ, &req, None).await.expect("answer");
    assert_eq!(answer.status_code(), (403, "AccessDenied".into()));
}

/// oss2 writes `, ` separators and AdditionalHeaders after Signature; a signed Host works.
#[tokio::test]
async fn v4_authorization_spellings_and_additional_headers() {
    let h = Harness::with_buckets(|_| {}).await;
    let mut req = ops::encryption::put("auth-hz", &SseRule::Aes256);
    ossguard::core::sign::sign(&mut req, V4, &h.creds(), HZ, Utc::now());
    let v2_style = req.header("authorization").expect("signed").to_owned();
    let (head, signature) = v2_style.split_once(",Signature=").expect("shape");
    req.set_header("authorization", &format!("{head}, Signature={signature}"));
    assert_eq!(
        h.send_raw(HZ, &req, None).await.expect("answer").status,
        200
    );

    // Sign `host` as an additional header, the way oss2 does, in oss2's spelling.
    let host = h.base_url(HZ).trim_start_matches("http://").to_owned();
    let mut req = ops::encryption::get("auth-hz").with_header("host", &host);
    let now = Utc::now();
    let datetime = ossguard::core::sign::v4::format_datetime(now);
    req.set_header("x-oss-date", &datetime);
    req.set_header("x-oss-content-sha256", "UNSIGNED-PAYLOAD");
    let additional = vec!["host".to_owned()];
    let parts = ossguard::core::sign::v4::SignedParts {
        method: "GET",
        bucket: Some("auth-hz"),
        key: None,
        query: &req.query,
        headers: &req.headers,
        additional_headers: &additional,
    };
    let canonical = ossguard::core::sign::v4::canonical_request(&parts);
    let scope = ossguard::core::sign::v4::scope(&datetime[..8], HZ);
    let to_sign = ossguard::core::sign::v4::string_to_sign(&datetime, &scope, &canonical);
    let signature = ossguard::core::sign::v4::signature(SK, &datetime[..8], HZ, &to_sign);
    req.set_header(
        "authorization",
        &format!("OSS4-HMAC-SHA256 Credential={AK}/{scope}, Signature={signature}, AdditionalHeaders=host"),
    );
    let answer = h.send_raw(HZ, &req, None).await.expect("answer");
    assert_eq!(answer.status, 200, "{}", answer.body);
}

/// ali-oss with an IP endpoint: path `/<key>` and the bucket in the Host header; a leading dot
/// in Host means ListBuckets. V1 with only x-oss-date.
#[tokio::test]
async fn virtual_hosted_addressing_and_ali_oss_dates() {
    let h = Harness::with_buckets(|_| {}).await;
    for version in VERSIONS {
        let mut req = ops::encryption::put("auth-hz", &SseRule::Sm4);
        ossguard::core::sign::sign(&mut req, version, &h.creds(), HZ, Utc::now());
        let answer = h
            .send_raw(HZ, &req, Some("auth-hz.oss-cn-hangzhou.aliyuncs.com"))
            .await
            .expect("answer");
        assert_eq!(answer.status, 200, "{}", answer.body);
        let mut req = ops::object::put("auth-hz", "dir/v host.txt", b"v".to_vec(), None);
        ossguard::core::sign::sign(&mut req, version, &h.creds(), HZ, Utc::now());
        let answer = h
            .send_raw(HZ, &req, Some("auth-hz.oss-cn-hangzhou.aliyuncs.com"))
            .await
            .expect("answer");
        assert_eq!(answer.status, 200, "{}", answer.body);
        let mut req = ops::list_buckets::request(None, None, 100);
        ossguard::core::sign::sign(&mut req, version, &h.creds(), HZ, Utc::now());
        let answer = h
            .send_raw(HZ, &req, Some(".oss-cn-hangzhou.aliyuncs.com"))
            .await
            .expect("answer");
        assert!(
            answer.body.contains("<Name>auth-sh</Name>"),
            "{}",
            answer.body
        );
    }
    let head = h
        .send(HZ, ops::object::head("auth-hz", "dir/v host.txt"), V4)
        .await;
    assert_eq!(head.header("x-oss-server-side-encryption"), Some("SM4"));

    // ali-oss V1: no Date header, the RFC 1123 time in x-oss-date.
    let mut req = ops::encryption::get("auth-hz").with_header(
        "x-oss-date",
        &ossguard::core::sign::v1::format_http_date(Utc::now()),
    );
    let to_sign = ossguard::core::sign::v1::string_to_sign(
        "GET",
        &req.headers,
        Some("auth-hz"),
        None,
        &req.query,
    );
    let signature = ossguard::core::sign::v1::signature(SK, &to_sign);
    req.set_header("authorization", &format!("OSS {AK}:{signature}"));
    let answer = h
        .send_raw(HZ, &req, Some("auth-hz.oss-cn-hangzhou.aliyuncs.com"))
        .await
        .expect("answer");
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn method_and_path_edge_cases() {
    let h = Harness::with_buckets(|_| {}).await;
    let put_service = OssRequest::new(Method::Put, None);
    let answer = h.send(HZ, put_service, V4).await;
    assert_eq!(answer.status_code(), (405, "MethodNotAllowed".into()));
    let malformed = ops::encryption::get("auth-hz").with_header("authorization", "Bearer abc");
    let answer = h.send_raw(HZ, &malformed, None).await.expect("answer");
    assert_eq!(answer.status_code(), (400, "InvalidArgument".into()));
    let empty_additional = ops::encryption::get("auth-hz").with_header(
        "authorization",
        &format!("OSS4-HMAC-SHA256 Credential={AK}/20250101/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=,Signature=abc"),
    );
    let answer = h
        .send_raw(HZ, &empty_additional, None)
        .await
        .expect("answer");
    assert_eq!(answer.status_code(), (400, "InvalidArgument".into()));
}

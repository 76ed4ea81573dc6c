//! Dev server: RPC-style calls (KMS, and any service added the same way) are recognised and
//! their signatures verified like the services do, V1 and ACS3-HMAC-SHA256.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use ossguard::core::kms;
use ossguard::core::sign::Credentials;
use ossguard::core::sign::rpc::{self, Acs3Request, RpcCall};

use crate::support::{AK, HZ, Harness, SK, kms_key, rand_nonce, write_kms};

async fn harness() -> Harness {
    Harness::start(|c| {
        write_kms(
            c,
            &serde_json::json!({"keys": [kms_key(HZ, "key-hz-0001abcd", "Enabled", &["alias/a"])]}),
        );
    })
    .await
}

#[tokio::test]
async fn v1_get_and_post_are_verified() {
    let h = harness().await;
    let call = kms::list_keys(1, 10);
    for method in ["GET", "POST"] {
        let answer = h
            .rpc_v1(HZ, method, &call, &h.creds(), Utc::now(), &rand_nonce())
            .await;
        assert_eq!(answer.status, 200, "{method}: {:?}", answer.json);
        assert_eq!(answer.json["TotalCount"], 1);
        assert!(
            answer.json["RequestId"]
                .as_str()
                .is_some_and(|r| !r.is_empty())
        );
    }
    // An OSS call on the same port is still OSS.
    let oss = h
        .send(
            HZ,
            ossguard::core::ops::list_buckets::request(None, None, 10),
            ossguard::core::sign::SignatureVersion::V4,
        )
        .await;
    assert_eq!(oss.status, 200, "{}", oss.body);
    assert!(oss.body.contains("<ListAllMyBucketsResult"));
}

#[tokio::test]
async fn v1_refusals_have_the_services_codes() {
    let h = harness().await;
    let call = kms::list_keys(1, 10);
    let now = Utc::now();
    let wrong = Credentials::new(AK, "not-the-secret");
    let answer = h
        .rpc_v1(HZ, "POST", &call, &wrong, now, &rand_nonce())
        .await;
    assert_eq!(
        (answer.status, answer.code()),
        (400, "SignatureDoesNotMatch")
    );
    assert!(
        answer.json["Message"]
            .as_str()
            .unwrap_or("")
            .contains("POST&%2F&")
    );
    assert!(answer.json["HostId"].is_string() && answer.json["Recommend"].is_string());
    let unknown = Credentials::new("LTAI5tUnknownKey0000", SK);
    let answer = h
        .rpc_v1(HZ, "POST", &call, &unknown, now, &rand_nonce())
        .await;
    assert_eq!(
        (answer.status, answer.code()),
        (404, "InvalidAccessKeyId.NotFound")
    );
    for skew in [Duration::minutes(16), Duration::minutes(-16)] {
        let answer = h
            .rpc_v1(HZ, "POST", &call, &h.creds(), now + skew, &rand_nonce())
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, "InvalidTimeStamp.Expired")
        );
    }
    let inside = h
        .rpc_v1(
            HZ,
            "POST",
            &call,
            &h.creds(),
            now - Duration::minutes(14),
            &rand_nonce(),
        )
        .await;
    assert_eq!(inside.status, 200, "{:?}", inside.json);
    // The same nonce twice: the replay is refused, even with a valid signature.
    let nonce = rand_nonce();
    let first = h.rpc_v1(HZ, "POST", &call, &h.creds(), now, &nonce).await;
    assert_eq!(first.status, 200);
    let replay = h.rpc_v1(HZ, "GET", &call, &h.creds(), now, &nonce).await;
    assert_eq!((replay.status, replay.code()), (400, "SignatureNonceUsed"));
    // Signature parts missing.
    let mut params = rpc::sign_v1("POST", &call, &h.creds(), now, &rand_nonce());
    params.remove("Signature");
    let answer = h
        .rpc_raw(HZ, "POST", &rpc::encode_params(&params), &[])
        .await;
    assert_eq!((answer.status, answer.code()), (400, "IncompleteSignature"));
    let mut params = rpc::sign_v1("POST", &call, &h.creds(), now, &rand_nonce());
    params.remove("SignatureNonce");
    let answer = h
        .rpc_raw(HZ, "POST", &rpc::encode_params(&params), &[])
        .await;
    assert_eq!((answer.status, answer.code()), (400, "IncompleteSignature"));
    // A tampered parameter breaks the signature.
    let mut params = rpc::sign_v1("POST", &call, &h.creds(), now, &rand_nonce());
    params.insert("PageSize".into(), "99".into());
    let answer = h
        .rpc_raw(HZ, "POST", &rpc::encode_params(&params), &[])
        .await;
    assert_eq!(
        (answer.status, answer.code()),
        (400, "SignatureDoesNotMatch")
    );
    // An API version nobody serves.
    let other = RpcCall::new("ListKeys", "2099-01-01");
    let answer = h
        .rpc_v1(HZ, "POST", &other, &h.creds(), now, &rand_nonce())
        .await;
    assert_eq!((answer.status, answer.code()), (404, "InvalidVersion"));
    // A form POST without Action.
    let answer = h.rpc_raw(HZ, "POST", "Foo=bar", &[]).await;
    assert_eq!((answer.status, answer.code()), (400, "MissingParameter"));
}

#[tokio::test]
async fn sts_credentials_are_accepted_with_their_token() {
    let token = "rpc-sts-token";
    let h = Harness::start(|c| c.sts_token = Some(token.into())).await;
    let call = kms::list_keys(1, 10);
    let sts = format!("STS.{AK}");
    let good = Credentials::new(&sts, SK).with_security_token(Some(token));
    let answer = h
        .rpc_v1(HZ, "POST", &call, &good, Utc::now(), &rand_nonce())
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.json);
    let wrong = Credentials::new(&sts, SK).with_security_token(Some("other"));
    let answer = h
        .rpc_v1(HZ, "POST", &call, &wrong, Utc::now(), &rand_nonce())
        .await;
    assert_eq!(answer.code(), "InvalidSecurityToken.MismatchWithAccessKey");
    let missing = Credentials::new(&sts, SK);
    let answer = h
        .rpc_v1(HZ, "POST", &call, &missing, Utc::now(), &rand_nonce())
        .await;
    assert_eq!(answer.code(), "InvalidAccessKeyId.NotFound");
}

/// Signs an RPC call the ACS3 way, as tea-openapi does: parameters in a form body.
fn acs3_headers(
    host: &str,
    action: &str,
    form: &str,
    secret: &str,
    date: &str,
    nonce: &str,
) -> Vec<(&'static str, String)> {
    let hashed = rpc::sha256_hex(form.as_bytes());
    let signed: BTreeMap<String, String> = [
        (
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        ),
        ("host", host.to_owned()),
        ("x-acs-action", action.to_owned()),
        ("x-acs-content-sha256", hashed.clone()),
        ("x-acs-date", date.to_owned()),
        ("x-acs-signature-nonce", nonce.to_owned()),
        ("x-acs-version", ossguard::core::rpc::KMS.version.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let query = BTreeMap::new();
    let signature = rpc::acs3_signature(
        secret,
        &Acs3Request {
            method: "POST",
            path: "/",
            query: &query,
            signed_headers: &signed,
            hashed_payload: &hashed,
        },
    );
    let names = signed.keys().cloned().collect::<Vec<_>>().join(";");
    let mut headers = vec![(
        "authorization",
        format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders={names},Signature={signature}"),
    )];
    for (name, value) in [
        ("x-acs-action", action),
        ("x-acs-content-sha256", hashed.as_str()),
        ("x-acs-date", date),
        ("x-acs-signature-nonce", nonce),
        ("x-acs-version", ossguard::core::rpc::KMS.version),
    ] {
        headers.push((name, value.to_owned()));
    }
    headers
}

#[tokio::test]
async fn acs3_signatures_are_verified() {
    let h = harness().await;
    let host = h.base_url(HZ).trim_start_matches("http://").to_owned();
    let date = rpc::timestamp(Utc::now());
    let form = "KeyId=key-hz-0001abcd";
    let nonce = rand_nonce();
    let headers = acs3_headers(&host, "DescribeKey", form, SK, &date, &nonce);
    let answer = h.rpc_raw(HZ, "POST", form, &headers).await;
    assert_eq!(answer.status, 200, "{:?}", answer.json);
    assert_eq!(answer.json["KeyMetadata"]["KeyId"], "key-hz-0001abcd");
    let replay = h.rpc_raw(HZ, "POST", form, &headers).await;
    assert_eq!(replay.code(), "SignatureNonceUsed");
    let wrong = acs3_headers(&host, "DescribeKey", form, "bad", &date, &rand_nonce());
    let answer = h.rpc_raw(HZ, "POST", form, &wrong).await;
    assert_eq!(
        (answer.status, answer.code()),
        (400, "SignatureDoesNotMatch")
    );
    // The body changed after signing.
    let headers = acs3_headers(&host, "DescribeKey", form, SK, &date, &rand_nonce());
    let answer = h.rpc_raw(HZ, "POST", "KeyId=key-other0000", &headers).await;
    assert_eq!(answer.code(), "SignatureDoesNotMatch");
    let old = rpc::timestamp(Utc::now() - Duration::minutes(20));
    let headers = acs3_headers(&host, "DescribeKey", form, SK, &old, &rand_nonce());
    let answer = h.rpc_raw(HZ, "POST", form, &headers).await;
    assert_eq!(answer.code(), "InvalidTimeStamp.Expired");
    // A required header left out of SignedHeaders.
    let mut headers = acs3_headers(&host, "DescribeKey", form, SK, &date, &rand_nonce());
    headers[0].1 = headers[0].1.replace("x-acs-signature-nonce;", "");
    let answer = h.rpc_raw(HZ, "POST", form, &headers).await;
    assert_eq!((answer.status, answer.code()), (400, "IncompleteSignature"));
}

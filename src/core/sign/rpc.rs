//! RPC-style OpenAPI signing (KMS 2016-01-20, STS 2015-04-01): signature V1 (HMAC-SHA1 over
//! the sorted query) and ACS3-HMAC-SHA256 (header-based, what recent tea-openapi SDKs send).
//!
//! Both are pure functions of the parameters, the credentials and the time, as OSS signing is.
//! The client signs with V1; the dev server verifies both. References: "Request syntax and
//! signature method V1" and "V3 request body and signature mechanism" in the Alibaba Cloud
//! OpenAPI documentation (help.aliyun.com/zh/sdk/product-overview/rpc-mechanism and
//! .../v3-request-structure-and-signature).

use std::collections::BTreeMap;

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::Credentials;

/// RFC 3986: everything but `A-Za-z0-9-_.~` is escaped (space as `%20`, `*` as `%2A`).
const RPC_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one name or value as the RPC signature requires.
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, RPC_ENCODE).to_string()
}

/// The timestamp format of the V1 `Timestamp` parameter (`yyyy-MM-ddTHH:mm:ssZ`, UTC).
pub fn timestamp(now: chrono::DateTime<chrono::Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads a V1 `Timestamp` or an ACS3 `x-acs-date` (`yyyy-MM-ddTHH:mm:ssZ`; fractions and
/// offsets, which some SDKs send, are accepted too).
pub fn parse_timestamp(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let value = value.trim();
    chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%SZ")
        .map(|t| t.and_utc())
        .ok()
        .or_else(|| {
            chrono::DateTime::parse_from_rfc3339(value)
                .ok()
                .map(|t| t.to_utc())
        })
}

/// The parts of an ACS3 `Authorization` header:
/// `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Authorization {
    pub access_key_id: String,
    /// Lower-case names, in the order sent.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// The ACS3 algorithm name, the first word of its `Authorization` header.
pub const ACS3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Parses an ACS3 `Authorization` header; `None` when a part is missing or empty.
pub fn parse_acs3_authorization(value: &str) -> Option<Acs3Authorization> {
    let rest = value.trim().strip_prefix(ACS3_ALGORITHM)?.trim_start();
    let (mut id, mut headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (name, val) = part.trim().split_once('=')?;
        match name.trim() {
            "Credential" => id = Some(val.trim()),
            "SignedHeaders" => headers = Some(val.trim()),
            "Signature" => signature = Some(val.trim()),
            _ => {}
        }
    }
    let (id, headers, signature) = (id?, headers?, signature?);
    if id.is_empty() || headers.is_empty() || signature.is_empty() {
        return None;
    }
    Some(Acs3Authorization {
        access_key_id: id.to_owned(),
        signed_headers: headers.split(';').map(str::to_ascii_lowercase).collect(),
        signature: signature.to_owned(),
    })
}

/// Sorted `name=value` pairs, each encoded, joined with `&` (every parameter but
/// `Signature`).
pub fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(name, _)| name.as_str() != "Signature")
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `METHOD&%2F&<encoded canonical query>`.
pub fn string_to_sign(method: &str, params: &BTreeMap<String, String>) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode("/"),
        percent_encode(&canonical_query(params))
    )
}

/// base64(HMAC-SHA1(secret + "&", string_to_sign)).
pub fn v1_signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// One RPC call: the action's own parameters, before the common ones are added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcCall {
    pub action: String,
    /// API version, e.g. `2016-01-20` (KMS) or `2015-04-01` (STS).
    pub version: String,
    pub params: BTreeMap<String, String>,
}

impl RpcCall {
    pub fn new(action: &str, version: &str) -> Self {
        Self {
            action: action.to_owned(),
            version: version.to_owned(),
            params: BTreeMap::new(),
        }
    }

    pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }
}

/// Every parameter of a V1-signed request, `Signature` included: the call's own, then
/// `Format=JSON`, `AccessKeyId`, `SignatureMethod`, `SignatureVersion`, `SignatureNonce`,
/// `Timestamp`, `SecurityToken` (STS credentials only). `nonce` must be unique per request
/// (the services refuse a replay with `SignatureNonceUsed`).
pub fn sign_v1(
    method: &str,
    call: &RpcCall,
    credentials: &Credentials,
    now: chrono::DateTime<chrono::Utc>,
    nonce: &str,
) -> BTreeMap<String, String> {
    let mut params = call.params.clone();
    let common = [
        ("Action", call.action.as_str()),
        ("Version", call.version.as_str()),
        ("Format", "JSON"),
        ("AccessKeyId", credentials.access_key_id.as_str()),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce),
    ];
    for (name, value) in common {
        params.insert(name.to_owned(), value.to_owned());
    }
    params.insert("Timestamp".to_owned(), timestamp(now));
    if let Some(token) = credentials.security_token() {
        params.insert("SecurityToken".to_owned(), token.to_owned());
    }
    let signature = v1_signature(credentials.secret(), &string_to_sign(method, &params));
    params.insert("Signature".to_owned(), signature);
    params
}

/// The query string (or form body) of a signed parameter set.
pub fn encode_params(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// ACS3-HMAC-SHA256: the parts of a request that its signature covers.
#[derive(Debug, Clone)]
pub struct Acs3Request<'a> {
    pub method: &'a str,
    /// The path as sent (already encoded), `/` for RPC calls.
    pub path: &'a str,
    /// Query parameters, decoded.
    pub query: &'a BTreeMap<String, String>,
    /// Headers named in `SignedHeaders`, lowercase names, values as sent.
    pub signed_headers: &'a BTreeMap<String, String>,
    /// Hex SHA-256 of the body (the `x-acs-content-sha256` header).
    pub hashed_payload: &'a str,
}

/// hex(SHA-256(body)), the `x-acs-content-sha256` of a body.
pub fn sha256_hex(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// The ACS3 canonical request: method, path, sorted encoded query, `name:value` lines of the
/// signed headers, their names joined by `;`, and the payload hash.
pub fn acs3_canonical_request(req: &Acs3Request<'_>) -> String {
    let query = req
        .query
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let headers: String = req
        .signed_headers
        .iter()
        .map(|(name, value)| format!("{name}:{}\n", value.trim()))
        .collect();
    let names = req
        .signed_headers
        .keys()
        .cloned()
        .collect::<Vec<_>>()
        .join(";");
    format!(
        "{}\n{}\n{query}\n{headers}\n{names}\n{}",
        req.method.to_ascii_uppercase(),
        req.path,
        req.hashed_payload
    )
}

/// hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonical request)))).
pub fn acs3_signature(secret: &str, req: &Acs3Request<'_>) -> String {
    let string_to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        sha256_hex(acs3_canonical_request(req).as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The KMS API reference's CreateKey example; its page prints another value computed
    /// over a wrongly escaped string, the signed URL on the same page carries this one.
    #[test]
    fn v1_vector_kms_create_key() {
        let params = map(&[
            ("Action", "CreateKey"),
            ("Format", "json"),
            ("Version", "2016-01-20"),
            ("AccessKeyId", "testid"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-03-28T03:13:08Z"),
        ]);
        let sts = string_to_sign("GET", &params);
        assert_eq!(
            sts,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DCreateKey%26Format%3Djson%26SignatureMethod%3DHMAC-SHA1%26SignatureVersion%3D1.0%26Timestamp%3D2016-03-28T03%253A13%253A08Z%26Version%3D2016-01-20"
        );
        assert_eq!(
            v1_signature("testsecret", &sts),
            "41wk2SSX1GJh7fwnc5eqOfiJPFg="
        );
    }

    #[test]
    fn encoding_follows_rfc3986() {
        assert_eq!(percent_encode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
    }

    #[test]
    fn sign_v1_adds_common_parameters_and_token() {
        let creds = Credentials::new("STS.id", "secret").with_security_token(Some("tok"));
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .expect("date")
            .to_utc();
        let call = RpcCall::new("DescribeKey", "2016-01-20").param("KeyId", "k1");
        let signed = sign_v1("POST", &call, &creds, now, "n-1");
        assert_eq!(signed["Timestamp"], "2026-01-02T03:04:05Z");
        assert_eq!(signed["SecurityToken"], "tok");
        assert_eq!(signed["SignatureNonce"], "n-1");
        assert_eq!(signed["Format"], "JSON");
        let expected = v1_signature("secret", &string_to_sign("POST", &signed));
        assert_eq!(signed["Signature"], expected);
        // Another nonce, another signature.
        let other = sign_v1("POST", &call, &creds, now, "n-2");
        assert_ne!(other["Signature"], signed["Signature"]);
    }

    #[test]
    fn parses_timestamps_and_acs3_authorization() {
        let t = parse_timestamp("2016-03-28T03:13:08Z").expect("V1 format");
        assert_eq!(timestamp(t), "2016-03-28T03:13:08Z");
        assert_eq!(parse_timestamp("2016-03-28T03:13:08.000Z"), Some(t));
        assert_eq!(parse_timestamp("28 Mar 2016"), None);
        let auth = parse_acs3_authorization(
            "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;x-acs-date,Signature=abc",
        )
        .expect("parses");
        assert_eq!(auth.access_key_id, "ak");
        assert_eq!(auth.signed_headers, ["host", "x-acs-date"]);
        assert_eq!(auth.signature, "abc");
        assert_eq!(
            parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=ak,Signature=abc"),
            None
        );
        assert_eq!(parse_acs3_authorization("OSS ak:sig"), None);
    }

    /// The OpenAPI V3 signature documentation's ECS RunInstances example.
    #[test]
    fn acs3_vector_ecs_run_instances() {
        let query = map(&[
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
            ("RegionId", "cn-shanghai"),
        ]);
        let empty = sha256_hex(b"");
        let headers = map(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-content-sha256", &empty),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-version", "2014-05-26"),
        ]);
        let req = Acs3Request {
            method: "POST",
            path: "/",
            query: &query,
            signed_headers: &headers,
            hashed_payload: &empty,
        };
        assert_eq!(
            acs3_signature("YourAccessKeySecret", &req),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }
}

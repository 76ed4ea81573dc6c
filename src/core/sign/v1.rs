//! Signature V1: `OSS <AccessKeyId>:<base64 HMAC-SHA1>`. Being withdrawn by OSS, kept as an
//! explicit fallback and because older SDKs still send it.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac as _};
use sha1::Sha1;

use super::credentials::Credentials;
use crate::core::request::{OssRequest, header_value};

/// Query parameters that are part of the V1 canonical resource (oss2's list). Others, such
/// as `prefix`, `marker` and `max-keys`, are not signed.
pub const SUB_RESOURCES: &[&str] = &[
    "acl",
    "append",
    "bucketInfo",
    "callback",
    "callback-var",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "inventory",
    "inventoryId",
    "lifecycle",
    "live",
    "location",
    "logging",
    "objectMeta",
    "partNumber",
    "policy",
    "position",
    "qos",
    "referer",
    "replication",
    "requestPayment",
    "resourceGroup",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "startTime",
    "stat",
    "status",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-process",
];

/// RFC 1123 date as OSS expects it in `Date` (and ali-oss in `x-oss-date`).
pub fn format_http_date(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `/<bucket>/<key>?sub&sub=value`, with sub-resources sorted and unencoded.
pub fn canonical_resource(
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(String, String)],
) -> String {
    let mut out = super::canonical::resource_path(bucket, key);
    let mut subs: Vec<&(String, String)> = query
        .iter()
        .filter(|(n, _)| SUB_RESOURCES.contains(&n.as_str()))
        .collect();
    subs.sort();
    for (i, (name, value)) in subs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(name);
        if !value.is_empty() {
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

/// The V1 string to sign. The date line is `x-oss-date` when present, else `Date`.
pub fn string_to_sign(
    method: &str,
    headers: &[(String, String)],
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(String, String)],
) -> String {
    let get = |name| header_value(headers, name).unwrap_or_default().trim();
    let date = header_value(headers, "x-oss-date").unwrap_or_else(|| get("date"));
    let mut oss_headers: Vec<(String, &str)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim()))
        .filter(|(n, _)| n.starts_with("x-oss-"))
        .collect();
    oss_headers.sort();
    let canonical_headers: String = oss_headers
        .iter()
        .map(|(n, v)| format!("{n}:{v}\n"))
        .collect();
    format!(
        "{method}\n{}\n{}\n{}\n{canonical_headers}{}",
        get("content-md5"),
        get("content-type"),
        date.trim(),
        canonical_resource(bucket, key, query)
    )
}

pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Splits `OSS <id>:<signature>`.
pub fn parse_authorization(value: &str) -> Option<(&str, &str)> {
    let rest = value.trim().strip_prefix("OSS ")?;
    let (id, sig) = rest.rsplit_once(':')?;
    (!id.is_empty() && !sig.is_empty()).then_some((id.trim(), sig.trim()))
}

/// Signs in place: sets `Date`, the STS token if any, and `Authorization`.
pub fn sign(req: &mut OssRequest, credentials: &Credentials, now: DateTime<Utc>) {
    req.set_header("date", &format_http_date(now));
    if let Some(token) = credentials.security_token() {
        req.set_header("x-oss-security-token", token);
    }
    let to_sign = string_to_sign(
        req.method.as_str(),
        &req.headers,
        req.bucket.as_deref(),
        req.key.as_deref(),
        &req.query,
    );
    let value = format!(
        "OSS {}:{}",
        credentials.access_key_id,
        signature(credentials.secret(), &to_sign)
    );
    req.set_header("authorization", &value);
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::{canonical_resource, parse_authorization, sign, signature, string_to_sign};
    use crate::core::request::{Method, OssRequest, pairs};
    use crate::core::sign::Credentials;

    const DATE: &str = "Wed, 28 Dec 2022 10:27:41 GMT";

    #[test]
    fn v1_a_put_object() {
        let headers = pairs(&[
            ("Content-MD5", "eB5eJF1ptWaXm4bijSPyxw=="),
            ("Content-Type", "text/html"),
            ("x-oss-meta-author", "alice"),
            ("x-oss-meta-magic", "abracadabra"),
            ("x-oss-date", DATE),
        ]);
        let to_sign = string_to_sign("PUT", &headers, Some("examplebucket"), Some("nelson"), &[]);
        assert_eq!(
            to_sign,
            "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson"
        );
        assert_eq!(signature("sk", &to_sign), "kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
        let acl = pairs(&[("acl", "")]);
        let to_sign = string_to_sign("PUT", &headers, Some("examplebucket"), Some("nelson"), &acl);
        assert_eq!(signature("sk", &to_sign), "/afkugFbmWDQ967j1vr6zygBLQk=");
    }

    #[test]
    fn v1_c_only_sub_resources_are_signed() {
        let headers = pairs(&[("x-oss-date", DATE)]);
        let query = pairs(&[("resourceGroup", ""), ("non-resousce", "null")]);
        assert_eq!(
            canonical_resource(Some("examplebucket"), None, &query),
            "/examplebucket/?resourceGroup"
        );
        let to_sign = string_to_sign("GET", &headers, Some("examplebucket"), None, &query);
        assert_eq!(signature("sk", &to_sign), "vkQmfuUDyi1uDi3bKt67oemssIs=");
    }

    fn e_time() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 15, 8, 30, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn v1_e_get_bucket_encryption() {
        let mut req =
            OssRequest::new(Method::Get, Some("examplebucket")).with_query("encryption", "");
        sign(
            &mut req,
            &Credentials::new("ossguard-ak", "ossguard-sk-secret"),
            e_time(),
        );
        assert_eq!(req.header("date"), Some("Wed, 15 Jan 2025 08:30:00 GMT"));
        assert_eq!(
            req.header("authorization"),
            Some("OSS ossguard-ak:MlmSgJ+XpEi7QOZLPKM3811VAOQ=")
        );
    }

    #[test]
    fn v1_f_bucket_info_with_sts() {
        let mut req =
            OssRequest::new(Method::Get, Some("examplebucket")).with_query("bucketInfo", "");
        let creds = Credentials::new("ossguard-ak", "ossguard-sk-secret")
            .with_security_token(Some("sts-token-example"));
        sign(&mut req, &creds, e_time());
        assert_eq!(
            req.header("authorization"),
            Some("OSS ossguard-ak:76FccvE/CkC5er2yVvxJ0MqG8hs=")
        );
    }

    #[test]
    fn v1_g_x_oss_date_wins_over_date() {
        let headers = pairs(&[("x-oss-date", "Wed, 15 Jan 2025 08:30:00 GMT")]);
        let query = pairs(&[("encryption", "")]);
        let to_sign = string_to_sign("GET", &headers, Some("examplebucket"), None, &query);
        assert_eq!(
            signature("ossguard-sk-secret", &to_sign),
            "DNyjEbLHRtVhfmN9wgBUA30sgD8="
        );
    }

    #[test]
    fn parses_v1_authorization() {
        assert_eq!(parse_authorization("OSS ak:abc="), Some(("ak", "abc=")));
        assert_eq!(parse_authorization("OSS :abc"), None);
        assert_eq!(parse_authorization("OSS4-HMAC-SHA256 x"), None);
    }
}

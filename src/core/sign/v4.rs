//! Signature V4: `OSS4-HMAC-SHA256`, scoped to a date and a region.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac as _};
use sha2::{Digest as _, Sha256};

use super::canonical::{encode_component, encode_path, is_signed_by_default, resource_path};
use super::credentials::Credentials;
use crate::core::request::{OssRequest, header_value};

pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
/// The only payload hash OSS accepts.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const TERMINATOR: &str = "aliyun_v4_request";

/// The parts of a request that V4 signs.
#[derive(Debug, Clone, Copy)]
pub struct SignedParts<'a> {
    pub method: &'a str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    pub query: &'a [(String, String)],
    pub headers: &'a [(String, String)],
    /// Lower-case names of extra headers to sign (`AdditionalHeaders`), sorted.
    pub additional_headers: &'a [String],
}

/// `yyyymmddTHHMMSSZ`, the `x-oss-date` format.
pub fn format_datetime(time: DateTime<Utc>) -> String {
    time.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Parses an `x-oss-date` value.
pub fn parse_datetime(value: &str) -> Option<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}

pub fn canonical_uri(bucket: Option<&str>, key: Option<&str>) -> String {
    encode_path(&resource_path(bucket, key))
}

/// Every query parameter, encoded, sorted by encoded name; empty values as bare names.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(n, v)| (encode_component(n), encode_component(v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(n, v)| {
            if v.is_empty() {
                n.clone()
            } else {
                format!("{n}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical header block: `x-oss-*`, `content-type`, `content-md5` and the additional
/// headers, lower-case, trimmed, sorted, one `name:value\n` each.
pub fn canonical_headers(headers: &[(String, String)], additional: &[String]) -> String {
    let mut picked: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if !(is_signed_by_default(&lower) || additional.contains(&lower)) {
            continue;
        }
        let value = value.trim();
        match picked.iter_mut().find(|(n, _)| *n == lower) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            None => picked.push((lower, value.to_owned())),
        }
    }
    picked.sort();
    picked.iter().map(|(n, v)| format!("{n}:{v}\n")).collect()
}

pub fn canonical_request(parts: &SignedParts<'_>) -> String {
    let payload = header_value(parts.headers, "x-oss-content-sha256").unwrap_or(UNSIGNED_PAYLOAD);
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        parts.method,
        canonical_uri(parts.bucket, parts.key),
        canonical_query(parts.query),
        canonical_headers(parts.headers, parts.additional_headers),
        parts.additional_headers.join(";"),
        payload
    )
}

/// `yyyymmdd/<region>/oss/aliyun_v4_request`.
pub fn scope(date: &str, region: &str) -> String {
    format!("{date}/{region}/oss/{TERMINATOR}")
}

pub fn string_to_sign(datetime: &str, scope: &str, canonical_request: &str) -> String {
    let hash = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{datetime}\n{scope}\n{hash}")
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The derived signing key for one day and region.
pub fn signing_key(secret: &str, date: &str, region: &str) -> Vec<u8> {
    let k0 = zeroize::Zeroizing::new(format!("aliyun_v4{secret}"));
    let k_date = hmac_sha256(k0.as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_product = hmac_sha256(&k_region, b"oss");
    hmac_sha256(&k_product, TERMINATOR.as_bytes())
}

/// Lower-case hex HMAC-SHA256 of the string to sign.
pub fn signature(secret: &str, date: &str, region: &str, string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(
        &signing_key(secret, date, region),
        string_to_sign.as_bytes(),
    ))
}

/// A parsed `Authorization: OSS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub additional_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    /// The header value in the v2 SDKs' spelling (no spaces, `AdditionalHeaders` first).
    pub fn to_header(&self) -> String {
        let mut out = format!(
            "{ALGORITHM} Credential={}/{}",
            self.access_key_id,
            scope(&self.date, &self.region)
        );
        if !self.additional_headers.is_empty() {
            out.push_str(",AdditionalHeaders=");
            out.push_str(&self.additional_headers.join(";"));
        }
        out.push_str(",Signature=");
        out.push_str(&self.signature);
        out
    }
}

/// Why a V4 `Authorization` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationError {
    #[error("the Authorization header is not OSS4-HMAC-SHA256")]
    NotV4,
    #[error("the Credential field is missing or malformed")]
    Credential,
    #[error("the Signature field is missing")]
    Signature,
    #[error("AdditionalHeaders is empty or has an empty element")]
    AdditionalHeaders,
}

/// Parses both spellings: `, ` separators with `AdditionalHeaders` after `Signature` (oss2)
/// and no spaces with it before (v2 SDKs, ali-oss).
pub fn parse_authorization(value: &str) -> Result<Authorization, AuthorizationError> {
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .ok_or(AuthorizationError::NotV4)?;
    let (mut credential, mut additional, mut signature) = (None, None, None);
    for field in rest.split(',') {
        let Some((name, val)) = field.trim().split_once('=') else {
            continue;
        };
        match name.trim() {
            "Credential" => credential = Some(val.trim()),
            "AdditionalHeaders" => additional = Some(val.trim()),
            "Signature" => signature = Some(val.trim()),
            _ => {}
        }
    }
    let credential = credential.ok_or(AuthorizationError::Credential)?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, "oss", TERMINATOR] = parts.as_slice() else {
        return Err(AuthorizationError::Credential);
    };
    if access_key_id.is_empty() || date.len() != 8 || region.is_empty() {
        return Err(AuthorizationError::Credential);
    }
    let additional_headers = match additional {
        None => Vec::new(),
        Some(list) => {
            let names: Vec<String> = list.split(';').map(str::to_ascii_lowercase).collect();
            if names.iter().any(String::is_empty) {
                return Err(AuthorizationError::AdditionalHeaders);
            }
            names
        }
    };
    Ok(Authorization {
        access_key_id: (*access_key_id).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        additional_headers,
        signature: signature
            .filter(|s| !s.is_empty())
            .ok_or(AuthorizationError::Signature)?
            .to_owned(),
    })
}

/// Signs in place: sets `x-oss-date`, `x-oss-content-sha256`, the STS token if any, and
/// `Authorization`. Signs no additional headers, so proxies may rewrite `Host`.
pub fn sign(req: &mut OssRequest, credentials: &Credentials, region: &str, now: DateTime<Utc>) {
    let datetime = format_datetime(now);
    req.set_header("x-oss-date", &datetime);
    req.set_header("x-oss-content-sha256", UNSIGNED_PAYLOAD);
    if let Some(token) = credentials.security_token() {
        req.set_header("x-oss-security-token", token);
    }
    let parts = SignedParts {
        method: req.method.as_str(),
        bucket: req.bucket.as_deref(),
        key: req.key.as_deref(),
        query: &req.query,
        headers: &req.headers,
        additional_headers: &[],
    };
    let date = &datetime[..8];
    let to_sign = string_to_sign(&datetime, &scope(date, region), &canonical_request(&parts));
    let auth = Authorization {
        access_key_id: credentials.access_key_id.clone(),
        date: date.to_owned(),
        region: region.to_owned(),
        additional_headers: Vec::new(),
        signature: signature(credentials.secret(), date, region, &to_sign),
    };
    req.set_header("authorization", &auth.to_header());
}

#[cfg(test)]
mod tests;

//! Signature verification exactly as OSS does it, reusing the client's canonicalisation
//! ([`crate::core::sign`]): the server recomputes the string to sign from what it received
//! (method, resolved bucket and key, decoded query, headers) and compares in constant time.
//!
//! Order of checks (each failure is the OSS error named): Authorization present (AccessDenied)
//! -> parseable (InvalidArgument) -> AccessKey known (InvalidAccessKeyId) -> STS token
//! (missing: InvalidAccessKeyId; wrong: InvalidSecurityToken; expired: SecurityTokenExpired)
//! -> date present and parseable (AccessDenied "OSS authentication requires a valid Date.",
//! EC 0002-00000505) -> within 15 minutes of the server clock (RequestTimeTooSkewed) -> V4
//! only: scope date, scope region = this port's region, `x-oss-content-sha256`
//! (InvalidArgument) -> signature (SignatureDoesNotMatch).

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::errors::OssError;
use super::routes::RequestCtx;
use super::sts_state::StsState;
use crate::core::request::header_value;
use crate::core::sign::{v1, v4};

/// OSS's limit on the distance between the request time and the server clock.
const MAX_SKEW_MS: i64 = 900_000;

/// The credentials the server accepts: its own key (and `STS.<key>` with a configured
/// token), and the temporary credentials its STS issued.
pub(crate) struct Keys {
    access_key_id: String,
    secret: Zeroizing<String>,
    sts_token: Option<Zeroizing<String>>,
    sts_expires_at: Option<DateTime<Utc>>,
    /// Roles and the credentials AssumeRole issued.
    pub sts: StsState,
}

impl Keys {
    pub fn new(
        access_key_id: &str,
        secret: &str,
        sts_token: Option<&str>,
        sts_expires_at: Option<DateTime<Utc>>,
        sts: StsState,
    ) -> Self {
        Self {
            sts,
            access_key_id: access_key_id.trim().to_owned(),
            secret: Zeroizing::new(secret.trim().to_owned()),
            sts_token: sts_token
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| Zeroizing::new(t.to_owned())),
            sts_expires_at,
        }
    }

    /// The secret that signs for `id`: the long-term key, credentials STS issued (with their
    /// token, until they expire), or `STS.<key>` with the configured, unexpired `token`. One
    /// lookup for OSS and the RPC services (KMS, STS), so temporary credentials work the same
    /// everywhere.
    pub fn secret_for(
        &self,
        id: &str,
        token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Zeroizing<String>, KeyRefusal> {
        if id == self.access_key_id {
            return Ok(self.secret.clone());
        }
        let sent = token.map(str::trim).unwrap_or_default();
        if let Some(checked) = self.sts.with_issued(id, |issued| {
            if sent.is_empty() {
                Err(KeyRefusal::MissingToken)
            } else if !constant_time_eq(sent.as_bytes(), issued.token.as_bytes()) {
                Err(KeyRefusal::WrongToken)
            } else if now > issued.expiration {
                Err(KeyRefusal::Expired)
            } else {
                Ok(issued.secret.clone())
            }
        }) {
            return checked;
        }
        let sts_id = id
            .strip_prefix("STS.")
            .is_some_and(|rest| rest == self.access_key_id);
        let Some(expected) = self.sts_token.as_ref().filter(|_| sts_id) else {
            return Err(KeyRefusal::Unknown);
        };
        if sent.is_empty() {
            return Err(KeyRefusal::MissingToken);
        }
        if !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
            return Err(KeyRefusal::WrongToken);
        }
        if self.sts_expires_at.is_some_and(|at| now > at) {
            return Err(KeyRefusal::Expired);
        }
        Ok(self.secret.clone())
    }
}

/// Why [`Keys::secret_for`] refused an AccessKey ID; each service names it its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyRefusal {
    Unknown,
    /// An STS AccessKey ID without its token.
    MissingToken,
    WrongToken,
    Expired,
}

pub(crate) fn verify(keys: &Keys, ctx: &RequestCtx) -> Result<(), OssError> {
    let Some(authorization) = ctx.header("authorization") else {
        return Err(OssError::access_denied(
            "0003-00000001",
            "AccessDenied: Anonymous access is forbidden for this operation.",
        ));
    };
    if authorization.trim_start().starts_with(v4::ALGORITHM) {
        verify_v4(keys, ctx, authorization)
    } else if let Some((id, signature)) = v1::parse_authorization(authorization) {
        verify_v1(keys, ctx, id, signature)
    } else {
        Err(OssError::invalid_argument(
            "0002-00000001",
            "Authorization header is invalid.",
        ))
    }
}

fn verify_v1(keys: &Keys, ctx: &RequestCtx, id: &str, provided: &str) -> Result<(), OssError> {
    let secret = check_access_key(keys, ctx, id)?;
    // ali-oss V1 sends only x-oss-date (RFC 1123); oss2 sends Date.
    let date = ctx.header("x-oss-date").or_else(|| ctx.header("date"));
    let time = date.and_then(v1::parse_http_date).ok_or_else(bad_date)?;
    check_time(ctx, date.unwrap_or_default(), time)?;
    let to_sign = v1::string_to_sign(
        ctx.method.as_str(),
        &ctx.headers,
        ctx.bucket.as_deref(),
        ctx.key.as_deref(),
        &ctx.query,
    );
    let expected = v1::signature(&secret, &to_sign);
    if constant_time_eq(expected.as_bytes(), provided.as_bytes()) {
        return Ok(());
    }
    Err(signature_mismatch(
        "0002-00000040",
        id,
        provided,
        to_sign,
        None,
    ))
}

fn verify_v4(keys: &Keys, ctx: &RequestCtx, authorization: &str) -> Result<(), OssError> {
    let auth = v4::parse_authorization(authorization).map_err(|e| {
        let ec = match e {
            v4::AuthorizationError::AdditionalHeaders => "0002-00000209",
            _ => "0002-00000201",
        };
        OssError::invalid_argument(ec, &format!("Authorization header is invalid: {e}."))
    })?;
    let secret = check_access_key(keys, ctx, &auth.access_key_id)?;
    let date = ctx.header("x-oss-date").ok_or_else(bad_date)?;
    let time = v4::parse_datetime(date.trim()).ok_or_else(bad_date)?;
    check_time(ctx, date, time)?;
    if !date.trim().starts_with(&auth.date) {
        return Err(OssError::invalid_argument(
            "0002-00000226",
            "Invalid signing date in Authorization header: it must be the date of x-oss-date.",
        ));
    }
    if auth.region != ctx.region {
        return Err(OssError::invalid_argument(
            "0002-00000228",
            &format!(
                "Invalid signing region in Authorization header: {} (this endpoint serves {}).",
                auth.region, ctx.region
            ),
        ));
    }
    if ctx.header("x-oss-content-sha256").map(str::trim) != Some(v4::UNSIGNED_PAYLOAD) {
        return Err(OssError::invalid_argument(
            "0002-00000214",
            "x-oss-content-sha256 must be UNSIGNED-PAYLOAD.",
        ));
    }
    let mut additional = auth.additional_headers.clone();
    additional.sort();
    additional.dedup();
    let parts = v4::SignedParts {
        method: ctx.method.as_str(),
        bucket: ctx.bucket.as_deref(),
        key: ctx.key.as_deref(),
        query: &ctx.query,
        headers: &ctx.headers,
        additional_headers: &additional,
    };
    let canonical = v4::canonical_request(&parts);
    let to_sign = v4::string_to_sign(
        date.trim(),
        &v4::scope(&auth.date, &auth.region),
        &canonical,
    );
    let expected = v4::signature(&secret, &auth.date, &auth.region, &to_sign);
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Ok(());
    }
    Err(signature_mismatch(
        "0002-00000227",
        &auth.access_key_id,
        &auth.signature,
        to_sign,
        Some(canonical),
    ))
}

/// The long-term key, or (when STS is configured) `STS.<key>` with the right, unexpired token;
/// returns the secret to verify with.
fn check_access_key(
    keys: &Keys,
    ctx: &RequestCtx,
    id: &str,
) -> Result<Zeroizing<String>, OssError> {
    let sent = header_value(&ctx.headers, "x-oss-security-token");
    keys.secret_for(id, sent, ctx.now)
        .map_err(|refusal| match refusal {
            // An STS AccessKey sent without its token is unknown to OSS; a token that does not
            // match is an invalid token.
            KeyRefusal::Unknown | KeyRefusal::MissingToken => OssError::new(
                axum::http::StatusCode::FORBIDDEN,
                "InvalidAccessKeyId",
                "0002-00000902",
                "The OSS Access Key Id you provided does not exist in our records.",
            )
            .with(|d| d.oss_access_key_id = Some(id.to_owned())),
            KeyRefusal::WrongToken => OssError::new(
                axum::http::StatusCode::FORBIDDEN,
                "InvalidSecurityToken",
                "0002-00000006",
                "The security token you provided is invalid.",
            ),
            KeyRefusal::Expired => OssError::new(
                axum::http::StatusCode::FORBIDDEN,
                "SecurityTokenExpired",
                "0002-00000007",
                "The security token you provided has expired.",
            ),
        })
}

fn bad_date() -> OssError {
    OssError::access_denied("0002-00000505", "OSS authentication requires a valid Date.")
}

fn check_time(ctx: &RequestCtx, sent: &str, time: DateTime<Utc>) -> Result<(), OssError> {
    let skew = (time - ctx.now).num_milliseconds().abs();
    if skew <= MAX_SKEW_MS {
        return Ok(());
    }
    Err(OssError::new(
        axum::http::StatusCode::FORBIDDEN,
        "RequestTimeTooSkewed",
        "0002-00000504",
        "The difference between the request time and the current time is too large.",
    )
    .with(|d| {
        d.request_time = Some(sent.trim().to_owned());
        d.server_time = Some(ctx.now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
        d.max_allowed_skew_milliseconds = Some(MAX_SKEW_MS.to_string());
    }))
}

fn signature_mismatch(
    ec: &str,
    id: &str,
    provided: &str,
    string_to_sign: String,
    canonical_request: Option<String>,
) -> OssError {
    OssError::new(
        axum::http::StatusCode::FORBIDDEN,
        "SignatureDoesNotMatch",
        ec,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    )
    .with(|d| {
        d.oss_access_key_id = Some(id.to_owned());
        d.signature_provided = Some(provided.to_owned());
        d.string_to_sign = Some(string_to_sign);
        d.canonical_request = canonical_request;
    })
}

/// Compares without an early exit, so the time taken does not reveal how much matched.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}

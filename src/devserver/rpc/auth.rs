//! RPC signature verification as the services do it, reusing the client's canonicalisation
//! ([`crate::core::sign::rpc`]): signature V1 (parameters) and ACS3-HMAC-SHA256 (headers).
//!
//! Order of checks: Action/Version present (MissingParameter) -> signature parts present
//! (IncompleteSignature) -> AccessKey known (InvalidAccessKeyId.NotFound; STS token:
//! InvalidSecurityToken.*) -> timestamp readable (InvalidTimeStamp.Format) and within 15
//! minutes (InvalidTimeStamp.Expired) -> signature (SignatureDoesNotMatch) -> nonce unused
//! (SignatureNonceUsed). A nonce is recorded only once the signature is right, so nobody can
//! burn another caller's nonces.

use std::collections::BTreeMap;

use axum::http::StatusCode;

use super::{NonceCache, RpcFault, RpcInput, RpcRequest};
use crate::core::sign::rpc::{
    ACS3_ALGORITHM, Acs3Request, acs3_signature, parse_acs3_authorization, parse_timestamp,
    sha256_hex, string_to_sign, v1_signature,
};
use crate::devserver::auth::{KeyRefusal, Keys, constant_time_eq};

/// The services' limit on the distance between the request time and the server clock.
pub(super) const MAX_SKEW_MS: i64 = 900_000;

/// Headers an ACS3 signature must cover, or the request could be altered or replayed.
const ACS3_REQUIRED: [&str; 5] = [
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
];

pub(super) fn verify(
    keys: &Keys,
    nonces: &NonceCache,
    input: &RpcInput,
    params: BTreeMap<String, String>,
) -> Result<RpcRequest, RpcFault> {
    match input.header("authorization") {
        Some(auth) if auth.trim_start().starts_with(ACS3_ALGORITHM) => {
            verify_acs3(keys, nonces, input, params, auth)
        }
        _ => verify_v1(keys, nonces, input, params),
    }
}

fn verify_v1(
    keys: &Keys,
    nonces: &NonceCache,
    input: &RpcInput,
    params: BTreeMap<String, String>,
) -> Result<RpcRequest, RpcFault> {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let action = get("Action").ok_or_else(|| RpcFault::missing_parameter("Action"))?;
    let version = get("Version").ok_or_else(|| RpcFault::missing_parameter("Version"))?;
    let part = |name: &str| get(name).ok_or_else(|| incomplete(name));
    let provided = part("Signature")?;
    let id = part("AccessKeyId")?;
    let nonce = part("SignatureNonce")?;
    let stamp = part("Timestamp")?;
    if part("SignatureMethod")? != "HMAC-SHA1" || get("SignatureVersion") != Some("1.0") {
        return Err(RpcFault::bad_request(
            "IncompleteSignature",
            "SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0.",
        ));
    }
    let secret = secret_for(keys, id, get("SecurityToken"), input)?;
    check_time(stamp, input)?;
    let to_sign = string_to_sign(input.method.as_str(), &params);
    let expected = v1_signature(&secret, &to_sign);
    if !constant_time_eq(expected.as_bytes(), provided.as_bytes()) {
        return Err(mismatch(&to_sign));
    }
    let request = RpcRequest {
        action: action.to_owned(),
        version: version.to_owned(),
        access_key_id: id.to_owned(),
        now: input.now,
        params: BTreeMap::new(),
    };
    check_nonce(nonces, id, nonce, input)?;
    Ok(RpcRequest { params, ..request })
}

fn verify_acs3(
    keys: &Keys,
    nonces: &NonceCache,
    input: &RpcInput,
    params: BTreeMap<String, String>,
    authorization: &str,
) -> Result<RpcRequest, RpcFault> {
    let auth = parse_acs3_authorization(authorization).ok_or_else(|| {
        RpcFault::bad_request(
            "IncompleteSignature",
            "The Authorization header is not a valid ACS3-HMAC-SHA256 header.",
        )
    })?;
    let header = |name: &str| input.header(name).map(str::trim).filter(|v| !v.is_empty());
    let action = header("x-acs-action").ok_or_else(|| RpcFault::missing_parameter("Action"))?;
    let version = header("x-acs-version").ok_or_else(|| RpcFault::missing_parameter("Version"))?;
    if let Some(name) = ACS3_REQUIRED
        .iter()
        .find(|name| !auth.signed_headers.iter().any(|h| h == *name) || header(name).is_none())
    {
        return Err(incomplete(name));
    }
    let date = header("x-acs-date").unwrap_or_default();
    let nonce = header("x-acs-signature-nonce").unwrap_or_default();
    let hashed = header("x-acs-content-sha256").unwrap_or_default();
    let secret = secret_for(
        keys,
        &auth.access_key_id,
        header("x-acs-security-token"),
        input,
    )?;
    check_time(date, input)?;
    if !hashed.eq_ignore_ascii_case(&sha256_hex(&input.body)) {
        return Err(RpcFault::bad_request(
            "SignatureDoesNotMatch",
            "x-acs-content-sha256 does not match the request body.",
        ));
    }
    let mut signed_headers = BTreeMap::new();
    for name in &auth.signed_headers {
        let value = input.header(name).ok_or_else(|| incomplete(name))?;
        signed_headers.insert(name.clone(), value.to_owned());
    }
    let query: BTreeMap<String, String> = input.query.iter().cloned().collect();
    let request = Acs3Request {
        method: input.method.as_str(),
        path: &input.path,
        query: &query,
        signed_headers: &signed_headers,
        hashed_payload: hashed,
    };
    let expected = acs3_signature(&secret, &request);
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(mismatch(&crate::core::sign::rpc::acs3_canonical_request(
            &request,
        )));
    }
    check_nonce(nonces, &auth.access_key_id, nonce, input)?;
    Ok(RpcRequest {
        action: action.to_owned(),
        version: version.to_owned(),
        params,
        access_key_id: auth.access_key_id.clone(),
        now: input.now,
    })
}

fn secret_for(
    keys: &Keys,
    id: &str,
    token: Option<&str>,
    input: &RpcInput,
) -> Result<zeroize::Zeroizing<String>, RpcFault> {
    keys.secret_for(id, token, input.now)
        .map_err(|refusal| match refusal {
            KeyRefusal::Unknown | KeyRefusal::MissingToken => RpcFault::new(
                StatusCode::NOT_FOUND,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ),
            KeyRefusal::WrongToken => RpcFault::bad_request(
                "InvalidSecurityToken.MismatchWithAccessKey",
                "Specified SecurityToken mismatch with the AccessKey.",
            ),
            KeyRefusal::Expired => RpcFault::bad_request(
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            ),
        })
}

fn check_time(stamp: &str, input: &RpcInput) -> Result<(), RpcFault> {
    let time = parse_timestamp(stamp).ok_or_else(|| {
        RpcFault::bad_request(
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        )
    })?;
    if (time - input.now).num_milliseconds().abs() > MAX_SKEW_MS {
        return Err(RpcFault::bad_request(
            "InvalidTimeStamp.Expired",
            format!(
                "Specified time stamp or date value is expired. Server time: {}",
                crate::core::sign::rpc::timestamp(input.now)
            ),
        ));
    }
    Ok(())
}

fn check_nonce(
    nonces: &NonceCache,
    id: &str,
    nonce: &str,
    input: &RpcInput,
) -> Result<(), RpcFault> {
    if nonces.insert(id, nonce, input.now) {
        Ok(())
    } else {
        Err(RpcFault::bad_request(
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ))
    }
}

fn incomplete(part: &str) -> RpcFault {
    RpcFault::bad_request(
        "IncompleteSignature",
        format!("The request signature does not conform to Aliyun standards: {part} is missing."),
    )
}

/// Like the services, the message carries the server's string to sign, which tells a client
/// author what differs.
fn mismatch(server_string_to_sign: &str) -> RpcFault {
    RpcFault::bad_request(
        "SignatureDoesNotMatch",
        format!(
            "Specified signature is not matched with our calculation. server string to sign is:{server_string_to_sign}"
        ),
    )
}

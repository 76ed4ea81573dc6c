//! RPC-style OpenAPI services (KMS, STS): which API a call belongs to, and the JSON error
//! document `{Code, Message, RequestId}` every such service answers with, plus its hint.
//!
//! Signing lives in [`crate::core::sign::rpc`]; the transport sends, the dev server answers.
//! Error codes and statuses: "Common error codes" of the Alibaba Cloud OpenAPI documentation
//! and each product's API reference (KMS: Forbidden.KeyNotFound, Forbidden.KmsServiceNotEnabled).

use serde::{Deserialize, Serialize};

/// One RPC-style API: its RAM namespace and version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RpcApi {
    /// The product name shown to people, e.g. `KMS`.
    pub product: &'static str,
    /// The RAM action prefix, e.g. `kms` in `kms:DescribeKey`.
    pub ram_namespace: &'static str,
    pub version: &'static str,
}

/// Key Management Service, API version 2016-01-20.
pub const KMS: RpcApi = RpcApi {
    product: "KMS",
    ram_namespace: "kms",
    version: "2016-01-20",
};

/// Security Token Service, API version 2015-04-01.
pub const STS: RpcApi = RpcApi {
    product: "STS",
    ram_namespace: "sts",
    version: super::sts::VERSION,
};

impl RpcApi {
    /// The RAM action a call needs, e.g. `kms:ListKeys`.
    pub fn ram_action(&self, action: &str) -> String {
        format!("{}:{action}", self.ram_namespace)
    }

    /// A call of this API with no parameters yet.
    pub fn call(&self, action: &str) -> super::sign::rpc::RpcCall {
        super::sign::rpc::RpcCall::new(action, self.version)
    }
}

/// The JSON error body of an RPC service. `Code` is what decisions are made on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RpcErrorDoc {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommend: Option<String>,
}

/// Why a body is not an RPC error document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcParseError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("JSON without a Code")]
    NoCode,
}

/// Reads an error body; anything but a JSON object with a non-empty `Code` is refused (a
/// proxy's HTML page, an empty body, an OSS XML error).
pub fn parse_error(body: &str) -> Result<RpcErrorDoc, RpcParseError> {
    let doc: RpcErrorDoc =
        serde_json::from_str(body).map_err(|e| RpcParseError::NotJson(e.to_string()))?;
    if doc.code.trim().is_empty() {
        return Err(RpcParseError::NoCode);
    }
    Ok(doc)
}

/// What the user can do about `doc`, in plain words, for a call of `action` on `api`.
pub fn error_hint(api: &RpcApi, action: &str, doc: &RpcErrorDoc) -> String {
    let product = api.product;
    let code = doc.code.as_str();
    match code {
        "Forbidden.NoPermission" | "Forbidden.RAM" | "NoPermission" | "Forbidden" => format!(
            "Permission denied: the RAM policy must allow {}.",
            api.ram_action(action)
        ),
        "Forbidden.KmsServiceNotEnabled" => {
            "KMS is not activated in this region: activate it in the KMS console.".into()
        }
        "Forbidden.KeyNotFound" => {
            "The key does not exist in this region: check the key ID and the bucket's region."
                .into()
        }
        "SignatureDoesNotMatch" | "IncompleteSignature" => {
            format!("{product} rejected the signature: check the AccessKey secret.")
        }
        "InvalidAccessKeyId.NotFound" | "InvalidAccessKeyId" | "InvalidAccessKeyId.Inactive" => {
            "AccessKey ID not found or disabled: check the key (and the STS token).".into()
        }
        "InvalidTimeStamp.Expired" | "InvalidTimeStamp.Format" => {
            "Your clock is off by more than 15 min; fix the system time.".into()
        }
        "SignatureNonceUsed" => "The request was replayed or its nonce reused; try again.".into(),
        "InvalidSecurityToken.Expired" => {
            "Temporary credentials expired: refresh the STS token.".into()
        }
        _ if code.starts_with("InvalidSecurityToken") => {
            "STS token invalid: check the token.".into()
        }
        _ if code.starts_with("Throttling") => {
            format!("{product} is throttling requests; try again later.")
        }
        "ServiceUnavailable" | "InternalError" | "UnknownError" => {
            format!("{product} is busy or failing; try again later.")
        }
        _ => format!("{product} refused {action}: {}", doc.message),
    }
}

#[cfg(test)]
mod tests {
    use super::{KMS, RpcErrorDoc, RpcParseError, error_hint, parse_error};

    #[test]
    fn parses_the_json_error_document() {
        let doc = parse_error(
            r#"{"RequestId":"R-1","HostId":"kms.cn-hangzhou.aliyuncs.com","Code":"Forbidden.KeyNotFound","Message":"The specified Key is not found.","Recommend":"https://x"}"#,
        )
        .expect("parses");
        assert_eq!(doc.code, "Forbidden.KeyNotFound");
        assert_eq!(doc.message, "The specified Key is not found.");
        assert_eq!(doc.request_id, "R-1");
        assert_eq!(doc.host_id.as_deref(), Some("kms.cn-hangzhou.aliyuncs.com"));
        // Not an RPC error: HTML, empty, JSON without Code, OSS XML.
        assert!(matches!(
            parse_error("<html>502</html>"),
            Err(RpcParseError::NotJson(_))
        ));
        assert!(parse_error("").is_err());
        assert_eq!(parse_error(r#"{"Code":""}"#), Err(RpcParseError::NoCode));
        assert_eq!(parse_error(r#"{"Keys":{}}"#), Err(RpcParseError::NoCode));
        assert!(parse_error("<Error><Code>AccessDenied</Code></Error>").is_err());
    }

    #[test]
    fn hints_name_the_ram_action_and_the_fix() {
        let doc = |code: &str| RpcErrorDoc {
            code: code.into(),
            message: "msg".into(),
            ..Default::default()
        };
        for code in ["Forbidden.NoPermission", "Forbidden.RAM"] {
            assert!(error_hint(&KMS, "DescribeKey", &doc(code)).contains("kms:DescribeKey"));
            assert!(error_hint(&KMS, "ListKeys", &doc(code)).contains("kms:ListKeys"));
            assert!(error_hint(&KMS, "ListAliases", &doc(code)).contains("kms:ListAliases"));
        }
        assert!(
            error_hint(&KMS, "ListKeys", &doc("Forbidden.KmsServiceNotEnabled"))
                .contains("not activated in this region")
        );
        assert!(
            error_hint(&KMS, "DescribeKey", &doc("Forbidden.KeyNotFound"))
                .contains("does not exist in this region")
        );
        assert!(error_hint(&KMS, "ListKeys", &doc("SignatureDoesNotMatch")).contains("secret"));
        assert!(error_hint(&KMS, "ListKeys", &doc("InvalidTimeStamp.Expired")).contains("clock"));
        assert_eq!(
            error_hint(&KMS, "ListKeys", &doc("Odd")),
            "KMS refused ListKeys: msg"
        );
    }
}

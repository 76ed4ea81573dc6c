//! Request signing: OSS V4 (`OSS4-HMAC-SHA256`, the default) and V1 (HMAC-SHA1), and the RPC
//! signatures of the KMS and STS APIs (`rpc`).
//!
//! Every function takes the time as an argument, so the official vectors pin it. The dev
//! server verifies with the same canonicalisation; the SDK interop tests guard against a
//! bug shared by both sides.
pub mod canonical;
pub mod credentials;
pub mod rpc;
pub mod v1;
pub mod v4;

pub use credentials::Credentials;

/// Which signature algorithm a profile uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureVersion {
    V1,
    #[default]
    V4,
}

impl SignatureVersion {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "v1" | "1" => Some(Self::V1),
            "v4" | "4" => Some(Self::V4),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V4 => "v4",
        }
    }
}

/// Signs `req` in place with the chosen version: adds the date header, the security token
/// when the credentials carry one, and `Authorization`.
pub fn sign(
    req: &mut crate::core::request::OssRequest,
    version: SignatureVersion,
    credentials: &Credentials,
    region: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    match version {
        SignatureVersion::V4 => v4::sign(req, credentials, region, now),
        SignatureVersion::V1 => v1::sign(req, credentials, now),
    }
}

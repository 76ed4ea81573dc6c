//! The bucket default-encryption rule and what ossguard knows about a bucket's rule.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One bucket's default server-side encryption rule. A bucket holds at most one, and it is
/// always written whole.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SseRule {
    /// SSE-OSS with AES-256.
    Aes256,
    /// SSE-KMS: the KMS-managed default key when `key_id` is `None`, else that CMK.
    /// `sm4_data` encrypts the data with SM4 instead of AES-256 under the key.
    Kms {
        key_id: Option<String>,
        sm4_data: bool,
    },
    /// SSE-OSS with the Chinese SM4 cipher.
    Sm4,
}

impl SseRule {
    /// The `SSEAlgorithm` element value.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::Aes256 => "AES256",
            Self::Kms { .. } => "KMS",
            Self::Sm4 => "SM4",
        }
    }

    /// The `KMSMasterKeyID` value, if any.
    pub fn kms_key_id(&self) -> Option<&str> {
        match self {
            Self::Kms { key_id, .. } => key_id.as_deref(),
            _ => None,
        }
    }

    /// The `KMSDataEncryption` value, if any.
    pub fn data_encryption(&self) -> Option<&'static str> {
        match self {
            Self::Kms { sm4_data: true, .. } => Some("SM4"),
            _ => None,
        }
    }

    /// The short label used by badges and tables.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Aes256 => "AES256",
            Self::Kms { sm4_data: true, .. } => "KMS + SM4",
            Self::Kms { .. } => "KMS",
            Self::Sm4 => "SM4",
        }
    }
}

impl fmt::Display for SseRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())?;
        match self.kms_key_id() {
            Some(key) => write!(f, " ({key})"),
            None if matches!(self, Self::Kms { .. }) => f.write_str(" (default key)"),
            None => Ok(()),
        }
    }
}

/// A rule's three fields as ossguard's own JSON names them (audit rows, exports, the change
/// log); `None` algorithm: no rule. OSS's XML names are in `core::xml::encryption_rule`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFields {
    pub sse_algorithm: Option<String>,
    pub kms_master_key_id: Option<String>,
    pub kms_data_encryption: Option<String>,
}

impl RuleFields {
    pub fn of(rule: Option<&SseRule>) -> Self {
        Self {
            sse_algorithm: rule.map(|r| r.algorithm().to_owned()),
            kms_master_key_id: rule.and_then(SseRule::kms_key_id).map(str::to_owned),
            kms_data_encryption: rule.and_then(SseRule::data_encryption).map(str::to_owned),
        }
    }

    /// The rule, checked as OSS would; an error for no algorithm or a bad combination.
    pub fn to_rule(&self) -> Result<SseRule, crate::core::validate::ValidationError> {
        crate::core::validate::rule_from_fields(
            self.sse_algorithm.as_deref().unwrap_or_default(),
            self.kms_master_key_id.as_deref(),
            self.kms_data_encryption.as_deref(),
        )
    }
}

/// Why a bucket's rule could not be read: OSS's own words plus a plain hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadFailure {
    /// OSS's `Code`, or a local code such as `Timeout` when no answer arrived.
    pub code: String,
    /// OSS's `Message` verbatim.
    pub message: String,
    pub request_id: Option<String>,
    /// What the user can do about it.
    pub hint: String,
}

/// What ossguard knows about one bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EncryptionState {
    Configured(SseRule),
    /// GetBucketEncryption answered `NoSuchServerSideEncryptionRule`.
    NotConfigured,
    /// The rule could not be read; the reason says why.
    Unknown(ReadFailure),
}

impl EncryptionState {
    pub fn rule(&self) -> Option<&SseRule> {
        match self {
            Self::Configured(rule) => Some(rule),
            _ => None,
        }
    }
}

/// One rule of every kind ossguard can set, including a CMK that does not exist (OSS accepts
/// any key ID on PUT): for the unit tests only (integration tests have their own list in
/// `tests/common`).
#[cfg(test)]
pub(crate) fn every_kind() -> Vec<SseRule> {
    vec![
        SseRule::Aes256,
        SseRule::Kms {
            key_id: None,
            sm4_data: false,
        },
        SseRule::Kms {
            key_id: Some("9468da86-3509-4f8d-a61e-6eab1eac0001".into()),
            sm4_data: false,
        },
        SseRule::Kms {
            key_id: Some("key-doesnotexist0000".into()),
            sm4_data: true,
        },
        SseRule::Kms {
            key_id: None,
            sm4_data: true,
        },
        SseRule::Sm4,
    ]
}

#[cfg(test)]
mod tests {
    use super::SseRule;

    #[test]
    fn element_values_follow_the_rule() {
        let kms = SseRule::Kms {
            key_id: Some("key-1".into()),
            sm4_data: true,
        };
        assert_eq!(kms.algorithm(), "KMS");
        assert_eq!(kms.kms_key_id(), Some("key-1"));
        assert_eq!(kms.data_encryption(), Some("SM4"));
        assert_eq!(SseRule::Sm4.data_encryption(), None);
        assert_eq!(SseRule::Aes256.kms_key_id(), None);
        assert_eq!(kms.to_string(), "KMS + SM4 (key-1)");
        let default_kms = SseRule::Kms {
            key_id: None,
            sm4_data: false,
        };
        assert_eq!(default_kms.to_string(), "KMS (default key)");
    }
}

//! The rule an administrator asks for, typed: [`Algorithm`] is both the CLI's `--sse` value
//! and the form's choice, and [`RuleSpec::build`] is the one place that turns a choice, a key
//! and the SM4 option into an [`SseRule`], for buckets in given regions.

use crate::core::sse::SseRule;
use crate::core::validate::{ValidationError, kms_key_for_regions};

/// Which default encryption to set (`SSEAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Algorithm {
    /// SSE-OSS with AES-256
    #[value(name = "AES256")]
    Aes256,
    /// SSE-KMS: the KMS-managed default key, or a CMK
    #[value(name = "KMS")]
    Kms,
    /// SSE-OSS with SM4
    #[value(name = "SM4")]
    Sm4,
}

impl Algorithm {
    pub const ALL: [Self; 3] = [Self::Aes256, Self::Kms, Self::Sm4];

    /// The form's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Aes256 => "AES256 (SSE-OSS)",
            Self::Kms => "KMS (SSE-KMS)",
            Self::Sm4 => "SM4 (SSE-OSS)",
        }
    }

    /// The algorithm of an existing rule.
    pub fn of(rule: &SseRule) -> Self {
        match rule {
            SseRule::Aes256 => Self::Aes256,
            SseRule::Kms { .. } => Self::Kms,
            SseRule::Sm4 => Self::Sm4,
        }
    }
}

/// A rule as asked for: the algorithm, the CMK (KMS only; `None` or blank: the default key)
/// and SM4 data encryption (KMS only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    pub algorithm: Algorithm,
    pub kms_key_id: Option<String>,
    pub sm4_data: bool,
}

impl RuleSpec {
    /// A form's choice: the key and SM4 data count only for KMS (a form keeps what was typed
    /// while another algorithm is picked, so switching back restores it).
    pub fn of_choice(algorithm: Algorithm, key_id: &str, sm4_data: bool) -> Self {
        let kms = algorithm == Algorithm::Kms;
        Self {
            algorithm,
            kms_key_id: kms.then(|| key_id.to_owned()),
            sm4_data: kms && sm4_data,
        }
    }

    /// The rule for buckets in `regions`, or why OSS would refuse it (or why it would be
    /// wrong: a key ARN of another region, one plain key for several regions). A key is
    /// sent as its key ID; an ARN becomes its ID.
    pub fn build(&self, regions: &[&str]) -> Result<SseRule, ValidationError> {
        let key = self
            .kms_key_id
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        match self.algorithm {
            Algorithm::Kms => Ok(SseRule::Kms {
                key_id: key.map(|k| kms_key_for_regions(k, regions)).transpose()?,
                sm4_data: self.sm4_data,
            }),
            Algorithm::Aes256 | Algorithm::Sm4 if key.is_some() => {
                Err(ValidationError::KeyIdWithoutKms)
            }
            Algorithm::Aes256 | Algorithm::Sm4 if self.sm4_data => {
                Err(ValidationError::DataEncryptionWithoutKms)
            }
            Algorithm::Aes256 => Ok(SseRule::Aes256),
            Algorithm::Sm4 => Ok(SseRule::Sm4),
        }
    }

    /// The spec that builds `rule` again (the form starts from the bucket's rule).
    pub fn of(rule: &SseRule) -> Self {
        Self {
            algorithm: Algorithm::of(rule),
            kms_key_id: rule.kms_key_id().map(str::to_owned),
            sm4_data: rule.data_encryption().is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Algorithm, RuleSpec};
    use crate::core::sse::SseRule;
    use crate::core::validate::ValidationError;

    fn spec(algorithm: Algorithm, key: Option<&str>, sm4_data: bool) -> RuleSpec {
        RuleSpec {
            algorithm,
            kms_key_id: key.map(str::to_owned),
            sm4_data,
        }
    }

    #[test]
    fn specs_build_rules_or_say_why_not() {
        let hz = ["cn-hangzhou"];
        assert_eq!(
            spec(Algorithm::Aes256, None, false).build(&hz),
            Ok(SseRule::Aes256)
        );
        assert_eq!(
            spec(Algorithm::Sm4, Some("key-hzz68d1fd85qslv95ilz4"), false).build(&hz),
            Err(ValidationError::KeyIdWithoutKms)
        );
        assert_eq!(
            spec(Algorithm::Aes256, None, true).build(&hz),
            Err(ValidationError::DataEncryptionWithoutKms)
        );
        assert_eq!(
            spec(Algorithm::Kms, Some("  "), true).build(&hz),
            Ok(SseRule::Kms {
                key_id: None,
                sm4_data: true
            })
        );
        let arn = "acs:kms:cn-hangzhou:1:key/key-hzz68d1fd85qslv95ilz4";
        assert_eq!(
            spec(Algorithm::Kms, Some(arn), false).build(&hz),
            Ok(SseRule::Kms {
                key_id: Some("key-hzz68d1fd85qslv95ilz4".into()),
                sm4_data: false
            })
        );
        assert!(matches!(
            spec(Algorithm::Kms, Some(arn), false).build(&["cn-beijing"]),
            Err(ValidationError::KeyRegion { .. })
        ));
        assert!(
            spec(Algorithm::Kms, Some("not a key"), false)
                .build(&hz)
                .is_err()
        );
        for rule in crate::core::sse::every_kind() {
            assert_eq!(RuleSpec::of(&rule).build(&hz), Ok(rule));
        }
    }
}

//! `ServerSideEncryptionRule`: the body of Put/GetBucketEncryption.

use serde::{Deserialize, Serialize};

use super::XmlError;
use crate::core::sse::{EncryptionState, SseRule};
use crate::core::validate::{ValidationError, rule_from_fields};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "ServerSideEncryptionRule")]
pub struct ServerSideEncryptionRule {
    #[serde(rename = "ApplyServerSideEncryptionByDefault")]
    pub apply: Option<SseFields>,
}

impl super::Document for ServerSideEncryptionRule {
    const ROOT: &'static str = "ServerSideEncryptionRule";
}

/// A rule's three wire fields, as sent: inside `ApplyServerSideEncryptionByDefault` in the
/// rule document, and flat in GetBucketInfo. [`SseFields::to_rule`] applies OSS's rules.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SseFields {
    #[serde(rename = "SSEAlgorithm", default)]
    pub algorithm: Option<String>,
    #[serde(
        rename = "KMSMasterKeyID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub kms_master_key_id: Option<String>,
    #[serde(
        rename = "KMSDataEncryption",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub kms_data_encryption: Option<String>,
}

impl SseFields {
    pub fn from_rule(rule: &SseRule) -> Self {
        Self {
            algorithm: Some(rule.algorithm().to_owned()),
            kms_master_key_id: rule.kms_key_id().map(str::to_owned),
            kms_data_encryption: rule.data_encryption().map(str::to_owned),
        }
    }

    /// GetBucketInfo's form: `SSEAlgorithm` is `None` when there is no rule.
    pub fn from_state_rule(rule: Option<&SseRule>) -> Self {
        match rule {
            None => Self {
                algorithm: Some("None".into()),
                ..Self::default()
            },
            Some(rule) => Self::from_rule(rule),
        }
    }

    /// Reads GetBucketInfo's form: `None` (or nothing) means no rule.
    pub fn to_state(&self) -> Result<EncryptionState, XmlError> {
        match self.algorithm.as_deref().map(str::trim) {
            None | Some("" | "None") => Ok(EncryptionState::NotConfigured),
            Some(_) => self
                .to_rule()
                .map(EncryptionState::Configured)
                .map_err(|e| XmlError::Invalid(e.to_string())),
        }
    }

    pub fn to_rule(&self) -> Result<SseRule, ValidationError> {
        rule_from_fields(
            self.algorithm.as_deref().unwrap_or_default().trim(),
            self.kms_master_key_id.as_deref(),
            self.kms_data_encryption.as_deref(),
        )
    }
}

/// A rule as it travels to and from OSS.
pub fn to_xml(rule: &SseRule) -> String {
    super::to_document(&ServerSideEncryptionRule {
        apply: Some(SseFields::from_rule(rule)),
    })
}

/// Why a rule body could not become an [`SseRule`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleBodyError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// Parses a GetBucketEncryption answer (or a PutBucketEncryption body on the server).
pub fn parse_rule(body: &str) -> Result<SseRule, RuleBodyError> {
    let doc: ServerSideEncryptionRule = super::parse(body)?;
    let apply = doc
        .apply
        .ok_or(XmlError::Missing("ApplyServerSideEncryptionByDefault"))?;
    if apply
        .algorithm
        .as_deref()
        .is_none_or(|a| a.trim().is_empty())
    {
        return Err(XmlError::Missing("SSEAlgorithm").into());
    }
    Ok(apply.to_rule()?)
}

#[cfg(test)]
mod tests {
    use super::{RuleBodyError, parse_rule, to_xml};
    use crate::core::sse::SseRule;
    use crate::core::validate::ValidationError;

    #[test]
    fn every_rule_round_trips() {
        let rules = crate::core::sse::every_kind();
        for rule in rules {
            let xml = to_xml(&rule);
            assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
            assert_eq!(parse_rule(&xml), Ok(rule));
        }
    }

    #[test]
    fn writes_the_documented_shape() {
        let xml = to_xml(&SseRule::Kms {
            key_id: Some("k1".into()),
            sm4_data: true,
        });
        assert!(xml.contains("<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>k1</KMSMasterKeyID><KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>"), "{xml}");
        assert!(!to_xml(&SseRule::Aes256).contains("KMSMasterKeyID"));
    }

    #[test]
    fn reads_sdk_variants() {
        // alibabacloud-oss-v2: no declaration, alphabetical order.
        let v2 = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><KMSDataEncryption>SM4</KMSDataEncryption><KMSMasterKeyID>k</KMSMasterKeyID><SSEAlgorithm>KMS</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        assert_eq!(
            parse_rule(v2),
            Ok(SseRule::Kms {
                key_id: Some("k".into()),
                sm4_data: true
            })
        );
        // ali-oss: empty key element means the default key; namespace and unknown elements.
        let ali = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ServerSideEncryptionRule xmlns=\"http://doc.oss-cn-hangzhou.aliyuncs.com\">\n  <ApplyServerSideEncryptionByDefault>\n    <SSEAlgorithm>KMS</SSEAlgorithm>\n    <KMSMasterKeyID></KMSMasterKeyID>\n    <Future>x</Future>\n  </ApplyServerSideEncryptionByDefault>\n</ServerSideEncryptionRule>";
        assert_eq!(
            parse_rule(ali),
            Ok(SseRule::Kms {
                key_id: None,
                sm4_data: false
            })
        );
        let self_closing = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID/></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        assert!(matches!(
            parse_rule(self_closing),
            Ok(SseRule::Kms { key_id: None, .. })
        ));
    }

    #[test]
    fn rejects_bad_bodies_without_panicking() {
        assert!(matches!(
            parse_rule("<ServerSideEncryptionRule><Apply"),
            Err(RuleBodyError::Xml(_))
        ));
        assert!(matches!(parse_rule(""), Err(RuleBodyError::Xml(_))));
        assert!(matches!(
            parse_rule("<ServerSideEncryptionRule/>"),
            Err(RuleBodyError::Xml(_))
        ));
        assert!(matches!(
            parse_rule(
                "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>"
            ),
            Err(RuleBodyError::Xml(_))
        ));
        assert_eq!(
            parse_rule(
                "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>DES</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>"
            ),
            Err(RuleBodyError::Invalid(ValidationError::Algorithm(
                "DES".into()
            )))
        );
    }
}

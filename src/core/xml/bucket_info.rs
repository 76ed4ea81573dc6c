//! `BucketInfo`: GetBucketInfo's answer, with its flat SSE block.

use serde::{Deserialize, Serialize};

use super::XmlError;
use super::encryption_rule::SseFields;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "BucketInfo")]
pub struct BucketInfoDoc {
    #[serde(rename = "Bucket")]
    pub bucket: BucketInfo,
}

impl super::Document for BucketInfoDoc {
    const ROOT: &'static str = "BucketInfo";
}

/// The GetBucketInfo facts ossguard shows beside the rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BucketInfo {
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "CreationDate", default)]
    pub creation_date: String,
    #[serde(rename = "Location", default)]
    pub location: String,
    #[serde(rename = "ExtranetEndpoint", default)]
    pub extranet_endpoint: String,
    #[serde(rename = "IntranetEndpoint", default)]
    pub intranet_endpoint: String,
    #[serde(rename = "StorageClass", default)]
    pub storage_class: String,
    #[serde(
        rename = "DataRedundancyType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub data_redundancy_type: Option<String>,
    #[serde(
        rename = "Versioning",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub versioning: Option<String>,
    #[serde(
        rename = "ResourceGroupId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_group_id: Option<String>,
    #[serde(rename = "Comment", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(rename = "Owner", default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<super::list_buckets::Owner>,
    #[serde(
        rename = "AccessControlList",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_control_list: Option<AccessControlList>,
    #[serde(rename = "ServerSideEncryptionRule", default)]
    pub server_side_encryption_rule: FlatSseRule,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccessControlList {
    #[serde(rename = "Grant", default)]
    pub grant: String,
}

/// GetBucketInfo's SSE block: the rule's three fields with no
/// `ApplyServerSideEncryptionByDefault` level, and `None` when there is no rule.
pub type FlatSseRule = SseFields;

pub fn parse(body: &str) -> Result<BucketInfo, XmlError> {
    super::parse::<BucketInfoDoc>(body).map(|doc| doc.bucket)
}

#[cfg(test)]
mod tests {
    use super::{BucketInfo, BucketInfoDoc, FlatSseRule, parse};
    use crate::core::sse::{EncryptionState, SseRule};
    use crate::core::xml::to_document;

    #[test]
    fn parses_flat_sse_block() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<BucketInfo><Bucket><AccessMonitor>Enabled</AccessMonitor><CreationDate>2013-07-31T10:56:21.000Z</CreationDate>
<ExtranetEndpoint>oss-cn-hangzhou.aliyuncs.com</ExtranetEndpoint><IntranetEndpoint>oss-cn-hangzhou-internal.aliyuncs.com</IntranetEndpoint>
<Location>oss-cn-hangzhou</Location><StorageClass>Standard</StorageClass><DataRedundancyType>LRS</DataRedundancyType>
<Name>oss-example</Name><Owner><DisplayName>u</DisplayName><ID>u</ID></Owner>
<AccessControlList><Grant>private</Grant></AccessControlList>
<ServerSideEncryptionRule><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>shUhih687675***32edghadg</KMSMasterKeyID><KMSDataEncryption>SM4</KMSDataEncryption></ServerSideEncryptionRule>
<BucketPolicy><LogBucket>x</LogBucket><LogPrefix>y</LogPrefix></BucketPolicy></Bucket></BucketInfo>"#;
        let info = parse(body).expect("parses");
        assert_eq!(info.name, "oss-example");
        assert_eq!(info.data_redundancy_type.as_deref(), Some("LRS"));
        assert_eq!(
            info.access_control_list.map(|a| a.grant).as_deref(),
            Some("private")
        );
        assert_eq!(
            info.server_side_encryption_rule.to_state(),
            Ok(EncryptionState::Configured(SseRule::Kms {
                key_id: Some("shUhih687675***32edghadg".into()),
                sm4_data: true
            }))
        );
    }

    #[test]
    fn none_means_not_configured_and_round_trips() {
        let info = BucketInfo {
            name: "b".into(),
            server_side_encryption_rule: FlatSseRule::from_state_rule(None),
            ..Default::default()
        };
        let xml = to_document(&BucketInfoDoc {
            bucket: info.clone(),
        });
        assert!(xml.contains("<SSEAlgorithm>None</SSEAlgorithm>"), "{xml}");
        let back = parse(&xml).expect("parses");
        assert_eq!(back, info);
        assert_eq!(
            back.server_side_encryption_rule.to_state(),
            Ok(EncryptionState::NotConfigured)
        );
        assert!(parse("<BucketInfo>").is_err());
    }
}

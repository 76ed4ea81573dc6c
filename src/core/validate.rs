//! Checks that run before anything is sent, so a bad form or flag never reaches OSS.

use thiserror::Error;

use super::sse::SseRule;

/// A value that OSS would refuse. The server maps each variant to OSS's error code
/// ([`ValidationError::oss_code`]); the client shows the message inline.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    #[error(
        "bucket name must be 3-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit"
    )]
    BucketName,
    #[error("unsupported SSE algorithm {0:?}: use AES256, KMS or SM4")]
    Algorithm(String),
    #[error("a KMS key ID is only allowed with SSEAlgorithm KMS")]
    KeyIdWithoutKms,
    #[error("KMSDataEncryption is only allowed with SSEAlgorithm KMS")]
    DataEncryptionWithoutKms,
    #[error("KMSDataEncryption must be SM4, not {0:?}")]
    DataEncryption(String),
    #[error(
        "{0:?} is not a KMS key ID: expected a key ID (UUID or key-...), alias/<name>, or an acs:kms ARN"
    )]
    KeyIdFormat(String),
    #[error("the KMS key belongs to region {key_region}, but the bucket is in {bucket_region}")]
    KeyRegion {
        key_region: String,
        bucket_region: String,
    },
    #[error(
        "a CMK lives in one region, but these buckets are in {0} regions: set each region's buckets with a key of that region"
    )]
    KeyManyRegions(usize),
    #[error("OSS takes a CMK ID, not an alias: look up the key ID of {0:?} in the KMS console")]
    KeyAlias(String),
    #[error(
        "{0:?} is not a region ID: expected one like cn-hangzhou or ap-southeast-1 (an area: cn, ap, us, eu, me, na or sa, then '-' and lowercase words or digits joined by '-')"
    )]
    RegionId(String),
}

/// The areas Alibaba Cloud region IDs start with (cn-hangzhou, ap-southeast-1, us-west-1,
/// eu-central-1, me-east-1, na-south-1, sa-east-1), as listed in the Regions and zones
/// documentation. A new area would be refused here until added: refusing is the safe side,
/// since a mistyped region would otherwise be asked at the default endpoint.
const REGION_AREAS: [&str; 7] = ["cn", "ap", "us", "eu", "me", "na", "sa"];

/// Checks the shape of a region ID: a known area, then words of a-z and 0-9 joined by '-'.
pub fn region_id(region: &str) -> Result<&str, ValidationError> {
    let bad = || ValidationError::RegionId(region.to_owned());
    let (area, rest) = region.split_once('-').ok_or_else(bad)?;
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if REGION_AREAS.contains(&area) && rest.split('-').all(word) {
        Ok(region)
    } else {
        Err(bad())
    }
}

impl ValidationError {
    /// The `Code` OSS answers with for this mistake.
    pub fn oss_code(&self) -> &'static str {
        match self {
            Self::BucketName => "InvalidBucketName",
            Self::Algorithm(_) => "InvalidEncryptionAlgorithmError",
            _ => "InvalidArgument",
        }
    }
}

pub fn validate_bucket_name(name: &str) -> Result<(), ValidationError> {
    let bytes = name.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| *b != b'-');
    if (3..=63).contains(&bytes.len())
        && bytes.iter().all(allowed)
        && edge_ok(bytes.first())
        && edge_ok(bytes.last())
    {
        Ok(())
    } else {
        Err(ValidationError::BucketName)
    }
}

/// Builds a rule from the three wire fields, applying OSS's combination rules. An empty
/// key ID means "the default key" (ali-oss sends `<KMSMasterKeyID></KMSMasterKeyID>`).
/// The key ID format is not checked here: OSS accepts any string on PUT.
pub fn rule_from_fields(
    algorithm: &str,
    kms_key_id: Option<&str>,
    data_encryption: Option<&str>,
) -> Result<SseRule, ValidationError> {
    let key_id = kms_key_id.map(str::trim).filter(|k| !k.is_empty());
    let data = data_encryption.map(str::trim).filter(|d| !d.is_empty());
    match algorithm {
        "KMS" => {
            let sm4_data = match data {
                None => false,
                Some("SM4") => true,
                Some(other) => return Err(ValidationError::DataEncryption(other.to_owned())),
            };
            Ok(SseRule::Kms {
                key_id: key_id.map(str::to_owned),
                sm4_data,
            })
        }
        "AES256" | "SM4" if key_id.is_some() => Err(ValidationError::KeyIdWithoutKms),
        "AES256" | "SM4" if data.is_some() => Err(ValidationError::DataEncryptionWithoutKms),
        "AES256" => Ok(SseRule::Aes256),
        "SM4" => Ok(SseRule::Sm4),
        other => Err(ValidationError::Algorithm(other.to_owned())),
    }
}

/// Checks the shape of a KMS key identifier the user typed. Accepts a key ID (UUID style or
/// `key-...`), `alias/<name>`, and the `acs:kms:<region>:<uid>:key/<id>` or `:alias/<name>`
/// ARNs. Returns the ARN's region, if any, so the caller can compare it with the bucket's.
pub fn validate_kms_key_id(key: &str) -> Result<Option<&str>, ValidationError> {
    let bad = || ValidationError::KeyIdFormat(key.to_owned());
    if key.is_empty() || key.len() > 256 {
        return Err(bad());
    }
    if let Some(rest) = key.strip_prefix("acs:kms:") {
        let mut parts = rest.splitn(3, ':');
        let (Some(region), Some(uid), Some(resource)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let uid_ok = !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_digit());
        let resource_ok = match resource.split_once('/') {
            Some(("key", id)) => is_key_id(id),
            Some(("alias", name)) => is_alias_name(name),
            _ => false,
        };
        return if region_ok && uid_ok && resource_ok {
            Ok(Some(region))
        } else {
            Err(bad())
        };
    }
    if let Some(name) = key.strip_prefix("alias/") {
        return if is_alias_name(name) {
            Ok(None)
        } else {
            Err(bad())
        };
    }
    if is_key_id(key) { Ok(None) } else { Err(bad()) }
}

/// The CMK ID to send for buckets in `regions`: checks the format, refuses aliases (OSS
/// documents only key IDs for `KMSMasterKeyID`), turns a key ARN into its key ID after
/// checking its region, and refuses one key for buckets in several regions, since a CMK lives
/// in one region and OSS only notices the mistake when objects are written.
pub fn kms_key_for_regions(key: &str, regions: &[&str]) -> Result<String, ValidationError> {
    let key = key.trim();
    let arn_region = validate_kms_key_id(key)?;
    let resource = key.rsplit(':').next().unwrap_or(key);
    if resource.starts_with("alias/") {
        return Err(ValidationError::KeyAlias(key.to_owned()));
    }
    let key_id = resource.strip_prefix("key/").unwrap_or(resource);
    let mut distinct: Vec<&str> = regions.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    match arn_region {
        Some(key_region) => {
            if let Some(other) = distinct.iter().find(|r| **r != key_region) {
                return Err(ValidationError::KeyRegion {
                    key_region: key_region.to_owned(),
                    bucket_region: (*other).to_owned(),
                });
            }
        }
        None if distinct.len() > 1 => return Err(ValidationError::KeyManyRegions(distinct.len())),
        None => {}
    }
    Ok(key_id.to_owned())
}

fn is_key_id(id: &str) -> bool {
    is_uuid(id)
        || id.strip_prefix("key-").is_some_and(|rest| {
            (8..=64).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_alias_name(name: &str) -> bool {
    (1..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::{
        SseRule, ValidationError, kms_key_for_regions, rule_from_fields, validate_kms_key_id,
    };

    #[test]
    fn rule_combinations_follow_oss() {
        assert_eq!(rule_from_fields("AES256", None, None), Ok(SseRule::Aes256));
        assert_eq!(rule_from_fields("SM4", Some(""), None), Ok(SseRule::Sm4));
        assert_eq!(
            rule_from_fields("KMS", Some(""), None),
            Ok(SseRule::Kms {
                key_id: None,
                sm4_data: false
            })
        );
        assert_eq!(
            rule_from_fields("KMS", Some("k"), Some("SM4")),
            Ok(SseRule::Kms {
                key_id: Some("k".into()),
                sm4_data: true
            })
        );
        assert_eq!(
            rule_from_fields("AES256", Some("k"), None),
            Err(ValidationError::KeyIdWithoutKms)
        );
        assert_eq!(
            rule_from_fields("SM4", None, Some("SM4")),
            Err(ValidationError::DataEncryptionWithoutKms)
        );
        assert_eq!(
            rule_from_fields("KMS", None, Some("AES")),
            Err(ValidationError::DataEncryption("AES".into()))
        );
        let des = rule_from_fields("DES", None, None);
        assert_eq!(des, Err(ValidationError::Algorithm("DES".into())));
        assert_eq!(
            des.err().map(|e| e.oss_code()),
            Some("InvalidEncryptionAlgorithmError")
        );
        // Algorithm names are exact: OSS refuses lower case.
        assert!(rule_from_fields("aes256", None, None).is_err());
    }

    #[test]
    fn kms_key_formats() {
        for ok in [
            "9468da86-3509-4f8d-a61e-6eab1eac0001",
            "key-hzz68d1fd85qslv95ilz4",
            "alias/my-key",
            "acs:kms:cn-hangzhou:123456:key/key-hzz68d1fd85qslv95ilz4",
            "acs:kms:cn-hangzhou:123456:alias/prod",
        ] {
            assert!(validate_kms_key_id(ok).is_ok(), "{ok} rejected");
        }
        for bad in [
            "",
            "not a key",
            "9468da86-3509-4f8d-a61e",
            "key-",
            "alias/",
            "acs:kms:cn-hangzhou:abc:key/key-hzz68d1fd85qslv95ilz4",
            "acs:kms::1:key/x",
            "9468da86-3509-4f8d-a61e-6eab1eac000g",
        ] {
            assert!(validate_kms_key_id(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn region_ids_of_known_areas_pass_and_anything_else_is_refused() {
        for good in [
            "cn-hangzhou",
            "ap-southeast-1",
            "us-west-1",
            "cn-north-2-gov-1",
        ] {
            assert_eq!(super::region_id(good), Ok(good));
        }
        for bad in [
            "nope-region",
            "cn",
            "cn-",
            "cn-Hangzhou",
            "cn--x",
            "",
            "cn-hz\nx",
        ] {
            assert_eq!(
                super::region_id(bad),
                Err(ValidationError::RegionId(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn key_for_regions_normalises_and_refuses_what_oss_would_not_honour() {
        let arn = "acs:kms:cn-beijing:1:key/key-hzz68d1fd85qslv95ilz4";
        assert_eq!(
            kms_key_for_regions(arn, &["cn-beijing", "cn-beijing"]).as_deref(),
            Ok("key-hzz68d1fd85qslv95ilz4"),
            "an ARN becomes its key ID"
        );
        assert!(matches!(
            kms_key_for_regions(arn, &["cn-hangzhou"]),
            Err(ValidationError::KeyRegion { .. })
        ));
        let id = "9468da86-3509-4f8d-a61e-6eab1eac0001";
        assert_eq!(kms_key_for_regions(id, &["cn-hangzhou"]).as_deref(), Ok(id));
        assert_eq!(
            kms_key_for_regions(id, &["cn-hangzhou", "cn-beijing", "cn-hangzhou"]),
            Err(ValidationError::KeyManyRegions(2))
        );
        for alias in ["alias/prod", "acs:kms:cn-beijing:1:alias/prod"] {
            assert!(matches!(
                kms_key_for_regions(alias, &["cn-beijing"]),
                Err(ValidationError::KeyAlias(_))
            ));
        }
        assert!(kms_key_for_regions("not a key", &["cn-beijing"]).is_err());
    }
}

//! The keys of a region for the change form's key picker: listed and described in the
//! background when the form opens, each judged by the one key-health decision
//! ([`crate::core::kms::health`]), so the picker offers exactly the keys the pre-flight
//! check would accept.

use std::collections::HashMap;

use crate::app::event::RequestId;
use crate::core::kms::health::{KeyHealth, KeyLookup, assess, unusable_reason};
use crate::transport::kms::{KeyListing, KmsClient, key_error};

/// One key as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionKey {
    /// KeyId, state, first alias, spec, origin, protection level and whether it is usable.
    pub health: KeyHealth,
    /// Every alias name, in name order (the search matches any of them).
    pub aliases: Vec<String>,
    /// Why the key cannot protect a bucket of this region; `None` when it can.
    pub reason: Option<String>,
}

impl RegionKey {
    /// The key judged for a bucket of its region.
    pub fn from_listing(listing: KeyListing) -> Self {
        let KeyListing {
            region,
            metadata,
            aliases,
        } = listing;
        let id = metadata.key_id.clone();
        let health = assess(
            &id,
            &region,
            &KeyLookup::Described {
                metadata: Box::new(metadata),
                aliases: aliases.clone(),
            },
        );
        let reason = match (health.usable, unusable_reason(&health)) {
            (Some(true), _) => None,
            (_, Some((reason, _))) => Some(reason),
            (_, None) => Some("KMS did not say whether the key can be used.".to_owned()),
        };
        Self {
            health,
            aliases,
            reason,
        }
    }

    pub fn key_id(&self) -> &str {
        &self.health.id
    }

    pub fn usable(&self) -> bool {
        self.reason.is_none()
    }

    /// Whether the key's ID or one of its aliases contains `query` (case-insensitive).
    pub fn matches(&self, query: &str) -> bool {
        let query = query.trim().to_lowercase();
        query.is_empty()
            || self.key_id().to_lowercase().contains(&query)
            || self
                .aliases
                .iter()
                .any(|a| a.to_lowercase().contains(&query))
    }

    /// The key whose ID or alias is exactly `typed` (`alias/` optional for the alias).
    pub fn is_named(&self, typed: &str) -> bool {
        let typed = typed.trim();
        self.key_id() == typed
            || self
                .aliases
                .iter()
                .any(|a| a == typed || a.strip_prefix("alias/") == Some(typed))
    }
}

/// Where a region's key listing is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionKeysState {
    Loading(RequestId),
    Loaded(Vec<RegionKey>),
    /// KMS could not be asked; the message says why (and the hint which permission).
    Failed(String),
}

/// The key listing of each region asked for in this session (forgotten with it).
#[derive(Debug, Clone, Default)]
pub struct RegionKeys(HashMap<String, RegionKeysState>);

impl RegionKeys {
    pub fn get(&self, region: &str) -> Option<&RegionKeysState> {
        self.0.get(region)
    }

    /// Whether `region` should be (re)listed: never asked, or the last listing failed.
    pub fn needs(&self, region: &str) -> bool {
        matches!(self.0.get(region), None | Some(RegionKeysState::Failed(_)))
    }

    pub fn begin(&mut self, region: &str, request: RequestId) {
        self.0
            .insert(region.to_owned(), RegionKeysState::Loading(request));
    }

    /// Stores a listing if it answers the request still waited for; false when stale.
    pub fn finish(
        &mut self,
        region: &str,
        request: RequestId,
        result: Result<Vec<RegionKey>, String>,
    ) -> bool {
        if self.0.get(region) != Some(&RegionKeysState::Loading(request)) {
            return false;
        }
        let state = match result {
            Ok(keys) => RegionKeysState::Loaded(keys),
            Err(error) => RegionKeysState::Failed(error),
        };
        self.0.insert(region.to_owned(), state);
        true
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Lists and describes every key of `region` (whose OSS endpoint host is `oss_host`).
pub async fn load_region_keys(
    kms: &KmsClient,
    region: &str,
    oss_host: &str,
) -> Result<Vec<RegionKey>, String> {
    match kms.list_region_keys(region, Some(oss_host)).await {
        Ok(listings) => Ok(listings.into_iter().map(RegionKey::from_listing).collect()),
        Err(e) => {
            let error = key_error(&e);
            Err(format!(
                "The keys of {region} could not be listed ({}: {}). Allow kms:ListKeys and kms:DescribeKey in the RAM policy, or type a key ID.",
                error.code, error.message
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{RegionKey, RegionKeys, RegionKeysState};
    use crate::app::event::RequestId;
    use crate::core::kms::KeyMetadata;
    use crate::transport::kms::KeyListing;

    fn key(id: &str, state: &str, spec: &str, aliases: &[&str]) -> RegionKey {
        RegionKey::from_listing(KeyListing {
            region: "cn-hangzhou".into(),
            metadata: KeyMetadata {
                key_id: id.into(),
                arn: format!("acs:kms:cn-hangzhou:1:key/{id}"),
                key_state: state.into(),
                key_spec: spec.into(),
                key_usage: "ENCRYPT/DECRYPT".into(),
                ..KeyMetadata::default()
            },
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        })
    }

    #[test]
    fn keys_are_judged_by_the_shared_decision() {
        let enabled = key("key-a", "Enabled", "Aliyun_AES_256", &["alias/prod"]);
        assert!(enabled.usable());
        assert_eq!(enabled.health.alias.as_deref(), Some("alias/prod"));
        let disabled = key("key-b", "Disabled", "Aliyun_AES_256", &[]);
        assert!(!disabled.usable());
        assert!(
            disabled
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("disabled"))
        );
        let asymmetric = key("key-c", "Enabled", "RSA_2048", &[]);
        assert!(
            asymmetric
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("asymmetric"))
        );
        assert!(enabled.matches("PROD") && enabled.matches("key-a") && !enabled.matches("key-b"));
        assert!(enabled.is_named("alias/prod") && enabled.is_named("prod"));
        assert!(!enabled.is_named("pro"));
    }

    #[test]
    fn a_stale_listing_is_dropped() {
        let mut keys = RegionKeys::default();
        assert!(keys.needs("cn-hangzhou"));
        keys.begin("cn-hangzhou", RequestId(2));
        assert!(!keys.needs("cn-hangzhou"));
        assert!(!keys.finish("cn-hangzhou", RequestId(1), Ok(Vec::new())));
        assert!(keys.finish("cn-hangzhou", RequestId(2), Err("no".into())));
        assert_eq!(
            keys.get("cn-hangzhou"),
            Some(&RegionKeysState::Failed("no".into()))
        );
        assert!(
            keys.needs("cn-hangzhou"),
            "a failed listing may be asked again"
        );
    }
}

//! Where a key lives when it is not found in its bucket's region: the app's "Other region"
//! badge ([`super::health::badges`]). The JSON state stays `NotFound` (the key cannot protect
//! the bucket either way); this only tells the administrator why.
//!
//! A key ARN names its region, so only a bare key ID is looked for, by DescribeKey in the
//! other regions. That KMS key IDs are unique across regions, so a bare ID found elsewhere is
//! the very key the rule meant, is unconfirmed; if it were wrong, only the badge's wording
//! would be, never whether the key is usable. An alias is not looked for: aliases are per
//! region, so the same alias elsewhere may name another key.

use super::arn_region;
use super::health::{KeyHealth, STATE_NOT_FOUND};

/// At most this many other regions are asked about one key.
pub const MAX_REGIONS_ASKED: usize = 32;

/// Whether to look for `health`'s key in other regions: a bare key ID KMS did not find in
/// the bucket's region.
pub fn should_search(health: &KeyHealth) -> bool {
    health.state.as_deref() == Some(STATE_NOT_FOUND)
        && arn_region(&health.id).is_none()
        && !health.id.starts_with("alias/")
}

/// The regions to ask, in the order given: each once, never the bucket's own, at most
/// [`MAX_REGIONS_ASKED`].
pub fn regions_to_ask<'a>(
    health: &KeyHealth,
    known: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for region in known {
        if region != health.region && !region.is_empty() && !out.contains(&region) {
            out.push(region);
        }
    }
    out.truncate(MAX_REGIONS_ASKED);
    out
}

/// Whether the key's health in another region (judged by
/// [`super::health::assess`] for that region) says the key exists there.
pub fn exists(elsewhere: &KeyHealth) -> bool {
    elsewhere.error.is_none()
        && elsewhere
            .state
            .as_deref()
            .is_some_and(|s| s != STATE_NOT_FOUND)
}

#[cfg(test)]
mod tests {
    use super::{MAX_REGIONS_ASKED, exists, regions_to_ask, should_search};
    use crate::core::kms::KeyMetadata;
    use crate::core::kms::health::{KeyError, KeyLookup, assess, badges};

    #[test]
    fn only_a_bare_key_id_not_found_is_looked_for_elsewhere() {
        let missing = assess("key-bj0001", "cn-hangzhou", &KeyLookup::NotFound);
        assert!(should_search(&missing));
        let arn = "acs:kms:cn-beijing:1:key/key-bj0001";
        assert!(!should_search(&assess(
            arn,
            "cn-hangzhou",
            &KeyLookup::NotFound
        )));
        let alias = assess("alias/prod", "cn-hangzhou", &KeyLookup::NotFound);
        assert!(!should_search(&alias));
        let error = KeyError {
            code: "Forbidden.NoPermission".into(),
            message: String::new(),
            request_id: None,
        };
        let failed = assess("key-bj0001", "cn-hangzhou", &KeyLookup::Failed(error));
        assert!(!should_search(&failed), "not asked is not missing");
        let asked = regions_to_ask(
            &missing,
            [
                "cn-beijing",
                "cn-hangzhou",
                "cn-beijing",
                "",
                "ap-southeast-1",
            ],
        );
        assert_eq!(asked, ["cn-beijing", "ap-southeast-1"]);
        let many: Vec<String> = (0..50).map(|i| format!("r-{i}")).collect();
        assert_eq!(
            regions_to_ask(&missing, many.iter().map(String::as_str)).len(),
            MAX_REGIONS_ASKED
        );
    }

    #[test]
    fn found_elsewhere_means_described_there_and_gives_the_badge() {
        let there = assess(
            "key-bj0001",
            "cn-beijing",
            &KeyLookup::Described {
                metadata: Box::new(KeyMetadata {
                    key_id: "key-bj0001".into(),
                    arn: "acs:kms:cn-beijing:1:key/key-bj0001".into(),
                    key_state: "Disabled".into(),
                    ..KeyMetadata::default()
                }),
                aliases: Vec::new(),
            },
        );
        assert!(exists(&there), "a key in any state exists");
        assert!(!exists(&assess(
            "key-bj0001",
            "cn-shanghai",
            &KeyLookup::NotFound
        )));
        let missing = assess("key-bj0001", "cn-hangzhou", &KeyLookup::NotFound);
        assert_eq!(badges(&missing, exists(&there)), ["Other region"]);
        assert_eq!(
            missing.state.as_deref(),
            Some("NotFound"),
            "the state stays"
        );
    }
}

//! `--seed-kms-keys N` with `--seed-buckets`: N Enabled customer keys, and the seed buckets
//! whose rules name a CMK pointed at them, each at a key of its own region (a benchmark of
//! the audit's key checks needs rules naming many distinct keys that exist).
//!
//! Pattern (fixed, so tests can compute what to expect): key `i` (1-based) is
//! [`seed_kms_key_id`]`(i)`; the regions that hold seed buckets naming a CMK are taken in the
//! order they first appear, and key `i` lives in the `(i - 1) % R`-th of them; the `m`-th
//! such bucket of a region (0-based, in name order) names that region's `m % K`-th key, K
//! being how many keys the region got. Every key is therefore named as soon as each region
//! has at least as many CMK buckets as keys.

use super::demo_keys::enabled_key;
use super::rpc::kms::KeyRecord;
use super::store::BucketRecord;
use crate::core::sse::SseRule;

/// The ID of seed key `i` (1-based), e.g. `key-seedkms0001`.
pub fn seed_kms_key_id(i: usize) -> String {
    format!("key-seedkms{i:04}")
}

/// Creates `count` Enabled AES-256 keys and rewrites the CMK of every bucket whose rule names
/// one so that it names a seed key of the bucket's region (see the module documentation).
/// Buckets without a CMK keep their rule.
pub(crate) fn seed_kms_keys(buckets: &mut [BucketRecord], count: usize) -> Vec<KeyRecord> {
    let names_cmk = |b: &BucketRecord| b.rule.as_ref().and_then(SseRule::kms_key_id).is_some();
    let mut regions: Vec<String> = Vec::new();
    for bucket in buckets.iter().filter(|b| names_cmk(b)) {
        if !regions.contains(&bucket.region) {
            regions.push(bucket.region.clone());
        }
    }
    if regions.is_empty() {
        return Vec::new();
    }
    let keys: Vec<KeyRecord> = (1..=count)
        .map(|i| enabled_key(&regions[(i - 1) % regions.len()], &seed_kms_key_id(i)))
        .collect();
    let mut named = vec![0_usize; regions.len()];
    for bucket in buckets.iter_mut().filter(|b| names_cmk(b)) {
        let Some(r) = regions.iter().position(|r| *r == bucket.region) else {
            continue;
        };
        let own: Vec<&KeyRecord> = keys.iter().filter(|k| k.region == bucket.region).collect();
        if own.is_empty() {
            continue;
        }
        let key = own[named[r] % own.len()].metadata.key_id.clone();
        named[r] += 1;
        if let Some(SseRule::Kms { key_id, .. }) = &mut bucket.rule {
            *key_id = Some(key);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{seed_kms_key_id, seed_kms_keys};
    use crate::core::sse::SseRule;
    use crate::core::validate::validate_kms_key_id;
    use crate::devserver::demo::{seed_buckets, seed_rule};

    fn regions() -> Vec<String> {
        crate::devserver::DEFAULT_REGIONS.map(String::from).to_vec()
    }

    #[test]
    fn every_cmk_rule_names_an_existing_key_of_its_region_and_all_keys_are_named() {
        let mut buckets = seed_buckets(1000, &regions());
        let keys = seed_kms_keys(&mut buckets, 50);
        assert_eq!(keys.len(), 50);
        assert_eq!(keys[0].metadata.key_id, "key-seedkms0001");
        assert!(validate_kms_key_id(&seed_kms_key_id(50)).is_ok());
        let mut named = HashSet::new();
        for (i, bucket) in buckets.iter().enumerate() {
            let Some(id) = bucket.rule.as_ref().and_then(SseRule::kms_key_id) else {
                assert_eq!(
                    bucket.rule,
                    seed_rule(i + 1),
                    "rules without a CMK are kept"
                );
                continue;
            };
            let key = keys
                .iter()
                .find(|k| k.metadata.key_id == id)
                .unwrap_or_else(|| panic!("{} names {id}, which does not exist", bucket.name));
            assert_eq!(key.region, bucket.region, "{}", bucket.name);
            assert_eq!(key.metadata.key_state, "Enabled");
            named.insert((key.region.clone(), id.to_owned()));
        }
        assert_eq!(named.len(), 50, "50 distinct (region, key) pairs are named");
    }

    #[test]
    fn no_cmk_rule_no_key() {
        let mut buckets = seed_buckets(3, &regions());
        assert!(seed_kms_keys(&mut buckets, 5).is_empty());
        assert_eq!(buckets[2].rule, seed_rule(3));
    }
}

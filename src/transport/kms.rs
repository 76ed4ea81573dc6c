//! The KMS client: where KMS is for a region, and the calls ossguard makes (ListKeys and
//! ListAliases over all pages, DescribeKey, ListAliasesByKeyId), on [`RpcClient`].
//!
//! Endpoint rule: for an OSS endpoint under `aliyuncs.com`, KMS is
//! `https://kms.<region>.aliyuncs.com` (`kms-vpc.` with internal endpoints, the KMS API
//! reference's endpoint list); for any other endpoint (the dev server, a proxy) KMS is asked
//! on the same scheme, host and port as that region's OSS endpoint; an explicit KMS endpoint
//! overrides both.

use std::collections::BTreeMap;

use futures::StreamExt as _;

use crate::core::kms::health::{KeyError, KeyHealth, KeyLookup, assess};
use crate::core::kms::{
    self, Alias, DescribeKeyAnswer, KeyMetadata, ListAliasesPage, ListKeysPage, MAX_PAGE_SIZE,
};
use crate::core::rpc::KMS;

use super::client::OssClient;
use super::endpoint::Endpoint;
use super::rpc::{RpcClient, RpcError};

/// Pages walked at most per listing: 1,000 pages of 100 is far beyond any account, and stops
/// a server that keeps claiming more.
const MAX_PAGES: u32 = 1000;

/// DescribeKey calls in flight at once when listing a region's keys.
const DESCRIBE_CONCURRENCY: usize = 8;

/// The KMS endpoint of `region`, given the OSS endpoint host serving it.
pub fn kms_endpoint(
    oss: &Endpoint,
    region: &str,
    internal: bool,
    explicit: Option<&Endpoint>,
) -> Endpoint {
    if let Some(explicit) = explicit {
        return explicit.clone();
    }
    let host = crate::core::model::host_without_port(&oss.host);
    if host.ends_with(".aliyuncs.com") {
        let prefix = if internal { "kms-vpc" } else { "kms" };
        return Endpoint {
            scheme: "https".to_owned(),
            host: format!("{prefix}.{region}.aliyuncs.com"),
        };
    }
    oss.clone()
}

/// One key with everything `ossguard keys` and the key picker show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyListing {
    pub region: String,
    pub metadata: KeyMetadata,
    /// Alias names in name order.
    pub aliases: Vec<String>,
}

/// KMS for every region of one account, sharing the OSS client's connection pool,
/// credentials, clock and retry policy.
#[derive(Debug, Clone)]
pub struct KmsClient {
    oss: OssClient,
    explicit: Option<Endpoint>,
}

impl KmsClient {
    /// `explicit` is `--kms-endpoint` / `OSS_KMS_ENDPOINT`.
    pub fn new(oss: OssClient, explicit: Option<Endpoint>) -> Self {
        Self { oss, explicit }
    }

    /// The RPC client for `region`, whose OSS endpoint host is `oss_host` (a bucket's
    /// endpoint; the profile's endpoint when `None`).
    pub fn region(&self, region: &str, oss_host: Option<&str>) -> Result<RpcClient, RpcError> {
        let profile = &self.oss.config().endpoint;
        let oss = match oss_host.map(str::trim).filter(|h| !h.is_empty()) {
            Some(host) => profile
                .for_bucket(host, self.oss.config().allow_foreign_bucket_endpoints)
                .map_err(|e| RpcError::Config(e.to_string()))?,
            None => profile.clone(),
        };
        let endpoint = kms_endpoint(
            &oss,
            region,
            self.oss.config().internal_endpoints,
            self.explicit.as_ref(),
        );
        RpcClient::sharing(&self.oss, KMS, endpoint)
    }

    /// The health of the key `id` (as a rule names it) for a bucket of `region`.
    pub async fn key_health(&self, region: &str, oss_host: Option<&str>, id: &str) -> KeyHealth {
        let lookup = match self.region(region, oss_host) {
            Ok(rpc) => lookup(&rpc, id).await,
            Err(e) => KeyLookup::Failed(key_error(&e)),
        };
        assess(id, region, &lookup)
    }

    /// Every key of `region`, described, with its aliases; sorted by key ID.
    pub async fn list_region_keys(
        &self,
        region: &str,
        oss_host: Option<&str>,
    ) -> Result<Vec<KeyListing>, RpcError> {
        let rpc = self.region(region, oss_host)?;
        let keys = list_keys(&rpc).await?;
        // Aliases are a nicety: without kms:ListAliases the keys are still listed.
        let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Ok(all) = list_aliases(&rpc).await {
            for alias in all {
                aliases
                    .entry(alias.key_id)
                    .or_default()
                    .push(alias.alias_name);
            }
        }
        let described: Vec<Result<KeyMetadata, RpcError>> = futures::stream::iter(keys)
            .map(|key| {
                let rpc = rpc.clone();
                async move { describe_key(&rpc, &key.key_id).await }
            })
            .buffered(DESCRIBE_CONCURRENCY)
            .collect()
            .await;
        let mut out = Vec::with_capacity(described.len());
        for metadata in described {
            let metadata = metadata?;
            // A region with no endpoint of its own is asked at the default one, which may
            // answer for its own region (the dev server does; whether real KMS refuses a
            // request signed for another region is unconfirmed): the key's ARN tells.
            if let Some(theirs) = kms::arn_region(&metadata.arn).filter(|r| *r != region) {
                return Err(RpcError::Response {
                    api: KMS,
                    action: "DescribeKey".into(),
                    detail: format!(
                        "key {} is in {theirs}, not {region}: the KMS endpoint asked serves \
                         another region",
                        metadata.key_id
                    ),
                });
            }
            let mut names = aliases.remove(&metadata.key_id).unwrap_or_default();
            names.sort();
            out.push(KeyListing {
                region: region.to_owned(),
                metadata,
                aliases: names,
            });
        }
        out.sort_by(|a, b| a.metadata.key_id.cmp(&b.metadata.key_id));
        Ok(out)
    }
}

/// What KMS says about `id`: described with its aliases, not found, or not askable.
pub async fn lookup(rpc: &RpcClient, id: &str) -> KeyLookup {
    match describe_key(rpc, id).await {
        Ok(metadata) => {
            // Without kms:ListAliases the key is still described; it just shows no alias.
            let aliases = aliases_of(rpc, &metadata.key_id).await.unwrap_or_default();
            KeyLookup::Described {
                metadata: Box::new(metadata),
                aliases,
            }
        }
        Err(e) if e.code() == "Forbidden.KeyNotFound" => KeyLookup::NotFound,
        Err(e) => KeyLookup::Failed(key_error(&e)),
    }
}

/// The error as the audit reports it.
pub fn key_error(error: &RpcError) -> KeyError {
    KeyError {
        code: error.code().to_owned(),
        message: error.message(),
        request_id: error.request_id().map(str::to_owned),
    }
}

pub async fn describe_key(rpc: &RpcClient, key: &str) -> Result<KeyMetadata, RpcError> {
    let answer: DescribeKeyAnswer = rpc.call_as(&kms::describe_key(key)).await?;
    Ok(answer.key_metadata)
}

/// Every key of the client's region, all pages.
pub async fn list_keys(rpc: &RpcClient) -> Result<Vec<kms::KeyRef>, RpcError> {
    let mut keys = Vec::new();
    for page in 1..=MAX_PAGES {
        let answer: ListKeysPage = rpc.call_as(&kms::list_keys(page, MAX_PAGE_SIZE)).await?;
        let got = answer.keys.key.len();
        keys.extend(answer.keys.key);
        if got == 0 || !answer.page.has_more(keys.len() as u64) {
            break;
        }
    }
    Ok(keys)
}

/// Every alias of the client's region, all pages.
pub async fn list_aliases(rpc: &RpcClient) -> Result<Vec<Alias>, RpcError> {
    let mut aliases = Vec::new();
    for page in 1..=MAX_PAGES {
        let answer: ListAliasesPage = rpc.call_as(&kms::list_aliases(page, MAX_PAGE_SIZE)).await?;
        let got = answer.aliases.alias.len();
        aliases.extend(answer.aliases.alias);
        if got == 0 || !answer.page.has_more(aliases.len() as u64) {
            break;
        }
    }
    Ok(aliases)
}

/// The alias names of one key, in name order.
pub async fn aliases_of(rpc: &RpcClient, key_id: &str) -> Result<Vec<String>, RpcError> {
    let mut aliases = Vec::new();
    for page in 1..=MAX_PAGES {
        let answer: ListAliasesPage = rpc
            .call_as(&kms::list_aliases_by_key_id(key_id, page, MAX_PAGE_SIZE))
            .await?;
        let got = answer.aliases.alias.len();
        aliases.extend(answer.aliases.alias);
        if got == 0 || !answer.page.has_more(aliases.len() as u64) {
            break;
        }
    }
    Ok(kms::sorted_alias_names(&aliases))
}

#[cfg(test)]
mod tests {
    use super::kms_endpoint;
    use crate::transport::Endpoint;

    #[test]
    fn kms_lives_next_to_oss() {
        let real = Endpoint::parse("https://oss-cn-beijing.aliyuncs.com").expect("parses");
        assert_eq!(
            kms_endpoint(&real, "cn-beijing", false, None).url(),
            "https://kms.cn-beijing.aliyuncs.com"
        );
        assert_eq!(
            kms_endpoint(&real, "cn-beijing", true, None).url(),
            "https://kms-vpc.cn-beijing.aliyuncs.com"
        );
        let local = Endpoint::parse("http://127.0.0.1:9001").expect("parses");
        assert_eq!(
            kms_endpoint(&local, "cn-shanghai", true, None).url(),
            "http://127.0.0.1:9001"
        );
        let proxy = Endpoint::parse("https://oss.example.com:8443").expect("parses");
        assert_eq!(
            kms_endpoint(&proxy, "cn-shanghai", false, None).url(),
            "https://oss.example.com:8443"
        );
        let explicit = Endpoint::parse("https://kms.example.com").expect("parses");
        assert_eq!(
            kms_endpoint(&real, "cn-beijing", true, Some(&explicit)),
            explicit
        );
    }
}

//! KMS (API 2016-01-20): the calls ossguard makes, their JSON answers, and whether a key can
//! protect a bucket ([`health`]).
//!
//! Shapes follow the KMS API reference (ListKeys, DescribeKey, ListAliases,
//! ListAliasesByKeyId). Fields ossguard does not use are ignored; missing ones default, so a
//! newer KMS answer still reads.

pub mod health;
pub mod key_region;

use serde::{Deserialize, Serialize};

use super::rpc::KMS;
use super::sign::rpc::RpcCall;

/// The largest page KMS serves (`PageSize` 1-100).
pub const MAX_PAGE_SIZE: u32 = 100;

/// A key's metadata as DescribeKey returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyMetadata {
    pub key_id: String,
    pub arn: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`.
    pub key_state: String,
    /// `Aliyun_AES_256`, `Aliyun_SM4`, or an asymmetric spec (`RSA_2048`, `EC_P256`, ...).
    pub key_spec: String,
    /// `ENCRYPT/DECRYPT` or `SIGN/VERIFY`.
    pub key_usage: String,
    /// `Aliyun_KMS`, or `EXTERNAL` for BYOK.
    pub origin: String,
    /// `SOFTWARE` or `HSM`.
    pub protection_level: String,
    pub creator: String,
    pub creation_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_date: Option<String>,
    pub description: String,
}

/// One alias of a key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Alias {
    /// `alias/<name>`.
    pub alias_name: String,
    pub alias_arn: String,
    pub key_id: String,
}

/// One entry of a ListKeys page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyRef {
    pub key_id: String,
    pub key_arn: String,
}

/// A page of a paginated KMS listing (`TotalCount`, `PageNumber`, `PageSize`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PageInfo {
    pub total_count: u64,
    pub page_number: u64,
    pub page_size: u64,
}

impl PageInfo {
    /// Whether a page after this one exists; a page that reports nothing sane ends the walk.
    pub fn has_more(&self, seen_so_far: u64) -> bool {
        self.page_size > 0 && seen_so_far < self.total_count
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeysList {
    pub key: Vec<KeyRef>,
}

/// The ListKeys answer. `Keys` is required (as `KeyMetadata` and `Aliases` below): a JSON
/// answer without it is not this call's answer, and must not read as "no keys". Whether KMS
/// omits it for an account without keys is unconfirmed; then the listing errs rather than
/// reports nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysPage {
    pub keys: KeysList,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AliasList {
    pub alias: Vec<Alias>,
}

/// The ListAliases / ListAliasesByKeyId answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesPage {
    pub aliases: AliasList,
    #[serde(flatten)]
    pub page: PageInfo,
}

/// The DescribeKey answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeKeyAnswer {
    pub key_metadata: KeyMetadata,
}

pub fn list_keys(page_number: u32, page_size: u32) -> RpcCall {
    KMS.call("ListKeys")
        .param("PageNumber", page_number.to_string())
        .param("PageSize", page_size.to_string())
}

pub fn list_aliases(page_number: u32, page_size: u32) -> RpcCall {
    KMS.call("ListAliases")
        .param("PageNumber", page_number.to_string())
        .param("PageSize", page_size.to_string())
}

pub fn list_aliases_by_key_id(key_id: &str, page_number: u32, page_size: u32) -> RpcCall {
    KMS.call("ListAliasesByKeyId")
        .param("KeyId", key_id)
        .param("PageNumber", page_number.to_string())
        .param("PageSize", page_size.to_string())
}

/// `key` may be a key ID, an ARN or an alias (`alias/...`).
pub fn describe_key(key: &str) -> RpcCall {
    KMS.call("DescribeKey").param("KeyId", key)
}

/// The region named in a KMS ARN (`acs:kms:<region>:<uid>:key/<id>`).
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("acs"), Some("kms"), Some(region)) if !region.is_empty() => Some(region),
        _ => None,
    }
}

/// A key's aliases in name order (the first is the one shown).
pub fn sorted_alias_names<'a>(aliases: impl IntoIterator<Item = &'a Alias>) -> Vec<String> {
    let mut names: Vec<String> = aliases.into_iter().map(|a| a.alias_name.clone()).collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::{DescribeKeyAnswer, ListAliasesPage, ListKeysPage, arn_region};

    #[test]
    fn reads_the_documented_answers() {
        let page: ListKeysPage = serde_json::from_str(
            r#"{"Keys":{"Key":[{"KeyId":"k1","KeyArn":"acs:kms:cn-hangzhou:123:key/k1"}]},"TotalCount":101,"PageNumber":1,"PageSize":100,"RequestId":"r"}"#,
        )
        .expect("parses");
        assert_eq!(page.keys.key[0].key_id, "k1");
        assert!(page.page.has_more(100));
        assert!(!page.page.has_more(101));
        let described: DescribeKeyAnswer = serde_json::from_str(
            r#"{"KeyMetadata":{"KeyId":"k1","KeyState":"PendingDeletion","DeleteDate":"2026-12-31T00:00:00Z","KeySpec":"Aliyun_AES_256","Origin":"EXTERNAL","ProtectionLevel":"HSM","AutomaticRotation":"Disabled"},"RequestId":"r"}"#,
        )
        .expect("parses");
        let meta = described.key_metadata;
        assert_eq!(meta.key_state, "PendingDeletion");
        assert_eq!(meta.delete_date.as_deref(), Some("2026-12-31T00:00:00Z"));
        assert_eq!(meta.origin, "EXTERNAL");
        let aliases: ListAliasesPage = serde_json::from_str(
            r#"{"Aliases":{"Alias":[{"AliasName":"alias/a","AliasArn":"x","KeyId":"k1"}]},"TotalCount":1,"PageNumber":1,"PageSize":50}"#,
        )
        .expect("parses");
        assert_eq!(aliases.aliases.alias[0].alias_name, "alias/a");
        assert_eq!(
            arn_region("acs:kms:cn-beijing:123:key/key-1"),
            Some("cn-beijing")
        );
        assert_eq!(arn_region("key-1"), None);
    }
}

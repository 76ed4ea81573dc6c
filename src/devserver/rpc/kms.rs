//! KMS 2016-01-20 on every region's port: ListKeys, DescribeKey, ListAliases,
//! ListAliasesByKeyId over the keys kept in `<data>/kms-keys.json` (seeded by `--demo`).
//!
//! Keys are read-only here (ossguard never creates keys), so the file is read once at start;
//! tests write it before starting the server. A port answers for its own region's keys only,
//! like `kms.<region>.aliyuncs.com`.

use std::path::Path;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{RpcFault, RpcRequest};
use crate::core::kms::{KeyMetadata, MAX_PAGE_SIZE, arn_region};
use crate::devserver::server::RegionState;

/// The file, in the data dir, that holds the keys.
pub(crate) const KEYS_FILE: &str = "kms-keys.json";

/// One key and the region it lives in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeyRecord {
    pub region: String,
    pub metadata: KeyMetadata,
    /// `alias/<name>` values.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Everything KMS knows, as stored in [`KEYS_FILE`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KmsData {
    #[serde(default)]
    pub keys: Vec<KeyRecord>,
    /// Regions where KMS is not activated (every call: Forbidden.KmsServiceNotEnabled).
    #[serde(default)]
    pub not_activated: Vec<String>,
    /// RAM actions (`kms:DescribeKey`, ...) the server's key is denied: a stand-in for a RAM
    /// policy, for tests of "KMS could not be asked".
    #[serde(default)]
    pub denied_actions: Vec<String>,
}

impl KmsData {
    /// Reads [`KEYS_FILE`]; `None` when there is none yet.
    pub fn load(dir: &Path) -> anyhow::Result<Option<Self>> {
        let path = dir.join(KEYS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                Ok(Some(serde_json::from_slice(&bytes).map_err(|e| {
                    anyhow::anyhow!("reading {}: {e}", path.display())
                })?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::anyhow!("reading {}: {e}", path.display())),
        }
    }

    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        crate::devserver::store::write_atomic(
            &dir.join(KEYS_FILE),
            &crate::devserver::store::to_json(self),
            true,
        )
    }

    /// This region's keys, sorted by key ID.
    fn region_keys(&self, region: &str) -> Vec<&KeyRecord> {
        let mut keys: Vec<&KeyRecord> = self.keys.iter().filter(|k| k.region == region).collect();
        keys.sort_by(|a, b| a.metadata.key_id.cmp(&b.metadata.key_id));
        keys
    }

    /// A key of `region` by ID, ARN or alias (plain or as an alias ARN).
    fn find(&self, region: &str, wanted: &str) -> Option<&KeyRecord> {
        if arn_region(wanted).is_some_and(|r| r != region) {
            return None;
        }
        let resource = wanted
            .strip_prefix("acs:kms:")
            .and_then(|rest| rest.splitn(3, ':').nth(2))
            .unwrap_or(wanted);
        let id = resource.strip_prefix("key/").unwrap_or(resource);
        self.region_keys(region)
            .into_iter()
            .find(|k| k.metadata.key_id == id || k.aliases.iter().any(|a| a == id))
    }
}

/// Answers one verified KMS call on `st`'s region.
pub(crate) fn handle(st: &RegionState, call: &RpcRequest) -> Result<Map<String, Value>, RpcFault> {
    let data = &st.shared.kms;
    let region = st.region.as_str();
    if data.not_activated.iter().any(|r| r == region) {
        return Err(RpcFault::new(
            StatusCode::FORBIDDEN,
            "Forbidden.KmsServiceNotEnabled",
            "The KMS service is not enabled.",
        ));
    }
    let ram_action = crate::core::rpc::KMS.ram_action(&call.action);
    if data.denied_actions.contains(&ram_action) {
        return Err(RpcFault::new(
            StatusCode::FORBIDDEN,
            "Forbidden.NoPermission",
            format!("This action is forbidden: {ram_action}."),
        ));
    }
    let answer = match call.action.as_str() {
        "ListKeys" => {
            let keys: Vec<Value> = data
                .region_keys(region)
                .into_iter()
                .map(|k| json!({"KeyId": k.metadata.key_id, "KeyArn": k.metadata.arn}))
                .collect();
            page(call, keys, "Keys", "Key")?
        }
        "DescribeKey" => {
            let key = find_key(data, region, call.required("KeyId")?)?;
            let mut metadata = serde_json::to_value(&key.metadata).unwrap_or_default();
            if let Some(fields) = metadata.as_object_mut() {
                fields.retain(|_, v| !v.is_null());
            }
            Map::from_iter([("KeyMetadata".to_owned(), metadata)])
        }
        "ListAliases" => {
            let mut aliases: Vec<(&str, &KeyRecord)> = data
                .region_keys(region)
                .into_iter()
                .flat_map(|k| k.aliases.iter().map(move |a| (a.as_str(), k)))
                .collect();
            aliases.sort_by_key(|(name, _)| *name);
            let items = aliases
                .into_iter()
                .map(|(name, key)| alias_json(name, key))
                .collect();
            page(call, items, "Aliases", "Alias")?
        }
        "ListAliasesByKeyId" => {
            let key = find_key(data, region, call.required("KeyId")?)?;
            let mut names: Vec<&String> = key.aliases.iter().collect();
            names.sort();
            let items = names.into_iter().map(|a| alias_json(a, key)).collect();
            page(call, items, "Aliases", "Alias")?
        }
        _ => {
            return Err(RpcFault::new(
                StatusCode::NOT_FOUND,
                "InvalidAction.NotFound",
                format!(
                    "Specified api is not found, please check your url and method: {}.",
                    call.action
                ),
            ));
        }
    };
    Ok(answer)
}

fn find_key<'d>(data: &'d KmsData, region: &str, wanted: &str) -> Result<&'d KeyRecord, RpcFault> {
    data.find(region, wanted).ok_or_else(|| {
        RpcFault::new(
            StatusCode::NOT_FOUND,
            "Forbidden.KeyNotFound",
            "The specified Key is not found.",
        )
    })
}

fn alias_json(name: &str, key: &KeyRecord) -> Value {
    let prefix = key
        .metadata
        .arn
        .rsplit_once(':')
        .map_or(String::new(), |(p, _)| p.to_owned());
    json!({
        "AliasName": name,
        "AliasArn": format!("{prefix}:{name}"),
        "KeyId": key.metadata.key_id,
    })
}

/// One page of `items` as `{<outer>: {<inner>: [...]}, TotalCount, PageNumber, PageSize}`;
/// PageNumber from 1, PageSize 1-100 (default 10).
fn page(
    call: &RpcRequest,
    items: Vec<Value>,
    outer: &str,
    inner: &str,
) -> Result<Map<String, Value>, RpcFault> {
    let number = number_param(call, "PageNumber", 1, u32::MAX)?;
    let size = number_param(call, "PageSize", 10, MAX_PAGE_SIZE)?;
    let total = items.len();
    let start = usize::try_from(u64::from(number - 1) * u64::from(size)).unwrap_or(usize::MAX);
    let chunk: Vec<Value> = items.into_iter().skip(start).take(size as usize).collect();
    Ok(Map::from_iter([
        (outer.to_owned(), json!({ inner: chunk })),
        ("TotalCount".to_owned(), json!(total)),
        ("PageNumber".to_owned(), json!(number)),
        ("PageSize".to_owned(), json!(size)),
    ]))
}

fn number_param(call: &RpcRequest, name: &str, default: u32, max: u32) -> Result<u32, RpcFault> {
    let Some(raw) = call.param(name) else {
        return Ok(default);
    };
    raw.parse::<u32>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| RpcFault::invalid_parameter(name, raw))
}

#[cfg(test)]
mod tests {
    use super::{KeyRecord, KmsData};
    use crate::core::kms::KeyMetadata;

    #[test]
    fn finds_by_id_arn_and_alias_in_its_region_only() {
        let data = KmsData {
            keys: vec![KeyRecord {
                region: "cn-hangzhou".into(),
                metadata: KeyMetadata {
                    key_id: "key-hz1".into(),
                    arn: "acs:kms:cn-hangzhou:1:key/key-hz1".into(),
                    ..Default::default()
                },
                aliases: vec!["alias/prod".into()],
            }],
            ..Default::default()
        };
        let found = |region, wanted| data.find(region, wanted).map(|k| k.metadata.key_id.clone());
        assert_eq!(found("cn-hangzhou", "key-hz1").as_deref(), Some("key-hz1"));
        assert_eq!(
            found("cn-hangzhou", "acs:kms:cn-hangzhou:1:key/key-hz1").as_deref(),
            Some("key-hz1")
        );
        assert_eq!(
            found("cn-hangzhou", "alias/prod").as_deref(),
            Some("key-hz1")
        );
        assert_eq!(
            found("cn-hangzhou", "acs:kms:cn-hangzhou:1:alias/prod").as_deref(),
            Some("key-hz1")
        );
        assert_eq!(found("cn-shanghai", "key-hz1"), None);
        assert_eq!(
            found("cn-hangzhou", "acs:kms:cn-shanghai:1:key/key-hz1"),
            None
        );
        assert_eq!(found("cn-hangzhou", "key-other"), None);
    }
}

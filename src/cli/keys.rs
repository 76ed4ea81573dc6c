//! `ossguard keys [--regions ID,...]`: the KMS keys of regions as a table, JSON or CSV,
//! sorted by region then key ID.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::export::csv_safe;
use crate::transport::kms::{KeyListing, KmsClient};
use crate::transport::{Endpoint, OssClient};

use super::args::Format;
use super::commands::CliError;
use super::output::terminal_safe;

/// One key as `keys` prints it (JSON field for field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRow {
    pub region: String,
    pub key_id: String,
    pub arn: String,
    pub aliases: Vec<String>,
    pub state: String,
    pub key_spec: String,
    pub key_usage: String,
    pub origin: String,
    pub protection_level: String,
    pub creator: String,
    pub creation_date: String,
    pub delete_date: Option<String>,
}

impl From<KeyListing> for KeyRow {
    fn from(key: KeyListing) -> Self {
        let m = key.metadata;
        Self {
            region: key.region,
            key_id: m.key_id,
            arn: m.arn,
            aliases: key.aliases,
            state: m.key_state,
            key_spec: m.key_spec,
            key_usage: m.key_usage,
            origin: m.origin,
            protection_level: m.protection_level,
            creator: m.creator,
            creation_date: m.creation_date,
            delete_date: m.delete_date,
        }
    }
}

const CSV_HEADER: [&str; 12] = [
    "region",
    "key_id",
    "arn",
    "aliases",
    "state",
    "key_spec",
    "key_usage",
    "origin",
    "protection_level",
    "creator",
    "creation_date",
    "delete_date",
];

/// Lists the keys of `regions` (default: every region with a bucket). A region whose keys
/// cannot be listed is reported with its hint, the others are still printed, and the exit
/// code says it failed.
pub async fn keys(
    client: &OssClient,
    regions: &[String],
    explicit: Option<Endpoint>,
    format: Format,
) -> Result<(), CliError> {
    // A mistyped region is refused before anything is sent.
    for region in regions.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        crate::core::validate::region_id(region).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    // A region's OSS endpoint (where the dev server or a proxy also serves KMS) comes from its
    // buckets; without oss:ListBuckets the named regions are still asked, at the default place.
    let listed = client.list_buckets(None).await;
    let mut hosts: BTreeMap<String, String> = BTreeMap::new();
    match &listed {
        Ok(buckets) => {
            for bucket in buckets {
                hosts
                    .entry(bucket.region.clone())
                    .or_insert_with(|| bucket.extranet_endpoint.clone());
            }
        }
        Err(e) if regions.is_empty() => return Err(CliError::Oss(e.clone())),
        Err(_) => {}
    }
    let wanted: Vec<String> = if regions.is_empty() {
        hosts.keys().cloned().collect()
    } else {
        let mut named: Vec<String> = regions.iter().map(|r| r.trim().to_owned()).collect();
        named.retain(|r| !r.is_empty());
        named.sort();
        named.dedup();
        named
    };
    let kms = KmsClient::new(client.clone(), explicit);
    let mut rows = Vec::new();
    let mut failed = 0;
    for region in &wanted {
        match kms
            .list_region_keys(region, hosts.get(region).map(String::as_str))
            .await
        {
            Ok(keys) => rows.extend(keys.into_iter().map(KeyRow::from)),
            Err(e) => {
                failed += 1;
                eprintln!(
                    "error: {region}: {}: {}\nhint: {}",
                    terminal_safe(e.code()),
                    terminal_safe(&e.message()),
                    terminal_safe(&e.hint())
                );
            }
        }
    }
    rows.sort_by(|a, b| (&a.region, &a.key_id).cmp(&(&b.region, &b.key_id)));
    print!("{}", render(&rows, format));
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "the keys of {failed} region(s) could not be listed"
        )))
    }
}

fn render(rows: &[KeyRow], format: Format) -> String {
    match format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into())
        ),
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            let mut ok = writer.write_record(CSV_HEADER).is_ok();
            for row in rows {
                ok &= writer
                    .write_record(cells(row).iter().map(|c| csv_safe(c)))
                    .is_ok();
            }
            debug_assert!(ok, "writing CSV to memory cannot fail");
            String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
        }
        Format::Table => {
            let header = [
                "REGION",
                "KEY ID",
                "ALIASES",
                "STATE",
                "SPEC",
                "ORIGIN",
                "PROTECTION",
            ];
            let lines: Vec<[String; 7]> = rows
                .iter()
                .map(|r| {
                    [
                        r.region.clone(),
                        r.key_id.clone(),
                        r.aliases.join(" "),
                        r.state.clone(),
                        r.key_spec.clone(),
                        r.origin.clone(),
                        r.protection_level.clone(),
                    ]
                    .map(|c| terminal_safe(&c))
                })
                .collect();
            let mut widths = header.map(str::len);
            for line in &lines {
                for (w, cell) in widths.iter_mut().zip(line) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            let format_line = |cells: Vec<&str>| {
                let text: Vec<String> = cells
                    .iter()
                    .zip(widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect();
                text.join("  ").trim_end().to_owned() + "\n"
            };
            let mut out = format_line(header.to_vec());
            for line in &lines {
                out.push_str(&format_line(line.iter().map(String::as_str).collect()));
            }
            out
        }
    }
}

fn cells(row: &KeyRow) -> [String; 12] {
    [
        row.region.clone(),
        row.key_id.clone(),
        row.arn.clone(),
        row.aliases.join(";"),
        row.state.clone(),
        row.key_spec.clone(),
        row.key_usage.clone(),
        row.origin.clone(),
        row.protection_level.clone(),
        row.creator.clone(),
        row.creation_date.clone(),
        row.delete_date.clone().unwrap_or_default(),
    ]
}

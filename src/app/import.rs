//! Reading credentials users already have: the ossutil config file (INI), the Alibaba Cloud
//! CLI's `~/.aliyun/config.json` ([`aliyun`](super::import_aliyun)) and the AccessKey CSV the
//! RAM console lets them download. Pure: text in, profiles out.

use crate::core::model::region_from_endpoint_host;
use std::collections::HashMap;

use crate::app::profile::CredentialSettings;
use crate::core::secret::Secret;
use crate::core::sign::SignatureVersion;

/// One set of credentials found in a file, for the profile form to prefill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedProfile {
    pub name: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub sts_token: Option<Secret>,
    /// When the STS token expires, where the file says (not a secret).
    pub sts_expiration: Option<chrono::DateTime<chrono::Utc>>,
    pub signature_version: Option<SignatureVersion>,
    /// RAM-role and ECS-role settings (Alibaba Cloud CLI modes RamRoleArn, EcsRamRole).
    pub source: CredentialSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("no AccessKey ID and secret found in the file")]
    NothingFound,
    #[error("the CSV has no \"AccessKey ID\" and \"AccessKey Secret\" columns")]
    CsvColumns,
    #[error("the CSV cannot be read: {0}")]
    Csv(String),
    #[error("the Alibaba Cloud CLI config cannot be read: {0}")]
    Json(String),
}

/// Reads either format, telling them apart by the CSV header.
pub fn parse(text: &str) -> Result<Vec<ImportedProfile>, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim_start().starts_with('{') {
        return super::import_aliyun::parse_aliyun_config(text);
    }
    if first.contains(',') && normalize(first).contains("accesskeyid") {
        parse_access_key_csv(text).map(|p| vec![p])
    } else {
        parse_ossutil_config(text)
    }
}

/// Lower-cases and drops `-`, `_` and spaces: `access-key-id` = `accessKeyID` = `AccessKey ID`.
fn normalize(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

fn unquote(value: &str) -> &str {
    let v = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// The console's `AccessKey ID,AccessKey Secret` file: columns by header name, first row.
pub fn parse_access_key_csv(text: &str) -> Result<ImportedProfile, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ImportError::Csv(e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| normalize(unquote(h)) == name);
    let (Some(id_col), Some(secret_col)) = (column("accesskeyid"), column("accesskeysecret"))
    else {
        return Err(ImportError::CsvColumns);
    };
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Csv(e.to_string()))?;
        let id = record.get(id_col).map(unquote).unwrap_or_default();
        let secret = record.get(secret_col).map(unquote).unwrap_or_default();
        if !id.is_empty() && !secret.is_empty() {
            return Ok(ImportedProfile {
                name: "imported".to_owned(),
                endpoint: None,
                region: None,
                access_key_id: id.to_owned(),
                access_key_secret: Secret::from(secret),
                sts_token: None,
                sts_expiration: None,
                signature_version: None,
                source: CredentialSettings::default(),
            });
        }
    }
    Err(ImportError::NothingFound)
}

/// ossutil 1 and 2 config files. Profiles without a key pair are skipped.
pub fn parse_ossutil_config(text: &str) -> Result<Vec<ImportedProfile>, ImportError> {
    let mut sections: Vec<(String, HashMap<String, String>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((section_name(header), HashMap::new()));
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if let Some((_, keys)) = sections.last_mut() {
            keys.insert(normalize(key), unquote(value).to_owned());
        }
    }
    let lookup: HashMap<&str, &HashMap<String, String>> =
        sections.iter().map(|(n, k)| (n.as_str(), k)).collect();
    let mut found = Vec::new();
    for (name, _) in &sections {
        if name.is_empty() {
            continue;
        }
        let get = |key: &str| resolve(&lookup, name, key);
        let (Some(id), Some(secret)) = (get("accesskeyid"), get("accesskeysecret")) else {
            continue;
        };
        let mut endpoint = get("endpoint").map(|e| {
            if e.contains("://") {
                e
            } else {
                format!("https://{e}")
            }
        });
        let region =
            get("region").or_else(|| endpoint.as_deref().and_then(region_from_endpoint_host));
        if endpoint.is_none() {
            endpoint = region
                .as_deref()
                .map(|r| format!("https://oss-{r}.aliyuncs.com"));
        }
        found.push(ImportedProfile {
            name: name.clone(),
            endpoint,
            region,
            access_key_id: id,
            access_key_secret: Secret::from(secret),
            sts_token: get("ststoken").filter(|t| !t.is_empty()).map(Secret::from),
            sts_expiration: None,
            signature_version: get("signversion").and_then(|v| SignatureVersion::parse(&v)),
            source: CredentialSettings::default(),
        });
    }
    if found.is_empty() {
        Err(ImportError::NothingFound)
    } else {
        Ok(found)
    }
}

/// `[default]` and `[profile default]` are one profile; `[Credentials]` is ossutil 1's.
/// Sections that are not profiles (`[buckets x]`, `[Bucket-Endpoint]`) get an empty name.
fn section_name(header: &str) -> String {
    let header = header.trim();
    let lower = header.to_lowercase();
    if lower == "default" {
        return "default".to_owned();
    }
    if lower == "credentials" {
        return "ossutil".to_owned();
    }
    match header.split_once(char::is_whitespace) {
        Some((kind, name)) if kind.eq_ignore_ascii_case("profile") => name.trim().to_owned(),
        _ => String::new(),
    }
}

/// A key's value, following `source_profile` (at most a few hops, loops ignored).
fn resolve(
    sections: &HashMap<&str, &HashMap<String, String>>,
    name: &str,
    key: &str,
) -> Option<String> {
    let mut current = name.to_owned();
    for _ in 0..8 {
        let keys = sections.get(current.as_str())?;
        if let Some(value) = keys.get(key).filter(|v| !v.is_empty()) {
            return Some(value.clone());
        }
        current = keys.get("sourceprofile")?.clone();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{ImportError, parse};
    use crate::core::sign::SignatureVersion;

    #[test]
    fn ossutil2_profiles_with_key_spellings_and_inheritance() {
        let text = r#"
# comment
[default]
accessKeyID = LTAIdefault
accessKeySecret = "secret-default"
region = cn-hangzhou

[profile audit]
mode = StsToken
access-key-id = STS.abc
access_key_secret = 'secret-audit'
sts-token = tok
region = cn-shanghai
endpoint = https://oss-cn-shanghai.aliyuncs.com
sign-version = v1

[profile child]
source_profile = default
region = cn-beijing

[buckets mybucket]
region = cn-hangzhou
"#;
        let found = parse(text).expect("parsed");
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].name, "default");
        assert_eq!(found[0].access_key_id, "LTAIdefault");
        assert_eq!(found[0].access_key_secret.as_str(), "secret-default");
        assert_eq!(
            found[0].endpoint.as_deref(),
            Some("https://oss-cn-hangzhou.aliyuncs.com")
        );
        assert_eq!(found[1].name, "audit");
        assert_eq!(
            found[1].sts_token.as_deref().map(String::as_str),
            Some("tok")
        );
        assert_eq!(found[1].signature_version, Some(SignatureVersion::V1));
        assert_eq!(found[2].name, "child");
        assert_eq!(found[2].access_key_id, "LTAIdefault");
        assert_eq!(found[2].region.as_deref(), Some("cn-beijing"));
        let shown = format!("{found:?}");
        assert!(!shown.contains("secret-default") && !shown.contains("tok\""));
    }

    #[test]
    fn ossutil1_credentials_section_derives_region() {
        let text = "[Credentials]\nlanguage=EN\nendpoint=oss-cn-qingdao.aliyuncs.com\naccessKeyID=LTAIold\naccessKeySecret=s\n[Bucket-Endpoint]\n";
        let found = parse(text).expect("parsed");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "ossutil");
        assert_eq!(found[0].region.as_deref(), Some("cn-qingdao"));
        assert_eq!(
            found[0].endpoint.as_deref(),
            Some("https://oss-cn-qingdao.aliyuncs.com")
        );
    }

    #[test]
    fn console_csv_with_bom_quotes_and_extra_columns() {
        let text = "\u{feff}AccessKey ID,AccessKey Secret,Note\n\"LTAIcsv\",\"csv-secret\",x\n";
        let found = parse(text).expect("parsed");
        assert_eq!(found[0].access_key_id, "LTAIcsv");
        assert_eq!(found[0].access_key_secret.as_str(), "csv-secret");
        assert_eq!(
            parse("AccessKey ID,Other\nLTAI,x\n"),
            Err(ImportError::CsvColumns)
        );
        assert_eq!(
            parse("[default]\nregion=x\n"),
            Err(ImportError::NothingFound)
        );
    }
}

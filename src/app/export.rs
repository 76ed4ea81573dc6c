//! The audit row: one bucket's encryption as the CLI prints it and the app exports it.
//! JSON and CSV share these fields so scripts can switch formats freely. New fields are
//! added at the end of [`AuditRow`] and of [`CSV_COLUMNS`]; existing ones keep their meaning.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::app::event::ExportFormat;
use crate::app::view::Category;
use crate::core::kms::health::KeyHealth;
use crate::core::model::Bucket;
use crate::core::sse::{EncryptionState, RuleFields};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub name: String,
    pub region: String,
    pub location: String,
    /// The ExtranetEndpoint exactly as ListBuckets returned it.
    pub endpoint: String,
    /// `sse_algorithm`, `kms_master_key_id`, `kms_data_encryption` (null: no rule).
    #[serde(flatten)]
    pub rule: RuleFields,
    pub error: Option<AuditError>,
    /// The health of the CMK the rule names; null when it names none (or could not be read).
    pub kms_key: Option<KeyHealth>,
    /// Which account the bucket belongs to: only in audits of several profiles, so that
    /// single-profile output keeps its fields.
    #[serde(flatten)]
    pub account: Option<AccountTag>,
    /// The encryption category: `not_encrypted`, `aes256`, `kms`, `kms_sm4`, `sm4`, `unknown`.
    pub state: &'static str,
    /// The bucket's CreationDate as ListBuckets returned it.
    pub created: String,
    /// When the rule was read from OSS (the app's export; the CLI reads as it prints).
    pub read_at: Option<DateTime<Utc>>,
    /// When the file was written (the app's export).
    pub exported_at: Option<DateTime<Utc>>,
}

/// The profile a row was read with and its account UID (from GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountTag {
    pub profile: String,
    /// A string: account UIDs are 16 digits, beyond what JSON numbers keep exactly in JS.
    pub account_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditError {
    pub code: String,
    /// OSS's `Message` verbatim.
    pub message: String,
    pub request_id: Option<String>,
    /// ossguard's plain-language advice.
    pub hint: String,
}

impl AuditRow {
    pub fn new(bucket: &Bucket, state: &EncryptionState) -> Self {
        let rule = state.rule();
        let error = match state {
            EncryptionState::Unknown(failure) => Some(AuditError {
                code: failure.code.clone(),
                message: failure.message.clone(),
                request_id: failure.request_id.clone(),
                hint: failure.hint.clone(),
            }),
            _ => None,
        };
        Self {
            name: bucket.name.to_string(),
            region: bucket.region.clone(),
            location: bucket.location.clone(),
            endpoint: bucket.extranet_endpoint.clone(),
            rule: RuleFields::of(rule),
            error,
            kms_key: None,
            account: None,
            state: Category::of(Some(state)).key(),
            created: bucket.creation_date.clone(),
            read_at: None,
            exported_at: None,
        }
    }

    /// The row with its key's health.
    pub fn with_key(mut self, health: Option<KeyHealth>) -> Self {
        self.kms_key = health;
        self
    }

    /// Whether the rule names a key that cannot protect the bucket (`--fail-on key-unusable`).
    pub fn key_unusable(&self) -> bool {
        self.kms_key.as_ref().and_then(|k| k.usable) == Some(false)
    }

    /// The row tagged with its profile and account.
    pub fn with_account(mut self, profile: &str, account_id: &str) -> Self {
        self.account = Some(AccountTag {
            profile: profile.to_owned(),
            account_id: account_id.to_owned(),
        });
        self
    }

    /// Stamps when the rule was read and when the export was written.
    pub fn with_times(
        mut self,
        read_at: Option<DateTime<Utc>>,
        exported_at: DateTime<Utc>,
    ) -> Self {
        self.read_at = read_at;
        self.exported_at = Some(exported_at);
        self
    }
}

/// `ossguard-<profile>-<YYYYMMDD-HHMMSS>.<ext>` (UTC): a fresh name per export, so two
/// exports never pick the same file by default. Characters a file name should not hold are
/// replaced by `_`.
pub fn default_file_name(profile: &str, at: DateTime<Utc>, format: ExportFormat) -> String {
    let profile: String = profile
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "ossguard-{profile}-{}.{}",
        at.format("%Y%m%d-%H%M%S"),
        format.extension()
    )
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn time(value: &Option<DateTime<Utc>>) -> String {
    value
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn error_field(row: &AuditRow, field: impl Fn(&AuditError) -> Option<String>) -> String {
    row.error.as_ref().and_then(field).unwrap_or_default()
}

fn key_field(row: &AuditRow, field: impl Fn(&KeyHealth) -> Option<String>) -> String {
    row.kms_key.as_ref().and_then(field).unwrap_or_default()
}

/// One CSV column: its header and how a row fills it.
type CsvColumn = (&'static str, fn(&AuditRow) -> String);

/// The CSV columns in order: the JSON fields with `error` and `kms_key` flattened. Add new ones at the end.
pub const CSV_COLUMNS: &[CsvColumn] = &[
    ("name", |r| r.name.clone()),
    ("region", |r| r.region.clone()),
    ("location", |r| r.location.clone()),
    ("endpoint", |r| r.endpoint.clone()),
    ("sse_algorithm", |r| text(&r.rule.sse_algorithm)),
    ("kms_master_key_id", |r| text(&r.rule.kms_master_key_id)),
    ("kms_data_encryption", |r| text(&r.rule.kms_data_encryption)),
    ("error_code", |r| error_field(r, |e| Some(e.code.clone()))),
    ("error_message", |r| {
        error_field(r, |e| Some(e.message.clone()))
    }),
    ("error_request_id", |r| {
        error_field(r, |e| e.request_id.clone())
    }),
    ("error_hint", |r| error_field(r, |e| Some(e.hint.clone()))),
    ("kms_key_state", |r| key_field(r, |k| k.state.clone())),
    ("kms_key_alias", |r| key_field(r, |k| k.alias.clone())),
    ("kms_key_origin", |r| key_field(r, |k| k.origin.clone())),
    ("kms_key_usable", |r| {
        key_field(r, |k| k.usable.map(|u| u.to_string()))
    }),
    ("kms_key_error_code", |r| {
        key_field(r, |k| k.error.as_ref().map(|e| e.code.clone()))
    }),
    ("state", |r| r.state.to_owned()),
    ("created", |r| r.created.clone()),
    ("read_at", |r| time(&r.read_at)),
    ("exported_at", |r| time(&r.exported_at)),
];

/// A cell a spreadsheet will not run as a formula. Key IDs and OSS messages are text anyone
/// with PutBucketEncryption can choose; a leading `=`, `+`, `-`, `@`, tab or CR would make
/// Excel or LibreOffice evaluate it when the administrator opens the export.
pub fn csv_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Rows sorted by name, as CSV text. Rows of several accounts get `profile` and `account_id`
/// columns in front.
pub fn to_csv(rows: &[AuditRow]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let tagged = rows.iter().any(|r| r.account.is_some());
    let account = |row: &AuditRow| {
        row.account.as_ref().map_or_else(
            || [String::new(), String::new()],
            |a| [a.profile.clone(), a.account_id.clone()],
        )
    };
    let header = ["profile", "account_id"]
        .into_iter()
        .filter(|_| tagged)
        .chain(CSV_COLUMNS.iter().map(|(header, _)| *header));
    let mut ok = writer.write_record(header).is_ok();
    for row in rows {
        let tag = account(row).into_iter().filter(|_| tagged);
        let cells = tag.chain(CSV_COLUMNS.iter().map(|(_, cell)| cell(row)));
        ok &= writer
            .write_record(cells.map(|cell| csv_safe(&cell)))
            .is_ok();
    }
    debug_assert!(ok, "writing CSV to memory cannot fail");
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Rows as a pretty JSON array.
pub fn to_json(rows: &[AuditRow]) -> String {
    serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::{AuditRow, to_csv, to_json};
    use crate::core::model::{Bucket, BucketName};
    use crate::core::sse::{EncryptionState, ReadFailure, SseRule};

    fn bucket(name: &str) -> Bucket {
        Bucket::in_region(BucketName::parse(name).expect("valid"), "cn-hangzhou")
    }

    #[test]
    fn account_fields_appear_only_on_tagged_rows() {
        let state = EncryptionState::Configured(SseRule::Aes256);
        let plain = AuditRow::new(&bucket("logs"), &state);
        let json = to_json(std::slice::from_ref(&plain));
        assert!(
            !json.contains("account_id") && !json.contains("\"profile\""),
            "{json}"
        );
        let csv = to_csv(std::slice::from_ref(&plain));
        assert!(csv.starts_with("name,"), "{csv}");

        let tagged = plain.with_account("prod", "1234567890123456");
        let json = to_json(std::slice::from_ref(&tagged));
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(value[0]["profile"], "prod");
        assert_eq!(
            value[0]["account_id"], "1234567890123456",
            "a string, not a number"
        );
        let csv = to_csv(&[tagged]);
        let mut lines = csv.lines();
        assert!(
            lines
                .next()
                .expect("header")
                .starts_with("profile,account_id,name,")
        );
        assert!(
            lines
                .next()
                .expect("row")
                .starts_with("prod,1234567890123456,logs,")
        );
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        use super::csv_safe;
        assert_eq!(
            csv_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("key-abc"), "key-abc");
        let rows = vec![AuditRow::new(
            &bucket("planted"),
            &EncryptionState::Configured(SseRule::Kms {
                key_id: Some("=cmd|'/c calc'!A1".into()),
                sm4_data: false,
            }),
        )];
        assert!(to_csv(&rows).contains(",'=cmd|"), "{}", to_csv(&rows));
    }

    #[test]
    fn json_fields_match_the_interface() {
        let rows = vec![
            AuditRow::new(
                &bucket("a-kms"),
                &EncryptionState::Configured(SseRule::Kms {
                    key_id: Some("k1".into()),
                    sm4_data: true,
                }),
            ),
            AuditRow::new(
                &bucket("b-denied"),
                &EncryptionState::Unknown(ReadFailure {
                    code: "AccessDenied".into(),
                    message: "You have no right".into(),
                    request_id: Some("RID".into()),
                    hint: "allow oss:GetBucketEncryption".into(),
                }),
            ),
        ];
        let value: serde_json::Value = serde_json::from_str(&to_json(&rows)).expect("json");
        assert_eq!(value[0]["sse_algorithm"], "KMS");
        assert_eq!(value[0]["kms_master_key_id"], "k1");
        assert_eq!(value[0]["kms_data_encryption"], "SM4");
        assert_eq!(value[0]["location"], "oss-cn-hangzhou");
        assert!(value[0]["error"].is_null());
        assert!(value[1]["sse_algorithm"].is_null());
        assert_eq!(value[1]["error"]["code"], "AccessDenied");
        assert_eq!(value[1]["error"]["request_id"], "RID");
        let csv = to_csv(&rows);
        let mut lines = csv.lines();
        assert!(
            lines
                .next()
                .is_some_and(|h| h.starts_with("name,region,location,endpoint,sse_algorithm"))
        );
        assert!(
            lines
                .next()
                .is_some_and(|l| l.starts_with("a-kms,cn-hangzhou,oss-cn-hangzhou,"))
        );
    }
}

//! The audit row: one bucket's encryption as the CLI prints it and the app exports it.
//! JSON and CSV share these fields so scripts can switch formats freely.

use serde::Serialize;

use crate::core::kms::health::KeyHealth;
use crate::core::model::Bucket;
use crate::core::sse::EncryptionState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub name: String,
    pub region: String,
    pub location: String,
    /// The ExtranetEndpoint exactly as ListBuckets returned it.
    pub endpoint: String,
    pub sse_algorithm: Option<String>,
    pub kms_master_key_id: Option<String>,
    pub kms_data_encryption: Option<String>,
    pub error: Option<AuditError>,
    /// The health of the CMK the rule names; null when it names none (or could not be read).
    pub kms_key: Option<KeyHealth>,
    /// Which account the bucket belongs to: only in audits of several profiles, so that
    /// single-profile output keeps its fields.
    #[serde(flatten)]
    pub account: Option<AccountTag>,
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
            sse_algorithm: rule.map(|r| r.algorithm().to_owned()),
            kms_master_key_id: rule.and_then(|r| r.kms_key_id()).map(str::to_owned),
            kms_data_encryption: rule.and_then(|r| r.data_encryption()).map(str::to_owned),
            error,
            kms_key: None,
            account: None,
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
}

/// CSV column names: the JSON fields with `error` and `kms_key` flattened.
pub const CSV_HEADER: [&str; 16] = [
    "name",
    "region",
    "location",
    "endpoint",
    "sse_algorithm",
    "kms_master_key_id",
    "kms_data_encryption",
    "error_code",
    "error_message",
    "error_request_id",
    "error_hint",
    "kms_key_state",
    "kms_key_alias",
    "kms_key_origin",
    "kms_key_usable",
    "kms_key_error_code",
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
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let tagged = rows.iter().any(|r| r.account.is_some());
    let mut write = |mut record: Vec<String>, account: Option<[String; 2]>| {
        if let Some(account) = account.filter(|_| tagged) {
            record.splice(0..0, account);
        }
        writer
            .write_record(record.iter().map(|cell| csv_safe(cell)))
            .is_ok()
    };
    let mut ok = write(
        CSV_HEADER.iter().map(|h| (*h).to_owned()).collect(),
        Some(["profile".to_owned(), "account_id".to_owned()]),
    );
    for row in rows {
        let err = row.error.as_ref();
        let key = row.kms_key.as_ref();
        let account = row.account.as_ref().map_or_else(
            || [String::new(), String::new()],
            |a| [a.profile.clone(), a.account_id.clone()],
        );
        ok &= write(
            vec![
                row.name.clone(),
                row.region.clone(),
                row.location.clone(),
                row.endpoint.clone(),
                text(&row.sse_algorithm),
                text(&row.kms_master_key_id),
                text(&row.kms_data_encryption),
                err.map(|e| e.code.clone()).unwrap_or_default(),
                err.map(|e| e.message.clone()).unwrap_or_default(),
                err.and_then(|e| e.request_id.clone()).unwrap_or_default(),
                err.map(|e| e.hint.clone()).unwrap_or_default(),
                key.and_then(|k| k.state.clone()).unwrap_or_default(),
                key.and_then(|k| k.alias.clone()).unwrap_or_default(),
                key.and_then(|k| k.origin.clone()).unwrap_or_default(),
                key.and_then(|k| k.usable)
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
                key.and_then(|k| k.error.as_ref())
                    .map(|e| e.code.clone())
                    .unwrap_or_default(),
            ],
            Some(account),
        );
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

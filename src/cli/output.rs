//! Printing audit rows as a table, JSON or CSV.

use crate::app::changelog::ChangeRecord;
use crate::app::export::{AuditRow, to_csv};
use crate::core::kms::health::{KEY_CHECK_SKIPPED, KeyHealth};

use super::args::Format;

/// Renders a listing (sorted by name).
pub fn render_rows(rows: &[AuditRow], format: Format) -> String {
    match format {
        Format::Json => format!("{}\n", crate::app::export::to_json(rows)),
        Format::Csv => terminal_csv(&to_csv(rows)),
        Format::Table => table(rows),
    }
}

/// Renders one row: an object in JSON, a one-row table otherwise.
pub fn render_row(row: &AuditRow, format: Format) -> String {
    match format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(row).unwrap_or_else(|_| "{}".into())
        ),
        other => render_rows(std::slice::from_ref(row), other),
    }
}

/// The one sanitiser for text the CLI shows that came from the network or the change log
/// (bucket names, key IDs, error messages, hints): every control character, ESC, CR and LF
/// included, and the bidirectional overrides are shown as `?`, so a planted escape sequence
/// cannot rewrite the administrator's terminal and a line break cannot forge extra lines.
/// Table, CSV and stderr all go through it; JSON escapes control characters by itself.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi { '?' } else { c }
        })
        .collect()
}

/// CSV for the terminal: every field through [`terminal_safe`], quoting kept.
fn terminal_csv(text: &str) -> String {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for record in reader.records() {
        let Ok(record) = record else { continue };
        let fields: Vec<String> = record.iter().map(terminal_safe).collect();
        writer.write_record(&fields).ok();
    }
    String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
}

/// The table: one line per bucket, then a summary. An audit of several profiles adds
/// PROFILE and ACCOUNT (the same bucket name can be in two accounts).
fn table(rows: &[AuditRow]) -> String {
    let several = rows.iter().any(|r| r.account.is_some());
    let mut header = vec![
        "NAME",
        "REGION",
        "SSE",
        "KMS KEY ID",
        "KEY",
        "DATA ENC",
        "ERROR",
    ];
    if several {
        header.splice(0..0, ["PROFILE", "ACCOUNT"]);
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut cells = Vec::with_capacity(header.len());
            if let Some(tag) = r.account.as_ref().filter(|_| several) {
                cells.extend([tag.profile.clone(), tag.account_id.clone()]);
            } else if several {
                cells.extend(["-".to_owned(), "-".to_owned()]);
            }
            cells.extend([
                r.name.clone(),
                r.region.clone(),
                r.rule.sse_algorithm.clone().unwrap_or_else(|| {
                    if r.error.is_some() {
                        "?".into()
                    } else {
                        "None".into()
                    }
                }),
                r.rule
                    .kms_master_key_id
                    .clone()
                    .unwrap_or_else(|| "-".into()),
                key_cell(r.kms_key.as_ref()),
                r.rule
                    .kms_data_encryption
                    .clone()
                    .unwrap_or_else(|| "-".into()),
                r.error
                    .as_ref()
                    .map(|e| format!("{}: {}", e.code, e.hint))
                    .unwrap_or_default(),
            ]);
            cells.iter().map(|cell| terminal_safe(cell)).collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cols: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cols.iter().zip(&widths).enumerate() {
            if i + 1 == cols.len() {
                out.push_str(cell);
            } else {
                // Padded by characters, not bytes ("—" is one column, three bytes).
                let pad = w.saturating_sub(cell.chars().count());
                out.push_str(&format!("{cell}{}  ", " ".repeat(pad)));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.clone());
    for row in &cells {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    let unencrypted = rows
        .iter()
        .filter(|r| r.rule.sse_algorithm.is_none() && r.error.is_none())
        .count();
    let unknown = rows.iter().filter(|r| r.error.is_some()).count();
    let unusable = rows.iter().filter(|r| r.key_unusable()).count();
    out.push_str(&format!(
        "\n{}: {unencrypted} not encrypted, {unknown} unreadable, {unusable} key unusable\n",
        count(rows.len(), "bucket")
    ));
    out
}

/// The KEY cell: the state of the CMK the rule names (with the deletion date when one is
/// set), "skipped" when the check was skipped, "unknown (CODE)" when KMS could not be asked,
/// and "—" when the rule names no CMK.
fn key_cell(health: Option<&KeyHealth>) -> String {
    let Some(health) = health else {
        return "—".to_owned();
    };
    match (&health.state, &health.error) {
        (Some(state), _) => match &health.delete_date {
            Some(date) => format!("{state} {}", date.split('T').next().unwrap_or(date)),
            None => state.clone(),
        },
        (None, Some(error)) if error.code == KEY_CHECK_SKIPPED => "skipped".to_owned(),
        (None, Some(error)) => format!("unknown ({})", error.code),
        (None, None) => "unknown".to_owned(),
    }
}

/// "1 bucket", "2 buckets": a count with its noun.
pub(super) fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1) {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// One word for how a change ended.
fn outcome(r: &ChangeRecord) -> &'static str {
    match (r.interrupted(), r.written, r.verified) {
        (true, ..) => "interrupted",
        (_, _, true) => "verified",
        (_, true, false) => "unverified",
        (_, false, false) => "failed",
    }
}

/// Renders the change log: JSON lines as an array, CSV, or a table.
pub fn render_log(records: &[ChangeRecord], format: Format) -> String {
    match format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(records).unwrap_or_else(|_| "[]".into())
        ),
        Format::Csv | Format::Table => {
            let (delimiter, quoting) = match format {
                Format::Csv => (b',', csv::QuoteStyle::Necessary),
                _ => (b'\t', csv::QuoteStyle::Never),
            };
            let mut writer = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .quote_style(quoting)
                .from_writer(Vec::new());
            let mut ok = writer
                .write_record([
                    "time",
                    "id",
                    "profile",
                    "access_key_id",
                    "bucket",
                    "region",
                    "kind",
                    "before",
                    "after",
                    "outcome",
                    "request_id",
                    "error",
                    "undo_of",
                ])
                .is_ok();
            for r in records {
                let fields = [
                    r.time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    r.id.clone(),
                    r.profile.clone(),
                    r.access_key_id.clone(),
                    r.bucket.clone(),
                    r.region.clone(),
                    format!("{:?}", r.kind).to_lowercase(),
                    r.before.describe(),
                    r.after.describe(),
                    outcome(r).to_owned(),
                    r.request_id.clone().unwrap_or_default(),
                    r.error.clone().unwrap_or_default(),
                    r.undo_of.clone().unwrap_or_default(),
                ];
                ok &= writer
                    .write_record(fields.iter().map(|f| terminal_safe(f)))
                    .is_ok();
            }
            debug_assert!(ok, "writing to memory cannot fail");
            String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{terminal_csv, terminal_safe};

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(
            terminal_safe("key\u{1b}[2J\u{1b}]0;pwned\u{7}"),
            "key?[2J?]0;pwned?"
        );
        assert_eq!(terminal_safe("a\nhint: fake\r\u{202e}x"), "a?hint: fake??x");
        assert_eq!(terminal_safe("plain-key 中"), "plain-key 中");
        let csv = terminal_csv("name,error\r\nb,\"two\nlines \u{1b}[2J\"\r\n");
        assert_eq!(csv, "name,error\nb,two?lines ?[2J\n");
    }
}

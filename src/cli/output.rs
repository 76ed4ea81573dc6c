//! Printing audit rows as a table, JSON or CSV.

use crate::app::export::{AuditRow, to_csv};

use super::args::Format;

/// Renders a listing (sorted by name).
pub fn render_rows(rows: &[AuditRow], format: Format) -> String {
    match format {
        Format::Json => format!("{}\n", crate::app::export::to_json(rows)),
        Format::Csv => to_csv(rows),
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

fn table(rows: &[AuditRow]) -> String {
    let header = ["NAME", "REGION", "SSE", "KMS KEY ID", "DATA ENC", "ERROR"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.region.clone(),
                r.sse_algorithm.clone().unwrap_or_else(|| {
                    if r.error.is_some() {
                        "?".into()
                    } else {
                        "None".into()
                    }
                }),
                r.kms_master_key_id.clone().unwrap_or_else(|| "-".into()),
                r.kms_data_encryption.clone().unwrap_or_else(|| "-".into()),
                r.error
                    .as_ref()
                    .map(|e| format!("{}: {}", e.code, e.hint))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cols: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in &cells {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    let unencrypted = rows
        .iter()
        .filter(|r| r.sse_algorithm.is_none() && r.error.is_none())
        .count();
    let unknown = rows.iter().filter(|r| r.error.is_some()).count();
    out.push_str(&format!(
        "\n{} buckets: {unencrypted} not encrypted, {unknown} unreadable\n",
        rows.len()
    ));
    out
}

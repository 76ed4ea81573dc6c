//! What `ossguard objects` prints: the scan, the job's result and the dry run's plan as
//! one JSON object each; table and CSV show the same facts.

use serde_json::{Value, json};

use crate::app::objects::dry_run::DryRun;
use crate::app::objects::job::{JobRun, JobSpec};
use crate::app::objects::scan::ScanOptions;
use crate::core::objects::counters::{ScanCounters, Tally};
use crate::core::sse::{RuleFields, SseRule};

use super::args::Format;
use super::output::{count, terminal_safe};

fn rule_json(rule: Option<&SseRule>) -> Value {
    serde_json::to_value(RuleFields::of(rule)).unwrap_or(Value::Null)
}

fn tally(t: Tally) -> Value {
    json!({"objects": t.objects, "bytes": t.bytes})
}

pub fn scan_json(
    bucket: &str,
    region: &str,
    options: &ScanOptions,
    rule: Option<&SseRule>,
    c: &ScanCounters,
) -> Value {
    let by_encryption: Vec<Value> = c
        .encryption_classes()
        .into_iter()
        .map(|(sse, t)| {
            let mut entry = rule_json(sse.as_ref());
            entry["objects"] = t.objects.into();
            entry["bytes"] = t.bytes.into();
            entry
        })
        .collect();
    let by_class: serde_json::Map<String, Value> = c
        .by_storage_class
        .iter()
        .map(|(class, t)| (class.as_str().to_owned(), tally(*t)))
        .collect();
    json!({
        "bucket": bucket,
        "region": region,
        "prefix": options.prefix.clone().unwrap_or_default(),
        "rule": rule_json(rule),
        "objects": c.total.objects,
        "bytes": c.total.bytes,
        "by_encryption": by_encryption,
        "by_storage_class": by_class,
        "not_matching_rule": tally(c.not_matching_rule),
        "errors": c.errors,
        "truncated": c.truncated,
    })
}

pub fn encrypt_json(spec: &JobSpec, run: &JobRun) -> Value {
    let skipped: serde_json::Map<String, Value> = run
        .counters
        .skipped
        .iter()
        .map(|(reason, n)| (reason.as_str().to_owned(), (*n).into()))
        .collect();
    json!({
        "bucket": spec.bucket.name.to_string(),
        "prefix": spec.prefix.clone().unwrap_or_default(),
        "target": rule_json(Some(&spec.target)),
        "job_id": run.job_id,
        "planned": run.counters.planned,
        "copied": run.counters.copied,
        "already_ok": run.counters.already_ok,
        "skipped": skipped,
        "failed": run.counters.failed,
        "bytes_copied": run.counters.bytes_copied,
        "resumed": run.resumed,
    })
}

/// The plan as JSON (then table or CSV): the fields of the first version (`copy`,
/// `multipart_copy`, `bytes_to_copy`, ...) keep their meaning; the bytes per copy path,
/// the reasons' explanations, the versioning and its note, the encryption changes of objects
/// already encrypted and the warning when one loses protection were added beside them.
/// `refused`: why the pre-flight check would refuse a run (`preflight_problem`).
pub fn render_dry_run(
    spec: &JobSpec,
    plan: &DryRun,
    refused: Option<&str>,
    format: Format,
) -> String {
    let skipped: serde_json::Map<String, Value> = plan
        .skipped
        .iter()
        .map(|(reason, n)| (reason.as_str().to_owned(), (*n).into()))
        .collect();
    let skipped_why: serde_json::Map<String, Value> = plan
        .skipped
        .keys()
        .map(|reason| (reason.as_str().to_owned(), reason.why().into()))
        .collect();
    let report = json!({
        "bucket": spec.bucket.name.to_string(),
        "prefix": spec.prefix.clone().unwrap_or_default(),
        "target": rule_json(Some(&spec.target)),
        "dry_run": true,
        "planned": plan.planned,
        "copy": plan.copy,
        "copy_bytes": plan.copy_bytes,
        "multipart_copy": plan.multipart_copy,
        "multipart_copy_bytes": plan.multipart_copy_bytes,
        "already_ok": plan.already_ok,
        "skipped": skipped,
        "skipped_why": skipped_why,
        "failed": plan.failed,
        "bytes_to_copy": plan.bytes_to_copy,
        "requests": plan.requests,
        "versioning": plan.versioning.as_str(),
        "versions_note": plan.versioning.note(),
        "encryption_changes": plan.changes.iter().map(|c| json!({
            "from": rule_json(Some(&c.from)),
            "to": rule_json(Some(&c.to)),
            "change": c.label(),
            "objects": c.objects,
            "bytes": c.bytes,
            "losses": c.losses.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "downgrade_warning": plan.downgrade_warning(),
        "preflight_problem": refused,
    });
    render(&report, format, flat_table)
}

/// JSON as is; table and CSV as `field,value` lines of the same object (nested objects
/// flattened with dots), so every format shows the same facts.
pub fn render(report: &Value, format: Format, table: fn(&Value) -> String) -> String {
    match format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(report).unwrap_or_default()
        ),
        // Line by line: the sanitiser would turn the table's own line breaks into `?`.
        Format::Table => table(report)
            .lines()
            .map(|line| terminal_safe(line) + "\n")
            .collect(),
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            let mut ok = writer.write_record(["field", "value"]).is_ok();
            for (field, value) in flatten("", report) {
                ok &= writer.write_record([field, value]).is_ok();
            }
            debug_assert!(ok, "writing to memory cannot fail");
            String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
        }
    }
}

fn flatten(path: &str, value: &Value) -> Vec<(String, String)> {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        Value::Object(map) => map.iter().flat_map(|(k, v)| flatten(&join(k), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| flatten(&join(&i.to_string()), v))
            .collect(),
        Value::Null => vec![(path.to_owned(), String::new())],
        Value::String(s) => vec![(path.to_owned(), s.clone())],
        other => vec![(path.to_owned(), other.to_string())],
    }
}

fn flat_table(report: &Value) -> String {
    flatten("", report)
        .into_iter()
        .map(|(k, v)| format!("{k:<40} {v}\n"))
        .collect()
}

fn label(entry: &Value) -> String {
    match entry["sse_algorithm"].as_str() {
        None => "None".to_owned(),
        Some(alg) => {
            let mut text = alg.to_owned();
            if let Some(data) = entry["kms_data_encryption"].as_str() {
                text.push_str(&format!(" + {data}"));
            }
            if let Some(key) = entry["kms_master_key_id"].as_str() {
                text.push_str(&format!(" ({key})"));
            }
            text
        }
    }
}

pub fn scan_table(r: &Value) -> String {
    let mut out = format!(
        "bucket {} ({}), prefix {:?}, rule {}\n{}, {} bytes{}\n\nENCRYPTION                                OBJECTS            BYTES\n",
        r["bucket"].as_str().unwrap_or_default(),
        r["region"].as_str().unwrap_or_default(),
        r["prefix"].as_str().unwrap_or_default(),
        label(&r["rule"]),
        count(n(&r["objects"]), "object"),
        r["bytes"],
        if r["truncated"] == true {
            " (truncated)"
        } else {
            ""
        },
    );
    for entry in r["by_encryption"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{:<40} {:>9} {:>16}\n",
            label(entry),
            n(&entry["objects"]),
            n(&entry["bytes"])
        ));
    }
    out.push_str("\nSTORAGE CLASS                             OBJECTS            BYTES\n");
    for (class, t) in r["by_storage_class"].as_object().into_iter().flatten() {
        out.push_str(&format!(
            "{class:<40} {:>9} {:>16}\n",
            n(&t["objects"]),
            n(&t["bytes"])
        ));
    }
    out.push_str(&format!(
        "\nnot matching the rule: {}, {} bytes; errors: {}\n",
        count(n(&r["not_matching_rule"]["objects"]), "object"),
        r["not_matching_rule"]["bytes"],
        r["errors"]
    ));
    out
}

fn n(value: &Value) -> u64 {
    value.as_u64().unwrap_or_default()
}

pub fn encrypt_table(r: &Value) -> String {
    flat_table(r)
}

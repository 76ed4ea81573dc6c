//! The `buckets`/`get` table against the dev server binary with `--demo`: the KEY column and
//! the summary's unusable keys, singular counts, CLI wording for a missing bucket, and a run
//! where every profile fails (no empty table, each error said once).

use std::process::Output;

use crate::cli_kms::{ossguard, stdout_json};
use crate::common::DevServerProcess;
use ossguard::app::profile::{self, CredentialSettings, CredentialType, Profile, ProfileConfig};
use ossguard::devserver::demo_keys::demo_key_bucket;

const HZ: &str = "cn-hangzhou";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn line_of<'a>(table: &'a str, bucket: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(bucket))
        .unwrap_or_else(|| panic!("no line for {bucket}: {table}"))
}

/// The KEY cell of a table line: the column under the KEY header.
fn key_cell(table: &str, bucket: &str) -> String {
    let header = table.lines().next().expect("header");
    let start = header.rfind(" KEY ").expect("KEY column") + 1;
    let line = line_of(table, bucket);
    let chars: Vec<char> = line.chars().collect();
    let cell: String = chars.iter().skip(start).collect();
    cell.split("  ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[test]
fn the_table_shows_each_keys_state_and_counts_the_unusable_ones() {
    let server = DevServerProcess::start(&["--demo"]);
    let out = ossguard(&server, &["buckets"]);
    let table = text(&out.stdout);
    let rows = stdout_json(&ossguard(&server, &["buckets", "--format", "json"]));
    let rows = rows.as_array().expect("array");
    let unusable = rows
        .iter()
        .filter(|r| r["kms_key"]["usable"] == false)
        .count();
    assert!(unusable > 0);
    let unreadable = rows.iter().filter(|r| !r["error"].is_null()).count();
    let plain = rows
        .iter()
        .filter(|r| r["sse_algorithm"].is_null() && r["error"].is_null())
        .count();
    assert!(
        table.ends_with(&format!(
            "\n{} buckets: {plain} not encrypted, {unreadable} unreadable, {unusable} key unusable\n",
            rows.len()
        )),
        "{table}"
    );
    assert_eq!(key_cell(&table, &demo_key_bucket(HZ, "aes")), "Enabled");
    assert_eq!(
        key_cell(&table, &demo_key_bucket(HZ, "disabled")),
        "Disabled"
    );
    let pending = key_cell(&table, &demo_key_bucket(HZ, "pending"));
    assert!(pending.starts_with("PendingDeletion 20"), "{pending}");
    assert_eq!(key_cell(&table, "tmp-scratch-hz"), "—", "no CMK");

    let skipped = text(&ossguard(&server, &["buckets", "--skip-key-check"]).stdout);
    assert_eq!(
        key_cell(&skipped, &demo_key_bucket(HZ, "disabled")),
        "skipped"
    );
    assert!(
        skipped.contains(", 0 key unusable\n"),
        "not asked: {skipped}"
    );

    let one = ossguard(&server, &["get", "tmp-scratch-hz"]);
    assert!(
        text(&one.stdout).ends_with("\n1 bucket: 1 not encrypted, 0 unreadable, 0 key unusable\n"),
        "{}",
        text(&one.stdout)
    );
    let missing = ossguard(&server, &["get", "no-such-bucket-here"]);
    assert_eq!(missing.status.code(), Some(1));
    let said = text(&missing.stderr);
    assert!(!said.contains("refresh the list"), "GUI wording: {said}");
}

fn orphan_role(name: &str, endpoint: &str) -> Profile {
    let mut profile = Profile::new(name, endpoint, HZ, "");
    profile.source = Box::new(CredentialSettings {
        credential_type: Some(CredentialType::RamRole),
        source_profile: Some("no-such-source".into()),
        role_arn: Some("acs:ram::1:role/r".into()),
        ..CredentialSettings::default()
    });
    profile
}

#[test]
fn when_every_profile_fails_no_table_is_printed_and_each_error_is_said_once() {
    let server = DevServerProcess::start(&["--seed-buckets", "1"]);
    let mut config = ProfileConfig::default();
    config.upsert(orphan_role("a", &server.endpoint()));
    config.upsert(orphan_role("b", &server.endpoint()));
    profile::save(&server.dir.path().join("config/config.toml"), &config).expect("config");
    let out: Output = ossguard(&server, &["--profile", "a", "--profile", "b", "buckets"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "no empty table");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("profile \"a\" failed") && stderr.contains("profile \"b\" failed"));
    let said: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: ").or(l.strip_prefix("hint: ")))
        .map(|l| l.split_once(": ").map_or(l, |(_, rest)| rest))
        .collect();
    for (i, line) in said.iter().enumerate() {
        assert!(!said[i + 1..].contains(line), "said twice: {stderr}");
    }
}

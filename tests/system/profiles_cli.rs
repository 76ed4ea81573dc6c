//! The CLI with saved profiles against the dev server binary: an AccessKey profile (secret in
//! the OS keyring), a RAM-role profile assuming a role with it, several profiles in one run,
//! and a refused AssumeRole. Needs the Secret Service (see `keyring.rs`).

use std::process::{Command, Output};

use crate::common::{AK, DevServerProcess, SK};
use crate::keyring::{secret_service_or_skip, unique};
use ossguard::app::keystore::{KeyringStore, Keystore as _, ProfileSecret};
use ossguard::app::profile::{self, CredentialSettings, CredentialType, Profile, ProfileConfig};
use ossguard::devserver::DEFAULT_ACCOUNT_ID;

const ROLE: &str = "acs:ram::2222333344445555:role/auditor";
const LOCKED: &str = "acs:ram::2222333344445555:role/locked";

fn ossguard(server: &DevServerProcess, args: &[&str]) -> Output {
    ossguard_in(server.dir.path(), args)
}

/// The CLI with its config (`config/config.toml`) and data under `dir`.
fn ossguard_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args(args)
        // Profiles bring endpoint, region and credentials: no OSS_* variables.
        .env_remove("OSS_ENDPOINT")
        .env_remove("OSS_REGION")
        .env_remove("OSS_ACCESS_KEY_ID")
        .env_remove("OSS_ACCESS_KEY_SECRET")
        .env_remove("OSS_SESSION_TOKEN")
        .env_remove("OSS_STS_ENDPOINT")
        .env("OSSGUARD_CONFIG_DIR", dir.join("config"))
        .env("OSSGUARD_DATA_DIR", dir.join("client-data"))
        .output()
        .expect("ossguard runs")
}

/// The JSON rows of a run that must have succeeded.
fn rows_of(out: &Output) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    rows.as_array().expect("array").clone()
}

fn role_profile(name: &str, endpoint: &str, source: &str, arn: &str) -> Profile {
    let mut profile = Profile::new(name, endpoint, "cn-hangzhou", "");
    profile.source = Box::new(CredentialSettings {
        credential_type: Some(CredentialType::RamRole),
        source_profile: Some(source.to_owned()),
        role_arn: Some(arn.to_owned()),
        role_session_name: Some("cli-test".into()),
        duration_seconds: Some(900),
        ..CredentialSettings::default()
    });
    profile
}

/// Removes the keyring entry even when an assertion fails.
struct Entry(String);

impl Drop for Entry {
    fn drop(&mut self) {
        KeyringStore.delete(&self.0).ok();
    }
}

#[test]
fn profiles_audit_alone_together_and_refused() {
    if !secret_service_or_skip() {
        return;
    }
    let server = DevServerProcess::start(&[
        "--seed-buckets",
        "4",
        "--sts-role",
        &format!("arn={ROLE}"),
        "--sts-role",
        &format!("arn={LOCKED},trust=LTAIsomeoneelse"),
    ]);
    let endpoint = server.endpoint();
    let (src, role, locked) = (unique("src"), unique("role"), unique("locked"));
    let _entry = Entry(src.clone());
    KeyringStore
        .set(&src, &ProfileSecret::new(SK, None))
        .expect("keyring");
    let mut config = ProfileConfig::default();
    config.upsert(Profile::new(&src, &endpoint, "cn-hangzhou", AK));
    config.upsert(role_profile(&role, &endpoint, &src, ROLE));
    config.upsert(role_profile(&locked, &endpoint, &src, LOCKED));
    profile::save(&server.dir.path().join("config/config.toml"), &config).expect("config");

    // One profile: today's rows, no profile or account fields.
    let out = ossguard(
        &server,
        &["--profile", &role, "buckets", "--format", "json"],
    );
    let rows = rows_of(&out);
    assert_eq!(rows.len(), 4);
    assert!(rows[0].get("profile").is_none() && rows[0].get("account_id").is_none());

    // Two profiles: one array, each row with its profile and account.
    let out = ossguard(
        &server,
        &[
            "--profile",
            &src,
            "--profile",
            &role,
            "buckets",
            "--format",
            "json",
        ],
    );
    let rows = rows_of(&out);
    assert_eq!(rows.len(), 8);
    for row in &rows {
        let expected = if row["profile"] == src.as_str() {
            DEFAULT_ACCOUNT_ID
        } else {
            assert_eq!(row["profile"], role.as_str());
            "2222333344445555"
        };
        assert_eq!(row["account_id"], expected, "{row}");
        assert!(row["error"].is_null());
    }

    // Several profiles without key checks: every account's CMK says so; the key gate is
    // refused rather than passing unnoticed.
    let out = ossguard(
        &server,
        &[
            "--profile",
            &src,
            "--profile",
            &role,
            "buckets",
            "--format",
            "json",
            "--skip-key-check",
        ],
    );
    let codes: Vec<serde_json::Value> = rows_of(&out)
        .iter()
        .filter(|r| r["name"] == "seed-00004")
        .map(|r| r["kms_key"]["error"]["code"].clone())
        .collect();
    // seed-00004 names a CMK, in each account.
    assert_eq!(codes, vec![serde_json::json!("KeyCheckSkipped"); 2]);
    let gate = ossguard(
        &server,
        &[
            "--all-profiles",
            "buckets",
            "--skip-key-check",
            "--fail-on",
            "key-unusable",
        ],
    );
    assert_eq!(gate.status.code(), Some(2));

    // A role that does not trust the source key: exit 1, the fix on stderr.
    let out = ossguard(&server, &["--profile", &locked, "buckets"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sts:AssumeRole"), "{stderr}");
    assert!(stderr.contains("trust policy"), "{stderr}");

    // Every profile: the others' rows are printed, the refused one fails the run.
    let out = ossguard(&server, &["--all-profiles", "buckets", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows.as_array().expect("array").len(), 8);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&locked) && stderr.contains("sts:AssumeRole"),
        "{stderr}"
    );

    // The table names each row's profile and account: seed-00001 is in both accounts.
    let out = ossguard(&server, &["--profile", &src, "--profile", &role, "buckets"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    let header = table.lines().next().expect("header");
    assert!(
        header.starts_with("PROFILE") && header.contains("ACCOUNT"),
        "{table}"
    );
    let seed: Vec<&str> = table.lines().filter(|l| l.contains("seed-00001")).collect();
    assert_eq!(seed.len(), 2, "{table}");
    assert!(seed.iter().any(|l| l.starts_with(src.as_str())), "{table}");
    assert!(seed.iter().any(|l| l.starts_with(role.as_str())), "{table}");
    assert!(table.contains("\n8 buckets: "), "{table}");

    // Several profiles work with `buckets` only.
    let out = ossguard(
        &server,
        &["--profile", &src, "--profile", &role, "get", "x"],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// An STS-token profile whose stored expiry has passed: the CLI says when it expired and
/// what to do, and sends nothing (the profile's endpoint is a closed port, so a request
/// would fail to connect instead).
#[test]
fn an_expired_sts_token_profile_is_refused_before_any_request() {
    if !secret_service_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let name = unique("expired");
    let _entry = Entry(name.clone());
    let at = chrono::DateTime::from_timestamp(1_796_108_400, 0).expect("time");
    KeyringStore
        .set(
            &name,
            &ProfileSecret::new(SK, Some("sts-token")).with_sts_expiration(Some(at)),
        )
        .expect("keyring");
    let mut profile = Profile::new(&name, "http://127.0.0.1:9", "cn-hangzhou", "STS.x");
    profile.uses_sts_token = true;
    let mut config = ProfileConfig::default();
    config.upsert(profile);
    profile::save(&dir.path().join("config/config.toml"), &config).expect("config");
    let out = ossguard_in(dir.path(), &["--profile", &name, "buckets"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "error: SecurityTokenExpired: the STS token expired at 2026-12-01 07:00:00 UTC"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("get a new STS token"), "{stderr}");
}

#[test]
fn an_unreadable_config_is_a_usage_error_with_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config/config.toml");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("config dir");
    let original = "[[profile]]\nname = \"prod\"\nregion = cn-hangzhou\n";
    std::fs::write(&path, original).expect("a broken config");
    let out = ossguard_in(dir.path(), &["--profile", "prod", "buckets"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("error: {} is not a valid", path.display()))
            && stderr.contains("line 3, column 10: "),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        original,
        "the CLI only reads"
    );
}

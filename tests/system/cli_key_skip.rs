//! `buckets --skip-key-check` and `get --skip-key-check` ask KMS nothing and say so in
//! `kms_key`; `--seed-kms-keys` gives the seed buckets' CMK rules keys that exist.

use std::collections::HashSet;
use std::net::TcpListener;

use crate::cli_kms::{ossguard, stdout_json};
use crate::common::DevServerProcess;

/// Seed bucket 4 is the first whose rule names a CMK (`ossguard::devserver::demo`).
const CMK_BUCKET: &str = "seed-00004";

#[test]
fn seeded_kms_keys_exist_in_each_buckets_region_and_fifty_distinct_are_named() {
    let server = DevServerProcess::start(&["--seed-buckets", "1000", "--seed-kms-keys", "50"]);
    let out = ossguard(&server, &["buckets", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = stdout_json(&out);
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 1000);
    let mut distinct = HashSet::new();
    let mut with_cmk = 0;
    for row in rows {
        let key = &row["kms_key"];
        if key.is_null() {
            continue;
        }
        with_cmk += 1;
        assert_eq!(key["usable"], true, "{row}");
        assert_eq!(key["state"], "Enabled");
        assert_eq!(key["region"], row["region"]);
        let id = key["id"].as_str().expect("id");
        assert!(id.starts_with("key-seedkms"), "{id}");
        distinct.insert((row["region"].to_string(), id.to_owned()));
    }
    assert_eq!(with_cmk, 1000 / 6 + 1, "every sixth bucket from the fourth");
    assert_eq!(distinct.len(), 50);
}

#[test]
fn skip_key_check_reports_every_cmk_as_not_checked_and_sends_no_kms_request() {
    let server = DevServerProcess::start(&["--seed-buckets", "12", "--seed-kms-keys", "2"]);
    // Every KMS request would go to this listener, which answers nothing.
    let kms = TcpListener::bind("127.0.0.1:0").expect("listener");
    kms.set_nonblocking(true).expect("nonblocking");
    let kms_url = format!("http://{}", kms.local_addr().expect("address"));
    let out = ossguard(
        &server,
        &[
            "buckets",
            "--format",
            "json",
            "--skip-key-check",
            "--kms-endpoint",
            &kms_url,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        kms.accept()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "no connection to KMS"
    );
    let rows = stdout_json(&out);
    let mut checked = 0;
    for row in rows.as_array().expect("array") {
        let key = &row["kms_key"];
        if row["kms_master_key_id"].is_null() {
            assert!(key.is_null(), "no CMK, no kms_key: {row}");
            continue;
        }
        checked += 1;
        assert_eq!(key["id"], row["kms_master_key_id"]);
        assert_eq!(key["region"], row["region"]);
        assert!(key["state"].is_null() && key["usable"].is_null(), "{key}");
        assert!(key["key_id"].is_null() && key["alias"].is_null());
        assert_eq!(key["error"]["code"], "KeyCheckSkipped");
        assert!(
            key["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert!(key["error"]["request_id"].is_null());
    }
    assert_eq!(checked, 2, "seed-00004 and seed-00010 name a CMK");

    // The same bucket with the check: KMS is asked (the real dev server answers).
    let asked = stdout_json(&ossguard(&server, &["get", CMK_BUCKET, "--format", "json"]));
    assert_eq!(asked["kms_key"]["usable"], true, "{asked}");
    let got = ossguard(
        &server,
        &[
            "get",
            CMK_BUCKET,
            "--format",
            "csv",
            "--skip-key-check",
            "--kms-endpoint",
            &kms_url,
        ],
    );
    assert!(got.status.success());
    let csv = String::from_utf8_lossy(&got.stdout);
    assert!(csv.contains(",KeyCheckSkipped"), "{csv}");
    assert!(kms.accept().is_err(), "still no connection to KMS");
}

#[test]
fn fail_on_key_unusable_is_refused_with_skip_key_check() {
    let server = DevServerProcess::start(&["--seed-buckets", "4"]);
    let out = ossguard(
        &server,
        &[
            "buckets",
            "--skip-key-check",
            "--fail-on",
            "unknown,key-unusable",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing audited");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--skip-key-check"), "{stderr}");
    // Other gates still work without key checks.
    let gate = ossguard(
        &server,
        &["buckets", "--skip-key-check", "--fail-on", "unencrypted"],
    );
    assert_eq!(gate.status.code(), Some(3), "seed-00001 has no rule");
}

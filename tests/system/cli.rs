//! The CLI binary against the dev server binary: output formats, exit codes, read-back.

use std::process::{Command, Output};

use crate::common::{AK, DevServerProcess, SK, enabled_key};
use ossguard::devserver::demo::seed_rule;

fn ossguard(server: &DevServerProcess, args: &[&str]) -> Output {
    ossguard_with_data(server, "client-data", args)
}

/// As [`ossguard`] with its own data folder (change log): another machine.
fn ossguard_with_data(server: &DevServerProcess, data: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args(args)
        .env("OSS_ENDPOINT", server.endpoint())
        .env("OSS_REGION", "cn-hangzhou")
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env_remove("OSS_SESSION_TOKEN")
        .env("OSSGUARD_CONFIG_DIR", server.dir.path().join("config"))
        .env("OSSGUARD_DATA_DIR", server.dir.path().join(data))
        .output()
        .expect("ossguard runs")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn buckets_json_lists_every_bucket_sorted_with_its_rule() {
    let server = DevServerProcess::start(&["--seed-buckets", "30"]);
    for version in ["v4", "v1"] {
        // Global options after the subcommand work too.
        let rows = json(&ossguard(
            &server,
            &[
                "buckets",
                "--format",
                "json",
                "--signature-version",
                version,
            ],
        ));
        let rows = rows.as_array().expect("array");
        assert_eq!(rows.len(), 30);
        for (i, row) in rows.iter().enumerate() {
            let n = i + 1;
            assert_eq!(row["name"], format!("seed-{n:05}"));
            let rule = seed_rule(n);
            assert_eq!(
                row["sse_algorithm"].as_str(),
                rule.as_ref().map(|r| r.algorithm())
            );
            assert_eq!(
                row["kms_master_key_id"].as_str(),
                rule.as_ref().and_then(|r| r.kms_key_id())
            );
            assert_eq!(
                row["kms_data_encryption"].as_str(),
                rule.as_ref().and_then(|r| r.data_encryption())
            );
            assert!(row["error"].is_null());
            let region = row["region"].as_str().expect("region");
            assert_eq!(row["location"], format!("oss-{region}"));
            let port_url = server.ready["regions"][region]
                .as_str()
                .expect("region url");
            assert_eq!(
                format!("http://{}", row["endpoint"].as_str().expect("endpoint")),
                port_url
            );
        }
    }
}

#[test]
fn set_get_delete_round_trip_with_read_back() {
    let keys = serde_json::json!({"keys": [enabled_key("cn-shanghai", "9468da86-3509-4f8d-a61e-6eab1eac0001")]});
    let server = DevServerProcess::start_with_kms(&keys, &["--seed-buckets", "8"]);
    let key = "9468da86-3509-4f8d-a61e-6eab1eac0001";
    let set = json(&ossguard(
        &server,
        &[
            "--format",
            "json",
            "set",
            "seed-00002",
            "--sse",
            "KMS",
            "--kms-key-id",
            key,
            "--kms-data-encryption",
            "SM4",
        ],
    ));
    assert_eq!(set["name"], "seed-00002");
    assert_eq!(set["sse_algorithm"], "KMS");
    assert_eq!(set["kms_master_key_id"], key);
    assert_eq!(set["kms_data_encryption"], "SM4");
    assert_eq!(set["kms_key"]["usable"], true, "{set}");
    let got = json(&ossguard(
        &server,
        &["get", "seed-00002", "--format", "json"],
    ));
    assert_eq!(got, set);

    let refused = ossguard(&server, &["delete", "seed-00002"]);
    assert_eq!(refused.status.code(), Some(2), "delete needs --yes");
    assert_eq!(
        json(&ossguard(
            &server,
            &["get", "seed-00002", "--format", "json"]
        ))["sse_algorithm"],
        "KMS"
    );

    let deleted = json(&ossguard(
        &server,
        &["delete", "seed-00002", "--yes", "--format", "json"],
    ));
    assert!(deleted["sse_algorithm"].is_null() && deleted["error"].is_null());

    let sm4 = json(&ossguard(
        &server,
        &["set", "seed-00002", "--sse", "SM4", "--format", "json"],
    ));
    assert_eq!(sm4["sse_algorithm"], "SM4");
    assert!(sm4["kms_master_key_id"].is_null());
}

#[test]
fn usage_errors_exit_2_and_oss_errors_exit_1_with_hint() {
    let server = DevServerProcess::start(&["--seed-buckets", "2"]);
    // A KMS key ID with AES256 is refused before anything is sent.
    let out = ossguard(
        &server,
        &[
            "set",
            "seed-00001",
            "--sse",
            "AES256",
            "--kms-key-id",
            "key-hzz68d1fd85qslv95ilz4",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = ossguard(
        &server,
        &[
            "set",
            "seed-00001",
            "--sse",
            "KMS",
            "--kms-key-id",
            "not a key",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a KMS key ID"));
    let out = ossguard(&server, &["set", "seed-00001", "--sse", "DES"]);
    assert_eq!(out.status.code(), Some(2));

    let out = Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args([
            "buckets",
            "--endpoint",
            server.endpoint().as_str(),
            "--region",
            "cn-hangzhou",
        ])
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", "wrong-secret")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SignatureDoesNotMatch"), "{stderr}");
    assert!(
        stderr.contains("hint: Signature rejected: check the AccessKey secret"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("wrong-secret"),
        "the secret never reaches stderr"
    );

    let out = ossguard(&server, &["get", "no-such-bucket"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NoSuchBucket"));

    let out = Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args([
            "buckets",
            "--endpoint",
            "http://oss-cn-hangzhou.aliyuncs.com",
        ])
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "plain http to a remote host is refused"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("https"));
}

#[test]
fn csv_and_table_formats() {
    let server = DevServerProcess::start(&["--seed-buckets", "6"]);
    let out = ossguard(&server, &["buckets", "--format", "csv"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "name,region,location,endpoint,sse_algorithm,kms_master_key_id,kms_data_encryption,error_code,error_message,error_request_id,error_hint,kms_key_state,kms_key_alias,kms_key_origin,kms_key_usable,kms_key_error_code,state,created,read_at,exported_at"
        )
    );
    assert_eq!(lines.count(), 6);
    let out = ossguard(&server, &["buckets"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("NAME"));
    assert!(
        text.contains("6 buckets: 1 not encrypted, 0 unreadable"),
        "{text}"
    );
}

#[test]
fn every_change_is_logged_and_undo_restores_the_previous_rule() {
    let server = DevServerProcess::start(&["--seed-buckets", "6"]);
    // seed-00004 starts with KMS and a CMK.
    let before = json(&ossguard(
        &server,
        &["get", "seed-00004", "--format", "json"],
    ));
    assert_eq!(before["kms_master_key_id"], "key-seed00004");
    json(&ossguard(
        &server,
        &["set", "seed-00004", "--sse", "AES256", "--format", "json"],
    ));
    json(&ossguard(
        &server,
        &["delete", "seed-00004", "--yes", "--format", "json"],
    ));

    let log = json(&ossguard(&server, &["log", "--format", "json"]));
    let log = log.as_array().expect("array");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["bucket"], "seed-00004");
    assert_eq!(log[0]["kind"], "put");
    assert_eq!(log[0]["before"]["state"], "rule");
    assert_eq!(log[0]["before"]["kms_master_key_id"], "key-seed00004");
    assert_eq!(log[0]["after"]["sse_algorithm"], "AES256");
    assert_eq!(log[0]["verified"], true);
    assert_eq!(log[0]["profile"], "(environment)");
    assert!(
        log[0]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 24)
    );
    assert_eq!(log[1]["kind"], "delete");
    assert_eq!(log[1]["before"]["sse_algorithm"], "AES256");
    assert_eq!(log[1]["after"]["state"], "no_rule");

    let unconfirmed = ossguard(&server, &["undo"]);
    assert_eq!(unconfirmed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("AES256"));
    // Undo the delete: AES256 comes back; undo again: that undo is itself undone.
    let restored = json(&ossguard(&server, &["undo", "--yes", "--format", "json"]));
    assert_eq!(restored["sse_algorithm"], "AES256");
    let table = ossguard(&server, &["log"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert_eq!(text.lines().count(), 4, "header + 3 changes:\n{text}");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.contains("KMS (key-seed00004)")),
        "{text}"
    );
}

#[test]
fn a_fault_storm_ends_with_every_bucket_correct_or_marked_unknown() {
    let server = DevServerProcess::start(&["--seed-buckets", "60", "--fail-rate", "0.2"]);
    // The listing itself fails outright (3 failed attempts) 0.8% of the time: exit 1 with
    // the error, and the administrator runs it again.
    let mut out = ossguard(&server, &["buckets", "--format", "json"]);
    for _ in 0..4 {
        if out.status.success() {
            break;
        }
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("hint:"));
        out = ossguard(&server, &["buckets", "--format", "json"]);
    }
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = json(&out);
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 60);
    let mut unknown = 0;
    for (i, row) in rows.iter().enumerate() {
        if row["error"].is_null() {
            let rule = seed_rule(i + 1);
            assert_eq!(
                row["sse_algorithm"].as_str(),
                rule.as_ref().map(|r| r.algorithm())
            );
        } else {
            unknown += 1;
            assert!(row["sse_algorithm"].is_null());
            assert!(row["error"]["code"].as_str().is_some_and(|c| !c.is_empty()));
        }
    }
    assert!(
        unknown <= 6,
        "retries recover most failures ({unknown} unknown)"
    );
}

#[test]
fn a_skewed_clock_is_corrected_and_reported() {
    let server = DevServerProcess::start(&["--seed-buckets", "3", "--clock-skew-seconds", "1800"]);
    let out = ossguard(&server, &["buckets", "--format", "json"]);
    assert_eq!(json(&out).as_array().map(Vec::len), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let seconds: i64 = stderr
        .split("OSS's (")
        .nth(1)
        .and_then(|rest| rest.split(" s)").next())
        .and_then(|n| n.trim_start_matches('+').parse().ok())
        .unwrap_or_else(|| panic!("no clock note in {stderr}"));
    assert!((1795..=1805).contains(&seconds), "{stderr}");
    assert!(stderr.contains("30 min behind OSS's"), "{stderr}");
}

#[test]
fn undo_walks_back_and_refuses_to_overwrite_someone_elses_change() {
    let server = DevServerProcess::start(&["--seed-buckets", "6"]);
    // seed-00003 starts with KMS and the default key.
    json(&ossguard(
        &server,
        &["set", "seed-00003", "--sse", "SM4", "--format", "json"],
    ));
    json(&ossguard(
        &server,
        &["set", "seed-00003", "--sse", "AES256", "--format", "json"],
    ));
    // Two undos walk back: AES256 -> SM4 -> KMS.
    let first = json(&ossguard(&server, &["undo", "--yes", "--format", "json"]));
    assert_eq!(first["sse_algorithm"], "SM4");
    let second = json(&ossguard(&server, &["undo", "--yes", "--format", "json"]));
    assert_eq!(second["sse_algorithm"], "KMS");
    assert!(second["kms_master_key_id"].is_null());
    let nothing = ossguard(&server, &["undo", "--yes"]);
    assert_eq!(nothing.status.code(), Some(1), "nothing left to undo");

    // Someone else (another machine: another change log) changes the rule afterwards.
    json(&ossguard(
        &server,
        &["set", "seed-00003", "--sse", "AES256", "--format", "json"],
    ));
    let elsewhere = ossguard_with_data(
        &server,
        "elsewhere",
        &["set", "seed-00003", "--sse", "SM4", "--format", "json"],
    );
    assert!(elsewhere.status.success());
    let refused = ossguard(&server, &["undo", "--yes"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("no longer has the rule") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        json(&ossguard(
            &server,
            &["get", "seed-00003", "--format", "json"]
        ))["sse_algorithm"],
        "SM4"
    );
    let forced = json(&ossguard(
        &server,
        &["undo", "--yes", "--force", "--format", "json"],
    ));
    assert_eq!(forced["sse_algorithm"], "KMS");

    let log = json(&ossguard(&server, &["log", "--format", "json"]));
    let log = log.as_array().expect("array");
    let undos: Vec<_> = log.iter().filter(|r| !r["undo_of"].is_null()).collect();
    assert_eq!(undos.len(), 3);
    assert!(
        log.iter()
            .all(|r| r["access_key_id"] == AK && r["phase"] == "done")
    );
}

#[test]
fn a_key_arn_is_sent_as_its_id_and_aliases_or_foreign_regions_are_refused() {
    let keys =
        serde_json::json!({"keys": [enabled_key("cn-hangzhou", "key-hzz68d1fd85qslv95ilz4")]});
    let server = DevServerProcess::start_with_kms(&keys, &["--seed-buckets", "2"]);
    // seed-00001 is in cn-hangzhou.
    let arn = "acs:kms:cn-hangzhou:1234567890:key/key-hzz68d1fd85qslv95ilz4";
    let set = json(&ossguard(
        &server,
        &[
            "set",
            "seed-00001",
            "--sse",
            "KMS",
            "--kms-key-id",
            arn,
            "--format",
            "json",
        ],
    ));
    assert_eq!(set["kms_master_key_id"], "key-hzz68d1fd85qslv95ilz4");
    let foreign = "acs:kms:cn-beijing:1234567890:key/key-hzz68d1fd85qslv95ilz4";
    let out = ossguard(
        &server,
        &["set", "seed-00001", "--sse", "KMS", "--kms-key-id", foreign],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cn-beijing"));
    let out = ossguard(
        &server,
        &[
            "set",
            "seed-00001",
            "--sse",
            "KMS",
            "--kms-key-id",
            "alias/prod",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an alias"));
}

#[test]
fn fail_on_gates_ci_with_exit_3_and_still_prints_the_audit() {
    let server = DevServerProcess::start(&["--seed-buckets", "6"]);
    let out = ossguard(
        &server,
        &["buckets", "--format", "json", "--fail-on", "unencrypted"],
    );
    assert_eq!(out.status.code(), Some(3));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("still the audit");
    assert_eq!(rows.as_array().map(Vec::len), Some(6));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 bucket(s)"));
    let out = ossguard(&server, &["buckets", "--fail-on", "unknown"]);
    assert_eq!(out.status.code(), Some(0), "no bucket is unreadable");
}

#[test]
fn a_bucket_can_be_addressed_directly_without_listbuckets() {
    let server = DevServerProcess::start(&["--seed-buckets", "2"]);
    let shanghai = server.ready["regions"]["cn-shanghai"]
        .as_str()
        .expect("url");
    let host = shanghai.trim_start_matches("http://");
    // The service endpoint is unreachable: only the bucket's own endpoint is used.
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ossguard"))
            .args(args)
            .args([
                "--endpoint",
                "http://127.0.0.1:9",
                "--region",
                "cn-hangzhou",
            ])
            .args(["--bucket-region", "cn-shanghai", "--bucket-endpoint", host])
            .env("OSS_ACCESS_KEY_ID", AK)
            .env("OSS_ACCESS_KEY_SECRET", SK)
            .env("OSSGUARD_DATA_DIR", server.dir.path().join("direct"))
            .output()
            .expect("runs")
    };
    let got = json(&run(&["get", "seed-00002", "--format", "json"]));
    assert_eq!(got["sse_algorithm"], "AES256");
    assert_eq!(got["region"], "cn-shanghai");
    let set = json(&run(&[
        "set",
        "seed-00002",
        "--sse",
        "SM4",
        "--format",
        "json",
    ]));
    assert_eq!(set["sse_algorithm"], "SM4");
    let out = Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args(["get", "seed-00002", "--bucket-endpoint", host])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "--bucket-endpoint needs --bucket-region"
    );
}

#[test]
fn a_torn_change_log_is_read_around_and_appended_after() {
    let server = DevServerProcess::start(&["--seed-buckets", "2"]);
    let set = |sse: &str| ossguard(&server, &["set", "seed-00001", "--sse", sse]);
    assert!(set("AES256").status.success());
    let log = server.dir.path().join("client-data/changes.jsonl");
    // A crash mid-way through a multibyte character: not UTF-8, and no newline.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"bucket\":\"\xe4\xb8"))
        .expect("torn line");
    let out = set("SM4");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ossguard(&server, &["log", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("skipped unreadable line(s) 3 of"),
        "{stderr}"
    );
    let records: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        records.as_array().map(Vec::len),
        Some(2),
        "both changes kept"
    );
    let out = ossguard(&server, &["undo", "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rule = json(&ossguard(
        &server,
        &["get", "seed-00001", "--format", "json"],
    ));
    assert_eq!(rule["sse_algorithm"], "AES256", "the SM4 change was undone");
}

#[test]
fn devserver_help_shows_only_its_own_options_and_the_default_credential() {
    let out = Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args(["devserver", "--help"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for own in [
        "--listen",
        "--data",
        "--sts-token-file",
        "--access-key-secret-file",
    ] {
        assert!(help.contains(own), "{own} missing: {help}");
    }
    for global in [
        "--endpoint",
        "--format",
        "--concurrency",
        "--profile",
        "--timeout",
    ] {
        assert!(!help.contains(global), "{global} listed: {help}");
    }
    assert!(
        help.contains(ossguard::devserver::DEMO_ACCESS_KEY_ID)
            && help.contains(ossguard::devserver::DEMO_ACCESS_KEY_SECRET),
        "{help}"
    );
    // Out-of-range numbers stop it before it starts.
    let out = Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args(["devserver", "--data", "/nonexistent/x"])
        .args(["--clock-skew-seconds", "9000000000000"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--clock-skew-seconds"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn devserver_takes_its_token_from_a_file_not_the_process_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("token");
    std::fs::write(&token, "file-token-77\n").expect("write");
    let server = DevServerProcess::start(&["--sts-token-file", token.to_str().expect("path")]);
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", server.child.id())).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&cmdline).contains("file-token-77"));
    let run = |token: &str| {
        Command::new(env!("CARGO_BIN_EXE_ossguard"))
            .args(["buckets", "--format", "json"])
            .env("OSS_ENDPOINT", server.endpoint())
            .env("OSS_REGION", "cn-hangzhou")
            .env("OSS_ACCESS_KEY_ID", format!("STS.{AK}"))
            .env("OSS_ACCESS_KEY_SECRET", SK)
            .env("OSS_SESSION_TOKEN", token)
            .env("OSSGUARD_DATA_DIR", server.dir.path().join("client"))
            .output()
            .expect("runs")
    };
    assert!(run("file-token-77").status.success());
    assert!(!run("other-token").status.success());
}

#[test]
fn undo_batch_restores_every_bucket_of_a_bulk_change() {
    let server = DevServerProcess::start(&["--seed-buckets", "6"]);
    // seed-00001 has no rule, seed-00003 KMS with the default key.
    for bucket in ["seed-00001", "seed-00003"] {
        json(&ossguard(
            &server,
            &["set", bucket, "--sse", "SM4", "--format", "json"],
        ));
    }
    // The app logs a bulk change with one batch id on each bucket's lines: these two are one.
    let log = server.dir.path().join("client-data/changes.jsonl");
    let text = std::fs::read_to_string(&log)
        .expect("log")
        .replace("\"phase\":", "\"batch\":\"B1\",\"phase\":");
    std::fs::write(&log, text).expect("log");

    let unconfirmed = ossguard(&server, &["undo", "--batch", "B1"]);
    assert_eq!(unconfirmed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unconfirmed.stderr);
    assert!(
        stderr.contains("seed-00001") && stderr.contains("seed-00003"),
        "{stderr}"
    );
    let done = ossguard(&server, &["undo", "--batch", "B1", "--yes"]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let get = |bucket| json(&ossguard(&server, &["get", bucket, "--format", "json"]));
    assert!(get("seed-00001")["sse_algorithm"].is_null());
    assert_eq!(get("seed-00003")["sse_algorithm"], "KMS");
    let records = json(&ossguard(&server, &["log", "--format", "json"]));
    let undos: Vec<_> = records
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| !r["undo_of"].is_null())
        .collect();
    assert_eq!(undos.len(), 2);
    assert!(undos[0]["batch"].is_string() && undos[0]["batch"] == undos[1]["batch"]);
    assert_ne!(
        undos[0]["batch"], "B1",
        "the undo is a bulk change of its own"
    );
    // Nothing is left to undo in it.
    let again = ossguard(&server, &["undo", "--batch", "B1", "--yes"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already undone"));
}

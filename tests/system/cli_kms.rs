//! The CLI binary and KMS, against the dev server binary with `--demo` keys: `kms_key` in
//! `buckets` and `get`, `--fail-on key-unusable`, the pre-flight check of `set`, `keys`.

use std::process::{Command, Output};

use crate::common::{AK, DevServerProcess, SK};
use ossguard::devserver::demo_keys::{demo_key_bucket, demo_key_id, other_region_bucket};

const HZ: &str = "cn-hangzhou";
const SH: &str = "cn-shanghai";

pub(crate) fn ossguard(server: &DevServerProcess, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args(args)
        .env("OSS_ENDPOINT", server.endpoint())
        .env("OSS_REGION", HZ)
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env_remove("OSS_SESSION_TOKEN")
        .env_remove("OSS_KMS_ENDPOINT")
        .env("OSSGUARD_CONFIG_DIR", server.dir.path().join("config"))
        .env("OSSGUARD_DATA_DIR", server.dir.path().join("client-data"))
        .output()
        .expect("ossguard runs")
}

pub(crate) fn stdout_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn row<'a>(rows: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    rows.as_array()
        .expect("array")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} listed"))
}

const KMS_KEY_FIELDS: [&str; 11] = [
    "id",
    "key_id",
    "region",
    "state",
    "alias",
    "origin",
    "protection_level",
    "key_spec",
    "delete_date",
    "usable",
    "error",
];

#[test]
fn buckets_report_each_keys_health_and_fail_on_key_unusable() {
    let server = DevServerProcess::start(&["--demo"]);
    let out = ossguard(&server, &["buckets", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = stdout_json(&out);
    // (kind, state, usable, origin, protection level)
    let expected = [
        ("aes", "Enabled", true, "Aliyun_KMS", "SOFTWARE"),
        ("sm4", "Enabled", true, "Aliyun_KMS", "SOFTWARE"),
        ("disabled", "Disabled", false, "Aliyun_KMS", "SOFTWARE"),
        (
            "pending",
            "PendingDeletion",
            false,
            "Aliyun_KMS",
            "SOFTWARE",
        ),
        ("byok", "Enabled", true, "EXTERNAL", "SOFTWARE"),
        ("import", "PendingImport", false, "EXTERNAL", "SOFTWARE"),
        ("hsm", "Enabled", true, "Aliyun_KMS", "HSM"),
        ("sign", "Enabled", false, "Aliyun_KMS", "SOFTWARE"),
    ];
    let mut unusable = 0;
    for region in [HZ, SH, "cn-beijing", "ap-southeast-1"] {
        for (kind, state, usable, origin, protection) in expected {
            let key = &row(&rows, &demo_key_bucket(region, kind))["kms_key"];
            let fields: Vec<&str> = key
                .as_object()
                .expect("kms_key object")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(fields.len(), KMS_KEY_FIELDS.len(), "{key}");
            for field in KMS_KEY_FIELDS {
                assert!(fields.contains(&field), "{field} in {key}");
            }
            assert_eq!(key["id"], demo_key_id(region, kind));
            assert_eq!(key["key_id"], demo_key_id(region, kind));
            assert_eq!(key["region"], region);
            assert_eq!(key["state"], state, "{kind}");
            assert_eq!(key["usable"], usable, "{region} {kind}");
            assert_eq!(key["origin"], origin);
            assert_eq!(key["protection_level"], protection);
            assert!(
                key["alias"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("alias/"))
            );
            assert!(key["error"].is_null());
            assert_eq!(key["delete_date"].is_string(), kind == "pending");
            unusable += usize::from(!usable);
        }
    }
    // A key of another region: NotFound in the bucket's region, unusable.
    let regions: Vec<String> = [HZ, SH, "cn-beijing", "ap-southeast-1"]
        .map(String::from)
        .to_vec();
    let other = &row(&rows, &other_region_bucket(&regions).expect("bucket"))["kms_key"];
    assert_eq!(other["id"], demo_key_id(SH, "aes"));
    assert_eq!(other["state"], "NotFound");
    assert!(other["key_id"].is_null() && other["alias"].is_null());
    assert_eq!(other["usable"], false);
    unusable += 1;
    // No CMK: null (no rule, AES256, SM4, KMS default key, unreadable rule).
    for name in [
        "marketing-uploads-hz",
        "prod-web-assets-hz",
        "ml-training-data-hz",
        "prod-logs-hz",
        "security-audit-hz",
    ] {
        assert!(row(&rows, name)["kms_key"].is_null(), "{name}");
    }
    // The demo's other CMK buckets name Enabled keys.
    assert_eq!(row(&rows, "prod-db-backup-hz")["kms_key"]["usable"], true);

    let gated = ossguard(
        &server,
        &["buckets", "--format", "csv", "--fail-on", "key-unusable"],
    );
    assert_eq!(gated.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&gated.stderr);
    assert!(
        stderr.contains(&format!("{unusable} bucket(s)")),
        "{stderr}"
    );
    let csv = String::from_utf8_lossy(&gated.stdout);
    let header = csv.lines().next().expect("header");
    assert!(
        header.contains(
            ",kms_key_state,kms_key_alias,kms_key_origin,kms_key_usable,kms_key_error_code,"
        ),
        "{header}"
    );
    let disabled = csv
        .lines()
        .find(|l| l.starts_with(&demo_key_bucket(HZ, "disabled")))
        .expect("row");
    assert!(
        disabled.contains(",Disabled,alias/disabled-cnhangzhou,Aliyun_KMS,false,,"),
        "{disabled}"
    );
    let fine = ossguard(&server, &["buckets", "--fail-on", "unknown"]);
    assert_eq!(fine.status.code(), Some(3), "the demo has unreadable rules");
}

#[test]
fn a_key_kms_cannot_be_asked_about_is_reported_not_unusable() {
    let keys = serde_json::json!({
        "keys": [crate::common::enabled_key(HZ, "key-hz-denied0001")],
        "denied_actions": ["kms:DescribeKey"],
    });
    let server = DevServerProcess::start_with_kms(&keys, &["--seed-buckets", "1"]);
    let set = ossguard(
        &server,
        &[
            "set",
            "seed-00001",
            "--sse",
            "KMS",
            "--kms-key-id",
            "key-hz-denied0001",
        ],
    );
    assert_eq!(set.status.code(), Some(1), "refused: KMS cannot be asked");
    let stderr = String::from_utf8_lossy(&set.stderr);
    assert!(
        stderr.contains("kms:DescribeKey") && stderr.contains("--skip-key-check"),
        "{stderr}"
    );
    let forced = ossguard(
        &server,
        &[
            "set",
            "seed-00001",
            "--sse",
            "KMS",
            "--kms-key-id",
            "key-hz-denied0001",
            "--skip-key-check",
            "--format",
            "json",
        ],
    );
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let got = stdout_json(&ossguard(
        &server,
        &["get", "seed-00001", "--format", "json"],
    ));
    let key = &got["kms_key"];
    assert!(key["usable"].is_null() && key["state"].is_null(), "{key}");
    assert_eq!(key["error"]["code"], "Forbidden.NoPermission");
    assert!(key["error"]["request_id"].is_string());
    let gate = ossguard(&server, &["buckets", "--fail-on", "key-unusable"]);
    assert_eq!(gate.status.code(), Some(0), "not asked is not unusable");
}

#[test]
fn set_refuses_an_unusable_key_unless_the_check_is_skipped() {
    let server = DevServerProcess::start(&["--demo"]);
    let target = "prod-web-assets-hz";
    for kind in ["disabled", "pending", "sign"] {
        let key = demo_key_id(HZ, kind);
        let out = ossguard(
            &server,
            &["set", target, "--sse", "KMS", "--kms-key-id", &key],
        );
        assert_eq!(out.status.code(), Some(1), "{kind}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("nothing was written"), "{stderr}");
    }
    // A key of another region is not found in the bucket's.
    let foreign = demo_key_id(SH, "aes");
    let out = ossguard(
        &server,
        &["set", target, "--sse", "KMS", "--kms-key-id", &foreign],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist in cn-hangzhou"));
    let still = stdout_json(&ossguard(&server, &["get", target, "--format", "json"]));
    assert_eq!(still["sse_algorithm"], "AES256", "nothing written");
    // Nothing refused was logged.
    let log = stdout_json(&ossguard(&server, &["log", "--format", "json"]));
    assert_eq!(log.as_array().map(Vec::len), Some(0));

    let disabled = demo_key_id(HZ, "disabled");
    let forced = ossguard(
        &server,
        &[
            "set",
            target,
            "--sse",
            "KMS",
            "--kms-key-id",
            &disabled,
            "--skip-key-check",
            "--format",
            "json",
        ],
    );
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let printed = stdout_json(&forced);
    assert_eq!(printed["kms_key"]["state"], "Disabled");
    let usable = demo_key_id(HZ, "aes");
    let ok = ossguard(
        &server,
        &[
            "set",
            target,
            "--sse",
            "KMS",
            "--kms-key-id",
            &usable,
            "--format",
            "json",
        ],
    );
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(stdout_json(&ok)["kms_key"]["usable"], true);
    let log = stdout_json(&ossguard(&server, &["log", "--format", "json"]));
    let log = log.as_array().expect("array");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["checks_skipped"], true, "the override is on record");
    assert_ne!(log[1]["checks_skipped"], true, "{}", log[1]);
}

#[test]
fn keys_lists_regions_sorted_in_every_format() {
    let server = DevServerProcess::start(&["--demo"]);
    let out = ossguard(&server, &["keys", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = stdout_json(&out);
    let rows = rows.as_array().expect("array");
    let pairs: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["region"].as_str().unwrap_or("").to_owned(),
                r["key_id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let mut sorted = pairs.clone();
    sorted.sort();
    assert_eq!(pairs, sorted, "sorted by region then key_id");
    let regions: std::collections::BTreeSet<&str> = pairs.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(regions.len(), 4, "every region with a bucket");
    let fields = [
        "region",
        "key_id",
        "arn",
        "aliases",
        "state",
        "key_spec",
        "key_usage",
        "origin",
        "protection_level",
        "creator",
        "creation_date",
        "delete_date",
    ];
    for row in rows {
        let keys = row.as_object().expect("object");
        assert_eq!(keys.len(), fields.len(), "{row}");
        for field in fields {
            assert!(keys.contains_key(field), "{field}");
        }
    }
    let pending = rows
        .iter()
        .find(|r| r["key_id"] == demo_key_id(SH, "pending"))
        .expect("pending key");
    assert_eq!(pending["state"], "PendingDeletion");
    assert!(pending["delete_date"].is_string());
    assert_eq!(
        pending["aliases"],
        serde_json::json!(["alias/pending-cnshanghai"])
    );
    let aes = rows
        .iter()
        .find(|r| r["key_id"] == demo_key_id(SH, "aes"))
        .expect("aes");
    assert_eq!(
        aes["aliases"],
        serde_json::json!(["alias/aes-cnshanghai", "alias/prod-data-cnshanghai"])
    );

    let one = stdout_json(&ossguard(
        &server,
        &["keys", "--regions", "cn-beijing", "--format", "json"],
    ));
    let one = one.as_array().expect("array");
    assert!(!one.is_empty() && one.iter().all(|r| r["region"] == "cn-beijing"));
    let csv = ossguard(
        &server,
        &[
            "keys",
            "--regions",
            "cn-beijing,cn-hangzhou",
            "--format",
            "csv",
        ],
    );
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(
        text.starts_with("region,key_id,arn,aliases,state,"),
        "{text}"
    );
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("cn-beijing,"))
    );
    let table = ossguard(&server, &["keys"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("REGION"), "{text}");
    assert!(text.contains(&demo_key_id("ap-southeast-1", "hsm")));
}

//! `ossguard objects scan | encrypt | jobs` (the binary) against the dev server binary: the
//! JSON fields, exit codes, the per-object file, shards, the dry run's plan, and a second
//! run that copies nothing (one runner per job, and a job killed with SIGKILL and resumed:
//! objects_resume.rs).

use std::process::{Command, Output};

use crate::common::{AK, DevServerProcess, SK};
use ossguard::devserver::seed_objects::{DEMO_OBJECTS_BUCKET, SEED_OBJECTS_BUCKET};

pub(crate) fn command(server: &DevServerProcess, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ossguard"));
    cmd.args(args)
        .env("OSS_ENDPOINT", server.endpoint())
        .env("OSS_REGION", "cn-hangzhou")
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env_remove("OSS_SESSION_TOKEN")
        .env("OSSGUARD_CONFIG_DIR", server.dir.path().join("config"))
        .env("OSSGUARD_DATA_DIR", server.dir.path().join("client-data"));
    cmd
}

fn ossguard(server: &DevServerProcess, args: &[&str]) -> Output {
    command(server, args).output().expect("ossguard runs")
}

pub(crate) fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// The plan (JSON) of re-encrypting `bucket` to KMS with the default key and SM4 data.
fn kms_sm4_dry_run(server: &DevServerProcess, bucket: &str) -> serde_json::Value {
    json(&ossguard(
        server,
        &[
            "objects",
            "encrypt",
            bucket,
            "--sse",
            "KMS",
            "--kms-data-encryption",
            "SM4",
            "--dry-run",
            "--format",
            "json",
        ],
    ))
}

#[test]
fn scan_then_encrypt_then_nothing_left_to_copy() {
    let server = DevServerProcess::start(&["--demo", "--regions", "cn-hangzhou"]);
    let bucket = DEMO_OBJECTS_BUCKET;
    let out = server.dir.path().join("objects.jsonl");
    let out_arg = out.display().to_string();
    let scan = json(&ossguard(
        &server,
        &[
            "objects", "scan", bucket, "--format", "json", "--out", &out_arg,
        ],
    ));
    assert_eq!(scan["bucket"], bucket);
    assert_eq!(scan["rule"]["sse_algorithm"], "AES256");
    assert_eq!(scan["objects"], 16);
    assert_eq!(scan["truncated"], false);
    assert_eq!(scan["errors"], 0);
    let classes = scan["by_encryption"].as_array().expect("array");
    assert_eq!(classes[0]["sse_algorithm"], serde_json::Value::Null);
    assert_eq!(classes[0]["objects"], 11);
    let total: u64 = classes
        .iter()
        .map(|c| c["objects"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 16);
    assert_eq!(scan["by_storage_class"]["Archive"]["objects"], 2);
    assert_eq!(scan["not_matching_rule"]["objects"], 14);
    let lines = std::fs::read_to_string(&out).expect("out file");
    assert_eq!(lines.lines().count(), 16);
    let line: serde_json::Value =
        serde_json::from_str(lines.lines().next().unwrap_or_default()).expect("line");
    for field in [
        "key",
        "size",
        "etag",
        "storage_class",
        "object_type",
        "sse_algorithm",
        "kms_master_key_id",
        "kms_data_encryption",
        "error",
    ] {
        assert!(line.get(field).is_some(), "{field} in {line}");
    }
    let cut = json(&ossguard(
        &server,
        &[
            "objects",
            "scan",
            bucket,
            "--max-objects",
            "5",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        (cut["objects"].as_u64(), cut["truncated"].as_bool()),
        (Some(5), Some(true))
    );
    let csv = ossguard(&server, &["objects", "scan", bucket, "--format", "csv"]);
    assert!(String::from_utf8_lossy(&csv.stdout).contains("not_matching_rule.objects,14"));

    // Neither --dry-run nor --yes: usage error. No rule and no --sse: refused.
    assert_eq!(
        ossguard(&server, &["objects", "encrypt", bucket])
            .status
            .code(),
        Some(2)
    );
    let no_rule = ossguard(
        &server,
        &["objects", "encrypt", "marketing-uploads-hz", "--yes"],
    );
    assert_eq!(no_rule.status.code(), Some(1));

    let plan = kms_sm4_dry_run(&server, bucket);
    assert_eq!(
        (plan["copy"].as_u64(), plan["multipart_copy"].as_u64()),
        (Some(11), Some(1))
    );
    assert_eq!(plan["skipped"]["archive-not-restored"], 2);
    // The demo mix (src/devserver/seed_objects.rs): the eleven copyable objects under 1 GB,
    // and the 2.5 GB video by 40 parts of 64 MiB.
    assert_eq!(plan["copy_bytes"], 21_109_881);
    assert_eq!(plan["multipart_copy_bytes"], 2_684_354_560_u64);
    assert_eq!(plan["bytes_to_copy"], 21_109_881 + 2_684_354_560_u64);
    assert_eq!(plan["already_ok"], 0);
    assert_eq!(
        plan["skipped"],
        serde_json::json!({"archive-not-restored": 2, "appendable": 1, "symlink": 1})
    );
    assert!(
        plan["skipped_why"]["appendable"]
            .as_str()
            .is_some_and(|why| why.contains("appendable")),
        "{plan}"
    );
    // One list page, 16 HEADs, ACL + copy + verify for 11, and ACL + tags + initiate + 40
    // parts + complete + verify for the video.
    assert_eq!(plan["requests"], 1 + 16 + 11 * 3 + (5 + 40));
    assert_eq!(plan["versioning"], "Off");
    assert_eq!(plan["versions_note"], serde_json::Value::Null);
    let table = ossguard(
        &server,
        &["objects", "encrypt", bucket, "--sse", "AES256", "--dry-run"],
    );
    let table = String::from_utf8_lossy(&table.stdout);
    for (field, value) in [
        ("already_ok", "2"),
        ("skipped.symlink", "1"),
        ("multipart_copy", "1"),
        ("versioning", "Off"),
    ] {
        let line = format!("{field:<40} {value}\n");
        assert!(table.contains(&line), "{line:?} in\n{table}");
    }
    assert!(
        table.contains("skipped_why.archive-not-restored"),
        "{table}"
    );
    // The dry run wrote nothing.
    let again = json(&ossguard(
        &server,
        &["objects", "scan", bucket, "--format", "json"],
    ));
    assert_eq!(again["by_encryption"], scan["by_encryption"]);

    let run = json(&ossguard(
        &server,
        &[
            "objects",
            "encrypt",
            bucket,
            "--sse",
            "KMS",
            "--kms-data-encryption",
            "SM4",
            "--yes",
            "--format",
            "json",
        ],
    ));
    assert_eq!(run["planned"], 16);
    assert_eq!(run["copied"], 12);
    assert_eq!(run["already_ok"], 0);
    assert_eq!(
        run["skipped"],
        serde_json::json!({"archive-not-restored": 2, "appendable": 1, "symlink": 1})
    );
    assert_eq!(run["failed"], 0);
    assert_eq!(run["resumed"], false);
    assert_eq!(run["target"]["kms_data_encryption"], "SM4");
    let second = json(&ossguard(
        &server,
        &[
            "objects",
            "encrypt",
            bucket,
            "--sse",
            "KMS",
            "--kms-data-encryption",
            "SM4",
            "--yes",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        (second["copied"].as_u64(), second["already_ok"].as_u64()),
        (Some(0), Some(12))
    );
    assert_ne!(second["job_id"], run["job_id"]);
    let after = json(&ossguard(
        &server,
        &["objects", "scan", bucket, "--format", "json"],
    ));
    assert_eq!(after["by_encryption"][0]["kms_data_encryption"], "SM4");
    assert_eq!(after["by_encryption"][0]["objects"], 12);

    let jobs = json(&ossguard(&server, &["objects", "jobs", "--format", "json"]));
    assert_eq!(jobs.as_array().map(Vec::len), Some(2));
    assert_eq!(jobs[0]["state"], "done");
    let results = std::fs::read_to_string(
        server
            .dir
            .path()
            .join("client-data/jobs")
            .join(run["job_id"].as_str().unwrap_or_default())
            .join("results.jsonl"),
    )
    .expect("results file");
    assert_eq!(results.lines().count(), 16);
    assert!(results.contains("\"reason\":\"symlink\""));
    let log =
        std::fs::read_to_string(server.dir.path().join("client-data/changes.jsonl")).expect("log");
    assert_eq!(log.matches("\"kind\":\"reencrypt_objects\"").count(), 4);
    assert!(log.contains("\"copied\":12"));
}

#[test]
fn shards_split_the_keys_and_a_bad_cmk_is_refused_before_any_copy() {
    let keys = serde_json::json!({"keys": [crate::common::enabled_key("cn-hangzhou", "key-hz-objects001")]});
    let server = DevServerProcess::start_with_kms(
        &keys,
        &["--seed-objects", "300", "--regions", "cn-hangzhou"],
    );
    // The same CMK pre-flight as `set`: an unknown key stops the job before any write.
    let refused = ossguard(
        &server,
        &[
            "objects",
            "encrypt",
            SEED_OBJECTS_BUCKET,
            "--sse",
            "KMS",
            "--kms-key-id",
            "key-hz-nosuchkey1",
            "--yes",
        ],
    );
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pre-flight"));
    let untouched = json(&ossguard(
        &server,
        &["objects", "scan", SEED_OBJECTS_BUCKET, "--format", "json"],
    ));
    assert_eq!(untouched["not_matching_rule"]["objects"], 0);
    assert_eq!(untouched["by_encryption"][0]["objects"], 300);
    let good = json(&ossguard(
        &server,
        &[
            "objects",
            "encrypt",
            SEED_OBJECTS_BUCKET,
            "--prefix",
            "obj/00000",
            "--sse",
            "KMS",
            "--kms-key-id",
            "key-hz-objects001",
            "--yes",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        (good["planned"].as_u64(), good["copied"].as_u64()),
        (Some(99), Some(99))
    );
    assert_eq!(good["target"]["kms_master_key_id"], "key-hz-objects001");
    let mut total = 0;
    for shard in ["0/3", "1/3", "2/3"] {
        let scan = json(&ossguard(
            &server,
            &[
                "objects",
                "scan",
                SEED_OBJECTS_BUCKET,
                "--shard",
                shard,
                "--format",
                "json",
            ],
        ));
        let n = scan["objects"].as_u64().unwrap_or(0);
        assert!(n > 50, "{shard}: {n}");
        total += n;
    }
    assert_eq!(total, 300);
    assert_eq!(
        ossguard(
            &server,
            &["objects", "scan", SEED_OBJECTS_BUCKET, "--shard", "3/3"]
        )
        .status
        .code(),
        Some(2)
    );
}

/// Objects already encrypted otherwise are copied to the bucket's AES256 too: the plan says
/// which (from -> to, counts, bytes) and the dry run warns of each loss on stderr (a `--yes`
/// run does not plan first: that would HEAD every object twice).
#[test]
fn a_downgrade_is_shown_in_the_plan_and_warned_by_the_dry_run() {
    let server = DevServerProcess::start(&["--demo", "--regions", "cn-hangzhou"]);
    let bucket = DEMO_OBJECTS_BUCKET;
    let dry = ossguard(
        &server,
        &[
            "objects",
            "encrypt",
            bucket,
            "--dry-run",
            "--format",
            "json",
        ],
    );
    let stderr = String::from_utf8_lossy(&dry.stderr);
    assert!(
        stderr.contains(&format!("warning: {bucket}: re-encryption weakens")),
        "{stderr}"
    );
    let plan = json(&dry);
    let changes: Vec<(String, u64, u64, serde_json::Value)> = plan["encryption_changes"]
        .as_array()
        .expect("encryption_changes")
        .iter()
        .map(|c| {
            assert_eq!(c["to"]["sse_algorithm"], "AES256", "{c}");
            (
                c["change"].as_str().unwrap_or_default().to_owned(),
                c["objects"].as_u64().unwrap_or(0),
                c["bytes"].as_u64().unwrap_or(0),
                c["losses"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                "KMS (9468da86-3509-4f8d-a61e-6eab1eac0001) -> AES256".to_owned(),
                1,
                4_096,
                serde_json::json!(["customer-master-key", "kms"])
            ),
            (
                "KMS (default key) -> AES256".to_owned(),
                1,
                4_096,
                serde_json::json!(["kms"])
            ),
            (
                "SM4 -> AES256".to_owned(),
                1,
                740_219,
                serde_json::json!(["sm4"])
            ),
        ]
    );
    assert_eq!(
        plan["encryption_changes"][0]["from"]["kms_master_key_id"],
        "9468da86-3509-4f8d-a61e-6eab1eac0001"
    );
    let warning = plan["downgrade_warning"].as_str().expect("a warning");
    assert!(warning.contains("SM4 -> AES256 (1 object)"), "{warning}");
    assert_eq!(plan["preflight_problem"], serde_json::Value::Null);
    // The table shows the same facts.
    let table = ossguard(&server, &["objects", "encrypt", bucket, "--dry-run"]);
    let table = String::from_utf8_lossy(&table.stdout);
    for line in [
        format!("{:<40} SM4 -> AES256\n", "encryption_changes.2.change"),
        format!("{:<40} 740219\n", "encryption_changes.2.bytes"),
    ] {
        assert!(table.contains(&line), "{line:?} in\n{table}");
    }
    assert!(table.contains("downgrade_warning"), "{table}");

    // To KMS with the default key and SM4 data: only the CMK is lost; the objects under
    // AES256 and the unencrypted ones gain and are not warned about.
    let kms = kms_sm4_dry_run(&server, bucket);
    let warning = kms["downgrade_warning"]
        .as_str()
        .expect("the CMK's warning");
    assert!(
        warning.contains("a customer master key is replaced") && !warning.contains("SM4 ->"),
        "{warning}"
    );
    assert_eq!(kms["encryption_changes"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        kms["encryption_changes"][0]["change"],
        "AES256 -> KMS + SM4 (default key)"
    );
    assert_eq!(kms["encryption_changes"][0]["objects"], 2);
    assert_eq!(
        kms["encryption_changes"][0]["losses"],
        serde_json::json!([])
    );

    let run = ossguard(&server, &["objects", "encrypt", bucket, "--yes"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // The jobs table explains every planned object: 16 = 10 copied + 2 ok + 4 skipped + 0.
    let jobs = ossguard(&server, &["objects", "jobs"]);
    let jobs = String::from_utf8_lossy(&jobs.stdout);
    let header: Vec<&str> = jobs
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        [
            "JOB", "STATE", "CREATED", "PLANNED", "COPIED", "OK", "SKIPPED", "FAILED"
        ]
    );
    let row: Vec<&str> = jobs
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(row[3..], ["16", "10", "2", "4", "0"], "{jobs}");

    // The job's files name object keys: the owner's only, like the change log.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .expect("metadata")
        };
        let jobs_dir = server.dir.path().join("client-data/jobs");
        assert_eq!(mode(&jobs_dir), 0o700);
        let job = std::fs::read_dir(&jobs_dir)
            .expect("jobs")
            .next()
            .expect("a job")
            .expect("entry")
            .path();
        assert_eq!(mode(&job), 0o700);
        for file in std::fs::read_dir(&job).expect("job files") {
            let file = file.expect("entry").path();
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
}

/// A dry run on a bucket whose rule names a disabled key shows the plan and the key's
/// problem; a run is still refused by the pre-flight check.
#[test]
fn a_dry_run_shows_the_plan_beside_a_disabled_key() {
    use ossguard::devserver::demo_keys::{demo_key_bucket, demo_key_id};
    let server = DevServerProcess::start(&["--demo", "--regions", "cn-hangzhou"]);
    let bucket = demo_key_bucket("cn-hangzhou", "disabled");
    let plan = json(&ossguard(
        &server,
        &[
            "objects",
            "encrypt",
            &bucket,
            "--dry-run",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        plan["target"]["kms_master_key_id"],
        demo_key_id("cn-hangzhou", "disabled")
    );
    assert!(plan["planned"].is_u64(), "{plan}");
    let problem = plan["preflight_problem"].as_str().expect("the key problem");
    assert!(problem.to_lowercase().contains("disabled"), "{problem}");
    let run = ossguard(&server, &["objects", "encrypt", &bucket, "--yes"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("pre-flight check refused"));
}

//! Secrets never reach logs, output or config: a full run of the CLI and the dev server at
//! trace level, including failures, is searched for the secret and the STS token.

use std::process::Command;

use crate::common::{AK, SK};

const TOKEN: &str = "sts-token-9d2f7c1e-never-logged";

#[test]
fn trace_logs_of_a_full_run_hold_no_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut server = Command::new(env!("CARGO_BIN_EXE_ossguard"))
        .args([
            "devserver",
            "--seed-buckets",
            "12",
            "--sts-token",
            TOKEN,
            "--data",
        ])
        .arg(&data)
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env("RUST_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut stdout = std::io::BufReader::new(server.stdout.take().expect("stdout"));
    let mut ready = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut ready).expect("ready line");
    let ready: serde_json::Value = serde_json::from_str(&ready).expect("json");
    let endpoint = ready["endpoint"].as_str().expect("endpoint").to_owned();

    let run = |args: &[&str], id: &str, secret: &str, token: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ossguard"));
        cmd.args(args)
            .args(["--endpoint", &endpoint, "--region", "cn-hangzhou"])
            .env("OSS_ACCESS_KEY_ID", id)
            .env("OSS_ACCESS_KEY_SECRET", secret)
            .env("OSSGUARD_DATA_DIR", dir.path().join("client"))
            .env("OSSGUARD_CONFIG_DIR", dir.path().join("config"))
            .env("RUST_LOG", "trace");
        match token {
            Some(t) => cmd.env("OSS_SESSION_TOKEN", t),
            None => cmd.env_remove("OSS_SESSION_TOKEN"),
        };
        let out = cmd.output().expect("cli runs");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let sts_id = format!("STS.{AK}");
    let mut captured = String::new();
    captured += &run(&["buckets", "--format", "json"], AK, SK, None);
    captured += &run(
        &["buckets", "--signature-version", "v1"],
        &sts_id,
        SK,
        Some(TOKEN),
    );
    captured += &run(&["set", "seed-00001", "--sse", "KMS"], AK, SK, None);
    captured += &run(&["delete", "seed-00001", "--yes"], AK, SK, None);
    captured += &run(&["buckets"], AK, "a-wrong-secret-value", None);
    captured += &run(&["buckets"], &sts_id, SK, Some("a-wrong-token-value"));
    captured += &run(&["log", "--format", "json"], AK, SK, None);
    server.kill().ok();
    let mut server_log = String::new();
    if let Some(mut stderr) = server.stderr.take() {
        std::io::Read::read_to_string(&mut stderr, &mut server_log).ok();
    }
    server.wait().ok();

    assert!(captured.contains("seed-00001"), "the runs produced output");
    assert!(
        captured.contains("SignatureDoesNotMatch"),
        "the failing run is included"
    );
    assert!(
        server_log.contains("seed-00001") || server_log.contains("GetBucketEncryption"),
        "server logged at trace"
    );
    for text in [&captured, &server_log] {
        for secret in [SK, TOKEN, "a-wrong-secret-value", "a-wrong-token-value"] {
            assert!(!text.contains(secret), "secret {secret:?} leaked");
        }
    }
    // The change log and the dev server's state hold no secret either.
    let files = walk(dir.path());
    assert!(
        files.iter().any(|f| f.ends_with("client/changes.jsonl")),
        "{files:?}"
    );
    for entry in files {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains(SK) && !text.contains(TOKEN),
            "{} holds a secret",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

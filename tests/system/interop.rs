//! The official SDKs (Python oss2 and alibabacloud-oss-v2, Node ali-oss; for KMS Python
//! alibabacloud-kms20160120 and aliyun-python-sdk-kms, Node @alicloud/pop-core) drive the dev
//! server binary. The scripts live in tests/interop/; `tests/interop/setup.sh` installs the
//! SDKs (the README's test command runs it). With OSSGUARD_REQUIRE_INTEROP=1 a missing
//! install fails the test instead of skipping it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{AK, DevServerProcess, SK};

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// The interpreter for a script, or `None` (skip) when the SDKs are not installed.
fn interpreter(kind: &str, script: &str) -> Option<PathBuf> {
    let dir = interop_dir();
    let (path, marker) = match kind {
        "python" => (dir.join(".venv/bin/python"), dir.join(".venv/bin/python")),
        _ if script.starts_with("popcore") => (
            PathBuf::from("node"),
            dir.join("node_modules/@alicloud/pop-core"),
        ),
        _ => (PathBuf::from("node"), dir.join("node_modules/ali-oss")),
    };
    if marker.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("OSSGUARD_REQUIRE_INTEROP").as_deref() != Ok("1"),
        "SDKs not installed: run tests/interop/setup.sh"
    );
    eprintln!("skipping: SDKs not installed (run tests/interop/setup.sh)");
    None
}

fn run_script(kind: &str, script: &str) {
    run_script_with(kind, script, &[], &[], 20);
}

/// Runs `script` against a dev server started with `server_args`, with `envs` set; at least
/// `min_checks` checks must pass.
fn run_script_with(
    kind: &str,
    script: &str,
    server_args: &[&str],
    envs: &[(&str, &str)],
    min_checks: usize,
) {
    let Some(interpreter) = interpreter(kind, script) else {
        return;
    };
    let server = DevServerProcess::start(server_args);
    let prefix = format!("it-{:x}", std::process::id() ^ rand_suffix());
    let output = Command::new(interpreter)
        .arg(interop_dir().join(script))
        .env("OSSGUARD_READY", &server.ready_line)
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env("OSSGUARD_BUCKET_PREFIX", &prefix)
        .envs(envs.iter().copied())
        .output()
        .expect("script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let checks = stdout.lines().filter(|l| l.starts_with("ok - ")).count();
    assert!(
        checks >= min_checks,
        "{script} ran only {checks} checks:\n{stdout}"
    );
    assert!(!stdout.contains("not ok"), "{stdout}");
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default()
}

#[test]
fn python_oss2_v1_and_v4() {
    run_script("python", "oss2_test.py");
}

#[test]
fn python_alibabacloud_oss_v2() {
    run_script("python", "ossv2_test.py");
}

/// alibabacloud-sts20150401 and aliyun-python-sdk-sts assume a role; oss2 uses what they
/// return until it expires (the server issues 5-second credentials).
#[test]
fn python_sts_sdks_then_oss2_with_their_credentials() {
    let role = "acs:ram::2222333344445555:role/interop";
    run_script_with(
        "python",
        "sts_test.py",
        &[
            "--sts-role",
            &format!("arn={role}"),
            "--sts-max-duration-seconds",
            "5",
        ],
        &[("OSSGUARD_ROLE_ARN", role)],
        16,
    );
}

/// The object calls `ossguard objects` relies on, through oss2 and alibabacloud-oss-v2.
#[test]
fn python_sdks_list_copy_and_multipart_copy_objects() {
    run_script_with("python", "objects_test.py", &[], &[], 26);
}

#[test]
fn node_ali_oss() {
    run_script("node", "alioss_test.js");
}

/// Per region of a `--demo` server: ListKeys across pages, DescribeKey of 8 keys, ListAliases,
/// unknown key, wrong secret, replayed nonce (13 checks, 4 regions).
const KMS_CHECKS: usize = 52;

#[test]
fn python_alibabacloud_kms_tea_openapi_acs3() {
    run_script_with("python", "kms_tea_test.py", &["--demo"], &[], KMS_CHECKS);
}

#[test]
fn python_aliyun_sdk_kms_core_v1() {
    run_script_with("python", "kms_core_test.py", &["--demo"], &[], KMS_CHECKS);
}

#[test]
fn node_pop_core_kms_get_and_post() {
    run_script_with(
        "node",
        "popcore_kms_test.js",
        &["--demo"],
        &[],
        2 * KMS_CHECKS,
    );
}

#[test]
fn ready_line_has_the_documented_shape() {
    let server = DevServerProcess::start(&["--regions", "cn-hangzhou,cn-shanghai"]);
    let ready = &server.ready;
    let keys: Vec<&str> = ready
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.contains(&"endpoint") && keys.contains(&"regions") && keys.contains(&"access_key_id")
    );
    assert_eq!(ready["access_key_id"], AK);
    assert_eq!(ready["regions"]["cn-hangzhou"], ready["endpoint"]);
    let shanghai = ready["regions"]["cn-shanghai"].as_str().expect("url");
    assert!(shanghai.starts_with("http://127.0.0.1:") && shanghai != server.endpoint());
    assert!(
        !server.ready_line.contains(SK),
        "the secret is never printed"
    );
}

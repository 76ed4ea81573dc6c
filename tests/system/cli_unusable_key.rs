//! A rule naming an unusable CMK, written with `--skip-key-check`: the warning, the same rule
//! written again (nothing written or logged), and its undo, which runs the key check too.

use crate::cli_kms::{ossguard, stdout_json};
use crate::common::DevServerProcess;
use ossguard::devserver::demo_keys::demo_key_id;

const BUCKET: &str = "tmp-scratch-hz";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_rule_set_twice_is_written_once_and_its_undo_can_skip_the_key_check() {
    let server = DevServerProcess::start(&["--demo"]);
    let disabled = demo_key_id("cn-hangzhou", "disabled");
    let set = [
        "set",
        BUCKET,
        "--sse",
        "KMS",
        "--kms-key-id",
        &disabled,
        "--skip-key-check",
    ];
    let first = ossguard(&server, &set);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let warning = stderr(&first);
    assert!(
        warning.contains("warning:") && warning.contains("new uploads to this bucket will fail"),
        "{warning}"
    );

    let mut again = set.to_vec();
    again.extend(["--format", "json"]);
    let second = ossguard(&server, &again);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("already has this rule"),
        "{}",
        stderr(&second)
    );
    assert!(
        stderr(&second).contains("new uploads to this bucket will fail"),
        "warned in JSON mode too: {}",
        stderr(&second)
    );
    let printed = stdout_json(&second);
    assert_eq!(printed["name"], BUCKET, "{printed}");
    assert_eq!(printed["kms_key"]["usable"], false, "{printed}");
    let log = stdout_json(&ossguard(&server, &["log", "--format", "json"]));
    assert_eq!(log.as_array().map(Vec::len), Some(1), "logged once: {log}");

    // The undo deletes the rule: no key to check, so it goes through; set it back to a
    // rule naming the disabled key to undo that.
    let aes = demo_key_id("cn-hangzhou", "aes");
    let usable = ossguard(
        &server,
        &["set", BUCKET, "--sse", "KMS", "--kms-key-id", &aes],
    );
    assert_eq!(usable.status.code(), Some(0), "{}", stderr(&usable));

    let refused = ossguard(&server, &["undo", "--yes"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let refused = stderr(&refused);
    assert!(
        refused.contains("or pick another key.\nnothing was written (pass --skip-key-check"),
        "our line break is kept: {refused:?}"
    );
    assert!(!refused.contains('?'), "{refused:?}");

    let undone = ossguard(&server, &["undo", "--yes", "--skip-key-check"]);
    assert_eq!(undone.status.code(), Some(0), "{}", stderr(&undone));
    let now = stdout_json(&ossguard(&server, &["get", BUCKET, "--format", "json"]));
    assert_eq!(now["kms_master_key_id"], disabled.as_str(), "{now}");
    let log = stdout_json(&ossguard(&server, &["log", "--format", "json"]));
    let log = log.as_array().expect("array");
    let last = log.last().expect("a record");
    assert_eq!(
        last["checks_skipped"], true,
        "the override is on record: {last}"
    );
    assert!(last["undo_of"].is_string(), "{last}");
}

//! `keys --regions` with a region ID that is not one: exit 2 with the valid form, nothing
//! listed (it was listing the default region's keys under the mistyped name).

use crate::cli_kms::ossguard;
use crate::common::DevServerProcess;

#[test]
fn keys_refuses_a_region_id_that_is_not_one() {
    let server = DevServerProcess::start(&["--demo"]);
    let out = ossguard(&server, &["keys", "--regions", "cn-hangzhou,nope-region"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "nothing listed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"nope-region\" is not a region ID") && stderr.contains("cn-hangzhou"),
        "{stderr}"
    );
    let ok = ossguard(&server, &["keys", "--regions", "cn-hangzhou"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn keys_of_a_region_the_server_does_not_serve_are_not_another_regions_keys() {
    let server = DevServerProcess::start(&["--demo"]);
    let out = ossguard(
        &server,
        &["keys", "--regions", "cn-nowhere", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("cn-hangzhou"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("serves another region"), "{stderr}");
}

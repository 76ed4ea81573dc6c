//! Role profiles in the profile form: the credential type chooses the fields, a RAM role is
//! assumed from a source profile against the dev server's STS before saving (a refused
//! AssumeRole is shown at the role's field, fixed there and saved), bad role settings are
//! refused with the CLI's own checks, and an Alibaba Cloud CLI RamRoleArn import keeps its role.

use std::sync::Arc;

use crate::ui_support::UiTest;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::keystore::{Keystore as _, MemoryStore};
use ossguard::app::state::AppState;
use ossguard::devserver::DevServer;
use ossguard::devserver::sts_state::RoleDef;

const AK: &str = "LTAI5tUiRoleSource001";
const SK: &str = "ui-role-source-secret-never-on-disk";
/// Trusts any key of the account.
const ROLE: &str = "acs:ram::2222333344445555:role/auditor";
/// Trusts only a key the test does not hold: AssumeRole is refused.
const DENIED: &str = "acs:ram::2222333344445555:role/locked";

fn role_server(test: &UiTest) -> DevServer {
    test.start_server(AK, SK, |c| {
        c.seed_buckets = 12;
        c.sts_roles = vec![
            RoleDef::parse_flag(&format!("arn={ROLE}")).expect("role"),
            RoleDef::parse_flag(&format!("arn={DENIED},trust=LTAI5tSomeoneElse0001"))
                .expect("role"),
        ];
    })
}

/// Adds the AccessKey profile "source" through the form and waits for its audit.
fn add_source(test: &mut UiTest, endpoint: &str) {
    test.open_add_account();
    test.type_into("Name", "source");
    test.replace_text("Endpoint", endpoint);
    test.replace_text("Region", "cn-hangzhou");
    test.type_into("AccessKey ID", AK);
    test.type_into("AccessKey secret", SK);
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label("Read 12 of 12 rules");
}

/// Opens the combo box `label` and picks `option`.
fn choose(test: &mut UiTest, label: &str, option: &str) {
    test.harness.get_by_label(label).click();
    test.step_until_label(option);
    test.harness
        .get_by_role_and_label(Role::Button, option)
        .click();
    test.settle();
}

fn new_role_profile(test: &mut UiTest, endpoint: &str) {
    test.harness.get_by_label("Profiles…").click();
    test.open_add_account();
    test.type_into("Name", "auditor");
    // The region stays the form's default, cn-hangzhou (the table has a Region column too).
    test.replace_text("Endpoint", endpoint);
    choose(test, "Credential type", "RAM role");
    test.step_until_label("Role ARN");
    assert!(
        test.harness.query_by_label("AccessKey secret").is_none(),
        "a role profile has no secret of its own"
    );
    choose(test, "Source profile", "source");
}

/// The form kept the profile back: nothing named "auditor" was saved.
fn assert_not_saved(test: &UiTest) {
    let saved = test
        .harness
        .state()
        .state()
        .profiles
        .get("auditor")
        .cloned();
    assert_eq!(saved, None);
}

/// Waits until "auditor" is the active profile and `done` holds.
fn step_until_auditor(test: &mut UiTest, what: &str, done: impl Fn(&AppState) -> bool) {
    test.step_until(what, |h| {
        let state = h.state().state();
        state
            .active
            .as_ref()
            .is_some_and(|a| a.profile.name == "auditor")
            && done(state)
    });
}

#[test]
fn a_ram_role_profile_is_tested_fixed_in_place_and_saved() {
    let store = MemoryStore::default();
    let shared = store.clone();
    let mut test = UiTest::start(move |env| env.keystore = Arc::new(shared));
    let server = role_server(&test);
    let endpoint = server.ready.endpoint.clone();
    add_source(&mut test, &endpoint);
    new_role_profile(&mut test, &endpoint);
    test.type_into("Role ARN", DENIED);
    test.type_into("Duration (seconds)", "900");
    test.harness.get_by_label("Test and save profile").click();
    // The refusal is shown under the role's field, which takes the focus, with the fix.
    test.step_until_label_contains("sts:AssumeRole");
    assert!(test.harness.get_by_label("Role ARN").is_focused());
    assert_not_saved(&test);

    test.replace_text("Role ARN", ROLE);
    test.harness.get_by_label("Test and save profile").click();
    step_until_auditor(&mut test, "the role profile audited", |state| {
        state.rows().len() == 12
            && state
                .refresh
                .as_ref()
                .is_some_and(|r| r.finished && r.error.is_none())
    });
    let config = std::fs::read_to_string(test.dir.path().join("config/config.toml"))
        .expect("config written");
    for field in [
        "credential_type = \"ram_role\"",
        "source_profile = \"source\"",
        &format!("role_arn = \"{ROLE}\""),
        "duration_seconds = 900",
    ] {
        assert!(config.contains(field), "{field} in {config}");
    }
    assert!(!config.contains(SK), "{config}");
    assert_eq!(
        store.get("auditor").expect("store"),
        None,
        "no secret of its own"
    );
    drop(server);
}

#[test]
fn bad_role_settings_are_refused_with_the_cli_checks() {
    let mut test = UiTest::start(|_| {});
    let server = role_server(&test);
    let endpoint = server.ready.endpoint.clone();
    add_source(&mut test, &endpoint);
    new_role_profile(&mut test, &endpoint);
    test.type_into("Role ARN", "auditor");
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label_contains("not a RAM role ARN");
    test.replace_text("Role ARN", ROLE);
    test.type_into("Duration (seconds)", "60");
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label_contains("duration_seconds 60 must be from");
    assert_not_saved(&test);
    drop(server);
}

#[test]
fn each_credential_type_shows_only_its_own_fields() {
    let mut test = UiTest::start(|_| {});
    test.open_add_account();
    test.type_into("Name", "ecs");
    choose(&mut test, "Credential type", "ECS instance role");
    test.step_until_label("ECS role name (optional)");
    assert!(test.harness.query_by_label("AccessKey ID").is_none());
    assert!(test.harness.query_by_label("Role ARN").is_none());
    choose(&mut test, "Credential type", "STS token");
    test.step_until_label("STS token");
    assert!(
        test.harness
            .query_by_label("ECS role name (optional)")
            .is_none()
    );
}

#[test]
fn an_aliyun_ram_role_import_keeps_its_role() {
    let mut test = UiTest::start(|_| {});
    let file = test.dir.path().join("config.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"current": "role", "profiles": [{{"name": "role", "mode": "RamRoleArn",
            "access_key_id": "{AK}", "access_key_secret": "{SK}", "ram_role_arn": "{ROLE}",
            "ram_session_name": "audit", "expired_seconds": 1800, "region_id": "cn-shanghai"}}]}}"#
        ),
    )
    .expect("write");
    test.step_until_label("Import");
    test.import_typed_path(&file);
    test.step_until_label("Add role");
    test.harness.get_by_label("Add role").click();
    test.step_until_label("Role ARN");
    let value = |test: &UiTest, label: &str| test.harness.get_by_label(label).value();
    assert_eq!(value(&test, "Role ARN").as_deref(), Some(ROLE));
    assert_eq!(value(&test, "Role session name").as_deref(), Some("audit"));
    assert_eq!(value(&test, "Duration (seconds)").as_deref(), Some("1800"));
    assert_eq!(value(&test, "Credential type").as_deref(), Some("RAM role"));
    assert_eq!(
        value(&test, "Source profile").as_deref(),
        Some("role-source")
    );
}

#[test]
fn the_top_bar_shows_when_the_role_credentials_expire() {
    let mut test = UiTest::start(|_| {});
    let server = role_server(&test);
    let endpoint = server.ready.endpoint.clone();
    add_source(&mut test, &endpoint);
    assert!(
        test.harness
            .query_by_label_contains("Temporary credentials")
            .is_none(),
        "an AccessKey does not expire"
    );
    new_role_profile(&mut test, &endpoint);
    test.type_into("Role ARN", ROLE);
    test.type_into("Duration (seconds)", "900");
    let asked = chrono::Utc::now();
    test.harness.get_by_label("Test and save profile").click();
    step_until_auditor(&mut test, "the role's credentials loaded", |state| {
        state.credentials_expire.is_some()
    });
    let at = test
        .harness
        .state()
        .state()
        .credentials_expire
        .expect("loaded");
    // The dev server grants the 900 seconds asked for.
    let life = (at - asked).num_seconds();
    assert!((890..=905).contains(&life), "{life}");
    test.step_until_label_contains(&format!(
        "Temporary credentials expire at {}",
        at.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    test.step_until_label_contains("renewed before then");
    drop(server);
}

/// The app's test environment asks the metadata service on a closed loopback port (never
/// the real address, which is not on this machine): loading the role's credentials fails,
/// and the failure is shown at the role name.
#[test]
fn an_ecs_role_failure_is_shown_at_its_role_name_and_can_be_saved_anyway() {
    let mut test = UiTest::start(|_| {});
    test.open_add_account();
    test.type_into("Name", "ecs");
    choose(&mut test, "Credential type", "ECS instance role");
    test.type_into("ECS role name (optional)", "OssguardNoSuchRole");
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label("Save without testing");
    assert!(
        test.harness
            .get_by_label("ECS role name (optional)")
            .is_focused()
    );
    assert!(
        test.harness
            .query_by_label_contains("ListBuckets failed: Metadata")
            .is_some()
    );
    test.harness.get_by_label("Save without testing").click();
    test.step_until("the ECS profile saved", |h| {
        h.state().state().profiles.get("ecs").is_some()
    });
    let config =
        std::fs::read_to_string(test.dir.path().join("config/config.toml")).expect("config");
    assert!(
        config.contains("credential_type = \"ecs_ram_role\"")
            && config.contains("ecs_role_name = \"OssguardNoSuchRole\""),
        "{config}"
    );
}

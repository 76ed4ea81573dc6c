//! An STS-token profile's expiry: typed into the profile form (UTC, checked), kept with the
//! token in the keyring entry and never in config.toml, shown in the top bar once connected,
//! and an expired token refused at its field before anything is sent.

use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;

use crate::ui_support::UiTest;
use ossguard::app::expiry;
use ossguard::app::keystore::{Keystore as _, MemoryStore};
use ossguard::devserver::DevServer;

const AK: &str = "LTAI5tUiStsExpiry0001";
const SK: &str = "ui-sts-expiry-secret-never-on-disk";
const TOKEN: &str = "ui-sts-expiry-token-never-on-disk";
const EXPIRES_AT: &str = "Token expires at (UTC, optional)";

/// A dev server that accepts `STS.<AK>` with TOKEN.
fn sts_server(test: &UiTest) -> DevServer {
    test.start_server(AK, SK, |c| {
        c.seed_buckets = 3;
        c.sts_token = Some(TOKEN.into());
    })
}

/// Opens the form and fills an STS-token profile named `name`, expiring at `expires_at`.
fn fill_sts_profile(test: &mut UiTest, name: &str, endpoint: &str, expires_at: &str) {
    test.open_add_account();
    test.type_into("Name", name);
    test.replace_text("Endpoint", endpoint);
    test.harness.get_by_label("Credential type").click();
    test.step_until_label("STS token");
    test.harness
        .get_by_role_and_label(Role::Button, "STS token")
        .click();
    test.step_until_label(EXPIRES_AT);
    test.type_into("AccessKey ID", &format!("STS.{AK}"));
    test.type_into("AccessKey secret", SK);
    test.type_into("STS token", TOKEN);
    test.type_into(EXPIRES_AT, expires_at);
}

#[test]
fn an_sts_tokens_expiry_is_checked_stored_with_the_token_and_shown() {
    let store = MemoryStore::default();
    let shared = store.clone();
    let mut test = UiTest::start(move |env| env.keystore = Arc::new(shared));
    let server = sts_server(&test);
    let endpoint = server.ready.endpoint.clone();

    // Not a time: refused in the form, nothing saved.
    fill_sts_profile(&mut test, "temp", &endpoint, "in an hour");
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label_contains("Token expires at: \"in an hour\" is not a UTC time");
    assert!(test.harness.state().state().profiles.get("temp").is_none());

    // Already expired: the connection test refuses it at the token, before any request.
    let past = expiry::format(Utc::now() - TimeDelta::minutes(5));
    test.replace_text(EXPIRES_AT, &past);
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label_contains(&format!("The token expired at {past}: get a new STS token"));
    assert!(test.harness.state().state().profiles.get("temp").is_none());
    assert_eq!(store.get("temp").expect("store"), None);

    // Two hours ahead (whole seconds, as the form takes them): tested, saved, shown.
    let at = Utc::now() + TimeDelta::hours(2);
    let at = at - TimeDelta::nanoseconds(at.timestamp_subsec_nanos().into());
    test.replace_text(EXPIRES_AT, &expiry::format(at));
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label("Read 3 of 3 rules");
    let secret = store.get("temp").expect("store").expect("saved");
    assert_eq!(secret.sts_expiration, Some(at), "kept in the keyring entry");
    assert_eq!(secret.sts_token.as_deref().map(String::as_str), Some(TOKEN));
    let config = std::fs::read_to_string(test.dir.path().join("config/config.toml"))
        .expect("config written");
    assert!(config.contains("uses_sts_token = true"), "{config}");
    assert!(
        !config.contains(&at.format("%Y-%m-%d").to_string()) && !config.contains(TOKEN),
        "neither expiry nor token in config.toml: {config}"
    );
    test.step_until_label_contains(&format!(
        "Temporary credentials expire at {}",
        expiry::format(at)
    ));
    test.step_until_label_contains("renew the STS token before then");
    drop(server);
}

#[test]
fn an_aliyun_sts_token_import_fills_in_its_expiry() {
    let mut test = UiTest::start(|_| {});
    let file = test.dir.path().join("config.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"current": "temp", "profiles": [{{"name": "temp", "mode": "StsToken",
            "access_key_id": "STS.{AK}", "access_key_secret": "{SK}", "sts_token": "{TOKEN}",
            "sts_expiration": 1796108400, "region_id": "cn-shanghai"}}]}}"#
        ),
    )
    .expect("write");
    test.step_until_label("Import");
    test.import_typed_path(&file);
    test.step_until_label(EXPIRES_AT);
    let value = |test: &UiTest, label: &str| test.harness.get_by_label(label).value();
    assert_eq!(
        value(&test, "Credential type").as_deref(),
        Some("STS token")
    );
    assert_eq!(
        value(&test, EXPIRES_AT).as_deref(),
        Some("2026-12-01 07:00:00 UTC")
    );
}

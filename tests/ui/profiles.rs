//! Profiles: add an account through the form (secret to the keystore, never to the config
//! file), switch, delete (which deletes the keystore entry), no-keyring fallback, import.

use std::sync::Arc;

use crate::ui_support::UiTest;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::keystore::{Keystore as _, KeystoreError, MemoryStore};
use ossguard::app::state::KeystoreStatus;
use ossguard::devserver::{self, DevServer};

const AK: &str = "LTAI5tUiProfileTest01";
const SK: &str = "ui-profile-secret-never-on-disk-42";
const CMK: &str = "key-hzz68d1fd85qslv95ilz4";
const KEY_FIELD: &str = "KMS key ID (blank: the default key)";

/// A dev server with 12 seed buckets and its own key, on the test's runtime.
fn seeded_server(test: &UiTest) -> DevServer {
    test.start_server(AK, SK, |c| c.seed_buckets = 12)
}

fn fill_account(test: &mut UiTest, name: &str, endpoint: &str) {
    test.type_into("Name", name);
    test.replace_text("Endpoint", endpoint);
    test.replace_text("Region", "cn-hangzhou");
    test.type_into("AccessKey ID", AK);
    test.type_into("AccessKey secret", SK);
}

#[test]
fn add_switch_and_delete_an_account() {
    let store = MemoryStore::default();
    let shared = store.clone();
    // The probe keeps using the default memory store; both always answer.
    let mut test = UiTest::start(move |env| env.keystore = Arc::new(shared));
    let server = seeded_server(&test);
    test.step_until_label("Add account");
    test.harness.get_by_label("Add account").click();
    test.step_until_label("AccessKey secret");
    fill_account(&mut test, "work", &server.ready.endpoint);
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label("Read 12 of 12 rules");
    // Seed buckets 1 and 7 have no rule.
    test.step_until_label_contains("2 of 12 not encrypted");

    let config = std::fs::read_to_string(test.dir.path().join("config/config.toml"))
        .expect("config written");
    assert!(
        config.contains("name = \"work\"") && config.contains(AK),
        "{config}"
    );
    assert!(
        !config.contains(SK),
        "the secret is never written to the config"
    );
    let secret = store.get("work").expect("store").expect("secret stored");
    assert_eq!(secret.access_key_secret.as_str(), SK);

    // Edit: rename without retyping the secret; the keyring entry moves with it.
    test.harness.get_by_label("Profiles…").click();
    test.step_until_label("Edit work");
    test.harness.get_by_label("Edit work").click();
    test.step_until_label("Test and save profile");
    test.replace_text("Name", "office");
    test.harness.get_by_label("Test and save profile").click();
    test.step_until("the rename", |h| {
        h.state().state().profiles.get("office").is_some()
            && h.state().state().profiles.get("work").is_none()
    });
    test.step_until_label("Read 12 of 12 rules");
    assert_eq!(store.get("work").expect("store"), None);
    assert_eq!(
        store
            .get("office")
            .expect("store")
            .map(|s| s.access_key_secret.to_string()),
        Some(SK.to_owned())
    );

    test.harness.get_by_label("Profiles…").click();
    test.step_until_label("Use office");
    test.harness.get_by_label("Delete office").click();
    test.step_until_label("Delete profile");
    test.harness.get_by_label("Keep it").click();
    test.settle();
    assert!(store.get("office").expect("store").is_some());

    test.harness.get_by_label("Delete office").click();
    test.step_until_label("Delete profile");
    test.harness.get_by_label("Delete profile").click();
    test.step_until("the profile to be deleted", |h| {
        h.state().state().profiles.profiles.is_empty() && h.state().state().active.is_none()
    });
    assert_eq!(
        store.get("office").expect("store"),
        None,
        "keystore entry deleted"
    );
    let config =
        std::fs::read_to_string(test.dir.path().join("config/config.toml")).expect("config");
    assert!(!config.contains("office"), "{config}");
    test.harness.get_by_label("Close window").click();
    test.step_until_label("Try the demo");
    drop(server);
}

#[test]
fn without_a_keyring_the_app_says_so_and_keeps_secrets_in_memory() {
    let mut test = UiTest::start(|env| {
        env.probe_keystore = Arc::new(|| {
            Err(KeystoreError::Unavailable(
                "no Secret Service on the session bus".into(),
            ))
        });
    });
    test.step_until_label_contains("No OS keyring is available");
    // The reason is one hover away.
    test.harness
        .get_by_label_contains("No OS keyring is available")
        .hover();
    test.step_until_label_contains("no Secret Service on the session bus");
    // Saving an account is refused until the user opts into memory.
    let server = seeded_server(&test);
    test.harness.get_by_label("Add account").click();
    test.step_until_label("AccessKey secret");
    fill_account(&mut test, "mem", &server.ready.endpoint);
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label_contains("No keyring is available to keep the secret");
    assert!(test.harness.state().state().profiles.profiles.is_empty());

    test.harness
        .get_by_label("Keep secrets in memory for this run")
        .click();
    test.settle();
    assert_eq!(
        test.harness.state().state().keystore,
        Some(KeystoreStatus::Memory)
    );
    assert!(
        test.harness
            .query_by_label_contains("No OS keyring is available")
            .is_none()
    );
    test.harness.get_by_label("Add account").click();
    test.step_until_label("AccessKey secret");
    fill_account(&mut test, "mem", &server.ready.endpoint);
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label("Read 12 of 12 rules");
    assert!(
        test.harness
            .query_by_label_contains("kept in memory (this run only)")
            .is_some()
    );
    let config =
        std::fs::read_to_string(test.dir.path().join("config/config.toml")).expect("config");
    assert!(!config.contains(SK));
}

#[test]
fn import_an_ossutil_config_through_the_path_field() {
    let mut test = UiTest::start(|_| {});
    let server = seeded_server(&test);
    let file = test.dir.path().join("ossutilconfig");
    std::fs::write(
        &file,
        format!(
            "[profile imported-work]\naccess-key-id = {AK}\naccess-key-secret = \"{SK}\"\nregion = cn-hangzhou\nendpoint = {}\n",
            server.ready.endpoint
        ),
    )
    .expect("write");
    test.step_until_label("Import");
    test.import_typed_path(&file);
    test.step_until_label("Test and save profile");
    assert_eq!(
        test.harness.get_by_label("Name").value().as_deref(),
        Some("imported-work")
    );
    assert_eq!(
        test.harness.get_by_label("AccessKey ID").value().as_deref(),
        Some(AK)
    );
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label("Read 12 of 12 rules");
}

#[test]
fn import_from_the_profiles_window_once_a_session_exists() {
    let mut test = UiTest::start_demo(|_| {});
    let file = test.dir.path().join("ossutilconfig");
    std::fs::write(
        &file,
        format!(
            "[profile beijing]\naccess-key-id = {AK}\naccess-key-secret = \"{SK}\"\nendpoint = https://oss-cn-beijing.aliyuncs.com\n"
        ),
    )
    .expect("write");
    test.harness.get_by_label("Profiles…").click();
    test.step_until_label("Add account");
    test.import_typed_path(&file);
    test.step_until_label("Test and save profile");
    assert_eq!(
        test.harness.get_by_label("Name").value().as_deref(),
        Some("beijing")
    );
    // The bucket table has a Region column too.
    assert_eq!(
        test.harness
            .get_by_role_and_label(Role::TextInput, "Region")
            .value()
            .as_deref(),
        Some("cn-beijing")
    );
    assert_eq!(
        test.harness.get_by_label("AccessKey ID").value().as_deref(),
        Some(AK)
    );
}

#[test]
fn the_region_follows_a_standard_endpoint_and_a_mismatch_is_refused() {
    let mut test = UiTest::start(|_| {});
    test.step_until_label("Add account");
    test.harness.get_by_label("Add account").click();
    test.step_until_label("AccessKey secret");
    test.type_into("Name", "bj");
    // Only the endpoint is changed: the pre-filled region follows it.
    test.replace_text("Endpoint", "https://oss-cn-beijing.aliyuncs.com");
    test.settle();
    assert_eq!(
        test.harness.get_by_label("Region").value().as_deref(),
        Some("cn-beijing")
    );
    test.type_into("AccessKey ID", AK);
    test.type_into("AccessKey secret", SK);
    // A region typed over it that contradicts the endpoint: an inline error, no save.
    test.replace_text("Region", "cn-shanghai");
    test.settle();
    assert!(
        test.harness
            .query_by_label_contains("The endpoint is in region cn-beijing")
            .is_some()
    );
    test.harness.get_by_label("Test and save profile").click();
    test.settle();
    assert!(test.harness.state().state().profiles.profiles.is_empty());
    assert!(test.harness.query_by_label("AccessKey secret").is_some());
    // Fixing it clears the error.
    test.replace_text("Region", "cn-beijing");
    test.settle();
    assert!(
        test.harness
            .query_by_label_contains("The endpoint is in region")
            .is_none()
    );
}

#[test]
fn a_wrong_secret_is_found_before_saving_and_fixed_in_place() {
    let store = MemoryStore::default();
    let shared = store.clone();
    let mut test = UiTest::start(move |env| env.keystore = Arc::new(shared));
    let server = seeded_server(&test);
    test.step_until_label("Add account");
    test.harness.get_by_label("Add account").click();
    test.step_until_label("AccessKey secret");
    test.type_into("Name", "work");
    test.replace_text("Endpoint", &server.ready.endpoint);
    test.replace_text("Region", "cn-hangzhou");
    test.type_into("AccessKey ID", AK);
    test.type_into("AccessKey secret", "a-wrong-secret");
    test.harness.get_by_label("Test and save profile").click();
    // The failure shows at the secret, the form stays open, nothing is saved.
    test.step_until_label_contains("ListBuckets failed: SignatureDoesNotMatch");
    assert!(test.harness.state().state().profiles.profiles.is_empty());
    assert_eq!(store.get("work").expect("store"), None);
    assert!(
        test.harness.get_by_label("AccessKey secret").is_focused(),
        "the field to fix has the focus"
    );
    assert!(
        test.harness
            .query_by_label("Save without testing")
            .is_some()
    );
    // Fixed in place: the test passes and the profile is saved and connected.
    // (A password field: its value reads as dots, so it is typed over without the check.)
    test.harness
        .key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    test.harness.get_by_label("AccessKey secret").type_text(SK);
    test.settle();
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label("Read 12 of 12 rules");
    assert_eq!(
        store
            .get("work")
            .expect("store")
            .map(|s| s.access_key_secret.to_string()),
        Some(SK.to_owned())
    );

    // Edit tests too: a wrong AccessKey ID is refused at its field, the profile unchanged.
    test.harness.get_by_label("Profiles…").click();
    test.step_until_label("Edit work");
    test.harness.get_by_label("Edit work").click();
    test.step_until_label("Test and save profile");
    test.replace_text("AccessKey ID", "LTAI5tSomeoneElse0001");
    test.harness.get_by_label("Test and save profile").click();
    test.step_until_label_contains("ListBuckets failed: InvalidAccessKeyId");
    assert_eq!(
        test.harness
            .state()
            .state()
            .profiles
            .get("work")
            .map(|p| p.access_key_id.clone()),
        Some(AK.to_owned())
    );
    assert!(test.harness.get_by_label("AccessKey ID").is_focused());
    drop(server);
}

#[test]
fn labels_sit_before_their_boxes() {
    let mut test = UiTest::start_demo(|_| {});
    let label = test
        .harness
        .get_by_role_and_label(Role::Label, "Profile")
        .rect();
    let combo = test
        .harness
        .get_by_role_and_label(Role::ComboBox, "Profile")
        .rect();
    assert!(label.max.x <= combo.min.x, "{label:?} then {combo:?}");
    test.harness.get_by_label("Profiles…").click();
    test.step_until_label("Add account");
    test.harness.get_by_label("Add account").click();
    test.step_until_label("AccessKey secret");
    let label = test
        .harness
        .get_by_role_and_label(Role::Label, "Signature version")
        .rect();
    let combo = test
        .harness
        .get_by_role_and_label(Role::ComboBox, "Signature version")
        .rect();
    assert!(label.max.x <= combo.min.x, "{label:?} then {combo:?}");
}

/// The change form starts again when the profile changes, even for a bucket of the same name:
/// a CMK typed for one account is never offered for another account's change.
#[test]
fn the_change_form_starts_again_when_the_profile_changes() {
    let mut test = UiTest::start_demo(|_| {});
    let demo = test
        .harness
        .state()
        .state()
        .profiles
        .get("demo")
        .cloned()
        .expect("demo profile");
    crate::ui_support::select(&mut test, "prod-web-assets-hz");
    test.step_until_label("KMS (SSE-KMS)");
    test.harness.get_by_label("KMS (SSE-KMS)").click();
    test.settle();
    test.type_into(KEY_FIELD, CMK);
    test.settle();
    assert_eq!(test.harness.state().view().rule_form.key_id, CMK);

    // Another profile on the same account: the same bucket names.
    let file = test.dir.path().join("ossutilconfig");
    std::fs::write(
        &file,
        format!(
            "[profile mirror]\naccess-key-id = {}\naccess-key-secret = \"{}\"\nregion = {}\nendpoint = {}\n",
            devserver::DEMO_ACCESS_KEY_ID,
            devserver::DEMO_ACCESS_KEY_SECRET,
            demo.region,
            demo.endpoint
        ),
    )
    .expect("write");
    test.harness.get_by_label("Profiles…").click();
    test.step_until_label("Add account");
    test.import_typed_path(&file);
    test.step_until_label("Test and save profile");
    test.harness.get_by_label("Test and save profile").click();
    test.step_until("the mirror profile to be active and read", |h| {
        h.state()
            .state()
            .active
            .as_ref()
            .is_some_and(|a| a.profile.name == "mirror")
            && h.state()
                .state()
                .refresh
                .as_ref()
                .is_some_and(|r| r.finished && r.listed > 0)
    });
    crate::ui_support::select(&mut test, "prod-web-assets-hz");
    test.step_until_label("KMS (SSE-KMS)");
    assert_eq!(
        test.harness.state().view().rule_form.key_id,
        "",
        "the CMK typed under the demo profile is gone"
    );
}

//! The OS keyring through `KeyringStore`, against a real Secret Service (gnome-keyring under
//! `dbus-run-session`, as `scripts/test.sh` runs it).
//!
//! With `OSSGUARD_REQUIRE_KEYRING=1` a missing Secret Service fails the test; without it the
//! test prints why and skips, so `cargo test` still works on a desktop without one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ossguard::app::command::Command;
use ossguard::app::controller::Controller;
use ossguard::app::environment::AppEnvironment;
use ossguard::app::keystore::{KeyringStore, Keystore as _, ProfileSecret};
use ossguard::app::profile::Profile;
use ossguard::app::runtime::RuntimeHandle;
use ossguard::app::state::KeystoreStatus;

/// Whether to run: a Secret Service answers, or the test must fail because one is required.
pub(crate) fn secret_service_or_skip() -> bool {
    let required = std::env::var("OSSGUARD_REQUIRE_KEYRING").is_ok_and(|v| v == "1");
    match KeyringStore::probe() {
        Ok(()) => true,
        Err(e) if required => panic!(
            "OSSGUARD_REQUIRE_KEYRING=1 but no Secret Service is reachable: {e} \
             (run under dbus-run-session with gnome-keyring unlocked)"
        ),
        Err(e) => {
            eprintln!(
                "skipping: no Secret Service is reachable ({e}); set OSSGUARD_REQUIRE_KEYRING=1 to fail instead"
            );
            false
        }
    }
}

pub(crate) fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{prefix}-{}-{nanos}", std::process::id())
}

#[test]
fn keyring_store_sets_gets_and_deletes_through_the_secret_service() {
    if !secret_service_or_skip() {
        return;
    }
    let store = KeyringStore;
    let profile = unique("ossguard-test");
    let secret = ProfileSecret::new("kr-secret-value-9f2e", Some("kr-sts-token-77aa"));
    assert_eq!(store.get(&profile).expect("get missing"), None);
    store.set(&profile, &secret).expect("set");
    assert_eq!(store.get(&profile).expect("get"), Some(secret));
    // Overwriting replaces the entry (one entry per profile).
    let newer = ProfileSecret::new("kr-secret-value-2", None);
    store.set(&profile, &newer).expect("set again");
    assert_eq!(store.get(&profile).expect("get"), Some(newer));
    store.delete(&profile).expect("delete");
    assert_eq!(store.get(&profile).expect("get after delete"), None);
    store
        .delete(&profile)
        .expect("deleting a missing entry is fine");
}

/// The app saves a profile's secret to the keyring (off the UI thread) and deleting the
/// profile deletes the entry.
#[test]
fn the_app_keeps_profile_secrets_in_the_keyring_and_deletes_them_with_the_profile() {
    if !secret_service_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut env = AppEnvironment::from_os();
    env.config_path = dir.path().join("config.toml");
    env.data_dir = dir.path().join("data");
    env.demo = false;
    let mut controller = Controller::new(
        RuntimeHandle::new(runtime.handle().clone()),
        env,
        Arc::new(|| {}),
    );
    let pump_until =
        |controller: &mut Controller, what: &str, done: &dyn Fn(&Controller) -> bool| {
            let start = Instant::now();
            while !done(controller) {
                controller.pump(1000);
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "timed out: {what}"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
        };
    pump_until(&mut controller, "start", &|c| c.state.started);
    assert_eq!(controller.state.keystore, Some(KeystoreStatus::Available));

    let name = unique("ossguard-app-test");
    let profile = Profile::new(
        &name,
        "https://oss-cn-hangzhou.aliyuncs.com",
        "cn-hangzhou",
        "LTAI5tKeyringAppTest",
    );
    controller.handle(Command::SaveProfile {
        profile,
        secret: Some(ProfileSecret::new("app-keyring-secret-31c4", None)),
        previous_name: None,
    });
    pump_until(&mut controller, "save", &|c| {
        c.state.profiles.get(&name).is_some()
    });
    let stored = KeyringStore.get(&name).expect("get").expect("stored");
    assert_eq!(stored.access_key_secret.as_str(), "app-keyring-secret-31c4");
    let config = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    assert!(!config.contains("app-keyring-secret-31c4"));

    controller.handle(Command::DeleteProfile { name: name.clone() });
    pump_until(&mut controller, "delete", &|c| {
        c.state.profiles.get(&name).is_none()
    });
    assert_eq!(KeyringStore.get(&name).expect("get"), None);
}

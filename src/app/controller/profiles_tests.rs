//! Profile edits sent back to back, each before the previous one is confirmed: every edit
//! reaches the config file and the state, whatever order the blocking writes finish in.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Controller;
use crate::app::command::Command;
use crate::app::environment::AppEnvironment;
use crate::app::keystore::{Keystore as _, MemoryStore, ProfileSecret};
use crate::app::profile::{self, Profile};
use crate::app::runtime::RuntimeHandle;
use crate::app::state::NoticeLevel;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Pumps `controller` until `done` holds; panics after a generous timeout.
fn pump_until(controller: &mut Controller, what: &str, done: impl Fn(&Controller) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(controller) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        if !controller.pump(usize::MAX) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn saved(controller: &Controller, name: &str) -> bool {
    let text = format!("Saved profile {name:?}");
    controller
        .state
        .notices
        .iter()
        .any(|n| n.text.starts_with(&text))
}

fn save(controller: &mut Controller, name: &str) {
    controller.handle(Command::SaveProfile {
        profile: Profile::new(name, "http://127.0.0.1:9", "cn-hangzhou", "LTAIexample"),
        secret: Some(ProfileSecret::new(&format!("{name}-secret"), None)),
        previous_name: None,
    });
}

#[test]
fn profiles_saved_back_to_back_are_all_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let store = Arc::new(MemoryStore::default());
    let env = AppEnvironment::with_keystore(dir.path(), store.clone());
    let path = env.config_path.clone();
    let mut controller = Controller::new(RuntimeHandle::new(rt.handle().clone()), env, Arc::new(|| {}));
    pump_until(&mut controller, "the start", |c| c.state.started);

    let names = ["a", "b", "c", "d"];
    for name in names {
        save(&mut controller, name);
    }
    pump_until(&mut controller, "every save and its switch, or an error", |c| {
        let failed = c.state.notices.iter().any(|n| n.level == NoticeLevel::Error);
        failed || names.iter().all(|n| saved(c, n)) && c.config_writes.settled()
    });

    let errors: Vec<_> = controller
        .state
        .notices
        .iter()
        .filter(|n| n.level == NoticeLevel::Error)
        .map(|n| n.text.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let on_disk = profile::load(&path).expect("the config reads back");
    for name in names {
        assert!(on_disk.get(name).is_some(), "{name} in the file: {on_disk:?}");
        assert!(
            controller.state.profiles.get(name).is_some(),
            "{name} in the state: {:?}",
            controller.state.profiles
        );
        assert!(store.get(name).expect("get").is_some(), "{name}'s secret");
    }
    assert_eq!(on_disk, controller.state.profiles, "the file is what the app shows");
}

//! Profile edits sent back to back, each before the previous one is confirmed: every edit
//! reaches the config file and the state, whatever order the blocking writes finish in.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Controller;
use crate::app::command::Command;
use crate::app::environment::AppEnvironment;
use crate::app::keystore::{Keystore, KeystoreError, MemoryStore, ProfileSecret};
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

/// Errors about the profiles or the file (each profile's refresh fails on its own: nothing
/// listens at its endpoint).
fn profile_errors(controller: &Controller) -> Vec<String> {
    controller
        .state
        .notices
        .iter()
        .filter(|n| n.level == NoticeLevel::Error)
        .map(|n| n.text.clone())
        .filter(|e| {
            let e = e.to_lowercase();
            e.contains("config") || e.contains("secret") || e.contains("profile")
        })
        .collect()
}

fn save(controller: &mut Controller, name: &str) {
    controller.handle(Command::SaveProfile {
        profile: Profile::new(name, "http://127.0.0.1:9", "cn-hangzhou", "LTAIexample"),
        secret: Some(ProfileSecret::new(&format!("{name}-secret"), None)),
        previous_name: None,
    });
}

/// A controller on `rt` with its config under `dir`, once the (missing) config is read.
fn started(
    dir: &std::path::Path,
    rt: &tokio::runtime::Runtime,
    keystore: Arc<dyn Keystore>,
) -> Controller {
    let env = AppEnvironment::with_keystore(dir, keystore);
    let handle = RuntimeHandle::new(rt.handle().clone());
    let mut controller = Controller::new(handle, env, Arc::new(|| {}));
    pump_until(&mut controller, "the start", |c| c.state.started);
    controller
}

#[test]
fn profiles_saved_back_to_back_are_all_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let store = Arc::new(MemoryStore::default());
    let mut controller = started(dir.path(), &rt, store.clone());
    let path = controller.env.config_path.clone();

    let names = ["a", "b", "c", "d"];
    for name in names {
        save(&mut controller, name);
    }
    pump_until(
        &mut controller,
        "every save and its switch, or an error",
        |c| {
            !profile_errors(c).is_empty()
                || names.iter().all(|n| saved(c, n)) && c.config_writes.settled()
        },
    );
    let errors = profile_errors(&controller);
    assert!(errors.is_empty(), "{errors:?}");
    let on_disk = profile::load(&path).expect("the config reads back");
    for name in names {
        assert!(
            on_disk.get(name).is_some(),
            "{name} in the file: {on_disk:?}"
        );
        assert!(
            controller.state.profiles.get(name).is_some(),
            "{name} in the state: {:?}",
            controller.state.profiles
        );
        assert!(store.get(name).expect("get").is_some(), "{name}'s secret");
    }
    assert_eq!(
        on_disk, controller.state.profiles,
        "the file is what the app shows"
    );
}

/// A keyring that refuses to store the profile named "refused".
struct RefusingStore(MemoryStore);

impl Keystore for RefusingStore {
    fn get(&self, profile: &str) -> Result<Option<ProfileSecret>, KeystoreError> {
        self.0.get(profile)
    }
    fn set(&self, profile: &str, secret: &ProfileSecret) -> Result<(), KeystoreError> {
        if profile == "refused" {
            return Err(KeystoreError::Failed("refused by the test".into()));
        }
        self.0.set(profile, secret)
    }
    fn delete(&self, profile: &str) -> Result<(), KeystoreError> {
        self.0.delete(profile)
    }
    fn describe(&self) -> &'static str {
        "the test's keyring"
    }
}

#[test]
fn a_failed_save_goes_back_to_the_saved_config_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let mut controller = started(
        dir.path(),
        &rt,
        Arc::new(RefusingStore(MemoryStore::default())),
    );
    let path = controller.env.config_path.clone();
    save(&mut controller, "kept");
    pump_until(&mut controller, "the first save", |c| {
        saved(c, "kept") && c.config_writes.settled()
    });
    save(&mut controller, "refused");
    pump_until(&mut controller, "the refusal", |c| {
        c.config_writes.settled()
    });
    assert!(
        controller
            .state
            .notices
            .iter()
            .any(|n| n.level == NoticeLevel::Error && n.text.contains("refused by the test")),
        "{:?}",
        controller.state.notices
    );
    assert!(controller.state.profiles.get("refused").is_none());
    assert!(controller.state.profiles.get("kept").is_some());
    assert_eq!(
        profile::load(&path).expect("load"),
        controller.state.profiles
    );
    // The next edit builds on what was saved, not on the refused one.
    save(&mut controller, "later");
    pump_until(&mut controller, "the next save", |c| {
        saved(c, "later") && c.config_writes.settled()
    });
    let on_disk = profile::load(&path).expect("load");
    assert!(on_disk.get("later").is_some() && on_disk.get("kept").is_some());
    assert!(on_disk.get("refused").is_none(), "{on_disk:?}");
}

#[test]
fn an_unreadable_config_is_moved_aside_before_the_first_save() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rt = runtime();
    let path =
        AppEnvironment::with_keystore(dir.path(), Arc::new(MemoryStore::default())).config_path;
    std::fs::create_dir_all(path.parent().expect("parent")).expect("config dir");
    let original = b"[[profile]]\nname = \"prod\"\nendpoint = \"https://oss-cn-hangzhou.aliyuncs.com\"\nregion = cn-hangzhou\n";
    std::fs::write(&path, original).expect("a broken config");
    let mut controller = started(dir.path(), &rt, Arc::new(MemoryStore::default()));
    let shown = format!("{:?}", controller.state.notices);
    assert!(
        controller
            .state
            .notices
            .iter()
            .any(|n| n.level == NoticeLevel::Error
                && n.text.contains(&path.display().to_string())
                && n.text.contains("line 4, column 10: ")),
        "the parse error with its file and place: {shown}"
    );

    save(&mut controller, "new");
    pump_until(&mut controller, "the save", |c| {
        saved(c, "new") && c.config_writes.settled()
    });
    let notice = controller
        .state
        .notices
        .iter()
        .find(|n| n.level == NoticeLevel::Error && n.text.contains("kept in"))
        .unwrap_or_else(|| panic!("a notice of the move: {:?}", controller.state.notices));
    let aside: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains("config.toml.unreadable-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(
        notice.text.contains(&aside[0].display().to_string()),
        "{}",
        notice.text
    );
    assert_eq!(std::fs::read(&aside[0]).expect("kept"), original);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&aside[0])
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let on_disk = profile::load(&path).expect("the new config reads");
    assert!(on_disk.get("new").is_some(), "{on_disk:?}");
}

//! "All profiles": two accounts (two dev servers with their own AccessKey and account UID,
//! holding buckets of the same names) and a profile whose key is refused, audited at once
//! into one table with an Account column; the refused profile shows its error while the
//! others fill in; the filter matches the account; the export carries "profile" and
//! "account_id"; a change is made with the row's own profile, logged with its account, and
//! undone from the History window as that profile.

use std::sync::Arc;

use crate::ui_support::{UiTest, confirm_and_wait};
use egui::Key;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::change::{Change, ChangeRequest};
use ossguard::app::command::Command;
use ossguard::app::keystore::{MemoryStore, ProfileSecret};
use ossguard::app::profile::Profile;
use ossguard::app::state::{AppState, RowKey};
use ossguard::core::model::BucketName;
use ossguard::core::sse::{EncryptionState, SseRule};
use ossguard::devserver::{self, DevServer, DevServerConfig};

const ALPHA: (&str, &str, &str) = ("LTAI5tAlphaAccount0001", "alpha-secret", "1111222233334444");
const BETA: (&str, &str, &str) = ("LTAI5tBetaAccount00001", "beta-secret", "5555666677778888");

fn server(test: &UiTest, folder: &str, (ak, sk, account): (&str, &str, &str)) -> DevServer {
    let mut config = DevServerConfig::new(test.dir.path().join(folder), ak, sk);
    config.seed_buckets = 3;
    config.account_id = account.to_owned();
    test.runtime
        .block_on(devserver::start(config))
        .expect("dev server starts")
}

fn save_profile(test: &UiTest, name: &str, endpoint: &str, ak: &str, sk: &str) {
    let profile = Profile::new(name, endpoint, "cn-hangzhou", ak);
    test.harness.state().sender().send(Command::SaveProfile {
        profile,
        secret: Some(ProfileSecret::new(sk, None)),
        previous_name: None,
    });
}

/// Every profile's save answered (each then switched to its profile, in the order the
/// answers came).
fn saved(state: &AppState, names: &[&str]) -> bool {
    names.iter().all(|name| {
        let text = format!("Saved profile {name:?}");
        state.notices.iter().any(|n| n.text.starts_with(&text))
    })
}

fn key(profile: &str, name: &str) -> RowKey {
    RowKey {
        profile: Some(profile.to_owned()),
        name: BucketName::parse(name).expect("valid"),
    }
}

fn rule(state: &AppState, key: &RowKey) -> Option<EncryptionState> {
    state.row_by_key(key).and_then(|r| r.encryption.clone())
}

/// Opens "All profiles…" from the profile switcher.
fn open_chooser(test: &mut UiTest) {
    test.harness
        .get_by_role_and_label(Role::ComboBox, "Profile")
        .click();
    test.step_until_label("All profiles…");
    test.harness
        .get_by_role_and_label(Role::Button, "All profiles…")
        .click();
}

/// The change log's last `done` line.
fn last_done(data_dir: &std::path::Path) -> serde_json::Value {
    let log =
        std::fs::read_to_string(ossguard::app::changelog::log_path(data_dir)).expect("change log");
    log.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .rfind(|r| r["phase"] == "done")
        .expect("a done line")
}

fn audited(state: &AppState) -> bool {
    let done = |p: &str| {
        state.account(p).is_some_and(|a| {
            a.refresh.as_ref().is_some_and(|r| r.finished) && a.account_id.is_some()
        })
    };
    done("alpha") && done("beta") && state.account("broken").is_some_and(|a| a.error().is_some())
}

#[test]
fn all_profiles_audits_every_account_into_one_table() {
    let store = MemoryStore::default();
    let mut test = UiTest::start(move |env| env.keystore = Arc::new(store));
    let alpha = server(&test, "alpha", ALPHA);
    let beta = server(&test, "beta", BETA);
    let (a_url, b_url) = (alpha.ready.endpoint.clone(), beta.ready.endpoint.clone());
    test.step_until("the config read", |h| h.state().state().started);
    // Sent back to back: each save builds on the one before, none waits for the file.
    save_profile(&test, "alpha", &a_url, ALPHA.0, ALPHA.1);
    save_profile(&test, "beta", &b_url, BETA.0, BETA.1);
    save_profile(&test, "broken", &a_url, ALPHA.0, "not-the-secret");
    let names = ["alpha", "beta", "broken"];
    test.step_until("every profile saved", |h| saved(h.state().state(), &names));
    let on_disk = ossguard::app::profile::load(&test.dir.path().join("config/config.toml"))
        .expect("the config reads back");
    let on_disk: Vec<_> = on_disk.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(on_disk, names, "every profile in the file");

    open_chooser(&mut test);
    test.step_until_label("Audit 3 profiles");
    test.harness.get_by_label("Audit 3 profiles").click();
    test.step_until("alpha and beta audited, broken failed", |h| {
        audited(h.state().state())
    });

    let state = test.harness.state().state();
    assert!(state.active.is_none(), "no single active profile");
    assert_eq!(state.rows().len(), 6, "3 buckets in each account");
    let a = state.account("alpha").expect("alpha");
    assert_eq!(a.account_id, Some(Ok(ALPHA.2.to_owned())));
    assert_eq!(a.error(), None);
    let b = state.account("beta").expect("beta");
    assert_eq!(b.account_id, Some(Ok(BETA.2.to_owned())));
    assert_eq!(state.account_counts("beta").buckets, 3);
    let broken = state
        .account("broken")
        .expect("broken")
        .error()
        .expect("an error");
    assert!(broken.contains("SignatureDoesNotMatch"), "{broken}");
    // The same name in two accounts: two rows, one per profile.
    assert_eq!(
        rule(state, &key("alpha", "seed-00001")),
        Some(EncryptionState::NotConfigured)
    );
    assert_eq!(
        rule(state, &key("beta", "seed-00001")),
        Some(EncryptionState::NotConfigured)
    );
    // The Account column and the per-profile strip.
    test.settle();
    let alpha_label = format!("alpha ({})", ALPHA.2);
    let count = test.harness.query_all_by_label(&alpha_label).count();
    assert_eq!(count, 3, "alpha's rows name their account");
    assert!(test.harness.query_by_label("Account").is_some());
    assert!(test.harness.query_by_label_contains("broken: ").is_some());
    // The failed profile's line says "failed", not zero counts, and the top bar says a
    // profile failed next to the rules read by the others.
    assert_eq!(test.harness.query_all_by_label("failed").count(), 1);
    assert!(
        test.harness
            .query_by_label("0 buckets · 0 not encrypted · 0 unknown")
            .is_none()
    );
    assert_eq!(
        test.harness
            .query_all_by_label_contains("3 buckets · ")
            .count(),
        2,
        "alpha and beta keep their counts"
    );
    assert!(test.harness.query_by_label("1 profile failed").is_some());
    assert!(test.harness.query_by_label("Read 6 of 6 rules").is_some());

    // The filter matches the account ID; the export writes the filter's rows with it.
    test.replace_text("Filter", BETA.2);
    test.harness.key_press(Key::Enter);
    test.settle();
    let shown = test.harness.state().view().table.names().to_vec();
    assert_eq!(shown.len(), 3);
    assert!(shown.iter().all(|k| k.profile.as_deref() == Some("beta")));
    test.harness.get_by_label("Export…").click();
    test.step_until_label("Export the audit");
    test.harness.get_by_label("JSON").click();
    test.settle();
    test.harness.get_by_label("Save").click();
    test.step_until("the export", |h| h.state().state().last_export.is_some());
    let (_, path) = test
        .harness
        .state()
        .state()
        .last_export
        .clone()
        .expect("exported");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("written")).expect("json");
    let rows = json.as_array().expect("array");
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert_eq!(row["profile"], "beta", "{row}");
        assert_eq!(row["account_id"], BETA.2, "{row}");
    }

    // A change to alpha's seed-00001 is made with alpha's key, on alpha's server only.
    let target = key("alpha", "seed-00001");
    let set = Change::Set(SseRule::Aes256);
    test.harness.state().sender().send(Command::Change {
        buckets: vec![(target.clone(), ChangeRequest::unguarded(set.clone()))],
        change: set.describe(),
        undo_of: None,
    });
    test.step_until("the change", |h| {
        h.state().state().batch.as_ref().is_some_and(|b| b.finished)
    });
    test.harness.state().sender().send(Command::RefreshAll);
    test.step_until("the refresh after the change", |h| {
        let state = h.state().state();
        !state.refresh_running()
            && rule(state, &target) == Some(EncryptionState::Configured(SseRule::Aes256))
    });
    let state = test.harness.state().state();
    assert_eq!(
        rule(state, &key("beta", "seed-00001")),
        Some(EncryptionState::NotConfigured),
        "beta's bucket of the same name is untouched"
    );
    let data_dir = test
        .harness
        .state_mut()
        .controller_mut()
        .environment()
        .data_dir
        .clone();
    let done = last_done(&data_dir);
    assert_eq!(done["profile"], "alpha");
    assert_eq!(done["account_id"], ALPHA.2);
    assert_eq!(done["access_key_id"], ALPHA.0);
    assert_eq!(done["bucket"], "seed-00001");

    // The chooser leaves a profile out: only the ticked ones are audited.
    open_chooser(&mut test);
    test.step_until_label("Audit broken");
    test.harness.get_by_label("Audit broken").click();
    test.step_until_label("Audit 2 profiles");
    test.harness.get_by_label("Audit 2 profiles").click();
    test.step_until("alpha and beta audited again", |h| {
        let state = h.state().state();
        let names: Vec<&str> = state.accounts.iter().map(|a| a.profile.as_str()).collect();
        names == ["alpha", "beta"] && !state.refresh_running() && state.rows().len() == 6
    });

    // A bulk change over both accounts' seed-00003 through the form: each row is changed as
    // its own profile, and each log line carries its account.
    test.replace_text("Filter", "seed-00003");
    test.harness.key_press(Key::Enter);
    test.settle();
    for profile in ["alpha", "beta"] {
        test.harness
            .get_by_label(&format!("Select seed-00003 ({profile})"))
            .click();
        test.settle();
    }
    test.step_until_label("AES256 (SSE-OSS)");
    test.harness.get_by_label("AES256 (SSE-OSS)").click();
    test.settle();
    test.harness.get_by_label("Review change…").click();
    test.step_until_label("Review the change to 2 buckets");
    confirm_and_wait(&mut test);
    let aes = Some(EncryptionState::Configured(SseRule::Aes256));
    for profile in ["alpha", "beta"] {
        assert_eq!(
            rule(test.harness.state().state(), &key(profile, "seed-00003")),
            aes
        );
    }
    let log = ossguard::app::changelog::read_all(&ossguard::app::changelog::log_path(&data_dir))
        .expect("log")
        .0;
    let bulk: Vec<_> = log
        .iter()
        .filter(|r| r.bucket == "seed-00003" && r.phase == ossguard::app::changelog::Phase::Done)
        .map(|r| {
            (
                r.profile.as_str(),
                r.account_id.as_deref(),
                r.batch.is_some(),
            )
        })
        .collect();
    assert_eq!(bulk.len(), 2, "{bulk:?}");
    assert!(bulk.contains(&("alpha", Some(ALPHA.2), true)), "{bulk:?}");
    assert!(bulk.contains(&("beta", Some(BETA.2), true)), "{bulk:?}");

    // Undone from the History window: as alpha, on alpha's row, logged as alpha.
    test.harness.get_by_label("History").click();
    test.step_until_label("Filter by bucket");
    test.type_into("Filter by bucket", "seed-00001");
    test.step_until_label("Undo change to seed-00001");
    test.harness
        .get_by_label("Undo change to seed-00001")
        .click();
    test.step_until_label("Review the change to 1 bucket");
    confirm_and_wait(&mut test);
    let state = test.harness.state().state();
    let item = &state.batch.as_ref().expect("undo batch").items[0];
    assert_eq!(item.profile.as_deref(), Some("alpha"));
    assert_eq!(rule(state, &target), Some(EncryptionState::NotConfigured));
    let undo = last_done(&data_dir);
    assert_eq!(undo["undo_of"], done["id"]);
    assert_eq!(undo["profile"], "alpha");
    assert_eq!(undo["account_id"], ALPHA.2);

    // The bulk change is undone as one, each bucket as its own profile.
    test.step_until_label("Undo bulk change (2 buckets)");
    test.harness
        .get_by_label("Undo bulk change (2 buckets)")
        .click();
    test.step_until_label("Review the change to 2 buckets");
    confirm_and_wait(&mut test);
    let state = test.harness.state().state();
    let mut profiles: Vec<_> = state
        .batch
        .as_ref()
        .expect("undo batch")
        .items
        .iter()
        .map(|i| i.profile.clone())
        .collect();
    profiles.sort();
    assert_eq!(profiles, [Some("alpha".into()), Some("beta".into())]);
    for profile in ["alpha", "beta"] {
        let restored = rule(state, &key(profile, "seed-00003"));
        assert!(
            matches!(
                restored,
                Some(EncryptionState::Configured(SseRule::Kms { .. }))
            ),
            "{profile}: {restored:?}"
        );
    }

    drop((alpha, beta));
}

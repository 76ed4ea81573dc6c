//! The app connects a RAM-role profile: the source profile's key (in the keystore) assumes
//! the role on the dev server, and the audit lists every bucket with the role's credentials.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{AK, SK, TestServer};
use ossguard::app::activity::ActivityLevel;
use ossguard::app::command::Command;
use ossguard::app::controller::Controller;
use ossguard::app::environment::AppEnvironment;
use ossguard::app::keystore::ProfileSecret;
use ossguard::app::profile::{CredentialSettings, CredentialType, Profile};
use ossguard::app::runtime::RuntimeHandle;
use ossguard::devserver::sts_state::RoleDef;

const ROLE: &str = "acs:ram::2222333344445555:role/auditor";

fn pump_until(controller: &mut Controller, what: &str, done: &dyn Fn(&Controller) -> bool) {
    let start = Instant::now();
    while !done(controller) {
        controller.pump(1000);
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out: {what}; notices {:?}, refresh {:?}, active {:?}",
            controller.state.notices,
            controller.state.refresh,
            controller.state.active.as_ref().map(|a| &a.connection)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn save(controller: &mut Controller, profile: Profile, secret: Option<ProfileSecret>) {
    let name = profile.name.clone();
    controller.handle(Command::SaveProfile {
        profile,
        secret,
        previous_name: None,
    });
    pump_until(controller, "save", &|c| {
        c.state.profiles.get(&name).is_some()
    });
}

#[test]
fn the_app_audits_with_a_ram_role() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(TestServer::start(|c| {
        c.sts_roles = vec![RoleDef::parse_flag(&format!("arn={ROLE}")).expect("role")];
        c.seed_buckets = 12;
    }));
    let dir = tempfile::tempdir().expect("tempdir");
    let mut controller = Controller::new(
        RuntimeHandle::new(runtime.handle().clone()),
        AppEnvironment::for_tests(dir.path()),
        Arc::new(|| {}),
    );
    pump_until(&mut controller, "start", &|c| c.state.started);
    let endpoint = server.endpoint().to_owned();
    save(
        &mut controller,
        Profile::new("source", &endpoint, "cn-hangzhou", AK),
        Some(ProfileSecret::new(SK, None)),
    );
    let mut role = Profile::new("auditor", &endpoint, "cn-hangzhou", "");
    role.source = Box::new(CredentialSettings {
        credential_type: Some(CredentialType::RamRole),
        source_profile: Some("source".into()),
        role_arn: Some(ROLE.into()),
        duration_seconds: Some(900),
        ..CredentialSettings::default()
    });
    save(&mut controller, role, None);
    controller.handle(Command::SwitchProfile {
        name: "auditor".into(),
    });
    pump_until(&mut controller, "audit with the role", &|c| {
        c.state.rows().len() == 12 && c.state.refresh.as_ref().is_some_and(|r| r.finished)
    });
    // Every call (OSS and KMS) signed with the role's credentials was accepted: OK, or an
    // expected answer (no rule; a CMK not in the region asked).
    let signed_with: Vec<_> = controller
        .state
        .activity
        .entries()
        .iter()
        .map(|e| (e.outcome.clone(), e.level))
        .collect();
    assert!(
        !signed_with.is_empty()
            && signed_with
                .iter()
                .all(|(_, level)| *level != ActivityLevel::Error),
        "{signed_with:?}"
    );
    let error = controller
        .state
        .refresh
        .as_ref()
        .and_then(|r| r.error.clone());
    assert!(error.is_none(), "{error:?}");

    drop(server);
}

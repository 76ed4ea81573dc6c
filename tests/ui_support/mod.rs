//! Shared helpers for the egui_kittest tests: the real app on a real multi-thread tokio
//! runtime, config and data in a temp dir, secrets in memory, and `step_until`.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::environment::AppEnvironment;
use ossguard::app::runtime::RuntimeHandle;
use ossguard::devserver::{self, DevServer, DevServerConfig};
use ossguard::ui::OssGuardApp;

/// How long a test waits for something the dev server has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct UiTest {
    // Field order matters: the harness (and the app with its dev server) drops before the
    // runtime that serves them.
    pub harness: Harness<'static, OssGuardApp>,
    pub runtime: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
}

impl UiTest {
    /// The app with an empty config in a temp dir; `configure` adjusts the environment.
    pub fn start(configure: impl FnOnce(&mut AppEnvironment)) -> Self {
        Self::start_in(tempfile::tempdir().expect("tempdir"), configure)
    }

    /// The app with its config and data in `dir`.
    pub fn start_in(dir: tempfile::TempDir, configure: impl FnOnce(&mut AppEnvironment)) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let mut env = AppEnvironment::for_tests(dir.path());
        configure(&mut env);
        let handle = RuntimeHandle::new(runtime.handle().clone());
        let harness = Harness::builder()
            .with_size(egui::vec2(1500.0, 1000.0))
            .build_eframe(move |cc| OssGuardApp::new(&cc.egui_ctx, handle, env));
        Self {
            harness,
            runtime,
            dir,
        }
    }

    /// A dev server on the test's runtime, its data in the test's folder, accepting the
    /// AccessKey `ak`/`sk`; `configure` adds seed buckets, roles, an STS token.
    pub fn start_server(
        &self,
        ak: &str,
        sk: &str,
        configure: impl FnOnce(&mut DevServerConfig),
    ) -> DevServer {
        let mut config = DevServerConfig::new(self.dir.path().join("server"), ak, sk);
        configure(&mut config);
        self.runtime
            .block_on(devserver::start(config))
            .expect("dev server starts")
    }

    /// The demo, opened through the welcome screen, with every rule read.
    pub fn start_demo(configure: impl FnOnce(&mut AppEnvironment)) -> Self {
        let mut test = Self::start(configure);
        test.open_demo();
        test
    }

    /// Clicks "Try the demo" on the welcome screen and waits until every rule is read.
    pub fn open_demo(&mut self) {
        self.step_until_label("Try the demo");
        self.harness.get_by_label("Try the demo").click();
        self.step_until("the demo refresh to finish", |h| {
            h.state()
                .state()
                .refresh
                .as_ref()
                .is_some_and(|r| r.finished && r.listed > 0)
        });
    }

    /// Closes the app and starts it again on the same folders (a restart); the demo profile
    /// is still the active one, so it reconnects and reads every rule.
    pub fn restart(self) -> Self {
        let Self {
            harness,
            runtime,
            dir,
        } = self;
        drop(harness);
        runtime.shutdown_timeout(Duration::from_secs(5));
        let mut test = Self::start_in(dir, |_| {});
        test.step_until("the refresh after the restart", |h| {
            h.state()
                .state()
                .refresh
                .as_ref()
                .is_some_and(|r| r.finished && r.listed > 0)
        });
        test
    }

    /// Sets `bucket`'s rule as someone else would: straight through the dev server the app
    /// is connected to, not through the app.
    pub fn set_rule_elsewhere(&self, bucket: &str, rule: &ossguard::core::sse::SseRule) {
        let client = self.demo_client();
        self.runtime
            .block_on(async {
                let bucket = client.find_bucket(bucket).await?;
                client.put_encryption(&bucket, rule).await
            })
            .expect("set elsewhere");
    }

    /// Steps frames (sleeping a little between them so background tasks run) until `done`
    /// holds; on timeout, panics naming what it waited for and what is on screen.
    #[track_caller]
    pub fn step_until(
        &mut self,
        what: &str,
        done: impl Fn(&Harness<'static, OssGuardApp>) -> bool,
    ) {
        let start = Instant::now();
        loop {
            self.harness.step();
            if done(&self.harness) {
                // One more frame so the UI shows what the state now holds.
                self.harness.step();
                return;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "timed out waiting for {what}; notices: {:?}",
                self.harness.state().state().notices
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[track_caller]
    pub fn step_until_label(&mut self, label: &str) {
        self.step_until(&format!("label {label:?}"), |h| {
            h.query_by_label(label).is_some()
        });
    }

    #[track_caller]
    pub fn step_until_label_contains(&mut self, text: &str) {
        self.step_until(&format!("a label containing {text:?}"), |h| {
            h.query_by_label_contains(text).is_some()
        });
    }

    /// Clicks "Add account" (on the welcome screen or in the Profiles window) and waits for
    /// the form.
    pub fn open_add_account(&mut self) {
        self.step_until_label("Add account");
        self.harness.get_by_label("Add account").click();
        self.step_until_label("Credential type");
    }

    /// Clicks "Import" and gives `file` through the typed-path field (tests have no file
    /// dialog).
    pub fn import_typed_path(&mut self, file: &std::path::Path) {
        self.harness.get_by_label("Import").click();
        self.step_until_label("File to import");
        self.type_into("File to import", &file.display().to_string());
        self.harness.get_by_label("Import file").click();
    }

    /// A few frames: lets a click turn into a command and the command run.
    pub fn settle(&mut self) {
        for _ in 0..3 {
            self.harness.step();
        }
    }

    /// Focuses the (empty) field labelled `label` and types `text` into it.
    pub fn type_into(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).focus();
        self.harness.step();
        self.harness.get_by_label(label).type_text(text);
        self.harness.step();
    }

    /// Focuses the field labelled `label`, selects all its text and types `text` over it.
    pub fn replace_text(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).focus();
        self.harness.step();
        self.harness
            .key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
        self.harness.step();
        self.harness.get_by_label(label).type_text(text);
        self.harness.step();
        assert_eq!(
            self.harness.get_by_label(label).value().as_deref(),
            Some(text),
            "field {label:?}"
        );
    }

    /// Bucket names in the order the table shows them (only the rows laid out).
    pub fn visible_bucket_names(&self) -> Vec<String> {
        let app = self.harness.state();
        app.view()
            .table
            .indices()
            .iter()
            .filter_map(|i| app.state().rows().get(*i))
            .map(|r| r.bucket.name.to_string())
            .collect()
    }
}

pub fn name(n: &str) -> ossguard::core::model::BucketName {
    ossguard::core::model::BucketName::parse(n).expect("valid")
}

/// The rule the app knows for `bucket`.
pub fn encryption(test: &UiTest, bucket: &str) -> Option<ossguard::core::sse::EncryptionState> {
    test.harness
        .state()
        .state()
        .row(&name(bucket))
        .and_then(|r| r.encryption.clone())
}

/// Confirms the open preview and waits for its change to finish.
pub fn confirm_and_wait(test: &mut UiTest) {
    test.step_until_label("Confirm");
    let before = test.harness.state().state().batch.as_ref().map(|b| b.id);
    test.harness.get_by_label("Confirm").click();
    test.step_until("the change to finish", |h| {
        h.state()
            .state()
            .batch
            .as_ref()
            .is_some_and(|b| Some(b.id) != before && b.finished)
    });
    test.settle();
}

/// Clicks "Undo change to BUCKET" in the History window, confirms the undo, and waits until
/// the window shows a log of `records` changes (the undo included).
pub fn undo_from_history(test: &mut UiTest, bucket: &str, records: usize) {
    test.harness
        .get_by_label(&format!("Undo change to {bucket}"))
        .click();
    test.step_until_label("Review the change to 1 bucket");
    confirm_and_wait(test);
    test.step_until("the undo in the history", |h| {
        h.state()
            .state()
            .history
            .as_ref()
            .is_some_and(|h| h.records().len() == records)
    });
}

/// Clicks a row by its bucket name and waits for the detail panel with its facts.
pub fn select(test: &mut UiTest, bucket: &str) {
    // A bucket already selected (kept across a profile switch, for example) is named twice:
    // its table row and the detail panel's heading. Clicking the row again changes nothing.
    let selected = test
        .harness
        .state()
        .view()
        .selection
        .primary
        .as_ref()
        .is_some_and(|b| b.name.as_str() == bucket);
    if !selected {
        test.harness.get_by_label(bucket).click();
    }
    wait_for_facts(test, bucket);
}

/// Waits for the bucket facts (GetBucketInfo), which arrive late (also after each change) and
/// move the form down: a click aimed at the form before that would land on whatever moved
/// under it.
pub fn wait_for_facts(test: &mut UiTest, bucket: &str) {
    use ossguard::app::state::InfoState;
    test.step_until("the bucket facts", |h| {
        h.state()
            .view()
            .selection
            .primary
            .as_ref()
            .map(|b| b.name.as_str())
            == Some(bucket)
            && h.state()
                .state()
                .row(&name(bucket))
                .is_some_and(|r| matches!(r.info, InfoState::Loaded(_) | InfoState::Failed(_)))
    });
    test.step_until_label("Change the rule");
    test.settle();
}

impl UiTest {
    /// A client of the dev server the app is connected to, with the demo's keys: for reading
    /// what the server holds, to compare with what the app shows.
    pub fn demo_client(&self) -> ossguard::transport::OssClient {
        use ossguard::transport::{ClientConfig, Endpoint, OssClient};
        let profile = self
            .harness
            .state()
            .state()
            .active
            .as_ref()
            .map(|a| a.profile.clone())
            .expect("connected");
        let config = ClientConfig::new(
            Endpoint::parse(&profile.endpoint).expect("endpoint"),
            &profile.region,
        );
        let credentials = ossguard::core::sign::Credentials::new(
            ossguard::devserver::DEMO_ACCESS_KEY_ID,
            ossguard::devserver::DEMO_ACCESS_KEY_SECRET,
        );
        OssClient::new(config, credentials).expect("client")
    }
}

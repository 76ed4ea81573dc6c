//! Closing the window while a re-encryption job runs: the close is held back and the user
//! asked. "Keep running" keeps the window and the job; "Pause and quit" pauses the job at an
//! object boundary (nothing left in flight in its journal), then closes the window, and the
//! next start offers the paused job for resumption.

use egui::{ViewportCommand, ViewportEvent, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::objects::journal::{jobs_dir, read_progress};
use ossguard::ui::OssGuardApp;

use super::objects::{BUCKET, job, select, slow, start_slow_job};
use crate::ui_support::UiTest;

const QUESTION: &str = "A re-encryption job is running";

/// The window's close button, as the platform reports it.
fn close_window(test: &mut UiTest) {
    test.harness
        .input_mut()
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .events
        .push(ViewportEvent::Close);
    test.harness.step();
}

/// Whether the last frame asked the platform for `command`.
fn sent(harness: &Harness<'static, OssGuardApp>, command: &ViewportCommand) -> bool {
    harness
        .output()
        .viewport_output
        .get(&ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(command))
}

/// Objects whose copy the journals show sent and not yet done.
fn copies_in_flight(data: &std::path::Path) -> usize {
    std::fs::read_dir(jobs_dir(data))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| read_progress(&e.path()).ok())
        .map(|p| p.in_flight.len())
        .sum()
}

fn running(test: &UiTest) -> bool {
    test.harness
        .state()
        .state()
        .objects_job
        .as_ref()
        .is_some_and(|j| j.is_running())
}

#[test]
fn closing_with_a_running_job_asks_then_pauses_and_quits() {
    let mut test = UiTest::start_demo(slow);
    let data = test.dir.path().join("data");
    start_slow_job(&mut test);

    close_window(&mut test);
    assert!(sent(&test.harness, &ViewportCommand::CancelClose));
    test.step_until_label(QUESTION);
    test.harness.get_by_label("Keep running").click();
    test.settle();
    assert!(test.harness.query_by_label(QUESTION).is_none());
    assert!(running(&test), "the job goes on");
    assert!(!sent(&test.harness, &ViewportCommand::Close));

    // Asked again on the next close; this time pause and quit.
    close_window(&mut test);
    assert!(sent(&test.harness, &ViewportCommand::CancelClose));
    test.step_until_label(QUESTION);
    // Paused while a copy is in flight: it must finish, not be dropped half-way.
    test.step_until("a copy in flight", |_| copies_in_flight(&data) > 0);
    test.harness.get_by_label("Pause and quit").click();
    test.step_until("the window to close once the job paused", |h| {
        sent(h, &ViewportCommand::Close)
    });
    let paused = job(&test);
    assert!(paused.paused, "{paused:?}");
    let run = paused.result.clone().expect("stopped").expect("ran");
    assert!(
        run.counters.finished() < paused.expected.planned,
        "paused mid-way: {:?}",
        run.counters
    );
    // Stopped at an object boundary: every object it started is journaled done.
    let dir = jobs_dir(&data).join(&run.job_id);
    let progress = read_progress(&dir).expect("journal");
    assert_eq!(copies_in_flight(&data), 0, "objects left in flight");
    assert_eq!(progress.done.len() as u64, run.counters.finished());

    // The next start offers the paused job.
    let mut test = test.restart();
    test.step_until("the paused job offered", |h| {
        h.state()
            .state()
            .interrupted_jobs
            .iter()
            .any(|j| j.job_id == run.job_id)
    });
    select(&mut test);
    test.step_until_label("Resume interrupted job");
    assert!(test.harness.state().state().notices.iter().any(|n| {
        n.text
            .contains(&format!("job on bucket {BUCKET} was interrupted"))
    }));
}

#[test]
fn closing_without_a_running_job_is_not_held_back() {
    let mut test = UiTest::start_demo(|_| {});
    close_window(&mut test);
    assert!(!sent(&test.harness, &ViewportCommand::CancelClose));
    assert!(test.harness.query_by_label(QUESTION).is_none());
}

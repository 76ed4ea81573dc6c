//! A running re-encryption job in the app: Pause then Resume goes on where it stopped, a job
//! interrupted by a restart is offered for resumption, and Cancel stops it.

use egui_kittest::kittest::Queryable as _;

use super::objects::{
    BUCKET, copies_sent_after, job, job_ended, run_again, select, slow, start_slow_job,
};
use crate::ui_support::UiTest;

#[test]
fn a_paused_job_resumes_where_it_stopped() {
    let mut test = UiTest::start_demo(slow);
    let copies = start_slow_job(&mut test);
    test.harness.get_by_label("Pause").click();
    job_ended(&mut test);
    let paused = job(&test);
    assert!(paused.paused);
    let at_pause = paused.counters.clone();
    assert!(at_pause.copied > 0 && at_pause.copied < copies);
    test.step_until_label_contains("Re-encryption paused: ");
    let log_at_pause = test.harness.state().state().activity.len();

    let run = run_again(&mut test, "Resume");
    assert!(run.resumed && !run.cancelled);
    // Objects copied before the pause count once: the journal, not a second copy.
    assert_eq!(run.counters.copied, copies);
    assert_eq!(run.counters.finished(), run.counters.planned);
    assert!(copies_sent_after(&test, log_at_pause) <= copies - at_pause.copied);
    test.step_until_label_contains(&format!("Re-encryption done: copied {copies} ("));
}

#[test]
fn an_interrupted_job_is_offered_for_resumption_on_the_next_start() {
    let mut test = UiTest::start_demo(slow);
    let copies = start_slow_job(&mut test);
    let before = job(&test).counters.copied;
    // The app closes mid-job: its journal says "running".
    let mut test = test.restart();
    test.step_until("the interrupted job", |h| {
        !h.state().state().interrupted_jobs.is_empty()
    });
    assert!(test.harness.state().state().notices.iter().any(|n| {
        n.text
            .contains(&format!("job on bucket {BUCKET} was interrupted"))
    }));
    select(&mut test);
    test.step_until_label_contains("Interrupted re-encryption to AES256");
    test.harness.get_by_label("Resume interrupted job").click();
    test.step_until("the job to start", |h| {
        h.state().state().objects_job.is_some()
    });
    job_ended(&mut test);
    let run = job(&test).result.expect("ended").expect("ran");
    assert!(run.resumed && !run.cancelled);
    assert_eq!(run.counters.copied, copies);
    assert_eq!(run.counters.finished(), run.counters.planned);
    // Nothing copied before the restart is copied again (the log starts empty after it).
    assert!(copies_sent_after(&test, 0) <= copies - before);
    assert!(test.harness.state().state().interrupted_jobs.is_empty());
    assert!(
        test.harness
            .query_by_label("Resume interrupted job")
            .is_none()
    );
}

#[test]
fn a_running_reencryption_shows_progress_and_can_be_cancelled() {
    let mut test = UiTest::start_demo(slow);
    let copies = start_slow_job(&mut test);
    test.step_until_label_contains("Re-encrypting: ");
    test.harness.get_by_label("Cancel re-encryption").click();
    job_ended(&mut test);
    let run = job(&test).result.expect("ended").expect("ran");
    assert!(run.cancelled && !job(&test).paused);
    assert!(run.counters.copied < copies);
    test.step_until_label_contains("Re-encryption cancelled: ");
}

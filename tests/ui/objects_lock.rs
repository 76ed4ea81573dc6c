//! One runner per job in the app too: resuming a job that another process holds is refused
//! with that process's pid and writes nothing; once it is free, "Try again" runs the same
//! job from its journal.

use egui_kittest::kittest::Queryable as _;
use ossguard::app::objects::journal::jobs_dir;
use ossguard::app::objects::lock::JobLock;

use super::objects::{job, job_ended, run_again, select, slow, start_slow_job};
use crate::ui_support::UiTest;

#[test]
fn a_job_another_process_holds_is_refused_then_runs_once_free() {
    let mut test = UiTest::start_demo(slow);
    let copies = start_slow_job(&mut test);
    let mut test = test.restart();
    test.step_until("the interrupted job", |h| {
        !h.state().state().interrupted_jobs.is_empty()
    });
    let job_id = test.harness.state().state().interrupted_jobs[0]
        .job_id
        .clone();
    let dir = jobs_dir(&test.dir.path().join("data")).join(&job_id);
    // Another runner (as the CLI would be) holds the job.
    let other = JobLock::acquire(&dir, &job_id).expect("the other runner");
    let journal = || std::fs::read(dir.join("journal.jsonl")).expect("journal");
    let before = journal();

    select(&mut test);
    test.step_until_label("Resume interrupted job");
    test.harness.get_by_label("Resume interrupted job").click();
    test.step_until("the job to start", |h| {
        h.state().state().objects_job.is_some()
    });
    job_ended(&mut test);
    assert!(job(&test).result.expect("ended").is_err());
    test.step_until_label_contains(&format!(
        "Re-encryption failed: job {job_id} is running in another ossguard process (pid {})",
        std::process::id()
    ));
    assert_eq!(journal(), before, "the refused run wrote nothing");

    drop(other);
    let run = run_again(&mut test, "Try again");
    assert_eq!(run.job_id, job_id);
    assert!(run.resumed && !run.cancelled);
    assert_eq!(run.counters.copied, copies);
    assert!(test.harness.query_by_label("Try again").is_none());
}

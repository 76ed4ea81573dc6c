//! Closing the window while a re-encryption job runs: the close is held back and the user
//! asked to pause the job and quit, or to keep it running. "Pause and quit" pauses the job
//! (the copies in flight finish and are journaled, so the next start offers the job for
//! resumption) and closes once it has stopped. Pure: the window reports what happened, and
//! this says whether to close.

/// Where the close question stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CloseGuard {
    /// No close asked, or the user chose to keep the job running.
    #[default]
    Idle,
    /// A close was held back: the question is on screen.
    Asking,
    /// "Pause and quit" chosen: the window closes once the job has stopped.
    PausingToQuit,
}

impl CloseGuard {
    /// The window asks to close; returns whether it may. With a job running it may not: the
    /// question is asked (or, pausing to quit, the close waits for the job to stop).
    pub fn close_requested(&mut self, job_running: bool) -> bool {
        if !job_running {
            *self = Self::Idle;
            return true;
        }
        if *self == Self::Idle {
            *self = Self::Asking;
        }
        false
    }

    /// "Pause and quit": the caller pauses the job.
    pub fn pause_and_quit(&mut self) {
        *self = Self::PausingToQuit;
    }

    /// "Keep running": the window stays, the job goes on.
    pub fn keep_running(&mut self) {
        *self = Self::Idle;
    }

    pub fn is_asking(self) -> bool {
        self == Self::Asking
    }

    pub fn is_quitting(self) -> bool {
        self == Self::PausingToQuit
    }

    /// Called every frame: true when the window should close now, because the user asked
    /// to and the job that held the close back has stopped (paused, or ended on its own).
    pub fn close_now(&mut self, job_running: bool) -> bool {
        if job_running || *self == Self::Idle {
            return false;
        }
        *self = Self::Idle;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::CloseGuard;

    #[test]
    fn no_job_closes_at_once() {
        let mut guard = CloseGuard::default();
        assert!(guard.close_requested(false));
        assert!(!guard.close_now(false));
    }

    #[test]
    fn pause_and_quit_closes_once_the_job_stopped() {
        let mut guard = CloseGuard::default();
        assert!(!guard.close_requested(true));
        assert!(guard.is_asking());
        // Asked again while the question is shown: still held back, still asking.
        assert!(!guard.close_requested(true));
        assert!(guard.is_asking());
        guard.pause_and_quit();
        // The copies in flight finish first; a close asked meanwhile waits too.
        assert!(!guard.close_now(true));
        assert!(!guard.close_requested(true));
        assert!(guard.is_quitting());
        assert!(guard.close_now(false));
        assert_eq!(guard, CloseGuard::Idle);
    }

    #[test]
    fn keep_running_stays_open_and_asks_again_next_time() {
        let mut guard = CloseGuard::default();
        assert!(!guard.close_requested(true));
        guard.keep_running();
        for _ in 0..3 {
            assert!(!guard.close_now(true));
            assert!(
                !guard.close_now(false),
                "the job ending later closes nothing"
            );
        }
        assert!(!guard.close_requested(true));
        assert!(guard.is_asking());
    }

    #[test]
    fn a_job_that_ends_while_asking_lets_the_close_go_ahead() {
        let mut guard = CloseGuard::default();
        assert!(!guard.close_requested(true));
        assert!(guard.close_now(false));
    }
}

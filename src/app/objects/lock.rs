//! One runner per job: an exclusive lock on `job.lock` in the job's folder, held for the
//! whole run, so a CLI resume and the app (or two machines sharing a data folder through a
//! file system that honours `flock`) never work on one journal at once. The lock is the
//! operating system's (`File::try_lock`), so a runner killed with SIGKILL leaves no stale
//! lock behind; the file also holds the runner's pid, for the refusal's message only.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read as _, Seek as _, Write as _};
use std::path::Path;

use super::journal::{private_dir, private_file};

const LOCK_FILE: &str = "job.lock";

/// Held while a job runs; dropping it (or the process ending) releases the lock.
#[derive(Debug)]
pub struct JobLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "job {job_id} is running in another ossguard process{}: wait for it to end, or stop \
         it; nothing was changed",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Busy { job_id: String, pid: Option<u32> },
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl JobLock {
    /// Takes the lock of the job in `dir` without waiting: a job already running elsewhere
    /// is refused at once with the other runner's pid.
    pub fn acquire(dir: &Path, job_id: &str) -> Result<Self, LockError> {
        private_dir(dir)?;
        // Not truncated on open: until the lock is ours, the pid in it is the holder's.
        let mut file = private_file(OpenOptions::new().read(true).write(true).truncate(false))
            .open(dir.join(LOCK_FILE))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                file.read_to_string(&mut text).ok();
                return Err(LockError::Busy {
                    job_id: job_id.to_owned(),
                    pid: text.trim().parse().ok(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(e.into()),
        }
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "{}", std::process::id())?;
        file.flush()?;
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::{JobLock, LockError};

    #[test]
    fn a_second_runner_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = JobLock::acquire(dir.path(), "b-1").expect("first runner");
        // A separate open of the file, as another process's would be: flock locks belong
        // to the open file, so this conflicts even inside one process.
        let refused = JobLock::acquire(dir.path(), "b-1").expect_err("second runner");
        let pid = std::process::id();
        assert!(
            matches!(&refused, LockError::Busy { job_id, pid: Some(p) } if job_id == "b-1" && *p == pid),
            "{refused:?}"
        );
        assert!(
            refused.to_string().starts_with(&format!(
                "job b-1 is running in another ossguard process (pid {pid})"
            )),
            "{refused}"
        );
        drop(first);
        JobLock::acquire(dir.path(), "b-1").expect("free again once the first ended");
    }
}

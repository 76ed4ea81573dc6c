//! `RuntimeHandle`: the one way app code reaches the tokio runtime that runs beside eframe.
//!
//! The runtime is built in `main` before the window opens and outlives it (as rerun does);
//! the app only ever holds this handle, so nothing spawns on an ambient runtime by accident
//! and tests hand in their own multi-thread runtime.

use std::fmt;
use std::future::Future;

/// A cheap, cloneable handle to the app's tokio runtime.
#[derive(Clone)]
pub struct RuntimeHandle(tokio::runtime::Handle);

impl RuntimeHandle {
    pub fn new(handle: tokio::runtime::Handle) -> Self {
        Self(handle)
    }

    /// The runtime of the calling thread, if it runs inside one.
    pub fn try_current() -> Option<Self> {
        tokio::runtime::Handle::try_current().ok().map(Self)
    }

    /// Runs `future` on the runtime; the task is detached (it reports through events).
    pub fn spawn<F>(&self, future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(self.0.spawn(future));
    }

    /// Runs blocking work (keyring, small file I/O) on the runtime's blocking pool.
    pub fn spawn_blocking<F>(&self, work: F)
    where
        F: FnOnce() + Send + 'static,
    {
        drop(self.0.spawn_blocking(work));
    }

    pub fn tokio(&self) -> &tokio::runtime::Handle {
        &self.0
    }
}

impl fmt::Debug for RuntimeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RuntimeHandle")
    }
}

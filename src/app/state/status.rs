//! The connection, keyring, demo and notice states the top bar and welcome screen show.

use crate::app::profile::Profile;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Connected,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveProfile {
    pub profile: Profile,
    pub connection: Connection,
}

/// Where secrets can be kept this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeystoreStatus {
    Checking,
    Available,
    /// No OS keyring: the reason, shown plainly. Secrets cannot be saved until the user opts
    /// into keeping them in memory.
    Unavailable(String),
    /// The user chose to keep secrets in memory for this run.
    Memory,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoStatus {
    Idle,
    Starting,
    Running,
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub text: String,
}

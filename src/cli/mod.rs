//! The command-line interface: `ossguard buckets | get | set | delete | keys | log | undo |
//! objects | devserver`.
//!
//! | module | what it holds |
//! |---|---|
//! | [`args`] | the flags (clap) |
//! | [`commands`] | dispatch, exit codes, the audit |
//! | [`changes`] | set, delete, undo and the change log |
//! | [`connect`] | settings and credentials for a run |
//! | [`keys`] | `keys`: the KMS keys of regions |
//! | [`objects`] | `objects scan`, `encrypt` and `jobs` |
//! | [`output`] | table, JSON and CSV rendering |
pub mod accounts;
pub mod args;
pub mod changes;
pub mod commands;
pub mod connect;
pub mod keys;
pub mod objects;
pub mod objects_report;
pub mod output;

pub use args::Cli;
pub use commands::run;

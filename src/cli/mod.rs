//! The command-line interface: `ossguard buckets | get | set | delete | devserver`.
pub mod args;
pub mod commands;
pub mod output;

pub use args::Cli;
pub use commands::run;

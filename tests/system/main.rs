//! The client, the change engine, the CLI binary and the real outside world: the transport against
//! the dev server and scripted faults, the official SDKs, the OS keyring, a real window.
//!
//! One test binary per group (see tests/README.md): linking egui, axum and reqwest once
//! per group instead of once per file keeps a cold test build short.

#[path = "../common/mod.rs"]
mod common;

mod app_roles;
mod change_engine;
mod change_outcomes;
mod cli;
mod cli_key_skip;
mod cli_kms;
mod cli_regions;
mod cli_table;
mod cli_unusable_key;
mod ecs_role;
mod faults;
mod gui_smoke;
mod interop;
mod keyring;
mod not_oss;
mod objects_cli;
mod objects_resume;
mod profiles_cli;
mod rpc_transport;
mod secrets;
mod sts_credentials;
mod transport;

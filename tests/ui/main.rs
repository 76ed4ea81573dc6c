//! The desktop app driven headless through egui_kittest against a live dev server.
//!
//! One test binary per group (see tests/README.md): linking egui, axum and reqwest once
//! per group instead of once per file keeps a cold test build short.

#[path = "../ui_support/mod.rs"]
mod ui_support;

mod activity_log;
mod all_profiles;
mod change;
mod cmk_column;
mod demo;
mod export;
mod history;
mod history_long;
mod key_checks;
mod key_other_region;
mod key_picker;
mod large_table;
mod objects;
mod objects_close;
mod objects_lock;
mod objects_pause;
mod objects_target;
mod overview;
mod profile_roles;
mod profiles;
mod refresh;
mod sts_expiry;
mod table_keys;

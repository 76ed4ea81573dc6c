//! ossguard: administer the default server-side encryption of Alibaba Cloud OSS buckets.
//!
//! Dependencies point one way: `core <- transport <- app <- ui`; `cli` uses `app` and
//! `transport`; `devserver` uses `core` only. One exception by design: `app::demo` starts the
//! `devserver` in-process, so "Try the demo" needs nothing but the binary.
//!
//! | module | what it holds |
//! |---|---|
//! | [`core`] | pure values: models, SSE rules, validation, XML, request signing (no I/O) |
//! | [`transport`] | the async OSS client: addressing, retries, clock skew, fan-out, typed errors |
//! | [`devserver`] | a local OSS-compatible server that verifies signatures like OSS |
//! | [`app`] | app state, commands, profiles, keystore, audit export (no egui) |
//! | [`ui`] | the desktop app: eframe/egui views over `app` (welcome, table, detail, dialogs) |
//! | [`cli`] | the command-line interface (`ossguard buckets`, `get`, `set`, `delete`, `devserver`) |
pub mod app;
pub mod cli;
pub mod core;
pub mod devserver;
pub mod transport;
pub mod ui;

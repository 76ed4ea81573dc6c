//! The app layer: state and commands shared by the desktop UI and the CLI; no egui types.
//!
//! | module | what it holds |
//! |---|---|
//! | [`runtime`] | `RuntimeHandle`, the app's only way to the tokio runtime |
//! | [`command`] | `Command`: what views ask for (imperative), and the channel they send on |
//! | [`event`] | `Event`: what tasks report (past tense), tagged with session and request ids |
//! | [`state`] | `AppState`, changed only by `apply(Event)` and the `begin_*` methods (pure); its refresh, batch and status parts in `state/` |
//! | `apply` | how each event changes the state; stale answers are dropped here |
//! | [`row`] | one bucket's row: last known rule, pending work, last change and its undo |
//! | [`category`] | what each rule counts as: badge, filter, chips, export `state` |
//! | [`view`] | the table's filter, sort and summary counts (pure, cached) |
//! | [`overview`] | encryption coverage per region, last read time |
//! | [`selection`] | focused, ticked and Shift-range rows; what a change targets |
//! | [`activity`] | the activity log of HTTP attempts |
//! | [`worker`] | tokio jobs: refresh, read one bucket, change and verify |
//! | [`config_writes`] | the config file's one writer: versioned writes, the newest wins on disk |
//! | [`controller`] | runs commands, applies events, owns the client and cancellation; bucket, profile, objects and event handling in `controller/` |
//! | [`environment`] | folders, keystore and options, from the OS or for tests |
//! | [`demo`] | the embedded dev server and its `demo` profile |
//! | [`files`] | export and import through rfd dialogs or a typed path |
//! | [`import`] | ossutil config and AccessKey CSV parsers |
//! | [`import_aliyun`] | the Alibaba Cloud CLI's config.json |
//! | [`accounts`] | which account a profile belongs to (GetCallerIdentity), for audits of several |
//! | [`credential_source`] | which credential provider signs for a profile |
//! | [`change`] | the change engine: guard, write, verify, log, undo (shared with the CLI) |
//! | [`changelog`] | the JSONL change log |
//! | [`export`] | the audit row shared with the CLI |
//! | [`expiry`] | when the temporary credentials in use expire, and who renews them |
//! | [`key_checks`] | KMS key health during an audit, and the CMK pre-flight check |
//! | [`region_keys`] | a region's keys for the change form's key picker |
//! | [`profile`] | profiles in TOML (0600, never a secret) |
//! | [`profile_check`] | the connection test a profile passes before it is saved |
//! | [`profile_tasks`] | keystore and config work off the UI thread; building the client |
//! | [`keystore`] | secrets in the OS keyring or in memory |
//! | [`objects`] | scanning existing objects and re-encrypting them as resumable jobs |
//! | [`objects_scan`] | the app's running or last object scan of a bucket |
//! | [`objects_job`] | the app's re-encryption preview and running job |
//! | [`objects_tasks`] | the preview's and the job's background work |
//! | [`close_guard`] | closing the window while a job runs: pause and quit, or keep running |
pub mod accounts;
pub mod activity;
mod apply;
pub mod category;
pub mod change;
pub mod changelog;
pub mod close_guard;
pub mod command;
pub mod config_writes;
pub mod controller;
pub mod credential_source;
pub mod demo;
pub mod environment;
pub mod event;
pub mod expiry;
pub mod export;
pub mod files;
pub mod import;
pub mod import_aliyun;
pub mod key_checks;
pub mod keystore;
pub mod objects;
pub mod objects_job;
pub mod objects_scan;
pub mod objects_tasks;
pub mod overview;
pub mod profile;
pub mod profile_check;
pub mod profile_tasks;
pub mod region_keys;
pub mod row;
pub mod runtime;
pub mod selection;
pub mod state;
pub mod view;
pub mod worker;

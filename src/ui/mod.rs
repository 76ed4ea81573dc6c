//! The desktop app (eframe/egui): thin views over [`crate::app`]'s state and commands.
//!
//! | module | what it holds |
//! |---|---|
//! | [`app`] | `OssGuardApp`: `logic` drains events, `ui` lays out panels |
//! | `top_bar` | profile switcher, refresh/cancel with progress, export, banners |
//! | `welcome` | the first screen: try the demo, add an account, import |
//! | `overview` | state chips that filter, coverage per region, last refresh |
//! | `bucket_table` | the virtualized bucket table: rows, sorting, selection by click and key |
//! | `filter_bar` | the table's filter, state filter, column chooser, shown/ticked line |
//! | `bucket_columns` | the table's column widths and what each cell shows |
//! | `detail_panel` | one bucket's rule and facts, or the bulk view, with the change form |
//! | `change_result` | a change's outcome per bucket and its progress |
//! | `rule_form` | the change form with inline validation |
//! | `key_picker` | the form's picker of the region's KMS keys |
//! | `confirm_dialog` | before/after preview before any change |
//! | `history_view` | the change log: every change, undo of one or of a bulk change |
//! | `objects_panel` | a bucket's objects: scan with a prefix, classes as bars |
//! | `close_dialog` | closing the window while a job runs: pause and quit, or keep running |
//! | `reencrypt_preview` | re-encryption preview: the target, the dry run's plan, confirmation |
//! | `reencrypt_view` | re-encryption: the button that opens the preview, job progress |
//! | `export_dialog` | export format, rows and file; asks before replacing a file |
//! | `profile_dialog` | add, edit, delete, switch and import profiles |
//! | `profile_draft` | the profile form's values, checked into a save command |
//! | `credential_form` | the profile form's credential type and role fields |
//! | `accounts_chooser` | "All profiles…": which profiles to audit at once |
//! | `accounts_strip` | each audited profile's account, progress, counts and error |
//! | `activity_log` | every request with time, bucket, operation, outcome, request id |
//! | `key_health` | a CMK's alias and health badges, its facts, reason and fix |
//! | `widgets` | the encryption badge, the OSS error block, labelled fields |
mod accounts_chooser;
mod accounts_strip;
mod activity_log;
pub mod app;
mod bucket_columns;
mod bucket_table;
mod change_result;
mod close_dialog;
mod confirm_dialog;
mod credential_form;
mod detail_panel;
mod export_dialog;
mod filter_bar;
mod history_view;
mod key_health;
pub mod key_picker;
mod objects_panel;
mod overview;
mod profile_dialog;
mod profile_draft;
mod reencrypt_preview;
mod reencrypt_view;
pub mod rule_form;
mod top_bar;
mod welcome;
mod widgets;

use std::process::ExitCode;

pub use app::OssGuardApp;

use crate::app::environment::AppEnvironment;
use crate::app::runtime::RuntimeHandle;

/// The window's size on first start (later, the size it was closed at): the table's default
/// column widths are chosen so a CMK's badges and alias fit at this size.
pub const WINDOW_SIZE: egui::Vec2 = egui::vec2(1280.0, 780.0);

/// Opens the window and runs until it closes. The tokio runtime behind `runtime` is built
/// by the caller and outlives the window.
pub fn run(runtime: RuntimeHandle, env: AppEnvironment) -> ExitCode {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ossguard")
            .with_app_id("ossguard")
            .with_inner_size(WINDOW_SIZE)
            .with_min_inner_size([800.0, 500.0]),
        // Window size, panel and column widths, sort: remembered beside the app's data.
        persistence_path: Some(env.data_dir.join("window")),
        ..Default::default()
    };
    let result = eframe::run_native(
        "ossguard",
        options,
        Box::new(move |cc| {
            let mut app = OssGuardApp::new(&cc.egui_ctx, runtime, env);
            if let Some(storage) = cc.storage {
                app.restore(storage);
            }
            Ok(Box::new(app))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the window could not be opened: {e}");
            ExitCode::from(1)
        }
    }
}

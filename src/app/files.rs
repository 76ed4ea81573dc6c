//! Export and import through rfd's async dialogs, with a typed path as the fallback when no
//! dialog is available (rfd returns `None` at once where no portal runs).

use std::path::PathBuf;

use crate::app::environment::AppEnvironment;
use crate::app::event::{Event, ExportFormat};
use crate::app::export::{AuditRow, to_csv, to_json};
use crate::app::import;
use crate::app::worker::Worker;

pub fn export(
    worker: &Worker,
    env: &AppEnvironment,
    format: ExportFormat,
    path: Option<PathBuf>,
    rows: Vec<AuditRow>,
) {
    let events = worker.events().clone();
    let dialogs = env.file_dialogs;
    worker.runtime().spawn(async move {
        let path = match path {
            Some(path) => Some(path),
            None if dialogs => rfd::AsyncFileDialog::new()
                .set_title("Export the encryption audit")
                .add_filter(format.label(), &[format.extension()])
                .set_file_name(format!("ossguard-audit.{}", format.extension()))
                .save_file()
                .await
                .map(|h| h.path().to_path_buf()),
            None => None,
        };
        let Some(path) = path else {
            events.send(Event::ExportPathNeeded { format });
            return;
        };
        let text = match format {
            ExportFormat::Csv => to_csv(&rows),
            ExportFormat::Json => to_json(&rows),
        };
        let event = match tokio::fs::write(&path, text).await {
            Ok(()) => Event::Exported {
                path,
                rows: rows.len(),
                format,
            },
            Err(e) => Event::ExportFailed {
                error: format!("cannot write {}: {e}", path.display()),
            },
        };
        events.send(event);
    });
}

pub fn import(worker: &Worker, env: &AppEnvironment, path: Option<PathBuf>) {
    let events = worker.events().clone();
    let dialogs = env.file_dialogs;
    worker.runtime().spawn(async move {
        let path = match path {
            Some(path) => Some(path),
            None if dialogs => rfd::AsyncFileDialog::new()
                .set_title("Import an ossutil config or an AccessKey CSV")
                .pick_file()
                .await
                .map(|h| h.path().to_path_buf()),
            None => None,
        };
        let Some(path) = path else {
            events.send(Event::ImportPathNeeded);
            return;
        };
        let event = match tokio::fs::read_to_string(&path).await {
            Ok(text) => match import::parse(&text) {
                Ok(profiles) => Event::Imported { path, profiles },
                Err(e) => Event::ImportFailed {
                    error: e.to_string(),
                },
            },
            Err(e) => Event::ImportFailed {
                error: format!("cannot read {}: {e}", path.display()),
            },
        };
        events.send(event);
    });
}

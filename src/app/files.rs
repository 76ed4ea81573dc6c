//! Export and import through rfd's async dialogs, with a typed path as the fallback when no
//! dialog is available.
//!
//! rfd answers `None` both when the user cancels and when no dialog could be shown at all
//! (its xdg-portal backend finds no portal and no zenity, and returns within a few
//! milliseconds). [`classify`] tells the two apart, so a plain cancel does not bring up the
//! typed-path prompt.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::app::environment::AppEnvironment;
use crate::app::event::{Event, ExportFormat};
use crate::app::export::{AuditRow, to_csv, to_json};
use crate::app::import;
use crate::app::worker::Worker;

/// A `None` that took at least this long came from a dialog someone looked at. Without a
/// portal rfd gives up in about 2-8 ms; a person needs well over this to see a dialog and
/// dismiss it. The margin errs towards "unavailable": wrongly showing the typed-path prompt
/// after a very fast cancel is harmless, wrongly taking a missing dialog for a cancel would
/// leave no way to pick a file at all.
pub const HUMAN_CANCEL_MIN: Duration = Duration::from_millis(400);

/// Whether any dialog returned a path this run: then a portal exists, and a later `None` is
/// a cancel however fast it came. Shared by the controller's export and import tasks.
#[derive(Debug, Clone, Default)]
pub struct DialogHistory(Arc<AtomicBool>);

impl DialogHistory {
    fn ever_picked(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn record_pick(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What a dialog's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogAnswer {
    Picked,
    /// The user dismissed the dialog: do nothing.
    Cancelled,
    /// No dialog could be shown: ask for a typed path.
    Unavailable,
}

/// Reads a dialog's answer: `picked` (rfd gave a path), how long the call took, and whether a
/// dialog has ever returned a path this run. See [`HUMAN_CANCEL_MIN`] for the threshold.
pub fn classify(picked: bool, elapsed: Duration, ever_picked: bool) -> DialogAnswer {
    if picked {
        DialogAnswer::Picked
    } else if ever_picked || elapsed >= HUMAN_CANCEL_MIN {
        DialogAnswer::Cancelled
    } else {
        DialogAnswer::Unavailable
    }
}

/// A path from `path`, or from the dialog when `dialogs` allows one.
enum Chosen {
    Path(PathBuf),
    Cancelled,
    AskForPath,
}

/// `dialog` builds the dialog's future; it is timed from the moment it is built.
async fn choose<F>(
    path: Option<PathBuf>,
    dialogs: bool,
    history: &DialogHistory,
    dialog: impl FnOnce() -> F,
) -> Chosen
where
    F: Future<Output = Option<rfd::FileHandle>>,
{
    if let Some(path) = path {
        return Chosen::Path(path);
    }
    if !dialogs {
        return Chosen::AskForPath;
    }
    let start = Instant::now();
    let picked = dialog().await.map(|h| h.path().to_path_buf());
    match classify(picked.is_some(), start.elapsed(), history.ever_picked()) {
        DialogAnswer::Picked => {
            history.record_pick();
            picked.map_or(Chosen::AskForPath, Chosen::Path)
        }
        DialogAnswer::Cancelled => Chosen::Cancelled,
        DialogAnswer::Unavailable => Chosen::AskForPath,
    }
}

/// One export as the controller hands it over.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub format: ExportFormat,
    /// The default name offered ([`default_file_name`](crate::app::export::default_file_name)).
    pub file_name: String,
    /// A typed path; `None` asks with the save dialog.
    pub path: Option<PathBuf>,
    /// Replace a typed path that exists (the user was asked).
    pub overwrite: bool,
}

/// A typed path as written: relative to the export folder, never to the process's working
/// folder, which the user cannot see.
pub fn resolve_export_path(export_dir: &Path, typed: &Path) -> PathBuf {
    if typed.is_absolute() {
        typed.to_path_buf()
    } else {
        export_dir.join(typed)
    }
}

/// Writes `text`; without `overwrite`, only to a file that does not exist yet (checked by the
/// open itself, so nothing can slip in between a check and the write).
async fn write_export(path: &Path, text: &str, overwrite: bool) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).await?;
    file.write_all(text.as_bytes()).await?;
    file.flush().await
}

pub fn export(
    worker: &Worker,
    env: &AppEnvironment,
    history: &DialogHistory,
    request: ExportRequest,
    rows: Vec<AuditRow>,
) {
    let events = worker.events().clone();
    let dialogs = env.file_dialogs;
    let export_dir = env.export_dir.clone();
    let history = history.clone();
    worker.runtime().spawn(async move {
        let ExportRequest {
            format,
            file_name,
            path,
            overwrite,
        } = request;
        let typed = path.is_some();
        let dialog_dir = export_dir.clone();
        let dialog = || {
            rfd::AsyncFileDialog::new()
                .set_title("Export the encryption audit")
                .add_filter(format.label(), &[format.extension()])
                .set_directory(&dialog_dir)
                .set_file_name(&file_name)
                .save_file()
        };
        let path = match choose(path, dialogs, &history, dialog).await {
            Chosen::Path(path) => resolve_export_path(&export_dir, &path),
            Chosen::Cancelled => return,
            Chosen::AskForPath => {
                events.send(Event::ExportPathNeeded { format });
                return;
            }
        };
        // A path from the save dialog: the dialog asked before replacing a file (GTK, KDE
        // and the portal do by default). A typed one is asked about here.
        let overwrite = overwrite || !typed;
        if path.parent() == Some(export_dir.as_path()) {
            tokio::fs::create_dir_all(&export_dir).await.ok();
        }
        let text = match format {
            ExportFormat::Csv => to_csv(&rows),
            ExportFormat::Json => to_json(&rows),
        };
        let event = match write_export(&path, &text, overwrite).await {
            Ok(()) => Event::Exported {
                path,
                rows: rows.len(),
                format,
            },
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Event::ExportExists { path },
            Err(e) => Event::ExportFailed {
                error: format!("cannot write {}: {e}", path.display()),
            },
        };
        events.send(event);
    });
}

pub fn import(
    worker: &Worker,
    env: &AppEnvironment,
    history: &DialogHistory,
    path: Option<PathBuf>,
) {
    let events = worker.events().clone();
    let dialogs = env.file_dialogs;
    let history = history.clone();
    worker.runtime().spawn(async move {
        let dialog = || {
            rfd::AsyncFileDialog::new()
                .set_title("Import an ossutil config or an AccessKey CSV")
                .pick_file()
        };
        let path = match choose(path, dialogs, &history, dialog).await {
            Chosen::Path(path) => path,
            Chosen::Cancelled => return,
            Chosen::AskForPath => {
                events.send(Event::ImportPathNeeded);
                return;
            }
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{DialogAnswer, HUMAN_CANCEL_MIN, classify};

    #[test]
    fn none_is_a_cancel_only_when_a_dialog_was_shown() {
        let ms = Duration::from_millis;
        // A path is a path, however fast.
        assert_eq!(classify(true, ms(1), false), DialogAnswer::Picked);
        // No portal: rfd gives up within a few milliseconds.
        assert_eq!(classify(false, ms(3), false), DialogAnswer::Unavailable);
        assert_eq!(classify(false, ms(8), false), DialogAnswer::Unavailable);
        // Someone looked at the dialog and dismissed it.
        assert_eq!(
            classify(false, HUMAN_CANCEL_MIN, false),
            DialogAnswer::Cancelled
        );
        assert_eq!(
            classify(false, Duration::from_secs(5), false),
            DialogAnswer::Cancelled
        );
        // Once a dialog returned a path this run, a portal exists: any None is a cancel.
        assert_eq!(classify(false, ms(3), true), DialogAnswer::Cancelled);
    }
}

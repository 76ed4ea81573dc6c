//! The re-encryption preview window: the target (the bucket's rule by default, or a rule
//! chosen with the change form's [`Algorithm`], key picker and [`RuleSpec`]), the dry run's
//! plan for it, and the confirmation. The window owns its target draft; the plan and the
//! target it was made for live in [`ReencryptPreview`].

use crate::app::change::{Algorithm, RuleSpec};
use crate::app::command::{Command, CommandSender};
use crate::app::objects::dry_run::DryRun;
use crate::app::objects_job::ReencryptPreview;
use crate::app::state::{AppState, BucketRow};
use crate::app::view::{human_bytes, object_count};
use crate::core::sse::{EncryptionState, SseRule};

use super::key_picker::{KeyPicker, key_picker_ui};

/// The field and search labels, distinct from the change form's (both can be on screen).
pub const KEY_FIELD: &str = "Target KMS key ID (blank: the default key)";
const KEY_SEARCH: &str = "Search target keys";
pub const BUCKET_RULE: &str = "To the bucket's rule";

/// The target as the user is choosing it, for the preview it was opened with.
#[derive(Debug, Default)]
pub struct PreviewWindow {
    /// `None`: the bucket's rule.
    algorithm: Option<Algorithm>,
    key_id: String,
    sm4_data: bool,
    key_search: String,
    /// The preview (its bucket and prefix) this draft belongs to; a new one starts again.
    made_for: Option<(crate::core::model::BucketName, String)>,
}

impl PreviewWindow {
    /// The target the draft asks for: `Ok(None)` for the bucket's rule, or why the draft is
    /// not a valid rule for a bucket of `region`.
    fn wanted(&self, region: &str) -> Result<Option<SseRule>, String> {
        let Some(algorithm) = self.algorithm else {
            return Ok(None);
        };
        RuleSpec::of_choice(algorithm, &self.key_id, self.sm4_data)
            .build(&[region])
            .map(Some)
            .map_err(|e| e.to_string())
    }

    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        state: &AppState,
        row: &BucketRow,
        preview: &ReencryptPreview,
        commands: &CommandSender,
    ) {
        if preview.bucket != row.bucket.name {
            return;
        }
        let this = (preview.bucket.clone(), preview.prefix.clone());
        if self.made_for.as_ref() != Some(&this) {
            *self = Self {
                made_for: Some(this),
                ..Self::default()
            };
        }
        let mut open = true;
        egui::Window::new("Re-encrypt objects")
            .collapsible(false)
            .open(&mut open)
            .show(ctx, |ui| {
                ui.label(format!("Bucket: {}", preview.bucket));
                if !preview.prefix.is_empty() {
                    ui.label(format!("Prefix: {}", preview.prefix));
                }
                let wanted = self.target_ui(ui, state, row, commands);
                let current = wanted.as_ref().is_ok_and(|w| *w == preview.asked);
                if let Err(problem) = &wanted {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                if let Ok(Some(target)) = &wanted
                    && let Some(note) = uploads_note(row, target)
                {
                    ui.colored_label(ui.visuals().warn_fg_color, note);
                }
                if let (Ok(target), false) = (&wanted, current)
                    && ui
                        .add_enabled(
                            state.is_connected(),
                            egui::Button::new("Preview this target"),
                        )
                        .on_hover_text("A dry run: nothing is written")
                        .clicked()
                {
                    commands.send(Command::PreviewReencrypt {
                        bucket: preview.bucket.clone(),
                        prefix: preview.prefix.clone(),
                        target: target.clone(),
                    });
                }
                ui.separator();
                plan_ui(ui, preview, current, commands);
            });
        if !open {
            commands.send(Command::ClosePreview);
        }
    }

    /// The target choice; returns what it asks for.
    fn target_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        row: &BucketRow,
        commands: &CommandSender,
    ) -> Result<Option<SseRule>, String> {
        ui.strong("Target encryption");
        let known = match &row.encryption {
            Some(EncryptionState::Configured(rule)) => format!(" (now {rule})"),
            Some(EncryptionState::NotConfigured) => " (none now)".to_owned(),
            _ => String::new(),
        };
        ui.radio_value(&mut self.algorithm, None, format!("{BUCKET_RULE}{known}"));
        for algorithm in Algorithm::ALL {
            ui.radio_value(
                &mut self.algorithm,
                Some(algorithm),
                format!("To {}", algorithm.label()),
            );
        }
        if self.algorithm == Some(Algorithm::Kms) {
            ui.horizontal(|ui| {
                let label = ui.label(KEY_FIELD);
                ui.add(
                    egui::TextEdit::singleline(&mut self.key_id)
                        .hint_text("key-…, a UUID, or an acs:kms:…:key/… ARN")
                        .desired_width(260.0),
                )
                .labelled_by(label.id);
            });
            self.key_picker_ui(ui, state, row, commands);
            ui.checkbox(&mut self.sm4_data, "SM4 data encryption for the target");
        }
        self.wanted(&row.bucket.region)
    }

    /// The change form's picker, for the bucket's region (listed once per session).
    fn key_picker_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        row: &BucketRow,
        commands: &CommandSender,
    ) {
        let region = row.bucket.region.as_str();
        let keys = state.region_keys.get(region);
        // Asked once: the state marks the region as loading when the command runs.
        if keys.is_none() && state.is_connected() {
            commands.send(Command::LoadRegionKeys { bucket: row.key() });
        }
        let mut picker = KeyPicker {
            region,
            keys,
            search_label: KEY_SEARCH.to_owned(),
            retry: false,
        };
        key_picker_ui(ui, &mut picker, &mut self.key_id, &mut self.key_search);
        if picker.retry {
            commands.send(Command::LoadRegionKeys { bucket: row.key() });
        }
    }
}

/// The dry run's answer for the target last asked; Confirm only when that is the target
/// chosen now (`current`).
fn plan_ui(ui: &mut egui::Ui, preview: &ReencryptPreview, current: bool, commands: &CommandSender) {
    match &preview.result {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Preparing the preview (a dry run: nothing is written)…");
            });
        }
        Some(Err(error)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Cannot re-encrypt: {error}"),
            );
        }
        // The plan of another target is not shown, so its Confirm cannot be mistaken for
        // this one's.
        Some(_) if !current => {
            ui.weak("The target changed: preview it to see its plan.");
        }
        Some(Ok(plan)) => {
            ui.label(format!("Target: {}", plan.target));
            // Scrolled, so that a long plan never pushes Confirm off the screen.
            egui::ScrollArea::vertical()
                .max_height(280.0)
                .show(ui, |ui| dry_run_ui(ui, &plan.dry_run));
            if let Some(warning) = plan.dry_run.downgrade_warning() {
                ui.colored_label(ui.visuals().warn_fg_color, format!("Warning: {warning}"));
            }
            let copies = plan.dry_run.copies();
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        copies > 0 && current,
                        egui::Button::new(format!("Confirm: re-encrypt {copies} objects")),
                    )
                    .on_disabled_hover_text(if current {
                        "Nothing to copy."
                    } else {
                        "Preview the chosen target first."
                    })
                    .clicked()
                {
                    commands.send(Command::StartReencrypt);
                }
                if ui.button("Close preview").clicked() {
                    commands.send(Command::ClosePreview);
                }
            });
        }
    }
}

/// The plan: what will be copied (and how), what is already right, what is skipped and
/// why, the requests, and the note on versions.
fn dry_run_ui(ui: &mut egui::Ui, plan: &DryRun) {
    ui.label(format!(
        "To copy: {} objects ({})",
        plan.copies(),
        human_bytes(plan.bytes_to_copy)
    ));
    ui.label(format!(
        "By CopyObject onto itself: {} objects ({})",
        plan.copy,
        human_bytes(plan.copy_bytes)
    ));
    if plan.multipart_copy > 0 {
        ui.label(format!(
            "By multipart copy (over 1 GB): {} objects ({})",
            plan.multipart_copy,
            human_bytes(plan.multipart_copy_bytes)
        ));
    }
    ui.label(format!("Already at the target: {}", plan.already_ok));
    for (reason, n) in &plan.skipped {
        ui.label(format!("Skipped ({}): {n}", reason.as_str()));
        ui.weak(format!("  {}", reason.why()));
    }
    if plan.failed > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Could not be read (HeadObject failed): {}", plan.failed),
        );
    }
    for change in &plan.changes {
        ui.label(format!(
            "Changes encryption: {}: {} ({})",
            change.label(),
            object_count(change.objects),
            human_bytes(change.bytes)
        ));
    }
    ui.label(format!("Requests: at least {}", plan.requests));
    match plan.versioning.note() {
        Some(note) => {
            ui.colored_label(ui.visuals().warn_fg_color, note);
        }
        None => {
            ui.weak("The bucket is not versioned: each copy replaces its object.");
        }
    }
}

/// When the target is not the bucket's rule: the copy changes only the existing objects.
pub fn uploads_note(row: &BucketRow, target: &SseRule) -> Option<String> {
    let rule = match &row.encryption {
        Some(EncryptionState::Configured(rule)) if rule == target => return None,
        Some(EncryptionState::Configured(rule)) => format!(" ({rule})"),
        Some(EncryptionState::NotConfigured) => " (no encryption)".to_owned(),
        _ => String::new(),
    };
    Some(format!(
        "This target is not the bucket's rule: new uploads keep following the bucket's \
         rule{rule}. Change the rule to change them."
    ))
}

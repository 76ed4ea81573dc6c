//! The profiles window: list, add, edit, delete and switch; the secret goes to the keystore,
//! never to the config file.

use crate::app::command::{Command, CommandSender};
use crate::app::import::ImportedProfile;
use crate::app::profile_check::ProfileField;
use crate::app::profile_tasks::region_mismatch;
use crate::app::state::{AppState, KeystoreStatus};
use crate::core::model::region_from_endpoint_host;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::sign::SignatureVersion;

use super::app::ViewState;
use super::credential_form::{self, CredentialChoice};
use super::profile_draft::{ProfileDraft, region_agrees};
use super::widgets::{error_block_ui, labelled_combo_ui, labelled_password_ui, labelled_text_ui};

/// The STS token's expiry field.
const EXPIRES_AT: &str = "Token expires at (UTC, optional)";

#[derive(Debug, Clone)]
pub enum ProfileDialog {
    List,
    Edit(Box<ProfileDraft>),
    ConfirmDelete(String),
    /// Several profiles were found in an imported file: pick one.
    PickImported(Vec<ImportedProfile>),
}

impl ProfileDialog {
    pub fn list() -> Self {
        Self::List
    }

    pub fn add() -> Self {
        Self::Edit(Box::new(
            ProfileDraft {
                region: "cn-hangzhou".into(),
                endpoint: "https://oss-cn-hangzhou.aliyuncs.com".into(),
                ..ProfileDraft::default()
            }
            .with_region_following(),
        ))
    }

    pub fn from_imported(profiles: &[ImportedProfile]) -> Self {
        match profiles {
            [one] => Self::Edit(Box::new(ProfileDraft::from_imported(one))),
            many => Self::PickImported(many.to_vec()),
        }
    }
}

pub fn profile_dialog_ui(
    ctx: &egui::Context,
    state: &AppState,
    view: &mut ViewState,
    commands: &CommandSender,
    keystore: &str,
) {
    let Some(dialog) = view.profile_dialog.as_mut() else {
        return;
    };
    let mut open = true;
    let mut next: Option<Option<ProfileDialog>> = None;
    egui::Window::new("Profiles")
        .open(&mut open)
        .collapsible(false)
        .resizable(true)
        .default_width(460.0)
        .show(ctx, |ui| {
            next = match dialog {
                ProfileDialog::List => {
                    list_ui(ui, state, &mut view.import_path, commands, keystore)
                }
                ProfileDialog::Edit(draft) => edit_ui(ui, state, draft, commands),
                ProfileDialog::ConfirmDelete(name) => confirm_delete_ui(ui, name, commands),
                ProfileDialog::PickImported(found) => pick_imported_ui(ui, found),
            };
        });
    if !open {
        view.profile_dialog = None;
    } else if let Some(next) = next {
        view.profile_dialog = next;
    }
}

/// `Some(next)` changes the dialog (`Some(None)` closes it).
type Next = Option<Option<ProfileDialog>>;

fn list_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    import_path: &mut String,
    commands: &CommandSender,
    keystore: &str,
) -> Next {
    ui.label(format!("Secrets are kept in {keystore}."));
    let mut next = None;
    egui::Grid::new("profiles").num_columns(4).show(ui, |ui| {
        for profile in &state.profiles.profiles {
            let active = state
                .active
                .as_ref()
                .is_some_and(|a| a.profile.name == profile.name);
            let title = if active {
                format!("{} (active)", profile.name)
            } else {
                profile.name.clone()
            };
            ui.label(title)
                .on_hover_text(format!("{} · {}", profile.endpoint, profile.region));
            if ui.button(format!("Use {}", profile.name)).clicked() {
                commands.send(Command::SwitchProfile {
                    name: profile.name.clone(),
                });
                next = Some(None);
            }
            if !profile.demo && ui.button(format!("Edit {}", profile.name)).clicked() {
                next = Some(Some(ProfileDialog::Edit(Box::new(
                    ProfileDraft::from_profile(profile),
                ))));
            }
            if ui.button(format!("Delete {}", profile.name)).clicked() {
                next = Some(Some(ProfileDialog::ConfirmDelete(profile.name.clone())));
            }
            ui.end_row();
        }
    });
    ui.separator();
    ui.horizontal(|ui| {
        if ui.button("Add account").clicked() {
            next = Some(Some(ProfileDialog::add()));
        }
        if ui.button("Import").clicked() {
            commands.send(Command::Import { path: None });
        }
    });
    import_path_ui(ui, state, import_path, commands);
    next
}

fn edit_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    draft: &mut ProfileDraft,
    commands: &CommandSender,
) -> Next {
    let editing = draft.previous.is_some();
    ui.heading(if editing {
        "Edit profile"
    } else {
        "Add account"
    });
    let field = draft.failed.as_ref().map(|p| p.field);
    labelled_text_ui(ui, "Name", &mut draft.name);
    let endpoint = labelled_text_ui(ui, "Endpoint", &mut draft.endpoint);
    fix_here_ui(ui, draft, ProfileField::Endpoint, &endpoint);
    let region = region_ui(ui, draft);
    fix_here_ui(ui, draft, ProfileField::Region, &region);
    credential_form::choice_ui(ui, &mut draft.credentials);
    if draft.credentials.choice.has_own_secret() {
        let key = labelled_text_ui(ui, "AccessKey ID", &mut draft.access_key_id);
        fix_here_ui(ui, draft, ProfileField::AccessKeyId, &key);
        let secret = labelled_password_ui(ui, "AccessKey secret", &mut draft.secret);
        fix_here_ui(ui, draft, ProfileField::Secret, &secret);
        if editing {
            ui.weak("Leave the secret empty to keep the stored one.");
        }
    }
    if draft.credentials.choice == CredentialChoice::StsToken {
        let token = labelled_password_ui(ui, "STS token", &mut draft.sts_token);
        labelled_text_ui(ui, EXPIRES_AT, &mut draft.sts_expires_at)
            .on_hover_text("When the token expires, e.g. 2026-12-01 07:00:00 (UTC); shown in the top bar, and an expired token is refused before any request");
        fix_here_ui(ui, draft, ProfileField::StsToken, &token);
    }
    let editing_name = draft.previous.as_ref().map_or("", |p| p.name.as_str());
    let sources = credential_form::source_candidates(&state.profiles, editing_name);
    let shown = credential_form::role_fields_ui(ui, &mut draft.credentials, &sources);
    for (field, response) in [
        (ProfileField::SourceProfile, &shown.source_profile),
        (ProfileField::RoleArn, &shown.role_arn),
        (ProfileField::EcsRoleName, &shown.ecs_role_name),
    ] {
        if let Some(response) = response {
            fix_here_ui(ui, draft, field, response);
        }
    }
    labelled_combo_ui(
        ui,
        "Signature version",
        draft.signature_version.as_str(),
        |ui| {
            ui.selectable_value(&mut draft.signature_version, SignatureVersion::V4, "v4");
            ui.selectable_value(&mut draft.signature_version, SignatureVersion::V1, "v1");
        },
    );
    ui.checkbox(
        &mut draft.internal_endpoints,
        "Use internal endpoints (ossguard runs on ECS in the buckets' VPC)",
    );
    if let Some(KeystoreStatus::Unavailable(_)) = &state.keystore {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "No OS keyring: choose \"Keep secrets in memory for this run\" in the banner to save.",
        );
    }
    if let Some(problem) = &draft.problem {
        ui.colored_label(ui.visuals().error_fg_color, problem);
    }
    if let Some(problem) = draft
        .failed
        .as_ref()
        .filter(|_| field == Some(ProfileField::None))
    {
        error_block_ui(
            ui,
            &format!("The test failed at {}", problem.step),
            &problem.failure,
        );
    }
    let mut next = check_result(state, draft, commands);
    ui.horizontal(|ui| {
        if draft.check.is_some() {
            ui.spinner();
            ui.label(if draft.credentials.choice.has_own_secret() {
                "Testing the connection (ListBuckets and one rule read)…"
            } else {
                "Testing the connection (loading the role's credentials, ListBuckets and one rule read)…"
            });
            return;
        }
        let consistent = region_mismatch(&draft.endpoint, &draft.region).is_none();
        let save = ui
            .add_enabled(consistent, egui::Button::new("Test and save profile"))
            .on_hover_text("Lists the buckets and reads one rule with these values first");
        if save.clicked() {
            match draft.to_command() {
                Ok(command) => start_check(draft, command, commands),
                Err(problem) => draft.problem = Some(problem),
            }
        }
        if draft.failed.is_some() && ui.button("Save without testing").clicked() {
            match draft.to_command() {
                Ok(command) => {
                    commands.send(command);
                    next = Some(None);
                }
                Err(problem) => draft.problem = Some(problem),
            }
        }
        if ui.button("Back").clicked() {
            next = Some(Some(ProfileDialog::List));
        }
    });
    next
}

/// Sends the connection test for `save` (a `SaveProfile` command), which waits for it.
fn start_check(draft: &mut ProfileDraft, save: Command, commands: &CommandSender) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let Command::SaveProfile {
        profile,
        secret,
        previous_name,
    } = &save
    else {
        return;
    };
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    commands.send(Command::CheckProfile {
        id,
        profile: profile.clone(),
        secret: secret.clone(),
        previous_name: previous_name.clone(),
    });
    draft.problem = None;
    draft.failed = None;
    draft.check = Some((id, save));
}

/// The test's answer: passed saves the profile (and closes the form), failed keeps the
/// form open with the problem at the field to fix.
fn check_result(state: &AppState, draft: &mut ProfileDraft, commands: &CommandSender) -> Next {
    let (id, _) = draft.check.as_ref()?;
    let (answered, result) = state.profile_check.as_ref()?;
    if answered != id {
        return None;
    }
    let (_, save) = draft.check.take()?;
    match result {
        Ok(_) => {
            commands.send(save);
            Some(None)
        }
        Err(problem) => {
            draft.failed = Some(problem.clone());
            draft.focus_fix = true;
            None
        }
    }
}

/// Under the field a failed test points at: what OSS said and how to fix it; the field gets
/// the focus once, so the fix is one keystroke away.
fn fix_here_ui(
    ui: &mut egui::Ui,
    draft: &mut ProfileDraft,
    field: ProfileField,
    response: &egui::Response,
) {
    let Some(problem) = draft.failed.as_ref().filter(|p| p.field == field) else {
        return;
    };
    ui.colored_label(
        ui.visuals().error_fg_color,
        format!(
            "{} failed: {}: {}",
            problem.step, problem.failure.code, problem.failure.hint
        ),
    );
    if draft.focus_fix {
        response.request_focus();
        draft.focus_fix = false;
    }
}

/// The region field, filled from a standard endpoint while the user has not typed another
/// region, with an inline error when the two disagree (saving is refused then).
fn region_ui(ui: &mut egui::Ui, draft: &mut ProfileDraft) -> egui::Response {
    if draft.region_follows_endpoint
        && let Some(region) = region_from_endpoint_host(draft.endpoint.trim())
        && draft.region.trim() != region
    {
        draft.region = region;
    }
    let response = labelled_text_ui(ui, "Region", &mut draft.region);
    if response.changed() {
        // Typing the endpoint's own region keeps the two tied; anything else is the user's.
        draft.region_follows_endpoint = region_agrees(&draft.endpoint, &draft.region);
    }
    if let Some(problem) = region_mismatch(&draft.endpoint, &draft.region) {
        ui.colored_label(ui.visuals().error_fg_color, problem);
    }
    response
}

fn confirm_delete_ui(ui: &mut egui::Ui, name: &str, commands: &CommandSender) -> Next {
    ui.label(format!(
        "Delete profile {name:?}? Its secret is removed from the keyring too."
    ));
    let mut next = None;
    ui.horizontal(|ui| {
        if ui.button("Delete profile").clicked() {
            commands.send(Command::DeleteProfile {
                name: name.to_owned(),
            });
            next = Some(Some(ProfileDialog::List));
        }
        if ui.button("Keep it").clicked() {
            next = Some(Some(ProfileDialog::List));
        }
    });
    next
}

fn pick_imported_ui(ui: &mut egui::Ui, found: &[ImportedProfile]) -> Next {
    ui.label("The file holds several profiles; pick one to add:");
    let mut next = None;
    for imported in found {
        if ui.button(format!("Add {}", imported.name)).clicked() {
            next = Some(Some(ProfileDialog::Edit(Box::new(
                ProfileDraft::from_imported(imported),
            ))));
        }
    }
    next
}

/// The typed-path fallback when no open dialog is available: on the welcome screen, and in
/// the Profiles window (the only way to import once a session exists).
pub fn import_path_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    import_path: &mut String,
    commands: &CommandSender,
) {
    if !state.import_path_needed {
        return;
    }
    ui.horizontal(|ui| {
        ui.label("No file dialog is available.");
        let label = ui.label("File to import");
        ui.text_edit_singleline(import_path).labelled_by(label.id);
        let path = import_path.trim();
        if ui
            .add_enabled(!path.is_empty(), egui::Button::new("Import file"))
            .clicked()
        {
            commands.send(Command::Import {
                path: Some(path.into()),
            });
        }
    });
}

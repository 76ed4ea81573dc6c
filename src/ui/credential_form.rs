//! The credential part of the profile form: which kind of credentials a profile uses, and
//! the fields of that kind. The checks are [`CredentialKind::of`], as for the CLI; this only
//! turns the typed text into the profile's config fields.

use crate::app::credential_source::CredentialKind;
use crate::app::profile::{CredentialSettings, CredentialType, Profile, ProfileConfig};

use super::widgets::{labelled_combo_ui, labelled_text_ui};

/// The four kinds the form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialChoice {
    #[default]
    AccessKey,
    StsToken,
    RamRole,
    EcsRole,
}

impl CredentialChoice {
    const ALL: [Self; 4] = [
        Self::AccessKey,
        Self::StsToken,
        Self::RamRole,
        Self::EcsRole,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::AccessKey => "AccessKey",
            Self::StsToken => "STS token",
            Self::RamRole => "RAM role",
            Self::EcsRole => "ECS instance role",
        }
    }

    /// Whether the profile keeps a secret of its own in the keyring.
    pub fn has_own_secret(self) -> bool {
        matches!(self, Self::AccessKey | Self::StsToken)
    }
}

/// The typed values of the role fields.
#[derive(Debug, Clone, Default)]
pub struct CredentialDraft {
    pub choice: CredentialChoice,
    pub source_profile: String,
    pub role_arn: String,
    pub role_session_name: String,
    pub duration_seconds: String,
    pub external_id: String,
    pub ecs_role_name: String,
    /// A session policy set in config.toml; the form keeps it without editing it.
    policy: Option<String>,
}

impl CredentialDraft {
    pub fn from_settings(settings: &CredentialSettings, uses_sts_token: bool) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            choice: match settings.credential_type {
                Some(CredentialType::RamRole) => CredentialChoice::RamRole,
                Some(CredentialType::EcsRamRole) => CredentialChoice::EcsRole,
                None if uses_sts_token => CredentialChoice::StsToken,
                None => CredentialChoice::AccessKey,
            },
            source_profile: text(&settings.source_profile),
            role_arn: text(&settings.role_arn),
            role_session_name: text(&settings.role_session_name),
            duration_seconds: settings
                .duration_seconds
                .map(|d| d.to_string())
                .unwrap_or_default(),
            external_id: text(&settings.external_id),
            ecs_role_name: text(&settings.ecs_role_name),
            policy: settings.policy.clone(),
        }
    }

    /// The config fields for the chosen kind (empty for AccessKey and STS token).
    pub fn settings(&self) -> Result<CredentialSettings, String> {
        let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        Ok(match self.choice {
            CredentialChoice::AccessKey | CredentialChoice::StsToken => {
                CredentialSettings::default()
            }
            CredentialChoice::EcsRole => CredentialSettings {
                credential_type: Some(CredentialType::EcsRamRole),
                ecs_role_name: text(&self.ecs_role_name),
                ..CredentialSettings::default()
            },
            CredentialChoice::RamRole => CredentialSettings {
                credential_type: Some(CredentialType::RamRole),
                source_profile: text(&self.source_profile),
                role_arn: text(&self.role_arn),
                role_session_name: text(&self.role_session_name),
                duration_seconds: match text(&self.duration_seconds) {
                    None => None,
                    Some(d) => Some(d.parse().map_err(|_| {
                        format!("Duration (seconds) must be a whole number, not {d:?}.")
                    })?),
                },
                external_id: text(&self.external_id),
                policy: self.policy.clone(),
                ..CredentialSettings::default()
            },
        })
    }
}

/// The profiles a RAM role can be assumed with: those holding an AccessKey (or STS token)
/// in the keyring, other than `editing`. The demo's key is not in the keyring.
pub fn source_candidates(config: &ProfileConfig, editing: &str) -> Vec<String> {
    config
        .profiles
        .iter()
        .filter(|p| !p.demo && p.name != editing)
        .filter(|p| {
            matches!(
                CredentialKind::of(p),
                Ok(CredentialKind::AccessKey | CredentialKind::StsToken)
            )
        })
        .map(|p| p.name.clone())
        .collect()
}

/// The "Credential type" choice.
pub fn choice_ui(ui: &mut egui::Ui, draft: &mut CredentialDraft) {
    labelled_combo_ui(ui, "Credential type", draft.choice.label(), |ui| {
        for choice in CredentialChoice::ALL {
            ui.selectable_value(&mut draft.choice, choice, choice.label());
        }
    });
}

/// The role fields of the chosen kind: `(role ARN, ECS role name)` responses, when shown, so
/// a failed test can put its fix under them.
pub fn role_fields_ui(
    ui: &mut egui::Ui,
    draft: &mut CredentialDraft,
    sources: &[String],
) -> RoleResponses {
    let mut shown = RoleResponses::default();
    match draft.choice {
        CredentialChoice::AccessKey | CredentialChoice::StsToken => {}
        CredentialChoice::EcsRole => {
            shown.ecs_role_name = Some(labelled_text_ui(
                ui,
                "ECS role name (optional)",
                &mut draft.ecs_role_name,
            ));
            ui.weak("Empty: the role attached to the instance, as the metadata service says.");
        }
        CredentialChoice::RamRole => {
            let selected = if draft.source_profile.is_empty() {
                "(choose)".to_owned()
            } else {
                draft.source_profile.clone()
            };
            shown.source_profile = Some(labelled_combo_ui(ui, "Source profile", &selected, |ui| {
                for name in sources {
                    ui.selectable_value(&mut draft.source_profile, name.clone(), name);
                }
            }));
            if sources.is_empty() {
                ui.weak("Add an AccessKey profile first: it assumes the role.");
            }
            shown.role_arn = Some(labelled_text_ui(ui, "Role ARN", &mut draft.role_arn));
            labelled_text_ui(ui, "Role session name", &mut draft.role_session_name);
            labelled_text_ui(ui, "Duration (seconds)", &mut draft.duration_seconds);
            labelled_text_ui(ui, "External ID (optional)", &mut draft.external_id);
        }
    }
    shown
}

/// The role fields drawn this frame.
#[derive(Default)]
pub struct RoleResponses {
    pub source_profile: Option<egui::Response>,
    pub role_arn: Option<egui::Response>,
    pub ecs_role_name: Option<egui::Response>,
}

/// A profile with the form's role fields, for [`Profile::source`].
pub fn apply(draft: &CredentialDraft, profile: &mut Profile) -> Result<(), String> {
    *profile.source = draft.settings()?;
    if !draft.choice.has_own_secret() {
        profile.access_key_id.clear();
        profile.uses_sts_token = false;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{CredentialChoice, CredentialDraft};
    use crate::app::profile::CredentialType;

    #[test]
    fn role_fields_become_config_fields_and_a_bad_duration_is_refused() {
        let mut draft = CredentialDraft {
            choice: CredentialChoice::RamRole,
            source_profile: "src".into(),
            role_arn: " acs:ram::1:role/a ".into(),
            duration_seconds: "900".into(),
            ..CredentialDraft::default()
        };
        let settings = draft.settings().expect("valid");
        assert_eq!(settings.credential_type, Some(CredentialType::RamRole));
        assert_eq!(settings.role_arn.as_deref(), Some("acs:ram::1:role/a"));
        assert_eq!(settings.duration_seconds, Some(900));
        assert_eq!(settings.external_id, None);
        let back = CredentialDraft::from_settings(&settings, false);
        assert_eq!(back.choice, CredentialChoice::RamRole);
        assert_eq!(back.duration_seconds, "900");
        draft.duration_seconds = "an hour".into();
        assert!(draft.settings().expect_err("refused").contains("an hour"));
        draft.choice = CredentialChoice::StsToken;
        assert_eq!(draft.settings().expect("plain"), Default::default());
    }
}

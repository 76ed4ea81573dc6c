//! The profile form's values, and turning them into the `SaveProfile` command: checked as
//! the CLI checks a profile before the connection test runs.

use crate::app::command::Command;
use crate::app::expiry;
use crate::app::import::ImportedProfile;
use crate::app::keystore::ProfileSecret;
use crate::app::profile::Profile;
use crate::app::profile_check::ProfileProblem;
use crate::app::profile_tasks::{check_profile, region_mismatch};
use crate::core::model::region_from_endpoint_host;
use crate::core::secret::Secret;
use crate::core::sign::SignatureVersion;

use super::credential_form::{self, CredentialChoice, CredentialDraft};

/// The form's fields. The secret and token are zeroized on drop and never shown in `Debug`.
#[derive(Debug, Clone, Default)]
pub struct ProfileDraft {
    pub name: String,
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret: Secret,
    pub sts_token: Secret,
    /// When the STS token expires, as typed (UTC; empty: unknown). Kept with the token in
    /// the keyring entry, not in config.toml.
    pub sts_expires_at: String,
    pub signature_version: SignatureVersion,
    pub internal_endpoints: bool,
    /// AccessKey, STS token, RAM role or ECS role, with the role fields.
    pub credentials: CredentialDraft,
    /// Set when editing: the name it had (a rename moves the keyring entry).
    pub previous: Option<Profile>,
    pub problem: Option<String>,
    /// The connection test running for this form, and the save waiting for it.
    pub(super) check: Option<(u64, Command)>,
    /// The last test failed: where, and why (shown at the field to fix).
    pub(super) failed: Option<ProfileProblem>,
    /// That field takes the focus once, when the failure arrives.
    pub(super) focus_fix: bool,
    /// The region field takes the region a standard endpoint names, until the user types a
    /// different one (then a mismatch is shown instead). Off from the start when the values
    /// given already disagree, so an imported contradiction is shown, not silently fixed.
    pub region_follows_endpoint: bool,
}

impl ProfileDraft {
    pub(super) fn from_profile(profile: &Profile) -> Self {
        Self {
            name: profile.name.clone(),
            endpoint: profile.endpoint.clone(),
            region: profile.region.clone(),
            access_key_id: profile.access_key_id.clone(),
            signature_version: profile.signature_version,
            internal_endpoints: profile.internal_endpoints,
            credentials: CredentialDraft::from_settings(&profile.source, profile.uses_sts_token),
            previous: Some(profile.clone()),
            ..Self::default()
        }
        .with_region_following()
    }

    /// Sets [`Self::region_follows_endpoint`] from the values as given.
    pub(super) fn with_region_following(mut self) -> Self {
        self.region_follows_endpoint = region_agrees(&self.endpoint, &self.region);
        self
    }

    pub(super) fn from_imported(imported: &ImportedProfile) -> Self {
        Self {
            name: imported.name.clone(),
            endpoint: imported.endpoint.clone().unwrap_or_default(),
            region: imported.region.clone().unwrap_or_default(),
            access_key_id: imported.access_key_id.clone(),
            secret: imported.access_key_secret.clone(),
            sts_token: imported.sts_token.clone().unwrap_or_default(),
            sts_expires_at: imported
                .sts_expiration
                .map(expiry::format)
                .unwrap_or_default(),
            signature_version: imported.signature_version.unwrap_or_default(),
            credentials: CredentialDraft::from_settings(
                &imported.source,
                imported.sts_token.is_some(),
            ),
            ..Self::default()
        }
        .with_region_following()
    }

    /// The command to send, or what is missing: checked as the CLI checks a profile
    /// ([`check_profile`]) before the connection test runs.
    pub(super) fn to_command(&self) -> Result<Command, String> {
        if let Some(problem) = region_mismatch(&self.endpoint, &self.region) {
            return Err(problem);
        }
        let choice = self.credentials.choice;
        let wants_token = choice == CredentialChoice::StsToken;
        let secret = self.secret.trim();
        let sts = self.sts_token.trim();
        // An edit keeps the stored secret when none is typed, unless the profile had none
        // or the kind changed between AccessKey and STS token (the entry holds the token).
        let keep_secret = choice.has_own_secret()
            && secret.is_empty()
            && sts.is_empty()
            && self
                .previous
                .as_ref()
                .is_some_and(|p| p.has_own_secret() && p.uses_sts_token == wants_token);
        let expires_at = self.sts_expires_at.trim();
        if keep_secret && wants_token && !expires_at.is_empty() {
            return Err(
                "The expiry is stored with the token: enter the secret and the STS \
                 token again to change it."
                    .into(),
            );
        }
        if choice.has_own_secret() && !keep_secret {
            if secret.is_empty() {
                return Err("Enter the AccessKey secret.".into());
            }
            if wants_token && sts.is_empty() {
                return Err("Enter the STS token.".into());
            }
        }
        let expiration = match expires_at {
            "" => None,
            _ if !wants_token => None,
            typed => Some(expiry::parse(typed).map_err(|e| format!("Token expires at: {e}."))?),
        };
        let mut profile = Profile {
            name: self.name.trim().to_owned(),
            endpoint: self.endpoint.trim().to_owned(),
            region: self.region.trim().to_owned(),
            access_key_id: self.access_key_id.trim().to_owned(),
            signature_version: self.signature_version,
            uses_sts_token: wants_token,
            demo: false,
            internal_endpoints: self.internal_endpoints,
            // Set in config.toml only; editing keeps it.
            allow_foreign_bucket_endpoints: self
                .previous
                .as_ref()
                .is_some_and(|p| p.allow_foreign_bucket_endpoints),
            source: Box::default(),
        };
        credential_form::apply(&self.credentials, &mut profile)?;
        check_profile(&profile)?;
        let secret = (choice.has_own_secret() && !keep_secret).then(|| {
            ProfileSecret::new(secret, wants_token.then_some(sts)).with_sts_expiration(expiration)
        });
        Ok(Command::SaveProfile {
            profile,
            secret,
            previous_name: self.previous.as_ref().map(|p| p.name.clone()),
        })
    }
}

/// The endpoint names no region, or the one in `region`.
pub(super) fn region_agrees(endpoint: &str, region: &str) -> bool {
    region_from_endpoint_host(endpoint.trim()).is_none_or(|r| r == region.trim())
}

#[cfg(test)]
mod tests {
    use super::ProfileDraft;
    use crate::app::command::Command;
    use crate::app::profile::Profile;
    use crate::ui::credential_form::{CredentialChoice, CredentialDraft};

    fn sts_draft(expires_at: &str) -> ProfileDraft {
        let mut credentials = CredentialDraft::default();
        credentials.choice = CredentialChoice::StsToken;
        ProfileDraft {
            name: "sts".into(),
            endpoint: "https://oss-cn-hangzhou.aliyuncs.com".into(),
            region: "cn-hangzhou".into(),
            access_key_id: "STS.x".into(),
            secret: "draft-secret-value".into(),
            sts_token: "draft-token-value".into(),
            sts_expires_at: expires_at.into(),
            credentials,
            ..ProfileDraft::default()
        }
    }

    fn stored_expiry(draft: &ProfileDraft) -> Option<String> {
        match draft.to_command() {
            Ok(Command::SaveProfile {
                secret: Some(secret),
                ..
            }) => secret.sts_expiration.map(|at| at.to_rfc3339()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn debug_shows_neither_secret_nor_token() {
        let draft = sts_draft("");
        let shown = format!("{draft:?}");
        assert!(shown.contains("STS.x"), "{shown}");
        assert!(!shown.contains("draft-secret-value") && !shown.contains("draft-token-value"));
    }

    #[test]
    fn the_token_expiry_goes_into_the_keyring_entry_or_is_refused() {
        assert_eq!(
            stored_expiry(&sts_draft("2026-12-01 07:00")).as_deref(),
            Some("2026-12-01T07:00:00+00:00")
        );
        assert_eq!(stored_expiry(&sts_draft(" ")), None, "optional");
        let error = sts_draft("next week").to_command().expect_err("refused");
        assert!(error.starts_with("Token expires at: "), "{error}");
        // An AccessKey has no expiry, whatever the hidden field holds.
        let mut access_key = sts_draft("2026-12-01 07:00");
        access_key.credentials.choice = CredentialChoice::AccessKey;
        assert_eq!(stored_expiry(&access_key), None);
        // Editing without retyping the token cannot change the expiry stored with it.
        let mut previous = Profile::new("sts", "https://oss-cn-hangzhou.aliyuncs.com", "", "");
        previous.uses_sts_token = true;
        let edit = ProfileDraft {
            secret: Default::default(),
            sts_token: Default::default(),
            previous: Some(previous),
            ..sts_draft("2026-12-01 07:00")
        };
        let error = edit.to_command().expect_err("refused");
        assert!(
            error.contains("enter the secret and the STS token again"),
            "{error}"
        );
    }
}

//! Settings for a CLI run: flags and environment first, then the profile; credentials from
//! the profile (keyring, RAM role, ECS role) when a profile is named, else from the
//! environment.

use std::sync::Arc;

use crate::app::credential_source::{self, CredentialKind, SourceOptions};
use crate::app::keystore::KeyringStore;
use crate::app::profile::{self, Profile, ProfileConfig};
use crate::core::model::region_from_endpoint_host;
use crate::core::sign::SignatureVersion;
use crate::transport::credentials::{CredentialProvider, EnvProvider};
use crate::transport::{ClientConfig, Endpoint, OssClient, OssError};

use super::args::{GlobalArgs, SigVersionArg};
use super::commands::CliError;

/// The profiles named by `--profile` (in order, each once) or `--all-profiles`, with the
/// config file they come from (a RAM-role profile's source is looked up there).
pub fn selected_profiles(global: &GlobalArgs) -> Result<(ProfileConfig, Vec<Profile>), CliError> {
    if global.profile.is_empty() && !global.all_profiles {
        return Ok((ProfileConfig::default(), Vec::new()));
    }
    let path = profile::default_config_path();
    let config = profile::load(&path).map_err(|e| match e {
        // A file to fix, like a wrong flag: exit 2.
        profile::ProfileError::Parse { .. } => CliError::Usage(e.to_string()),
        _ => CliError::Failed(e.to_string()),
    })?;
    if global.all_profiles {
        if config.profiles.is_empty() {
            return Err(CliError::Usage(format!(
                "--all-profiles: no profile in {}",
                path.display()
            )));
        }
        let all = config.profiles.clone();
        return Ok((config, all));
    }
    let mut chosen: Vec<Profile> = Vec::new();
    for name in &global.profile {
        let found = config.get(name).cloned().ok_or_else(|| {
            CliError::Usage(format!("no profile named {name:?} in {}", path.display()))
        })?;
        if !chosen.iter().any(|p| p.name == found.name) {
            chosen.push(found);
        }
    }
    Ok((config, chosen))
}

/// Builds the client from flags and environment, then the profile, in that order.
pub async fn connect_to(
    global: &GlobalArgs,
    profile: Option<&Profile>,
    config: &ProfileConfig,
) -> Result<OssClient, CliError> {
    let endpoint_text = global
        .endpoint
        .clone()
        .or_else(|| profile.map(|p| p.endpoint.clone()))
        .ok_or_else(|| {
            CliError::Usage(
                "no endpoint: pass --endpoint, set OSS_ENDPOINT or use --profile".into(),
            )
        })?;
    let endpoint = Endpoint::parse(&endpoint_text).map_err(|e| CliError::Usage(e.to_string()))?;
    let region = global
        .region
        .clone()
        .or_else(|| profile.map(|p| p.region.clone()))
        .or_else(|| region_from_endpoint_host(&endpoint.host))
        .ok_or_else(|| CliError::Usage("no region: pass --region or set OSS_REGION".into()))?;
    let mut client = ClientConfig::new(endpoint, &region);
    client.signature_version = match global.signature_version {
        Some(SigVersionArg::V1) => SignatureVersion::V1,
        Some(SigVersionArg::V4) => SignatureVersion::V4,
        None => profile.map(|p| p.signature_version).unwrap_or_default(),
    };
    client.timeout = std::time::Duration::from_secs(global.timeout.max(1));
    client.internal_endpoints =
        global.internal_endpoints || profile.is_some_and(|p| p.internal_endpoints);
    client.allow_foreign_bucket_endpoints = global.allow_foreign_bucket_endpoints
        || profile.is_some_and(|p| p.allow_foreign_bucket_endpoints);
    let provider = provider(global, profile, config, &client).await?;
    OssClient::with_provider(client, provider).map_err(|e| CliError::Usage(e.to_string()))
}

/// `--kms-endpoint` / `OSS_KMS_ENDPOINT`, parsed (checked before anything is sent).
pub fn kms_endpoint(global: &GlobalArgs) -> Result<Option<Endpoint>, CliError> {
    global
        .kms_endpoint
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            let endpoint = Endpoint::parse(e).map_err(|e| CliError::Usage(e.to_string()))?;
            endpoint
                .require_secure()
                .map_err(|e| CliError::Usage(e.to_string()))?;
            Ok(endpoint)
        })
        .transpose()
}

/// A named profile's credentials come from the profile, whatever the environment holds, so
/// a key left exported in the shell never signs for another account; without a profile the
/// environment's key is used.
async fn provider(
    global: &GlobalArgs,
    profile: Option<&Profile>,
    config: &ProfileConfig,
    client: &ClientConfig,
) -> Result<Arc<dyn CredentialProvider>, CliError> {
    let Some(profile) = profile else {
        EnvProvider::read().map_err(|e| CliError::Usage(e.to_string()))?;
        return Ok(Arc::new(EnvProvider));
    };
    let env_key = std::env::var("OSS_ACCESS_KEY_ID").ok();
    if CredentialKind::of(profile).is_ok_and(|k| !k.is_temporary())
        && env_key.is_some_and(|id| !id.trim().is_empty() && id.trim() != profile.access_key_id)
    {
        eprintln!(
            "note: OSS_ACCESS_KEY_ID is ignored: profile {:?} signs with its own key {}",
            profile.name, profile.access_key_id
        );
    }
    let options = SourceOptions {
        sts_endpoint: global.sts_endpoint.clone(),
        ..SourceOptions::from_env()
    };
    let (profile, config, client) = (profile.clone(), config.clone(), client.clone());
    tokio::task::spawn_blocking(move || {
        credential_source::provider_for(&profile, &config, &KeyringStore, &options, &client)
    })
    .await
    .map_err(|e| CliError::Failed(e.to_string()))?
    .map_err(|e| CliError::Oss(OssError::Credentials(e)))
}

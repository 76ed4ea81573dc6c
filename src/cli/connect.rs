//! Settings for a CLI run: flags and environment first, then the profile; credentials from
//! the profile's keyring entry when a profile is named, else from the environment.

use crate::app::keystore::{KeyringStore, Keystore as _};
use crate::app::profile;
use crate::core::model::region_from_endpoint_host;
use crate::core::sign::{Credentials, SignatureVersion};
use crate::transport::{ClientConfig, Endpoint, OssClient};

use super::args::{GlobalArgs, SigVersionArg};
use super::commands::CliError;

/// Builds the client from flags and environment, then the profile, in that order.
pub async fn connect(global: &GlobalArgs) -> Result<OssClient, CliError> {
    let profile = match &global.profile {
        Some(name) => {
            let path = profile::default_config_path();
            let config = profile::load(&path).map_err(|e| CliError::Failed(e.to_string()))?;
            let found = config.get(name).cloned().ok_or_else(|| {
                CliError::Usage(format!("no profile named {name:?} in {}", path.display()))
            })?;
            Some(found)
        }
        None => None,
    };
    let endpoint_text = global
        .endpoint
        .clone()
        .or_else(|| profile.as_ref().map(|p| p.endpoint.clone()))
        .ok_or_else(|| {
            CliError::Usage(
                "no endpoint: pass --endpoint, set OSS_ENDPOINT or use --profile".into(),
            )
        })?;
    let endpoint = Endpoint::parse(&endpoint_text).map_err(|e| CliError::Usage(e.to_string()))?;
    let region = global
        .region
        .clone()
        .or_else(|| profile.as_ref().map(|p| p.region.clone()))
        .or_else(|| region_from_endpoint_host(&endpoint.host))
        .ok_or_else(|| CliError::Usage("no region: pass --region or set OSS_REGION".into()))?;
    let mut config = ClientConfig::new(endpoint, &region);
    config.signature_version = match global.signature_version {
        Some(SigVersionArg::V1) => SignatureVersion::V1,
        Some(SigVersionArg::V4) => SignatureVersion::V4,
        None => profile
            .as_ref()
            .map(|p| p.signature_version)
            .unwrap_or_default(),
    };
    config.timeout = std::time::Duration::from_secs(global.timeout.max(1));
    config.internal_endpoints =
        global.internal_endpoints || profile.as_ref().is_some_and(|p| p.internal_endpoints);
    config.allow_foreign_bucket_endpoints = global.allow_foreign_bucket_endpoints
        || profile
            .as_ref()
            .is_some_and(|p| p.allow_foreign_bucket_endpoints);
    let credentials = credentials(profile.as_ref()).await?;
    OssClient::new(config, credentials).map_err(|e| CliError::Usage(e.to_string()))
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

/// A named profile's secret comes from the keyring, whatever the environment holds, so a
/// key left exported in the shell never signs for another account; without a profile the
/// environment's key is used.
async fn credentials(profile: Option<&profile::Profile>) -> Result<Credentials, CliError> {
    let env = |name| {
        std::env::var(name)
            .ok()
            .filter(|v: &String| !v.trim().is_empty())
    };
    let Some(profile) = profile else {
        let (Some(id), Some(secret)) = (env("OSS_ACCESS_KEY_ID"), env("OSS_ACCESS_KEY_SECRET"))
        else {
            return Err(CliError::Usage(
                "no credentials: set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or use --profile"
                    .into(),
            ));
        };
        let token = env("OSS_SESSION_TOKEN");
        return Ok(Credentials::new(&id, &secret).with_security_token(token.as_deref()));
    };
    if env("OSS_ACCESS_KEY_ID").is_some_and(|id| id.trim() != profile.access_key_id) {
        eprintln!(
            "note: OSS_ACCESS_KEY_ID is ignored: profile {:?} signs with its own key {}",
            profile.name, profile.access_key_id
        );
    }
    let name = profile.name.clone();
    let secret = tokio::task::spawn_blocking(move || KeyringStore.get(&name))
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?
        .map_err(|e| {
            CliError::Failed(format!(
                "cannot read the secret of profile {:?}: {e}",
                profile.name
            ))
        })?
        .ok_or_else(|| {
            CliError::Failed(format!(
                "profile {:?} has no secret in the OS keyring",
                profile.name
            ))
        })?;
    Ok(secret.credentials(&profile.access_key_id))
}

//! Every account at once: which account a profile's credentials belong to. The CLI's
//! `--profile a --profile b` and the app's "All profiles" view both ask here.

use crate::app::credential_source::sts_endpoint;
use crate::app::profile::Profile;
use crate::transport::credentials::CredentialError;
use crate::transport::credentials::assume_role::{caller_identity, sts_client};
use crate::transport::{Endpoint, OssClient};

/// The account UID `client`'s credentials belong to, from STS GetCallerIdentity, asked where
/// the profile's AssumeRole would be (`sts_override`, else the profile's own endpoint for a
/// loopback dev server, else the central STS endpoint).
pub async fn account_id(
    client: &OssClient,
    sts_override: Option<&str>,
    profile: &Profile,
) -> Result<String, CredentialError> {
    let endpoint = Endpoint::parse(&profile.endpoint)
        .map_err(|e| CredentialError::Missing(format!("endpoint {:?}: {e}", profile.endpoint)))?;
    let endpoint = sts_endpoint(sts_override, &endpoint)?;
    let sts = sts_client(endpoint, client.credentials().clone(), client.config())?;
    Ok(caller_identity(&sts).await?.account_id)
}

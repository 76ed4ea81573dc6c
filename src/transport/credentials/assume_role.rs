//! A RAM role: STS AssumeRole (2015-04-01, signature V1 through [`RpcClient`]) with the
//! source profile's credentials, renewed from the answer's `Expiration` by the cache.

use futures::future::BoxFuture;

use super::{CredentialCache, CredentialError, CredentialProvider, ExpiringCredentials};
use crate::core::rpc::STS;
use crate::core::sts::{AssumeRoleResponse, CallerIdentity, RoleArn};
use crate::transport::client::ClientConfig;
use crate::transport::endpoint::Endpoint;
use crate::transport::rpc::{RpcClient, RpcError, RpcSettings};

/// What to ask AssumeRole for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleSpec {
    pub role_arn: RoleArn,
    pub session_name: String,
    pub duration_seconds: u32,
    pub external_id: Option<String>,
    /// A session policy (JSON) narrowing the role's permissions.
    pub policy: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AssumeRoleProvider {
    spec: AssumeRoleSpec,
    sts: RpcClient,
}

impl AssumeRoleProvider {
    /// Calls STS at `endpoint`, signed with `source`, with `client`'s timeouts and retries.
    pub fn new(
        spec: AssumeRoleSpec,
        endpoint: Endpoint,
        source: CredentialCache,
        client: &ClientConfig,
    ) -> Result<Self, CredentialError> {
        let sts = sts_client(endpoint, source, client)?;
        Ok(Self { spec, sts })
    }

    async fn assume(&self) -> Result<ExpiringCredentials, CredentialError> {
        let spec = &self.spec;
        let mut call = STS
            .call("AssumeRole")
            .param("RoleArn", spec.role_arn.to_string())
            .param("RoleSessionName", spec.session_name.clone())
            .param("DurationSeconds", spec.duration_seconds.to_string());
        if let Some(id) = &spec.external_id {
            call = call.param("ExternalId", id.clone());
        }
        if let Some(policy) = &spec.policy {
            call = call.param("Policy", policy.clone());
        }
        let answer: AssumeRoleResponse =
            self.sts
                .call_as(&call)
                .await
                .map_err(|e| match refused(&e) {
                    true => CredentialError::AssumeRoleRefused {
                        role_arn: spec.role_arn.to_string(),
                        code: e.code().to_owned(),
                        message: e.message(),
                        request_id: e.request_id().map(str::to_owned),
                    },
                    false => sts_error(&e),
                })?;
        answer
            .credentials
            .into_expiring()
            .map_err(|detail| CredentialError::Sts {
                code: "InvalidResponse".into(),
                message: detail,
                request_id: Some(answer.request_id.clone()).filter(|r| !r.is_empty()),
            })
    }
}

impl CredentialProvider for AssumeRoleProvider {
    fn load(&self) -> BoxFuture<'_, Result<ExpiringCredentials, CredentialError>> {
        Box::pin(self.assume())
    }
}

/// An STS client signing with `credentials`.
pub fn sts_client(
    endpoint: Endpoint,
    credentials: CredentialCache,
    client: &ClientConfig,
) -> Result<RpcClient, CredentialError> {
    let settings = RpcSettings {
        timeout: client.timeout,
        connect_timeout: client.connect_timeout,
        retry: client.retry,
    };
    RpcClient::with_credentials(STS, endpoint, credentials, settings).map_err(|e| sts_error(&e))
}

/// GetCallerIdentity: whose credentials these are (the account UID of the audit's rows).
pub async fn caller_identity(sts: &RpcClient) -> Result<CallerIdentity, CredentialError> {
    sts.call_as(&STS.call("GetCallerIdentity"))
        .await
        .map_err(|e| sts_error(&e))
}

/// STS's refusals of AssumeRole itself: the caller may not assume the role (RAM policy) or
/// the role does not trust the caller (trust policy). STS names both with these codes.
fn refused(error: &RpcError) -> bool {
    let code = error.code();
    code == "NoPermission" || code.starts_with("NoPermission.") || code.starts_with("Forbidden")
}

fn sts_error(error: &RpcError) -> CredentialError {
    // The credentials the call would have been signed with could not be had: that error,
    // not an STS one.
    if let RpcError::Credentials(inner) = error {
        return inner.clone();
    }
    CredentialError::Sts {
        code: error.code().to_owned(),
        message: error.message(),
        request_id: error.request_id().map(str::to_owned),
    }
}

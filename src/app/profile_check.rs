//! Testing a profile before it is saved: one ListBuckets page and one rule read with the
//! values as typed, so a wrong secret, key or region is fixed in the form instead of being
//! found after saving. A failure names the field it most likely comes from.

use std::sync::Arc;
use std::time::Duration;

use crate::app::event::{Event, EventSender};
use crate::app::keystore::{Keystore, ProfileSecret};
use crate::app::profile::{Profile, ProfileConfig};
use crate::app::worker::Worker;
use crate::core::sse::ReadFailure;
use crate::transport::credentials::CredentialError;
use crate::transport::{OssClient, OssError};

/// One connection test, as the profile form asks for it.
pub struct CheckTask {
    /// Matches the answer to the form that asked (a newer test replaces an older one).
    pub id: u64,
    pub profile: Profile,
    /// The secret as typed; `None` uses the one stored for `stored_under` (an edit that does
    /// not retype it).
    pub secret: Option<ProfileSecret>,
    pub stored_under: Option<String>,
    /// The saved profiles: a RAM-role profile's source profile is found there.
    pub config: ProfileConfig,
    pub keystore: Arc<dyn Keystore>,
    /// Where STS and the ECS metadata service are asked.
    pub sources: crate::app::credential_source::SourceOptions,
    pub timeout: Duration,
}

/// The form field a failed test points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileField {
    Endpoint,
    Region,
    AccessKeyId,
    Secret,
    StsToken,
    /// A RAM-role profile's source profile (missing, no secret, expired token).
    SourceProfile,
    /// A RAM-role profile's role (AssumeRole refused, no such role, bad parameter).
    RoleArn,
    /// An ECS-role profile's role (no metadata service, no role attached).
    EcsRoleName,
    /// Nothing in the form: a permission, or OSS itself.
    None,
}

impl ProfileField {
    /// The field for an error code. Codes as OSS documents them in its error-code list
    /// (https://www.alibabacloud.com/help/en/oss/user-guide/error-codes); where the cause is
    /// not certain the hint still says what OSS answered.
    fn of(code: &str) -> Self {
        match code {
            "InvalidAccessKeyId" => Self::AccessKeyId,
            "SignatureDoesNotMatch" => Self::Secret,
            "InvalidSecurityToken" | "SecurityTokenExpired" => Self::StsToken,
            "ConnectionFailed" | "Timeout" | "NetworkError" | "ConfigError" | "HttpError"
            | "InvalidResponse" => Self::Endpoint,
            code if code.contains("Region") => Self::Region,
            _ => Self::None,
        }
    }

    /// The field for a failure to load a profile's credentials; `own_secret`: an AccessKey
    /// or STS-token profile, else a role profile (whose keys come from its source profile).
    fn of_credentials(error: &CredentialError, own_secret: bool) -> Self {
        match error {
            CredentialError::TokenExpired { .. } if own_secret => Self::StsToken,
            CredentialError::TokenExpired { .. } => Self::SourceProfile,
            CredentialError::Missing(_) => Self::SourceProfile,
            CredentialError::Sts { code, .. } if code.starts_with("InvalidSecurityToken") => {
                Self::SourceProfile
            }
            CredentialError::AssumeRoleRefused { .. } | CredentialError::Sts { .. } => {
                Self::RoleArn
            }
            CredentialError::MetadataUnreachable { .. }
            | CredentialError::NoRoleAttached
            | CredentialError::Metadata(_) => Self::EcsRoleName,
            CredentialError::Unsendable(_) => Self::None,
        }
    }
}

/// Why the test failed, and where to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileProblem {
    pub field: ProfileField,
    /// What was asked when it failed ("ListBuckets", "GetBucketEncryption on b").
    pub step: String,
    pub failure: ReadFailure,
}

/// Runs the test off the UI thread; reports `ProfileChecked` with a summary or the problem.
pub fn check(worker: &Worker, task: CheckTask) {
    let events: EventSender = worker.events().clone();
    worker.runtime().spawn(async move {
        let id = task.id;
        let result = run(task).await;
        events.send(Event::ProfileChecked { id, result });
    });
}

async fn run(task: CheckTask) -> Result<String, ProfileProblem> {
    let own_secret = task.profile.has_own_secret();
    let problem = |step: &str, error: &OssError| ProfileProblem {
        field: match error {
            OssError::Credentials(e) => ProfileField::of_credentials(e, own_secret),
            _ => ProfileField::of(error.code()),
        },
        step: step.to_owned(),
        failure: error.to_read_failure(),
    };
    let client = if own_secret {
        keyring_client(task).await?
    } else {
        role_client(task).await?
    };
    let page = client
        .list_buckets_page(None, None, 100)
        .await
        .map_err(|e| problem("ListBuckets", &e))?;
    let Some(bucket) = page.buckets.first() else {
        return Ok("Connected: the account has no bucket yet.".into());
    };
    let step = format!("GetBucketEncryption on {}", bucket.name);
    client
        .get_encryption(bucket)
        .await
        .map_err(|e| problem(&step, &e))?;
    let more = if page.next_marker.is_some() { "+" } else { "" };
    Ok(format!(
        "Connected: listed {}{more} bucket(s) and read the rule of {}.",
        page.buckets.len(),
        bucket.name
    ))
}

/// A problem found before any request: reading the keyring, building the client.
fn local(
    field: ProfileField,
    step: &str,
    code: &str,
    hint: &str,
    message: String,
) -> ProfileProblem {
    ProfileProblem {
        field,
        step: step.to_owned(),
        failure: ReadFailure {
            code: code.to_owned(),
            hint: hint.to_owned(),
            message,
            request_id: None,
        },
    }
}

/// An AccessKey or STS-token profile: the secret as typed, else the stored one.
async fn keyring_client(task: CheckTask) -> Result<OssClient, ProfileProblem> {
    let step = "reading the stored secret";
    let no_secret = |message: String| {
        local(
            ProfileField::None,
            step,
            "NoSecret",
            "Enter the AccessKey secret.",
            message,
        )
    };
    let secret = match task.secret {
        Some(secret) => secret,
        None => {
            let keystore = task.keystore.clone();
            let name = task.stored_under.clone().unwrap_or_default();
            let stored = tokio::task::spawn_blocking(move || keystore.get(&name))
                .await
                .map_err(|e| no_secret(e.to_string()))?;
            stored
                .map_err(|e| no_secret(e.to_string()))?
                .ok_or_else(|| no_secret("no secret is stored for this profile".into()))?
        }
    };
    super::profile_tasks::client_for(&task.profile, &secret, task.timeout).map_err(|e| {
        ProfileProblem {
            field: ProfileField::Endpoint,
            ..no_secret(e)
        }
    })
}

/// A RAM-role or ECS-role profile: the provider the saved profile would get (the same
/// choice as at connect); its credentials load with the first request, so a refused
/// AssumeRole shows as the ListBuckets step's failure, at the role's field.
async fn role_client(task: CheckTask) -> Result<OssClient, ProfileProblem> {
    let CheckTask {
        profile,
        config,
        keystore,
        sources,
        timeout,
        ..
    } = task;
    tokio::task::spawn_blocking(move || {
        super::profile_tasks::provider_client(
            &profile,
            &config,
            keystore.as_ref(),
            &sources,
            timeout,
        )
    })
    .await
    .map_err(|e| {
        local(
            ProfileField::None,
            "choosing the credentials",
            "Internal",
            "",
            e.to_string(),
        )
    })?
    .map_err(|e| match e {
        super::profile_tasks::ClientError::Endpoint(message) => local(
            ProfileField::Endpoint,
            "building the client",
            "ConfigError",
            &message,
            message.clone(),
        ),
        super::profile_tasks::ClientError::Credentials(e) => local(
            ProfileField::of_credentials(&e, false),
            "choosing the credentials",
            e.code(),
            &e.hint(),
            e.to_string(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::ProfileField;

    #[test]
    fn error_codes_point_at_the_field_to_fix() {
        assert_eq!(
            ProfileField::of("SignatureDoesNotMatch"),
            ProfileField::Secret
        );
        assert_eq!(
            ProfileField::of("InvalidAccessKeyId"),
            ProfileField::AccessKeyId
        );
        assert_eq!(ProfileField::of("ConnectionFailed"), ProfileField::Endpoint);
        assert_eq!(ProfileField::of("AccessDenied"), ProfileField::None);
    }
}

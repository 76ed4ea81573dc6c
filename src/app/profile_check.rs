//! Testing a profile before it is saved: one ListBuckets page and one rule read with the
//! values as typed, so a wrong secret, key or region is fixed in the form instead of being
//! found after saving. A failure names the field it most likely comes from.

use std::sync::Arc;
use std::time::Duration;

use crate::app::event::{Event, EventSender};
use crate::app::keystore::{Keystore, ProfileSecret};
use crate::app::profile::Profile;
use crate::app::worker::Worker;
use crate::core::sse::ReadFailure;
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
    pub keystore: Arc<dyn Keystore>,
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
    let problem = |step: &str, error: &OssError| ProfileProblem {
        field: ProfileField::of(error.code()),
        step: step.to_owned(),
        failure: error.to_read_failure(),
    };
    let local = |message: String| ProfileProblem {
        field: ProfileField::None,
        step: "reading the stored secret".into(),
        failure: ReadFailure {
            code: "NoSecret".into(),
            hint: "Enter the AccessKey secret.".into(),
            message,
            request_id: None,
        },
    };
    let secret = match task.secret {
        Some(secret) => secret,
        None => {
            let keystore = task.keystore.clone();
            let name = task.stored_under.clone().unwrap_or_default();
            let stored = tokio::task::spawn_blocking(move || keystore.get(&name))
                .await
                .map_err(|e| local(e.to_string()))?;
            stored
                .map_err(|e| local(e.to_string()))?
                .ok_or_else(|| local("no secret is stored for this profile".into()))?
        }
    };
    let client: OssClient = super::profile_tasks::client_for(&task.profile, &secret, task.timeout)
        .map_err(|e| ProfileProblem {
            field: ProfileField::Endpoint,
            ..local(e)
        })?;
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

//! Why credentials could not be had, each case with the fix.

/// A credential source failed. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Nothing to sign with (no key in the environment, no keyring entry).
    #[error("{0}")]
    Missing(String),
    /// STS refused AssumeRole (`NoPermission`, `Forbidden.RAM`, ...).
    #[error("STS refused AssumeRole of {role_arn}: {code}: {message}")]
    AssumeRoleRefused {
        role_arn: String,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// Any other STS failure (unreachable, bad parameter, expired source token).
    #[error("STS call failed: {code}: {message}")]
    Sts {
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// Nothing answered at the metadata address.
    #[error("the ECS metadata service at {url} did not answer: {detail}")]
    MetadataUnreachable { url: String, detail: String },
    /// The metadata service answered, but the instance has no RAM role.
    #[error("no RAM role is attached to this ECS instance")]
    NoRoleAttached,
    /// The metadata service answered something unusable.
    #[error("the ECS metadata service refused: {0}")]
    Metadata(String),
    /// An STS token typed in or imported whose recorded expiry has passed: nothing can renew
    /// it, so nothing is sent with it.
    #[error("the STS token expired at {}", at.format("%Y-%m-%d %H:%M:%S UTC"))]
    TokenExpired { at: chrono::DateTime<chrono::Utc> },
    /// A key ID or token that cannot travel in a header (a line break in a pasted token).
    #[error(transparent)]
    Unsendable(#[from] crate::core::sign::credentials::UnsendableCredentials),
}

impl CredentialError {
    /// The service's code, or a local one.
    pub fn code(&self) -> &str {
        match self {
            Self::Missing(_) => "CredentialsMissing",
            Self::AssumeRoleRefused { code, .. } | Self::Sts { code, .. } => code,
            Self::MetadataUnreachable { .. } => "MetadataServiceUnreachable",
            Self::NoRoleAttached => "NoRamRoleAttached",
            Self::Metadata(_) => "MetadataServiceError",
            Self::Unsendable(_) => "InvalidCredentials",
            // OSS's own code for the same condition, so scripts see one code either way.
            Self::TokenExpired { .. } => "SecurityTokenExpired",
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::AssumeRoleRefused { request_id, .. } | Self::Sts { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            Self::Unsendable(e) => e.to_string(),
            Self::Missing(message) => message.clone(),
            Self::AssumeRoleRefused { role_arn, .. } => format!(
                "The source profile's identity must be allowed the RAM action sts:AssumeRole on \
                 {role_arn}, and the role's trust policy must name that account or user as a \
                 principal (and the ExternalId, if the policy requires one)."
            ),
            Self::Sts { code, .. } if code.starts_with("InvalidSecurityToken") => {
                "The source profile's STS token has expired or is invalid: renew it.".into()
            }
            Self::Sts { code, .. }
                if code.starts_with("InvalidParameter") || code.starts_with("EntityNotExist") =>
            {
                "Check the profile's role_arn, role_session_name and duration_seconds.".into()
            }
            Self::Sts { .. } => {
                "Check the STS endpoint (--sts-endpoint / OSS_STS_ENDPOINT) and the network.".into()
            }
            Self::MetadataUnreachable { .. } => "ossguard is not running on an ECS instance, or \
                 the instance cannot reach its metadata service: use another credential type."
                .into(),
            Self::NoRoleAttached => {
                "Attach a RAM role to the ECS instance, or name it with ecs_role_name.".into()
            }
            Self::Metadata(_) => {
                "Check the instance RAM role (ecs_role_name) in the ECS console.".into()
            }
            Self::TokenExpired { at } => format!(
                "The token expired at {}: get a new STS token (AccessKey ID, secret and token) \
                 and enter it in the profile, with when it expires.",
                at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CredentialError;

    #[test]
    fn refused_assume_role_names_the_action_and_the_trust_policy() {
        let error = CredentialError::AssumeRoleRefused {
            role_arn: "acs:ram::1:role/r".into(),
            code: "NoPermission".into(),
            message: "You are not authorized".into(),
            request_id: Some("R".into()),
        };
        assert!(error.hint().contains("sts:AssumeRole"));
        assert!(error.hint().contains("trust policy"));
        assert_eq!(error.code(), "NoPermission");
        let unreachable = CredentialError::MetadataUnreachable {
            url: "http://100.100.100.200".into(),
            detail: "timeout".into(),
        };
        assert!(
            unreachable
                .hint()
                .contains("not running on an ECS instance")
        );
        let at = chrono::DateTime::from_timestamp(1_796_108_400, 0).expect("time");
        let expired = CredentialError::TokenExpired { at };
        assert_eq!(
            expired.to_string(),
            "the STS token expired at 2026-12-01 07:00:00 UTC"
        );
        assert!(
            expired
                .hint()
                .contains("expired at 2026-12-01 07:00:00 UTC: get a new")
        );
        assert_eq!(expired.code(), "SecurityTokenExpired");
    }
}

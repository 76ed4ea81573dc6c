//! One error type for everything a call can end in, classified by OSS's `Code` (not the
//! HTTP status), each with a plain-language hint.

use std::time::Duration;

use crate::core::ops::Action;
use crate::core::sse::ReadFailure;
use crate::core::xml::error::ErrorDoc;

use super::credentials::CredentialError;

/// OSS answered with its error document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    pub action: Action,
    pub doc: ErrorDoc,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OssError {
    #[error("{}: {} (request id {})", .0.doc.code, .0.doc.message, .0.doc.request_id)]
    Service(Box<ServiceError>),
    /// A non-2xx answer without an OSS error body (a proxy page, a truncated body).
    #[error("HTTP {status} from {action:?} without an OSS error document")]
    Status {
        status: u16,
        action: Action,
        request_id: Option<String>,
    },
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("network error: {0}")]
    Network(String),
    /// A 2xx answer whose body could not be read (malformed or truncated XML).
    #[error("unreadable answer to {action:?}: {detail}")]
    Response { action: Action, detail: String },
    #[error("cancelled")]
    Cancelled,
    /// A local refusal before anything was sent (bad endpoint, plain http to a remote host).
    #[error("{0}")]
    Config(String),
    /// No credentials to sign with (STS refused AssumeRole, no ECS role, ...).
    #[error("{0}")]
    Credentials(#[from] CredentialError),
}

impl OssError {
    /// OSS's Code, or a local one for failures without an OSS answer.
    pub fn code(&self) -> &str {
        match self {
            Self::Service(e) => &e.doc.code,
            Self::Status { .. } => "HttpError",
            Self::Timeout(_) => "Timeout",
            Self::Connect(_) => "ConnectionFailed",
            Self::Network(_) => "NetworkError",
            Self::Response { .. } => "InvalidResponse",
            Self::Cancelled => "Cancelled",
            Self::Config(_) => "ConfigError",
            Self::Credentials(e) => e.code(),
        }
    }

    /// OSS's Message verbatim, or this error's own description.
    pub fn message(&self) -> String {
        match self {
            Self::Service(e) => e.doc.message.clone(),
            other => other.to_string(),
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Service(e) => Some(e.doc.request_id.as_str()).filter(|id| !id.is_empty()),
            Self::Status { request_id, .. } => request_id.as_deref(),
            Self::Credentials(e) => e.request_id(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Service(e) => Some(e.status),
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The endpoint OSS says the bucket must be addressed through (wrong region).
    pub fn correct_endpoint(&self) -> Option<&str> {
        match self {
            Self::Service(e) => e.doc.endpoint.as_deref(),
            _ => None,
        }
    }

    /// What the user can do about it, in plain words.
    pub fn hint(&self) -> String {
        let Self::Service(e) = self else {
            return match self {
                Self::Timeout(_) => {
                    "OSS did not answer in time; check the network or raise the timeout.".into()
                }
                Self::Connect(_) => {
                    "Could not reach the endpoint; check the endpoint URL and the network.".into()
                }
                Self::Network(_) => "The connection broke; try again.".into(),
                Self::Response { .. } => {
                    "OSS sent an answer ossguard cannot read; report it with the request id.".into()
                }
                Self::Status { status, .. } if *status >= 500 => {
                    "OSS is unavailable right now; try again later.".into()
                }
                Self::Status { .. } => {
                    "Unexpected answer; check the endpoint is an OSS endpoint.".into()
                }
                Self::Cancelled => "Cancelled by the user.".into(),
                Self::Config(msg) => msg.clone(),
                Self::Credentials(e) => e.hint(),
                Self::Service(_) => unreachable!("handled above"),
            };
        };
        let doc = &e.doc;
        match doc.code.as_str() {
            _ if doc.endpoint.is_some() => format!(
                "Bucket is in another region: send its requests to {}.",
                doc.endpoint.as_deref().unwrap_or_default()
            ),
            "AccessDenied" if doc.message.contains("kms") => {
                "No permission to use the KMS key.".into()
            }
            "AccessDenied" => format!(
                "Permission denied: the RAM policy must allow {}.",
                e.action.ram_action()
            ),
            "InvalidAccessKeyId" => {
                "AccessKey ID not found or disabled: check the key (and the STS token).".into()
            }
            "SignatureDoesNotMatch" => "Signature rejected: check the AccessKey secret.".into(),
            "RequestTimeTooSkewed" => match skew_minutes(doc) {
                Some(minutes) if minutes >= super::clock::MAX_OFFSET.num_minutes() => {
                    "Your clock is off by more than 24 h, more than ossguard corrects; fix the system time.".into()
                }
                Some(minutes) => {
                    format!("Your clock is off by about {minutes} min; fix the system time.")
                }
                None => "Your clock is off by more than 15 min; fix the system time.".into(),
            },
            "NoSuchBucket" => {
                "The bucket does not exist (check the name; it may have been deleted).".into()
            }
            "NoSuchServerSideEncryptionRule" => "No default encryption is configured.".into(),
            "SecondLevelDomainForbidden" => {
                "Use <bucket>.<endpoint> (virtual-hosted) addressing.".into()
            }
            "InvalidArgument" => format!("Invalid setting: {}", doc.message),
            "InvalidEncryptionAlgorithmError" => {
                "Unsupported algorithm: use AES256, KMS or SM4.".into()
            }
            "MalformedXML" => {
                "OSS could not read the request: report it with the request id.".into()
            }
            "KmsServiceNotEnabled" => "Activate KMS in this account first.".into(),
            "UbsmsInvalidBid" | "KmsUbsmsInvalidBid" | "KmsInDebt" | "KmsInDebtOverdue" => {
                "KMS is unavailable for this account.".into()
            }
            "SecurityTokenExpired" => {
                "Temporary credentials expired: refresh the STS token.".into()
            }
            "InvalidSecurityToken" => "STS token invalid: check the token.".into(),
            "AccessKeyIdAndSecurityTokenNotMatch" => {
                "STS AccessKey and token do not belong together.".into()
            }
            "ServiceUnavailable" | "InternalError" => {
                "OSS is busy or failing; try again later.".into()
            }
            _ => format!("OSS refused {}: {}", e.action.name(), doc.message),
        }
    }

    /// The error as stored in a bucket's row.
    pub fn to_read_failure(&self) -> ReadFailure {
        ReadFailure {
            code: self.code().to_owned(),
            message: self.message(),
            request_id: self.request_id().map(str::to_owned),
            hint: self.hint(),
        }
    }
}

/// Minutes between the request time and the server time in a RequestTimeTooSkewed body,
/// at most the correction ossguard applies ([`super::clock::MAX_OFFSET`]).
pub fn skew_minutes(doc: &ErrorDoc) -> Option<i64> {
    let offset = super::clock::clamp(super::clock::server_offset(doc)?);
    Some((offset.num_seconds().abs() + 30) / 60)
}

#[cfg(test)]
mod tests {
    use super::{OssError, ServiceError};
    use crate::core::ops::Action;
    use crate::core::xml::error::ErrorDoc;

    fn service(code: &str, action: Action) -> OssError {
        OssError::Service(Box::new(ServiceError {
            status: 403,
            action,
            doc: ErrorDoc {
                code: code.into(),
                message: "msg".into(),
                request_id: "RID".into(),
                ..Default::default()
            },
        }))
    }

    #[test]
    fn hints_name_the_fix() {
        assert!(
            service("AccessDenied", Action::GetBucketEncryption)
                .hint()
                .contains("oss:GetBucketEncryption")
        );
        assert!(
            service("SignatureDoesNotMatch", Action::ListBuckets)
                .hint()
                .contains("secret")
        );
        let mut wrong_region = service("AccessDenied", Action::GetBucketEncryption);
        if let OssError::Service(e) = &mut wrong_region {
            e.doc.endpoint = Some("oss-cn-beijing.aliyuncs.com".into());
        }
        assert!(wrong_region.hint().contains("oss-cn-beijing.aliyuncs.com"));
        assert_eq!(
            wrong_region.correct_endpoint(),
            Some("oss-cn-beijing.aliyuncs.com")
        );
        let failure = service("InvalidAccessKeyId", Action::ListBuckets).to_read_failure();
        assert_eq!(failure.code, "InvalidAccessKeyId");
        assert_eq!(failure.message, "msg");
        assert_eq!(failure.request_id.as_deref(), Some("RID"));
    }

    #[test]
    fn skew_hint_gives_minutes() {
        let mut err = service("RequestTimeTooSkewed", Action::ListBuckets);
        if let OssError::Service(e) = &mut err {
            e.doc.request_time = Some("2025-01-15T08:00:00.000Z".into());
            e.doc.server_time = Some("2025-01-15T08:20:00.000Z".into());
        }
        assert!(err.hint().contains("20 min"), "{}", err.hint());
        // A hostile ServerTime: the hint claims no more than the 24 h correction applied.
        if let OssError::Service(e) = &mut err {
            e.doc.server_time = Some("9999-12-31T23:59:59.000Z".into());
        }
        let hint = err.hint();
        assert!(
            hint.contains("more than 24 h") && !hint.contains("min"),
            "{hint}"
        );
    }
}

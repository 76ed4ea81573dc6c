//! When to try again, and how long to wait: the official SDKs' policy (3 attempts,
//! full-jitter exponential backoff) so ossguard is no harsher on OSS than they are.

use std::time::Duration;

use rand::Rng as _;

use super::error::OssError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, including the first.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Full jitter: uniform in `[0, min(base * 2^attempt, max))`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let cap = self
            .base_delay
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max_delay);
        cap.mul_f64(rand::rng().random_range(0.0..1.0))
    }
}

/// Whether an error is worth another attempt. Timeouts are retried only for idempotent
/// requests, since the first attempt may have been applied.
pub fn is_retryable(error: &OssError, idempotent: bool) -> bool {
    match error {
        OssError::Service(e) => {
            is_retryable_status(e.status)
                || matches!(e.doc.code.as_str(), "RequestTimeTooSkewed" | "BadRequest")
        }
        OssError::Status { status, .. } => is_retryable_status(*status),
        OssError::Connect(_) => true,
        OssError::Network(_) | OssError::Timeout(_) => idempotent,
        OssError::Response { .. } => idempotent,
        OssError::Cancelled | OssError::Config(_) | OssError::Credentials(_) => false,
    }
}

/// HTTP statuses worth another attempt whatever the service: server errors, throttling,
/// request timeouts (and 401, which OSS answers for a transiently unverifiable token).
pub fn is_retryable_status(status: u16) -> bool {
    status >= 500 || matches!(status, 401 | 408 | 429)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{RetryPolicy, is_retryable};
    use crate::core::ops::Action;
    use crate::core::xml::error::ErrorDoc;
    use crate::transport::error::{OssError, ServiceError};

    fn service(status: u16, code: &str) -> OssError {
        OssError::Service(Box::new(ServiceError {
            status,
            action: Action::GetBucketEncryption,
            doc: ErrorDoc {
                code: code.into(),
                ..Default::default()
            },
        }))
    }

    #[test]
    fn retries_what_the_sdks_retry() {
        assert!(is_retryable(&service(503, "ServiceUnavailable"), true));
        assert!(is_retryable(&service(429, "Throttled"), true));
        assert!(is_retryable(&service(403, "RequestTimeTooSkewed"), true));
        assert!(!is_retryable(&service(403, "AccessDenied"), true));
        assert!(!is_retryable(
            &service(404, "NoSuchServerSideEncryptionRule"),
            true
        ));
        assert!(is_retryable(
            &OssError::Timeout(Duration::from_secs(1)),
            true
        ));
        assert!(!is_retryable(
            &OssError::Timeout(Duration::from_secs(1)),
            false
        ));
        assert!(!is_retryable(&OssError::Cancelled, true));
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let policy = RetryPolicy::default();
        for attempt in 0..40 {
            let cap = Duration::from_millis(200)
                .saturating_mul(1 << attempt.min(16))
                .min(Duration::from_secs(20));
            assert!(policy.delay(attempt) < cap.max(Duration::from_nanos(1)));
        }
    }
}

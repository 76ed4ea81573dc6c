//! Where signing credentials come from, kept apart from signing (as reqsign's
//! `ProvideCredential` / `SignRequest` split): a [`CredentialProvider`] loads them (keyring,
//! environment, STS AssumeRole, ECS metadata), a [`CredentialCache`] keeps them until shortly
//! before their `Expiration` and loads again, once, however many requests wait.
//!
//! | module | provider |
//! |---|---|
//! | this file | the trait, the cache, fixed credentials and the environment |
//! | [`assume_role`] | a RAM role: STS AssumeRole with a source profile's credentials |
//! | [`ecs`] | the ECS instance RAM role (metadata service, hardened mode) |
//! | [`error`] | what can go wrong, each with the fix |

pub mod assume_role;
pub mod ecs;
pub mod error;

use std::fmt;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use crate::core::sign::Credentials;
pub use crate::core::sts::ExpiringCredentials;

pub use assume_role::{AssumeRoleProvider, AssumeRoleSpec};
pub use ecs::EcsRoleProvider;
pub use error::CredentialError;

/// Loads credentials; knows nothing of requests. Called only when the cache needs them.
pub trait CredentialProvider: Send + Sync + fmt::Debug {
    fn load(&self) -> BoxFuture<'_, Result<ExpiringCredentials, CredentialError>>;
}

/// Fixed credentials: an AccessKey, or an STS token (with its expiry when known) from the
/// keyring. Loading again gives the same, so an expired token is reported, not retried.
#[derive(Debug, Clone)]
pub struct StaticProvider(pub ExpiringCredentials);

impl StaticProvider {
    pub fn new(credentials: Credentials) -> Self {
        Self(ExpiringCredentials {
            credentials,
            expiration: None,
        })
    }
}

impl CredentialProvider for StaticProvider {
    /// Refuses a token past its recorded expiry before anything is signed with it (by the
    /// local clock: one running far ahead refuses a token still valid, which is safe).
    fn load(&self) -> BoxFuture<'_, Result<ExpiringCredentials, CredentialError>> {
        Box::pin(async move {
            match self.0.expiration {
                Some(at) if at <= Utc::now() => Err(CredentialError::TokenExpired { at }),
                _ => Ok(self.0.clone()),
            }
        })
    }
}

/// `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and optional `OSS_SESSION_TOKEN`, read at
/// each load so a wrapper script that rotates them is followed.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvProvider;

impl EnvProvider {
    pub fn read() -> Result<Credentials, CredentialError> {
        let env = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let (Some(id), Some(secret)) = (env("OSS_ACCESS_KEY_ID"), env("OSS_ACCESS_KEY_SECRET"))
        else {
            return Err(CredentialError::Missing(
                "no credentials: set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or use --profile"
                    .into(),
            ));
        };
        let token = env("OSS_SESSION_TOKEN");
        let credentials = Credentials::new(&id, &secret).with_security_token(token.as_deref());
        credentials.check_header_safe()?;
        Ok(credentials)
    }
}

impl CredentialProvider for EnvProvider {
    fn load(&self) -> BoxFuture<'_, Result<ExpiringCredentials, CredentialError>> {
        Box::pin(async move {
            Ok(ExpiringCredentials {
                credentials: Self::read()?,
                expiration: None,
            })
        })
    }
}

/// Credentials are renewed this long before they expire, at most: a request signed just
/// before the deadline must still arrive in time. Short-lived credentials (tests, a small
/// `DurationSeconds`) are renewed after three quarters of their life instead.
const MAX_REFRESH_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

struct Cached {
    credentials: Arc<Credentials>,
    expiration: Option<DateTime<Utc>>,
    renew_at: Option<DateTime<Utc>>,
}

struct Inner {
    provider: Arc<dyn CredentialProvider>,
    current: RwLock<Option<Cached>>,
    /// One load at a time: requests waiting for fresh credentials share its result.
    loading: tokio::sync::Mutex<()>,
}

/// Cheap to clone; clones share the cached credentials.
#[derive(Clone)]
pub struct CredentialCache {
    inner: Arc<Inner>,
}

impl fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialCache")
            .field("provider", &self.inner.provider)
            .finish_non_exhaustive()
    }
}

impl CredentialCache {
    pub fn new(provider: Arc<dyn CredentialProvider>) -> Self {
        Self {
            inner: Arc::new(Inner {
                provider,
                current: RwLock::new(None),
                loading: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Fixed credentials, loaded already (no await needed to read the key ID).
    pub fn fixed(credentials: Credentials) -> Self {
        let cache = Self::new(Arc::new(StaticProvider::new(credentials.clone())));
        cache.store(ExpiringCredentials {
            credentials,
            expiration: None,
        });
        cache
    }

    /// Credentials to sign with now: the cached ones while fresh, else loaded again. If a
    /// renewal fails while the old ones have not expired yet, the old ones are used.
    pub async fn get(&self) -> Result<Arc<Credentials>, CredentialError> {
        let now = Utc::now();
        if let Some(fresh) = self.fresh(now) {
            return Ok(fresh);
        }
        let _loading = self.inner.loading.lock().await;
        if let Some(fresh) = self.fresh(Utc::now()) {
            return Ok(fresh);
        }
        match self.inner.provider.load().await {
            Ok(loaded) => Ok(self.store(loaded)),
            Err(error) => match self.unexpired(Utc::now()) {
                Some(still_valid) => {
                    tracing::warn!(%error, "credential renewal failed; the current ones still work");
                    Ok(still_valid)
                }
                None => Err(error),
            },
        }
    }

    /// After a service said `used` has expired: load again unless another request already
    /// did. True when there are other credentials to retry with.
    pub async fn renew_after_expiry(&self, used: &Credentials) -> Result<bool, CredentialError> {
        let _loading = self.inner.loading.lock().await;
        if let Some(current) = self.current()
            && !same(&current, used)
        {
            return Ok(true);
        }
        let loaded = self.inner.provider.load().await?;
        let changed = !same(&loaded.credentials, used);
        self.store(loaded);
        Ok(changed)
    }

    /// The AccessKey ID last loaded (not a secret), if any.
    pub fn access_key_id(&self) -> Option<String> {
        self.current().map(|c| c.access_key_id.clone())
    }

    /// When the credentials last loaded expire (`None`: long-term, or not loaded yet).
    pub fn expiration(&self) -> Option<DateTime<Utc>> {
        self.read(|c| c.expiration)
    }

    fn current(&self) -> Option<Arc<Credentials>> {
        self.read(|c| Some(c.credentials.clone()))
    }

    fn fresh(&self, now: DateTime<Utc>) -> Option<Arc<Credentials>> {
        self.read(|c| match c.renew_at {
            Some(at) if now >= at => None,
            _ => Some(c.credentials.clone()),
        })
    }

    fn unexpired(&self, now: DateTime<Utc>) -> Option<Arc<Credentials>> {
        self.read(|c| match c.expiration {
            Some(at) if now >= at => None,
            _ => Some(c.credentials.clone()),
        })
    }

    fn read<T>(&self, f: impl FnOnce(&Cached) -> Option<T>) -> Option<T> {
        let guard = self.inner.current.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().and_then(f)
    }

    fn store(&self, loaded: ExpiringCredentials) -> Arc<Credentials> {
        let now = Utc::now();
        let renew_at = loaded.expiration.map(|at| {
            let quarter = (at - now) / 4;
            at - quarter.clamp(chrono::TimeDelta::zero(), MAX_REFRESH_MARGIN)
        });
        let credentials = Arc::new(loaded.credentials);
        let mut guard = self
            .inner
            .current
            .write()
            .unwrap_or_else(|e| e.into_inner());
        *guard = Some(Cached {
            credentials: credentials.clone(),
            expiration: loaded.expiration,
            renew_at,
        });
        credentials
    }
}

fn same(a: &Credentials, b: &Credentials) -> bool {
    a.access_key_id == b.access_key_id && a.security_token() == b.security_token()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// Hands out `STS.n` credentials living `life`, counting loads.
    #[derive(Debug)]
    struct Counting {
        loads: AtomicU32,
        life: chrono::TimeDelta,
    }

    impl CredentialProvider for Counting {
        fn load(&self) -> BoxFuture<'_, Result<ExpiringCredentials, CredentialError>> {
            Box::pin(async move {
                let n = self.loads.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Ok(ExpiringCredentials {
                    credentials: Credentials::new(&format!("STS.{n}"), "s")
                        .with_security_token(Some(&format!("t{n}"))),
                    expiration: Some(Utc::now() + self.life),
                })
            })
        }
    }

    #[tokio::test]
    async fn one_load_for_many_requests_until_renewal_is_due() {
        let provider = Arc::new(Counting {
            loads: AtomicU32::new(0),
            life: chrono::TimeDelta::hours(1),
        });
        let cache = CredentialCache::new(provider.clone());
        let all = futures::future::join_all((0..50).map(|_| cache.get())).await;
        assert!(
            all.iter()
                .all(|c| c.as_ref().expect("loaded").access_key_id == "STS.1")
        );
        assert_eq!(provider.loads.load(Ordering::SeqCst), 1);
        // Renewed 5 minutes before an hour-long expiry, not before.
        let expiration = cache.expiration().expect("temporary");
        let renew_at = cache.read(|c| c.renew_at).expect("renewal time");
        assert_eq!(expiration - renew_at, MAX_REFRESH_MARGIN);
    }

    #[tokio::test]
    async fn short_lived_credentials_are_renewed_before_they_expire() {
        let provider = Arc::new(Counting {
            loads: AtomicU32::new(0),
            life: chrono::TimeDelta::milliseconds(400),
        });
        let cache = CredentialCache::new(provider.clone());
        assert_eq!(cache.get().await.expect("first").access_key_id, "STS.1");
        tokio::time::sleep(std::time::Duration::from_millis(340)).await;
        // Three quarters of the life are over: renewed although not yet expired.
        assert_eq!(cache.get().await.expect("renewed").access_key_id, "STS.2");
    }

    #[tokio::test]
    async fn an_sts_token_past_its_expiry_is_refused_before_any_request() {
        let at = Utc::now() - chrono::TimeDelta::seconds(1);
        let token = Credentials::new("STS.x", "s").with_security_token(Some("t"));
        let expired = StaticProvider(ExpiringCredentials {
            credentials: token.clone(),
            expiration: Some(at),
        });
        // Port 9 on loopback is closed: a request sent would fail to connect instead.
        let config = crate::transport::ClientConfig::new(
            crate::transport::Endpoint::parse("http://127.0.0.1:9").expect("endpoint"),
            "cn-hangzhou",
        );
        let client =
            crate::transport::OssClient::with_provider(config, Arc::new(expired)).expect("client");
        let error = client.list_buckets(None).await.expect_err("refused");
        assert_eq!(error.code(), "SecurityTokenExpired");
        assert!(
            error.hint().contains("get a new STS token"),
            "{}",
            error.hint()
        );
        assert!(matches!(
            error,
            crate::transport::OssError::Credentials(CredentialError::TokenExpired { at: when })
                if when == at
        ));
        // Still valid: loaded, with its expiry for the top bar.
        let valid = CredentialCache::new(Arc::new(StaticProvider(ExpiringCredentials {
            credentials: token,
            expiration: Some(Utc::now() + chrono::TimeDelta::hours(1)),
        })));
        assert_eq!(valid.get().await.expect("valid").access_key_id, "STS.x");
        assert!(valid.expiration().is_some());
    }

    #[tokio::test]
    async fn renewal_after_expiry_happens_once_and_fixed_credentials_are_not_retried() {
        let provider = Arc::new(Counting {
            loads: AtomicU32::new(0),
            life: chrono::TimeDelta::hours(1),
        });
        let cache = CredentialCache::new(provider.clone());
        let used = cache.get().await.expect("first");
        assert!(cache.renew_after_expiry(&used).await.expect("renewed"));
        // A second request that failed with the same old credentials finds them renewed.
        assert!(cache.renew_after_expiry(&used).await.expect("already"));
        assert_eq!(provider.loads.load(Ordering::SeqCst), 2);

        let fixed = CredentialCache::fixed(Credentials::new("STS.x", "s"));
        let used = fixed.get().await.expect("fixed");
        assert!(!fixed.renew_after_expiry(&used).await.expect("loads"));
        assert_eq!(fixed.access_key_id().as_deref(), Some("STS.x"));
    }
}

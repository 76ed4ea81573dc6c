//! Where AccessKey secrets live: the OS keyring (Secret Service on Linux), or memory for
//! this run only when no keyring is available. Never a file.
//!
//! The keyring calls block (D-Bus round trips), so callers run them off the UI thread
//! (`tokio::task::spawn_blocking`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::core::secret::Secret;
use crate::core::sign::Credentials;
use crate::core::sts::ExpiringCredentials;

/// The keyring service name; one entry per profile, keyed by profile name.
pub const SERVICE: &str = "ossguard";

/// A profile's secret parts. Redacted in `Debug`, zeroized on drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileSecret {
    pub access_key_secret: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts_token: Option<Secret>,
    /// When the STS token expires, if known (shown to the user; not a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts_expiration: Option<chrono::DateTime<chrono::Utc>>,
}

impl ProfileSecret {
    pub fn new(access_key_secret: &str, sts_token: Option<&str>) -> Self {
        Self {
            access_key_secret: Secret::from(access_key_secret.trim()),
            sts_token: sts_token
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(Secret::from),
            sts_expiration: None,
        }
    }

    /// Records when the STS token expires.
    pub fn with_sts_expiration(mut self, at: Option<chrono::DateTime<chrono::Utc>>) -> Self {
        self.sts_expiration = at;
        self
    }

    pub fn credentials(&self, access_key_id: &str) -> Credentials {
        Credentials::new(access_key_id, &self.access_key_secret)
            .with_security_token(self.sts_token.as_deref().map(String::as_str))
    }

    /// The credentials with the token's expiry, for a provider that refuses them once expired.
    pub fn expiring_credentials(&self, access_key_id: &str) -> ExpiringCredentials {
        ExpiringCredentials {
            credentials: self.credentials(access_key_id),
            expiration: self.sts_expiration,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeystoreError {
    /// No Secret Service (or other OS store) could be reached.
    #[error("no OS keyring is available: {0}")]
    Unavailable(String),
    #[error("the keyring refused the operation: {0}")]
    Failed(String),
    #[error("the keyring entry is not in ossguard's format")]
    BadFormat,
}

/// Secret storage per profile name.
pub trait Keystore: Send + Sync {
    fn get(&self, profile: &str) -> Result<Option<ProfileSecret>, KeystoreError>;
    fn set(&self, profile: &str, secret: &ProfileSecret) -> Result<(), KeystoreError>;
    /// Deleting a missing entry is not an error.
    fn delete(&self, profile: &str) -> Result<(), KeystoreError>;
    /// Shown to the user: where secrets are kept.
    fn describe(&self) -> &'static str;
}

/// The OS keyring via the `keyring` crate.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyringStore;

impl KeyringStore {
    fn entry(profile: &str) -> Result<keyring::Entry, KeystoreError> {
        keyring::Entry::new(SERVICE, profile).map_err(map_keyring_error)
    }

    /// Whether the OS store can be reached at all (probes once).
    pub fn probe() -> Result<(), KeystoreError> {
        keyring::Entry::store_status()
            .as_ref()
            .map_err(|e| KeystoreError::Unavailable(e.to_string()))?;
        match Self::entry("__ossguard_probe__")?.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

fn map_keyring_error(error: keyring::Error) -> KeystoreError {
    match error {
        keyring::Error::NoDefaultStore | keyring::Error::NoStorageAccess(_) => {
            KeystoreError::Unavailable(error.to_string())
        }
        keyring::Error::PlatformFailure(_) => KeystoreError::Unavailable(error.to_string()),
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
            KeystoreError::BadFormat
        }
        other => KeystoreError::Failed(other.to_string()),
    }
}

impl Keystore for KeyringStore {
    fn get(&self, profile: &str) -> Result<Option<ProfileSecret>, KeystoreError> {
        match Self::entry(profile)?.get_password() {
            Ok(text) => {
                let text = Zeroizing::new(text);
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|_| KeystoreError::BadFormat)
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, profile: &str, secret: &ProfileSecret) -> Result<(), KeystoreError> {
        let text = Zeroizing::new(
            serde_json::to_string(secret).map_err(|e| KeystoreError::Failed(e.to_string()))?,
        );
        Self::entry(profile)?
            .set_password(&text)
            .map_err(map_keyring_error)
    }

    fn delete(&self, profile: &str) -> Result<(), KeystoreError> {
        match Self::entry(profile)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn describe(&self) -> &'static str {
        "the OS keyring"
    }
}

/// Secrets kept in memory for this run only: the fallback when no keyring is available.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    entries: Arc<Mutex<HashMap<String, ProfileSecret>>>,
}

impl Keystore for MemoryStore {
    fn get(&self, profile: &str) -> Result<Option<ProfileSecret>, KeystoreError> {
        let entries = self
            .entries
            .lock()
            .map_err(|_| KeystoreError::Failed("poisoned".into()))?;
        Ok(entries.get(profile).cloned())
    }

    fn set(&self, profile: &str, secret: &ProfileSecret) -> Result<(), KeystoreError> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| KeystoreError::Failed("poisoned".into()))?;
        entries.insert(profile.to_owned(), secret.clone());
        Ok(())
    }

    fn delete(&self, profile: &str) -> Result<(), KeystoreError> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| KeystoreError::Failed("poisoned".into()))?;
        entries.remove(profile);
        Ok(())
    }

    fn describe(&self) -> &'static str {
        "memory (this run only)"
    }
}

#[cfg(test)]
mod tests {
    use super::{Keystore as _, MemoryStore, ProfileSecret};

    #[test]
    fn memory_store_round_trip_and_redaction() {
        let store = MemoryStore::default();
        let secret = ProfileSecret::new("very-secret-value", Some("tok-123456"));
        store.set("p", &secret).expect("set");
        assert_eq!(store.get("p").expect("get"), Some(secret.clone()));
        store.delete("p").expect("delete");
        store.delete("p").expect("delete twice");
        assert_eq!(store.get("p").expect("get"), None);
        let shown = format!("{secret:?}");
        assert!(!shown.contains("very-secret-value") && !shown.contains("tok-123456"));
        assert_eq!(
            secret.credentials("ak").security_token(),
            Some("tok-123456")
        );
    }
}

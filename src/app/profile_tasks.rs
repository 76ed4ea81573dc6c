//! The blocking parts of profile handling, run on the blocking pool: keystore reads and
//! writes (D-Bus round trips), the config file, and building the client.

use std::sync::Arc;
use std::time::Duration;

use crate::app::config_writes::{ConfigFile, ConfigVersion};
use crate::app::credential_source::{self, CredentialKind, SourceOptions};
use crate::app::demo;
use crate::app::event::{Event, SessionId};
use crate::app::keystore::{Keystore, ProfileSecret};
use crate::app::profile::{Profile, ProfileConfig};
use crate::app::worker::Worker;
use crate::core::model::region_from_endpoint_host;
use crate::transport::client::CallObserver;
use crate::transport::credentials::{CredentialError, StaticProvider};
use crate::transport::{ClientConfig, Endpoint, OssClient};

/// Connecting to one profile.
pub struct ConnectTask {
    pub profile: Profile,
    /// The whole config: a RAM-role profile's source profile is found there.
    pub config: ProfileConfig,
    pub session: SessionId,
    pub keystore: Arc<dyn Keystore>,
    /// Where STS and the ECS metadata service are asked.
    pub sources: SourceOptions,
    pub timeout: Duration,
}

/// Chooses the profile's credential provider (keyring, RAM role, ECS role; the demo's key is
/// public) and builds its client; reports `Connected` or `ConnectFailed`. Temporary
/// credentials are loaded with the first request, not here.
pub fn connect(worker: &Worker, task: ConnectTask) {
    let events = worker.events().clone();
    worker.runtime().spawn_blocking(move || {
        let ConnectTask {
            profile,
            config,
            session,
            keystore,
            sources,
            timeout,
        } = task;
        let client = if profile.demo {
            client_config(&profile, timeout).and_then(|client| {
                let provider = Arc::new(StaticProvider::new(
                    demo::demo_secret().credentials(&profile.access_key_id),
                ));
                OssClient::with_provider(client, provider).map_err(|e| e.to_string())
            })
        } else {
            provider_client(&profile, &config, keystore.as_ref(), &sources, timeout).map_err(|e| {
                match e {
                    ClientError::Endpoint(message) => message,
                    ClientError::Credentials(e) => describe_credential_error(&e),
                }
            })
        };
        let client = client.map(|client| {
            let events = events.clone();
            let observer: CallObserver = Arc::new(move |record| {
                events.send(Event::CallRecorded { session, record });
            });
            client.with_observer(observer)
        });
        let name = profile.name.clone();
        let event = match client {
            Ok(client) => Event::Connected {
                session,
                profile,
                client,
            },
            Err(error) => Event::ConnectFailed {
                session,
                profile: name,
                error,
            },
        };
        events.send(event);
    });
}

/// A credential error with its fix, once (some errors are their own hint).
pub fn describe_credential_error(e: &CredentialError) -> String {
    match e.hint() {
        hint if hint == e.to_string() => hint,
        hint => format!("{e}. {hint}"),
    }
}

/// Saving a profile: the secret to the keystore first, then the config file.
pub struct SaveTask {
    pub keystore: Arc<dyn Keystore>,
    pub file: Arc<ConfigFile>,
    /// The whole config after the change, and its version.
    pub config: ProfileConfig,
    pub version: ConfigVersion,
    pub name: String,
    /// `None` keeps the stored secret.
    pub secret: Option<ProfileSecret>,
    /// The old name, when the edit renamed the profile.
    pub renamed: Option<String>,
}

pub fn save(worker: &Worker, task: SaveTask) {
    let events = worker.events().clone();
    worker.runtime().spawn_blocking(move || {
        let SaveTask {
            keystore,
            file,
            config,
            version,
            name,
            secret,
            renamed,
        } = task;
        let own_secret = config.get(&name).is_none_or(Profile::has_own_secret);
        let stored = store_secret(keystore.as_ref(), &name, secret, renamed.as_deref());
        let event = match stored.and_then(|()| file.write(version, &config)) {
            Ok(moved_aside) => Event::ProfilesSaved {
                version,
                moved_aside,
                notice: Some(if own_secret {
                    format!(
                        "Saved profile {name:?}; its secret is kept in {}.",
                        keystore.describe()
                    )
                } else {
                    format!(
                        "Saved profile {name:?}; its credentials are temporary, loaded when used."
                    )
                }),
                config,
                switch_to: Some(name),
            },
            Err(error) => Event::ProfileFailed { error, version },
        };
        events.send(event);
    });
}

/// Deletes the profile's keystore entry (the demo has none), then saves `config` (version
/// `version`) without it.
pub fn delete(
    worker: &Worker,
    keystore: Arc<dyn Keystore>,
    file: Arc<ConfigFile>,
    config: ProfileConfig,
    version: ConfigVersion,
    profile: Profile,
) {
    let events = worker.events().clone();
    worker.runtime().spawn_blocking(move || {
        let name = profile.name;
        let deleted = if profile.demo {
            Ok(())
        } else {
            keystore
                .delete(&name)
                .map_err(|e| format!("Cannot delete the secret of {name:?}: {e}"))
        };
        let event = match deleted.and_then(|()| file.write(version, &config)) {
            Ok(moved_aside) => Event::ProfilesSaved {
                config,
                version,
                moved_aside,
                notice: Some(format!("Deleted profile {name:?} and its secret.")),
                switch_to: None,
            },
            Err(error) => Event::ProfileFailed { error, version },
        };
        events.send(event);
    });
}

/// Saves the config (active profile, demo endpoint); reports it without a notice.
pub fn save_config(
    worker: &Worker,
    file: Arc<ConfigFile>,
    version: ConfigVersion,
    config: ProfileConfig,
) {
    let events = worker.events().clone();
    worker.runtime().spawn_blocking(move || {
        let event = match file.write(version, &config) {
            Ok(moved_aside) => Event::ProfilesSaved {
                config,
                version,
                moved_aside,
                notice: None,
                switch_to: None,
            },
            Err(error) => Event::ProfileFailed { error, version },
        };
        events.send(event);
    });
}

/// What a profile needs before it is saved; an endpoint must be https unless on loopback.
pub fn check_profile(profile: &Profile) -> Result<(), String> {
    if profile.name.trim().is_empty() {
        return Err("The profile needs a name.".into());
    }
    if profile.region.trim().is_empty() {
        return Err("The profile needs a region, e.g. cn-hangzhou.".into());
    }
    let kind = CredentialKind::of(profile)?;
    if !kind.is_temporary() && profile.access_key_id.trim().is_empty() {
        return Err("The profile needs an AccessKey ID.".into());
    }
    Endpoint::parse(&profile.endpoint)
        .and_then(|e| e.require_secure())
        .map_err(|e| e.to_string())?;
    match region_mismatch(&profile.endpoint, &profile.region) {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Why an endpoint and a region contradict each other, if they do. V4 signatures are scoped
/// to the region, so OSS rejects every request of such a profile, and its error (about the
/// signature or the region of ListBuckets) does not point at the typo.
pub fn region_mismatch(endpoint: &str, region: &str) -> Option<String> {
    let from_endpoint = region_from_endpoint_host(endpoint.trim())?;
    let region = region.trim();
    (from_endpoint != region).then(|| {
        format!(
            "The endpoint is in region {from_endpoint}, but the region field says {region:?}: \
             OSS would reject every request. Set the region to {from_endpoint}."
        )
    })
}

/// Writes the new secret, or moves the old one when a profile is renamed without retyping it.
fn store_secret(
    keystore: &dyn Keystore,
    name: &str,
    secret: Option<ProfileSecret>,
    renamed_from: Option<&str>,
) -> Result<(), String> {
    let failed = |e| format!("Cannot store the secret in {}: {e}", keystore.describe());
    let secret = match (secret, renamed_from) {
        (Some(secret), _) => Some(secret),
        (None, Some(old)) => keystore.get(old).map_err(failed)?,
        (None, None) => None,
    };
    if let Some(secret) = secret {
        keystore.set(name, &secret).map_err(failed)?;
    }
    if let Some(old) = renamed_from {
        keystore.delete(old).map_err(failed)?;
    }
    Ok(())
}

/// A client for `profile` with `secret` (the connection test's, before saving).
pub(crate) fn client_for(
    profile: &Profile,
    secret: &ProfileSecret,
    timeout: Duration,
) -> Result<OssClient, String> {
    let config = client_config(profile, timeout)?;
    let provider = StaticProvider(secret.expiring_credentials(&profile.access_key_id));
    OssClient::with_provider(config, Arc::new(provider)).map_err(|e| e.to_string())
}

/// Why a client could not be built for a profile.
#[derive(Debug)]
pub(crate) enum ClientError {
    /// The endpoint (or the client settings) is unusable.
    Endpoint(String),
    /// The credential source is: no secret, no source profile, bad role settings.
    Credentials(CredentialError),
}

/// The profile's client with the provider [`credential_source::provider_for`] chooses
/// (keyring, RAM role, ECS role): what connecting and the connection test both use. Blocks
/// on the keyring.
pub(crate) fn provider_client(
    profile: &Profile,
    config: &ProfileConfig,
    keystore: &dyn Keystore,
    sources: &SourceOptions,
    timeout: Duration,
) -> Result<OssClient, ClientError> {
    let client = client_config(profile, timeout).map_err(ClientError::Endpoint)?;
    let provider = credential_source::provider_for(profile, config, keystore, sources, &client)
        .map_err(ClientError::Credentials)?;
    OssClient::with_provider(client, provider).map_err(|e| ClientError::Endpoint(e.to_string()))
}

/// The profile's client settings.
fn client_config(profile: &Profile, timeout: Duration) -> Result<ClientConfig, String> {
    let endpoint = Endpoint::parse(&profile.endpoint).map_err(|e| e.to_string())?;
    let mut config = ClientConfig::new(endpoint, &profile.region);
    config.signature_version = profile.signature_version;
    config.internal_endpoints = profile.internal_endpoints;
    config.allow_foreign_bucket_endpoints = profile.allow_foreign_bucket_endpoints;
    config.timeout = timeout;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::{check_profile, region_mismatch, store_secret};
    use crate::app::keystore::{Keystore as _, MemoryStore, ProfileSecret};
    use crate::app::profile::Profile;
    use crate::core::model::region_from_endpoint_host;

    #[test]
    fn profiles_are_checked_before_saving() {
        let mut profile = Profile::new(
            "p",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "LTAI",
        );
        assert!(check_profile(&profile).is_ok());
        profile.endpoint = "http://oss-cn-hangzhou.aliyuncs.com".into();
        assert!(
            check_profile(&profile).is_err(),
            "plain http to a remote host"
        );
        profile.endpoint = "http://127.0.0.1:9000".into();
        assert!(check_profile(&profile).is_ok());
        profile.region.clear();
        assert!(check_profile(&profile).is_err());
    }

    #[test]
    fn endpoint_and_region_must_agree() {
        let mut profile = Profile::new(
            "p",
            "https://oss-cn-beijing.aliyuncs.com",
            "cn-hangzhou",
            "LTAI",
        );
        let error = check_profile(&profile).expect_err("a mismatch is refused");
        assert!(error.contains("cn-beijing"), "{error}");
        profile.region = "cn-beijing".into();
        assert!(check_profile(&profile).is_ok());
        // Internal endpoints name the region too; others name none.
        assert_eq!(
            region_from_endpoint_host("oss-ap-southeast-1-internal.aliyuncs.com").as_deref(),
            Some("ap-southeast-1")
        );
        for other in [
            "http://127.0.0.1:9000",
            "https://oss-accelerate.aliyuncs.com",
            "https://oss-accelerate-overseas.aliyuncs.com",
            "https://files.example.com",
        ] {
            assert_eq!(region_from_endpoint_host(other), None, "{other}");
            assert_eq!(region_mismatch(other, "cn-hangzhou"), None, "{other}");
        }
    }

    #[test]
    fn a_rename_moves_the_secret() {
        let store = MemoryStore::default();
        let secret = ProfileSecret::new("s", None);
        store_secret(&store, "old", Some(secret.clone()), None).expect("store");
        store_secret(&store, "new", None, Some("old")).expect("move");
        assert_eq!(store.get("new").expect("get"), Some(secret));
        assert_eq!(store.get("old").expect("get"), None);
    }
}

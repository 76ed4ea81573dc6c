//! Which credential provider signs for a profile: the one decision the CLI and the app both
//! call. An AccessKey or STS-token profile reads its keyring entry; a RAM-role profile assumes
//! its role with its source profile's key; an ECS-role profile asks the metadata service.
//!
//! Keyring reads block (D-Bus), so callers run [`provider_for`] on the blocking pool.

use std::sync::Arc;

use super::keystore::Keystore;
use super::profile::{CredentialType, Profile, ProfileConfig};
use crate::core::sts::{self, RoleArn};
use crate::transport::credentials::ecs::{DEFAULT_METADATA_URL, METADATA_URL_ENV};
use crate::transport::credentials::{
    AssumeRoleProvider, AssumeRoleSpec, CredentialCache, CredentialError, CredentialProvider,
    EcsRoleProvider, StaticProvider,
};
use crate::transport::{ClientConfig, Endpoint};

/// Where STS is asked instead of its usual address (a full URL), as `--sts-endpoint`.
pub const STS_ENDPOINT_ENV: &str = "OSS_STS_ENDPOINT";

/// The session name used when a RAM-role profile names none (it shows in ActionTrail).
pub const DEFAULT_SESSION_NAME: &str = "ossguard";

/// A profile's kind of credentials, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialKind {
    AccessKey,
    StsToken,
    RamRole {
        source_profile: String,
        spec: AssumeRoleSpec,
    },
    EcsRole {
        role_name: Option<String>,
    },
}

impl CredentialKind {
    /// Reads and checks the profile's `credential_type` settings.
    pub fn of(profile: &Profile) -> Result<Self, String> {
        let s = &profile.source;
        fn text(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        match s.credential_type {
            None if profile.uses_sts_token => Ok(Self::StsToken),
            None => Ok(Self::AccessKey),
            Some(CredentialType::EcsRamRole) => Ok(Self::EcsRole {
                role_name: text(&s.ecs_role_name).map(str::to_owned),
            }),
            Some(CredentialType::RamRole) => {
                let source = text(&s.source_profile).ok_or_else(|| {
                    format!("profile {:?}: source_profile is missing", profile.name)
                })?;
                if source == profile.name {
                    return Err(format!("profile {:?} is its own source", profile.name));
                }
                let arn = text(&s.role_arn)
                    .ok_or_else(|| format!("profile {:?}: role_arn is missing", profile.name))?;
                let role_arn = RoleArn::parse(arn)?;
                let session_name = text(&s.role_session_name)
                    .unwrap_or(DEFAULT_SESSION_NAME)
                    .to_owned();
                sts::validate_session_name(&session_name)?;
                let duration_seconds = s.duration_seconds.unwrap_or(sts::DEFAULT_DURATION_SECONDS);
                sts::validate_duration(duration_seconds)?;
                Ok(Self::RamRole {
                    source_profile: source.to_owned(),
                    spec: AssumeRoleSpec {
                        role_arn,
                        session_name,
                        duration_seconds,
                        external_id: text(&s.external_id).map(str::to_owned),
                        policy: text(&s.policy).map(str::to_owned),
                    },
                })
            }
        }
    }

    /// Whether the credentials are loaded from elsewhere and expire on their own.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::RamRole { .. } | Self::EcsRole { .. })
    }
}

/// What is not in the profile: where STS and the ECS metadata service are asked when not at
/// their usual addresses.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// `--sts-endpoint` / `OSS_STS_ENDPOINT`.
    pub sts_endpoint: Option<String>,
    /// `OSSGUARD_ECS_METADATA_URL`; `None` is the fixed address of every ECS instance.
    pub ecs_metadata_url: Option<String>,
}

impl SourceOptions {
    /// The overrides the environment sets (`OSS_STS_ENDPOINT`, `OSSGUARD_ECS_METADATA_URL`).
    pub fn from_env() -> Self {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|v: &String| !v.trim().is_empty())
        };
        Self {
            sts_endpoint: var(STS_ENDPOINT_ENV),
            ecs_metadata_url: var(METADATA_URL_ENV),
        }
    }
}

/// The provider for `profile`; `config` holds its source profile. Blocks on the keyring.
pub fn provider_for(
    profile: &Profile,
    config: &ProfileConfig,
    keystore: &dyn Keystore,
    options: &SourceOptions,
    client: &ClientConfig,
) -> Result<Arc<dyn CredentialProvider>, CredentialError> {
    let kind = CredentialKind::of(profile).map_err(CredentialError::Missing)?;
    match kind {
        CredentialKind::AccessKey | CredentialKind::StsToken => {
            Ok(Arc::new(keyring_provider(profile, keystore)?))
        }
        CredentialKind::EcsRole { role_name } => Ok(Arc::new(EcsRoleProvider::at(
            options
                .ecs_metadata_url
                .as_deref()
                .unwrap_or(DEFAULT_METADATA_URL),
            role_name.as_deref(),
        )?)),
        CredentialKind::RamRole {
            source_profile,
            spec,
        } => {
            let source = config.get(&source_profile).ok_or_else(|| {
                CredentialError::Missing(format!(
                    "profile {:?} names source_profile {source_profile:?}, which does not exist",
                    profile.name
                ))
            })?;
            if !matches!(
                CredentialKind::of(source),
                Ok(CredentialKind::AccessKey | CredentialKind::StsToken)
            ) {
                return Err(CredentialError::Missing(format!(
                    "source_profile {source_profile:?} of {:?} must be an AccessKey profile",
                    profile.name
                )));
            }
            let source = CredentialCache::new(Arc::new(keyring_provider(source, keystore)?));
            let profile_endpoint = Endpoint::parse(&profile.endpoint)
                .map_err(|e| CredentialError::Missing(e.to_string()))?;
            let endpoint = sts_endpoint(options.sts_endpoint.as_deref(), &profile_endpoint)?;
            Ok(Arc::new(AssumeRoleProvider::new(
                spec, endpoint, source, client,
            )?))
        }
    }
}

/// The profile's own keyring entry (AccessKey, or STS token with its expiry when known).
fn keyring_provider(
    profile: &Profile,
    keystore: &dyn Keystore,
) -> Result<StaticProvider, CredentialError> {
    let secret = keystore
        .get(&profile.name)
        .map_err(|e| {
            CredentialError::Missing(format!(
                "cannot read the secret of profile {:?}: {e}",
                profile.name
            ))
        })?
        .ok_or_else(|| {
            CredentialError::Missing(format!(
                "profile {:?} has no secret in {}: store the AccessKey secret for it (in the app: edit the profile)",
                profile.name,
                keystore.describe()
            ))
        })?;
    Ok(StaticProvider(
        secret.expiring_credentials(&profile.access_key_id),
    ))
}

/// Where AssumeRole is sent: the override when given; the profile's own endpoint when it is
/// a loopback dev server (STS is on its service port); else the central `sts.aliyuncs.com`,
/// which serves every region. (Regional `sts.<region>.aliyuncs.com` endpoints exist for the
/// main regions only, so the central one is the safe default; pass the override for a VPC.)
pub fn sts_endpoint(
    override_url: Option<&str>,
    profile_endpoint: &Endpoint,
) -> Result<Endpoint, CredentialError> {
    let text = match override_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => url.to_owned(),
        None if profile_endpoint.is_loopback() => profile_endpoint.url(),
        None => "https://sts.aliyuncs.com".to_owned(),
    };
    Endpoint::parse(&text)
        .map_err(|e| CredentialError::Missing(format!("STS endpoint {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::{CredentialKind, provider_for, sts_endpoint};
    use crate::app::keystore::{Keystore as _, MemoryStore, ProfileSecret};
    use crate::app::profile::{CredentialSettings, CredentialType, Profile, ProfileConfig};
    use crate::transport::credentials::CredentialError;
    use crate::transport::{ClientConfig, Endpoint};

    fn role(source: &str, arn: &str) -> Profile {
        let mut p = Profile::new(
            "role",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "",
        );
        p.source = Box::new(CredentialSettings {
            credential_type: Some(CredentialType::RamRole),
            source_profile: Some(source.into()),
            role_arn: Some(arn.into()),
            ..CredentialSettings::default()
        });
        p
    }

    #[test]
    fn kinds_are_read_and_bad_role_settings_refused() {
        let ak = Profile::new(
            "ak",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "LTAI",
        );
        assert_eq!(CredentialKind::of(&ak), Ok(CredentialKind::AccessKey));
        let good = role("ak", "acs:ram::1234567890123456:role/auditor");
        let Ok(CredentialKind::RamRole { spec, .. }) = CredentialKind::of(&good) else {
            panic!("a role profile");
        };
        assert_eq!(spec.session_name, "ossguard");
        assert_eq!(spec.duration_seconds, 3600);
        for (bad, needle) in [
            (role("ak", "auditor"), "not a RAM role ARN"),
            (role("", "acs:ram::1:role/a"), "source_profile"),
            (role("role", "acs:ram::1:role/a"), "its own source"),
        ] {
            let error = CredentialKind::of(&bad).expect_err("refused");
            assert!(error.contains(needle), "{error}");
        }
        let mut short = good.clone();
        short.source.duration_seconds = Some(60);
        assert!(CredentialKind::of(&short).is_err());
    }

    #[test]
    fn sources_must_exist_be_access_keys_and_have_a_secret() {
        let store = MemoryStore::default();
        let client = ClientConfig::new(
            Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").expect("endpoint"),
            "cn-hangzhou",
        );
        let mut config = ProfileConfig::default();
        let profile = role("ak", "acs:ram::1234567890123456:role/auditor");
        config.upsert(profile.clone());
        let missing = provider_for(&profile, &config, &store, &Default::default(), &client)
            .expect_err("no source");
        assert!(missing.to_string().contains("does not exist"), "{missing}");
        config.upsert(Profile::new(
            "ak",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "LTAI",
        ));
        let no_secret = provider_for(&profile, &config, &store, &Default::default(), &client)
            .expect_err("no secret");
        assert!(matches!(no_secret, CredentialError::Missing(_)));
        store
            .set("ak", &ProfileSecret::new("s", None))
            .expect("store");
        provider_for(&profile, &config, &store, &Default::default(), &client).expect("builds");
        let chained = role("role", "acs:ram::1:role/b");
        let mut chained = Profile {
            name: "chained".into(),
            ..chained
        };
        chained.source.source_profile = Some("role".into());
        config.upsert(chained.clone());
        let error = provider_for(&chained, &config, &store, &Default::default(), &client)
            .expect_err("a role as source");
        assert!(
            error.to_string().contains("must be an AccessKey profile"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn an_sts_token_profile_carries_the_expiry_stored_with_its_token() {
        let store = MemoryStore::default();
        let client = ClientConfig::new(
            Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").expect("endpoint"),
            "cn-hangzhou",
        );
        let mut profile = Profile::new(
            "sts",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "STS.x",
        );
        profile.uses_sts_token = true;
        let config = ProfileConfig::default();
        let load = |at| {
            let secret = ProfileSecret::new("s", Some("tok")).with_sts_expiration(Some(at));
            store.set("sts", &secret).expect("store");
            let provider = provider_for(&profile, &config, &store, &Default::default(), &client)
                .expect("builds");
            async move { provider.load().await }
        };
        let at = chrono::Utc::now() - chrono::TimeDelta::minutes(1);
        assert_eq!(
            load(at).await.expect_err("expired"),
            CredentialError::TokenExpired { at }
        );
        let later = chrono::Utc::now() + chrono::TimeDelta::hours(1);
        let loaded = load(later).await.expect("valid");
        assert_eq!(loaded.expiration, Some(later));
        assert_eq!(loaded.credentials.security_token(), Some("tok"));
    }

    #[test]
    fn sts_endpoint_override_then_dev_server_port_then_central() {
        let real = Endpoint::parse("https://oss-cn-beijing.aliyuncs.com").expect("endpoint");
        let local = Endpoint::parse("http://127.0.0.1:9000").expect("endpoint");
        let url = |o: Option<&str>, e: &Endpoint| sts_endpoint(o, e).expect("valid").url();
        assert_eq!(url(None, &real), "https://sts.aliyuncs.com");
        assert_eq!(url(None, &local), "http://127.0.0.1:9000");
        assert_eq!(
            url(Some("https://sts-vpc.cn-beijing.aliyuncs.com"), &real),
            "https://sts-vpc.cn-beijing.aliyuncs.com"
        );
        assert!(sts_endpoint(Some("ftp://x"), &real).is_err());
    }
}

//! Profiles: how to reach one account. Stored as TOML in the OS config folder with mode
//! 0600; the file never holds a secret (those live in the [keystore](super::keystore)).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::sign::SignatureVersion;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    /// e.g. `https://oss-cn-hangzhou.aliyuncs.com`, or the dev server's `http://127.0.0.1:P`.
    pub endpoint: String,
    pub region: String,
    /// Not a secret: like a user name. The secret is in the keystore under the profile name.
    pub access_key_id: String,
    #[serde(default)]
    pub signature_version: SignatureVersion,
    /// Whether the keystore entry also holds an STS token.
    #[serde(default)]
    pub uses_sts_token: bool,
    /// The embedded dev server's demo profile: its endpoint changes at every start.
    #[serde(default)]
    pub demo: bool,
    /// Bucket calls go to each bucket's IntranetEndpoint (ossguard on ECS inside the VPC).
    #[serde(default)]
    pub internal_endpoints: bool,
    /// Accept https bucket endpoints from ListBuckets outside the endpoint's own domain and
    /// aliyuncs.com (a private OSS deployment with several domains). Off by default.
    #[serde(default)]
    pub allow_foreign_bucket_endpoints: bool,
    /// Where temporary credentials come from (RAM role, ECS role); empty for AccessKey and
    /// STS-token profiles, whose files stay as they were.
    /// Boxed: most profiles leave it empty, and profiles travel in commands and events.
    #[serde(flatten)]
    pub source: Box<CredentialSettings>,
}

/// `credential_type` of a profile that holds no key of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialType {
    /// STS AssumeRole with the credentials of `source_profile`.
    RamRole,
    /// The ECS instance's RAM role, from the metadata service.
    EcsRamRole,
}

/// The config fields of RAM-role and ECS-role profiles, as written in `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<CredentialType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_session_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// An optional session policy (JSON) that narrows what the role's credentials may do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecs_role_name: Option<String>,
}

impl Profile {
    /// A V4 profile with no STS token.
    pub fn new(name: &str, endpoint: &str, region: &str, access_key_id: &str) -> Self {
        Self {
            name: name.to_owned(),
            endpoint: endpoint.to_owned(),
            region: region.to_owned(),
            access_key_id: access_key_id.to_owned(),
            signature_version: SignatureVersion::V4,
            uses_sts_token: false,
            demo: false,
            internal_endpoints: false,
            allow_foreign_bucket_endpoints: false,
            source: Box::default(),
        }
    }

    /// Whether the keyring holds this profile's secret (not so for RAM-role and ECS-role
    /// profiles, whose credentials are temporary and loaded when needed).
    pub fn has_own_secret(&self) -> bool {
        self.source.credential_type.is_none()
    }
}

/// The whole config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileConfig {
    #[serde(default)]
    pub active: Option<String>,
    #[serde(default, rename = "profile")]
    pub profiles: Vec<Profile>,
}

impl ProfileConfig {
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// Adds or replaces the profile with the same name.
    pub fn upsert(&mut self, profile: Profile) {
        match self.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(existing) => *existing = profile,
            None => self.profiles.push(profile),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.profiles.retain(|p| p.name != name);
        if self.active.as_deref() == Some(name) {
            self.active = self.profiles.first().map(|p| p.name.clone());
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid ossguard config: {message}")]
    Parse { path: PathBuf, message: String },
}

/// `$OSSGUARD_CONFIG_DIR/config.toml`, else the OS config folder's `ossguard/config.toml`.
pub fn default_config_path() -> PathBuf {
    if let Some(dir) = std::env::var_os("OSSGUARD_CONFIG_DIR") {
        return PathBuf::from(dir).join("config.toml");
    }
    directories::ProjectDirs::from("", "", "ossguard")
        .map(|dirs| dirs.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from(".ossguard/config.toml"))
}

/// `$OSSGUARD_DATA_DIR`, else the OS data folder's `ossguard`: dev-server state, change log.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OSSGUARD_DATA_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "ossguard")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".ossguard/data"))
}

/// A missing file is an empty config.
pub fn load(path: &Path) -> Result<ProfileConfig, ProfileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ProfileConfig::default()),
        Err(source) => {
            return Err(ProfileError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| ProfileError::Parse {
        path: path.to_owned(),
        message: one_line(&e, &text),
    })
}

/// `line L, column C: why`, on one line (toml's own text quotes the line over several, which
/// the CLI's terminal-safe output and a notice both show badly).
fn one_line(error: &toml::de::Error, text: &str) -> String {
    let why = error.message().trim();
    let Some(span) = error.span() else {
        return why.to_owned();
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}: {why}")
}

/// Writes atomically (a temp file of its own next to `path`, fsync, rename) with mode 0600.
/// Each call has its own temp file, so two writes at once never collide; which one ends up
/// on disk is for the caller to order (the app's [`ConfigFile`](super::config_writes::ConfigFile)).
pub fn save(path: &Path, config: &ProfileConfig) -> Result<(), ProfileError> {
    let write_err = |source| ProfileError::Write {
        path: path.to_owned(),
        source,
    };
    let text = toml::to_string_pretty(config)
        .map_err(|e| write_err(std::io::Error::other(e.to_string())))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(write_err)?;
    // tempfile creates it with mode 0600 on unix, before anything is written.
    let mut file = tempfile::Builder::new()
        .prefix("config.toml.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(write_err)?;
    file.write_all(text.as_bytes()).map_err(write_err)?;
    file.as_file().sync_all().map_err(write_err)?;
    #[cfg(unix)]
    file.as_file()
        .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(write_err)?;
    file.persist(path).map(drop).map_err(|e| write_err(e.error))
}

#[cfg(test)]
mod tests {
    use super::{CredentialType, Profile, ProfileConfig, load, save};

    fn one_profile(name: &str) -> ProfileConfig {
        let mut config = ProfileConfig::default();
        config.upsert(Profile::new(
            name,
            "https://oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "LTAIexample",
        ));
        config
    }

    #[test]
    fn concurrent_saves_all_succeed_and_leave_one_whole_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        let configs = [one_profile("a"), one_profile("b")];
        let start = std::sync::Barrier::new(configs.len());
        std::thread::scope(|scope| {
            for config in &configs {
                let (path, start) = (&path, &start);
                scope.spawn(move || {
                    start.wait();
                    for _ in 0..200 {
                        save(path, config).expect("every save succeeds");
                    }
                });
            }
        });
        let on_disk = load(&path).expect("a whole config");
        assert!(configs.contains(&on_disk), "{on_disk:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left, ["config.toml"], "no temp file is left behind");
    }

    #[test]
    fn round_trips_with_mode_0600_and_no_secret() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/config.toml");
        assert_eq!(
            load(&path).expect("missing is empty"),
            ProfileConfig::default()
        );
        let mut config = ProfileConfig::default();
        config.upsert(Profile::new(
            "prod",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "LTAIexample",
        ));
        config.active = Some("prod".into());
        save(&path, &config).expect("save");
        assert_eq!(load(&path).expect("load"), config);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.to_lowercase().contains("secret"));
        config.remove("prod");
        assert_eq!(config.active, None);
    }

    #[test]
    fn role_profiles_read_and_write_the_documented_fields() {
        let text = r#"
[[profile]]
name = "src"
endpoint = "https://oss-cn-hangzhou.aliyuncs.com"
region = "cn-hangzhou"
access_key_id = "LTAIsrc"

[[profile]]
name = "audit"
endpoint = "https://oss-cn-shanghai.aliyuncs.com"
region = "cn-shanghai"
access_key_id = ""
credential_type = "ram_role"
source_profile = "src"
role_arn = "acs:ram::1234567890123456:role/auditor"
role_session_name = "ossguard"
duration_seconds = 1800
external_id = "ext-1"

[[profile]]
name = "ecs"
endpoint = "https://oss-cn-hangzhou-internal.aliyuncs.com"
region = "cn-hangzhou"
access_key_id = ""
credential_type = "ecs_ram_role"
ecs_role_name = "EcsAuditor"
"#;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).expect("write");
        let config = load(&path).expect("valid");
        let plain = config.get("src").expect("src");
        assert_eq!(plain.source.credential_type, None);
        assert!(plain.has_own_secret());
        let role = config.get("audit").expect("audit");
        assert_eq!(role.source.credential_type, Some(CredentialType::RamRole));
        assert_eq!(role.source.source_profile.as_deref(), Some("src"));
        assert_eq!(role.source.duration_seconds, Some(1800));
        assert_eq!(role.source.external_id.as_deref(), Some("ext-1"));
        assert!(!role.has_own_secret());
        let ecs = config.get("ecs").expect("ecs");
        assert_eq!(ecs.source.credential_type, Some(CredentialType::EcsRamRole));
        assert_eq!(ecs.source.ecs_role_name.as_deref(), Some("EcsAuditor"));
        save(&path, &config).expect("save");
        assert_eq!(load(&path).expect("reload"), config);
        let written = std::fs::read_to_string(&path).expect("read");
        assert_eq!(written.matches("credential_type").count(), 2, "{written}");
    }

    #[test]
    fn bad_file_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "profile = 3").expect("write");
        let err = load(&path).expect_err("must fail");
        assert!(err.to_string().contains("not a valid ossguard config"));
        std::fs::write(&path, "active = \"a\"\n\n[[profile]]\nname = x\n").expect("write");
        let err = load(&path).expect_err("must fail").to_string();
        assert!(err.contains("line 4, column 8: "), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }
}

//! The ECS instance RAM role, from the metadata service in hardened mode: a session token
//! first (`PUT /latest/api/token`), then the role name and its temporary credentials with
//! that token. Reference: ECS documentation "Instance RAM roles" and "Instance metadata"
//! (hardened mode), as the aliyun credentials SDKs (`EcsRamRoleCredentialsProvider`) call it.

use std::time::Duration;

use futures::future::BoxFuture;

use super::{CredentialError, CredentialProvider, ExpiringCredentials};
use crate::core::sts::TemporaryCredentialsDoc;

/// The metadata service's fixed address on every ECS instance.
pub const DEFAULT_METADATA_URL: &str = "http://100.100.100.200";
/// Overrides the metadata address (tests run a loopback stub); read by the front ends
/// (`app::credential_source::SourceOptions::from_env`).
pub const METADATA_URL_ENV: &str = "OSSGUARD_ECS_METADATA_URL";
const TOKEN_PATH: &str = "/latest/api/token";
/// How long the metadata session token lives; each load asks for a new one.
const TOKEN_TTL_SECONDS: &str = "21600";
/// The metadata service answers within milliseconds on ECS; off ECS nothing answers at all,
/// so a short limit tells "not on ECS" quickly.
const METADATA_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone)]
pub struct EcsRoleProvider {
    base_url: String,
    role_name: Option<String>,
    http: reqwest::Client,
}

impl EcsRoleProvider {
    /// The metadata service at `base_url` (no trailing slash needed; `/latest/...` is
    /// appended). `role_name`: the profile's `ecs_role_name`; without it the service is asked
    /// which role is attached.
    pub fn at(base_url: &str, role_name: Option<&str>) -> Result<Self, CredentialError> {
        let http = reqwest::Client::builder()
            .timeout(METADATA_TIMEOUT)
            .connect_timeout(METADATA_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| CredentialError::Metadata(format!("cannot build HTTP client: {e}")))?;
        Ok(Self {
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            role_name: role_name
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            http,
        })
    }

    async fn fetch(&self) -> Result<ExpiringCredentials, CredentialError> {
        let token = self
            .call(
                reqwest::Method::PUT,
                TOKEN_PATH,
                ("X-aliyun-ecs-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS),
            )
            .await?;
        let auth = ("X-aliyun-ecs-metadata-token", token.trim());
        let base = "/latest/meta-data/ram/security-credentials/";
        let role = match &self.role_name {
            Some(role) => role.clone(),
            None => {
                let listed = self.call(reqwest::Method::GET, base, auth).await?;
                listed
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .ok_or(CredentialError::NoRoleAttached)?
                    .to_owned()
            }
        };
        let body = self
            .call(reqwest::Method::GET, &format!("{base}{role}"), auth)
            .await?;
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(rename = "Code", default)]
            code: String,
            #[serde(flatten)]
            credentials: TemporaryCredentialsDoc,
        }
        let answer: Answer = serde_json::from_str(&body).map_err(|e| {
            CredentialError::Metadata(format!("unreadable credentials of role {role}: {e}"))
        })?;
        if !answer.code.is_empty() && answer.code != "Success" {
            return Err(CredentialError::Metadata(format!(
                "role {role}: Code {}",
                answer.code
            )));
        }
        answer
            .credentials
            .into_expiring()
            .map_err(CredentialError::Metadata)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        header: (&str, &str),
    ) -> Result<String, CredentialError> {
        let url = format!("{}{path}", self.base_url);
        let response = self
            .http
            .request(method, &url)
            .header(header.0, header.1)
            .send()
            .await
            .map_err(|e| CredentialError::MetadataUnreachable {
                url: self.base_url.clone(),
                detail: e.to_string(),
            })?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| CredentialError::MetadataUnreachable {
                url: self.base_url.clone(),
                detail: e.to_string(),
            })?;
        match status.as_u16() {
            200..=299 => Ok(body),
            // Every ECS instance serves the token API; anything else answering there (a
            // proxy, another cloud) means this is not an ECS instance.
            code if path == TOKEN_PATH => Err(CredentialError::MetadataUnreachable {
                url: self.base_url.clone(),
                detail: format!("HTTP {code} from {path}"),
            }),
            // The role list (or a named role) is missing: no role attached by that name.
            404 if path.contains("security-credentials") => Err(CredentialError::NoRoleAttached),
            code => Err(CredentialError::Metadata(format!(
                "HTTP {code} from {path}"
            ))),
        }
    }
}

impl CredentialProvider for EcsRoleProvider {
    fn load(&self) -> BoxFuture<'_, Result<ExpiringCredentials, CredentialError>> {
        Box::pin(self.fetch())
    }
}

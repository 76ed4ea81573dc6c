//! The ECS instance RAM role provider against a loopback metadata stub that insists on
//! hardened mode (a session token first), then the dev server signed with what it returned.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, put};

use crate::common::{AK, SK, TestServer};
use ossguard::transport::credentials::{CredentialError, CredentialProvider as _, EcsRoleProvider};
use ossguard::transport::{ClientConfig, Endpoint, OssClient};

const TOKEN: &str = "sts-token-from-ecs";
const SESSION: &str = "metadata-session-token";

#[derive(Default)]
struct Stub {
    token_puts: AtomicU32,
    refused: AtomicU32,
}

/// Serves the metadata paths; anything without the session token gets 401, as hardened mode.
async fn metadata_stub(role: &'static str, expires_in: chrono::TimeDelta) -> (String, Arc<Stub>) {
    let stub = Arc::new(Stub::default());
    let authorised = {
        let stub = stub.clone();
        move |headers: &HeaderMap| {
            let ok = headers
                .get("x-aliyun-ecs-metadata-token")
                .is_some_and(|v| v == SESSION);
            if !ok {
                stub.refused.fetch_add(1, Ordering::SeqCst);
            }
            ok
        }
    };
    let list_auth = authorised.clone();
    let role_auth = authorised;
    let put_stub = stub.clone();
    let app = Router::new()
        .route(
            "/latest/api/token",
            put(move |headers: HeaderMap| {
                let stub = put_stub.clone();
                async move {
                    stub.token_puts.fetch_add(1, Ordering::SeqCst);
                    match headers.get("x-aliyun-ecs-metadata-token-ttl-seconds") {
                        Some(_) => (StatusCode::OK, SESSION.to_owned()),
                        None => (StatusCode::BAD_REQUEST, "ttl header missing".into()),
                    }
                }
            }),
        )
        .route(
            "/latest/meta-data/ram/security-credentials/",
            get(move |headers: HeaderMap| async move {
                if list_auth(&headers) {
                    (StatusCode::OK, format!("{role}\n"))
                } else {
                    (StatusCode::UNAUTHORIZED, String::new())
                }
            }),
        )
        .route(
            "/latest/meta-data/ram/security-credentials/{name}",
            get(
                move |headers: HeaderMap, axum::extract::Path(name): axum::extract::Path<String>| async move {
                    if !role_auth(&headers) {
                        return (StatusCode::UNAUTHORIZED, String::new());
                    }
                    if name != role {
                        return (StatusCode::NOT_FOUND, String::new());
                    }
                    let body = serde_json::json!({
                        "AccessKeyId": format!("STS.{AK}"),
                        "AccessKeySecret": SK,
                        "SecurityToken": TOKEN,
                        "Expiration": ossguard::core::sts::format_expiration(chrono::Utc::now() + expires_in),
                        "Code": "Success",
                        "LastUpdated": "2026-01-01T00:00:00Z",
                    });
                    (StatusCode::OK, body.to_string())
                },
            ),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, stub)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecs_role_credentials_sign_oss_requests() {
    let (url, stub) = metadata_stub("OssAuditor", chrono::TimeDelta::hours(6)).await;
    let server = TestServer::start(|c| c.sts_token = Some(TOKEN.into())).await;
    // The role name is asked for when the profile names none.
    let provider = EcsRoleProvider::at(&url, None).expect("provider");
    let loaded = provider.load().await.expect("credentials");
    assert_eq!(loaded.credentials.access_key_id, format!("STS.{AK}"));
    assert!(loaded.expiration.is_some());
    assert_eq!(stub.token_puts.load(Ordering::SeqCst), 1);
    assert_eq!(
        stub.refused.load(Ordering::SeqCst),
        0,
        "token sent every time"
    );

    let config = ClientConfig::new(
        Endpoint::parse(server.endpoint()).expect("endpoint"),
        "cn-hangzhou",
    );
    let client = OssClient::with_provider(config, Arc::new(provider)).expect("client");
    client
        .list_buckets(None)
        .await
        .expect("signed with the role");
    client.list_buckets(None).await.expect("again, cached");
    // One load for the first request; the second used the cached credentials.
    assert_eq!(stub.token_puts.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_role_name_and_no_metadata_service_name_the_fix() {
    let (url, _stub) = metadata_stub("OssAuditor", chrono::TimeDelta::hours(6)).await;
    let wrong = EcsRoleProvider::at(&url, Some("NotAttached")).expect("provider");
    let error = wrong.load().await.expect_err("no such role");
    assert_eq!(error, CredentialError::NoRoleAttached);
    assert!(
        error.hint().contains("Attach a RAM role"),
        "{}",
        error.hint()
    );

    // A port nothing listens on: not on ECS.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let provider = EcsRoleProvider::at(&dead, None).expect("provider");
    let error = provider.load().await.expect_err("unreachable");
    assert!(
        matches!(error, CredentialError::MetadataUnreachable { .. }),
        "{error:?}"
    );
    assert!(error.hint().contains("not running on an ECS instance"));
}

/// The CLI with an ECS-role profile: `OSSGUARD_ECS_METADATA_URL` points it at the stub, the
/// profile brings endpoint and region (no OSS_* variables), no keyring is involved. Off ECS
/// (nothing at the address) it exits 1 and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_ecs_role_profile_uses_the_metadata_service_named_by_the_environment() {
    let (url, stub) = metadata_stub("OssAuditor", chrono::TimeDelta::hours(6)).await;
    let server = TestServer::start(|c| {
        c.sts_token = Some(TOKEN.into());
        c.seed_buckets = 3;
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut profile =
        ossguard::app::profile::Profile::new("on-ecs", server.endpoint(), "cn-hangzhou", "");
    profile.source.credential_type = Some(ossguard::app::profile::CredentialType::EcsRamRole);
    let mut config = ossguard::app::profile::ProfileConfig::default();
    config.upsert(profile);
    ossguard::app::profile::save(&dir.path().join("config.toml"), &config).expect("config");
    let run = |metadata: String| {
        let config_dir = dir.path().to_owned();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_ossguard"))
                .args(["--profile", "on-ecs", "buckets", "--format", "json"])
                .env_remove("OSS_ENDPOINT")
                .env_remove("OSS_REGION")
                .env_remove("OSS_ACCESS_KEY_ID")
                .env_remove("OSS_ACCESS_KEY_SECRET")
                .env("OSSGUARD_CONFIG_DIR", &config_dir)
                .env("OSSGUARD_DATA_DIR", config_dir.join("data"))
                .env("OSSGUARD_ECS_METADATA_URL", metadata)
                .output()
                .expect("ossguard runs")
        })
    };
    let out = run(url).await.expect("joined");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows.as_array().expect("array").len(), 3);
    assert_eq!(
        stub.token_puts.load(Ordering::SeqCst),
        1,
        "one load for the run"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let out = run(dead).await.expect("joined");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not running on an ECS instance"),
        "{stderr}"
    );
}

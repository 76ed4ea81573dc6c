//! RAM-role credentials end to end against the in-process dev server: AssumeRole signed with
//! a long-term key, the issued `STS.` credentials accepted by OSS and KMS until they expire,
//! renewal before expiry, one retry after an expired answer, refusals that name the fix, and
//! a soak audit during which the credentials expire every two seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::common::{AK, Calls, SK, TestServer};
use ossguard::core::rpc::{KMS, RpcApi};
use ossguard::core::sts::RoleArn;
use ossguard::devserver::sts_state::RoleDef;
use ossguard::transport::credentials::assume_role::{
    AssumeRoleProvider, AssumeRoleSpec, caller_identity, sts_client,
};
use ossguard::transport::credentials::{
    CredentialCache, CredentialError, CredentialProvider, ExpiringCredentials,
};
use ossguard::transport::rpc::{RpcClient, RpcSettings};
use ossguard::transport::{ClientConfig, Endpoint, OssClient, fanout};

const ROLE: &str = "acs:ram::2222333344445555:role/auditor";
const UNTRUSTING: &str = "acs:ram::2222333344445555:role/locked";

async fn server_with_roles(max_seconds: Option<u32>, seed: usize) -> TestServer {
    TestServer::start(|c| {
        c.sts_roles = vec![
            RoleDef::parse_flag(&format!("arn={ROLE}")).expect("role"),
            RoleDef::parse_flag(&format!("arn={UNTRUSTING},trust=LTAIsomeoneelse")).expect("role"),
        ];
        c.sts_max_duration_seconds = max_seconds;
        c.seed_buckets = seed;
    })
    .await
}

fn spec(arn: &str) -> AssumeRoleSpec {
    AssumeRoleSpec {
        role_arn: RoleArn::parse(arn).expect("arn"),
        session_name: "ossguard-test".into(),
        duration_seconds: 3600,
        external_id: None,
        policy: None,
    }
}

fn config(server: &TestServer) -> ClientConfig {
    ClientConfig::new(
        Endpoint::parse(server.endpoint()).expect("endpoint"),
        "cn-hangzhou",
    )
}

/// An RPC client of `api` on the server's service port, signing with `credentials`.
fn rpc_client(server: &TestServer, api: RpcApi, credentials: CredentialCache) -> RpcClient {
    let endpoint = Endpoint::parse(server.endpoint()).expect("endpoint");
    RpcClient::with_credentials(api, endpoint, credentials, RpcSettings::default())
        .expect("rpc client")
}

fn role_provider(server: &TestServer, arn: &str) -> AssumeRoleProvider {
    AssumeRoleProvider::new(
        spec(arn),
        Endpoint::parse(server.endpoint()).expect("endpoint"),
        CredentialCache::fixed(ossguard::core::sign::Credentials::new(AK, SK)),
        &config(server),
    )
    .expect("provider")
}

/// Counts loads of the provider it wraps.
#[derive(Debug)]
struct Counted<P> {
    inner: P,
    loads: Arc<AtomicU32>,
    /// Claims the credentials last an hour longer than STS said (so only the server's
    /// refusal can tell they expired).
    overstate: bool,
}

impl<P: CredentialProvider> CredentialProvider for Counted<P> {
    fn load(&self) -> BoxFuture<'_, Result<ExpiringCredentials, CredentialError>> {
        Box::pin(async move {
            self.loads.fetch_add(1, Ordering::SeqCst);
            let mut loaded = self.inner.load().await?;
            if self.overstate {
                loaded.expiration = loaded.expiration.map(|at| at + chrono::TimeDelta::hours(1));
            }
            Ok(loaded)
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assumed_role_credentials_sign_oss_and_kms_and_are_renewed() {
    let server = server_with_roles(Some(2), 3).await;
    let loads = Arc::new(AtomicU32::new(0));
    let provider = Counted {
        inner: role_provider(&server, ROLE),
        loads: loads.clone(),
        overstate: false,
    };
    let client = OssClient::with_provider(config(&server), Arc::new(provider)).expect("client");
    assert_eq!(client.list_buckets(None).await.expect("lists").len(), 3);
    let first_key = client.access_key_id();
    assert!(first_key.starts_with("STS."), "{first_key}");
    client.list_buckets(None).await.expect("cached");
    assert_eq!(
        loads.load(Ordering::SeqCst),
        1,
        "one AssumeRole, not one per request"
    );

    // KMS accepts the same temporary credentials.
    let kms = rpc_client(&server, KMS, client.credentials().clone());
    kms.call(&ossguard::core::kms::list_keys(1, 10))
        .await
        .expect("KMS takes STS credentials");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    client.list_buckets(None).await.expect("renewed");
    assert_ne!(client.access_key_id(), first_key, "new credentials");
    assert_eq!(loads.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_answer_renews_and_retries_once_on_oss_and_kms() {
    let server = server_with_roles(Some(1), 2).await;
    let loads = Arc::new(AtomicU32::new(0));
    let provider = Counted {
        inner: role_provider(&server, ROLE),
        loads: loads.clone(),
        overstate: true,
    };
    let calls = Calls::default();
    let client = calls
        .attach(OssClient::with_provider(config(&server), Arc::new(provider)).expect("client"));
    client.list_buckets(None).await.expect("first");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // The cache believes the credentials fresh; OSS says 403 SecurityTokenExpired, the
    // client assumes the role again and the retry succeeds.
    client
        .list_buckets(None)
        .await
        .expect("retried after renewal");
    let outcomes: Vec<String> = calls.snapshot().into_iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, ["OK", "SecurityTokenExpired", "OK"]);
    assert_eq!(loads.load(Ordering::SeqCst), 2);

    let kms = rpc_client(&server, KMS, client.credentials().clone());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // KMS answers 400 InvalidSecurityToken.Expired; renewed and retried once.
    kms.call(&ossguard::core::kms::list_keys(1, 10))
        .await
        .expect("KMS retried after renewal");
    assert_eq!(loads.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_credentials_are_refused_with_each_services_code() {
    let server = server_with_roles(Some(1), 0).await;
    let loaded = role_provider(&server, ROLE).load().await.expect("assumed");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let stale = CredentialCache::fixed(loaded.credentials);
    let oss = OssClient::with_credentials(config(&server), stale.clone()).expect("client");
    let error = oss.list_buckets(None).await.expect_err("expired");
    assert_eq!(
        (error.status(), error.code()),
        (Some(403), "SecurityTokenExpired")
    );
    for api in [KMS, ossguard::core::rpc::STS] {
        let client = rpc_client(&server, api, stale.clone());
        let call = api.call(if api == KMS {
            "ListKeys"
        } else {
            "GetCallerIdentity"
        });
        let error = client.call(&call).await.expect_err("expired");
        assert_eq!(
            (error.status(), error.code()),
            (Some(400), "InvalidSecurityToken.Expired"),
            "{}",
            api.product
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_identity_names_the_account_of_key_and_role() {
    let server = server_with_roles(None, 0).await;
    let endpoint = Endpoint::parse(server.endpoint()).expect("endpoint");
    let own = CredentialCache::fixed(ossguard::core::sign::Credentials::new(AK, SK));
    let sts = sts_client(endpoint.clone(), own, &config(&server)).expect("sts");
    let me = caller_identity(&sts).await.expect("identity");
    assert_eq!(me.account_id, ossguard::devserver::DEFAULT_ACCOUNT_ID);

    let role = CredentialCache::new(Arc::new(role_provider(&server, ROLE)));
    let sts = sts_client(endpoint, role, &config(&server)).expect("sts");
    let assumed = caller_identity(&sts).await.expect("identity");
    assert_eq!(assumed.account_id, "2222333344445555");
    assert_eq!(assumed.identity_type, "AssumedRoleUser");
    assert!(
        assumed.arn.contains("role/auditor/ossguard-test"),
        "{}",
        assumed.arn
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_assume_role_names_the_ram_action_and_the_trust_policy() {
    let server = server_with_roles(None, 1).await;
    let client = OssClient::with_provider(
        config(&server),
        Arc::new(role_provider(&server, UNTRUSTING)),
    )
    .expect("client");
    let error = client.list_buckets(None).await.expect_err("refused");
    assert_eq!(error.code(), "NoPermission");
    assert!(error.hint().contains("sts:AssumeRole"), "{}", error.hint());
    assert!(error.hint().contains("trust policy"), "{}", error.hint());
}

/// Temporary credentials that expire every two seconds, during an audit loop of about ten
/// seconds over 400 buckets: every rule is read, none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_audit_while_credentials_expire_every_two_seconds() {
    let server = TestServer::start(|c| {
        c.sts_roles = vec![RoleDef::parse_flag(&format!("arn={ROLE}")).expect("role")];
        c.sts_max_duration_seconds = Some(2);
        c.seed_buckets = 400;
        c.latency = Duration::from_millis(3);
    })
    .await;
    let loads = Arc::new(AtomicU32::new(0));
    let provider = Counted {
        inner: role_provider(&server, ROLE),
        loads: loads.clone(),
        overstate: false,
    };
    let client = OssClient::with_provider(config(&server), Arc::new(provider)).expect("client");
    let started = Instant::now();
    let mut rounds = 0;
    while started.elapsed() < Duration::from_secs(10) {
        let buckets = client.list_buckets(None).await.expect("lists");
        assert_eq!(buckets.len(), 400);
        let states: Vec<_> =
            fanout::encryption_states(client.clone(), buckets, 16, CancellationToken::new())
                .collect()
                .await;
        for (bucket, state) in &states {
            assert!(
                !matches!(state, ossguard::core::sse::EncryptionState::Unknown(_)),
                "{}: {state:?}",
                bucket.name
            );
        }
        rounds += 1;
    }
    let loads = loads.load(Ordering::SeqCst);
    assert!(rounds >= 2, "{rounds} rounds");
    assert!(
        loads >= 4,
        "credentials renewed during the audit ({loads} loads)"
    );
    assert!(
        loads < 40,
        "renewed from Expiration, not per request ({loads} loads)"
    );
}

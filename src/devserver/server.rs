//! One loopback listener per region, the state they share, and shutdown.
//!
//! Real OSS serves each region on its own endpoint and refuses a bucket addressed through
//! another; giving every region its own port reproduces that locally: the port a request
//! arrives on defines "this region".

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::auth::Keys;
use super::connections;
use super::demo::{demo_buckets, seed_buckets};
use super::demo_keys::{demo_key_buckets, demo_keys};
use super::rpc::NonceCache;
use super::rpc::kms::KmsData;
use super::seed_keys::seed_kms_keys;
use super::seed_objects as objects;
use super::store::Store;
use super::sts_state::{StsState, load_roles_file};
use super::{DevServerConfig, ReadyInfo, RegionEndpoints, routes};
use crate::core::model::public_endpoint_for_region;

/// State shared by every region's port.
pub(crate) struct Shared {
    pub store: Store,
    pub keys: Keys,
    /// KMS's keys (read once at start).
    pub kms: KmsData,
    /// SignatureNonce values of recent RPC calls.
    pub rpc_nonces: NonceCache,
    pub latency: Duration,
    /// A request body must arrive within this long (see [`ConnectionLimits`]).
    pub body_timeout: Duration,
    pub fail_rate: f64,
    clock_skew: chrono::Duration,
    ip: IpAddr,
    /// Region -> port, in `--regions` order.
    ports: Vec<(String, u16)>,
}

impl Shared {
    /// The server clock: real time plus the configured skew.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_skew
    }

    /// `127.0.0.1:<port>` of a served region (what ListBuckets reports as ExtranetEndpoint and
    /// the wrong-region error as Endpoint); a region this server does not serve gets its real
    /// public endpoint name.
    pub fn endpoint_of(&self, region: &str) -> String {
        self.ports.iter().find(|(r, _)| r == region).map_or_else(
            || public_endpoint_for_region(region),
            |(_, port)| SocketAddr::new(self.ip, *port).to_string(),
        )
    }

    /// The served regions, in `--regions` order.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.ports.iter().map(|(r, _)| r.as_str())
    }

    /// The owner shown in ListBuckets and GetBucketInfo: the server key's account.
    pub fn owner_id(&self) -> &str {
        &self.keys.sts.account_id
    }
}

/// What one region's port knows: the shared state and its own region.
pub(crate) struct RegionState {
    pub shared: Arc<Shared>,
    pub region: String,
}

pub(crate) struct Running {
    pub ready: ReadyInfo,
    pub ports: Vec<(String, u16)>,
    pub cancel: CancellationToken,
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

pub(crate) async fn launch(config: DevServerConfig) -> anyhow::Result<Running> {
    let mut listeners = Vec::with_capacity(config.regions.len());
    for (i, region) in config.regions.iter().enumerate() {
        let addr = if i == 0 {
            config.listen
        } else {
            SocketAddr::new(config.listen.ip(), 0)
        };
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr} for region {region}"))?;
        let port = listener.local_addr()?.port();
        listeners.push((region.clone(), listener, port));
    }
    let ports: Vec<(String, u16)> = listeners
        .iter()
        .map(|(region, _, port)| (region.clone(), *port))
        .collect();

    let (store, kms) = open_store(&config).await?;
    let mut roles = config.sts_roles.clone();
    roles.extend(load_roles_file(&config.data_dir)?);
    let sts = StsState::new(
        &config.account_id,
        &config.access_key_id,
        roles,
        config.sts_max_duration_seconds,
    );
    let shared = Arc::new(Shared {
        store,
        kms,
        rpc_nonces: NonceCache::default(),
        keys: Keys::new(
            &config.access_key_id,
            &config.access_key_secret,
            config.sts_token.as_deref(),
            config.sts_expires_at,
            sts,
        ),
        latency: config.latency,
        body_timeout: config.connection_limits.body_timeout,
        fail_rate: config.fail_rate,
        clock_skew: config.clock_skew,
        ip: config.listen.ip(),
        ports: ports.clone(),
    });

    let cancel = CancellationToken::new();
    let mut tasks = Vec::with_capacity(listeners.len());
    for (region, listener, port) in listeners {
        let state = Arc::new(RegionState {
            shared: Arc::clone(&shared),
            region: region.clone(),
        });
        let router = routes::router(state);
        let limits = config.connection_limits;
        let token = cancel.clone();
        tasks.push(tokio::spawn(async move {
            connections::serve(listener, router, limits, token).await;
            tracing::debug!(%region, port, "listener stopped");
        }));
    }

    let url = |port: u16| format!("http://{}", SocketAddr::new(config.listen.ip(), port));
    let regions = RegionEndpoints(
        ports
            .iter()
            .map(|(region, port)| (region.clone(), url(*port)))
            .collect(),
    );
    let endpoint = regions
        .0
        .first()
        .map(|(_, u)| u.clone())
        .unwrap_or_default();
    tracing::info!(
        %endpoint,
        buckets = shared.store.bucket_count(),
        data = ?config.data_dir,
        "dev server ready"
    );
    Ok(Running {
        ready: ReadyInfo {
            endpoint,
            regions,
            access_key_id: config.access_key_id.clone(),
        },
        ports,
        cancel,
        tasks,
    })
}

/// Loads the data dir; an empty one gets the demo buckets and/or the seed buckets, and with
/// `--demo` a data dir without KMS keys gets the demo keys.
async fn open_store(config: &DevServerConfig) -> anyhow::Result<(Store, KmsData)> {
    let dir = config.data_dir.clone();
    let regions = config.regions.clone();
    let (demo, seed) = (config.demo, config.seed_buckets);
    let seed_key_count = config.seed_kms_keys;
    let seed_objects = config.seed_objects;
    tokio::task::spawn_blocking(move || -> anyhow::Result<(Store, KmsData)> {
        let store =
            Store::open(&dir).with_context(|| format!("opening data dir {}", dir.display()))?;
        let mut records = Vec::new();
        let mut seeded_keys = Vec::new();
        if store.bucket_count() == 0 {
            if demo {
                records.extend(demo_buckets(&regions));
                records.extend(demo_key_buckets(&regions));
            }
            let mut seeded = seed_buckets(seed, &regions);
            seeded_keys = seed_kms_keys(&mut seeded, seed_key_count);
            records.extend(seeded);
            let first = regions.first().cloned().unwrap_or_default();
            if seed_objects > 0 {
                records.push(objects::seed_objects_bucket(&first));
            }
            if !records.is_empty() {
                let count = records.len();
                store
                    .seed(records.clone())
                    .context("writing the initial buckets")?;
                tracing::info!(count, "created initial buckets");
            }
            if demo {
                store
                    .seed_objects(objects::DEMO_OBJECTS_BUCKET, objects::demo_objects())
                    .context("writing the demo objects")?;
            }
            if seed_objects > 0 {
                store
                    .seed_objects(
                        objects::SEED_OBJECTS_BUCKET,
                        objects::seed_objects(seed_objects),
                    )
                    .context("writing the seed objects")?;
                tracing::info!(count = seed_objects, "created seed objects");
            }
        }
        let kms = match KmsData::load(&dir)? {
            Some(kms) => kms,
            None if demo || !seeded_keys.is_empty() => {
                let mut kms = KmsData::default();
                if demo {
                    let delete_date = (Utc::now() + chrono::Duration::days(7))
                        .format("%Y-%m-%dT%H:%M:%SZ")
                        .to_string();
                    kms = demo_keys(&regions, &records, &delete_date);
                }
                // With --demo too, the demo already made keys for the CMKs its buckets name.
                for key in seeded_keys {
                    if !kms
                        .keys
                        .iter()
                        .any(|k| k.metadata.key_id == key.metadata.key_id)
                    {
                        kms.keys.push(key);
                    }
                }
                kms.save(&dir).context("writing the KMS keys")?;
                kms
            }
            None => KmsData::default(),
        };
        Ok((store, kms))
    })
    .await
    .context("opening the data dir")?
}

//! Issue #6, item 5: how many GetBucketEncryption requests per second the dev server answers,
//! signatures checked, at concurrency 32, so that it never limits the audit benchmark.
//!
//! The server runs in this process (`devserver::start`, no added latency, 1,000 seed buckets
//! over four regions) and is driven through the real client (`OssClient::get_encryption`,
//! signing every request) with `buffer_unordered(32)`: the figure counts the client's CPU too,
//! so the server alone is at least this fast. The audit at 20 ms per request and concurrency
//! 32 needs at most 32 / 0.020 s = 1,600 requests/s; the headroom is the ratio of the two, both
//! measured in the same run. A last pass at 20 ms checks that the pair really reaches that
//! rate (achieved / ideal).
//!
//! `cargo bench --bench devserver_rps [-- --requests N --json]`. `--json` adds one line
//! `RESULT {...}` for `benches/run.py`. Nothing here is asserted: timings are not tests.

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use ossguard::core::model::Bucket;
use ossguard::core::sign::{Credentials, SignatureVersion};
use ossguard::devserver::{self, DevServerConfig};
use ossguard::transport::{ClientConfig, Endpoint, OssClient};

const AK: &str = "LTAI5tBenchKey000001";
const SK: &str = "bench-secret-not-for-production";
const CONCURRENCY: usize = 32;
const SEED_BUCKETS: usize = 1_000;
const AUDIT_LATENCY: Duration = Duration::from_millis(20);

struct Options {
    requests: usize,
    json: bool,
}

fn options() -> Options {
    let mut options = Options {
        requests: 50_000,
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--requests" => {
                if let Some(n) = args.next().and_then(|v| v.parse().ok()) {
                    options.requests = n;
                }
            }
            "--json" => options.json = true,
            // `cargo bench` passes `--bench`; anything else is ignored too.
            _ => {}
        }
    }
    options
}

/// One measured pass: `requests` calls spread over `buckets`, `CONCURRENCY` in flight.
struct Pass {
    requests: usize,
    errors: usize,
    elapsed: Duration,
}

impl Pass {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

async fn drive(client: &OssClient, buckets: &[Bucket], requests: usize) -> Pass {
    let started = Instant::now();
    let errors = futures::stream::iter((0..requests).map(|i| &buckets[i % buckets.len()]))
        .map(|bucket| async move { client.get_encryption(bucket).await.is_err() })
        .buffer_unordered(CONCURRENCY)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    Pass {
        requests,
        errors,
        elapsed: started.elapsed(),
    }
}

/// Starts a server with `latency`, lists its buckets through `version`, warms up, measures.
async fn measure(
    dir: &std::path::Path,
    latency: Duration,
    version: SignatureVersion,
    requests: usize,
) -> anyhow::Result<Pass> {
    let mut config = DevServerConfig::new(dir.to_owned(), AK, SK);
    config.seed_buckets = SEED_BUCKETS;
    config.latency = latency;
    let server = devserver::start(config).await?;
    let mut client_config =
        ClientConfig::new(Endpoint::parse(&server.ready.endpoint)?, "cn-hangzhou");
    client_config.signature_version = version;
    let client = OssClient::new(client_config, Credentials::new(AK, SK))?;
    let buckets = client.list_buckets(None).await?;
    anyhow::ensure!(
        buckets.len() == SEED_BUCKETS,
        "listed {} buckets",
        buckets.len()
    );
    drive(&client, &buckets, (requests / 20).max(CONCURRENCY)).await; // warm-up: connections, caches
    let pass = drive(&client, &buckets, requests).await;
    server.shutdown().await;
    Ok(pass)
}

fn main() -> anyhow::Result<()> {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let root = tempfile::tempdir()?;
    let ideal = CONCURRENCY as f64 / AUDIT_LATENCY.as_secs_f64();
    runtime.block_on(async {
        let v4 = measure(&root.path().join("v4"), Duration::ZERO, SignatureVersion::V4, options.requests).await?;
        let v1 = measure(&root.path().join("v1"), Duration::ZERO, SignatureVersion::V1, options.requests).await?;
        // From here on, the one-line-per-request info log that `ossguard devserver` writes
        // to stderr is formatted too (into a sink), as in the audit benchmark.
        tracing_subscriber::fmt()
            .with_writer(std::io::sink)
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .try_init()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let logged = measure(&root.path().join("logged"), Duration::ZERO, SignatureVersion::V4, options.requests).await?;
        // ~1.25 s: enough rounds of 20 ms to see whether the pair keeps 32 requests in flight.
        let paced_requests = 2_000;
        let paced = measure(&root.path().join("paced"), AUDIT_LATENCY, SignatureVersion::V4, paced_requests).await?;
        // Whole rounds of 32 requests, each at least 20 ms.
        let paced_ideal = (paced_requests.div_ceil(CONCURRENCY) as f64 * AUDIT_LATENCY.as_secs_f64()).recip()
            * paced_requests as f64;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        println!("dev server GetBucketEncryption, concurrency {CONCURRENCY}, {cores} cores, client in the same process");
        for (name, pass) in [
            ("V4", &v4),
            ("V1", &v1),
            ("V4 + info log", &logged),
            ("V4 + log, 20 ms", &paced),
        ] {
            println!(
                "  {name:<16} {:>6} requests in {:>7.3} s = {:>8.0} req/s ({} errors)",
                pass.requests,
                pass.elapsed.as_secs_f64(),
                pass.per_second(),
                pass.errors
            );
        }
        println!(
            "  the audit needs at most {ideal:.0} req/s (32 / 20 ms): headroom V4 {:.1}x, V1 {:.1}x, V4 + log {:.1}x;\n  at 20 ms the pair reached {:.2} of the ideal {paced_ideal:.0} req/s (whole rounds)",
            v4.per_second() / ideal,
            v1.per_second() / ideal,
            logged.per_second() / ideal,
            paced.per_second() / paced_ideal
        );
        if options.json {
            let result = serde_json::json!({
                "bench": "devserver_rps",
                "concurrency": CONCURRENCY,
                "cores": cores,
                "v4_rps": v4.per_second(),
                "v4_errors": v4.errors,
                "v1_rps": v1.per_second(),
                "v1_errors": v1.errors,
                "requests": options.requests,
                "logged_rps": logged.per_second(),
                "logged_errors": logged.errors,
                "paced_ideal_rps": paced_ideal,
                "paced_rps": paced.per_second(),
                "paced_errors": paced.errors,
                "audit_demand_rps": ideal,
            });
            println!("RESULT {result}");
        }
        anyhow::Ok(())
    })
}

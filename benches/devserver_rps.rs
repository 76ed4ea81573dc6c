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
    // `cargo test --all-targets` runs this without `--bench`: then a short smoke run.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let mut options = Options {
        requests: if smoke { 2_000 } else { 30_000 },
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

/// Bytes of log written, to show that the "+ log" passes really format their lines.
static LOGGED_BYTES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `io::sink` that counts.
struct CountingSink;

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGGED_BYTES.fetch_add(buf.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A running server and a client of it that signs with `version`.
async fn server_and_client(
    dir: &std::path::Path,
    latency: Duration,
) -> anyhow::Result<(devserver::DevServer, Vec<Bucket>)> {
    let mut config = DevServerConfig::new(dir.to_owned(), AK, SK);
    config.seed_buckets = SEED_BUCKETS;
    config.latency = latency;
    let server = devserver::start(config).await?;
    let buckets = client(&server, SignatureVersion::V4)?
        .list_buckets(None)
        .await?;
    anyhow::ensure!(
        buckets.len() == SEED_BUCKETS,
        "listed {} buckets",
        buckets.len()
    );
    Ok((server, buckets))
}

fn client(server: &devserver::DevServer, version: SignatureVersion) -> anyhow::Result<OssClient> {
    let mut config = ClientConfig::new(Endpoint::parse(&server.ready.endpoint)?, "cn-hangzhou");
    config.signature_version = version;
    Ok(OssClient::new(config, Credentials::new(AK, SK))?)
}

/// The pass with the median rate.
fn median(mut passes: Vec<Pass>) -> Pass {
    passes.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
    passes.swap_remove(passes.len() / 2)
}

fn main() -> anyhow::Result<()> {
    let options = options();
    // The per-request info log of `ossguard devserver`, formatted into a sink, switched on
    // only for the "+ log" passes.
    let (level, switch) =
        tracing_subscriber::reload::Layer::new(tracing_subscriber::EnvFilter::new("off"));
    {
        use tracing_subscriber::layer::SubscriberExt as _;
        use tracing_subscriber::util::SubscriberInitExt as _;
        tracing_subscriber::registry()
            .with(level)
            .with(tracing_subscriber::fmt::layer().with_writer(|| CountingSink))
            .try_init()?;
    }
    // The same EnvFilter as `ossguard devserver` (`info` unless RUST_LOG says otherwise).
    let set_log = |on: bool| {
        let filter = tracing_subscriber::EnvFilter::new(if on { "info" } else { "off" });
        switch.modify(|f| *f = filter).ok();
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let root = tempfile::tempdir()?;
    let ideal = CONCURRENCY as f64 / AUDIT_LATENCY.as_secs_f64();
    runtime.block_on(async {
        let (server, buckets) =
            server_and_client(&root.path().join("fast"), Duration::ZERO).await?;
        let v4_client = client(&server, SignatureVersion::V4)?;
        let v1_client = client(&server, SignatureVersion::V1)?;
        let warm_up = (options.requests / 10).max(CONCURRENCY);
        drive(&v4_client, &buckets, warm_up).await;
        drive(&v1_client, &buckets, warm_up).await;
        // Three rounds, the three kinds interleaved, so that a busy moment of the machine
        // does not land on one kind only; the median of each is reported.
        let (mut v4, mut v1, mut logged) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..3 {
            v4.push(drive(&v4_client, &buckets, options.requests).await);
            v1.push(drive(&v1_client, &buckets, options.requests).await);
            set_log(true);
            logged.push(drive(&v4_client, &buckets, options.requests).await);
            set_log(false);
        }
        server.shutdown().await;
        let log_bytes_per_request = LOGGED_BYTES.load(std::sync::atomic::Ordering::Relaxed) as f64
            / (3 * options.requests) as f64;
        let (v4, v1, logged) = (median(v4), median(v1), median(logged));

        // ~1.3 s: enough rounds of 20 ms to see whether the pair keeps 32 requests in flight.
        set_log(true);
        let (server, buckets) =
            server_and_client(&root.path().join("paced"), AUDIT_LATENCY).await?;
        let paced_client = client(&server, SignatureVersion::V4)?;
        drive(&paced_client, &buckets, 4 * CONCURRENCY).await;
        let paced_requests = 2_000;
        let paced = drive(&paced_client, &buckets, paced_requests).await;
        server.shutdown().await;
        set_log(false);
        // Whole rounds of 32 requests, each at least 20 ms.
        let rounds = paced_requests.div_ceil(CONCURRENCY) as f64;
        let paced_ideal = paced_requests as f64 / (rounds * AUDIT_LATENCY.as_secs_f64());

        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        println!(
            "dev server GetBucketEncryption, concurrency {CONCURRENCY}, {cores} cores, \
             client in the same process (median of 3 passes)"
        );
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
            "  the audit needs at most {ideal:.0} req/s (32 / 20 ms): headroom V4 {:.1}x, \
             V1 {:.1}x, V4 + log {:.1}x",
            v4.per_second() / ideal,
            v1.per_second() / ideal,
            logged.per_second() / ideal,
        );
        println!("  (the log passes wrote {log_bytes_per_request:.0} bytes of log per request)");
        println!(
            "  at 20 ms the pair reached {:.2} of the ideal {paced_ideal:.0} req/s (whole rounds)",
            paced.per_second() / paced_ideal
        );
        if options.json {
            let result = serde_json::json!({
                "bench": "devserver_rps",
                "concurrency": CONCURRENCY,
                "cores": cores,
                "requests": options.requests,
                "v4_rps": v4.per_second(),
                "v4_errors": v4.errors,
                "v1_rps": v1.per_second(),
                "v1_errors": v1.errors,
                "logged_rps": logged.per_second(),
                "logged_errors": logged.errors,
                "log_bytes_per_request": log_bytes_per_request,
                "paced_rps": paced.per_second(),
                "paced_errors": paced.errors,
                "paced_ideal_rps": paced_ideal,
                "audit_demand_rps": ideal,
            });
            println!("RESULT {result}");
        }
        anyhow::Ok(())
    })
}

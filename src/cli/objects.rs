//! `ossguard objects scan | encrypt | jobs`: the existing objects of a bucket. The work is
//! in `app::objects`; this file parses, prints and picks the exit code.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::Instant;

use clap::{ArgGroup, Args, Subcommand};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::app::change::{Algorithm, RuleSpec};
use crate::app::objects::dry_run::{self, Versioning};
use crate::app::objects::job::{JobSpec, run_job};
use crate::app::objects::journal::list_jobs;
use crate::app::objects::preflight_target;
use crate::app::objects::scan::{ScanOptions, scan};
use crate::app::profile;
use crate::core::objects::counters::JobCounters;
use crate::core::objects::shard::Shard;
use crate::transport::OssClient;

use super::args::{BucketArg, DataEncryptionArg, Format, GlobalArgs};
use super::commands::{CliError, locate};
use super::objects_report::{
    encrypt_json, encrypt_table, render, render_dry_run, scan_json, scan_table,
};
use super::output::{count, terminal_safe};

#[derive(Debug, Subcommand)]
pub enum ObjectsCommand {
    /// Count a bucket's objects by encryption and storage class (LIST, then HEAD each)
    Scan {
        #[command(flatten)]
        bucket: BucketArg,
        /// Only keys starting with this
        #[arg(long)]
        prefix: Option<String>,
        /// Stop after this many objects (the result says truncated)
        #[arg(long)]
        max_objects: Option<u64>,
        /// Write one JSON line per object to this file
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        shard: ShardArg,
    },
    /// Re-encrypt existing objects in place (CopyObject onto itself), as a resumable job
    #[command(group(ArgGroup::new("mode").required(true).args(["dry_run", "yes"])))]
    Encrypt {
        #[command(flatten)]
        bucket: BucketArg,
        #[arg(long)]
        prefix: Option<String>,
        /// Target encryption (default: the bucket's rule)
        #[arg(long, value_enum)]
        sse: Option<Algorithm>,
        /// CMK ID (KMS only); omit for the KMS-managed default key
        #[arg(long, requires = "sse")]
        kms_key_id: Option<String>,
        /// Encrypt data with SM4 under the KMS key (KMS only)
        #[arg(long, value_enum, requires = "sse")]
        kms_data_encryption: Option<DataEncryptionArg>,
        /// Show what would be copied and skipped; send no write
        #[arg(long)]
        dry_run: bool,
        /// Run the job
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        shard: ShardArg,
    },
    /// List re-encryption jobs and their state
    Jobs,
}

#[derive(Debug, Clone, Args)]
pub struct ShardArg {
    /// Only keys whose stable hash falls in shard I of N (I from 0 to N-1)
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
}

pub async fn run(
    client: &OssClient,
    global: &GlobalArgs,
    command: ObjectsCommand,
) -> Result<(), CliError> {
    match command {
        ObjectsCommand::Scan {
            bucket,
            prefix,
            max_objects,
            out,
            shard,
        } => {
            let options = ScanOptions {
                prefix,
                max_objects,
                shard: shard.shard.unwrap_or(Shard::ALL),
                concurrency: global.concurrency,
            };
            run_scan(client, global, &bucket, &options, out).await
        }
        ObjectsCommand::Encrypt {
            bucket,
            prefix,
            sse,
            kms_key_id,
            kms_data_encryption,
            dry_run,
            yes: _,
            shard,
        } => {
            let spec = sse.map(|algorithm| RuleSpec {
                algorithm,
                kms_key_id,
                sm4_data: kms_data_encryption.is_some_and(|DataEncryptionArg::Sm4| true),
            });
            let usage = |e: crate::core::validate::ValidationError| CliError::Usage(e.to_string());
            // Checked before anything is sent; the key's region needs the bucket's.
            if let Some(spec) = &spec {
                spec.build(&[]).map_err(usage)?;
            }
            let bucket = locate(client, &bucket).await?;
            let target = match spec {
                Some(spec) => spec.build(&[bucket.region.as_str()]).map_err(usage)?,
                None => client.get_encryption(&bucket).await?.ok_or_else(|| {
                    CliError::Failed(format!(
                        "bucket {} has no encryption rule: pass --sse to choose the target",
                        bucket.name
                    ))
                })?,
            };
            let checks = super::changes::context(global).preflight;
            let refused = preflight_target(client, &bucket, &target, checks.as_deref())
                .await
                .err();
            // A dry run still shows the plan beside the key problem; a run is refused.
            if let (Some(reason), false) = (&refused, dry_run) {
                return Err(CliError::Failed(format!(
                    "pre-flight check refused the target: {reason}"
                )));
            }
            let spec = JobSpec {
                bucket,
                prefix,
                shard: shard.shard.unwrap_or(Shard::ALL),
                target,
                concurrency: global.concurrency,
                data_dir: profile::default_data_dir(),
                profile: super::changes::profile_name(global),
                access_key_id: client.access_key_id(),
            };
            // The plan (and its downgrade warning) is the dry run's: a run does not plan first,
            // because that would HEAD every object twice (billed requests, and hours on a
            // bucket of millions). The app always previews before it runs.
            if dry_run {
                let plan = dry_run::dry_run(client, &spec, &CancellationToken::new()).await?;
                if let Some(warning) = plan.downgrade_warning() {
                    eprintln!(
                        "warning: {}: {warning}",
                        terminal_safe(spec.bucket.name.as_str())
                    );
                }
                if let Some(reason) = &refused {
                    eprintln!("warning: a run would be refused by the pre-flight check: {reason}");
                }
                print!(
                    "{}",
                    render_dry_run(&spec, &plan, refused.as_deref(), global.format)
                );
                return Ok(());
            }
            run_encrypt(client, global, &spec).await
        }
        ObjectsCommand::Jobs => print_jobs(global.format),
    }
}

async fn run_scan(
    client: &OssClient,
    global: &GlobalArgs,
    bucket: &BucketArg,
    options: &ScanOptions,
    out: Option<PathBuf>,
) -> Result<(), CliError> {
    let bucket = locate(client, bucket).await?;
    let rule = client.get_encryption(&bucket).await?;
    let mut file = match &out {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))?,
        )),
        None => None,
    };
    let mut write_error = None;
    let progress = Progress::new(global.format);
    let counters = scan(
        client,
        &bucket,
        rule.as_ref(),
        options,
        &cancel_on_ctrl_c(),
        |line, counters| {
            if let Some(file) = &mut file
                && write_error.is_none()
            {
                let text = serde_json::to_string(line).unwrap_or_default();
                if let Err(e) = writeln!(file, "{text}") {
                    write_error = Some(e);
                }
            }
            progress.show(counters.total.objects, None, counters.total.bytes);
        },
    )
    .await?;
    progress.clear();
    if let Some(mut file) = file
        && let Err(e) = file.flush()
    {
        write_error.get_or_insert(e);
    }
    if let (Some(e), Some(path)) = (write_error, &out) {
        return Err(CliError::Failed(format!(
            "cannot write {}: {e}",
            path.display()
        )));
    }
    let report = scan_json(
        bucket.name.as_str(),
        &bucket.region,
        options,
        rule.as_ref(),
        &counters,
    );
    print!("{}", render(&report, global.format, scan_table));
    Ok(())
}

async fn run_encrypt(
    client: &OssClient,
    global: &GlobalArgs,
    spec: &JobSpec,
) -> Result<(), CliError> {
    let versioning = match client.get_bucket_info(&spec.bucket).await {
        Ok(info) => Versioning::of(info.versioning.as_deref()),
        Err(_) => Versioning::Unknown,
    };
    if let Some(note) = versioning.note() {
        eprintln!("note: {}: {note}", spec.bucket.name);
    }
    let progress = Progress::new(global.format);
    let show = |c: &JobCounters| progress.show(c.finished(), Some(c.planned), c.bytes_copied);
    let run = run_job(client, spec, &cancel_on_ctrl_c(), &show)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
    progress.clear();
    let report = encrypt_json(spec, &run);
    print!("{}", render(&report, global.format, encrypt_table));
    if run.cancelled {
        return Err(CliError::Failed(format!(
            "cancelled; run the same command again to resume job {}",
            run.job_id
        )));
    }
    if run.counters.failed > 0 {
        return Err(CliError::Failed(format!(
            "{} object(s) failed; see jobs/{}/results.jsonl in the data folder",
            run.counters.failed, run.job_id
        )));
    }
    Ok(())
}

fn cancel_on_ctrl_c() -> CancellationToken {
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            token.cancel();
        }
    });
    cancel
}

fn print_jobs(format: Format) -> Result<(), CliError> {
    let jobs =
        list_jobs(&profile::default_data_dir()).map_err(|e| CliError::Failed(e.to_string()))?;
    let list: Vec<Value> = jobs
        .iter()
        .map(|j| serde_json::to_value(j).unwrap_or(Value::Null))
        .collect();
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        ),
        _ => {
            println!(
                "{:<40} {:<8} {:<24} {:>8} {:>8} {:>8} {:>8} {:>8}",
                "JOB", "STATE", "CREATED", "PLANNED", "COPIED", "OK", "SKIPPED", "FAILED"
            );
            for job in &jobs {
                let c = job.counters.clone().unwrap_or_default();
                println!(
                    "{:<40} {:<8} {:<24} {:>8} {:>8} {:>8} {:>8} {:>8}",
                    terminal_safe(&job.job_id),
                    format!("{:?}", job.state).to_lowercase(),
                    job.created
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    c.planned,
                    c.copied,
                    c.already_ok,
                    c.skipped_total(),
                    c.failed
                );
            }
        }
    }
    Ok(())
}

/// Objects and bytes done, rate and ETA on stderr, for a terminal only.
struct Progress {
    on: bool,
    started: Instant,
}

impl Progress {
    fn new(format: Format) -> Self {
        Self {
            on: format != Format::Json && std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    fn show(&self, done: u64, planned: Option<u64>, bytes: u64) {
        if !self.on || (!done.is_multiple_of(100) && planned != Some(done)) {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / secs;
        let eta = match planned {
            Some(p) if rate > 0.0 && p > done => format!(", ETA {:.0} s", (p - done) as f64 / rate),
            _ => String::new(),
        };
        let of = planned
            .map(|p| format!(" of {p} listed"))
            .unwrap_or_default();
        eprint!(
            "\r{}{of}, {:.1} MB, {rate:.0} objects/s{eta}   ",
            count(done, "object"),
            bytes as f64 / 1e6
        );
    }

    fn clear(&self) {
        if self.on {
            eprintln!();
        }
    }
}

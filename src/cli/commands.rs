//! What each subcommand does. Exit codes are decided here only: 0 done, 1 failed, 2 usage.

use std::process::ExitCode;

use futures::StreamExt as _;
use tokio_util::sync::CancellationToken;

use crate::app::change::{Change, RuleSpec};
use crate::app::export::AuditRow;
use crate::app::key_checks::{KeyCheckMode, KeyChecks, KeyHealthMap, key_health};
use crate::core::kms::health::{rule_cmk, skipped};
use crate::core::model::{Bucket, BucketName};
use crate::core::sse::{EncryptionState, ReadFailure};
use crate::transport::clock::describe_offset;
use crate::transport::{OssClient, OssError, fanout};

use super::accounts::audit_accounts;
use super::args::{BucketArg, Command, DataEncryptionArg, FailOn, GlobalArgs};
use super::changes::{UndoOverrides, change, print_log, undo, undo_batch};
use super::connect::{connect_to, kms_endpoint, selected_profiles};
use super::keys::keys;
use super::output::{render_row, render_rows, terminal_safe};

/// A failure and the exit code it maps to.
#[derive(Debug)]
pub enum CliError {
    /// Wrong or missing arguments or settings: exit 2.
    Usage(String),
    /// An OSS call failed: exit 1, with the hint.
    Oss(OssError),
    /// An OSS call inside a change failed (the engine's words for it): exit 1, with the hint.
    Remote(ReadFailure),
    /// Anything else that failed: exit 1.
    Failed(String),
    /// The key check refused a change: its reason (it may quote KMS, so it is shown as one
    /// sanitised line) and, on a line of our own, that nothing was written: exit 1.
    Refused(String),
    /// A bucket's rule could not be read: exit 1, with the hint.
    Read(crate::core::sse::ReadFailure),
    /// `buckets --fail-on` found this many buckets in a flagged state: exit 3.
    Flagged(usize),
}

impl From<OssError> for CliError {
    fn from(e: OssError) -> Self {
        Self::Oss(e)
    }
}

impl CliError {
    pub(super) fn report(&self) -> ExitCode {
        match self {
            Self::Usage(msg) => {
                eprintln!("error: {}", terminal_safe(msg));
                ExitCode::from(2)
            }
            Self::Oss(e) => Self::Remote(e.to_read_failure()).report(),
            Self::Failed(msg) => {
                eprintln!("error: {}", terminal_safe(msg));
                ExitCode::from(1)
            }
            Self::Refused(reason) => {
                eprintln!("error: {}", terminal_safe(reason));
                eprintln!("nothing was written (pass --skip-key-check to write anyway)");
                ExitCode::from(1)
            }
            Self::Remote(failure) | Self::Read(failure) => {
                eprintln!(
                    "error: {}: {}",
                    terminal_safe(&failure.code),
                    terminal_safe(&failure.message)
                );
                if let Some(id) = &failure.request_id {
                    eprintln!("request id: {}", terminal_safe(id));
                }
                // Some errors have no advice beyond their message: say it once.
                if failure.hint != failure.message {
                    eprintln!("hint: {}", terminal_safe(&failure.hint));
                }
                ExitCode::from(1)
            }
            Self::Flagged(count) => {
                eprintln!("{count} bucket(s) in a state named by --fail-on");
                ExitCode::from(3)
            }
        }
    }
}

pub async fn run(global: GlobalArgs, command: Command) -> ExitCode {
    let result = match command {
        Command::Devserver(args) => crate::devserver::run(*args)
            .await
            .map_err(|e| CliError::Failed(format!("{e:#}"))),
        Command::Log => print_log(global.format),
        other => run_oss_command(&global, other).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

async fn run_oss_command(global: &GlobalArgs, command: Command) -> Result<(), CliError> {
    kms_endpoint(global)?;
    let (config, profiles) = selected_profiles(global)?;
    if global.all_profiles || profiles.len() > 1 {
        return match command {
            Command::Buckets {
                fail_on,
                skip_key_check,
            } => {
                let keys = key_check_mode(global, &fail_on, skip_key_check)?;
                audit_accounts(global, &config, &profiles, &fail_on, keys).await
            }
            _ => Err(CliError::Usage(
                "several profiles (--profile a --profile b, --all-profiles) work with `buckets` only"
                    .into(),
            )),
        };
    }
    let client = connect_to(global, profiles.first(), &config).await?;
    let result = run_with_client(&client, global, command).await;
    if let Some(note) = describe_offset(client.clock().offset()) {
        eprintln!("note: {}", terminal_safe(&note));
    }
    result
}

async fn run_with_client(
    client: &OssClient,
    global: &GlobalArgs,
    command: Command,
) -> Result<(), CliError> {
    let client = client.clone();
    match command {
        Command::Buckets {
            fail_on,
            skip_key_check,
        } => {
            let keys = key_check_mode(global, &fail_on, skip_key_check)?;
            let rows = audit(&client, global.concurrency, keys).await?;
            print!("{}", render_rows(&rows, global.format));
            match flagged(&rows, &fail_on) {
                0 => Ok(()),
                n => Err(CliError::Flagged(n)),
            }
        }
        Command::Get {
            bucket,
            skip_key_check,
        } => {
            let bucket = locate(&client, &bucket).await?;
            let state = client.encryption_state(&bucket).await;
            let health = match state.rule().and_then(rule_cmk) {
                Some(id) if skip_key_check => Some(skipped(id, &bucket.region)),
                Some(id) => Some(key_health(&client, kms_endpoint(global)?, &bucket, id).await),
                None => None,
            };
            let row = AuditRow::new(&bucket, &state).with_key(health);
            print!("{}", render_row(&row, global.format));
            match state {
                EncryptionState::Unknown(failure) => Err(CliError::Read(failure)),
                _ => Ok(()),
            }
        }
        Command::Set {
            bucket,
            sse,
            kms_key_id,
            kms_data_encryption,
            skip_key_check,
        } => {
            let spec = RuleSpec {
                algorithm: sse,
                kms_key_id,
                sm4_data: kms_data_encryption.is_some_and(|DataEncryptionArg::Sm4| true),
            };
            let usage = |e: crate::core::validate::ValidationError| CliError::Usage(e.to_string());
            // Checked before anything is sent; the key's region needs the bucket's.
            spec.build(&[]).map_err(usage)?;
            let bucket = locate(&client, &bucket).await?;
            let rule = spec.build(&[bucket.region.as_str()]).map_err(usage)?;
            change(&client, &bucket, Change::Set(rule), skip_key_check, global).await
        }
        Command::Delete { bucket, yes } => {
            if !yes {
                return Err(CliError::Usage(
                    "deleting the encryption rule needs --yes to confirm".into(),
                ));
            }
            let bucket = locate(&client, &bucket).await?;
            change(&client, &bucket, Change::Delete, false, global).await
        }
        Command::Undo {
            bucket,
            batch,
            yes,
            force,
            skip_key_check,
        } => {
            let overrides = UndoOverrides {
                force,
                skip_key_check,
            };
            match batch {
                Some(batch) => undo_batch(&client, &batch, yes, overrides, global).await,
                None => undo(&client, bucket.as_deref(), yes, overrides, global).await,
            }
        }
        Command::Keys { regions } => {
            keys(&client, &regions, kms_endpoint(global)?, global.format).await
        }
        Command::Objects(command) => super::objects::run(&client, global, command).await,
        Command::Devserver(_) | Command::Log => unreachable!("handled by run"),
    }
}

/// The bucket to work on: addressed directly when its region is given, else found through
/// ListBuckets (which also tells its region and endpoint).
pub(super) async fn locate(client: &OssClient, arg: &BucketArg) -> Result<Bucket, CliError> {
    let Some(region) = &arg.bucket_region else {
        return Ok(client.find_bucket(&arg.bucket).await?);
    };
    let name = BucketName::parse(&arg.bucket).map_err(|e| CliError::Usage(e.to_string()))?;
    let bucket = Bucket::in_region(name, region);
    Ok(match &arg.bucket_endpoint {
        Some(host) => {
            let host = crate::transport::endpoint::parse_authority(host)
                .map_err(|e| CliError::Usage(format!("--bucket-endpoint: {e}")))?;
            bucket.with_endpoint(&host)
        }
        None => bucket,
    })
}

/// Whether `buckets` asks KMS. `--fail-on key-unusable` with `--skip-key-check` is refused:
/// the gate could never trip, and a CI run would pass without anyone noticing.
fn key_check_mode(
    global: &GlobalArgs,
    fail_on: &[FailOn],
    skip_key_check: bool,
) -> Result<KeyCheckMode, CliError> {
    if !skip_key_check {
        return Ok(KeyCheckMode::Ask {
            explicit: kms_endpoint(global)?,
        });
    }
    if fail_on.contains(&FailOn::KeyUnusable) {
        return Err(CliError::Usage(
            "--fail-on key-unusable needs the key checks: drop --skip-key-check (or key-unusable)"
                .into(),
        ));
    }
    Ok(KeyCheckMode::Skip)
}

/// How many rows are in a state `buckets --fail-on` names.
pub fn flagged(rows: &[AuditRow], fail_on: &[FailOn]) -> usize {
    rows.iter()
        .filter(|r| {
            let unknown = r.error.is_some();
            let unencrypted = !unknown && r.rule.sse_algorithm.is_none();
            (unknown && fail_on.contains(&FailOn::Unknown))
                || (unencrypted && fail_on.contains(&FailOn::Unencrypted))
                || (r.key_unusable() && fail_on.contains(&FailOn::KeyUnusable))
        })
        .count()
}

/// Lists every bucket and reads each rule with bounded concurrency, describing each distinct
/// CMK once as soon as a rule names it (unless `keys` says to skip that); rows sorted by name.
pub async fn audit(
    client: &OssClient,
    concurrency: usize,
    keys: KeyCheckMode,
) -> Result<Vec<AuditRow>, CliError> {
    let buckets = client.list_buckets(None).await?;
    let mut states = std::pin::pin!(fanout::encryption_states(
        client.clone(),
        buckets,
        concurrency,
        CancellationToken::new(),
    ));
    let mut checks = match keys {
        KeyCheckMode::Ask { explicit } => Some(KeyChecks::new(client, explicit)),
        KeyCheckMode::Skip => None,
    };
    let mut tasks = Vec::new();
    let mut read = Vec::new();
    while let Some((bucket, state)) = states.next().await {
        if let Some(check) = checks.as_mut().and_then(|c| c.observe(&bucket, &state)) {
            tasks.push(tokio::spawn(check));
        }
        read.push((bucket, state));
    }
    let health = KeyHealthMap::collect(tasks).await;
    let mut rows: Vec<AuditRow> = read
        .iter()
        .map(|(bucket, state)| {
            let key = match checks {
                Some(_) => health.for_bucket(&bucket.region, state),
                None => KeyHealthMap::skipped_for(&bucket.region, state),
            };
            AuditRow::new(bucket, state).with_key(key)
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

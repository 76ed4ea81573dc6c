//! What each subcommand does. Exit codes are decided here only: 0 done, 1 failed, 2 usage.

use std::process::ExitCode;

use futures::StreamExt as _;
use tokio_util::sync::CancellationToken;

use crate::app::change::Change;
use crate::app::change::{ChangeContext, apply_change};
use crate::app::changelog;
use crate::app::export::AuditRow;
use crate::app::keystore::{KeyringStore, Keystore as _};
use crate::app::profile;
use crate::core::model::{Bucket, region_from_endpoint_host};
use crate::core::sign::{Credentials, SignatureVersion};
use crate::core::sse::{EncryptionState, SseRule};
use crate::core::validate::{rule_from_fields, validate_kms_key_for_region};
use crate::transport::clock::describe_offset;
use crate::transport::{ClientConfig, Endpoint, OssClient, OssError, fanout};

use super::args::{Command, DataEncryptionArg, Format, GlobalArgs, SigVersionArg, SseArg};
use super::output::{render_log, render_row, render_rows};

/// A failure and the exit code it maps to.
#[derive(Debug)]
pub enum CliError {
    /// Wrong or missing arguments or settings: exit 2.
    Usage(String),
    /// An OSS call failed: exit 1, with the hint.
    Oss(OssError),
    /// Anything else that failed: exit 1.
    Failed(String),
}

impl From<OssError> for CliError {
    fn from(e: OssError) -> Self {
        Self::Oss(e)
    }
}

impl CliError {
    fn report(&self) -> ExitCode {
        match self {
            Self::Usage(msg) => {
                eprintln!("error: {msg}");
                ExitCode::from(2)
            }
            Self::Oss(e) => {
                eprintln!("error: {}: {}", e.code(), e.message());
                if let Some(id) = e.request_id() {
                    eprintln!("request id: {id}");
                }
                eprintln!("hint: {}", e.hint());
                ExitCode::from(1)
            }
            Self::Failed(msg) => {
                eprintln!("error: {msg}");
                ExitCode::from(1)
            }
        }
    }
}

pub async fn run(global: GlobalArgs, command: Command) -> ExitCode {
    let result = match command {
        Command::Devserver(args) => crate::devserver::run(args)
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
    let client = connect(global).await?;
    let result = run_with_client(&client, global, command).await;
    if let Some(note) = describe_offset(client.clock().offset()) {
        eprintln!("note: {note}");
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
        Command::Buckets => {
            let rows = audit(&client, global.concurrency).await?;
            print!("{}", render_rows(&rows, global.format));
            Ok(())
        }
        Command::Get { bucket } => {
            let bucket = client.find_bucket(&bucket).await?;
            let state = client.encryption_state(&bucket).await;
            let row = AuditRow::new(&bucket, &state);
            print!("{}", render_row(&row, global.format));
            match state {
                EncryptionState::Unknown(failure) => Err(CliError::Failed(format!(
                    "{}: {}\nhint: {}",
                    failure.code, failure.message, failure.hint
                ))),
                _ => Ok(()),
            }
        }
        Command::Set {
            bucket,
            sse,
            kms_key_id,
            kms_data_encryption,
        } => {
            let rule = rule_from_args(sse, kms_key_id.as_deref(), kms_data_encryption)?;
            let bucket = client.find_bucket(&bucket).await?;
            if let Some(key) = rule.kms_key_id() {
                validate_kms_key_for_region(key, &bucket.region)
                    .map_err(|e| CliError::Usage(e.to_string()))?;
            }
            change(&client, &bucket, &Change::Set(rule), global).await
        }
        Command::Delete { bucket, yes } => {
            if !yes {
                return Err(CliError::Usage(
                    "deleting the encryption rule needs --yes to confirm".into(),
                ));
            }
            let bucket = client.find_bucket(&bucket).await?;
            change(&client, &bucket, &Change::Delete, global).await
        }
        Command::Undo { bucket, yes } => undo(&client, bucket.as_deref(), yes, global).await,
        Command::Devserver(_) | Command::Log => unreachable!("handled by run"),
    }
}

fn print_log(format: Format) -> Result<(), CliError> {
    let path = changelog::log_path(&profile::default_data_dir());
    let (records, skipped) = changelog::read_all(&path)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", path.display())))?;
    print!("{}", render_log(&records, format));
    if skipped > 0 {
        eprintln!(
            "warning: {skipped} unreadable line(s) in {} were skipped",
            path.display()
        );
    }
    Ok(())
}

/// Restores the rule from before the newest logged change (of one bucket, if named).
async fn undo(
    client: &OssClient,
    bucket: Option<&str>,
    yes: bool,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let path = changelog::log_path(&profile::default_data_dir());
    let (records, _) = changelog::read_all(&path)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", path.display())))?;
    let last = records
        .iter()
        .rev()
        .find(|r| bucket.is_none_or(|b| r.bucket == b) && r.error.is_none())
        .ok_or_else(|| CliError::Failed("no change to undo in the change log".into()))?;
    let action = last.undo_action().ok_or_else(|| {
        CliError::Failed(format!(
            "the rule of {} before that change is unknown, so it cannot be restored",
            last.bucket
        ))
    })?;
    let describe = action
        .target()
        .map_or("no rule".to_owned(), ToString::to_string);
    if !yes {
        return Err(CliError::Usage(format!(
            "this would restore {} to {describe}; pass --yes to confirm",
            last.bucket
        )));
    }
    let bucket = client.find_bucket(&last.bucket).await?;
    change(client, &bucket, &action, global).await
}

/// Applies the change (read before, write, read back, log) and prints what was read back;
/// a failed write or a mismatch is a failure.
async fn change(
    client: &OssClient,
    bucket: &Bucket,
    change: &Change,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let context = ChangeContext {
        profile: global
            .profile
            .clone()
            .unwrap_or_else(|| "(environment)".into()),
        log_path: Some(changelog::log_path(&profile::default_data_dir())),
    };
    let outcome = apply_change(client, bucket, change, &context).await;
    if let Some(e) = &outcome.log_error {
        eprintln!("warning: the change log could not be written: {e}");
    }
    let read_back = match (outcome.read_back, outcome.error) {
        (Some(read_back), _) => read_back,
        (None, Some(e)) => return Err(CliError::Oss(e)),
        (None, None) => unreachable!("apply_change reports a read-back or an error"),
    };
    let state = match &read_back {
        Some(rule) => EncryptionState::Configured(rule.clone()),
        None => EncryptionState::NotConfigured,
    };
    print!(
        "{}",
        render_row(&AuditRow::new(bucket, &state), global.format)
    );
    if outcome.record.verified {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "verification failed: expected {}, read back {}",
            change
                .target()
                .map_or("no rule".to_owned(), ToString::to_string),
            read_back.map_or("no rule".to_owned(), |r| r.to_string())
        )))
    }
}

fn rule_from_args(
    sse: SseArg,
    kms_key_id: Option<&str>,
    data: Option<DataEncryptionArg>,
) -> Result<SseRule, CliError> {
    let algorithm = match sse {
        SseArg::Aes256 => "AES256",
        SseArg::Kms => "KMS",
        SseArg::Sm4 => "SM4",
    };
    let data = data.map(|DataEncryptionArg::Sm4| "SM4");
    if let Some(key) = kms_key_id.filter(|_| sse == SseArg::Kms) {
        crate::core::validate::validate_kms_key_id(key)
            .map_err(|e| CliError::Usage(e.to_string()))?;
    }
    rule_from_fields(algorithm, kms_key_id, data).map_err(|e| CliError::Usage(e.to_string()))
}

/// Lists every bucket and reads each rule with bounded concurrency; rows sorted by name.
pub async fn audit(client: &OssClient, concurrency: usize) -> Result<Vec<AuditRow>, CliError> {
    let buckets = client.list_buckets(None).await?;
    let states = fanout::encryption_states(
        client.clone(),
        buckets,
        concurrency,
        CancellationToken::new(),
    );
    let mut rows: Vec<AuditRow> = states
        .map(|(bucket, state)| AuditRow::new(&bucket, &state))
        .collect()
        .await;
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

/// Builds the client from flags and environment, then the profile, in that order.
async fn connect(global: &GlobalArgs) -> Result<OssClient, CliError> {
    let profile = match &global.profile {
        Some(name) => {
            let path = profile::default_config_path();
            let config = profile::load(&path).map_err(|e| CliError::Failed(e.to_string()))?;
            let found = config.get(name).cloned().ok_or_else(|| {
                CliError::Usage(format!("no profile named {name:?} in {}", path.display()))
            })?;
            Some(found)
        }
        None => None,
    };
    let endpoint_text = global
        .endpoint
        .clone()
        .or_else(|| profile.as_ref().map(|p| p.endpoint.clone()))
        .ok_or_else(|| {
            CliError::Usage(
                "no endpoint: pass --endpoint, set OSS_ENDPOINT or use --profile".into(),
            )
        })?;
    let endpoint = Endpoint::parse(&endpoint_text).map_err(|e| CliError::Usage(e.to_string()))?;
    let region = global
        .region
        .clone()
        .or_else(|| profile.as_ref().map(|p| p.region.clone()))
        .or_else(|| region_from_endpoint_host(&endpoint.host))
        .ok_or_else(|| CliError::Usage("no region: pass --region or set OSS_REGION".into()))?;
    let mut config = ClientConfig::new(endpoint, &region);
    config.signature_version = match global.signature_version {
        Some(SigVersionArg::V1) => SignatureVersion::V1,
        Some(SigVersionArg::V4) => SignatureVersion::V4,
        None => profile
            .as_ref()
            .map(|p| p.signature_version)
            .unwrap_or_default(),
    };
    config.timeout = std::time::Duration::from_secs(global.timeout.max(1));
    let credentials = credentials(profile.as_ref()).await?;
    OssClient::new(config, credentials).map_err(|e| CliError::Usage(e.to_string()))
}

async fn credentials(profile: Option<&profile::Profile>) -> Result<Credentials, CliError> {
    let env = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let (Some(id), Some(secret)) = (env("OSS_ACCESS_KEY_ID"), env("OSS_ACCESS_KEY_SECRET")) {
        let token = env("OSS_SESSION_TOKEN");
        return Ok(Credentials::new(&id, &secret).with_security_token(token.as_deref()));
    }
    let Some(profile) = profile else {
        return Err(CliError::Usage(
            "no credentials: set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or use --profile"
                .into(),
        ));
    };
    let name = profile.name.clone();
    let secret = tokio::task::spawn_blocking(move || KeyringStore.get(&name))
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?
        .map_err(|e| {
            CliError::Failed(format!(
                "cannot read the secret of profile {:?}: {e}",
                profile.name
            ))
        })?
        .ok_or_else(|| {
            CliError::Failed(format!(
                "profile {:?} has no secret in the OS keyring",
                profile.name
            ))
        })?;
    Ok(secret.credentials(&profile.access_key_id))
}

//! Changes from the command line: set, delete and undo go through the change engine
//! ([`crate::app::change`]); this file only turns its outcome into output and an exit code.

use std::sync::Arc;

use crate::app::change::history::{History, Owner};
use crate::app::change::{self, ApplyOutcome, Change, ChangeContext, ChangeRequest, Undo};
use crate::app::changelog::{self, ChangeRecord};
use crate::app::export::AuditRow;
use crate::app::key_checks::{KeyPreflight, key_health};
use crate::app::profile;
use crate::core::kms::health::{KeyHealth, rule_cmk, unusable_reason};
use crate::core::model::Bucket;
use crate::core::sse::EncryptionState;
use crate::transport::OssClient;

use super::args::{Format, GlobalArgs};
use super::commands::CliError;
use super::output::{render_log, render_row, terminal_safe};

/// Who the CLI logs changes as: the profile name, or `(environment)`.
pub(super) fn profile_name(global: &GlobalArgs) -> String {
    global
        .profile
        .first()
        .cloned()
        .unwrap_or_else(|| "(environment)".into())
}

/// The change log's records; lines that cannot be read are named in a warning and skipped.
fn read_log() -> Result<Vec<ChangeRecord>, CliError> {
    let path = changelog::log_path(&profile::default_data_dir());
    let contents = changelog::read_contents(&path)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", path.display())))?;
    if !contents.skipped_lines.is_empty() {
        let lines: Vec<String> = contents
            .skipped_lines
            .iter()
            .map(ToString::to_string)
            .collect();
        eprintln!(
            "warning: skipped unreadable line(s) {} of {} (torn by a crash, or not UTF-8)",
            lines.join(", "),
            path.display()
        );
    }
    Ok(contents.records)
}

pub(super) fn context(global: &GlobalArgs) -> ChangeContext {
    // The endpoint was checked when the run started (`run_oss_command`).
    let explicit = super::connect::kms_endpoint(global).ok().flatten();
    ChangeContext {
        profile: profile_name(global),
        account_id: None,
        log_path: Some(changelog::log_path(&profile::default_data_dir())),
        preflight: Some(Arc::new(KeyPreflight { explicit })),
    }
}

pub fn print_log(format: Format) -> Result<(), CliError> {
    let records = read_log()?;
    print!("{}", render_log(&records, format));
    Ok(())
}

/// What an undo may override: the changed-since guard (`--force`) and the key check
/// (`--skip-key-check`, logged as `checks_skipped` as `set`'s is).
#[derive(Debug, Clone, Copy)]
pub struct UndoOverrides {
    pub force: bool,
    pub skip_key_check: bool,
}

impl UndoOverrides {
    fn request(self, undo: &Undo, batch: Option<String>) -> ChangeRequest {
        ChangeRequest {
            skip_checks: self.skip_key_check,
            ..undo.request(self.force, batch)
        }
    }
}

/// Restores the rule from before the newest logged change, if the bucket still has the rule
/// that change set (`--force` skips that check).
pub async fn undo(
    client: &OssClient,
    bucket: Option<&str>,
    yes: bool,
    overrides: UndoOverrides,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let history = History::new(read_log()?);
    let me = who(client, global).await?;
    let owner = me.owner();
    let last = history.last_change(owner, bucket).ok_or_else(|| {
        CliError::Failed(format!(
            "no change to undo in the change log for profile {:?} and AccessKey {}",
            me.profile, me.key_id
        ))
    })?;
    let undo = history.undo(last, owner).map_err(CliError::Failed)?;
    let restore = change::describe_state(undo.change.target());
    if !yes {
        return Err(CliError::Usage(format!(
            "this would restore {} to {restore} (undoing change {}); pass --yes to confirm",
            last.bucket, last.id
        )));
    }
    let target = client.find_bucket(&last.bucket).await?;
    logged_change(client, &target, &overrides.request(&undo, None), global).await
}

/// The profile and AccessKey ID this run's changes are logged as (undo only touches theirs).
struct Me {
    profile: String,
    key_id: String,
}

impl Me {
    fn owner(&self) -> Owner<'_> {
        Owner {
            profile: &self.profile,
            access_key_id: &self.key_id,
        }
    }
}

async fn who(client: &OssClient, global: &GlobalArgs) -> Result<Me, CliError> {
    let key_id = client
        .credentials()
        .get()
        .await
        .map_err(|e| CliError::Oss(e.into()))?
        .access_key_id
        .clone();
    Ok(Me {
        profile: profile_name(global),
        key_id,
    })
}

/// `undo --batch ID`: restores every bucket of one bulk change, each guarded as a single
/// undo is, with a result per bucket; fails (exit 1) when any bucket was not restored.
pub async fn undo_batch(
    client: &OssClient,
    batch: &str,
    yes: bool,
    overrides: UndoOverrides,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let history = History::new(read_log()?);
    let me = who(client, global).await?;
    let owner = me.owner();
    let plan = history.batch_undo(batch, owner);
    if plan.is_empty() {
        return Err(CliError::Failed(format!(
            "no bulk change {batch:?} in the change log"
        )));
    }
    if !yes {
        let buckets: Vec<&str> = plan.iter().map(|(r, _)| r.bucket.as_str()).collect();
        return Err(CliError::Usage(format!(
            "this would restore the rules of {} from before bulk change {batch} ({}); pass --yes \
             to confirm",
            buckets.len(),
            buckets.join(", ")
        )));
    }
    // The undo is one bulk change too, so it can be told apart (and undone) as one.
    let undo_batch = Some(ChangeRecord::new_id());
    let mut failed = 0;
    for (record, undo) in &plan {
        let result = match undo {
            Err(why) => Err(CliError::Failed(format!(
                "{}: not undone: {why}",
                record.bucket
            ))),
            Ok(undo) => match client.find_bucket(&record.bucket).await {
                Ok(target) => {
                    let request = overrides.request(undo, undo_batch.clone());
                    logged_change(client, &target, &request, global).await
                }
                Err(e) => Err(CliError::Oss(e)),
            },
        };
        if let Err(e) = result {
            eprintln!("{}:", record.bucket);
            e.report();
            failed += 1;
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{failed} of {} bucket(s) of bulk change {batch} were not restored",
            plan.len()
        )))
    }
}

/// `set` and `delete`: apply, print what was read back; a failed write, an unconfirmed or
/// a mismatching result is a failure. `skip_key_check` writes a rule naming an unusable CMK
/// anyway (logged as `checks_skipped`).
pub async fn change(
    client: &OssClient,
    bucket: &Bucket,
    change: Change,
    skip_key_check: bool,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let request = ChangeRequest {
        skip_checks: skip_key_check,
        ..ChangeRequest::unguarded(change)
    };
    logged_change(client, bucket, &request, global).await
}

/// The warning for a rule written with the key check skipped whose CMK is unusable (not for
/// a key KMS could not be asked about: nothing is known of it).
fn unusable_warning(health: &KeyHealth) -> Option<String> {
    let (reason, fix) = unusable_reason(health)?;
    Some(format!(
        "the rule names key {}, which is not usable: new uploads to this bucket will fail. \
         {reason} {fix}",
        health.id
    ))
}

async fn logged_change(
    client: &OssClient,
    bucket: &Bucket,
    request: &ChangeRequest,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let report = change::run(client, bucket, request, &context(global)).await;
    if let Some(e) = &report.log_error {
        eprintln!(
            "warning: the change log could not be written: {}",
            terminal_safe(&e.to_string())
        );
    }
    let read_back = matches!(
        report.outcome,
        ApplyOutcome::Verified | ApplyOutcome::Mismatch { .. } | ApplyOutcome::AlreadyApplied
    );
    if let Some(read) = report
        .outcome
        .read(&request.change.expected())
        .filter(|_| read_back)
    {
        // The same row as `get` prints, key health included.
        let health = match read.rule().and_then(rule_cmk) {
            Some(id) => {
                let explicit = super::connect::kms_endpoint(global).ok().flatten();
                Some(key_health(client, explicit, bucket, id).await)
            }
            None => None,
        };
        if request.skip_checks
            && let Some(why) = health.as_ref().and_then(unusable_warning)
        {
            eprintln!("warning: {}", terminal_safe(&why));
        }
        let row = AuditRow::new(bucket, &read).with_key(health);
        print!("{}", render_row(&row, global.format));
    }
    match report.outcome {
        ApplyOutcome::Verified => Ok(()),
        ApplyOutcome::AlreadyApplied => {
            let has = match request.change {
                Change::Set(_) => "this rule",
                Change::Delete => "no rule",
            };
            eprintln!(
                "{} already has {has}: nothing was written or logged",
                bucket.name
            );
            Ok(())
        }
        ApplyOutcome::Mismatch { read_back } => Err(CliError::Failed(format!(
            "verification failed: expected {}, read back {}",
            change::describe_state(request.change.target()),
            change::describe_state(read_back.as_ref())
        ))),
        ApplyOutcome::WriteFailed(failure) => Err(CliError::Remote(failure)),
        ApplyOutcome::Unconfirmed(failure) => {
            eprintln!(
                "warning: OSS accepted the change, but reading it back failed: it is unconfirmed"
            );
            Err(CliError::Remote(failure))
        }
        ApplyOutcome::ChangedSince {
            found: EncryptionState::Unknown(failure),
        } => Err(CliError::Remote(failure)),
        ApplyOutcome::ChangedSince { found } => Err(CliError::Failed(format!(
            "{} no longer has the rule that change set (it has {}): someone changed it since; \
             pass --force to restore {} anyway",
            bucket.name,
            change::describe_state(found.rule()),
            change::describe_state(request.change.target())
        ))),
        ApplyOutcome::Refused(reason) => Err(CliError::Refused(reason)),
        ApplyOutcome::Cancelled => Err(CliError::Failed("cancelled".into())),
    }
}

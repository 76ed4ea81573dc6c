//! Changes from the command line: set and delete (through the shared, logged
//! [`apply_change`]), the change log, and undo.

use crate::app::change::{Change, ChangeContext, apply_change};
use crate::app::changelog::{self, ChangeRecord};
use crate::app::export::AuditRow;
use crate::app::profile;
use crate::core::model::Bucket;
use crate::core::sse::EncryptionState;
use crate::transport::OssClient;

use super::args::{Format, GlobalArgs};
use super::commands::CliError;
use super::output::{render_log, render_row};

/// Who the CLI logs changes as: the profile name, or `(environment)`.
fn profile_name(global: &GlobalArgs) -> String {
    global
        .profile
        .clone()
        .unwrap_or_else(|| "(environment)".into())
}

fn read_log() -> Result<(Vec<ChangeRecord>, usize), CliError> {
    let path = changelog::log_path(&profile::default_data_dir());
    changelog::read_all(&path)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", path.display())))
}

pub fn print_log(format: Format) -> Result<(), CliError> {
    let (records, skipped) = read_log()?;
    print!("{}", render_log(&records, format));
    if skipped > 0 {
        eprintln!("warning: {skipped} unreadable line(s) in the change log were skipped");
    }
    Ok(())
}

/// The newest change of this profile and key (of `bucket`, if named) that was written and
/// not undone yet, and is not itself an undo: repeated undos walk back through history.
fn change_to_undo<'a>(
    records: &'a [ChangeRecord],
    profile: &str,
    access_key_id: &str,
    bucket: Option<&str>,
) -> Option<&'a ChangeRecord> {
    let undone: std::collections::HashSet<&str> = records
        .iter()
        .filter_map(|r| r.undo_of.as_deref())
        .collect();
    records.iter().rev().find(|r| {
        r.profile == profile
            && r.access_key_id == access_key_id
            && bucket.is_none_or(|b| r.bucket == b)
            && r.undo_of.is_none()
            && !undone.contains(r.id.as_str())
            && (r.written || r.interrupted())
    })
}

/// Restores the rule from before the newest logged change, if the bucket still has the rule
/// that change set (`--force` skips that check).
pub async fn undo(
    client: &OssClient,
    bucket: Option<&str>,
    yes: bool,
    force: bool,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let (records, _) = read_log()?;
    let profile = profile_name(global);
    let key_id = client
        .credentials()
        .get()
        .await
        .map_err(|e| CliError::Oss(e.into()))?
        .access_key_id
        .clone();
    let last = change_to_undo(&records, &profile, &key_id, bucket).ok_or_else(|| {
        CliError::Failed(format!(
            "no change to undo in the change log for profile {profile:?} and AccessKey {key_id}"
        ))
    })?;
    let action = last.undo_action().ok_or_else(|| {
        CliError::Failed(format!(
            "the rule of {} before that change is unknown, so it cannot be restored",
            last.bucket
        ))
    })?;
    let restore = action
        .target()
        .map_or("no rule".to_owned(), ToString::to_string);
    if !yes {
        return Err(CliError::Usage(format!(
            "this would restore {} to {restore} (undoing change {}); pass --yes to confirm",
            last.bucket, last.id
        )));
    }
    let target = client.find_bucket(&last.bucket).await?;
    let current = client.get_encryption(&target).await?;
    let expected = last.after.to_rule_state();
    if !force && expected.as_ref() != Some(&current) {
        return Err(CliError::Failed(format!(
            "{} no longer has the rule that change set (it has {}): someone changed it since; \
             pass --force to restore {restore} anyway",
            last.bucket,
            current.map_or("no rule".to_owned(), |r| r.to_string())
        )));
    }
    let context = ChangeContext {
        profile,
        log_path: Some(changelog::log_path(&profile::default_data_dir())),
        undo_of: Some(last.id.clone()),
    };
    logged_change(client, &target, &action, context, global.format).await
}

/// `set` and `delete`: apply, print what was read back; a failed write, an unconfirmed or
/// a mismatching result is a failure.
pub async fn change(
    client: &OssClient,
    bucket: &Bucket,
    change: &Change,
    global: &GlobalArgs,
) -> Result<(), CliError> {
    let context = ChangeContext {
        profile: profile_name(global),
        log_path: Some(changelog::log_path(&profile::default_data_dir())),
        undo_of: None,
    };
    logged_change(client, bucket, change, context, global.format).await
}

async fn logged_change(
    client: &OssClient,
    bucket: &Bucket,
    change: &Change,
    context: ChangeContext,
    format: Format,
) -> Result<(), CliError> {
    let outcome = apply_change(client, bucket, change, &context).await;
    if let Some(e) = &outcome.log_error {
        eprintln!("warning: the change log could not be written: {e}");
    }
    let Some(read_back) = outcome.read_back else {
        return Err(match (outcome.write_error, outcome.read_back_error) {
            (Some(e), _) => CliError::Oss(e),
            (None, Some(e)) => {
                eprintln!(
                    "warning: OSS accepted the change, but reading it back failed: it is unconfirmed"
                );
                CliError::Oss(e)
            }
            (None, None) => CliError::Failed("no answer".into()),
        });
    };
    if let (Some(e), false) = (&outcome.write_error, outcome.record.written) {
        return Err(CliError::Oss(e.clone()));
    }
    let state = match &read_back {
        Some(rule) => EncryptionState::Configured(rule.clone()),
        None => EncryptionState::NotConfigured,
    };
    print!("{}", render_row(&AuditRow::new(bucket, &state), format));
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

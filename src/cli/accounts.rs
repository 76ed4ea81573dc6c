//! `buckets` over several profiles at once (`--profile a --profile b`, `--all-profiles`): each
//! profile is audited concurrently with its own endpoint, region and credentials, and every
//! row is tagged with the profile and its account ID from STS GetCallerIdentity.

use futures::future::join_all;

use crate::app::export::AuditRow;
use crate::app::key_checks::KeyCheckMode;
use crate::app::profile::{Profile, ProfileConfig};
use crate::transport::{OssClient, OssError};

use super::args::{FailOn, Format, GlobalArgs};
use super::commands::{CliError, audit, flagged};
use super::connect::connect_to;
use super::output::render_rows;

/// Prints one listing of every profile's buckets (sorted by profile, then name). A profile
/// that fails is reported on stderr with its fix and makes the run exit 1; the others'
/// rows are still printed.
pub async fn audit_accounts(
    global: &GlobalArgs,
    config: &ProfileConfig,
    profiles: &[Profile],
    fail_on: &[FailOn],
    keys: KeyCheckMode,
) -> Result<(), CliError> {
    // Each profile brings its own endpoint and region; one --endpoint for all would send
    // every account's requests to the same place.
    let mut own = global.clone();
    own.endpoint = None;
    own.region = None;
    let results = join_all(
        profiles
            .iter()
            .map(|p| audit_one(&own, p, config, keys.clone())),
    )
    .await;
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for (profile, result) in profiles.iter().zip(results) {
        match result {
            Ok(found) => rows.extend(found),
            Err(error) => failed.push((profile.name.clone(), error)),
        }
    }
    rows.sort_by(|a, b| {
        let key = |r: &AuditRow| r.account.as_ref().map(|a| a.profile.clone());
        key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
    });
    // Every profile failed: an empty "0 buckets" table says nothing the errors do not.
    if failed.len() < profiles.len() || global.format != Format::Table {
        print!("{}", render_rows(&rows, global.format));
    }
    for (name, error) in &failed {
        eprintln!("profile {name:?} failed:");
        let _ = error.report();
    }
    if !failed.is_empty() {
        return Err(CliError::Failed(format!(
            "{} of {} profiles could not be audited",
            failed.len(),
            profiles.len()
        )));
    }
    match flagged(&rows, fail_on) {
        0 => Ok(()),
        n => Err(CliError::Flagged(n)),
    }
}

async fn audit_one(
    global: &GlobalArgs,
    profile: &Profile,
    config: &ProfileConfig,
    keys: KeyCheckMode,
) -> Result<Vec<AuditRow>, CliError> {
    let client = connect_to(global, Some(profile), config).await?;
    let (account, rows) = tokio::join!(
        account_id(&client, global, profile),
        audit(&client, global.concurrency, keys)
    );
    let account = account?;
    Ok(rows?
        .into_iter()
        .map(|row| row.with_account(&profile.name, &account))
        .collect())
}

/// The account UID the profile's credentials belong to (shared with the app).
async fn account_id(
    client: &OssClient,
    global: &GlobalArgs,
    profile: &Profile,
) -> Result<String, CliError> {
    crate::app::accounts::account_id(client, global.sts_endpoint.as_deref(), profile)
        .await
        .map_err(|e| CliError::Oss(OssError::Credentials(e)))
}

//! [`AppState::apply`]: how each event changes the state, and which events are stale.
//!
//! Dropped: anything tagged with another session (an older profile connection), refresh
//! events of a refresh that is no longer the current one, and a bucket's answer to a request
//! older than that bucket's latest (the gitui `status.rs` idea).

use crate::app::change::history::History;
use crate::app::event::{ApplyOutcome, Event, RequestId, SessionId};
use crate::app::state::{
    AppState, Connection, DemoStatus, InfoState, KeystoreStatus, NoticeLevel, RowActivity,
};
use crate::core::model::BucketName;

pub(super) fn apply(state: &mut AppState, event: Event) -> bool {
    match event {
        Event::Started { config, keystore } => {
            state.started = true;
            match config {
                Ok(config) => state.profiles = config,
                Err(error) => state.notify(NoticeLevel::Error, error),
            }
            if state.keystore != Some(KeystoreStatus::Memory) {
                state.keystore = Some(match keystore {
                    Ok(()) => KeystoreStatus::Available,
                    Err(reason) => KeystoreStatus::Unavailable(reason),
                });
            }
            true
        }
        Event::Connected {
            session, profile, ..
        } if !state.accounts.is_empty() => {
            if session != state.session {
                return false;
            }
            let Some(account) = state.account_mut(&profile.name) else {
                return false;
            };
            account.connection = Connection::Connected;
            true
        }
        Event::ConnectFailed {
            session,
            profile,
            error,
        } if !state.accounts.is_empty() => {
            if session != state.session {
                return false;
            }
            let Some(account) = state.account_mut(&profile) else {
                return false;
            };
            account.connection = Connection::Failed(error);
            true
        }
        Event::AccountIdentified {
            session,
            profile,
            result,
        } => {
            if session != state.session {
                return false;
            }
            let Some(account) = state.account_mut(&profile) else {
                return false;
            };
            account.account_id = Some(result);
            state.touch();
            true
        }
        Event::Connected {
            session, profile, ..
        } => {
            let Some(active) = state.active.as_mut().filter(|_| session == state.session) else {
                return false;
            };
            active.profile = profile;
            active.connection = Connection::Connected;
            true
        }
        Event::ConnectFailed { session, error, .. } => {
            let Some(active) = state.active.as_mut().filter(|_| session == state.session) else {
                return false;
            };
            active.connection = Connection::Failed(error);
            true
        }
        Event::DemoStarted { profile } => {
            state.demo = Some(DemoStatus::Running);
            state.profiles.upsert(profile.clone());
            state.profiles.active = Some(profile.name);
            true
        }
        Event::DemoFailed { error } => {
            state.notify(
                NoticeLevel::Error,
                format!("The demo server did not start: {error}"),
            );
            state.demo = Some(DemoStatus::Failed(error));
            true
        }
        Event::ProfilesSaved {
            config,
            version,
            notice,
            moved_aside,
            ..
        } => {
            if let Some(moved) = moved_aside {
                state.notify(NoticeLevel::Error, moved);
            }
            // Writes finish in any order; a newer version holds the older ones' changes.
            if version > state.profiles_version {
                state.profiles = config;
                state.profiles_version = version;
            }
            if let Some(notice) = notice {
                state.notify(NoticeLevel::Info, notice);
            }
            true
        }
        Event::ProfileFailed { error, .. } => {
            state.notify(NoticeLevel::Error, error);
            true
        }
        Event::ProfileChecked { id, result } => {
            state.profile_check = Some((id, result));
            true
        }
        Event::BucketsListed {
            session,
            request,
            buckets,
            complete,
        } => {
            if !state.refresh_matches(session, request) {
                return false;
            }
            state.add_listed(request, buckets, complete);
            true
        }
        Event::ListFailed {
            session,
            request,
            error,
        } => {
            if !state.refresh_matches(session, request) {
                return false;
            }
            state.finish_refresh(request, false, Some(error));
            true
        }
        Event::EncryptionLoaded {
            session,
            request,
            bucket,
            state: encryption,
        } => {
            if session != state.session {
                return false;
            }
            if state.refresh_matches(session, request)
                && let Some(refresh) = state.refresh_mut(request)
            {
                if refresh.cancelled {
                    // Answers already on their way when the user cancelled.
                    return false;
                }
                refresh.loaded += 1;
            }
            let Some(row) = state.row_answering(&bucket, |r| r.last_request == request) else {
                return false;
            };
            row.set_read_rule(encryption);
            row.activity = RowActivity::Idle;
            true
        }
        Event::RefreshFinished {
            session,
            request,
            cancelled,
        } => {
            if !state.refresh_matches(session, request) {
                return false;
            }
            state.finish_refresh(request, cancelled, None);
            true
        }
        Event::KeyHealthLoaded { session, health } => {
            if session != state.session {
                return false;
            }
            state.set_key_health(health);
            true
        }
        Event::ObjectsScanned {
            session,
            request,
            progress,
        } => state
            .objects_scan
            .as_mut()
            .is_some_and(|scan| scan.update(session, request, progress)),
        Event::ReencryptPreviewed {
            session,
            request,
            result,
        } => match state.objects_preview.as_mut() {
            Some(preview) if preview.session == session && preview.request == request => {
                preview.result = Some(result);
                true
            }
            _ => false,
        },
        Event::ReencryptProgressed {
            session,
            request,
            progress,
        } => state.job_progressed(session, request, progress),
        Event::RegionKeysLoaded {
            session,
            request,
            region,
            result,
        } => session == state.session && state.region_keys.finish(&region, request, result),
        Event::JobsListed { session, jobs } => {
            if session != state.session {
                return false;
            }
            state.set_interrupted_jobs(jobs);
            true
        }
        Event::BucketInfoLoaded {
            session,
            request,
            bucket,
            result,
        } => {
            if session != state.session {
                return false;
            }
            let Some(row) = state.row_answering(&bucket, |r| r.info == InfoState::Loading(request))
            else {
                return false;
            };
            row.info = match result {
                Ok(info) => InfoState::Loaded(info),
                Err(failure) => InfoState::Failed(failure),
            };
            true
        }
        Event::RuleApplied {
            session,
            batch,
            request,
            bucket,
            outcome,
        } => apply_rule_result(state, session, (batch, request), &bucket, outcome),
        Event::BatchFinished { session, batch } => {
            let Some(b) = state
                .batch
                .as_mut()
                .filter(|b| session == state.session && b.id == batch)
            else {
                return false;
            };
            b.finished = true;
            true
        }
        Event::HistoryLoaded { records, skipped } => {
            if skipped > 0 {
                state.notify(
                    NoticeLevel::Error,
                    format!("{skipped} unreadable line(s) in the change log were skipped."),
                );
            }
            state.history = Some(History::new(records));
            true
        }
        Event::HistoryFailed { error } => {
            state.notify(
                NoticeLevel::Error,
                format!("The change log could not be read: {error}"),
            );
            true
        }
        Event::CallRecorded { session, record } => {
            if session != state.session {
                return false;
            }
            state.activity.push(&record);
            true
        }
        Event::ExportPathNeeded { format } => {
            state.export_path_needed = Some(format);
            true
        }
        Event::ExportExists { path } => {
            state.export_exists = Some(path);
            true
        }
        Event::Exported { path, rows, format } => {
            state.export_path_needed = None;
            state.export_exists = None;
            state.last_export = Some((format, path.clone()));
            state.notify(
                NoticeLevel::Info,
                format!(
                    "Exported {rows} rows as {} to {}",
                    format.label(),
                    path.display()
                ),
            );
            true
        }
        Event::ExportFailed { error } => {
            state.notify(NoticeLevel::Error, format!("Export failed: {error}"));
            true
        }
        Event::ImportPathNeeded => {
            state.import_path_needed = true;
            true
        }
        Event::Imported { path, profiles } => {
            state.import_path_needed = false;
            state.imported = Some((path, profiles));
            true
        }
        Event::ImportFailed { error } => {
            state.notify(NoticeLevel::Error, format!("Import failed: {error}"));
            true
        }
    }
}

/// Records a bucket's result in its batch (always: the user asked for it), and updates the
/// row only if this change is still the row's latest request.
fn apply_rule_result(
    state: &mut AppState,
    session: SessionId,
    (batch, request): (RequestId, RequestId),
    bucket: &BucketName,
    outcome: ApplyOutcome,
) -> bool {
    if session != state.session {
        return false;
    }
    let mut expected = None;
    if let Some(b) = state.batch.as_mut().filter(|b| b.id == batch)
        && let Some(item) = b.items.iter_mut().find(|i| i.request == request)
    {
        expected = Some(item.change.expected());
        item.outcome = Some(outcome.clone());
    }
    let Some(row) = state.row_answering(bucket, |r| r.last_request == request) else {
        return false;
    };
    row.activity = RowActivity::Idle;
    if let Some(read) = expected.and_then(|e| outcome.read(&e)) {
        row.encryption = Some(read);
    }
    row.verification = Some(outcome);
    true
}

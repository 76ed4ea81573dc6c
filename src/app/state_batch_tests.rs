//! A refresh and a change running side by side, and what a change leaves outdated.

use super::tests::{bucket, key, loaded, name, refreshed, steps};
use super::{InfoState, RowActivity};
use crate::app::event::{ApplyOutcome, Change, Event};
use crate::core::sse::{EncryptionState, SseRule};

#[test]
fn a_refresh_during_a_change_leaves_the_changed_rows_to_the_change() {
    let (mut state, session, _) = refreshed(&[
        ("aaa", "cn-hangzhou", EncryptionState::NotConfigured),
        ("bbb", "cn-hangzhou", EncryptionState::NotConfigured),
    ]);
    let (batch, work) = state
        .begin_batch(steps(&["aaa"], &Change::Set(SseRule::Aes256)), "t".into())
        .expect("batch");
    let change_request = work[0].0;

    // "Refresh all", then "Cancel refresh", then "Refresh all" again, all while it runs.
    state.begin_refresh();
    state.cancel_refresh();
    let refresh = state.begin_refresh();
    let aaa = state.row(&name("aaa")).expect("row");
    assert_eq!(aaa.activity, RowActivity::Applying);
    assert_eq!(
        aaa.last_request, change_request,
        "the change's answer stays current"
    );
    let bbb = state.row(&name("bbb")).expect("row");
    assert_eq!(
        (bbb.activity, bbb.last_request),
        (RowActivity::Loading, refresh)
    );
    assert!(state.apply(Event::BucketsListed {
        session,
        request: refresh,
        buckets: vec![bucket("aaa", "cn-hangzhou"), bucket("bbb", "cn-hangzhou")],
        complete: true,
    }));

    assert!(state.apply(Event::RuleApplied {
        session,
        batch,
        request: change_request,
        bucket: name("aaa"),
        outcome: ApplyOutcome::Verified,
    }));
    // The refresh read aaa before the write landed: its answer is stale.
    assert!(!state.apply(loaded(
        session,
        refresh,
        "aaa",
        EncryptionState::NotConfigured
    )));
    assert!(state.apply(loaded(
        session,
        refresh,
        "bbb",
        EncryptionState::NotConfigured
    )));
    assert!(state.apply(Event::RefreshFinished {
        session,
        request: refresh,
        cancelled: false,
    }));
    assert_eq!(state.refresh.as_ref().map(|r| r.loaded), Some(2));
    let aaa = state.row(&name("aaa")).expect("row");
    assert_eq!(
        aaa.encryption,
        Some(EncryptionState::Configured(SseRule::Aes256))
    );
    assert_eq!(aaa.verification, Some(ApplyOutcome::Verified));
    assert!(state.rows().iter().all(|r| r.activity == RowActivity::Idle));
}

#[test]
fn one_bucket_is_not_read_while_a_change_is_applied_to_it() {
    let (mut state, _, _) = refreshed(&[("aaa", "cn-hangzhou", EncryptionState::NotConfigured)]);
    let (_, work) = state
        .begin_batch(steps(&["aaa"], &Change::Delete), "t".into())
        .expect("batch");
    assert!(state.begin_bucket_refresh(&key("aaa")).is_none());
    assert_eq!(
        state.row(&name("aaa")).map(|r| r.last_request),
        Some(work[0].0)
    );
}

#[test]
fn a_change_outdates_the_bucket_facts_and_a_late_answer_is_dropped() {
    let (mut state, session, _) =
        refreshed(&[("aaa", "cn-hangzhou", EncryptionState::NotConfigured)]);
    let (request, _) = state.begin_info(&key("aaa")).expect("info");
    state.forget_info(&name("aaa"));
    assert_eq!(
        state.row(&name("aaa")).map(|r| r.info.clone()),
        Some(InfoState::NotLoaded),
        "the panel loads it again"
    );
    assert!(!state.apply(Event::BucketInfoLoaded {
        session,
        request,
        bucket: name("aaa"),
        result: Ok(Box::default()),
    }));
}

#[test]
fn the_read_time_is_kept_with_the_row() {
    let (mut state, _, _) = refreshed(&[("aaa", "cn-hangzhou", EncryptionState::NotConfigured)]);
    assert_eq!(state.row(&name("aaa")).and_then(|r| r.read_at), None);
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("valid time");
    let version = state.data_version();
    let request = state.row(&name("aaa")).expect("row").last_request;
    state.mark_read(&name("aaa"), request, at);
    assert_eq!(state.row(&name("aaa")).and_then(|r| r.read_at), Some(at));
    assert!(state.data_version() > version, "the views see it");
}

#[test]
fn the_clock_note_comes_from_the_state() {
    let mut state = super::AppState::default();
    assert_eq!(state.clock_note(), None);
    state.clock_offset_seconds = -1500;
    let note = state.clock_note().expect("a note");
    assert!(note.contains("25 min ahead of OSS's"), "{note}");
}

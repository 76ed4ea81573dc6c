use super::{AppState, Connection, InfoState, RowActivity, RowKey};
use crate::app::event::{ApplyOutcome, Change, Event, RequestId, SessionId};
use crate::app::profile::Profile;
use crate::app::view::{Category, SortColumn, TableView};
use crate::core::model::{Bucket, BucketName};
use crate::core::sse::{EncryptionState, ReadFailure, SseRule};

pub(super) fn name(n: &str) -> BucketName {
    BucketName::parse(n).expect("valid name")
}

/// The row of `n` in a single-profile session.
pub(super) fn key(n: &str) -> RowKey {
    RowKey::single(name(n))
}

pub(super) fn bucket(n: &str, region: &str) -> Bucket {
    Bucket {
        creation_date: format!("2024-01-01T00:00:{:02}.000Z", n.len()),
        ..Bucket::in_region(name(n), region)
    }
}

pub(super) fn profile(n: &str) -> Profile {
    Profile::new(
        n,
        "https://oss-cn-hangzhou.aliyuncs.com",
        "cn-hangzhou",
        "LTAI",
    )
}

pub(super) fn kms(key: Option<&str>) -> EncryptionState {
    EncryptionState::Configured(SseRule::Kms {
        key_id: key.map(str::to_owned),
        sm4_data: false,
    })
}

pub(super) fn denied() -> EncryptionState {
    EncryptionState::Unknown(ReadFailure {
        code: "AccessDenied".into(),
        message: "no".into(),
        request_id: Some("RID".into()),
        hint: "allow oss:GetBucketEncryption".into(),
    })
}

pub(super) fn loaded(
    session: SessionId,
    request: RequestId,
    n: &str,
    state: EncryptionState,
) -> Event {
    Event::EncryptionLoaded {
        session,
        request,
        bucket: name(n),
        state,
    }
}

/// A connected session with one finished refresh over `rows`.
pub(super) fn refreshed(
    rows: &[(&str, &str, EncryptionState)],
) -> (AppState, SessionId, RequestId) {
    let mut state = AppState::default();
    let session = state.begin_session(profile("p"));
    let request = state.begin_refresh();
    let buckets = rows.iter().map(|(n, r, _)| bucket(n, r)).collect();
    assert!(state.apply(Event::BucketsListed {
        session,
        request,
        buckets,
        complete: true,
    }));
    for (n, _, s) in rows {
        assert!(state.apply(loaded(session, request, n, s.clone())));
    }
    assert!(state.apply(Event::RefreshFinished {
        session,
        request,
        cancelled: false,
    }));
    (state, session, request)
}

#[test]
fn refresh_fills_rows_and_counts_progress() {
    let mut state = AppState::default();
    let session = state.begin_session(profile("p"));
    let request = state.begin_refresh();
    assert!(state.refresh_running());
    state.apply(Event::BucketsListed {
        session,
        request,
        buckets: vec![bucket("aaa", "cn-hangzhou"), bucket("bbb", "cn-beijing")],
        complete: false,
    });
    state.apply(Event::BucketsListed {
        session,
        request,
        buckets: vec![bucket("ccc", "cn-hangzhou")],
        complete: true,
    });
    assert_eq!(state.rows().len(), 3);
    assert!(
        state
            .rows()
            .iter()
            .all(|r| r.activity == RowActivity::Loading)
    );
    state.apply(loaded(session, request, "bbb", kms(None)));
    let refresh = state.refresh.clone().expect("refresh");
    assert_eq!((refresh.loaded, refresh.listed), (1, 3));
    assert!(refresh.listing_done);
    assert_eq!(
        state.row(&name("bbb")).and_then(|r| r.encryption.clone()),
        Some(kms(None))
    );
    state.apply(Event::RefreshFinished {
        session,
        request,
        cancelled: false,
    });
    assert!(!state.refresh_running());
    assert!(state.rows().iter().all(|r| r.activity == RowActivity::Idle));
}

#[test]
fn stale_events_are_dropped() {
    let (mut state, old_session, old_refresh) =
        refreshed(&[("aaa", "cn-hangzhou", EncryptionState::NotConfigured)]);
    // A newer refresh makes the older one's answers stale.
    let newer = state.begin_refresh();
    assert!(newer > old_refresh);
    assert!(!state.apply(loaded(old_session, old_refresh, "aaa", kms(None))));
    assert!(!state.apply(Event::BucketsListed {
        session: old_session,
        request: old_refresh,
        buckets: vec![bucket("zzz", "cn-hangzhou")],
        complete: true,
    }));
    assert!(state.row(&name("zzz")).is_none());
    // A change after the refresh wins over the refresh's late answer for that bucket.
    let (batch, work) = state
        .begin_batch(steps(&["aaa"], &Change::Set(SseRule::Aes256)), "t".into())
        .expect("batch");
    assert!(!state.apply(loaded(old_session, newer, "aaa", kms(None))));
    assert_eq!(
        state.refresh.as_ref().map(|r| r.loaded),
        Some(1),
        "progress still counts"
    );
    assert!(state.apply(Event::RuleApplied {
        session: old_session,
        batch,
        request: work[0].0,
        bucket: name("aaa"),
        outcome: ApplyOutcome::Verified,
    }));
    let row = state.row(&name("aaa")).expect("row");
    assert_eq!(
        row.encryption,
        Some(EncryptionState::Configured(SseRule::Aes256))
    );
    assert_eq!(row.verification, Some(ApplyOutcome::Verified));
    // Another profile: everything from the old session is dropped.
    let new_session = state.begin_session(profile("q"));
    assert!(state.rows().is_empty());
    assert!(!state.apply(loaded(old_session, newer, "aaa", kms(None))));
    assert!(!state.apply(Event::ConnectFailed {
        session: old_session,
        profile: "q".into(),
        error: "x".into()
    }));
    assert!(state.apply(Event::ConnectFailed {
        session: new_session,
        profile: "q".into(),
        error: "no secret".into()
    }));
    assert_eq!(
        state.active.as_ref().map(|a| a.connection.clone()),
        Some(Connection::Failed("no secret".into()))
    );
    assert_eq!(state.dropped_events, 5);
}

#[test]
fn cancel_keeps_previous_values_and_ignores_late_finish() {
    let (mut state, session, _) = refreshed(&[("aaa", "cn-hangzhou", kms(Some("k1")))]);
    let request = state.begin_refresh();
    assert_eq!(
        crate::app::view::status_text(state.row(&name("aaa")).expect("row")),
        "refreshing…"
    );
    state.cancel_refresh();
    let refresh = state.refresh.clone().expect("refresh");
    assert!(refresh.cancelled && refresh.finished);
    let row = state.row(&name("aaa")).expect("row");
    assert_eq!(row.activity, RowActivity::Idle);
    assert_eq!(row.encryption, Some(kms(Some("k1"))));
    // Answers already in flight when Cancel was pressed change nothing.
    assert!(!state.apply(loaded(session, request, "aaa", kms(None))));
    assert_eq!(state.refresh.as_ref().map(|r| r.loaded), Some(0));
    assert_eq!(
        state.row(&name("aaa")).and_then(|r| r.encryption.clone()),
        Some(kms(Some("k1")))
    );
    state.apply(Event::RefreshFinished {
        session,
        request,
        cancelled: false,
    });
    assert!(state.refresh.as_ref().is_some_and(|r| r.cancelled));
}

#[test]
fn incomplete_listing_keeps_rows_complete_listing_drops_deleted() {
    let (mut state, session, _) = refreshed(&[
        ("aaa", "cn-hangzhou", kms(None)),
        ("bbb", "cn-hangzhou", kms(None)),
    ]);
    let request = state.begin_refresh();
    state.apply(Event::BucketsListed {
        session,
        request,
        buckets: vec![bucket("aaa", "cn-hangzhou")],
        complete: false,
    });
    assert_eq!(state.rows().len(), 2);
    state.apply(Event::BucketsListed {
        session,
        request,
        buckets: vec![],
        complete: true,
    });
    assert_eq!(state.rows().len(), 1);
    assert!(state.row(&name("bbb")).is_none());
    assert!(state.row(&name("aaa")).is_some());
}

#[test]
fn batch_records_every_result_and_mismatch_shows_actual() {
    let (mut state, session, _) = refreshed(&[
        ("aaa", "cn-hangzhou", EncryptionState::NotConfigured),
        ("bbb", "cn-hangzhou", denied()),
    ]);
    let rule = SseRule::Kms {
        key_id: Some("key-abcdefgh1".into()),
        sm4_data: false,
    };
    let (batch, work) = state
        .begin_batch(
            steps(&["aaa", "bbb", "nope"], &Change::Set(rule)),
            "t".into(),
        )
        .expect("batch");
    assert_eq!(work.len(), 2);
    assert_eq!(
        state.row(&name("aaa")).map(|r| r.activity),
        Some(RowActivity::Applying)
    );
    let failure = ReadFailure {
        code: "AccessDenied".into(),
        message: "m".into(),
        request_id: Some("R2".into()),
        hint: "h".into(),
    };
    state.apply(Event::RuleApplied {
        session,
        batch,
        request: work[0].0,
        bucket: name("aaa"),
        outcome: ApplyOutcome::Mismatch {
            read_back: kms(None).rule().cloned(),
        },
    });
    state.apply(Event::RuleApplied {
        session,
        batch,
        request: work[1].0,
        bucket: name("bbb"),
        outcome: ApplyOutcome::WriteFailed(failure),
    });
    state.apply(Event::BatchFinished { session, batch });
    let b = state.batch.clone().expect("batch");
    assert!(b.finished);
    assert_eq!((b.done(), b.succeeded()), (2, 0));
    assert_eq!(b.items[0].before, Some(EncryptionState::NotConfigured));
    assert_eq!(
        state.row(&name("aaa")).and_then(|r| r.encryption.clone()),
        Some(kms(None))
    );
    // A failed write leaves the known state alone.
    assert_eq!(
        state.row(&name("bbb")).and_then(|r| r.encryption.clone()),
        Some(denied())
    );
    assert_eq!(
        crate::app::view::status_text(state.row(&name("bbb")).expect("row")),
        "change failed: AccessDenied"
    );
}

#[test]
fn info_answers_only_for_the_latest_request() {
    let (mut state, session, _) = refreshed(&[("aaa", "cn-hangzhou", kms(None))]);
    let (first, _) = state.begin_info(&key("aaa")).expect("row");
    let (second, _) = state.begin_info(&key("aaa")).expect("row");
    let info = crate::core::ops::bucket::BucketInfo::default();
    assert!(!state.apply(Event::BucketInfoLoaded {
        session,
        request: first,
        bucket: name("aaa"),
        result: Ok(Box::new(info.clone())),
    }));
    assert!(state.apply(Event::BucketInfoLoaded {
        session,
        request: second,
        bucket: name("aaa"),
        result: Ok(Box::new(info)),
    }));
    assert!(matches!(
        state.row(&name("aaa")).map(|r| &r.info),
        Some(InfoState::Loaded(_))
    ));
}

#[test]
fn counts_filter_and_sort() {
    let (state, _, _) = refreshed(&[
        ("web-assets", "cn-shanghai", EncryptionState::NotConfigured),
        ("logs", "cn-hangzhou", kms(Some("key-zzzzzzzz1"))),
        ("backup", "cn-beijing", kms(Some("key-aaaaaaaa1"))),
        ("locked", "cn-hangzhou", denied()),
        ("media", "cn-hangzhou", EncryptionState::NotConfigured),
    ]);
    let mut view = TableView::default();
    view.update(&state);
    let names = |view: &TableView| -> Vec<String> {
        view.indices()
            .iter()
            .map(|i| state.rows()[*i].bucket.name.to_string())
            .collect()
    };
    assert_eq!(
        names(&view),
        ["backup", "locked", "logs", "media", "web-assets"]
    );
    assert_eq!(view.counts().get(Category::NotEncrypted), 2);
    assert_eq!(view.counts().get(Category::Kms), 2);
    assert_eq!(view.counts().get(Category::Unknown), 1);
    // No change: no recompute.
    let before = view.recomputed();
    view.update(&state);
    assert_eq!(view.recomputed(), before);

    view.state_filter = Some(Category::NotEncrypted);
    view.update(&state);
    assert_eq!(names(&view), ["media", "web-assets"]);
    view.state_filter = None;
    view.filter_text = "HANGZHOU".into();
    view.update(&state);
    assert_eq!(names(&view), ["locked", "logs", "media"]);
    view.filter_text = "accessdenied".into();
    view.update(&state);
    assert_eq!(names(&view), ["locked"]);
    view.filter_text = "key-aaa".into();
    view.update(&state);
    assert_eq!(names(&view), ["backup"]);

    view.filter_text.clear();
    view.toggle_sort(SortColumn::Region);
    view.update(&state);
    assert_eq!(
        names(&view),
        ["backup", "locked", "logs", "media", "web-assets"]
    );
    view.toggle_sort(SortColumn::Region);
    view.update(&state);
    assert_eq!(
        names(&view),
        ["web-assets", "media", "logs", "locked", "backup"]
    );
    view.toggle_sort(SortColumn::KeyId);
    view.update(&state);
    assert_eq!(names(&view)[3..], ["backup", "logs"]);
    // Status sorts by its text ("AccessDenied" before "ok"), then by name; descending is the
    // exact reverse.
    view.toggle_sort(SortColumn::Status);
    view.update(&state);
    assert_eq!(
        names(&view),
        ["locked", "backup", "logs", "media", "web-assets"]
    );
    view.toggle_sort(SortColumn::Status);
    view.update(&state);
    assert_eq!(
        names(&view),
        ["web-assets", "media", "logs", "backup", "locked"]
    );
}

#[test]
fn thousands_separators() {
    assert_eq!(crate::app::view::thousands(412), "412");
    assert_eq!(crate::app::view::thousands(1000), "1,000");
    assert_eq!(crate::app::view::thousands(1_234_567), "1,234,567");
}

#[test]
fn audit_rows_are_sorted_and_skip_unread() {
    let (mut state, session, _) = refreshed(&[
        ("zzz", "cn-hangzhou", kms(None)),
        ("aaa", "cn-hangzhou", EncryptionState::NotConfigured),
    ]);
    let request = state.begin_refresh();
    state.apply(Event::BucketsListed {
        session,
        request,
        buckets: vec![
            bucket("zzz", "cn-hangzhou"),
            bucket("aaa", "cn-hangzhou"),
            bucket("new", "cn-hangzhou"),
        ],
        complete: true,
    });
    let now = chrono::Utc::now();
    let zzz = state.row(&name("zzz")).expect("listed").last_request;
    state.mark_read(&name("zzz"), zzz, now);
    let rows = state.export_rows(None, now);
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["aaa", "zzz"]);
    assert_eq!(rows[1].read_at, Some(now));
    assert_eq!(rows[0].read_at, None);
    assert!(rows.iter().all(|r| r.exported_at == Some(now)));
    assert_eq!((rows[0].state, rows[1].state), ("not_encrypted", "kms"));
    // The filter's rows only.
    let only = state.export_rows(Some(&[key("zzz"), key("new")]), now);
    let names: Vec<&str> = only.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["zzz"]);
}

/// One step per bucket, all with `change` (what `Controller::apply_change` hands the state).
pub(super) fn steps(names: &[&str], change: &Change) -> Vec<(RowKey, Change, ())> {
    names.iter().map(|n| (key(n), change.clone(), ())).collect()
}

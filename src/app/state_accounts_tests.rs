//! An audit of several profiles at once: rows keyed by profile and name, each profile's
//! refresh on its own, failures kept to their profile, exports and filters with the account.

use super::tests::{bucket, kms, loaded, name, profile};
use super::{AppState, Connection, RowKey};
use crate::app::event::{Change, Event, RequestId, SessionId};
use crate::app::view::TableView;
use crate::core::sse::{EncryptionState, ReadFailure, SseRule};

fn key(profile: &str, n: &str) -> RowKey {
    RowKey {
        profile: Some(profile.to_owned()),
        name: name(n),
    }
}

/// Profiles "a" and "b" audited at once; both list a bucket named "shared".
fn two_accounts() -> (AppState, SessionId, RequestId, RequestId) {
    let mut state = AppState::default();
    let session = state.begin_accounts_session(&[profile("a"), profile("b")]);
    assert!(state.is_all_profiles());
    assert!(state.active.is_none());
    let ra = state.begin_account_refresh("a").expect("a");
    let rb = state.begin_account_refresh("b").expect("b");
    assert_ne!(ra, rb);
    for (request, names) in [(ra, ["shared", "only-a"]), (rb, ["shared", "only-b"])] {
        assert!(state.apply(Event::BucketsListed {
            session,
            request,
            buckets: names.iter().map(|n| bucket(n, "cn-hangzhou")).collect(),
            complete: true,
        }));
    }
    (state, session, ra, rb)
}

#[test]
fn two_profiles_fill_one_table_and_a_shared_name_is_two_rows() {
    let (mut state, session, ra, rb) = two_accounts();
    assert_eq!(state.rows().len(), 4);
    assert!(state.refresh_running());
    // Each answer lands on the row of the profile whose refresh asked.
    assert!(state.apply(loaded(
        session,
        ra,
        "shared",
        EncryptionState::NotConfigured
    )));
    assert!(state.apply(loaded(session, rb, "shared", kms(Some("k1")))));
    let a = state.row_by_key(&key("a", "shared")).expect("a's row");
    let b = state.row_by_key(&key("b", "shared")).expect("b's row");
    assert_eq!(a.encryption, Some(EncryptionState::NotConfigured));
    assert_eq!(b.encryption, Some(kms(Some("k1"))));
    assert_eq!(state.row(&name("shared")), None, "no single-profile row");

    // Progress per profile and summed for the top bar.
    assert_eq!(
        state
            .account("a")
            .and_then(|s| s.refresh.clone())
            .map(|r| r.loaded),
        Some(1)
    );
    let sum = state.refresh_summary().expect("summary");
    assert_eq!((sum.listed, sum.loaded, sum.finished), (4, 2, false));
    assert!(state.apply(Event::RefreshFinished {
        session,
        request: ra,
        cancelled: false,
    }));
    assert!(state.refresh_running(), "b still runs");
    assert!(state.apply(Event::RefreshFinished {
        session,
        request: rb,
        cancelled: false,
    }));
    assert!(!state.refresh_running());
    assert!(state.refresh_summary().is_some_and(|r| r.finished));
}

#[test]
fn one_profile_relisting_keeps_the_other_profiles_rows() {
    let (mut state, session, _, _) = two_accounts();
    let again = state.begin_account_refresh("a").expect("a");
    assert!(state.apply(Event::BucketsListed {
        session,
        request: again,
        buckets: vec![bucket("shared", "cn-hangzhou")],
        complete: true,
    }));
    assert!(
        state.row_by_key(&key("a", "only-a")).is_none(),
        "deleted in a"
    );
    assert!(
        state.row_by_key(&key("b", "only-b")).is_some(),
        "b's rows stay"
    );
    assert!(state.row_by_key(&key("b", "shared")).is_some());
}

#[test]
fn a_failing_profile_shows_its_error_and_the_others_fill_in() {
    let mut state = AppState::default();
    let session = state.begin_accounts_session(&[profile("a"), profile("b")]);
    assert!(state.apply(Event::ConnectFailed {
        session,
        profile: "a".into(),
        error: "No secret for profile \"a\" in the keyring".into(),
    }));
    let rb = state.begin_account_refresh("b").expect("b");
    assert!(state.apply(Event::BucketsListed {
        session,
        request: rb,
        buckets: vec![bucket("only-b", "cn-hangzhou")],
        complete: true,
    }));
    let a = state.account("a").expect("a");
    assert!(matches!(a.connection, Connection::Failed(_)));
    assert!(a.error().is_some_and(|e| e.contains("keyring")), "{a:?}");
    assert_eq!(state.account("b").and_then(|b| b.error()), None);
    assert_eq!(state.account_counts("b").buckets, 1);

    // A listing refused for b is b's error; the rows of b stay.
    let again = state.begin_account_refresh("b").expect("b");
    assert!(state.apply(Event::ListFailed {
        session,
        request: again,
        error: ReadFailure {
            code: "AccessDenied".into(),
            message: "no ListBuckets".into(),
            request_id: None,
            hint: "allow oss:ListBuckets".into(),
        },
    }));
    let b = state.account("b").expect("b");
    assert!(
        b.error().is_some_and(|e| e.contains("oss:ListBuckets")),
        "{b:?}"
    );
    assert_eq!(state.account_counts("b").buckets, 1);
    // A late answer of another session is dropped.
    assert!(!state.apply(Event::AccountIdentified {
        session: SessionId(session.0 + 7),
        profile: "b".into(),
        result: Ok("1".into()),
    }));
}

#[test]
fn exports_and_filters_carry_the_account() {
    let (mut state, session, ra, rb) = two_accounts();
    for (request, n) in [
        (ra, "shared"),
        (ra, "only-a"),
        (rb, "shared"),
        (rb, "only-b"),
    ] {
        assert!(state.apply(loaded(session, request, n, EncryptionState::NotConfigured)));
    }
    assert!(state.apply(Event::AccountIdentified {
        session,
        profile: "a".into(),
        result: Ok("1111222233334444".into()),
    }));
    assert!(state.apply(Event::AccountIdentified {
        session,
        profile: "b".into(),
        result: Ok("5555666677778888".into()),
    }));
    let now = chrono::Utc::now();
    let rows = state.export_rows(None, now);
    let tags: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let account = r.account.as_ref().expect("tagged");
            (
                account.profile.clone(),
                account.account_id.clone(),
                r.name.clone(),
            )
        })
        .collect();
    assert_eq!(
        tags,
        [
            ("a".into(), "1111222233334444".into(), "only-a".into()),
            ("a".into(), "1111222233334444".into(), "shared".into()),
            ("b".into(), "5555666677778888".into(), "only-b".into()),
            ("b".into(), "5555666677778888".into(), "shared".into()),
        ]
    );
    // Only the filter's rows: b's "shared", not a's.
    let only = state.export_rows(Some(&[key("b", "shared")]), now);
    assert_eq!(only.len(), 1);
    assert_eq!(
        only[0].account.as_ref().map(|a| a.profile.as_str()),
        Some("b")
    );

    // The text filter matches the account ID and the profile name.
    let mut table = TableView::default();
    table.filter_text = "5555666677778888".into();
    table.update(&state);
    assert_eq!(table.names(), [key("b", "only-b"), key("b", "shared")]);
    table.filter_text = "only".into();
    table.update(&state);
    assert_eq!(table.names().len(), 2);
}

#[test]
fn a_change_over_two_accounts_records_each_rows_profile() {
    let (mut state, session, ra, rb) = two_accounts();
    for (request, n) in [(ra, "shared"), (rb, "shared")] {
        assert!(state.apply(loaded(session, request, n, EncryptionState::NotConfigured)));
    }
    let set = Change::Set(SseRule::Aes256);
    let steps = vec![
        (key("a", "shared"), set.clone(), "a"),
        (key("b", "shared"), set.clone(), "b"),
    ];
    let (_, work) = state
        .begin_batch(steps, "set AES256".into())
        .expect("batch");
    let batch = state.batch.clone().expect("batch");
    let profiles: Vec<Option<&str>> = batch.items.iter().map(|i| i.profile.as_deref()).collect();
    assert_eq!(profiles, [Some("a"), Some("b")]);
    // Each bucket's answer lands on its own profile's row.
    let (b_request, _, _) = work[1];
    assert!(state.apply(Event::RuleApplied {
        session,
        batch: batch.id,
        request: b_request,
        bucket: name("shared"),
        outcome: crate::app::event::ApplyOutcome::Verified,
    }));
    let b = state.row_by_key(&key("b", "shared")).expect("b");
    assert_eq!(
        b.encryption,
        Some(EncryptionState::Configured(SseRule::Aes256))
    );
    let a = state.row_by_key(&key("a", "shared")).expect("a");
    assert_eq!(
        a.encryption,
        Some(EncryptionState::NotConfigured),
        "a still applying"
    );
}

#[test]
fn a_single_profile_session_leaves_the_audit_of_several() {
    let (mut state, _, _, _) = two_accounts();
    state.begin_session(profile("p"));
    assert!(!state.is_all_profiles());
    assert!(state.rows().is_empty());
    assert!(state.refresh_summary().is_none());
}

#[test]
fn cancel_stops_every_profiles_refresh_and_late_answers_are_dropped() {
    let (mut state, session, ra, rb) = two_accounts();
    state.cancel_refresh();
    assert!(!state.refresh_running());
    for profile in ["a", "b"] {
        let refresh = state.account(profile).and_then(|a| a.refresh.clone());
        assert!(
            refresh.is_some_and(|r| r.cancelled && r.finished),
            "{profile}"
        );
    }
    assert!(
        state
            .rows()
            .iter()
            .all(|r| r.activity == super::RowActivity::Idle)
    );
    // Answers already on their way when the user cancelled.
    assert!(!state.apply(loaded(
        session,
        ra,
        "shared",
        EncryptionState::NotConfigured
    )));
    assert!(!state.apply(loaded(
        session,
        rb,
        "only-b",
        EncryptionState::NotConfigured
    )));
    assert!(state.refresh_summary().is_some_and(|r| r.cancelled));
}

//! 10,000 buckets: the table lays out only the visible rows, and the filtered, sorted list is
//! recomputed when rows, filter or sort change, not on every frame.

use crate::ui_support::UiTest;
use egui_kittest::kittest::Queryable as _;
use ossguard::app::event::Event;
use ossguard::app::profile::Profile;
use ossguard::core::model::{Bucket, BucketName};
use ossguard::core::sse::{EncryptionState, SseRule};

const ROWS: usize = 10_000;

fn bucket(n: usize) -> Bucket {
    Bucket {
        creation_date: "2024-01-01T00:00:00.000Z".into(),
        ..Bucket::in_region(
            BucketName::parse(&format!("bulk-{n:05}")).expect("valid"),
            "cn-hangzhou",
        )
    }
}

#[test]
fn ten_thousand_rows_are_virtualized_and_not_resorted_every_frame() {
    let mut test = UiTest::start(|_| {});
    test.step_until("start", |h| h.state().state().started);
    {
        let state = &mut test.harness.state_mut().controller_mut().state;
        let session = state.begin_session(Profile::new(
            "big",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "LTAI",
        ));
        let request = state.begin_refresh();
        state.apply(Event::BucketsListed {
            session,
            request,
            buckets: (0..ROWS).map(bucket).collect(),
            complete: true,
        });
        for n in 0..ROWS {
            let encryption = if n % 4 == 0 {
                EncryptionState::NotConfigured
            } else {
                EncryptionState::Configured(SseRule::Aes256)
            };
            state.apply(Event::EncryptionLoaded {
                session,
                request,
                bucket: bucket(n).name,
                state: encryption,
            });
        }
        state.apply(Event::RefreshFinished {
            session,
            request,
            cancelled: false,
        });
    }
    test.settle();
    assert!(
        test.harness
            .query_by_label_contains("2,500 of 10,000 not encrypted")
            .is_some()
    );
    let laid_out = test
        .harness
        .query_all_by_label_contains("Select bulk-")
        .count();
    assert!(
        (10..200).contains(&laid_out),
        "{laid_out} rows laid out; only the visible ones should be"
    );
    assert!(test.harness.query_by_label("bulk-00000").is_some());
    assert!(test.harness.query_by_label("bulk-09999").is_none());

    let recomputed = test.harness.state().view().table.recomputed();
    for _ in 0..10 {
        test.harness.step();
    }
    assert_eq!(test.harness.state().view().table.recomputed(), recomputed);

    // Sorting descending recomputes once and shows the other end.
    test.harness.get_by_label("Name (asc)").click();
    test.settle();
    assert_eq!(
        test.harness.state().view().table.recomputed(),
        recomputed + 1
    );
    assert!(test.harness.query_by_label("bulk-09999").is_some());
}

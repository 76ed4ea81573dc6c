//! Clock-skew correction: after `RequestTimeTooSkewed`, sign with the server's time.
//!
//! OSS refuses requests dated more than 15 minutes off. Like the Go SDK, ossguard learns the
//! offset from the error (`ServerTime` - `RequestTime`) and re-signs; the offset is shared by
//! every request of the client and shown to the user.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

use crate::core::xml::error::ErrorDoc;

/// The offset to add to the local clock, shared by clones.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The corrected current time used for signing.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Adds the offset reported by a RequestTimeTooSkewed answer; returns the new total.
    pub fn learn(&self, doc: &ErrorDoc) -> Option<Duration> {
        let offset = server_offset(doc)?;
        let total = self.offset() + offset;
        self.offset_ms
            .store(total.num_milliseconds(), Ordering::Relaxed);
        Some(total)
    }
}

/// What to tell the user about a learned offset, in plain words; `None` when there is none.
pub fn describe_offset(offset: Duration) -> Option<String> {
    let seconds = offset.num_seconds();
    if seconds == 0 {
        return None;
    }
    let direction = if seconds > 0 { "behind" } else { "ahead of" };
    let amount = match seconds.abs() {
        s if s >= 120 => format!("{} min", (s + 30) / 60),
        s => format!("{s} s"),
    };
    Some(format!(
        "This computer's clock is {amount} {direction} OSS's ({seconds:+} s): requests are signed with the server's time. Fix the system clock."
    ))
}

fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| crate::core::sign::v4::parse_datetime(value))
        .or_else(|| crate::core::sign::v1::parse_http_date(value))
}

/// `ServerTime - RequestTime` from a RequestTimeTooSkewed body.
pub fn server_offset(doc: &ErrorDoc) -> Option<Duration> {
    let server = parse_time(doc.server_time.as_deref()?)?;
    let request = parse_time(doc.request_time.as_deref()?)?;
    Some(server - request)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::{Clock, describe_offset};
    use crate::core::xml::error::ErrorDoc;

    #[test]
    fn learns_offset_from_error() {
        let clock = Clock::default();
        let doc = ErrorDoc {
            code: "RequestTimeTooSkewed".into(),
            request_time: Some("2025-01-15T08:00:00.000Z".into()),
            server_time: Some("2025-01-15T08:20:30.000Z".into()),
            ..Default::default()
        };
        assert_eq!(clock.learn(&doc), Some(Duration::seconds(1230)));
        let shared = clock.clone();
        assert_eq!(shared.offset(), Duration::seconds(1230));
        let drift = (shared.now() - chrono::Utc::now() - Duration::seconds(1230)).num_seconds();
        assert!(drift.abs() <= 1);
        assert_eq!(clock.learn(&ErrorDoc::default()), None);
        let note = describe_offset(Duration::seconds(1230)).expect("a note");
        assert!(
            note.contains("21 min behind") && note.contains("+1230 s"),
            "{note}"
        );
        let note = describe_offset(Duration::seconds(-45)).expect("a note");
        assert!(note.contains("45 s ahead of"), "{note}");
        assert_eq!(describe_offset(Duration::zero()), None);
    }
}

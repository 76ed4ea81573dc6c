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

/// Offsets beyond a day are not clock drift but a hostile or broken answer; they are clamped,
/// which also keeps the date arithmetic far from overflow.
pub const MAX_OFFSET: Duration = Duration::hours(24);

impl Clock {
    /// The corrected current time used for signing, and the offset it includes.
    pub fn now(&self) -> (DateTime<Utc>, Duration) {
        let offset = self.offset();
        (Utc::now() + offset, offset)
    }

    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Learns from a RequestTimeTooSkewed answer to a request signed with `used` as offset:
    /// the new offset is `used + (ServerTime - RequestTime)`. Absolute rather than cumulative,
    /// so many requests failing at once (a batch after the user fixed the clock) all arrive
    /// at the same offset instead of adding their corrections up. Returns the new offset.
    pub fn learn(&self, doc: &ErrorDoc, used: Duration) -> Option<Duration> {
        Some(self.learn_difference(server_offset(doc)?, used))
    }

    /// Learns from a service that states its time only in the `Date` header (the RPC
    /// services' `InvalidTimeStamp.Expired`): the request was signed at `signed` (offset
    /// `used` included), the server answered that it is `server`.
    pub fn learn_server_time(
        &self,
        server: DateTime<Utc>,
        signed: DateTime<Utc>,
        used: Duration,
    ) -> Duration {
        self.learn_difference(server - signed, used)
    }

    fn learn_difference(&self, difference: Duration, used: Duration) -> Duration {
        let offset = clamp(used + difference);
        self.offset_ms
            .store(offset.num_milliseconds(), Ordering::Relaxed);
        offset
    }
}

/// The offset ossguard applies for a measured one: at most [`MAX_OFFSET`] either way.
pub fn clamp(offset: Duration) -> Duration {
    offset.clamp(-MAX_OFFSET, MAX_OFFSET)
}

/// What to tell the user about a learned offset, in plain words; `None` when there is none.
/// It never claims more than the offset applied: at the clamp it says "at least".
pub fn describe_offset(offset: Duration) -> Option<String> {
    let seconds = offset.num_seconds();
    if seconds == 0 {
        return None;
    }
    let direction = if seconds > 0 { "behind" } else { "ahead of" };
    if offset.abs() >= MAX_OFFSET {
        return Some(format!(
            "This computer's clock is at least 24 h {direction} OSS's: requests are signed with a 24 h correction ({seconds:+} s), the most ossguard applies, which may not be enough. Fix the system clock."
        ));
    }
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
        assert_eq!(
            clock.learn(&doc, Duration::zero()),
            Some(Duration::seconds(1230))
        );
        let shared = clock.clone();
        assert_eq!(shared.offset(), Duration::seconds(1230));
        let (now, offset) = shared.now();
        assert_eq!(offset, Duration::seconds(1230));
        let drift = (now - chrono::Utc::now() - Duration::seconds(1230)).num_seconds();
        assert!(drift.abs() <= 1);
        // Eight requests signed with the old offset all fail: the offset stays right.
        for _ in 0..8 {
            clock.learn(&doc, Duration::zero());
        }
        assert_eq!(clock.offset(), Duration::seconds(1230));
        // A request signed with the learned offset that still fails corrects it.
        let small = ErrorDoc {
            request_time: Some("2025-01-15T08:00:00.000Z".into()),
            server_time: Some("2025-01-15T08:00:10.000Z".into()),
            ..doc.clone()
        };
        assert_eq!(
            clock.learn(&small, Duration::seconds(1230)),
            Some(Duration::seconds(1240))
        );
        // A hostile ServerTime is clamped, never an overflow.
        let hostile = ErrorDoc {
            server_time: Some("9999-12-31T23:59:59.000Z".into()),
            ..doc.clone()
        };
        assert_eq!(
            clock.learn(&hostile, Duration::zero()),
            Some(Duration::hours(24))
        );
        assert_eq!(clock.learn(&ErrorDoc::default(), Duration::zero()), None);
        let note = describe_offset(Duration::seconds(1230)).expect("a note");
        assert!(
            note.contains("21 min behind") && note.contains("+1230 s"),
            "{note}"
        );
        let note = describe_offset(Duration::seconds(-45)).expect("a note");
        assert!(note.contains("45 s ahead of"), "{note}");
        assert_eq!(describe_offset(Duration::zero()), None);
        let clamped = describe_offset(Duration::hours(24)).expect("a note");
        assert!(
            clamped.contains("at least 24 h behind") && clamped.contains("may not be enough"),
            "{clamped}"
        );
    }
}

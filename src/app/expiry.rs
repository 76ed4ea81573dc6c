//! When temporary credentials expire: how an STS token's expiry is typed into the profile
//! form, and what the top bar says about the credentials in use and who renews them.
//! ossguard renews a RAM or ECS role's credentials before they expire
//! (`transport::credentials::CredentialCache`); an STS token typed into a profile is renewed
//! by the user.

use chrono::{DateTime, NaiveDateTime, Utc};

/// How an expiry is shown, and typed into the profile form (seconds and " UTC" optional).
const SHOWN: &str = "%Y-%m-%d %H:%M:%S UTC";

/// `at` as the app shows it: `2026-12-01 07:00:00 UTC`.
pub fn format(at: DateTime<Utc>) -> String {
    at.format(SHOWN).to_string()
}

/// An STS token's expiry as typed: `2026-12-01 07:00[:00][ UTC]`, or RFC 3339 with an
/// offset (`2026-12-01T15:00:00+08:00`, as STS's `Expiration` is written). Without an offset
/// the time is UTC, never local time: a token's expiry is given in UTC everywhere.
pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let bare = text.strip_suffix("UTC").unwrap_or(text).trim();
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|layout| NaiveDateTime::parse_from_str(bare, layout).ok())
        .map(|naive| naive.and_utc())
        .ok_or_else(|| format!("{text:?} is not a UTC time: write it as 2026-12-01 07:00:00 (UTC)"))
}

/// The note for credentials expiring `at`; `renewed`: loaded from a role, not typed in.
pub fn note(at: DateTime<Utc>, renewed: bool, now: DateTime<Utc>) -> String {
    let when = format(at);
    if at > now {
        let minutes = (at - now).num_minutes();
        let who = if renewed {
            "renewed before then"
        } else {
            "renew the STS token before then"
        };
        format!("Temporary credentials expire at {when} (in {minutes} min); {who}")
    } else if renewed {
        format!("Temporary credentials expired at {when}; renewing")
    } else {
        format!(
            "Temporary credentials expired at {when}: edit the profile and enter a new STS token"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{format, note, parse};
    use chrono::{Duration, TimeZone as _, Utc};

    #[test]
    fn typed_expiries_are_utc_and_bad_ones_refused() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 1, 7, 0, 0)
            .single()
            .expect("time");
        for text in [
            "2026-12-01 07:00:00",
            " 2026-12-01 07:00 ",
            "2026-12-01 07:00:00 UTC",
            "2026-12-01T07:00:00Z",
            "2026-12-01T15:00:00+08:00",
            "2026-12-01T07:00:00",
        ] {
            assert_eq!(parse(text), Ok(at), "{text}");
        }
        assert_eq!(parse(&format(at)), Ok(at), "what is shown parses back");
        for bad in [
            "",
            "tomorrow",
            "2026-13-01 07:00",
            "01/12/2026 07:00",
            "1796108400",
        ] {
            let error = parse(bad).expect_err(bad);
            assert!(error.contains("2026-12-01 07:00:00"), "{error}");
        }
    }

    #[test]
    fn says_when_and_who_renews() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 1, 7, 0, 0)
            .single()
            .expect("time");
        let before = at - Duration::minutes(15);
        assert_eq!(
            note(at, true, before),
            "Temporary credentials expire at 2026-12-01 07:00:00 UTC (in 15 min); renewed before then"
        );
        assert!(note(at, false, before).contains("renew the STS token"));
        assert!(
            note(at, false, at).contains("expired at 2026-12-01 07:00:00 UTC: edit the profile")
        );
        assert!(note(at, true, at + Duration::seconds(1)).ends_with("renewing"));
    }
}

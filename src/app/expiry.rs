//! What the top bar says about temporary credentials: when those in use expire, and who
//! renews them. ossguard renews a RAM or ECS role's credentials before they expire
//! (`transport::credentials::CredentialCache`); an STS token typed into a profile is renewed
//! by the user.

use chrono::{DateTime, Utc};

/// The note for credentials expiring `at`; `renewed`: loaded from a role, not typed in.
pub fn note(at: DateTime<Utc>, renewed: bool, now: DateTime<Utc>) -> String {
    let when = at.format("%Y-%m-%d %H:%M:%S UTC");
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
    use super::note;
    use chrono::{Duration, TimeZone as _, Utc};

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

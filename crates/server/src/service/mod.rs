//! Use cases, free of HTTP: what the handlers, the command line and the
//! background tasks call.

pub mod accounts;
pub mod card_drop;
pub mod contacts;
pub mod duplicates;
pub mod export;
pub mod imports;
pub mod intro_requests;
pub mod nurture;
pub mod sharing;
pub mod teams;
pub mod upkeep;

use chrono::{DateTime, NaiveDate, Utc};

/// The day it is at `now` in an IANA time zone (UTC when there is none, or
/// it is unknown to this build).
pub fn today_in(time_zone: Option<&str>, now: DateTime<Utc>) -> NaiveDate {
    match time_zone.and_then(|zone| zone.parse::<chrono_tz::Tz>().ok()) {
        Some(zone) => now.with_timezone(&zone).date_naive(),
        None => now.date_naive(),
    }
}

/// The latest day it is anywhere at `now` (UTC+14).
pub fn latest_today(now: DateTime<Utc>) -> NaiveDate {
    (now + chrono::Duration::hours(14)).date_naive()
}

/// Is this a time zone name this server knows (`Europe/Berlin`, `UTC`)?
pub fn is_time_zone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_day_follows_their_time_zone_around_midnight_utc() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let evening = at("2026-03-10T23:30:00Z");
        assert_eq!(
            today_in(Some("Pacific/Auckland"), evening),
            day("2026-03-11")
        );
        assert_eq!(
            today_in(Some("America/Los_Angeles"), evening),
            day("2026-03-10")
        );
        assert_eq!(today_in(None, evening), day("2026-03-10"));
        assert_eq!(today_in(Some("Not/AZone"), evening), day("2026-03-10"));
        let morning = at("2026-03-11T00:30:00Z");
        assert_eq!(
            today_in(Some("America/Los_Angeles"), morning),
            day("2026-03-10")
        );
        assert_eq!(today_in(Some("Europe/London"), morning), day("2026-03-11"));
        assert_eq!(latest_today(evening), day("2026-03-11"));
        assert!(is_time_zone("Asia/Kathmandu") && !is_time_zone("Mars/Olympus"));
    }
}

//! Time zones: a space has one (an IANA name, Europe/Paris unless an admin chose another), and
//! sessions and challenge deadlines are entered in local time in a zone that defaults to it.
//!
//! The store keeps instants in UTC milliseconds and the zone's name beside them; pages print the
//! instant back in the zone, so a daylight-saving change between two sessions of a series does
//! not move their local hour. Zones come from the tz database bundled in the binary (jiff's
//! `tzdb-bundle-always`), so a server with no `/usr/share/zoneinfo` knows the same names.

use parvis_domain::{Millis, Rule, ValidationError};

/// The zone of a space, a session or a challenge when none is given.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Paris";

/// Parse an IANA zone name typed in `field`, returning its canonical spelling
/// (`europe/paris` → `Europe/Paris`); an unknown or empty name is refused naming the field.
pub fn parse_time_zone(field: &str, name: &str) -> Result<String, ValidationError> {
    let unknown = || {
        ValidationError::broke(
            field,
            Rule::TimeZone,
            format!(
                "unknown time zone {:?}; use an IANA name such as Europe/Paris",
                name.trim()
            ),
        )
    };
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err(unknown());
    }
    let tz = jiff::tz::TimeZone::get(name).map_err(|_| unknown())?;
    // The canonical spelling, so that two spellings of one zone are stored alike.
    Ok(tz.iana_name().unwrap_or(name).to_string())
}

/// Parse a local `YYYY-MM-DDTHH:MM` in `zone` into a UTC instant (ms).
pub fn local_to_millis(field: &str, local: &str, zone: &str) -> Result<Millis, ValidationError> {
    let tz = jiff::tz::TimeZone::get(zone).map_err(|_| {
        ValidationError::broke(
            "time_zone",
            Rule::TimeZone,
            format!("unknown time zone {zone:?}; use an IANA name such as Europe/Paris"),
        )
    })?;
    let dt: jiff::civil::DateTime = local.trim().parse().map_err(|_| {
        ValidationError::broke(
            field,
            Rule::DateTime,
            "expected a local date and time, YYYY-MM-DDTHH:MM",
        )
    })?;
    let z = dt.to_zoned(tz).map_err(|_| {
        ValidationError::broke(
            field,
            Rule::DateTime,
            "this time does not exist in the zone",
        )
    })?;
    Ok(z.timestamp().as_millisecond())
}

/// An instant printed in `zone` as `YYYY-MM-DDTHH:MM` (UTC if the zone is unknown).
pub fn millis_to_local(ms: Millis, zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(tz).strftime("%Y-%m-%dT%H:%M").to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_follow_the_zone_and_daylight_saving() {
        // 18:30 in Paris is 17:30 UTC in winter and 16:30 UTC in summer.
        let winter = local_to_millis("s", "2030-01-10T18:30", "Europe/Paris").unwrap();
        let summer = local_to_millis("s", "2030-07-10T18:30", "Europe/Paris").unwrap();
        assert_eq!(winter % 86_400_000, (17 * 60 + 30) * 60_000);
        assert_eq!(summer % 86_400_000, (16 * 60 + 30) * 60_000);
        assert_eq!(millis_to_local(summer, "Europe/Paris"), "2030-07-10T18:30");
        let e = local_to_millis("s", "2030-01-10T18:30", "Mars/Olympus").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("time_zone", Rule::TimeZone));
        let e = local_to_millis("starts_at", "demain", "Europe/Paris").unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("starts_at", Rule::DateTime));
    }

    #[test]
    fn zone_names_are_checked_and_spelled_canonically() {
        assert_eq!(
            parse_time_zone("time_zone", " America/Montreal ").unwrap(),
            "America/Montreal"
        );
        assert_eq!(
            parse_time_zone("time_zone", "europe/paris").unwrap(),
            "Europe/Paris"
        );
        assert_eq!(parse_time_zone("time_zone", "UTC").unwrap(), "UTC");
        for bad in ["", "   ", "Mars/Olympus", "Paris", "+02:00"] {
            let e = parse_time_zone("time_zone", bad).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.rule),
                ("time_zone", Rule::TimeZone),
                "{bad:?}"
            );
        }
    }
}

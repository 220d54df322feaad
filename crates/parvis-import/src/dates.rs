//! Lenient date parsers for the formats exports really contain.
//!
//! All return milliseconds since the Unix epoch (UTC). They are hand-written
//! because exports bend every standard: RFC 2822 with named zones, missing
//! seconds or two-digit years; ISO 8601 with or without zone or fraction;
//! asctime in mbox separators; X/Twitter's `Fri Mar 06 13:02:05 +0000 2026`;
//! Slack's `"1452765432.000002"`.

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[allow(clippy::too_many_arguments)] // the seven fields of a civil time plus its zone
fn to_ms(
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: u32,
    offset_min: i64,
) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 24 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h as i64 * 3600 + mi as i64 * 60 + s as i64 - offset_min * 60;
    Some(secs * 1000 + ms as i64)
}

fn month_from_name(s: &str) -> Option<u32> {
    let s = s.get(..3)?.to_ascii_lowercase();
    const M: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    M.iter().position(|m| *m == s).map(|i| i as u32 + 1)
}

/// Parses a zone: `+0100`, `-05:30`, `Z`, `UT`, `GMT`, US zones; unknown → UTC.
fn zone_minutes(z: &str) -> i64 {
    let z = z.trim();
    let b = z.as_bytes();
    if b.len() >= 3 && (b[0] == b'+' || b[0] == b'-') {
        let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        let (h, m) = match digits.len() {
            4 => (
                digits[..2].parse::<i64>().unwrap_or(0),
                digits[2..].parse::<i64>().unwrap_or(0),
            ),
            2 => (digits.parse::<i64>().unwrap_or(0), 0),
            _ => (0, 0),
        };
        let sign = if b[0] == b'-' { -1 } else { 1 };
        return sign * (h * 60 + m);
    }
    match z.to_ascii_uppercase().as_str() {
        "EST" => -300,
        "EDT" => -240,
        "CST" => -360,
        "CDT" => -300,
        "MST" => -420,
        "MDT" => -360,
        "PST" => -480,
        "PDT" => -420,
        "CET" => 60,
        "CEST" => 120,
        _ => 0,
    }
}

fn parse_hms(t: &str) -> Option<(u32, u32, u32, u32)> {
    let mut parts = t.split(':');
    let h = parts.next()?.trim().parse().ok()?;
    let m = parts.next()?.trim().parse().ok()?;
    let (s, ms) = match parts.next() {
        Some(sec) => {
            let (whole, frac) = sec.split_once(['.', ',']).unwrap_or((sec, ""));
            let ms = frac
                .chars()
                .chain("000".chars())
                .take(3)
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            (whole.trim().parse().ok()?, ms)
        }
        None => (0, 0),
    };
    Some((h, m, s, ms))
}

fn year4(y: i64) -> i64 {
    if y < 50 {
        2000 + y
    } else if y < 100 {
        1900 + y
    } else {
        y
    }
}

/// RFC 2822 / RFC 822 (`Tue, 14 Jan 2014 17:31:03 +0000`), leniently.
pub fn parse_rfc2822(s: &str) -> Option<i64> {
    let s = s.split('(').next().unwrap_or(s); // drop "(CET)" comments
    let mut toks: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    if toks
        .first()
        .map(|t| t.chars().all(|c| c.is_ascii_alphabetic()))
        .unwrap_or(false)
    {
        toks.remove(0); // weekday
    }
    if toks.len() < 4 {
        return None;
    }
    // Accept both "14 Jan 2014" and "Jan 14 2014".
    let (d, mo) = match (toks[0].parse::<u32>(), month_from_name(toks[1])) {
        (Ok(d), Some(m)) => (d, m),
        _ => (toks[1].parse::<u32>().ok()?, month_from_name(toks[0])?),
    };
    let y = year4(toks[2].parse::<i64>().ok()?);
    let (h, mi, sec, ms) = parse_hms(toks[3])?;
    let off = toks.get(4).map(|z| zone_minutes(z)).unwrap_or(0);
    to_ms(y, mo, d, h, mi, sec, ms, off)
}

/// ISO 8601 / RFC 3339 and the SQL-like `2014-01-14 17:31:03`; no zone means UTC.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 10 {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    if s.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    let mo: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    let rest = s.get(10..).unwrap_or("");
    let rest = rest.trim_start_matches(['T', 't', ' ']);
    if rest.is_empty() {
        return to_ms(y, mo, d, 0, 0, 0, 0, 0);
    }
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(zone_at);
    let (h, mi, sec, ms) = parse_hms(time.trim())?;
    let off = if zone.is_empty() || zone.eq_ignore_ascii_case("z") {
        0
    } else {
        zone_minutes(zone)
    };
    to_ms(y, mo, d, h, mi, sec, ms, off)
}

/// asctime as in mbox `From ` lines and X/Twitter: `Mon Mar  1 00:11:15 2010`,
/// `Fri Mar 06 13:02:05 +0000 2026`.
pub fn parse_asctime(s: &str) -> Option<i64> {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let start = toks
        .iter()
        .position(|t| month_from_name(t).is_some() && t.len() == 3)?;
    let mo = month_from_name(toks[start])?;
    let d: u32 = toks.get(start + 1)?.parse().ok()?;
    let (h, mi, sec, ms) = parse_hms(toks.get(start + 2)?)?;
    let mut off = 0;
    let mut y = None;
    for t in &toks[start + 3..] {
        if t.starts_with(['+', '-']) {
            off = zone_minutes(t);
        } else if let Ok(v) = t.parse::<i64>() {
            y = Some(year4(v));
        }
    }
    to_ms(y?, mo, d, h, mi, sec, ms, off)
}

/// Tries every textual form above.
pub fn parse_any(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    parse_iso8601(s)
        .or_else(|| parse_rfc2822(s))
        .or_else(|| parse_asctime(s))
}

/// Slack-style `"seconds.micros"` timestamps.
pub fn parse_epoch_seconds(s: &str) -> Option<i64> {
    let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    let secs: i64 = whole.parse().ok()?;
    let ms: i64 = frac
        .chars()
        .chain("000".chars())
        .take(3)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    Some(secs * 1000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_389_720_663_000; // 2014-01-14T17:31:03Z

    #[test]
    fn rfc2822_variants() {
        assert_eq!(parse_rfc2822("Tue, 14 Jan 2014 17:31:03 +0000"), Some(T));
        assert_eq!(parse_rfc2822("14 Jan 2014 18:31:03 +0100"), Some(T));
        assert_eq!(parse_rfc2822("Tue, 14 Jan 14 12:31:03 EST"), Some(T));
        assert_eq!(
            parse_rfc2822("Tue, 14 Jan 2014 17:31:03 GMT (UTC)"),
            Some(T)
        );
        assert_eq!(parse_rfc2822("nonsense"), None);
    }

    #[test]
    fn iso_variants() {
        assert_eq!(parse_iso8601("2014-01-14T17:31:03Z"), Some(T));
        assert_eq!(parse_iso8601("2014-01-14 17:31:03"), Some(T));
        assert_eq!(parse_iso8601("2014-01-14T19:31:03.000+02:00"), Some(T));
        assert_eq!(
            parse_iso8601("2016-01-31T20:37:09.429Z"),
            Some(1_454_272_629_429)
        );
        assert_eq!(parse_iso8601("0000-00-00 00:00:00"), None);
    }

    #[test]
    fn asctime_variants() {
        assert_eq!(parse_asctime("Tue Jan 14 17:31:03 2014"), Some(T));
        assert_eq!(parse_asctime("Tue Jan 14 17:31:03 +0000 2014"), Some(T));
        assert_eq!(
            parse_asctime("someone at x.org  Tue Jan 14 17:31:03 2014"),
            Some(T)
        );
    }

    #[test]
    fn epoch() {
        assert_eq!(parse_epoch_seconds("1389720663.000200"), Some(T));
    }
}

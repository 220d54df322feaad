//! iCalendar (RFC 5545) for sessions: one event per session, written by hand because the
//! format is small and the rules that matter are few — CRLF line ends, lines folded at 75
//! octets (never inside a UTF-8 character), text escaped (`\\`, `;`, `,`, newlines), a
//! `DTSTAMP` and a stable `UID` on every event, times in UTC (`…Z`), which every client
//! converts to its reader's zone.

use parvis_domain::Millis;
use parvis_store::SessionRow;

/// One event of a calendar.
#[derive(Debug, Clone)]
pub struct CalEvent<'a> {
    pub session: &'a SessionRow,
    /// The session page's absolute URL.
    pub url: String,
    /// The host part of the instance, for UIDs (`session-12@parvis.example`).
    pub host: String,
    /// `CONFIRMED` or `CANCELLED` (a cancelled registration in a personal feed).
    pub status: &'static str,
}

/// A whole calendar with its events.
pub fn calendar(name: &str, events: &[CalEvent<'_>], now: Millis) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Parvis//Sessions//FR");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        event(&mut out, e, now);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn event(out: &mut String, e: &CalEvent<'_>, now: Millis) {
    let s = e.session;
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:session-{}@{}", s.id, e.host));
    line(out, &format!("DTSTAMP:{}", utc(now)));
    line(out, &format!("DTSTART:{}", utc(s.starts_at)));
    line(
        out,
        &format!("DTEND:{}", utc(s.starts_at + s.duration_min * 60_000)),
    );
    line(out, &format!("SUMMARY:{}", escape(&s.title)));
    if !s.description.is_empty() {
        line(out, &format!("DESCRIPTION:{}", escape(&s.description)));
    }
    let location = match (s.place.is_empty(), s.online_url.is_empty()) {
        (false, _) => s.place.clone(),
        (true, false) => s.online_url.clone(),
        (true, true) => String::new(),
    };
    if !location.is_empty() {
        line(out, &format!("LOCATION:{}", escape(&location)));
    }
    line(out, &format!("URL:{}", e.url));
    line(out, &format!("STATUS:{}", e.status));
    line(out, "END:VEVENT");
}

/// `20261210T173000Z`.
fn utc(ms: Millis) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.strftime("%Y%m%dT%H%M%SZ").to_string(),
        Err(_) => "19700101T000000Z".into(),
    }
}

/// Escape a TEXT value (RFC 5545 §3.3.11).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Append one content line, folded at 75 octets with CRLF + space (§3.1).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> SessionRow {
        SessionRow {
            id: 7,
            space_id: 1,
            topic_id: 1,
            title: "Débat : le ROI, vraiment ; enfin, \\ oui".into(),
            description:
                "Ligne 1\nLigne 2 — avec des accents éééééééééééééééééééééééééééééééééééééééééééé"
                    .into(),
            starts_at: 1_900_000_000_000,
            duration_min: 90,
            time_zone: "Europe/Paris".into(),
            mode: "in_person".into(),
            place: "Salle 1".into(),
            online_url: String::new(),
            has_access_code: false,
            access_code_hash: None,
            capacity: None,
            partners: String::new(),
            created_by: None,
            created_at: 0,
            repeated_from: None,
            closed_at: None,
            confirmed: 0,
            waiting: 0,
        }
    }

    #[test]
    fn lines_are_crlf_folded_at_75_octets_and_text_is_escaped() {
        let r = row();
        let cal = calendar(
            "Série",
            &[CalEvent {
                session: &r,
                url: "http://x/s/1".into(),
                host: "x".into(),
                status: "CONFIRMED",
            }],
            1_800_000_000_000,
        );
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        for l in cal.split("\r\n") {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
            assert!(!l.contains('\n'));
        }
        let unfolded = cal.replace("\r\n ", "");
        assert!(unfolded.contains("SUMMARY:Débat : le ROI\\, vraiment \\; enfin\\, \\\\ oui"));
        assert!(unfolded.contains("DESCRIPTION:Ligne 1\\nLigne 2"));
        assert!(unfolded.contains("DTSTART:20300317T174640Z"));
        assert!(unfolded.contains("DTEND:20300317T191640Z"));
        assert!(unfolded.contains("UID:session-7@x"));
        assert!(unfolded.contains("DTSTAMP:"));
    }
}

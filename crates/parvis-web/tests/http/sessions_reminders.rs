//! Reminder mails as registrants receive them: the job worker, run at the moments the
//! reminders come due (the clock is its argument, so nobody waits 24 hours), sends each
//! registrant one reminder per configured offset, in their own language, with the session's
//! invitation attached; running it again sends nothing, and a worker that was down through
//! one reminder's moment does not send a stale "in 24 hours" an hour before the start.

use super::sessions::{form_csrf, local_in_days, session_body, setup};
use super::sessions_calendar::parse_with_icalendar;
use super::*;

/// A mail as its reader sees it, decoded from what the SMTP sink kept.
#[derive(Debug)]
pub(super) struct Mail {
    pub(super) to: String,
    pub(super) subject: String,
    pub(super) text: String,
    /// The `text/calendar` attachment, when there is one.
    ics: Option<String>,
}

fn headers(head: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            let last = out.last_mut().unwrap();
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
    h.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            continue; // padding and line breaks
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable(s: &str, underscore_is_space: bool) -> Vec<u8> {
    let s = s.replace("=\n", "");
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        let hex = (b[i] == b'=' && i + 2 < b.len())
            .then(|| u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).ok()?, 16).ok())
            .flatten();
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(if underscore_is_space && b[i] == b'_' {
                    b' '
                } else {
                    b[i]
                });
                i += 1;
            }
        }
    }
    out
}

/// A header's RFC 2047 encoded words decoded (the blanks between two words dropped).
fn decode_words(v: &str) -> String {
    let (mut out, mut rest, mut after_word) = (Vec::new(), v, false);
    while let Some(i) = rest.find("=?") {
        if !(after_word && rest[..i].trim().is_empty()) {
            out.extend_from_slice(&rest.as_bytes()[..i]);
        }
        let mut parts = rest[i + 2..].splitn(3, '?');
        let (_charset, encoding, tail) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let end = tail.find("?=").unwrap();
        out.extend(if encoding.eq_ignore_ascii_case("b") {
            base64(&tail[..end])
        } else {
            quoted_printable(&tail[..end], true)
        });
        rest = &tail[end + 2..];
        after_word = true;
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8(out).unwrap()
}

fn body_of(h: &[(String, String)], body: &str) -> String {
    let bytes = match header(h, "content-transfer-encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => base64(body),
        "quoted-printable" => quoted_printable(body, false),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).unwrap()
}

pub(super) fn decode(raw: &str) -> Mail {
    // The sink keeps the SMTP lines as sent: undo the dot-stuffing.
    let raw: String = raw
        .lines()
        .map(|l| {
            l.strip_prefix('.')
                .filter(|r| r.starts_with('.'))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (head, body) = raw.split_once("\n\n").unwrap();
    let h = headers(head);
    let mut mail = Mail {
        to: header(&h, "to").to_string(),
        subject: decode_words(header(&h, "subject")),
        text: String::new(),
        ics: None,
    };
    let ct = header(&h, "content-type").to_string();
    let Some(boundary) = ct.split("boundary=").nth(1) else {
        mail.text = body_of(&h, body);
        return mail;
    };
    let boundary = format!("--{}", boundary.trim_matches('"'));
    for part in body.split(&boundary).skip(1) {
        let part = part.trim_start_matches('\n');
        let Some((ph, pb)) = part.split_once("\n\n") else {
            continue; // the closing "--"
        };
        let ph = headers(ph);
        let ct = header(&ph, "content-type").to_ascii_lowercase();
        if ct.starts_with("text/plain") {
            mail.text = body_of(&ph, pb.trim_end());
        } else if ct.starts_with("text/calendar") {
            mail.ics = Some(body_of(&ph, pb.trim_end()));
        }
    }
    mail
}

/// The mails the sink received from index `from` on, decoded.
fn mails_since(app: &App, from: usize) -> Vec<Mail> {
    app.mails.lock().unwrap()[from..]
        .iter()
        .map(|m| decode(m))
        .collect()
}

/// A session `days` ahead; its id and start (Unix ms).
async fn new_session(app: &App, auth: &str, days: i64) -> (i64, i64) {
    let mut body = session_body(None);
    body["starts_at"] = json!(local_in_days(days));
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    let starts = app
        .store
        .topic_session(id)
        .await
        .unwrap()
        .unwrap()
        .starts_at;
    (id, starts)
}

/// The admin (a member who reads French) registers in one click.
async fn admin_registers(app: &App, id: i64) {
    let (admin, csrf) = admin_session(app).await;
    let r = admin
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "confirmed");
}

/// A visitor whose browser asks for English registers and confirms by the mailed link.
async fn english_visitor_registers(app: &App, id: i64) {
    let c = client();
    let page = c
        .get(format!("{}/sessions/{id}", app.base))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let before = app.mails.lock().unwrap().len();
    let r = c
        .post(format!("{}/sessions/{id}/register", app.base))
        .header("accept-language", "en-GB,en;q=0.9")
        .form(&[
            ("csrf", form_csrf(&page).as_str()),
            ("name", "Ann Smith"),
            ("email", "ann@visitor.example"),
            ("organisation", "Acme"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let link = wait_for_link(&app.mails, before + 1).await;
    let page = c.get(&link).send().await.unwrap().text().await.unwrap();
    let r = c
        .post(&link)
        .form(&[("csrf", form_csrf(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// `YYYYMMDDTHHMMSSZ`, as iCalendar writes a UTC time.
fn ical_utc(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000).unwrap();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[tokio::test]
async fn each_registrant_gets_one_reminder_per_offset_in_their_language_with_the_invitation() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let (id, starts) = new_session(&app, &auth, 10).await;
    admin_registers(&app, id).await;
    english_visitor_registers(&app, id).await;
    // The confirmations go first (the earlier test follows them); nothing else is due.
    app.services.run_due_jobs(now_millis()).await.unwrap();
    assert_eq!(app.services.run_due_jobs(now_millis()).await.unwrap(), 0);

    // The default offsets: 24 hours and 1 hour before the start.
    let offsets = app.services.config().reminder_minutes.clone();
    assert_eq!(offsets, [24 * 60, 60]);
    let mut uid = None;
    for (minutes, fr_when, en_when) in [
        (24 * 60, "dans 24 heures", "in 24 hours"),
        (60, "dans 1 heure", "in 1 hour"),
    ] {
        let due = starts - minutes * 60_000 + 1_000;
        // A second early, nothing.
        let before = app.mails.lock().unwrap().len();
        assert_eq!(app.services.run_due_jobs(due - 2_000).await.unwrap(), 0);
        assert_eq!(app.services.run_due_jobs(due).await.unwrap(), 2);
        let mut sent = mails_since(&app, before);
        assert_eq!(sent.len(), 2, "one reminder each, {minutes} min before");
        sent.sort_by_key(|m| m.to.clone());
        let (ann, camille) = (&sent[0], &sent[1]);
        assert!(ann.to.contains("ann@visitor.example"), "{ann:?}");
        assert!(camille.to.contains("camille@novea.example"), "{camille:?}");
        // Each in their own language: the visitor's browser's, the member's profile's.
        assert!(
            ann.subject.starts_with("Reminder: ")
                && ann.subject.contains("mesurer le ROI")
                && ann.subject.ends_with(&format!("starts {en_when}")),
            "{ann:?}"
        );
        assert!(ann.text.starts_with("Hello Ann Smith"), "{ann:?}");
        assert!(
            camille.subject.starts_with("Rappel\u{a0}: ")
                && camille.subject.contains("mesurer le ROI")
                && camille.subject.ends_with(&format!("commence {fr_when}")),
            "{camille:?}"
        );
        assert!(
            camille.text.starts_with("Bonjour Camille Admin"),
            "{camille:?}"
        );
        assert!(camille.text.contains(&format!("/sessions/{id}")));
        // The invitation: valid iCalendar, the session's start, one stable UID (a calendar
        // updates the event instead of adding a second one).
        for m in [ann, camille] {
            let ics = m.ics.as_deref().expect("an .ics attached");
            assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
            assert!(
                ics.contains(&format!("DTSTART:{}", ical_utc(starts))),
                "{ics}"
            );
            let this_uid = ics
                .lines()
                .find_map(|l| l.strip_prefix("UID:"))
                .unwrap()
                .to_string();
            assert_eq!(uid.get_or_insert(this_uid.clone()), &this_uid);
            if let Some(events) = parse_with_icalendar(ics) {
                assert_eq!(events.len(), 1);
                assert_eq!(events[0].0, this_uid);
                assert_eq!(events[0].1, "Débat : mesurer le ROI");
            }
        }
        // Running the worker again sends nothing more.
        assert_eq!(app.services.run_due_jobs(due).await.unwrap(), 0);
        assert_eq!(app.mails.lock().unwrap().len(), before + 2);
    }
    // Nothing after the start either.
    let before = app.mails.lock().unwrap().len();
    app.services.run_due_jobs(starts + 3_600_000).await.unwrap();
    assert_eq!(app.mails.lock().unwrap().len(), before);
}

#[tokio::test]
async fn a_worker_down_through_a_reminders_moment_sends_no_stale_reminder() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    // Two sessions far enough apart that one's reminders are not due at the other's moments.
    let (late, late_starts) = new_session(&app, &auth, 10).await;
    let (gone, gone_starts) = new_session(&app, &auth, 14).await;
    admin_registers(&app, late).await;
    admin_registers(&app, gone).await;
    app.services.run_due_jobs(now_millis()).await.unwrap();

    // Down from before the 24 h reminder until the last hour: only "in 1 hour" arrives, not
    // a "starts in 24 hours" an hour before the start.
    let before = app.mails.lock().unwrap().len();
    let at = late_starts - 30 * 60_000;
    assert_eq!(app.services.run_due_jobs(at).await.unwrap(), 2);
    let sent = mails_since(&app, before);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].subject.ends_with("commence dans 1 heure"),
        "{sent:?}"
    );

    // Down until after the start: no reminder at all, and none left for later.
    let before = app.mails.lock().unwrap().len();
    let at = gone_starts + 60_000;
    assert!(app.services.run_due_jobs(at).await.unwrap() >= 2);
    assert_eq!(
        app.mails.lock().unwrap().len(),
        before,
        "the session has begun"
    );
    assert_eq!(app.services.run_due_jobs(at).await.unwrap(), 0);
}

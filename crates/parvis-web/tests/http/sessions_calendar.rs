//! Calendars and leads: the topic's and the member's iCalendar feeds read by an independent
//! parser (Python's `icalendar`), and lead exports that follow the consents.

use super::sessions::{local_in_days, session_body, setup};
use super::*;

/// Parse `ics` with Python's `icalendar`; the events' (UID, SUMMARY, STATUS), or `None` with a
/// notice when Python or the package is missing.
pub(super) fn parse_with_icalendar(ics: &str) -> Option<Vec<(String, String, String)>> {
    let script = r#"
import sys, json, icalendar
raw = sys.stdin.buffer.read()
for line in raw.split(b"\r\n")[:-1]:
    assert len(line) <= 75, ("line longer than 75 octets", line)
assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
cal = icalendar.Calendar.from_ical(raw)
assert cal["VERSION"] == "2.0" and cal.get("PRODID")
out = []
for ev in cal.walk("VEVENT"):
    for key in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert ev.get(key) is not None, key
    assert ev.decoded("DTEND") > ev.decoded("DTSTART")
    out.append([str(ev["UID"]), str(ev["SUMMARY"]), str(ev.get("STATUS", ""))])
print(json.dumps(out))
"#;
    let probe = std::process::Command::new("python3")
        .args(["-c", "import icalendar"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "notice: python3 with icalendar not found (pip install icalendar): independent iCalendar check skipped"
        );
        return None;
    }
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Vec<(String, String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    Some(v)
}

#[tokio::test]
async fn feeds_are_valid_icalendar_for_an_independent_parser() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let url = format!("{}/api/v1/spaces/forum/topics/roi/sessions", app.base);
    let mut body = session_body(Some(50));
    body["title"] = json!(
        "Débat ; virgules, barres \\ et accents — une longue ligne qui devra être pliée à soixante-quinze octets"
    );
    body["description"] = json!("Ligne 1\nLigne 2");
    let r = client()
        .post(&url)
        .header("authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    let first = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    let mut body = session_body(None);
    body["starts_at"] = json!(local_in_days(20));
    client()
        .post(&url)
        .header("authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();

    let r = client()
        .get(format!("{}/s/forum/t/roi/sessions.ics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.text().await.unwrap();
    if let Some(events) = parse_with_icalendar(&ics) {
        assert_eq!(events.len(), 2);
        assert!(events[0].0.starts_with(&format!("session-{first}@")));
        assert!(
            events[0]
                .1
                .starts_with("Débat ; virgules, barres \\ et accents"),
            "{:?}",
            events[0]
        );
    }

    // The member's private feed: created on "my sessions", shown once, secret.
    let (admin, csrf) = admin_session(&app).await;
    admin
        .post(format!("{}/api/v1/sessions/{first}/registration", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let page = admin
        .get(format!("{}/me/sessions", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/sessions/{first}")));
    let r = admin
        .post(format!("{}/api/v1/me/calendar-link", app.base))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let link = r.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let feed = client().get(&link).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    let ics = feed.text().await.unwrap();
    if let Some(events) = parse_with_icalendar(&ics) {
        assert_eq!(events.len(), 1, "only the member's own session");
        assert_eq!(events[0].2, "CONFIRMED");
    }
    let wrong = client()
        .get(format!("{}/calendar/{}.ics", app.base, "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn lead_exports_follow_the_consents() {
    on_both(|app| async move { lead_exports_on(app).await }).await;
}

async fn lead_exports_on(app: App) {
    let auth = setup(&app).await;
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&session_body(None))
        .send()
        .await
        .unwrap();
    let id = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    // The admin registers with both consents; two visitors with none and with "share" and
    // "meet" only.
    let (admin, csrf) = admin_session(&app).await;
    admin
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"contact": true, "share": true}))
        .send()
        .await
        .unwrap();
    for (name, email, share) in [
        ("Sans Accord", "sans@v.example", false),
        ("Partage Seul", "partage@v.example", true),
    ] {
        let meet = share;
        let before = app.mails.lock().unwrap().len();
        let r = client()
            .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
            .json(&json!({"name": name, "email": email, "share": share, "meet": meet}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // Unconfirmed addresses are not leads: each visitor confirms by the mailed token.
        let link = wait_for_link(&app.mails, before + 1).await;
        let token = link.rsplit('/').next().unwrap();
        let r = client()
            .post(format!("{}/api/v1/registrations/confirm", app.base))
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let leads = |partner: &str| {
        let url = format!("{}/api/v1/sessions/{id}/leads{partner}", app.base);
        let auth = auth.clone();
        async move {
            let r = client()
                .get(url)
                .header("authorization", auth)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (_, all) = leads("").await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let by = |n: &str| items.iter().find(|l| l["name"] == n).unwrap().clone();
    assert_eq!(by("Camille Admin")["email"], "camille@novea.example");
    assert_eq!(
        by("Sans Accord")["email"],
        "",
        "no consent, no contact details"
    );
    assert_eq!(by("Partage Seul")["email"], "");
    let c = by("Camille Admin")["contact"].clone();
    assert!(c["granted"] == true && c["at"].as_i64().unwrap() > 0);
    assert!(
        c["wording"].as_str().unwrap().contains("contacter"),
        "the wording as shown: {c}"
    );
    // The meetings consent travels with the two others, dated and worded.
    let m = by("Partage Seul")["meet"].clone();
    assert!(m["granted"] == true && m["at"].as_i64().unwrap() > 0, "{m}");
    assert!(m["wording"].as_str().unwrap().contains("rencontres"), "{m}");
    assert_eq!(by("Sans Accord")["meet"]["granted"], false);

    // The CSV carries all three, with dates (ISO 8601 UTC) and wordings; no address without
    // the "contact me" consent.
    let csv = admin
        .get(format!("{}/sessions/{id}/leads.csv", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "name,organisation,email,status,contact,contact_at,contact_wording,share,share_at,share_wording,meet,meet_at,meet_wording"
    );
    let row = |who: &str| {
        let line = lines.iter().find(|l| l.starts_with(who)).expect("a line");
        csv_cells(line)
    };
    let shares = row("Partage Seul,");
    assert_eq!(shares.len(), 13, "{shares:?}");
    assert_eq!(shares[2], "", "no address without the contact consent");
    assert_eq!(
        (shares[4].as_str(), shares[7].as_str(), shares[10].as_str()),
        ("no", "yes", "yes")
    );
    assert!(
        shares[11].starts_with("20") && shares[11].ends_with('Z'),
        "dated: {shares:?}"
    );
    assert_eq!(
        shares[12],
        "Me proposer des rencontres avec d'autres participants."
    );
    assert_eq!(row("Sans Accord,")[10], "no");
    assert!(
        !csv.contains("sans@v.example") && !csv.contains("partage@v.example"),
        "{csv}"
    );

    // A partner's export: only those who consented to share.
    let (_, acme) = leads("?partner=Acme").await;
    let names: Vec<_> = acme["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Camille Admin", "Partage Seul"]);
    let (status, p) = leads("?partner=Inconnu").await;
    assert_eq!(
        (status, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("partner"))
    );

    // Withdrawn: gone from every later export.
    admin
        .put(format!(
            "{}/api/v1/sessions/{id}/registration/consents",
            app.base
        ))
        .header("x-csrf-token", &csrf)
        .json(&json!({"contact": false, "share": false}))
        .send()
        .await
        .unwrap();
    let (_, acme) = leads("?partner=Acme").await;
    assert_eq!(acme["items"].as_array().unwrap().len(), 1);
    let csv = admin
        .get(format!("{}/sessions/{id}/leads.csv", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("name,organisation,email,status,contact,contact_at"));
    assert!(!csv.contains("camille@novea.example"), "{csv}");
    // Visitors and members without the role get nothing.
    assert_eq!(
        client()
            .get(format!("{}/sessions/{id}/leads.csv", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// The cells of one CSV line (RFC 4180 quoting, no line breaks inside cells).
fn csv_cells(line: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(ch),
        }
    }
    cells.push(cell);
    cells
}

//! A session's live room opened days before the session starts, in a real headless Chromium
//! against the real binary: once the room's script has drawn the room from the socket, the
//! moderator's console, the participant's room and the big screen still say when it starts
//! ("Commence dans 10 jours", "Starts in 10 days"), never a countdown to the end of the first
//! agenda item ("14462:05"), and the script logs no error. Skipped with a notice where
//! Chromium is not installed.

mod support;
mod webdriver;

use serde_json::{Value, json};
use std::time::Duration;
use support::*;
use webdriver::*;

/// Record the page's script errors (uncaught exceptions, failed promises, `console.error`)
/// in `window.__errors`, from before any of its scripts runs, on every page opened next.
fn record_errors(driver: &Driver) {
    driver.cmd(
        "POST",
        "/goog/cdp/execute",
        json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source":
            "window.__errors = [];
             addEventListener('error', e => window.__errors.push(String(e.message)));
             addEventListener('unhandledrejection', e => window.__errors.push(String(e.reason)));
             const ce = console.error;
             console.error = (...a) => { window.__errors.push(a.join(' ')); ce.apply(console, a); };"}}),
    );
}

/// Wait for the room's script to have drawn the socket's snapshot (the floor says nobody
/// speaks: only `draw` writes it) and ticked past it; then the words after the agenda item.
fn starts_line_after_refresh(driver: &Driver, nobody: &str) -> String {
    driver.wait_until(
        &format!("document.getElementById('live-floor').textContent === {nobody:?}"),
        Duration::from_secs(15),
    );
    // The clock ticks every half second: let it run a few times.
    std::thread::sleep(Duration::from_millis(1200));
    let errors = driver.script("return window.__errors;");
    assert_eq!(errors, json!([]), "the room's script logged errors");
    driver
        .script("return document.getElementById('live-agenda-left').textContent;")
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// "10 jours" if the 18:30 UTC start ten days ahead is still ten whole days away, else 9.
fn days_left() -> u64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if secs % 86_400 < 18 * 3600 + 30 * 60 {
        10
    } else {
        9
    }
}

#[test]
fn a_room_opened_days_ahead_says_when_it_starts_after_its_script_ran() {
    let dir = tempfile::tempdir().unwrap();
    let Some(moderator) = Driver::start(&dir.path().join("moderator")) else {
        eprintln!(
            "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let participant = Driver::start(&dir.path().join("participant")).expect("a second browser");
    record_errors(&moderator);
    record_errors(&participant);
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
    ]);
    let base = server.url.clone();
    let token = demo_token(&base);
    let http = reqwest::blocking::Client::new();
    let api = |path: &str, body: Value| -> Value {
        let r = http
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .unwrap();
        let status = r.status();
        let v: Value = r.json().unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    };
    api(
        "/api/v1/spaces",
        json!({"slug": "salons", "name": "Salons"}),
    );
    api(
        "/api/v1/spaces/salons/topics",
        json!({"title": "Le ROI des salons", "slug": "roi"}),
    );
    let session = api(
        "/api/v1/spaces/salons/topics/roi/sessions",
        json!({"title": "Débat : mesurer le ROI", "starts_at": in_days(10), "duration_min": 120,
            "time_zone": "UTC", "mode": "in_person", "place": "Salle Lumière, Lyon",
            "agenda": [{"title": "Débat", "minutes": 120}]}),
    )["session"]["id"]
        .as_i64()
        .unwrap();
    let days = days_left();
    let french = format!("Commence dans {days} jours");
    let english = format!("Starts in {days} days");

    // The moderator follows "join the live room" from the session, days ahead.
    moderator.go(&format!("{base}/signin"));
    moderator.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    moderator.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    moderator.click("#password-form button[type=submit]");
    moderator.wait_for_text("Camille");
    moderator.go(&format!("{base}/sessions/{session}/live"));
    moderator.element("#live");
    let room = moderator
        .script("return location.pathname;")
        .as_str()
        .unwrap()
        .strip_prefix("/live/")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    for path in ["", "/console", "/screen"] {
        moderator.go(&format!("{base}/live/{room}{path}"));
        moderator.element("#live-agenda-left");
        let line = starts_line_after_refresh(&moderator, "Personne n'a la parole");
        assert_eq!(line, french, "/live/{room}{path}");
    }

    // A visitor joins with a name, in French, then in English.
    participant.go(&format!("{base}/live/{room}"));
    participant.type_into("#join input[name=name]", "Paul Invité");
    participant.click("#join button[type=submit]");
    participant.wait_until(
        "document.getElementById('live-status').textContent === 'Connecté'",
        Duration::from_secs(10),
    );
    assert_eq!(
        starts_line_after_refresh(&participant, "Personne n'a la parole"),
        french
    );
    participant.cmd(
        "POST",
        "/cookie",
        json!({"cookie": {"name": "parvis_lang", "value": "en", "path": "/"}}),
    );
    participant.go(&format!("{base}/live/{room}"));
    participant.wait_until(
        "document.getElementById('live-status').textContent === 'Connected'",
        Duration::from_secs(10),
    );
    assert_eq!(
        starts_line_after_refresh(&participant, "Nobody has the floor"),
        english
    );
}

//! A session as a visitor and a moderator live it, in a real headless Chromium against the
//! real binary (mails written to `--mail-dir`): register with both consents unticked, confirm
//! by the emailed link, receive the `.ics`, stay out of the leads export, check in by the
//! room's QR address, and — once the moderator has closed two sessions of the series where the
//! same poll was asked — read on the synthesis page what changed and how the poll moved.
//! Skipped with a notice where Chromium is not installed.

mod support;
mod webdriver;

use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use support::*;
use webdriver::*;

/// The mails in `dir` as text, quoted-printable soft breaks undone.
fn mails(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().extension().is_some_and(|x| x == "eml")
            && let Ok(s) = std::fs::read_to_string(e.path())
        {
            out.push(
                s.replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "="),
            );
        }
    }
    out
}

/// Wait (up to 30 s: mails are background jobs) for a mail that contains every `needle`.
fn wait_mail(dir: &Path, needles: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(m) = mails(dir)
            .into_iter()
            .find(|m| needles.iter().all(|n| m.contains(n)))
        {
            return m;
        }
        assert!(Instant::now() < deadline, "no mail with {needles:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The first `http…` address in `mail` that contains `marker`.
fn link(mail: &str, marker: &str) -> String {
    let i = mail
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {mail}"));
    let start = mail[..i].rfind("http").unwrap();
    mail[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(['>', '"', ')'])
        .to_string()
}

/// An API client for the demo admin.
struct Api {
    base: String,
    token: String,
    http: reqwest::blocking::Client,
}

impl Api {
    fn send(&self, method: &str, path: &str, body: Value) -> reqwest::blocking::Response {
        let req = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        let req = if body.is_null() { req } else { req.json(&body) };
        req.send().unwrap()
    }

    fn json(&self, method: &str, path: &str, body: Value) -> Value {
        let r = self.send(method, path, body);
        let status = r.status();
        let v: Value = r.json().unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v
    }

    fn text(&self, path: &str) -> String {
        self.send("GET", path, Value::Null).text().unwrap()
    }

    /// Follow "join the live room" from the session; the room's id.
    fn join_room(&self, session: i64) -> i64 {
        let r = self.send("GET", &format!("/sessions/{session}/live"), Value::Null);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        to.strip_prefix("/live/").unwrap().parse().unwrap()
    }

    /// Ask the poll in a room and answer it (the moderator's own vote).
    fn poll(&self, room: i64, option: i64) {
        self.json(
            "POST",
            &format!("/api/v1/rooms/{room}/actions"),
            json!({"action": "open_poll", "title": "Le salon vaut-il son prix ?",
                "kind": {"type": "single", "options": ["D'accord", "Pas d'accord"]}}),
        );
        self.json(
            "POST",
            &format!("/api/v1/rooms/{room}/actions"),
            json!({"action": "answer", "poll": 1, "answer": {"type": "choice", "option": option}}),
        );
    }
}

/// Move a session's start `minutes` into the past, straight in the SQLite file (sessions
/// cannot be scheduled in the past; the test plays the clock forward).
fn start_minutes_ago(db: &Path, session: i64, minutes: i64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c.execute(
        "UPDATE topic_sessions SET starts_at = ?1 WHERE id = ?2",
        (now - minutes * 60_000, session),
    )
    .unwrap();
}

#[test]
fn a_visitor_registers_checks_in_and_the_synthesis_shows_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!(
            "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let outbox = dir.path().join("mails");
    std::fs::create_dir_all(&outbox).unwrap();
    let db = dir.path().join("demo.db");
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}", db.display()),
        "--mail-dir",
        outbox.to_str().unwrap(),
    ]);
    let api = Api {
        base: server.url.clone(),
        token: demo_token(&server.url),
        http: reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    };
    api.json(
        "POST",
        "/api/v1/spaces",
        json!({"slug": "salons", "name": "Salons"}),
    );
    api.json(
        "POST",
        "/api/v1/spaces/salons/topics",
        json!({"title": "Le ROI des salons", "slug": "roi"}),
    );
    let first = api.json(
        "POST",
        "/api/v1/spaces/salons/topics/roi/sessions",
        json!({"title": "Débat : mesurer le ROI", "starts_at": in_days(2), "duration_min": 120,
            "time_zone": "UTC", "mode": "in_person", "place": "Salle Lumière, Lyon",
            "partners": "Acme", "agenda": [{"title": "Débat", "minutes": 120}]}),
    )["session"]["id"]
        .as_i64()
        .unwrap();
    let second = api.json(
        "POST",
        &format!("/api/v1/sessions/{first}/repeat"),
        json!({"starts_at": in_days(3)}),
    )["session"]["id"]
        .as_i64()
        .unwrap();

    // The visitor registers from the session page; no consent is ticked for them.
    driver.go(&format!("{}/sessions/{first}", server.url));
    driver.wait_for_text("register-form");
    let ticked = driver.script(
        "return document.querySelectorAll('#register-form input[type=checkbox]:checked').length",
    );
    assert_eq!(ticked["value"].as_i64().or(ticked.as_i64()), Some(0));
    driver.type_into("#register-form input[name=name]", "Zoé Durand");
    driver.type_into("#register-form input[name=email]", "zoe@visiteur.example");
    driver.type_into("#register-form input[name=organisation]", "Orga Zoé");
    driver.click("#register-form button[type=submit]");
    driver.wait_for_text("session-notice");

    // The emailed link confirms the seat; the confirmation mail carries the .ics.
    let mail = wait_mail(&outbox, &["zoe@visiteur.example", "/sessions/confirm/"]);
    let (confirm, manage) = (
        link(&mail, "/sessions/confirm/"),
        link(&mail, "/sessions/manage/"),
    );
    driver.go(&confirm);
    driver.click("#registration-link form button[type=submit]");
    driver.wait_for_text("Votre place est confirmée.");
    let ics = wait_mail(&outbox, &["zoe@visiteur.example", "session.ics"]);
    assert!(ics.contains("text/calendar"), "{ics}");

    // The admin's lead exports: no address without consent, and no partner gets her.
    let leads = api.text(&format!("/sessions/{first}/leads.csv"));
    assert!(leads.starts_with("name,"), "{leads}");
    assert!(!leads.contains("zoe@visiteur.example"), "{leads}");
    let partner = api.text(&format!("/sessions/{first}/leads.csv?partner=Acme"));
    assert!(!partner.contains("Zoé"), "{partner}");

    // The session begins; she opens her emailed manage link, then scans the room's QR code.
    start_minutes_ago(&db, first, 60);
    start_minutes_ago(&db, second, 10);
    driver.go(&manage);
    driver.wait_for_text("registration-link");
    let qr = api.text(&format!("/sessions/{first}/qr"));
    let checkin = qr
        .split("id=\"checkin-url\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the QR page shows its address")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/");
    driver.go(&checkin);
    driver.wait_for_text("session-notice");
    let report = api.json(
        "GET",
        &format!("/api/v1/sessions/{first}/report"),
        Value::Null,
    );
    assert_eq!(report["attendance"]["room"], 1, "{report}");

    // The same poll in both sessions' rooms: 100 % agree, then 0 %.
    let room = api.join_room(first);
    // The big screen shows both codes, labelled: join the live room, check in to the room.
    let screen = api.text(&format!("/live/{room}/screen"));
    assert!(screen.contains("id=\"screen-checkin-qr\""), "{screen}");
    assert!(screen.contains("Scannez pour signaler votre présence"));
    api.poll(room, 0);
    let room = api.join_room(second);
    api.poll(room, 1);

    // The moderator closes the first session from its page, the second through the API.
    driver.go(&format!("{}/signin", server.url));
    driver.wait_for_text("password-form");
    driver.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    driver.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    driver.click("#password-form button[type=submit]");
    driver.wait_for_text("Camille");
    driver.go(&format!("{}/sessions/{first}/close", server.url));
    driver.wait_for_text("close-form");
    driver.script(
        "document.querySelectorAll('#close-form textarea').forEach(t => t.value = ''); return 0",
    );
    driver.type_into(
        "#close-form textarea[name=conclusions_md]",
        "- Le salon se mesure en rendez-vous",
    );
    driver.type_into(
        "#close-form textarea[name=key_questions]",
        "Combien coûte un contact ?",
    );
    driver.click("#close-form button[type=submit]");
    driver.wait_for_text("Le salon se mesure en rendez-vous");
    api.json(
        "POST",
        &format!("/api/v1/sessions/{second}/close"),
        json!({"conclusions_md": "- Le salon se mesure en rendez-vous\n- Le webinaire complète le salon",
            "key_questions": ["Combien coûte un contact ?", "Faut-il un stand ?"]}),
    );

    // The topic's synthesis: the newest layer says what changed and how the poll moved.
    driver.go(&format!("{}/s/salons/t/roi", server.url));
    driver.wait_for_text("/s/salons/t/roi/synthesis");
    driver.go(&format!("{}/s/salons/t/roi/synthesis", server.url));
    let page = driver.wait_for_text(&format!("layer-{second}"));
    let newest = page
        .split(&format!("id=\"layer-{second}\""))
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        newest.contains("Le webinaire complète le salon"),
        "{newest}"
    );
    assert!(newest.contains("Faut-il un stand ?"), "{newest}");
    assert!(
        !newest.contains("Combien coûte un contact ?"),
        "an old question is not new: {newest}"
    );
    assert!(newest.contains("100 % → 0 %"), "{newest}");
}

/// Open `path` at a laptop's and a phone's width: nothing sticks out sideways, no English
/// word shows on the French page, and a screenshot of each is kept under `shots`.
fn check_page(
    driver: &Driver,
    base: &str,
    path: &str,
    shots: &Path,
    name: &str,
    problems: &mut Vec<String>,
) {
    check_page_showing(driver, base, path, "footer", shots, name, problems);
}

/// [`check_page`] for a page that shows `ready` once drawn (the live room's big screen has
/// no footer).
fn check_page_showing(
    driver: &Driver,
    base: &str,
    path: &str,
    ready: &str,
    shots: &Path,
    name: &str,
    problems: &mut Vec<String>,
) {
    for width in [1280, 390] {
        driver.viewport(width);
        driver.go(&format!("{base}{path}"));
        driver.element(ready);
        driver.screenshot(&shots.join(format!("{name}-{width}.png")));
        // On a phone, content wider than the screen widens the layout itself (the page is
        // zoomed out): the window's width then says it as the page's does.
        let (scroll, inner, _) = driver.overflow();
        if scroll > width as i64 || inner > width as i64 {
            let wide = driver.script(&format!(
                "return [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > {width} + 1)
                   .slice(-4).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ');"
            ));
            problems.push(format!(
                "{name} ({path}) at {width} px: page {scroll}, window {inner} ({wide})"
            ));
        }
        let english = english_words(&driver.visible_text());
        if !english.is_empty() {
            problems.push(format!(
                "{name} ({path}) at {width} px: English words {english:?}"
            ));
        }
    }
}

#[test]
fn the_session_pages_fit_a_phone_and_speak_french() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!(
            "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let outbox = dir.path().join("mails");
    std::fs::create_dir_all(&outbox).unwrap();
    let db = dir.path().join("demo.db");
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}", db.display()),
        "--mail-dir",
        outbox.to_str().unwrap(),
    ]);
    let api = Api {
        base: server.url.clone(),
        token: demo_token(&server.url),
        http: reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    };
    api.json(
        "POST",
        "/api/v1/spaces",
        json!({"slug": "salons", "name": "Salons"}),
    );
    api.json(
        "POST",
        "/api/v1/spaces/salons/topics",
        json!({"title": "Le ROI des salons", "slug": "roi"}),
    );
    // Long words and a long place, as real sessions have them, on a phygital session with
    // an agenda, a guest speaker and partners: everything the pages can show.
    let id = api.json(
        "POST",
        "/api/v1/spaces/salons/topics/roi/sessions",
        json!({"title": "Débat : mesurer le retour sur investissement des salons professionnels",
            "starts_at": in_days(2), "duration_min": 120, "time_zone": "Europe/Paris",
            "mode": "phygital", "place": "Centre de congrès, salle Lumière, 15 quai Charles-de-Gaulle, Lyon",
            "online_url": "https://visio.example/salons/roi-des-salons-professionnels-2026",
            "capacity": 40, "partners": "Acme Industries, Novéa",
            "speakers": [{"name": "Inès Martin", "organisation": "Laboratoire d'études du retour sur investissement"}],
            "agenda": [{"title": "Ouverture", "minutes": 10}, {"title": "Débat", "minutes": 110}]}),
    )["session"]["id"]
        .as_i64()
        .unwrap();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sessions");
    std::fs::create_dir_all(&shots).unwrap();
    let base = server.url.clone();
    let mut problems = Vec::new();

    // A visitor: the session page with its registration form, then the emailed links.
    check_page(
        &driver,
        &base,
        &format!("/sessions/{id}"),
        &shots,
        "session",
        &mut problems,
    );
    driver.viewport(390);
    driver.go(&format!("{base}/sessions/{id}"));
    driver.wait_for_text("register-form");
    driver.type_into("#register-form input[name=name]", "Zoé Durand");
    driver.type_into("#register-form input[name=email]", "zoe@visiteur.example");
    driver.type_into("#register-form input[name=organisation]", "Orga Zoé");
    driver.click("#register-form button[type=submit]");
    driver.wait_for_text("session-notice");
    let mail = wait_mail(&outbox, &["zoe@visiteur.example", "/sessions/confirm/"]);
    let (confirm, manage) = (
        link(&mail, "/sessions/confirm/"),
        link(&mail, "/sessions/manage/"),
    );
    let confirm = confirm.strip_prefix(&base).unwrap().to_string();
    let manage = manage.strip_prefix(&base).unwrap().to_string();
    check_page(
        &driver,
        &base,
        &confirm,
        &shots,
        "registration-confirm",
        &mut problems,
    );
    driver.go(&format!("{base}{confirm}"));
    driver.click("#registration-link form button[type=submit]");
    driver.wait_for_text("Votre place est confirmée.");
    check_page(
        &driver,
        &base,
        &manage,
        &shots,
        "registration-manage",
        &mut problems,
    );

    // The moderator (the demo admin), signed in and registered too.
    api.json(
        "POST",
        &format!("/api/v1/sessions/{id}/registration"),
        json!({}),
    );
    driver.viewport(1280);
    driver.go(&format!("{base}/signin"));
    driver.wait_for_text("password-form");
    driver.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    driver.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    driver.click("#password-form button[type=submit]");
    driver.wait_for_text("Camille");
    check_page(
        &driver,
        &base,
        &format!("/sessions/{id}"),
        &shots,
        "session-moderator",
        &mut problems,
    );
    check_page(
        &driver,
        &base,
        "/me/sessions",
        &shots,
        "my-sessions",
        &mut problems,
    );
    check_page(
        &driver,
        &base,
        &format!("/sessions/{id}/qr"),
        &shots,
        "qr",
        &mut problems,
    );
    check_page(
        &driver,
        &base,
        &format!("/sessions/{id}/registrations"),
        &shots,
        "registrations",
        &mut problems,
    );
    // The live room's big screen, as its moderator opens it (with the check-in code and its
    // long address beside the join code): on a projector, and on the phone of a moderator
    // who checks it before the session.
    let room = api.join_room(id);
    check_page_showing(
        &driver,
        &base,
        &format!("/live/{room}/screen"),
        "#screen-checkin-url",
        &shots,
        "live-screen",
        &mut problems,
    );

    // Once it took place and is closed: its closing report.
    start_minutes_ago(&db, id, 180);
    api.json(
        "POST",
        &format!("/api/v1/sessions/{id}/close"),
        json!({"conclusions_md": "- Le salon se mesure en rendez-vous qualifiés, pas en badges scannés\n- Le webinaire complète le salon",
            "key_questions": ["Combien coûte un contact qualifié ?", "Faut-il un stand ?"],
            "recording_links": ["https://video.example/enregistrements/roi-des-salons-professionnels-2026-session-complete"]}),
    );
    check_page(
        &driver,
        &base,
        &format!("/sessions/{id}/report"),
        &shots,
        "report",
        &mut problems,
    );

    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

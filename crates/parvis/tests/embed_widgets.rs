//! Issue 14's widgets as a visitor meets them on another site, in headless Chromium against
//! the real binary (mails written to `--mail-dir`):
//! - a **session** embedded with the two-line snippet shows its title, its date in the
//!   session's zone, its format and the seats left, fits a phone; *S'inscrire* leads through
//!   `/r/{click}` to the session's page, where the visitor registers and confirms by the
//!   emailed link; the admin's funnel counts the click and the registration on that embed;
//! - a **like** given in a thread's widget by a visitor signed in by the emailed link shows
//!   as theirs after a reload and counts once in the API; a second click takes it back;
//! - a **vote** for a challenge's entry, given likewise in the challenge's widget on a host
//!   page whose long address ends with a share code (`?…&ref=CODE`, kept though the loader
//!   cuts the address), shows as theirs and counted after a reload; a second click takes it
//!   back;
//! - an **opinion map's** widget shows the signed-in visitor one statement after another to
//!   agree with, disagree with or pass, until none is left, and the map counts her votes.
//!
//! Skipped with a notice where Chromium is not installed. Screenshots go to
//! `target/tmp/embed-widgets/`.

mod support;
mod webdriver;

use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use support::*;
use webdriver::*;

/// A local `YYYY-MM-DD` `d` days from now (UTC's calendar; the test only needs a date a few
/// days ahead).
fn day_in(d: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(d);
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

/// A phone-ready blog post (it has its viewport tag) on a second local origin, embedding `key`
/// with the two-line snippet under a hostile stylesheet; served by a thread.
fn phone_blog(parvis: &str, key: &str) -> String {
    let page = format!(
        r#"<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Blog</title>
<style>* {{ color: rgb(255, 0, 0) !important; font-family: serif !important; }} body {{ font-size: 16px; }}</style></head>
<body><p id="host-p">Nos rendez-vous de la rentrée</p>
<div data-parvis-embed="{key}" id="w"></div>
<script async src="{parvis}/assets/embed.js"></script></body></html>"#
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    url
}

/// The funnel's row of `embed`, once `ready` holds for it (counts are written as they come).
fn funnel_row(
    http: &reqwest::blocking::Client,
    base: &str,
    token: &str,
    space: &str,
    embed: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let f: Value = http
            .get(format!("{base}/api/v1/spaces/{space}/embed/funnel"))
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let row = f["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["embed"] == json!(embed))
            .cloned();
        if let Some(r) = row.filter(|r| ready(r)) {
            return r;
        }
        assert!(Instant::now() < deadline, "the funnel never counted: {f}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What every test here starts from: a Chromium, the demo server writing its mails to
/// `outbox`, a folder for screenshots, and the demo admin's API token. `None`, after a notice,
/// where Chromium is not installed. Fields drop in order: the browser, then the server, then
/// their folder.
struct Scene {
    driver: Driver,
    server: Server,
    outbox: std::path::PathBuf,
    shots: std::path::PathBuf,
    http: reqwest::blocking::Client,
    token: String,
    _dir: tempfile::TempDir,
}

impl Scene {
    fn start() -> Option<Scene> {
        let dir = tempfile::tempdir().unwrap();
        let Some(driver) = Driver::start(&dir.path().join("profile")) else {
            eprintln!(
                "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("embed-widgets");
        std::fs::create_dir_all(&shots).unwrap();
        let outbox = dir.path().join("mail");
        let server = start(&[
            "demo",
            "--database-url",
            &format!("sqlite://{}/demo.db", dir.path().display()),
            "--mail-dir",
            outbox.to_str().unwrap(),
        ]);
        let token = demo_token(&server.url);
        Some(Scene {
            driver,
            server,
            outbox,
            shots,
            http: reqwest::blocking::Client::new(),
            token,
            _dir: dir,
        })
    }

    /// This server's address for `path`.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    /// A call of the API as the demo admin, which must succeed; its JSON answer.
    fn api(&self, method: &str, path: &str, body: Value) -> Value {
        let r = self
            .http
            .request(method.parse().unwrap(), self.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .unwrap();
        let status = r.status();
        let v: Value = r.json().unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v
    }
}

#[test]
fn a_session_embedded_on_a_blog_fits_a_phone_and_its_registration_counts_for_the_embed() {
    let Some(scene) = Scene::start() else {
        return;
    };
    let Scene {
        driver,
        server,
        outbox,
        shots,
        http,
        token,
        ..
    } = &scene;
    let url = |p: &str| scene.url(p);
    let api = |method: &str, path: &str, body: Value| scene.api(method, path, body);
    api(
        "POST",
        "/api/v1/spaces",
        json!({"slug": "rencontres", "name": "Rencontres"}),
    );
    api(
        "POST",
        "/api/v1/spaces/rencontres/topics",
        json!({"title": "Les ateliers", "slug": "ateliers"}),
    );
    // In Montréal's zone, at 18:30 there (23:30 in Paris, 23:30 UTC in winter): the card
    // must say 18:30 and name the zone.
    let day = day_in(6);
    let session = api(
        "POST",
        "/api/v1/spaces/rencontres/topics/ateliers/sessions",
        json!({"title": "Atelier : mesurer l'impact d'un salon", "starts_at": format!("{day}T18:30"),
            "duration_min": 90, "time_zone": "America/Montreal", "mode": "phygital",
            "place": "Maison des associations, Montréal", "online_url": "https://visio.example/atelier",
            "capacity": 30, "agenda": [{"title": "Atelier", "minutes": 90}]}),
    )["session"]["id"]
        .as_i64()
        .unwrap();
    let key = format!("session/{session}");
    let blog = phone_blog(&server.url, &key);
    let saved = api(
        "PUT",
        "/api/v1/spaces/rencontres/embed",
        json!({"origins": blog, "cta_label": "", "cta_url": ""}),
    );
    assert_eq!(saved["origins"], json!([blog]));

    // On a phone: the card says what, when (in the session's zone), how, and how many seats.
    driver.viewport(390);
    driver.go(&blog);
    into_widget(&driver);
    let card = driver.wait_for_text("Atelier : mesurer");
    let text = driver.visible_text();
    for said in [
        "Atelier : mesurer l'impact d'un salon",
        &format!("{day} 18:30"),
        "America/Montreal",
        "En salle et en ligne",
        "Maison des associations, Montréal",
        "30 places restantes",
        "S'inscrire",
    ] {
        assert!(
            text.contains(said),
            "the card does not say {said:?}:\n{text}"
        );
    }
    assert!(
        !card.contains("23:30"),
        "the card shows UTC's hour:\n{text}"
    );
    assert!(
        english_words(&text).is_empty(),
        "English on the French card: {:?}",
        english_words(&text)
    );
    let (scroll, inner, wide) = driver.overflow();
    assert!(
        scroll <= inner && inner <= 390,
        "the card scrolls sideways in its frame at 390 px: {scroll} > {inner} ({wide})"
    );
    driver.cmd("POST", "/frame/parent", json!({}));
    let (scroll, _, wide) = driver.overflow();
    assert!(
        scroll <= 390,
        "the host page scrolls sideways: {scroll} ({wide})"
    );
    driver.screenshot(&shots.join("session-card-390.png"));

    // The same card in English, for a host page in English.
    let en = http
        .get(url(&format!(
            "/embed/{key}?lang=en&origin={}",
            blog.replace(':', "%3A").replace('/', "%2F")
        )))
        .send()
        .unwrap()
        .text()
        .unwrap();
    for said in ["In the room and online", "30 seats left", ">Register<"] {
        assert!(en.contains(said), "the English card lacks {said:?}:\n{en}");
    }

    // "S'inscrire" goes through /r/{click} to the session's page and its registration form.
    driver.viewport(1280);
    driver.go(&blog);
    into_widget(&driver);
    let href = driver.script("return document.getElementById('pv-cta').href;");
    let href = href.as_str().unwrap().to_string();
    assert!(href.starts_with(&url("/r/")), "{href}");
    let click = href[url("/r/").len()..]
        .split('?')
        .next()
        .unwrap()
        .to_string();
    driver.click("#pv-cta");
    driver.cmd("POST", "/frame/parent", json!({}));
    driver.wait_until(
        "document.getElementById('register-form') !== null",
        Duration::from_secs(15),
    );
    // The page carries the click to its form, so the registration can count for the embed.
    let landed = driver.cmd("GET", "/url", Value::Null);
    assert_eq!(
        landed,
        json!(url(&format!("/sessions/{session}?parvis_click={click}")))
    );
    assert_eq!(
        driver.script(
            "return document.querySelector('#register-form input[name=parvis_click]').value;"
        ),
        json!(click)
    );
    driver.type_into("#register-form input[name=name]", "Inès Blogueuse");
    driver.type_into("#register-form input[name=email]", "ines@lectrice.example");
    driver.type_into("#register-form input[name=organisation]", "Les Lectrices");
    driver.click("#register-form button[type=submit]");
    driver.wait_for_text("session-notice");
    driver.screenshot(&shots.join("session-registered.png"));
    // Not a conversion while the address is unconfirmed; the click counts already.
    let row = funnel_row(&http, &server.url, &token, "rencontres", &key, |r| {
        r["clicks"] == json!(1)
    });
    assert_eq!(row["conversions"], json!(0), "{row}");
    let confirm = link_in_outbox(&outbox, "/sessions/confirm/");
    driver.go(&confirm);
    driver.click("#registration-link form button[type=submit]");
    driver.wait_for_text("Votre place est confirmée.");

    // The admin's funnel: that embed, that blog, one view, one click, one registration.
    let row = funnel_row(&http, &server.url, &token, "rencontres", &key, |r| {
        r["conversions"] == json!(1)
    });
    assert_eq!(
        (&row["impressions"], &row["clicks"], &row["conversions"]),
        (&json!(1), &json!(1), &json!(1)),
        "{row}"
    );
    assert_eq!(row["host"], json!(format!("{blog}/")));
    // The card now has one seat fewer.
    driver.go(&blog);
    into_widget(&driver);
    driver.wait_for_text("29 places restantes");
    driver.cmd("POST", "/frame/parent", json!({}));
}

#[test]
fn a_like_given_in_a_thread_widget_stays_after_a_reload_and_counts_once() {
    let Some(scene) = Scene::start() else {
        return;
    };
    let Scene {
        driver,
        server,
        outbox,
        shots,
        http,
        token,
        ..
    } = &scene;
    let url = |p: &str| scene.url(p);
    let space = demo_space(&server.url);
    let tid = http
        .post(url(&format!("/api/v1/spaces/{space}/threads")))
        .bearer_auth(&token)
        .json(&json!({"title": "Votre avis sur le nouveau format", "body": "Le format court vous convient-il ?"}))
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let key = format!("thread/{tid}");
    let blog = host_site(&server.url, &key);
    let r = http
        .put(url(&format!("/api/v1/spaces/{space}/embed")))
        .bearer_auth(&token)
        .json(&json!({"origins": blog, "cta_label": "", "cta_url": ""}))
        .send()
        .unwrap();
    assert!(r.status().is_success());
    let likes = || -> Value {
        let t: Value = http
            .get(url(&format!("/api/v1/threads/{tid}")))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let m = &t["messages"]["items"][0];
        json!(
            m["reactions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["kind"] == json!("like"))
                .map(|r| r["count"].clone())
                .unwrap_or(json!(0))
        )
    };
    assert_eq!(likes(), json!(0));

    // The visitor signs in from the widget by the emailed link (confirmed in a new tab).
    driver.go(&blog);
    into_widget(&driver);
    driver.element("#pv-email");
    let shown = |id: &str| {
        driver.script(&format!(
            "return getComputedStyle(document.getElementById('{id}')).display !== 'none';"
        ))
    };
    assert_eq!(
        (shown("pv-signin"), shown("pv-reply")),
        (json!(true), json!(false)),
        "signed out, the widget shows the sign-in form only"
    );
    sign_in_by_link(&driver, &outbox, "lectrice@blog.example");
    driver.wait_until(
        "!document.getElementById('pv-reply').hidden && !document.querySelector('.pv-like').hidden",
        Duration::from_secs(15),
    );
    assert_eq!(
        (shown("pv-signin"), shown("pv-reply")),
        (json!(false), json!(true)),
        "signed in, the widget shows the reply form only"
    );
    // A visitor who signed up from the widget is "Participant·e": no elision before it.
    let signed_in_as =
        || driver.script("return document.querySelector('#pv-me').parentNode.textContent;");
    assert_eq!(
        signed_in_as(),
        json!("Connecté·e en tant que Participant·e")
    );

    // She likes the opening message: the button says so, and the count shows it.
    let like = ".pv-list .pv-like";
    assert_eq!(
        driver.script(&format!(
            "return document.querySelector('{like}').getAttribute('aria-pressed');"
        )),
        json!("false")
    );
    driver.click(like);
    driver.wait_until(
        &format!("document.querySelector('{like}').getAttribute('aria-pressed') === 'true'"),
        Duration::from_secs(10),
    );
    driver.wait_until(
        "document.querySelector('.pv-reactions').textContent.indexOf('👍 1') >= 0",
        Duration::from_secs(5),
    );
    assert_eq!(likes(), json!(1), "the like is stored");
    driver.cmd("POST", "/frame/parent", json!({}));
    driver.screenshot(&shots.join("thread-liked.png"));

    // After a reload (still signed in, from the tab's storage) the like is still hers: the
    // button is pressed and the count is one.
    driver.go(&blog);
    into_widget(&driver);
    driver.wait_until(
        "!document.getElementById('pv-reply').hidden",
        Duration::from_secs(15),
    );
    assert!(
        driver.visible_text().contains("👍 1"),
        "{}",
        driver.visible_text()
    );
    driver.wait_until(
        &format!("document.querySelector('{like}').getAttribute('aria-pressed') === 'true'"),
        Duration::from_secs(10),
    );
    assert_eq!(likes(), json!(1), "counted once");

    // A second click takes it back, in the widget and in the store.
    driver.click(like);
    driver.wait_until(
        &format!("document.querySelector('{like}').getAttribute('aria-pressed') === 'false'"),
        Duration::from_secs(10),
    );
    driver.wait_until(
        "document.querySelector('.pv-reactions').innerText.indexOf('👍 1') < 0",
        Duration::from_secs(5),
    );
    assert_eq!(likes(), json!(0), "taken back");
    driver.go(&blog);
    into_widget(&driver);
    driver.wait_until(
        "!document.getElementById('pv-reply').hidden",
        Duration::from_secs(15),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        driver.script(&format!(
            "return document.querySelector('{like}').getAttribute('aria-pressed');"
        )),
        json!("false")
    );
    assert!(!driver.visible_text().contains("👍 1"));

    // Signed out (the tab's storage cleared), a member whose name starts with a vowel signs
    // in from the widget: French elides « que » before her name.
    driver.script("sessionStorage.clear(); return 0;");
    driver.cmd("POST", "/frame/parent", json!({}));
    driver.go(&blog);
    into_widget(&driver);
    sign_in_by_link(&driver, &outbox, "anna.schmidt@oceane.example");
    driver.wait_until(
        "document.getElementById('pv-me').textContent === 'Anna Schmidt'",
        Duration::from_secs(15),
    );
    assert_eq!(signed_in_as(), json!("Connecté·e en tant qu'Anna Schmidt"));
    driver.cmd("POST", "/frame/parent", json!({}));
}

#[test]
fn a_vote_given_in_a_challenge_widget_stays_after_a_reload_and_counts_once() {
    let Some(scene) = Scene::start() else {
        return;
    };
    let Scene {
        driver,
        server,
        outbox,
        shots,
        ..
    } = &scene;
    let space = demo_space(&server.url);
    let api = |method: &str, path: &str, body: Value| scene.api(method, path, body);
    // An open challenge whose votes show, with one entry (the organiser's).
    let id = api(
        "POST",
        &format!("/api/v1/spaces/{space}/challenges"),
        json!({"title": "Réduire nos emballages", "kind": "ideas", "brief": "Vos idées.",
            "rules": "Je cède les droits d'usage de mon idée.", "deadline": format!("{}T18:00", day_in(10)),
            "time_zone": "Europe/Paris", "votes_hidden": false, "evaluators": [],
            "criteria": [{"name": "Impact", "weight": 1}]}),
    )["challenge"]["id"]
        .as_i64()
        .unwrap();
    api(
        "POST",
        &format!("/api/v1/challenges/{id}/state"),
        json!({"state": "open"}),
    );
    let entry = api(
        "POST",
        &format!("/api/v1/challenges/{id}/entries"),
        json!({"title": "Consigne des bocaux", "body": "Des bocaux consignés.", "accept_rules": true}),
    )["id"]
        .as_i64()
        .unwrap();
    let key = format!("challenge/{id}");
    let blog = host_site(&server.url, &key);
    api(
        "PUT",
        &format!("/api/v1/spaces/{space}/embed"),
        json!({"origins": blog, "cta_label": "", "cta_url": ""}),
    );
    let counted = || -> Value {
        let c = api("GET", &format!("/api/v1/challenges/{id}"), Value::Null);
        c["entries"][0]["entry"]["vote_count"].clone()
    };
    assert_eq!(counted(), json!(0));

    // The visitor came through a share link to a long address: the loader cuts it at 500
    // characters, yet the code at its end reaches the widget.
    let article = format!(
        "{blog}/article?{}ref=Ab12Cd34Ef",
        "utm_content=rentree-des-associations&".repeat(20)
    );
    assert!(article.len() > 600);
    driver.go(&article);
    into_widget(&driver);
    assert_eq!(
        driver.script("return document.getElementById('pv-part').getAttribute('data-ref');"),
        json!("Ab12Cd34Ef")
    );
    // Signed out, no vote button; signed in, one per entry, not pressed.
    let button = ".pv-vote";
    assert_eq!(
        driver.script(&format!(
            "return document.querySelector('{button}').hidden;"
        )),
        json!(true)
    );
    sign_in_by_link(&driver, &outbox, "lectrice@blog.example");
    driver.wait_until(
        &format!("!document.querySelector('{button}').hidden"),
        Duration::from_secs(15),
    );
    let pressed =
        format!("return document.querySelector('{button}').getAttribute('aria-pressed');");
    assert_eq!(driver.script(&pressed), json!("false"));
    assert!(
        driver.visible_text().contains("Votes : 0"),
        "{}",
        driver.visible_text()
    );
    assert_eq!(
        driver.script(&format!(
            "return document.querySelector('{button}').getAttribute('data-e');"
        )),
        json!(entry.to_string())
    );
    // Its accessible name says which entry it votes for.
    assert_eq!(
        driver.script(&format!(
            "var b = document.querySelector('{button}'); return b.getAttribute('aria-labelledby').split(' ').map(function (i) {{ return document.getElementById(i).textContent; }}).join(' ');"
        )),
        json!("Voter Consigne des bocaux")
    );

    // She votes: pressed, counted in the card and in the API.
    driver.click(button);
    driver.wait_until(
        &format!("document.querySelector('{button}').getAttribute('aria-pressed') === 'true'"),
        Duration::from_secs(10),
    );
    driver.wait_until(
        "document.querySelector('.pv-votes').textContent.indexOf('Votes : 1') >= 0",
        Duration::from_secs(5),
    );
    assert_eq!(counted(), json!(1), "the vote is stored");
    driver.cmd("POST", "/frame/parent", json!({}));
    driver.screenshot(&shots.join("challenge-voted.png"));

    // After a reload (still signed in, from the tab's storage): hers, and counted once.
    driver.go(&article);
    into_widget(&driver);
    driver.wait_until(
        &format!("!document.querySelector('{button}').hidden"),
        Duration::from_secs(15),
    );
    assert!(
        driver.visible_text().contains("Votes : 1"),
        "{}",
        driver.visible_text()
    );
    assert_eq!(driver.script(&pressed), json!("true"));
    assert_eq!(counted(), json!(1), "counted once");

    // A second click withdraws it, in the widget and in the store.
    driver.click(button);
    driver.wait_until(
        &format!("document.querySelector('{button}').getAttribute('aria-pressed') === 'false'"),
        Duration::from_secs(10),
    );
    driver.wait_until(
        "document.querySelector('.pv-votes').textContent.indexOf('Votes : 0') >= 0",
        Duration::from_secs(5),
    );
    assert_eq!(counted(), json!(0), "withdrawn");
    driver.cmd("POST", "/frame/parent", json!({}));
}

#[test]
fn an_opinion_map_widget_asks_one_statement_after_another_and_the_map_counts_the_votes() {
    let Some(scene) = Scene::start() else {
        return;
    };
    let Scene {
        driver,
        server,
        outbox,
        ..
    } = &scene;
    let space = demo_space(&server.url);
    let api =
        |method: &str, path: &str, body: Value| scene.api(method, &format!("/api/v1{path}"), body);
    let topic = format!("/spaces/{space}/topics/salons-widget");
    api(
        "POST",
        &format!("/spaces/{space}/topics"),
        json!({"title": "Nos salons", "slug": "salons-widget"}),
    );
    // Two statements (the organiser's are accepted at once), on which the organiser agrees.
    let said = [
        "Les salons rapportent plus qu'ils ne coûtent.",
        "Le badge scanné suffit à mesurer.",
    ];
    for body in said {
        let id = api(
            "POST",
            &format!("{topic}/statements"),
            json!({"body": body}),
        )["id"]
            .clone();
        api(
            "POST",
            &format!("/statements/{id}/votes"),
            json!({"value": "agree"}),
        );
    }
    let key = format!("opinion/{space}/salons-widget");
    let blog = host_site(&server.url, &key);
    api(
        "PUT",
        &format!("/spaces/{space}/embed"),
        json!({"origins": blog, "cta_label": "", "cta_url": ""}),
    );

    driver.go(&blog);
    into_widget(&driver);
    sign_in_by_link(&driver, &outbox, "lectrice@blog.example");
    let statement = "return document.getElementById('pv-statement').textContent;";
    let mut seen = Vec::new();
    for value in ["agree", "disagree"] {
        driver.wait_until(
            "!document.getElementById('pv-sv').hidden",
            Duration::from_secs(15),
        );
        let shown = driver.script(statement).as_str().unwrap().to_string();
        assert!(
            said.contains(&shown.as_str()) && !seen.contains(&shown),
            "{shown}"
        );
        seen.push(shown.clone());
        driver.click(&format!(".pv-sv[value={value}]"));
        driver.wait_until(
            &format!(
                "document.getElementById('pv-statement').textContent !== {}",
                json!(shown)
            ),
            Duration::from_secs(10),
        );
    }
    // None left: the widget says so, and the map counts her votes with the organiser's.
    driver.wait_until(
        "document.getElementById('pv-sv').hidden",
        Duration::from_secs(10),
    );
    assert_eq!(
        driver.script(statement),
        json!("Vous avez voté sur toutes les affirmations. Merci !")
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let map = loop {
        let map = api("GET", &format!("{topic}/opinion"), Value::Null);
        if map["n_votes"] == json!(4) || Instant::now() > deadline {
            break map;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        (&map["n_votes"], &map["n_participants"]),
        (&json!(4), &json!(2)),
        "{map}"
    );
    let agrees: u64 = map["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["agrees"].as_u64().unwrap())
        .sum();
    assert_eq!(agrees, 3, "{map}");
    driver.cmd("POST", "/frame/parent", json!({}));
}

//! Issue 14's funnel, end to end in headless Chromium: a page on a second local origin embeds
//! a thread with the two-line snippet; the visitor reads it and clicks its call to action;
//! the organisation's small test site, where the click lands, reports the conversion to
//! Parvis server to server, signed with the space's secret (and retries it, as sites do);
//! the admin's funnel page and API count one impression, one read, one click and one
//! conversion. Skipped with a notice where Chromium is not installed.

mod support;
mod webdriver;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use support::*;
use webdriver::*;

/// The organisation's site: `/inscription?parvis_click=…` reports a registration worth 120
/// for that click, twice with the same transaction id (a retry), and shows both answers.
fn organisation_site(parvis: String, secret: Arc<OnceLock<String>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let http = reqwest::blocking::Client::new();
        for mut s in listener.incoming().flatten() {
            let mut line = String::new();
            let _ = BufReader::new(&s).read_line(&mut line);
            let click = line
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.split("parvis_click=").nth(1))
                .map(|c| c.split('&').next().unwrap_or("").to_string())
                .unwrap_or_default();
            let mut answers = Vec::new();
            if !click.is_empty() {
                let body = json!({"click_id": click, "type": "registration", "value": 120.0,
                    "transaction_id": format!("order-{click}")})
                .to_string();
                for _ in 0..2 {
                    let t = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs() as i64;
                    let key = secret.get().map(String::as_str).unwrap_or("");
                    let sig = parvis_services::embeds::track::sign_report(key, t, body.as_bytes());
                    let status = http
                        .post(format!("{parvis}/api/v1/conversions"))
                        .header("content-type", "application/json")
                        .header("x-parvis-signature", sig)
                        .body(body.clone())
                        .send()
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    answers.push(status.to_string());
                }
            }
            let page = format!(
                r#"<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Inscription</title></head>
<body><h1 id="org">Merci pour votre inscription</h1><p id="click">{click}</p><p id="reports">{}</p></body></html>"#,
                answers.join(" ")
            );
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    url
}

#[test]
fn a_click_on_an_embedded_thread_converts_and_the_funnel_counts_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!(
            "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
    ]);
    let url = |p: &str| format!("{}{p}", server.url);
    let http = reqwest::blocking::Client::new();
    let token = demo_token(&server.url);
    let space = demo_space(&server.url);
    let r = http
        .post(url(&format!("/api/v1/spaces/{space}/threads")))
        .bearer_auth(&token)
        .json(&json!({"title": "Le programme partenaires", "body": "Qui a rejoint le programme cette année ?"}))
        .send()
        .unwrap();
    let tid = r.json::<Value>().unwrap()["id"].as_i64().unwrap();
    let key = format!("thread/{tid}");

    // The blog is the one site allowed; the call to action leads to the organisation's site,
    // which is given the space's secret (created when the settings are first saved).
    let blog = host_site(&server.url, &key);
    let secret = Arc::new(OnceLock::new());
    let org = organisation_site(server.url.clone(), secret.clone());
    let saved: Value = http
        .put(url(&format!("/api/v1/spaces/{space}/embed")))
        .bearer_auth(&token)
        .json(&json!({"origins": blog, "cta_label": "Rejoindre le programme", "cta_url": format!("{org}/inscription")}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(saved["origins"], json!([blog]));
    secret
        .set(saved["secret"].as_str().unwrap().to_string())
        .unwrap();

    // The visitor reads the blog post twice (one visitor, one impression) and clicks.
    for _ in 0..2 {
        driver.go(&blog);
        driver.wait_until(
            "(function(){var f=document.querySelector('#w iframe');return f&&f.style.height&&f.style.height!=='240px';})()",
            Duration::from_secs(15),
        );
    }
    let frame = driver.element("#w iframe");
    driver.cmd("POST", "/frame", json!({"id": {ELEMENT: frame}}));
    driver.wait_for_text("Rejoindre le programme");
    let href = driver.script("return document.getElementById('pv-cta').href;");
    let href = href.as_str().unwrap().to_string();
    assert!(href.starts_with(&url("/r/")), "{href}");
    let click = href["/r/".len() + server.url.len()..]
        .split('?')
        .next()
        .unwrap()
        .to_string();
    driver.click("#pv-cta");
    driver.cmd("POST", "/frame/parent", json!({}));
    // The loader opens the link in the top window; /r/ records it and redirects.
    driver.wait_until(
        "document.getElementById('org') !== null",
        Duration::from_secs(15),
    );
    let landed = driver.cmd("GET", "/url", Value::Null);
    assert!(
        landed
            .as_str()
            .unwrap()
            .starts_with(&format!("{org}/inscription?parvis_click={click}")),
        "{landed}"
    );
    // The site's report was accepted, its retry refused as already counted.
    assert_eq!(
        driver.script("return document.getElementById('reports').textContent;"),
        json!("201 409")
    );

    // The funnel through the API: one of each, worth 120.
    let deadline = Instant::now() + Duration::from_secs(10);
    let row = loop {
        let f: Value = http
            .get(url(&format!("/api/v1/spaces/{space}/embed/funnel")))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let row = f["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["embed"] == json!(key))
            .cloned();
        if let Some(r) = row.filter(|r| r["engagements"] == json!(1)) {
            break r;
        }
        assert!(Instant::now() < deadline, "the funnel never counted: {f}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        (
            &row["impressions"],
            &row["engagements"],
            &row["clicks"],
            &row["conversions"],
            &row["value_cents"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1), &json!(12000)),
        "{row}"
    );
    assert_eq!(row["host"], json!(format!("{blog}/")));

    // The same figures on the admin's page.
    driver.go(&url("/signin"));
    driver.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    driver.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    driver.click("#password-form button[type=submit]");
    driver.wait_for_text("Camille");
    driver.go(&url(&format!("/admin/spaces/{space}/embeds")));
    driver.element("#funnel table");
    let cells = driver.script(&format!(
        "var tr=[...document.querySelectorAll('#funnel tbody tr')].find(r=>r.cells[0].textContent.trim()==={key:?});
         return tr?[...tr.cells].map(c=>c.textContent.trim().split(/\\s+/)[0]):null;"
    ));
    let cells: Vec<String> = serde_json::from_value(cells.clone())
        .unwrap_or_else(|_| panic!("no funnel row for {key}: {cells}"));
    assert_eq!(&cells[2..6], ["1", "1", "1", "1"], "{cells:?}");
    assert!(cells[6].starts_with("120"), "value {cells:?}");
}

/// The newest sign-in link in the mail outbox (`--mail-dir`), quoted-printable undone.
fn link_in_outbox(dir: &std::path::Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let mut mails: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        mails.sort();
        for m in mails.iter().rev() {
            let text = std::fs::read_to_string(m).unwrap_or_default();
            let text = text
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            if let Some(i) = text.find("/auth/widget/") {
                let start = text[..i].rfind("http").unwrap();
                return text[start..].split_whitespace().next().unwrap().to_string();
            }
        }
        assert!(
            Instant::now() < deadline,
            "no widget sign-in mail in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Issue 14's "taking part": on the blog, the visitor asks for a link in the widget, opens the
/// emailed link in a new tab and confirms, comes back to the widget (signed in, no cookie),
/// and replies with a message that carries an XSS payload. The first post waits for a
/// moderator (only its author sees it, as text); once approved it shows in the widget,
/// sanitised: neither the frame nor the host page ever ran the payload.
#[test]
fn a_visitor_signs_in_by_the_emailed_link_and_replies_from_the_widget() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!("notice: chromium/chromedriver not installed; browser test skipped");
        return;
    };
    let outbox = dir.path().join("mail");
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
        "--mail-dir",
        outbox.to_str().unwrap(),
    ]);
    let url = |p: &str| format!("{}{p}", server.url);
    let http = reqwest::blocking::Client::new();
    let token = demo_token(&server.url);
    let space = demo_space(&server.url);
    let tid = http
        .post(url(&format!("/api/v1/spaces/{space}/threads")))
        .bearer_auth(&token)
        .json(&json!({"title": "Vos questions sur le salon", "body": "Posez-les ici."}))
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let blog = host_site(&server.url, &format!("thread/{tid}"));
    let r = http
        .put(url(&format!("/api/v1/spaces/{space}/embed")))
        .bearer_auth(&token)
        .json(&json!({"origins": blog, "cta_label": "", "cta_url": ""}))
        .send()
        .unwrap();
    assert!(r.status().is_success());

    driver.go(&blog);
    driver.script("window.__pvxss = 0;");
    let into_frame = || {
        let frame = driver.element("#w iframe");
        driver.cmd("POST", "/frame", json!({"id": {ELEMENT: frame}}));
        driver.element("#pv-email");
    };
    into_frame();
    driver.type_into("#pv-email", "visiteur@blog.example");
    driver.click("#pv-signin button[type=submit]");
    driver.wait_until(
        "!document.getElementById('pv-wait').hidden",
        Duration::from_secs(10),
    );

    // The emailed link, in a new tab: a page with a button (opening it signs nobody in).
    let link = link_in_outbox(&outbox);
    let widget_tab = driver.cmd("GET", "/window", Value::Null);
    let tab = driver.cmd("POST", "/window/new", json!({"type": "tab"}));
    driver.cmd("POST", "/window", json!({"handle": tab["handle"]}));
    driver.go(&link);
    driver.click("#widget-confirm");
    driver.element("#widget-confirmed");
    driver.cmd("DELETE", "/window", Value::Null);
    driver.cmd("POST", "/window", json!({"handle": widget_tab}));
    into_frame();
    driver.wait_until(
        "!document.getElementById('pv-reply').hidden",
        Duration::from_secs(15),
    );

    let signed_in_as = driver.script("return document.getElementById('pv-me').textContent;");
    assert_ne!(signed_in_as, json!(""), "the widget says who is signed in");
    let payload = "Bonjour <img src=x onerror=\"window.__pvxss=1;parent.__pvxss=1\"><script>window.__pvxss=2</script> **merci**";
    driver.type_into("#pv-body", payload);
    driver.click("#pv-send");
    driver.wait_until(
        "document.getElementById('pv-mine').children.length === 1",
        Duration::from_secs(10),
    );
    assert_eq!(
        driver.script("return typeof window.__pvxss;"),
        json!("undefined"),
        "the held copy is text"
    );
    assert_eq!(
        driver.script("return document.querySelector('#pv-mine img');"),
        Value::Null
    );
    driver.cmd("POST", "/frame/parent", json!({}));
    assert_eq!(
        driver.script("return window.__pvxss;"),
        json!(0),
        "the host page ran nothing"
    );

    // A moderator approves it from the queue; the widget shows it, sanitised.
    let q: Value = http
        .get(url(&format!("/api/v1/spaces/{space}/moderation")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(q["held"], json!(1), "{q}");
    let hid = q["items"][0]["id"].as_i64().unwrap();
    let r = http
        .post(url(&format!("/api/v1/spaces/{space}/moderation/{hid}")))
        .bearer_auth(&token)
        .json(&json!({"decision": "approve"}))
        .send()
        .unwrap();
    assert!(r.status().is_success());
    driver.go(&blog);
    driver.script("window.__pvxss = 0;");
    into_frame();
    driver.wait_for_text("merci");
    // Reloading the host page keeps the visitor signed in (the tab's storage), without a mail.
    driver.wait_until(
        "!document.getElementById('pv-reply').hidden && document.getElementById('pv-signin').hidden",
        Duration::from_secs(5),
    );
    assert_eq!(
        driver.script("return document.getElementById('pv-me').textContent;"),
        signed_in_as
    );
    assert_eq!(driver.script("return document.querySelector('.pv-body strong') && document.querySelector('.pv-body strong').textContent;"), json!("merci"));
    assert_eq!(driver.script("return [document.querySelectorAll('.pv-body script').length, document.querySelectorAll('.pv-body [onerror]').length, typeof window.__pvxss];"), json!([0, 0, "undefined"]));
    driver.cmd("POST", "/frame/parent", json!({}));
    assert_eq!(
        driver.script("return window.__pvxss;"),
        json!(0),
        "the host page ran nothing"
    );
}

/// A page on its own local origin, served as is (the host site of the single sign-on test).
fn serve_page(page: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::Read;
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

/// Opens, on a host page of its own origin, the widget of `embed` (`thread/12`) signed in by
/// the host's token for `user` (`sub`, `email`, `name`, `jti`; valid 5 minutes), signed with
/// a new key of `space`; the driver is left inside the widget's frame.
fn open_sso_widget(
    driver: &Driver,
    parvis: &str,
    token: &str,
    space: &str,
    embed: &str,
    mut user: Value,
) {
    let key: Value = reqwest::blocking::Client::new()
        .post(format!("{parvis}/api/v1/spaces/{space}/embed/sso-keys"))
        .bearer_auth(token)
        .json(&json!({"kid": "site-2026"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    user["exp"] = json!(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 300
    );
    let jwt =
        parvis_services::embeds::sso::sign("site-2026", key["secret"].as_str().unwrap(), &user);
    let host = serve_page(format!(
        r#"<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Espace abonnés</title></head>
<body><div data-parvis-embed="{embed}" data-sso="{jwt}" id="w"></div>
<script async src="{parvis}/assets/embed.js"></script></body></html>"#
    ));
    driver.go(&host);
    let frame = driver.element("#w iframe");
    driver.cmd("POST", "/frame", json!({"id": {ELEMENT: frame}}));
}

/// Single sign-on in the browser: the host site puts its signed token in the snippet
/// (`data-sso`); the widget is signed in as the host's user without any email, and posts.
#[test]
fn the_host_sites_signed_token_signs_the_visitor_in_the_widget() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!("notice: chromium/chromedriver not installed; browser test skipped");
        return;
    };
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
        "--mail-dir",
        dir.path().join("mail").to_str().unwrap(),
    ]);
    let url = |p: &str| format!("{}{p}", server.url);
    let http = reqwest::blocking::Client::new();
    let token = demo_token(&server.url);
    let space = demo_space(&server.url);
    let tid = http
        .post(url(&format!("/api/v1/spaces/{space}/threads")))
        .bearer_auth(&token)
        .json(&json!({"title": "Questions des abonnés", "body": "Bienvenue."}))
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    open_sso_widget(
        &driver,
        &server.url,
        &token,
        &space,
        &format!("thread/{tid}"),
        json!({"sub": "abonne-7", "email": "abonne7@site.example", "name": "Sam Abonné", "jti": "page-1"}),
    );
    driver.wait_until(
        "!document.getElementById('pv-reply').hidden",
        Duration::from_secs(15),
    );
    assert_eq!(
        driver.script("return document.getElementById('pv-me').textContent;"),
        json!("Sam Abonné")
    );
    assert_eq!(
        driver.script("return document.getElementById('pv-signin').hidden;"),
        json!(true)
    );
    driver.type_into("#pv-body", "Merci pour ce fil");
    driver.click("#pv-send");
    driver.wait_until(
        "document.getElementById('pv-mine').children.length === 1",
        Duration::from_secs(10),
    );
    let q: Value = http
        .get(url(&format!("/api/v1/spaces/{space}/moderation")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        q["items"][0]["author_origin"],
        json!("sso:site-2026"),
        "{q}"
    );
    assert_eq!(q["items"][0]["author_name"], json!("Sam Abonné"));
}

/// Issue 15 from a partner's page: an open challenge's widget, signed in by the host's token,
/// takes an entry through its form (rules box ticked by the visitor); the entry is on the
/// challenge's page under the visitor's name, and the form says it was received.
#[test]
fn a_visitor_submits_an_entry_from_the_challenge_widget() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!("notice: chromium/chromedriver not installed; browser test skipped");
        return;
    };
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
        "--mail-dir",
        dir.path().join("mail").to_str().unwrap(),
    ]);
    let url = |p: &str| format!("{}{p}", server.url);
    let http = reqwest::blocking::Client::new();
    let token = demo_token(&server.url);
    let space = demo_space(&server.url);
    let deadline = time::OffsetDateTime::now_utc() + time::Duration::days(10);
    let r = http
        .post(url(&format!("/api/v1/spaces/{space}/challenges")))
        .bearer_auth(&token)
        .json(&json!({
            "title": "Réduire nos emballages",
            "kind": "ideas",
            "brief": "Comment **réduire** nos emballages ?",
            "rules": "Je cède les droits d'usage de mon idée.",
            "deadline": format!("{:04}-{:02}-{:02}T18:30", deadline.year(), deadline.month() as u8, deadline.day()),
            "time_zone": "Europe/Paris",
            "criteria": [{"name": "Impact", "weight": 1}]
        }))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let id = r.json::<Value>().unwrap()["challenge"]["id"]
        .as_i64()
        .unwrap();
    let r = http
        .post(url(&format!("/api/v1/challenges/{id}/state")))
        .bearer_auth(&token)
        .json(&json!({"state": "open"}))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    open_sso_widget(
        &driver,
        &server.url,
        &token,
        &space,
        &format!("challenge/{id}"),
        json!({"sub": "abonne-9", "email": "abonne9@site.example", "name": "Zoé Abonnée", "jti": "page-9"}),
    );
    driver.wait_until(
        "!document.getElementById('pv-entry').hidden",
        Duration::from_secs(15),
    );
    assert_eq!(
        driver.script("return document.getElementById('pv-me').textContent;"),
        json!("Zoé Abonnée")
    );
    driver.type_into("#pv-title", "Vrac en magasin");
    driver.type_into("#pv-body", "Des distributeurs en vrac dans chaque magasin.");
    driver.type_into("#pv-links", "https://zoe.example/vrac");
    // Without the rules accepted the browser keeps the form (the box is required).
    driver.click("#pv-entry button[type=submit]");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        driver.script("return document.getElementById('pv-mine').children.length;"),
        json!(0)
    );
    driver.click("#pv-accept");
    driver.click("#pv-entry button[type=submit]");
    driver.wait_until(
        "document.getElementById('pv-mine').children.length === 1",
        Duration::from_secs(10),
    );
    let said = driver.script("return document.getElementById('pv-status').textContent;");
    assert!(!said.as_str().unwrap_or("").is_empty(), "{said}");
    assert_eq!(
        driver.script("return document.getElementById('pv-title').value;"),
        json!("")
    );
    let page = http
        .get(url(&format!("/challenges/{id}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("Vrac en magasin"), "{page}");
    assert!(page.contains("Zoé Abonnée"), "{page}");
    assert!(!page.contains("abonne9@site.example"));
}

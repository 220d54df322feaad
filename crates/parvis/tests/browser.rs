//! The web UI driven in a real headless Chromium (through chromedriver's WebDriver API):
//! sign in, post a reply, see it. Skipped with a notice where Chromium is not installed
//! (`.ci/run` installs it).

mod support;
mod webdriver;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::*;
use webdriver::*;

#[test]
fn sign_in_post_a_reply_and_see_it() {
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

    driver.go(&format!("{}/signin", server.url));
    driver.wait_for_text("password-form");
    driver.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    driver.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    driver.click("#password-form button[type=submit]");
    driver.wait_for_text("Camille");

    driver.go(&format!("{}/threads/1", server.url));
    let reply = "Réponse écrite dans Chromium, **en gras**";
    driver.type_into("#reply-form textarea", reply);
    driver.click("#reply-submit");
    let page = driver.wait_for_text("Réponse écrite dans Chromium");
    assert!(
        page.contains("<strong>en gras</strong>"),
        "the reply is rendered from Markdown"
    );

    // The same reply is visible to an anonymous visitor through the API.
    let v: Value = reqwest::blocking::get(format!("{}/api/v1/threads/1?per_page=200", server.url))
        .unwrap()
        .json()
        .unwrap();
    let bodies: Vec<&str> = v["messages"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body_markdown"].as_str())
        .collect();
    assert!(bodies.contains(&reply));
}

/// A small French mailing-list archive, as `parvis import mbox` and the import page take it.
const FRENCH_MBOX: &str = "From julie at client.example  Mon Mar  2 09:00:00 2026
From: Julie Bernard <julie@client.example>
Date: Mon, 2 Mar 2026 09:00:00 +0100
Subject: Retard de livraison sur la commande de mars
Message-ID: <q1@client.example>
Content-Type: text/plain; charset=utf-8

Bonjour, notre commande de mars a deux semaines de retard. Quelqu'un a-t-il un délai ?

From marc at novea.example  Mon Mar  2 11:00:00 2026
From: Marc Aubry <marc@novea.example>
Date: Mon, 2 Mar 2026 11:00:00 +0100
Subject: Re: Retard de livraison sur la commande de mars
Message-ID: <r1@novea.example>
In-Reply-To: <q1@client.example>
References: <q1@client.example>
Content-Type: text/plain; charset=utf-8

Bonjour Julie, la livraison part jeudi ; je vous envoie le numéro de suivi.

From julie at client.example  Tue Mar  3 08:30:00 2026
From: Julie Bernard <julie@client.example>
Date: Tue, 3 Mar 2026 08:30:00 +0100
Subject: Re: Retard de livraison sur la commande de mars
Message-ID: <r2@client.example>
In-Reply-To: <r1@novea.example>
References: <q1@client.example> <r1@novea.example>
Content-Type: text/plain; charset=utf-8

Merci, c'est noté.
";

/// The first hour, as a new community lead lives it: an empty install, the first admin
/// created at the shell, the sign-in link, the first space and topic created from the pages
/// (a mistake on the way comes back in French with what was typed), and pages that fit a
/// laptop and a phone and speak only French.
#[test]
fn first_hour_from_an_empty_install() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!(
            "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let db = format!("sqlite://{}/first.db", dir.path().display());
    let server = start(&["serve", "--database-url", &db]);
    let url = |p: &str| format!("{}{p}", server.url);

    // Nobody yet: the home page says how a space comes to be.
    driver.go(&url("/"));
    driver.wait_for_text("parvis space create");

    // The first admin, from the shell; the link it prints signs in with one click.
    let (ok, out, err) = run(&[
        "admin",
        "add",
        "lea@novea.example",
        "--name",
        "Léa Martin",
        "--database-url",
        &db,
        "--public-url",
        &server.url,
    ]);
    assert!(ok, "admin add failed: {err}");
    let link = out
        .split_whitespace()
        .find(|w| w.starts_with(&server.url))
        .expect("admin add prints a sign-in link")
        .to_string();
    driver.go(&link);
    driver.click("form button[type=submit]");
    driver.wait_for_text("Créez votre premier espace");

    // A slug with capitals and spaces: refused in French, what was typed is still there.
    driver.type_into("#space-form input[name=name]", "Clients de Novéa");
    driver.type_into("#space-form input[name=slug]", "Clients Novéa");
    driver.click("#space-form button[type=submit]");
    let page = driver.wait_for_text("err-slug");
    assert!(
        page.contains("lettres minuscules"),
        "the error is in French"
    );
    assert!(
        page.contains("value=\"Clients de Novéa\""),
        "the name typed is kept"
    );
    driver.script("document.querySelector('#space-form input[name=slug]').value = '';");
    driver.type_into("#space-form input[name=slug]", "clients");
    driver.click("#space-form button[type=submit]");
    driver.wait_for_text("Gérer l");

    // The first topic, from the space's admin page.
    driver.go(&url("/admin/spaces/clients"));
    driver.type_into("#topic-form input[name=title]", "Délais de livraison");
    driver.type_into(
        "#topic-form input[name=keywords]",
        "délai, livraison, retard",
    );
    driver.click("#topic-form button[type=submit]");
    driver.wait_for_text("/s/clients/t/delais-de-livraison/opinion");

    // A real export, uploaded from the import page: a French mailing-list archive.
    let mbox = dir.path().join("clients.mbox");
    std::fs::write(&mbox, FRENCH_MBOX).unwrap();
    driver.go(&url("/admin/import"));
    driver.type_into("input[name=file]", mbox.to_str().unwrap());
    driver.script("document.querySelector('select[name=format]').value = 'mbox';");
    driver.click("form[action='/admin/import'] button[type=submit]");
    let page = driver.wait_for_text("id=\"import-summary\"");
    assert!(page.contains("Import terminé") || page.contains("import-summary"));
    let thread = reqwest::blocking::get(url("/api/v1/spaces/clients/threads"))
        .unwrap()
        .json::<Value>()
        .unwrap()["items"]
        .as_array()
        .and_then(|t| {
            t.iter()
                .find(|t| t["title"].as_str().is_some_and(|s| s.contains("livraison")))
        })
        .map(|t| t["id"].as_i64().unwrap())
        .expect("the archive's thread is in the space");
    // Search is indexed in the background.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        driver.go(&url("/s/clients/search?q=livraison"));
        if driver.source().contains(&format!("/threads/{thread}")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the import never became searchable"
        );
        std::thread::sleep(Duration::from_millis(300));
    }

    // Every page fits a laptop and a phone, and the French pages carry no English; each is
    // kept as a screenshot at both widths.
    let thread_page = format!("/threads/{thread}");
    let pages = [
        "/",
        "/s/clients",
        "/s/clients/t/delais-de-livraison",
        thread_page.as_str(),
        "/s/clients/search?q=livraison",
        "/s/clients/activity",
        "/s/clients/feed",
        "/admin",
        "/admin/members",
        "/admin/spaces/clients",
        "/admin/spaces/clients/t/delais-de-livraison",
    ];
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("first-hour");
    std::fs::create_dir_all(&shots).unwrap();
    let mut problems = Vec::new();
    for width in [1280, 390] {
        driver.viewport(width);
        for p in pages {
            driver.go(&url(p));
            driver.element("footer");
            let name: String = p
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            driver.screenshot(&shots.join(format!("{width}{name}.png")));
            let (scroll, inner, wide) = driver.overflow();
            // The page's width: the screen's, less a desktop scroll bar.
            assert!(
                (width as i64 - 20..=width as i64).contains(&inner),
                "the emulated screen is {width} px wide, the page {inner} px"
            );
            if scroll > inner {
                problems.push(format!("{p} at {width} px: {scroll} > {inner} ({wide})"));
            }
            let english = english_words(&driver.visible_text());
            if !english.is_empty() {
                problems.push(format!("{p}: English words {english:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The checks can fail: they see English on an English page, and a too-wide element.
    driver.go(&url("/lang/en?next=/admin"));
    driver.element("footer");
    assert!(!english_words(&driver.visible_text()).is_empty());
    driver.script("const d = document.createElement('div'); d.style.width = '2000px'; d.style.height = '1px'; document.body.append(d);");
    let (scroll, inner, _) = driver.overflow();
    assert!(
        scroll > inner,
        "a 2000 px element overflows a {inner} px screen"
    );
}

/// The live room with two browsers, a moderator and a participant (a visitor who gave a
/// name): a question asked by one appears for the other within a second, an upvote reorders
/// the list, the floor's timer runs for both, a poll answer reaches the big screen, and a
/// participant who reconnects finds the whole state.
#[test]
fn live_room_with_a_moderator_and_a_participant() {
    let dir = tempfile::tempdir().unwrap();
    let Some(moderator) = Driver::start(&dir.path().join("moderator")) else {
        eprintln!(
            "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let participant = Driver::start(&dir.path().join("participant")).expect("a second browser");
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
    ]);
    let url = |p: &str| format!("{}{p}", server.url);
    let spaces: Value = reqwest::blocking::get(url("/api/v1/spaces"))
        .unwrap()
        .json()
        .unwrap();
    let space = spaces["items"][0]["slug"].as_str().unwrap().to_string();

    // The moderator signs in and opens a room from the space.
    moderator.go(&url("/signin"));
    moderator.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    moderator.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    moderator.click("#password-form button[type=submit]");
    moderator.wait_for_text("Camille");
    moderator.go(&url(&format!("/s/{space}/live")));
    moderator.type_into("#room-form input[name=title]", "Le débat du jeudi");
    moderator.click("#room-form button[type=submit]");
    moderator.wait_for_text("Console d'animation");
    let console = moderator.script("return location.pathname;");
    let room_path = console
        .as_str()
        .unwrap()
        .trim_end_matches("/console")
        .to_string();

    // The participant joins with a name.
    participant.go(&url(&room_path));
    participant.type_into("#join input[name=name]", "Paul Invité");
    participant.click("#join button[type=submit]");
    participant.wait_until(
        "document.getElementById('live-status').textContent === 'Connecté'",
        Duration::from_secs(10),
    );
    moderator.wait_until(
        "document.getElementById('live-status').textContent === 'Connecté'",
        Duration::from_secs(10),
    );

    // A question appears for the moderator within a second.
    participant.type_into("#live-ask textarea", "Première question : le prix ?");
    participant.click("#live-ask button[type=submit]");
    let took = moderator.wait_until(
        "document.getElementById('live-questions').textContent.includes('Première question')",
        Duration::from_secs(3),
    );
    assert!(took < Duration::from_secs(1), "the question took {took:?}");
    participant.type_into("#live-ask textarea", "Seconde question : les délais ?");
    participant.click("#live-ask button[type=submit]");
    moderator.wait_until(
        "document.getElementById('live-questions').textContent.includes('Seconde question')",
        Duration::from_secs(3),
    );
    // An upvote on the second puts it first, for both.
    let first = "document.querySelector('#live-questions li .live-q-text').textContent";
    assert!(
        moderator
            .script(&format!("return {first};"))
            .as_str()
            .unwrap()
            .starts_with("Première")
    );
    participant.script(
        "document.querySelectorAll('#live-questions li')[1].querySelector('button').click();",
    );
    moderator.wait_until(
        &format!("{first}.startsWith('Seconde')"),
        Duration::from_secs(2),
    );
    participant.wait_until(
        &format!("{first}.startsWith('Seconde')"),
        Duration::from_secs(2),
    );

    // The participant raises a hand; the moderator gives the floor; both see the timer run.
    participant.click("#live-hand");
    moderator.wait_until(
        "document.getElementById('live-hands').textContent.includes('Paul Invité')",
        Duration::from_secs(2),
    );
    moderator.script("document.querySelector('#live-hands button').click();");
    for d in [&moderator, &participant] {
        d.wait_until(
            "document.getElementById('live-floor').textContent === 'Paul Invité'",
            Duration::from_secs(2),
        );
        d.wait_until(
            "/^0:0[1-9]/.test(document.getElementById('live-timer').textContent)",
            Duration::from_secs(4),
        );
    }
    moderator.wait_until(
        "document.getElementById('live-fairness').textContent.includes('Paul Invité')",
        Duration::from_secs(2),
    );

    // A scale poll; the participant answers; the big screen shows the answer.
    moderator.type_into(
        "#live-poll-form input[name=title]",
        "Votre confiance, de 0 à 10 ?",
    );
    moderator.script("document.querySelector('#live-poll-form select').value = 'scale10';");
    moderator.click("#live-poll-form button[type=submit]");
    participant.wait_until(
        "document.querySelector('.live-scale button')",
        Duration::from_secs(2),
    );
    moderator.go(&url(&format!("{room_path}/screen")));
    moderator.wait_until(
        "document.getElementById('live-polls').textContent.includes('Votre confiance')",
        Duration::from_secs(5),
    );
    assert!(
        moderator.source().contains("<svg"),
        "the big screen shows the QR code"
    );
    participant.script("document.querySelectorAll('.live-scale button')[7].click();");
    let took = moderator.wait_until(
        "document.getElementById('live-polls').textContent.includes('1 réponse')",
        Duration::from_secs(3),
    );
    assert!(
        took < Duration::from_secs(1),
        "the big screen took {took:?}"
    );

    // The participant's connection is cut (the page is reloaded): the state comes back whole.
    participant.go(&url(&room_path));
    participant.wait_until(
        "document.getElementById('live-status').textContent === 'Connecté'",
        Duration::from_secs(10),
    );
    participant.wait_until(
        &format!("{first}.startsWith('Seconde')"),
        Duration::from_secs(2),
    );
    participant.wait_until(
        "document.getElementById('live-floor').textContent === 'Paul Invité'",
        Duration::from_secs(2),
    );
    participant.wait_until(
        "document.querySelectorAll('#live-questions li')[0].querySelector('button').getAttribute('aria-pressed') === 'true'",
        Duration::from_secs(2),
    );
    participant.wait_until(
        "document.querySelectorAll('.live-scale button')[7].className === 'btn sm'",
        Duration::from_secs(2),
    );

    // The console's fairness line in the reader's typography: "Coefficient de Gini : 0,25"
    // and "40 %" in French, "Gini coefficient: 0.25" and "40%" in English.
    let fairness = |page: &str, from: &str| {
        let line = page.split(from).nth(1).expect("a fairness line");
        line[..line.find("</p>").unwrap()].to_string()
    };
    moderator.go(&url(&format!("{room_path}/console")));
    let fr = moderator.wait_for_text("Coefficient de Gini&nbsp;: ");
    let fr = fairness(&fr, "Part équitable");
    assert!(
        fr.contains("Gini&nbsp;: 0,") && fr.ends_with("&nbsp;%"),
        "{fr}"
    );
    moderator.go(&url(&format!("/lang/en?next={room_path}/console")));
    let en = moderator.wait_for_text("Gini coefficient: ");
    let en = fairness(&en, "Fair share");
    assert!(
        en.contains("Gini coefficient: 0.") && !en.contains(" : "),
        "{en}"
    );
    assert!(en.ends_with("%") && !en.contains("&nbsp;"), "{en}");
}

#[test]
fn a_thread_embedded_on_another_site_is_isolated_sized_and_harmless() {
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
    // A message that tries to run script in the host page.
    let token = demo_token(&server.url);
    let http = reqwest::blocking::Client::new();
    let spaces: Value = http
        .get(format!("{}/api/v1/spaces", server.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let space = spaces["items"][0]["slug"].as_str().unwrap().to_string();
    let r = http
        .post(format!("{}/api/v1/spaces/{space}/threads", server.url))
        .bearer_auth(&token)
        .json(&json!({"title": "Intégré ailleurs", "body": "<img src=x onerror=\"window.top.pwned=1\"><script>window.top.pwned=2</script> Texte sûr"}))
        .send()
        .unwrap();
    assert!(r.status().is_success());
    let tid = r.json::<Value>().unwrap()["id"].as_i64().unwrap();
    let host = host_site(&server.url, &format!("thread/{tid}"));
    driver.go(&host);
    let script = |js: &str| driver.cmd("POST", "/execute/sync", json!({"script": js, "args": []}));
    // The frame reports its height: the loader's 240 px placeholder changes.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let h = script("var f=document.querySelector('#w iframe');return f?f.style.height:'';");
        if h.as_str().is_some_and(|h| !h.is_empty() && h != "240px") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the widget never reported its height: {h}"
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    // The widget did not restyle the host page.
    let host_style = script(
        "var s=getComputedStyle(document.getElementById('host-p'));return [s.color,s.fontSize,getComputedStyle(document.body).margin];",
    );
    assert_eq!(host_style, json!(["rgb(255, 0, 0)", "16px", "8px"]));
    // The host's CSS did not restyle the widget.
    let frame = driver.element("#w iframe");
    let mut reference = serde_json::Map::new();
    reference.insert(ELEMENT.into(), Value::String(frame));
    driver.cmd("POST", "/frame", json!({"id": reference}));
    driver.wait_for_text("Texte sûr");
    let inner = script(
        "var a=document.querySelector('.pv-title a');var s=getComputedStyle(a);return [s.color==='rgb(255, 0, 0)', s.fontFamily.indexOf('serif')===0, getComputedStyle(document.body).fontSize];",
    );
    assert_eq!(inner, json!([false, false, "15px"]));
    driver.cmd("POST", "/frame/parent", json!({}));
    // Nothing of the payload ran, in the frame or in the host page.
    assert_eq!(script("return window.pwned === undefined;"), json!(true));
}

/// The measures dashboard as an admin uses it: it fits a phone and a laptop (the wide events
/// table scrolls inside its card), and a chart downloads as a real PNG drawn from its SVG.
#[test]
fn the_measures_dashboard_fits_and_its_charts_download_as_png() {
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
    driver.go(&format!("{}/signin", server.url));
    driver.wait_for_text("password-form");
    driver.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    driver.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    driver.click("#password-form button[type=submit]");
    driver.wait_for_text("Camille");

    let page = format!("{}/s/forum-alliance/measures", server.url);
    for width in [1280, 390] {
        driver.viewport(width);
        driver.go(&page);
        driver.wait_for_text("Événements et retour sur investissement");
        let (scroll, inner, wide) = driver.overflow();
        assert!(
            scroll <= inner,
            "{width} px: the page is {scroll} px wide ({wide})"
        );
    }
    // The PNG links appear with JavaScript; the conversion gives a PNG twice the chart's size.
    let shown = driver.script(
        "return [...document.querySelectorAll('[data-png-wrap]')].filter(w => !w.hidden).length;",
    );
    assert!(shown.as_i64().unwrap_or(0) >= 5, "PNG links shown: {shown}");
    let v = driver.cmd(
        "POST",
        "/execute/async",
        json!({"script": "const done = arguments[arguments.length - 1];
            parvisChartPng('/s/forum-alliance/measures/pyramid.svg')
              .then(async (b) => { const head = new Uint8Array(await b.arrayBuffer()).slice(0, 8);
                                   const bitmap = await createImageBitmap(b);
                                   done([b.type, b.size, [...head], bitmap.width]); })
              .catch((e) => done(['error', String(e)]));", "args": []}),
    );
    assert_eq!(v[0], "image/png", "{v}");
    assert!(
        v[1].as_i64().unwrap_or(0) > 2_000,
        "a drawn chart, not an empty image: {v}"
    );
    assert_eq!(
        v[2],
        json!([137, 80, 78, 71, 13, 10, 26, 10]),
        "PNG signature"
    );
    assert_eq!(v[3], 1280, "twice the SVG's 640-unit width");
}

/// The admin's integrations page on a phone: its code samples and its deliveries table scroll
/// inside their cards instead of making the whole page scroll sideways.
#[test]
fn the_integrations_page_fits_a_phone() {
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
    driver.go(&format!("{}/signin", server.url));
    driver.wait_for_text("password-form");
    driver.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    driver.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    driver.click("#password-form button[type=submit]");
    driver.wait_for_text("Camille");
    driver.viewport(390);
    driver.go(&format!(
        "{}/admin/spaces/forum-alliance/embeds",
        server.url
    ));
    driver.wait_for_text("POST");
    let (scroll, inner, wide) = driver.overflow();
    assert!(scroll <= inner, "the page is {scroll} px wide ({wide})");
}

/// The Embed box's preview on Parvis's own pages, whose CSP allows no inline style: the frame
/// is still styled by the loader (no border, full width), as on the integrator's site.
#[test]
fn the_embed_preview_is_styled_under_parvis_own_csp() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!("notice: chromium/chromedriver not installed; browser test skipped");
        return;
    };
    let db = format!("sqlite://{}/demo.db", dir.path().display());
    let server = start(&["demo", "--database-url", &db]);
    driver.go(&format!("{}/threads/1", server.url));
    driver.click("#embed summary");
    let deadline = Instant::now() + Duration::from_secs(10);
    let border = loop {
        let v = driver.script(
            "const f = document.querySelector('.embed-preview iframe');
             return f ? getComputedStyle(f).borderTopWidth : null;",
        );
        if let Some(b) = v.as_str() {
            break b.to_string();
        }
        assert!(Instant::now() < deadline, "no preview frame");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(border, "0px", "the loader's style was refused");
}

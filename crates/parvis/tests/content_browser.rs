//! Issue 15 "Tested as a user would", in headless Chromium against the real binary (demo
//! data, mail written to a folder): an admin poses a challenge from the form and opens it; a
//! member submits an entry; another votes; the evaluator scores; the admin announces the
//! winner from the scorecard and the entrant sees it. A testimonial published "initials only"
//! shows initials; the person withdraws and it is gone from the page, the API and the export.
//! A member shares a thread; a visitor comes through the link and registers to a session; both
//! are credited on the member's "Mes partages". Skipped with a notice without Chromium.

mod support;
mod webdriver;

use serde_json::{Value, json};
use support::*;
use webdriver::*;

/// The newest sign-in link mailed to `email` in the outbox `dir` (quoted-printable undone).
fn mailed_link(dir: &std::path::Path, email: &str, base: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let mut found: Option<(std::time::SystemTime, String)> = None;
        for f in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(f.path()).unwrap_or_default();
            let text = text
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            if !text.contains(email) {
                continue;
            }
            let Some(at) = text.find(&format!("{base}/auth/link/")) else {
                continue;
            };
            let link: String = text[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
                .collect();
            let modified = f.metadata().and_then(|m| m.modified()).ok();
            if let Some(m) = modified
                && found.as_ref().is_none_or(|(t, _)| m > *t)
            {
                found = Some((m, link));
            }
        }
        if let Some((_, link)) = found {
            return link;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no sign-in link mailed to {email}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Forget who is signed in (every cookie of the browser).
fn sign_out(driver: &Driver) {
    let _ = driver
        .http
        .delete(format!("{}/session/{}/cookie", driver.base, driver.session))
        .send();
}

/// Sign `email` in from the sign-in page, with the link the mail brings.
fn sign_in_by_link(driver: &Driver, base: &str, mails: &std::path::Path, email: &str) {
    sign_out(driver);
    for f in std::fs::read_dir(mails).into_iter().flatten().flatten() {
        let _ = std::fs::remove_file(f.path());
    }
    driver.go(&format!("{base}/signin"));
    driver.type_into("form[action='/signin/link'] input[name=email]", email);
    driver.click("form[action='/signin/link'] button[type=submit]");
    let link = mailed_link(mails, email, base);
    driver.go(&link);
    driver.click("form button[type=submit]");
    driver.wait_until(
        "document.cookie !== undefined && !location.pathname.startsWith('/auth/')",
        std::time::Duration::from_secs(10),
    );
}

fn sign_in_admin(driver: &Driver, base: &str) {
    sign_out(driver);
    driver.go(&format!("{base}/signin"));
    driver.type_into("#password-form input[name=email]", DEMO_ADMIN.0);
    driver.type_into("#password-form input[name=password]", DEMO_ADMIN.1);
    driver.click("#password-form button[type=submit]");
    driver.wait_for_text("Camille");
}

#[test]
fn challenge_testimonial_and_share_link_as_people_use_them() {
    let dir = tempfile::tempdir().unwrap();
    let Some(driver) = Driver::start(&dir.path().join("profile")) else {
        eprintln!(
            "notice: chromium/chromedriver not installed; browser test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let mails = dir.path().join("mails");
    std::fs::create_dir_all(&mails).unwrap();
    let server = start(&[
        "demo",
        "--database-url",
        &format!("sqlite://{}/demo.db", dir.path().display()),
        "--mail-dir",
        mails.to_str().unwrap(),
    ]);
    let base = server.url.clone();
    let url = |p: &str| format!("{base}{p}");
    let http = reqwest::blocking::Client::new();
    let token = demo_token(&base);
    let space = "forum-alliance";

    // 1. The admin poses a challenge from the form (evaluator: Hugo) and opens it.
    sign_in_admin(&driver, &base);
    driver.go(&url(&format!("/s/{space}/challenges/new")));
    driver.type_into(
        "#challenge-form input[name=title]",
        "Réduire nos emballages",
    );
    driver.type_into(
        "#challenge-form textarea[name=brief]",
        "Comment **réduire** nos emballages ?",
    );
    driver.type_into(
        "#challenge-form textarea[name=rules]",
        "Je cède les droits d'usage de mon idée.",
    );
    driver.script(
        "document.querySelector('#challenge-form input[name=deadline]').value = '2031-06-30T18:00';",
    );
    driver.script("var c = document.querySelector('#challenge-form textarea[name=criteria]'); c.value = 'Impact | 3';");
    driver.script("var e = document.querySelector('#challenge-form input[name=evaluators]'); e.value = 'hugo.lambert';");
    driver.script(
        "document.querySelector('#challenge-form input[name=time_zone]').value = 'Europe/Paris';",
    );
    driver.click("#challenge-form button[type=submit]");
    driver.wait_for_text("state-form");
    let path = driver.script("return location.pathname;");
    let challenge: i64 = path
        .as_str()
        .unwrap()
        .trim_start_matches("/challenges/")
        .parse()
        .unwrap();
    driver.click("#state-form button[type=submit]");
    driver.wait_for_text("entry-form");

    // 2. Inès submits an entry, accepting the rules.
    sign_in_by_link(&driver, &base, &mails, "ines.morel@novea.example");
    driver.go(&url(&format!("/challenges/{challenge}")));
    driver.type_into("#entry-form input[name=title]", "Bocaux consignés");
    driver.type_into(
        "#entry-form textarea[name=body]",
        "Des bocaux **consignés** en magasin.",
    );
    driver.click("#accept-rules");
    driver.click("#entry-form button[type=submit]");
    let page = driver.wait_for_text("Bocaux consignés");
    assert!(
        page.contains("Votre participation"),
        "the entrant sees their entry"
    );

    // 3. Lucas votes for it.
    sign_in_by_link(&driver, &base, &mails, "lucas.vidal@novea.example");
    driver.go(&url(&format!("/challenges/{challenge}")));
    driver.click("form[action$='/vote'] button[type=submit]");
    driver.wait_until(
        "!document.querySelector(\"form[action$='/vote']\")",
        std::time::Duration::from_secs(10),
    );

    // 4. Hugo, the evaluator, scores it.
    sign_in_by_link(&driver, &base, &mails, "hugo.lambert@novea.example");
    driver.go(&url(&format!("/challenges/{challenge}/score")));
    driver.type_into("form[id^='score-'] input[inputmode=numeric]", "8");
    driver.click("form[id^='score-'] button[type=submit]");
    driver.wait_until(
        "!!document.querySelector('#score-notice, .field-error, [role=alert]')",
        std::time::Duration::from_secs(10),
    );
    let page = driver.source();
    assert!(
        page.contains("score-notice"),
        "{}",
        page.split("<main").nth(1).unwrap_or(&page)
    );

    // 5. The admin moves to judging, reads the ranked scorecard and announces the winner.
    sign_in_admin(&driver, &base);
    driver.go(&url(&format!("/challenges/{challenge}")));
    driver.click("#state-form button[type=submit]");
    driver.wait_for_text("En évaluation");
    driver.go(&url(&format!("/challenges/{challenge}/scorecard")));
    let card = driver.wait_for_text("announce-form");
    assert!(
        card.contains("Bocaux consignés") && card.contains("8"),
        "ranked with its score"
    );
    driver.click("#announce-form input[name=winner]");
    driver.click("#announce");
    driver.wait_for_text("id=\"winners\"");

    // 6. Inès sees she won.
    sign_in_by_link(&driver, &base, &mails, "ines.morel@novea.example");
    driver.go(&url(&format!("/challenges/{challenge}")));
    let page = driver.wait_for_text("id=\"winners\"");
    assert!(page.contains("Lauréat") && page.contains("Votre participation"));

    // 7. A testimonial by Inès, published with her initials only.
    sign_in_admin(&driver, &base);
    driver.go(&url(&format!("/s/{space}/testimonials/new")));
    driver.type_into(
        "#testimonial-form input[name=title]",
        "Novéa a changé notre salon",
    );
    driver.type_into("#testimonial-form input[name=person_handle]", "ines.morel");
    driver.type_into(
        "#testimonial-form textarea[name=body]",
        "Nous avons **doublé** nos rendez-vous.",
    );
    driver.script(
        "document.querySelector('#testimonial-form input[name=public_use]').checked = true;",
    );
    driver
        .script("document.querySelector('#testimonial-form input[name=publish]').checked = true;");
    driver.script(
        "document.querySelector('#testimonial-form select[name=name_shown]').value = 'initials';",
    );
    driver.type_into(
        "#testimonial-form textarea[name=consent_wording]",
        "J'accepte la publication avec mes initiales.",
    );
    driver.click("#testimonial-form button[type=submit]");
    driver.wait_for_text("person-name");
    let testimonial: i64 = driver
        .script("return location.pathname;")
        .as_str()
        .unwrap()
        .trim_start_matches("/testimonials/")
        .parse()
        .unwrap();
    sign_out(&driver);
    driver.go(&url(&format!("/testimonials/{testimonial}")));
    let page = driver.wait_for_text("person-name");
    assert!(
        page.contains("<strong id=\"person-name\">I. M.</strong>"),
        "initials only"
    );
    assert!(!page.contains("Inès Morel"));

    // 8. Inès withdraws: gone from the page, the API and the export.
    sign_in_by_link(&driver, &base, &mails, "ines.morel@novea.example");
    driver.go(&url(&format!("/testimonials/{testimonial}")));
    driver.click("#withdraw-form button[type=submit]");
    driver.wait_until(
        "!document.querySelector('#withdraw-form')",
        std::time::Duration::from_secs(10),
    );
    sign_out(&driver);
    driver.go(&url(&format!("/testimonials/{testimonial}")));
    assert!(!driver.source().contains("doublé"), "the page is gone");
    let r = http
        .get(url(&format!("/api/v1/testimonials/{testimonial}")))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let x: Value = http
        .get(url(&format!("/api/v1/spaces/{space}/testimonials/export")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let item = x["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == testimonial)
        .unwrap()
        .clone();
    assert_eq!(
        (item["status"].as_str(), item["body_html"].as_str()),
        (Some("withdrawn"), Some(""))
    );

    // 9. Inès shares a thread; a visitor comes through her link and registers to a session.
    let r: Value = http
        .post(url(&format!("/api/v1/spaces/{space}/topics/evenements-leads/sessions")))
        .bearer_auth(&token)
        .json(&json!({"title": "Débat : mesurer le ROI", "starts_at": "2031-05-10T18:00", "duration_min": 90,
            "time_zone": "Europe/Paris", "mode": "phygital", "place": "Salle Lumière, Lyon",
            "online_url": "https://visio.example/roi", "capacity": 50, "partners": "Novéa",
            "speakers": [], "agenda": [{"title": "Débat", "minutes": 90}]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let session = r["id"]
        .as_i64()
        .or_else(|| r["session"]["id"].as_i64())
        .unwrap_or_else(|| panic!("{r}"));
    sign_in_by_link(&driver, &base, &mails, "ines.morel@novea.example");
    driver.go(&url("/share?path=/threads/1"));
    driver.wait_for_text("share-url");
    let link = driver.script("return document.getElementById('share-url').textContent;");
    let link = link.as_str().unwrap().trim().to_string();
    assert!(link.contains("ref="), "{link}");
    sign_out(&driver);
    driver.go(&link);
    driver.wait_for_text("</html>");
    driver.go(&url(&format!("/sessions/{session}")));
    driver.type_into("#register-form input[name=name]", "Paul Visiteur");
    driver.type_into("#register-form input[name=email]", "paul@visiteur.example");
    driver.click("#register-form button[type=submit]");
    driver.wait_until(
        "location.pathname.indexOf('/register') < 0 || document.body.innerText.length > 0",
        std::time::Duration::from_secs(10),
    );
    sign_in_by_link(&driver, &base, &mails, "ines.morel@novea.example");
    driver.go(&url("/me/shares"));
    let page = driver.wait_for_text("my-shares");
    assert!(
        page.contains("<td class=\"visits\">1</td>"),
        "the visit is credited"
    );
    assert!(
        page.contains("<td class=\"registrations\">1</td>"),
        "the registration is credited"
    );
}

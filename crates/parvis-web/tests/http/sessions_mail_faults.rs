//! A mail server that refuses mail, then is down, then works again, as a session's
//! registrants and moderator live it: registering never waits on the mail (the answers
//! succeed and the seats are taken), the worker's failed confirmations are planned again
//! later and later, the moderator's registrations page says so in their language, and once
//! the server is back each registrant receives exactly one confirmation (on SQLite, and on
//! PostgreSQL when `PARVIS_TEST_DATABASE_URL` is set).

use super::sessions::{create_session, form_csrf, session_body, setup};
use super::*;
use std::sync::atomic::{AtomicU8, Ordering};

/// How the controllable sink behaves, read at every command (lettre reuses connections).
const WORKS: u8 = 0;
/// Answers `MAIL FROM` with a transient refusal, as a full or throttling server does.
const REFUSES: u8 = 1;
/// Hangs up on every connection, as a crashed relay behind a live port does.
const DOWN: u8 = 2;
/// Refuses every recipient for good, as a server that knows no such mailbox does.
const NO_SUCH_MAILBOX: u8 = 3;

/// An SMTP sink like `smtp_sink` whose behaviour the test switches while it runs.
async fn switchable_sink() -> (u16, Arc<Mutex<Vec<String>>>, Arc<AtomicU8>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let mode = Arc::new(AtomicU8::new(WORKS));
    let (kept, switch) = (mails.clone(), mode.clone());
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (kept, switch) = (kept.clone(), switch.clone());
            tokio::spawn(async move {
                if switch.load(Ordering::SeqCst) == DOWN {
                    return; // dropped: the connection closes before any greeting
                }
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok();
                let (mut in_data, mut data) = (false, String::new());
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            kept.lock().unwrap().push(std::mem::take(&mut data));
                            w.write_all(b"250 OK queued\r\n").await.ok();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let mode = switch.load(Ordering::SeqCst);
                    if mode == DOWN {
                        return;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("");
                    let reply: &[u8] = match verb.to_ascii_uppercase().as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "MAIL" if mode == REFUSES => b"451 4.3.2 try again later\r\n",
                        "RCPT" if mode == NO_SUCH_MAILBOX => b"550 5.1.1 no such mailbox\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    w.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, mails, mode)
}

/// The session's mail jobs as the store keeps them, oldest first.
async fn mail_jobs(app: &App, id: i64) -> Vec<parvis_store::Job> {
    let mut jobs = app
        .store
        .jobs_with_prefix(&format!("session:{id}:"))
        .await
        .unwrap();
    jobs.retain(|j| j.kind == parvis_services::jobs::SESSION_MAIL);
    jobs.sort_by_key(|j| j.id);
    jobs
}

/// The moderator's registrations page in `lang`.
async fn registrations_page(app: &App, admin: &reqwest::Client, id: i64, lang: &str) -> String {
    let r = admin
        .get(format!("{}/sessions/{id}/registrations", app.base))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

/// The confirmation mails the sink received from index `from` on, by recipient.
fn confirmations_since(app: &App, from: usize) -> Vec<String> {
    let mut to: Vec<String> = app.mails.lock().unwrap()[from..]
        .iter()
        .map(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("To: "))
                .unwrap_or("")
                .to_string()
        })
        .collect();
    to.sort();
    to
}

#[tokio::test]
async fn a_failing_mail_server_never_blocks_a_registration_and_each_mail_arrives_once_later() {
    mail_faults_on(None).await;
    match testing::postgres_test_url() {
        Some(base) => mail_faults_on(Some(testing::fresh_postgres_url(&base).await.unwrap())).await,
        None => eprintln!("notice: PARVIS_TEST_DATABASE_URL not set; PostgreSQL run skipped"),
    }
}

/// The scenario on the store at `url` (a fresh SQLite file by default).
async fn mail_faults_on(url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let url = url.unwrap_or_else(|| format!("sqlite://{}/web.db", dir.path().display()));
    let store = Store::open(&url).await.unwrap();
    let (port, mails, mode) = switchable_sink().await;
    let app = spawn_app_mailing(dir, store, Default::default(), port, mails).await;
    let auth = setup(&app).await;
    let id = create_session(&app, &auth, session_body(Some(20))).await;

    // A visitor (browser in English) registers and gets their link while the server works.
    let visitor = client();
    let page = visitor
        .get(format!("{}/sessions/{id}", app.base))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = visitor
        .post(format!("{}/sessions/{id}/register", app.base))
        .header("accept-language", "en")
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
    let link = wait_for_link(&app.mails, 1).await;

    // Then the server refuses every mail: the visitor confirms and a member registers, and
    // both answers are immediate successes with a seat each.
    mode.store(REFUSES, Ordering::SeqCst);
    let page = visitor
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = visitor
        .post(&link)
        .form(&[("csrf", form_csrf(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (admin, csrf) = admin_session(&app).await;
    let r = admin
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "confirmed");
    let regs = app.store.registrations(id).await.unwrap();
    let mut seats: Vec<(&str, &str)> = regs
        .iter()
        .map(|r| (r.email.as_str(), r.status.as_str()))
        .collect();
    seats.sort();
    assert_eq!(
        seats,
        [
            ("ann@visitor.example", "confirmed"),
            ("camille@novea.example", "confirmed")
        ]
    );
    let sent_before = app.mails.lock().unwrap().len();
    assert_eq!(sent_before, 1, "only the visitor's link went out");

    // The worker's first run: both confirmations fail, planned again a minute later.
    let t0 = now_millis();
    let planned = mail_jobs(&app, id).await;
    let first_due: Vec<i64> = planned
        .iter()
        .filter(|j| j.run_at <= t0)
        .map(|j| j.id)
        .collect();
    assert_eq!(first_due.len(), 2, "one confirmation each: {planned:?}");
    assert_eq!(app.services.run_due_jobs(t0).await.unwrap(), 2);
    assert_eq!(app.mails.lock().unwrap().len(), sent_before);
    let after_one = mail_jobs(&app, id).await;
    for j in after_one.iter().filter(|j| first_due.contains(&j.id)) {
        assert!(j.done_at.is_none(), "a failed mail is not given up: {j:?}");
        assert_eq!(j.attempts, 1);
        assert!(j.last_error.as_deref().is_some_and(|e| !e.is_empty()));
        assert_eq!(j.run_at, t0 + 60_000, "retried a minute later: {j:?}");
    }
    // Not before then.
    assert_eq!(app.services.run_due_jobs(t0 + 59_000).await.unwrap(), 0);

    // The moderator sees it, in French and in English: for whom, and why in words (the
    // server's own answer stays in the logs). Neither registrant agreed to be contacted, so
    // their addresses are not shown.
    let fr = registrations_page(&app, &admin, id, "fr-FR,fr;q=0.9").await;
    assert_eq!(fr.matches("échec, nouvel essai prévu").count(), 2, "{fr}");
    let refused_fr = "refusé pour l&#x27;instant par le serveur de courrier · 1 essai";
    assert_eq!(fr.matches(refused_fr).count(), 2, "{fr}");
    assert!(fr.contains("Pour Ann Smith ·"), "{fr}");
    assert!(fr.contains("Pour Camille Admin ·"), "{fr}");
    let en = registrations_page(&app, &admin, id, "en-GB,en;q=0.9").await;
    assert_eq!(en.matches("failed, will retry").count(), 2, "{en}");
    let refused_en = "refused for now by the mail server · 1 attempt";
    assert_eq!(en.matches(refused_en).count(), 2, "{en}");
    assert!(en.contains("To Ann Smith ·"), "{en}");
    assert!(!en.contains("échec"), "{en}");
    for page in [&fr, &en] {
        let mails = page.split("id=\"mails\"").nth(1).unwrap();
        for raw in [
            "451",
            "try again later",
            "SMTP",
            "error",
            "@visitor.example",
        ] {
            assert!(!mails.contains(raw), "{raw} in {mails}");
        }
    }

    // Now the server is down altogether: the second try fails too, and the next one waits
    // twice as long.
    mode.store(DOWN, Ordering::SeqCst);
    let t1 = t0 + 60_000;
    assert_eq!(app.services.run_due_jobs(t1).await.unwrap(), 2);
    assert_eq!(app.mails.lock().unwrap().len(), sent_before);
    for j in mail_jobs(&app, id)
        .await
        .iter()
        .filter(|j| first_due.contains(&j.id))
    {
        assert!(j.done_at.is_none(), "{j:?}");
        assert_eq!(j.attempts, 2);
        assert_eq!(j.run_at, t1 + 120_000, "the back-off grows: {j:?}");
    }
    let fr = registrations_page(&app, &admin, id, "fr").await;
    assert_eq!(fr.matches("échec, nouvel essai prévu").count(), 2);
    let down_fr = "serveur de courrier injoignable · 2 essais";
    assert_eq!(fr.matches(down_fr).count(), 2, "{fr}");
    let en = registrations_page(&app, &admin, id, "en").await;
    assert_eq!(
        en.matches("mail server unreachable · 2 attempts").count(),
        2,
        "{en}"
    );
    // The API says the same to a program: whom each mail is for and why it failed, as a
    // reason code, never the mail library's words.
    let listed: Value = admin
        .get(format!("{}/api/v1/sessions/{id}/mails", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let failed: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| first_due.contains(&m["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(failed.len(), 2, "{listed}");
    for m in &failed {
        assert_eq!(
            (m["state"].as_str(), m["failure"].as_str(), m["to"].as_str()),
            (
                Some("failed_retry"),
                Some("unreachable"),
                Some("registrant")
            ),
            "{m}"
        );
        assert_eq!(m["attempts"], 2);
    }
    let names: Vec<&str> = failed
        .iter()
        .filter_map(|m| m["to_name"].as_str())
        .collect();
    assert!(names.contains(&"Ann Smith"), "{names:?}");
    assert!(
        !listed.to_string().contains("SMTP"),
        "no raw error: {listed}"
    );

    // Back up: the next run delivers one confirmation to each registrant, and no run after
    // it sends anything again.
    mode.store(WORKS, Ordering::SeqCst);
    let t2 = t1 + 120_000;
    assert_eq!(app.services.run_due_jobs(t2).await.unwrap(), 2);
    let to = confirmations_since(&app, sent_before);
    assert_eq!(to.len(), 2, "{to:?}");
    assert!(to[0].contains("ann@visitor.example"), "{to:?}");
    assert!(to[1].contains("camille@novea.example"), "{to:?}");
    assert_eq!(app.services.run_due_jobs(t2 + 3_600_000).await.unwrap(), 0);
    assert_eq!(app.mails.lock().unwrap().len(), sent_before + 2);
    for j in mail_jobs(&app, id)
        .await
        .iter()
        .filter(|j| first_due.contains(&j.id))
    {
        assert!(j.done_at.is_some() && j.last_error.is_none(), "{j:?}");
    }
    let fr = registrations_page(&app, &admin, id, "fr").await;
    assert!(!fr.contains("échec"), "{fr}");
    assert_eq!(fr.matches(" · envoyé").count(), 2, "{fr}");
    let en = registrations_page(&app, &admin, id, "en").await;
    assert!(!en.contains("failed"), "{en}");
}

#[tokio::test]
async fn a_visitor_whose_link_never_arrived_registers_again_and_gets_a_working_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/web.db", dir.path().display()))
        .await
        .unwrap();
    let (port, mails, mode) = switchable_sink().await;
    let app = spawn_app_mailing(dir, store, Default::default(), port, mails).await;
    let auth = setup(&app).await;
    let id = create_session(&app, &auth, session_body(Some(20))).await;
    let visitor = client();
    let register = || async {
        let page = visitor
            .get(format!("{}/sessions/{id}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = visitor
            .post(format!("{}/sessions/{id}/register", app.base))
            .form(&[
                ("csrf", form_csrf(&page).as_str()),
                ("name", "Zoé Durand"),
                ("email", "zoe@visiteur.example"),
                ("organisation", "Orga"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "registering never fails");
        let to = r.headers()["location"].to_str().unwrap().to_string();
        visitor
            .get(format!("{}{to}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };

    // The server is down: the registration is kept (pending), the page says a link is on
    // its way, and none arrives.
    mode.store(DOWN, Ordering::SeqCst);
    let page = register().await;
    assert!(page.contains("Presque fini"), "{page}");
    let regs = app.store.registrations(id).await.unwrap();
    assert_eq!(regs.len(), 1);
    assert_eq!(regs[0].status, "pending");
    assert!(app.mails.lock().unwrap().is_empty());

    // Back up: registering again is the same registration, and this time a link arrives.
    mode.store(WORKS, Ordering::SeqCst);
    register().await;
    let link = wait_for_link(&app.mails, 1).await;
    assert_eq!(app.mails.lock().unwrap().len(), 1, "exactly one link");
    assert_eq!(app.store.registrations(id).await.unwrap().len(), 1);
    let page = visitor
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = visitor
        .post(&link)
        .form(&[("csrf", form_csrf(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let regs = app.store.registrations(id).await.unwrap();
    assert_eq!(regs[0].status, "confirmed", "{regs:?}");

    // Once confirmed, registering again mails nothing more.
    register().await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(app.mails.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_moderator_sees_whom_a_refused_mail_was_for_in_their_language() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/web.db", dir.path().display()))
        .await
        .unwrap();
    let (port, mails, mode) = switchable_sink().await;
    let app = spawn_app_mailing(dir, store, Default::default(), port, mails).await;
    let auth = setup(&app).await;
    let id = create_session(&app, &auth, session_body(Some(20))).await;
    // The admin registers agreeing to be contacted; a visitor registers without agreeing.
    let (admin, csrf) = admin_session(&app).await;
    let r = admin
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"contact": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let visitor = client();
    let page = visitor
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = visitor
        .post(format!("{}/sessions/{id}/register", app.base))
        .form(&[
            ("csrf", form_csrf(&page).as_str()),
            ("name", "Zoé Durand"),
            ("email", "zoe@visiteur.example"),
            ("organisation", "Orga"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let link = wait_for_link(&app.mails, 1).await;
    let page = visitor
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = visitor
        .post(&link)
        .form(&[("csrf", form_csrf(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The server now refuses every recipient: both confirmations fail.
    mode.store(NO_SUCH_MAILBOX, Ordering::SeqCst);
    assert_eq!(app.services.run_due_jobs(now_millis()).await.unwrap(), 2);
    let fr = registrations_page(&app, &admin, id, "fr").await;
    let fr = fr.split("id=\"mails\"").nth(1).unwrap();
    assert_eq!(fr.matches("adresse refusée · 1 essai").count(), 2, "{fr}");
    // The address of the one who agreed to be contacted, the name only of the other.
    assert!(
        fr.contains("Pour Camille Admin &lt;camille@novea.example&gt; ·"),
        "{fr}"
    );
    assert!(fr.contains("Pour Zoé Durand ·"), "{fr}");
    assert!(!fr.contains("zoe@visiteur.example"), "{fr}");
    let en = registrations_page(&app, &admin, id, "en").await;
    let en = en.split("id=\"mails\"").nth(1).unwrap();
    assert_eq!(en.matches("address refused · 1 attempt").count(), 2, "{en}");
    assert!(en.contains("To Zoé Durand ·"), "{en}");
    for raw in ["550", "5.1.1", "no such mailbox", "permanent"] {
        assert!(!fr.contains(raw) && !en.contains(raw), "{raw}: {en}");
    }
}

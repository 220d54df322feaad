//! The web layer over real HTTP: the server runs on a random loopback port with a fresh store
//! (SQLite always, PostgreSQL too when `PARVIS_TEST_DATABASE_URL` is set) and the tests talk
//! to it as a browser or an integrator would.

use parvis_domain::*;
use parvis_services::{Mailer, ServiceConfig, Services};
use parvis_store::{NewMember, Store, testing};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Challenges: pose, open, submit, vote, score, rank, announce, export; pages in French.
#[path = "http/content.rs"]
mod content;
/// What content pages show: hidden votes once voting is over, English pages.
#[path = "http/content_pages.rs"]
mod content_pages;
/// Content everywhere: search, the "Pour vous" block, profiles, the personal export.
#[path = "http/content_reach.rs"]
mod content_reach;
/// Search filters and pages hold content as they hold messages.
#[path = "http/content_search.rs"]
mod content_search;
/// Share links: visits and registrations credited, unknown codes credit no one.
#[path = "http/content_shares.rs"]
mod content_shares;
/// Testimonials and interviews: consent records, initials, withdrawal everywhere.
#[path = "http/content_showcase.rs"]
mod content_showcase;
/// A member withdraws their vote for a challenge entry (page and API), gives it again.
#[path = "http/content_unvote.rs"]
mod content_unvote;
/// A guest's private withdrawal link: shown, confirmed, gone everywhere.
#[path = "http/content_withdrawal.rs"]
mod content_withdrawal;
/// A visitor submits a challenge entry from its widget.
#[path = "http/embed_entries.rs"]
mod embed_entries;
/// Taking part from a widget: magic link, SSO, pseudonyms, moderation, rate limit, origins.
#[path = "http/embed_posting.rs"]
mod embed_posting;
/// A share link's code reaches a widget signed in by single sign-on, and is credited.
#[path = "http/embed_shares.rs"]
mod embed_shares;
/// Likes, votes and answers from a widget have a budget per visitor (429 over it).
#[path = "http/embed_vote_limits.rs"]
mod embed_vote_limits;
/// Voting from a widget: a challenge's entries, an opinion map's statements; engagement.
#[path = "http/embed_votes.rs"]
mod embed_votes;
/// Embeds: oEmbed, the iframe card, the snippet's loader.
#[path = "http/embeds.rs"]
mod embeds;
/// The first hour: empty home page, admin area, form errors (kept apart, one binary still).
#[path = "http/first_hour.rs"]
mod first_hour;
/// French pages speak French (no English sentence on them).
#[path = "http/languages.rs"]
mod languages;
/// The live debate room: API, WebSocket, pages.
#[path = "http/live.rs"]
mod live;
/// A duplicate question merged: its upvotes are taken back on the question kept.
#[path = "http/live_merge.rs"]
mod live_merge;
/// A room's questions through the API: pinned first, `?sort=votes|time`.
#[path = "http/live_order.rs"]
mod live_order;
/// Sessions: schedule, register, confirm by mail, waiting list, webcast code.
#[path = "http/sessions.rs"]
mod sessions;
/// What began as session pages, through the JSON API: room, check-in, cancel, webcast code.
#[path = "http/sessions_api.rs"]
mod sessions_api;
/// Sessions' calendars (checked by an independent iCalendar parser) and lead exports.
#[path = "http/sessions_calendar.rs"]
mod sessions_calendar;
/// A session embedded elsewhere: oEmbed, its card, the call to register, the webhook.
#[path = "http/sessions_embed.rs"]
mod sessions_embed;
/// A session's live room (join, webcast code, console, report's fairness), room check-in by
/// QR code, and polls asked again in the synthesis.
#[path = "http/sessions_live.rs"]
mod sessions_live;
/// A mail server that refuses or is down: registrations go through, mails are retried with
/// back-off, the moderator sees the failures, and each registrant gets one mail in the end.
#[path = "http/sessions_mail_faults.rs"]
mod sessions_mail_faults;
/// Meet: meeting proposals per slot, answers, "we met", privacy.
#[path = "http/sessions_meet.rs"]
mod sessions_meet;
/// Moderators' notes in a session's room: theirs alone, offered in the closing draft.
#[path = "http/sessions_notes.rs"]
mod sessions_notes;
/// Reminder mails: one per offset and registrant, in their language, with the invitation.
#[path = "http/sessions_reminders.rs"]
mod sessions_reminders;
/// Closing reports and the layered synthesis; attendance.
#[path = "http/sessions_report.rs"]
mod sessions_report;
/// A webcast's code, the capacity floor, registrations closed at the start.
#[path = "http/sessions_rules.rs"]
mod sessions_rules;
/// A space's time zone: set by admins, followed by new sessions and challenge deadlines.
#[path = "http/sessions_zones.rs"]
mod sessions_zones;

/// What a walk through the demo found: a young topic's map image, admin plurals, the
/// measures' way in.
#[path = "http/walkthrough.rs"]
mod walkthrough;

/// A second walk: percentages, a session's room before its start, French elision, markup.
#[path = "http/walkthrough_qa.rs"]
mod walkthrough_qa;

#[path = "http/measures.rs"]
mod measures;
/// Surveys sent by email (personal links, no account) and answered from their widget.
#[path = "http/measures_mail.rs"]
mod measures_mail;
/// Surveys: one answer per person across signed-in and mailed-link paths, closing, and a
/// person's pending survey mails in their export and erasure.
#[path = "http/measures_survey_close.rs"]
mod measures_survey_close;
/// Surveys: one answer per person even when they change their address between two paths.
#[path = "http/measures_survey_moved.rs"]
mod measures_survey_moved;

const ADMIN_PASSWORD: &str = "correct horse battery staple";

struct App {
    base: String,
    store: Store,
    services: Services,
    mails: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

/// A minimal SMTP server on loopback that keeps what it receives: lettre speaks real SMTP
/// to it, and tests read the sign-in links out of the mails.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let kept = mails.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut in_data = false;
                let mut data = String::new();
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
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
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
    (port, mails)
}

async fn spawn_app_on(url: Option<String>) -> App {
    spawn_app_with(url, parvis_web::WebConfig::default()).await
}

async fn spawn_app_with(url: Option<String>, web: parvis_web::WebConfig) -> App {
    let dir = tempfile::tempdir().unwrap();
    let url = url.unwrap_or_else(|| format!("sqlite://{}/web.db", dir.path().display()));
    let store = Store::open(&url).await.unwrap();
    let (smtp_port, mails) = smtp_sink().await;
    spawn_app_mailing(dir, store, web, smtp_port, mails).await
}

/// The app over `store`, its mails sent over SMTP to `smtp_port` (a sink the test controls).
async fn spawn_app_mailing(
    dir: tempfile::TempDir,
    store: Store,
    web: parvis_web::WebConfig,
    smtp_port: u16,
    mails: Arc<Mutex<Vec<String>>>,
) -> App {
    let mailer = Mailer::from_url(
        Some(&format!("smtp://127.0.0.1:{smtp_port}")),
        "Parvis <parvis@test.example>",
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let index = std::sync::Arc::new(parvis_search::SearchIndex::in_memory().unwrap());
    let services = Services::new(
        store.clone(),
        mailer,
        ServiceConfig {
            public_url: base.clone(),
            ..Default::default()
        },
    )
    .with_search(index);
    // The first admin, as `parvis admin add` would create it, with a password.
    let hash = parvis_services_hash(ADMIN_PASSWORD);
    store
        .create_member(&NewMember {
            handle: "camille".into(),
            display_name: "Camille Admin".into(),
            email: Some("camille@novea.example".into()),
            password_hash: Some(hash),
            site_role: SiteRole::Admin,
            ecosystem_role: EcosystemRole::Employee,
            organisation: "Novéa".into(),
            bio: String::new(),
            lang: "fr".into(),
            created_at: now_millis(),
        })
        .await
        .unwrap();
    let app = parvis_web::build(services.clone(), web);
    tokio::spawn(parvis_web::serve(listener, app, std::future::pending()));
    App {
        base,
        store,
        services,
        mails,
        _dir: dir,
    }
}

fn parvis_services_hash(pw: &str) -> String {
    // Same function the services use; exposed through the demo's password path.
    parvis_services::demo::hash_password_for_tests(pw)
}

async fn spawn_app() -> App {
    spawn_app_on(None).await
}

/// Run a scenario on SQLite, then on PostgreSQL when configured.
async fn on_both<F, Fut>(f: F)
where
    F: Fn(App) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f(spawn_app().await).await;
    match testing::postgres_test_url() {
        Some(base) => {
            f(spawn_app_on(Some(testing::fresh_postgres_url(&base).await.unwrap())).await).await
        }
        None => eprintln!("notice: PARVIS_TEST_DATABASE_URL not set; PostgreSQL run skipped"),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Sign in over the API as the admin; returns (client with cookie, csrf token).
async fn admin_session(app: &App) -> (reqwest::Client, String) {
    let c = client();
    let r = c
        .post(format!("{}/api/v1/auth/password", app.base))
        .json(&json!({"email": "camille@novea.example", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    (c, body["csrf_token"].as_str().unwrap().to_string())
}

/// An API token for the admin.
async fn admin_token(app: &App) -> String {
    let (c, csrf) = admin_session(app).await;
    let r = c
        .post(format!("{}/api/v1/me/tokens", app.base))
        .header("x-csrf-token", csrf)
        .json(&json!({"name": "tests"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    v["secret"].as_str().unwrap().to_string()
}

async fn problem(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(ct, "application/problem+json", "errors are problem+json");
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn health_and_openapi() {
    let app = spawn_app().await;
    let r = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // Every documented operation is known to the server (no "no such API route").
    let c = client();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let url = format!(
                "{}{}",
                app.base,
                path.replace("{space}", "nope")
                    .replace("{id}", "1")
                    .replace("{handle}", "nope")
                    .replace("{kind}", "like")
            );
            let req = c
                .request(method.to_uppercase().parse().unwrap(), &url)
                .header("content-type", "application/json")
                .body("{}");
            let r = req.send().await.unwrap();
            let text = r.text().await.unwrap();
            assert!(
                !text.contains("no such API route"),
                "{method} {path} is documented but not routed"
            );
        }
    }
}

#[tokio::test]
async fn a_member_posts_replies_and_reacts_through_the_api() {
    on_both(|app| async move {
        let token = admin_token(&app).await;
        let c = client();
        let auth = format!("Bearer {token}");
        let r = c.post(format!("{}/api/v1/spaces", app.base)).header("authorization", &auth)
            .json(&json!({"slug": "forum", "name": "Forum clients", "description": "Échanges"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = c.post(format!("{}/api/v1/spaces/forum/topics", app.base)).header("authorization", &auth)
            .json(&json!({"title": "Événements & leads", "keywords": ["ROI", "salon"]})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let topic: Value = r.json().await.unwrap();
        assert_eq!(topic["slug"], "evenements-leads");
        assert_eq!(topic["keywords"], json!(["roi", "salon"]));

        let r = c.post(format!("{}/api/v1/spaces/forum/threads", app.base)).header("authorization", &auth)
            .json(&json!({"title": "Mesurer le ROI d'un salon", "body": "Comment **comptez-vous** les leads ?", "topic": "evenements-leads"}))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let thread: Value = r.json().await.unwrap();
        let tid = thread["id"].as_i64().unwrap();

        // Read it once (fills the cache), reply, and read again: the reply must show.
        let first: Value = reqwest::get(format!("{}/api/v1/threads/{tid}", app.base)).await.unwrap().json().await.unwrap();
        // One message is said in the singular (not "1 messages").
        let page = reqwest::get(format!("{}/threads/{tid}", app.base)).await.unwrap().text().await.unwrap();
        assert!(page.contains(" 1 message</p>"), "{page}");
        assert_eq!(first["messages"]["total"], 1);
        let opening = first["messages"]["items"][0]["id"].as_i64().unwrap();
        assert!(first["messages"]["items"][0]["body_html"].as_str().unwrap().contains("<strong>comptez-vous</strong>"));
        for i in 0..3 {
            let r = c.post(format!("{}/api/v1/threads/{tid}/messages", app.base)).header("authorization", &auth)
                .json(&json!({"body": format!("Réponse {i}"), "parent_id": opening})).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        let r = c.post(format!("{}/api/v1/messages/{opening}/reactions", app.base)).header("authorization", &auth)
            .json(&json!({"kind": "insightful"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let after: Value = reqwest::get(format!("{}/api/v1/threads/{tid}?per_page=2&page=2", app.base)).await.unwrap().json().await.unwrap();
        assert_eq!(after["messages"]["total"], 4);
        assert_eq!(after["messages"]["items"][0]["body_markdown"], "Réponse 1");
        let full: Value = reqwest::get(format!("{}/api/v1/threads/{tid}", app.base)).await.unwrap().json().await.unwrap();
        assert_eq!(full["messages"]["items"][0]["reactions"][0]["kind"], "insightful");
        assert_eq!(full["thread"]["message_count"], 4);

        let list: Value = reqwest::get(format!("{}/api/v1/spaces/forum/threads?topic=evenements-leads", app.base)).await.unwrap().json().await.unwrap();
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["title"], "Mesurer le ROI d'un salon");

        // The web page shows the thread with its replies.
        let page = reqwest::get(format!("{}/threads/{tid}", app.base)).await.unwrap().text().await.unwrap();
        assert!(page.contains("Mesurer le ROI d&#x27;un salon") || page.contains("Mesurer le ROI d'un salon"));
        assert!(page.contains("Réponse 2"));
    })
    .await;
}

#[tokio::test]
async fn bad_input_gets_clear_problems() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();

    let (s, p) = problem(
        reqwest::get(format!("{}/api/v1/spaces/nowhere", app.base))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(p["detail"].as_str().unwrap().contains("nowhere"));
    let (s, p) = problem(
        reqwest::get(format!("{}/api/v1/members/ghost", app.base))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(p["detail"].as_str().unwrap().contains("ghost"));
    let (s, _) = problem(
        reqwest::get(format!("{}/api/v1/threads/abc", app.base))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Malformed JSON and wrong types name the field.
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(r#"{"slug": "x", "name": 42}"#)
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["field"], "name");
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(r#"{"slug": "forum"}"#)
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(p["field"], "name");
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(r#"{"slug": "forum", "name": "#)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::BAD_REQUEST);
    // Semantically invalid → 422 with the field.
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "Not A Slug", "name": "x"}))
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "slug");
    // Conflict.
    for expected in [StatusCode::CREATED, StatusCode::CONFLICT] {
        let r = c
            .post(format!("{}/api/v1/spaces", app.base))
            .header("authorization", &auth)
            .json(&json!({"slug": "forum", "name": "Forum"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected);
    }
    // Unauthenticated and forbidden.
    let r = c
        .post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .json(&json!({"title": "t", "body": "b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::UNAUTHORIZED);
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", "Bearer pvs_nope")
        .json(&json!({"slug": "a1", "name": "A"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::UNAUTHORIZED);
    let r = c.post(format!("{}/api/v1/invitations", app.base)).header("authorization", &auth)
        .json(&json!({"email": "lea@client.example", "display_name": "Léa", "ecosystem_role": "customer"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let lea = app.store.member_by_handle("lea").await.unwrap().unwrap();
    let lea_token = {
        let link = wait_for_link(&app.mails, 1).await;
        let lc = client();
        let r = confirm_sign_in(&lc, &link).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let me: Value = lc
            .get(format!("{}/api/v1/me", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["id"].as_i64(), Some(lea.id.0));
        let csrf = me_csrf(&lc, &app).await;
        let r = lc
            .post(format!("{}/api/v1/me/tokens", app.base))
            .header("x-csrf-token", csrf)
            .json(&json!({"name": "t"}))
            .send()
            .await
            .unwrap();
        r.json::<Value>().await.unwrap()["secret"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", format!("Bearer {lea_token}"))
        .json(&json!({"slug": "mine", "name": "Mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::FORBIDDEN);
    // Nothing that was accepted was lost along the way.
    assert_eq!(app.store.list_spaces().await.unwrap().len(), 1);
}

/// The CSRF token of a cookie session, read from a page's form.
async fn me_csrf(c: &reqwest::Client, app: &App) -> String {
    let page = c
        .get(format!("{}/me", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let i = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    page[i..i + 64].to_string()
}

/// Follows a sign-in link as its owner does: opens the confirmation page, then clicks.
async fn confirm_sign_in(c: &reqwest::Client, link: &str) -> reqwest::Response {
    let page = c.get(link).send().await.unwrap().text().await.unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("confirmation form with a csrf token")
        .to_string();
    c.post(link)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
}

async fn wait_for_link(mails: &Arc<Mutex<Vec<String>>>, n: usize) -> String {
    for _ in 0..100 {
        if let Some(mail) = mails.lock().unwrap().get(n - 1) {
            // Quoted-printable may fold long lines with "=\n".
            let unfolded = mail.replace("=\n", "").replace("=3D", "=");
            let i = unfolded.find("http://").unwrap();
            return unfolded[i..].split_whitespace().next().unwrap().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no mail arrived");
}

#[tokio::test]
async fn magic_link_signs_in_once() {
    let app = spawn_app().await;
    let c = client();
    let r = c
        .post(format!("{}/api/v1/auth/link", app.base))
        .json(&json!({"email": "Camille@Novea.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    // An unknown address gets the same answer and no mail.
    let r = c
        .post(format!("{}/api/v1/auth/link", app.base))
        .json(&json!({"email": "nobody@x.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let link = wait_for_link(&app.mails, 1).await;
    assert!(link.starts_with(&app.base));
    // A plain GET (what a mail scanner does) only shows a confirmation page: it signs in no
    // one and leaves the link usable.
    let scanner = client();
    for _ in 0..2 {
        let r = scanner.get(&link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()
                .get_all("set-cookie")
                .iter()
                .all(|v| !v.to_str().unwrap().contains("parvis_session=")),
            "a GET of the link must not sign in"
        );
    }
    // The owner confirms with a click: a form post with the page's CSRF token.
    let page = c.get(&link).send().await.unwrap().text().await.unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("confirmation form with a csrf token")
        .to_string();
    let r = c
        .post(&link)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set_cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(set_cookie.contains("parvis_session="));
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    let me: Value = c
        .get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["handle"], "camille");
    assert_eq!(me["email"], "camille@novea.example");
    // Second use of the same link fails.
    let r = c
        .post(&link)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(
        app.mails.lock().unwrap().len(),
        1,
        "no mail for an unknown address"
    );
}

#[tokio::test]
async fn sign_in_is_rate_limited() {
    let app = spawn_app().await;
    let c = client();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let r = c
            .post(format!("{}/api/v1/auth/password", app.base))
            .json(&json!({"email": "camille@novea.example", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status());
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
    // Even the right password is refused while limited.
    let r = c
        .post(format!("{}/api/v1/auth/password", app.base))
        .json(&json!({"email": "camille@novea.example", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn forms_need_their_csrf_token() {
    let app = spawn_app().await;
    let (c, _) = admin_session(&app).await;
    // A form post without the token is refused, and nothing is created.
    let r = c
        .post(format!("{}/admin/spaces", app.base))
        .form(&[("slug", "x1"), ("name", "X"), ("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // From another site: refused even with a token.
    let csrf = me_csrf(&c, &app).await;
    let r = c
        .post(format!("{}/admin/spaces", app.base))
        .header("origin", "https://evil.example")
        .form(&[("slug", "x2"), ("name", "X"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The cookie alone cannot write through the API.
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .json(&json!({"slug": "x3", "name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.store.list_spaces().await.unwrap().is_empty());
    // With the token, it works.
    let r = c
        .post(format!("{}/admin/spaces", app.base))
        .form(&[("slug", "x4"), ("name", "X"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.list_spaces().await.unwrap().len(), 1);
}

/// Payloads from the usual XSS cheat sheets, in Markdown bodies.
const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "![x](x\" onerror=\"alert(1))",
    "<object data=\"javascript:alert(1)\"></object>",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<<script>script>alert(1)<</script>/script>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<scr<script>ipt>alert(1)</script>",
];

/// No executable markup: no script/iframe/object element, and no tag carrying an event
/// handler, a style, or a javascript:/data: URL. (Text that merely *reads* like an attribute,
/// e.g. `x" onerror="…` inside a paragraph, is harmless and allowed.)
fn assert_clean(html: &str, payload: &str) {
    let lower = html.to_lowercase();
    for element in [
        "<script", "<iframe", "<object", "<embed", "<style", "<form", "<svg", "<math",
    ] {
        assert!(
            !lower.contains(element),
            "payload {payload:?} left {element:?} in {html:?}"
        );
    }
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .map(|e| start + e)
            .unwrap_or(rest.len());
        let tag = &rest[start..end];
        let has_handler = tag
            .split(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .any(|w| w.starts_with("on") && w.contains('='));
        assert!(
            !has_handler,
            "payload {payload:?} left an event handler in tag {tag:?}"
        );
        for bad in ["javascript:", "data:", "style=", "vbscript:"] {
            assert!(
                !tag.contains(bad),
                "payload {payload:?} left {bad:?} in tag {tag:?}"
            );
        }
        rest = &rest[end..];
    }
}

#[tokio::test]
async fn xss_payloads_never_survive() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    let r = c
        .post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "<script>alert('title')</script>", "body": XSS[0]}))
        .send()
        .await
        .unwrap();
    let tid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for p in XSS {
        let r = c
            .post(format!("{}/api/v1/threads/{tid}/messages", app.base))
            .header("authorization", &auth)
            .json(&json!({"body": p}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let v: Value = reqwest::get(format!("{}/api/v1/threads/{tid}", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = v["messages"]["items"].as_array().unwrap();
    assert_eq!(items.len(), XSS.len() + 1);
    for (m, p) in items.iter().skip(1).zip(XSS) {
        assert_clean(m["body_html"].as_str().unwrap(), p);
    }
    let page = reqwest::get(format!("{}/threads/{tid}", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The page's own script tag is the only one.
    assert_eq!(page.matches("<script").count(), 1, "only /assets/parvis.js");
    let without_own = page.replace("<script src=\"/assets/parvis.js\" defer></script>", "");
    assert_clean(&without_own, "page");
    assert!(
        page.contains("&lt;script&gt;alert("),
        "the title is shown escaped"
    );
}

#[tokio::test]
async fn pages_speak_french_and_english() {
    let app = spawn_app().await;
    let c = client();
    let fr = c
        .get(format!("{}/signin", app.base))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fr.contains("Se connecter") && fr.contains("lang=\"fr\""));
    let en = c
        .get(format!("{}/signin", app.base))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Sign in") && en.contains("lang=\"en\""));
    // The switch sets a cookie that wins over Accept-Language.
    let r = c
        .get(format!("{}/lang/en?next=/members", app.base))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/members");
    let page = c
        .get(format!("{}/members", app.base))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Members"));
    let missing = c
        .get(format!("{}/s/nowhere", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn admin_manages_roles_and_members_manage_consents() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    let r = c.post(format!("{}/api/v1/invitations", app.base)).header("authorization", &auth)
        .json(&json!({"email": "paul@partner.example", "display_name": "Paul", "ecosystem_role": "partner", "organisation": "Partner SA"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c
        .put(format!("{}/api/v1/members/paul/role", app.base))
        .header("authorization", &auth)
        .json(&json!({"role": "moderator"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["site_role"], "moderator");
    let r = c
        .put(format!("{}/api/v1/members/camille/role", app.base))
        .header("authorization", &auth)
        .json(&json!({"role": "member"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "the admin cannot demote themself"
    );
    let r = c
        .put(format!("{}/api/v1/me/consents", app.base))
        .header("authorization", &auth)
        .json(&json!({"kind": "contact", "granted": true}))
        .send()
        .await
        .unwrap();
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["consents"][0]["kind"], "contact");
    assert_eq!(me["consents"][0]["granted"], true);
    assert!(me["consents"][0]["updated_at"].as_i64().unwrap() > 0);
    let r = c
        .post(format!("{}/api/v1/me/identities", app.base))
        .header("authorization", &auth)
        .json(&json!({"network": "mastodon", "handle": "@camille@social.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Visitors see the public profile only: no identity, no e-mail, no consent
    // (docs/PRIVACY.md).
    let public: Value = reqwest::get(format!("{}/api/v1/members/camille", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["identities"], json!([]));
    assert!(public.get("email").is_none());
    assert_eq!(public["consents"], json!([]));
    // A signed-in member sees the identities Camille agreed to be contacted through, never
    // her address.
    let (paul, _) = privacy::member_session(&app, "paul").await;
    let seen: Value = paul
        .get(format!("{}/api/v1/members/camille", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["identities"][0]["network"], "mastodon");
    assert!(seen.get("email").is_none());
    assert_eq!(seen["consents"], json!([]));
    let list: Value = reqwest::get(format!("{}/api/v1/members?q=partner&per_page=1", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["handle"], "paul");
}

#[tokio::test]
async fn admins_import_by_upload_review_identities_and_see_topic_activity() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    c.post(format!("{}/api/v1/spaces/forum/topics", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Salons", "keywords": ["salon"]}))
        .send()
        .await
        .unwrap();
    let export = concat!(
        r#"{"channel":"email","id":"<1@acme.fr>","thread_title":"Le salon de mars","author":{"handle":"paul.martin@acme.fr","name":"Paul Martin","email":"paul.martin@acme.fr"},"created_at":"2026-03-01T10:00:00Z","text":"Qui vient au salon ?"}"#,
        "\n",
        r#"{"channel":"forum","id":"f1","thread_title":"Salon","author":{"handle":"pm","name":"Paul Martin","email":"pm@acme.fr"},"created_at":"2026-04-01T10:00:00Z","text":"Le salon était bien"}"#,
        "\n",
    );
    // Members cannot import.
    let r = c
        .post(format!(
            "{}/api/v1/spaces/forum/imports?format=jsonl",
            app.base
        ))
        .body(export)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(format!(
            "{}/api/v1/spaces/forum/imports?format=nope",
            app.base
        ))
        .header("authorization", &auth)
        .body(export)
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("format"))
    );
    let r = c
        .post(format!(
            "{}/api/v1/spaces/forum/imports?format=jsonl",
            app.base
        ))
        .header("authorization", &auth)
        .body(export)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let sum: Value = r.json().await.unwrap();
    assert_eq!(
        (
            sum["messages_created"].as_u64(),
            sum["merges_proposed"].as_u64()
        ),
        (Some(2), Some(1))
    );

    let activity: Value = reqwest::get(format!(
        "{}/api/v1/spaces/forum/activity?bucket=month",
        app.base
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(activity["labels"], json!(["2026-03", "2026-04"]));
    assert_eq!(activity["topics"][0]["channels"]["email"], json!([1, 0]));
    assert_eq!(activity["topics"][0]["channels"]["forum"], json!([0, 1]));
    // Asked for no bucket, a few weeks of history are counted per week, not in two bars.
    let activity: Value = reqwest::get(format!("{}/api/v1/spaces/forum/activity", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(activity["bucket"], "week");
    assert!(
        activity["labels"].as_array().unwrap().len() > 2,
        "{activity}"
    );
    // A period that is not one is refused, naming the parameter.
    let r = reqwest::get(format!(
        "{}/api/v1/spaces/forum/activity?period=yesterday",
        app.base
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("period"));
    let page = reqwest::get(format!("{}/s/forum/activity", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<svg class=\"chart\""),
        "the activity page draws a chart"
    );
    // A topic declared after the import finds the conversations already there (tagged in the
    // background: the creation answers at once).
    let r = c
        .post(format!("{}/api/v1/spaces/forum/topics", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Mars", "keywords": ["mars"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut mars = Value::Null;
    for _ in 0..100 {
        let activity: Value = reqwest::get(format!(
            "{}/api/v1/spaces/forum/activity?bucket=month",
            app.base
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        mars = activity["topics"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["topic"]["slug"] == "mars").cloned())
            .unwrap_or(Value::Null);
        if mars["total"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(mars["channels"]["email"], json!([1, 0]), "{mars}");

    // The review page shows the proposal; accepting merges, undoing restores.
    let (session, _) = admin_session(&app).await;
    let review = session
        .get(format!("{}/admin/identities", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        review.contains("acme.fr") && review.contains("/accept"),
        "the proposal is listed"
    );
    let props: Value = c
        .get(format!("{}/api/v1/admin/merge-proposals", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = props["items"][0]["id"].as_i64().unwrap();
    let r: Value = c
        .post(format!(
            "{}/api/v1/admin/merge-proposals/{id}/accept",
            app.base
        ))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let merge = r["merge_id"].as_i64().unwrap();
    let paul: Value = reqwest::get(format!("{}/api/v1/members?q=paul", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paul["total"], 1);
    assert_eq!(paul["items"][0]["message_count"], 2);
    let r = c
        .post(format!("{}/api/v1/admin/merges/{merge}/undo", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let paul: Value = reqwest::get(format!("{}/api/v1/members?q=paul", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paul["total"], 2);
    // The import form page renders for admins.
    let form = session
        .get(format!("{}/admin/import", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("multipart/form-data") && form.contains("mbox"));
}

#[tokio::test]
async fn cached_thread_pages_follow_profile_changes() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    let t: Value = c
        .post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Cache", "body": "x"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = format!("{}/api/v1/threads/{}", app.base, t["id"]);
    let before: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(before["thread"]["author"]["display_name"], "Camille Admin");
    c.patch(format!("{}/api/v1/me", app.base))
        .header("authorization", &auth)
        .json(&json!({"display_name": "Camille Martin", "ecosystem_role": "employee"}))
        .send()
        .await
        .unwrap();
    let after: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(after["thread"]["author"]["display_name"], "Camille Martin");
    assert_eq!(
        after["messages"]["items"][0]["author"]["display_name"],
        "Camille Martin"
    );
}

#[tokio::test]
async fn opinion_map_statements_votes_and_moderation() {
    on_both(|app| async move {
        let token = admin_token(&app).await;
        let auth = format!("Bearer {token}");
        let c = client();
        c.post(format!("{}/api/v1/spaces", app.base))
            .header("authorization", &auth)
            .json(&json!({"slug": "forum", "name": "Forum"}))
            .send()
            .await
            .unwrap();
        c.post(format!("{}/api/v1/spaces/forum/topics", app.base))
            .header("authorization", &auth)
            .json(&json!({"title": "Salons", "slug": "salons"}))
            .send()
            .await
            .unwrap();
        let base = format!("{}/api/v1/spaces/forum/topics/salons", app.base);
        // The admin (a moderator) adds statements: accepted at once.
        let mut ids = Vec::new();
        for text in [
            "Les salons physiques restent indispensables",
            "Les webinaires suffisent",
            "Il faut mesurer les leads",
            "Le ROI d'un salon est mesurable",
        ] {
            let r = c
                .post(format!("{base}/statements"))
                .header("authorization", &auth)
                .json(&json!({"body": text}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            let s: Value = r.json().await.unwrap();
            assert_eq!(s["status"], "accepted");
            ids.push(s["id"].as_i64().unwrap());
        }
        let r = c
            .post(format!("{base}/statements"))
            .header("authorization", &auth)
            .json(&json!({"body": "x".repeat(300)}))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r).await.1["field"], "body");
        // Twelve voters in two camps (imported votes are the usual way to get many voters;
        // here the store is written directly, as `parvis opinion import` does).
        let rows: Vec<parvis_store::VoteRow> = (0..12)
            .flat_map(|v| {
                let camp = if v < 6 { 1 } else { -1 };
                ids.iter()
                    .enumerate()
                    .map(move |(i, id)| parvis_store::VoteRow {
                        statement_id: *id,
                        voter: format!("polis:{v}"),
                        value: if i % 2 == 0 { camp } else { -camp },
                        created_at: 1_000 + i as i64,
                    })
            })
            .collect();
        app.store.vote_many(&rows).await.unwrap();
        // The admin votes through the API; the next statement changes after each vote.
        let first: Value = c
            .get(format!("{base}/next-statement"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = c
            .post(format!(
                "{}/api/v1/statements/{}/votes",
                app.base, first["id"]
            ))
            .header("authorization", &auth)
            .json(&json!({"value": "agree"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let second: Value = c
            .get(format!("{base}/next-statement"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_ne!(first["id"], second["id"]);
        let r = c
            .post(format!(
                "{}/api/v1/statements/{}/votes",
                app.base, second["id"]
            ))
            .header("authorization", &auth)
            .json(&json!({"value": "maybe"}))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(r).await.1["field"], "value");

        // The map is recomputed at most once a second after votes: wait past that.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let map: Value = reqwest::get(format!("{base}/opinion"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            map["n_participants"], 13,
            "the twelve imported voters and the admin"
        );
        let groups = map["groups"].as_array().unwrap();
        assert!(
            groups.len() >= 2,
            "two camps give two groups: {}",
            map["groups"]
        );
        assert!(!map.to_string().contains("NaN"));
        // The page shows the map and groups; the CSV export has a row per statement.
        let page = reqwest::get(format!("{}/s/forum/t/salons/opinion", app.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("opinion-map")
                && page.contains("Les salons physiques restent indispensables")
        );
        let csv = reqwest::get(format!("{}/s/forum/t/salons/opinion.csv", app.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(csv.lines().count() >= 5, "{csv}");

        // A member's statement waits for moderation; voting on it is refused until accepted.
        c.post(format!("{}/api/v1/invitations", app.base))
            .header("authorization", &auth)
            .json(&json!({"email": "lea@client.example", "display_name": "Léa"}))
            .send()
            .await
            .unwrap();
        let lea = client();
        confirm_sign_in(&lea, &wait_for_link(&app.mails, 1).await).await;
        let csrf = me_csrf(&lea, &app).await;
        let r = lea
            .post(format!("{base}/statements"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"body": "Les salons coûtent trop cher"}))
            .send()
            .await
            .unwrap();
        let pending: Value = r.json().await.unwrap();
        assert_eq!(pending["status"], "pending");
        let r = lea
            .post(format!(
                "{}/api/v1/statements/{}/votes",
                app.base, pending["id"]
            ))
            .header("x-csrf-token", &csrf)
            .json(&json!({"value": "agree"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = lea
            .put(format!(
                "{}/api/v1/statements/{}/status",
                app.base, pending["id"]
            ))
            .header("x-csrf-token", &csrf)
            .json(&json!({"status": "accepted"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "members do not moderate");
        let r = c
            .put(format!(
                "{}/api/v1/statements/{}/status",
                app.base, pending["id"]
            ))
            .header("authorization", &auth)
            .json(&json!({"status": "accepted"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = lea
            .post(format!(
                "{}/api/v1/statements/{}/votes",
                app.base, pending["id"]
            ))
            .header("x-csrf-token", &csrf)
            .json(&json!({"value": "agree"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    })
    .await;
}

#[tokio::test]
async fn search_finds_french_and_english_with_filters_and_survives_bad_queries() {
    on_both(|app| async move {
        let token = admin_token(&app).await;
        let auth = format!("Bearer {token}");
        let c = client();
        c.post(format!("{}/api/v1/spaces", app.base))
            .header("authorization", &auth)
            .json(&json!({"slug": "forum", "name": "Forum"}))
            .send()
            .await
            .unwrap();
        c.post(format!("{}/api/v1/spaces/forum/topics", app.base))
            .header("authorization", &auth)
            .json(&json!({"title": "Salons", "slug": "salons"}))
            .send()
            .await
            .unwrap();
        for (title, body, topic) in [
            (
                "Nos événements de printemps",
                "Les **événements** en salle attirent les décideurs.",
                Some("salons"),
            ),
            (
                "Running a webinar",
                "We are running webinars for partners <script>alert(1)</script>",
                None,
            ),
            ("Mesure", "Le retour sur investissement reste flou.", None),
        ] {
            let mut b = json!({"title": title, "body": body});
            if let Some(t) = topic {
                b["topic"] = json!(t);
            }
            c.post(format!("{}/api/v1/spaces/forum/threads", app.base))
                .header("authorization", &auth)
                .json(&b)
                .send()
                .await
                .unwrap();
        }
        assert!(app.services.index_pass(0).await.unwrap() >= 3);
        let search = |q: &str| {
            let url = format!("{}/api/v1/spaces/forum/search?{q}", app.base);
            async move { reqwest::get(url).await.unwrap() }
        };
        let v: Value = search("q=evenement").await.json().await.unwrap();
        assert_eq!(v["total"], 1, "accents and plurals folded: {v}");
        assert!(
            v["hits"][0]["snippet_html"]
                .as_str()
                .unwrap()
                .contains("<mark>")
        );
        let v: Value = search("q=run").await.json().await.unwrap();
        assert_eq!(v["total"], 1, "English stemming: {v}");
        assert!(
            !v["hits"][0]["snippet_html"]
                .as_str()
                .unwrap()
                .contains("<script")
        );
        let v: Value = search("q=%22retour+sur+investissement%22")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["total"], 1);
        let v: Value = search("q=salle&topic=salons").await.json().await.unwrap();
        assert_eq!(v["total"], 1);
        let v: Value = search("q=salle&channel=email").await.json().await.unwrap();
        assert_eq!(v["total"], 0);
        let v: Value = search("q=salle&from=2000-01-01&to=2001-01-01")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["total"], 0);
        for nasty in [
            "q=%22unbalanced",
            "q=AND+OR+NOT",
            "q=***",
            "q=-",
            &format!("q={}", "a".repeat(5000)),
            "q=",
            "q=(((",
        ] {
            let r = search(nasty).await;
            assert_eq!(r.status(), StatusCode::OK, "{nasty}");
        }
        let r = search("q=x&from=yesterday").await;
        let (s, p) = problem(r).await;
        assert_eq!(
            (s, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
        );
        // New messages are found after the next indexing pass.
        let t: Value = c
            .get(format!("{}/api/v1/spaces/forum/threads", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tid = t["items"][0]["id"].as_i64().unwrap();
        c.post(format!("{}/api/v1/threads/{tid}/messages", app.base))
            .header("authorization", &auth)
            .json(&json!({"body": "Témoignage client enthousiaste"}))
            .send()
            .await
            .unwrap();
        app.services.index_pass(0).await.unwrap();
        let v: Value = search("q=temoignages").await.json().await.unwrap();
        assert_eq!(v["total"], 1);
        let page = reqwest::get(format!("{}/s/forum/search?q=evenement", app.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("<mark>"), "the search page highlights");
        // One match reads in the singular, in each language's own rule.
        assert!(page.contains("1 résultat dans 1 discussion<"), "{page}");
        let page = client()
            .get(format!("{}/s/forum/search?q=evenement", app.base))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("1 result in 1 thread<"), "{page}");
        // What the search says about a query is in the reader's language.
        let page = reqwest::get(format!("{}/s/forum/search?q=%22salle", app.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("guillemet sans son pendant"), "{page}");
        assert!(!page.contains("unbalanced quote"), "{page}");
        let v: Value = search("q=%22salle").await.json().await.unwrap();
        assert_eq!(v["notices"], json!(["unbalanced_quote"]), "{v}");
    })
    .await;
}

#[tokio::test]
async fn feed_explains_itself_learns_from_feedback_and_names_peers() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    for (title, slug) in [("Salons", "salons"), ("Mesure", "mesure")] {
        c.post(format!("{}/api/v1/spaces/forum/topics", app.base))
            .header("authorization", &auth)
            .json(&json!({"title": title, "slug": slug}))
            .send()
            .await
            .unwrap();
    }
    // A second member, Léa, who writes about trade fairs like the admin.
    c.post(format!("{}/api/v1/invitations", app.base))
        .header("authorization", &auth)
        .json(&json!({"email": "lea@client.example", "display_name": "Léa Martin"}))
        .send()
        .await
        .unwrap();
    let lea = client();
    confirm_sign_in(&lea, &wait_for_link(&app.mails, 1).await).await;
    let lea_csrf = me_csrf(&lea, &app).await;
    // A brand-new member gets a starter feed, and the page says so.
    let v: Value = lea
        .get(format!("{}/api/v1/spaces/forum/feed", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["starter"], true);
    let mut ids = Vec::new();
    for (title, body, topic) in [
        (
            "Salon de Lyon : stands et rendez-vous",
            "Organiser les rendez-vous sur le stand du salon de Lyon",
            "salons",
        ),
        (
            "Salon de Paris : bilan des stands",
            "Les stands du salon de Paris ont attiré des décideurs",
            "salons",
        ),
        (
            "Mesurer le ROI des webinaires",
            "Comment mesurer le retour sur investissement des webinaires ?",
            "mesure",
        ),
        (
            "Tableau de bord des leads",
            "Un tableau de bord pour mesurer les leads et le retour sur investissement",
            "mesure",
        ),
    ] {
        let t: Value = c
            .post(format!("{}/api/v1/spaces/forum/threads", app.base))
            .header("authorization", &auth)
            .json(&json!({"title": title, "body": body, "topic": topic}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(t["id"].as_i64().unwrap());
    }
    // Léa replies in the Lyon thread about stands.
    lea.post(format!("{}/api/v1/threads/{}/messages", app.base, ids[0]))
        .header("x-csrf-token", &lea_csrf)
        .json(&json!({"body": "Nous aurons un stand au salon, je propose des rendez-vous"}))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await; // past the engine's refresh period
    let v: Value = lea
        .get(format!("{}/api/v1/spaces/forum/feed", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["starter"], false);
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| !i["reasons"].as_array().unwrap().is_empty()),
        "every item says why: {v}"
    );
    let pos = |v: &Value, id: i64| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .position(|i| i["thread"]["id"] == id)
    };
    let paris = pos(&v, ids[1]).expect("the other trade-fair thread is in the feed");
    if let Some(roi) = pos(&v, ids[2]) {
        assert!(
            paris < roi,
            "trade fairs come before webinars for someone who talks about stands"
        );
    }
    // "Not interested" removes the thread; muting a topic removes its threads.
    let r = lea
        .post(format!("{}/api/v1/spaces/forum/feed/feedback", app.base))
        .header("x-csrf-token", &lea_csrf)
        .json(&json!({"kind": "not_interested", "target": ids[1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let v: Value = lea
        .get(format!("{}/api/v1/spaces/forum/feed", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(pos(&v, ids[1]).is_none(), "not interested: gone");
    let mesure: Value = c
        .get(format!("{}/api/v1/spaces/forum/topics", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mesure_id = mesure["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "mesure")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    lea.post(format!("{}/api/v1/spaces/forum/feed/feedback", app.base))
        .header("x-csrf-token", &lea_csrf)
        .json(&json!({"kind": "mute_topic", "target": mesure_id}))
        .send()
        .await
        .unwrap();
    let v: Value = lea
        .get(format!("{}/api/v1/spaces/forum/feed", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        pos(&v, ids[2]).is_none() && pos(&v, ids[3]).is_none(),
        "muted topic: gone: {v}"
    );
    // The page says what is muted and undoes it in one click; counts agree with their word.
    let page = lea
        .get(format!("{}/s/forum/feed", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Sujets masqués de votre fil") && page.contains("#mesure"),
        "{page}"
    );
    assert!(page.contains("Afficher à nouveau"), "{page}");
    assert!(!page.contains(" 1 messages"), "{page}");
    let r = lea
        .post(format!("{}/s/forum/feed/feedback", app.base))
        .form(&[
            ("csrf", lea_csrf.as_str()),
            ("kind", "mute_topic"),
            ("target", &mesure_id.to_string()),
            ("on", "false"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = lea
        .get(format!("{}/s/forum/feed", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Sujets masqués de votre fil"), "{page}");
    assert!(
        page.contains("Mesurer le ROI des webinaires"),
        "shown again: {page}"
    );
    let v: Value = lea
        .get(format!("{}/api/v1/spaces/forum/feed", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(pos(&v, ids[2]).is_some(), "unmuted topic: back: {v}");
    // Peers: the admin, who also writes about stands and fairs, with the shared subjects named.
    let p: Value = lea
        .get(format!("{}/api/v1/spaces/forum/peers", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &p["items"][0];
    assert_eq!(first["member"]["handle"], "camille", "{p}");
    assert!(!first["shared_subjects"].as_array().unwrap().is_empty());
    let page = lea
        .get(format!("{}/s/forum/feed", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Camille Admin") && page.contains("Pas intéressé"));
    // Anonymous visitors are sent to sign in.
    let r = client()
        .get(format!("{}/api/v1/spaces/forum/feed", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn warm_introductions_go_through_consenting_people_who_accept_or_decline() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    // Léa (customer) knows Camille (the admin); Camille knows Victor, a prospect's CEO.
    let mut clients = Vec::new();
    for (i, (email, name)) in [
        ("lea@client.example", "Léa Martin"),
        ("victor@prospect.example", "Victor Dirigeant"),
    ]
    .iter()
    .enumerate()
    {
        c.post(format!("{}/api/v1/invitations", app.base))
            .header("authorization", &auth)
            .json(&json!({"email": email, "display_name": name}))
            .send()
            .await
            .unwrap();
        let m = client();
        confirm_sign_in(&m, &wait_for_link(&app.mails, i + 1).await).await;
        let csrf = me_csrf(&m, &app).await;
        clients.push((m, csrf));
    }
    let post = |cl: &reqwest::Client, csrf: Option<&str>, url: String, body: Value| {
        let mut r = cl.post(url).json(&body);
        r = match csrf {
            Some(t) => r.header("x-csrf-token", t),
            None => r.header("authorization", &auth),
        };
        r.send()
    };
    let t1: Value = post(
        &c,
        None,
        format!("{}/api/v1/spaces/forum/threads", app.base),
        json!({"title": "Salon", "body": "Qui vient ?"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let t2: Value = post(
        &c,
        None,
        format!("{}/api/v1/spaces/forum/threads", app.base),
        json!({"title": "Stratégie", "body": "Vos priorités ?"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let (lea, lea_csrf) = &clients[0];
    let (victor, victor_csrf) = &clients[1];
    post(
        lea,
        Some(lea_csrf),
        format!("{}/api/v1/threads/{}/messages", app.base, t1["id"]),
        json!({"body": "Moi !"}),
    )
    .await
    .unwrap();
    post(
        victor,
        Some(victor_csrf),
        format!("{}/api/v1/threads/{}/messages", app.base, t2["id"]),
        json!({"body": "La croissance"}),
    )
    .await
    .unwrap();

    // Camille has not consented to be contacted yet: no path.
    let paths: Value = lea
        .get(format!("{}/api/v1/members/victor/intro-paths", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        paths["items"],
        json!([]),
        "no path through someone who did not consent"
    );
    c.put(format!("{}/api/v1/me/consents", app.base))
        .header("authorization", &auth)
        .json(&json!({"kind": "contact", "granted": true}))
        .send()
        .await
        .unwrap();
    let paths: Value = lea
        .get(format!("{}/api/v1/members/victor/intro-paths", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let chain: Vec<&str> = paths["items"][0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["handle"].as_str().unwrap())
        .collect();
    assert_eq!(chain, ["lea", "camille", "victor"], "{paths}");
    assert!(
        paths["items"][0]["hops"][0]["replies"].as_u64().unwrap() >= 1,
        "the hop is explained by real replies"
    );
    // The profile page offers to ask Camille.
    let page = lea
        .get(format!("{}/members/victor", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Camille Admin") && page.contains("/members/victor/intro"));

    let r = post(lea, Some(lea_csrf), format!("{}/api/v1/intro-requests", app.base), json!({"target": "victor", "intermediary": "camille", "message": "Pour parler de son projet"})).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let req: Value = r.json().await.unwrap();
    assert_eq!(req["request"]["status"], "pending");
    // Victor has not consented: he cannot be used as an intermediary.
    let r = post(
        lea,
        Some(lea_csrf),
        format!("{}/api/v1/intro-requests", app.base),
        json!({"target": "camille", "intermediary": "victor", "message": "x"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Only the intermediary decides.
    let id = req["request"]["id"].as_i64().unwrap();
    let r = post(
        lea,
        Some(lea_csrf),
        format!("{}/api/v1/intro-requests/{id}/accept", app.base),
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let mine: Value = c
        .get(format!("{}/api/v1/me/intro-requests", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"][0]["requester"]["handle"], "lea");
    let r: Value = post(
        &c,
        None,
        format!("{}/api/v1/intro-requests/{id}/accept", app.base),
        json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(r["request"]["status"], "accepted");
    let lea_view: Value = lea
        .get(format!("{}/api/v1/me/intro-requests", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(lea_view["items"][0]["request"]["status"], "accepted");
}

#[tokio::test]
async fn matchmaking_respects_constraints_and_explains_meetings() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    let mut handles = vec!["camille".to_string()];
    for i in 0..7 {
        let m: Value = c.post(format!("{}/api/v1/invitations", app.base)).header("authorization", &auth)
            .json(&json!({"email": format!("p{i}@x.example"), "display_name": format!("Personne {i}")})).send().await.unwrap().json().await.unwrap();
        handles.push(m["handle"].as_str().unwrap().to_string());
    }
    let plan = |body: Value| {
        let c = c.clone();
        let url = format!("{}/api/v1/spaces/forum/matchmaking", app.base);
        let auth = auth.clone();
        async move {
            c.post(url)
                .header("authorization", auth)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = plan(json!({"participants": handles, "format": "pairs", "slots": 2, "do_not_match": [handles[1]], "already_met": [[handles[2], handles[3]]]})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let slots = v["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 2);
    for slot in slots {
        let mut seen = std::collections::HashSet::new();
        for m in slot["meetings"].as_array().unwrap() {
            let hs: Vec<&str> = m["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["handle"].as_str().unwrap())
                .collect();
            assert_eq!(hs.len(), 2);
            assert!(
                !hs.contains(&handles[1].as_str()),
                "do-not-match is respected"
            );
            assert!(
                !(hs.contains(&handles[2].as_str()) && hs.contains(&handles[3].as_str())),
                "already met"
            );
            for h in hs {
                assert!(
                    seen.insert(h.to_string()),
                    "one meeting per person per slot"
                );
            }
        }
    }
    let v: Value = plan(json!({"participants": handles, "format": "tables"}))
        .await
        .json()
        .await
        .unwrap();
    for m in v["slots"][0]["meetings"].as_array().unwrap() {
        let n = m["members"].as_array().unwrap().len();
        assert!((4..=6).contains(&n), "tables of 4 to 6: {n}");
    }
    let r = plan(json!({"participants": ["ghost"], "format": "pairs"})).await;
    assert_eq!(problem(r).await.1["field"], "participants");
    let r = plan(json!({"participants": handles, "format": "dance"})).await;
    assert_eq!(problem(r).await.1["field"], "format");
}

/// Personal data: the audit of every page and API response (docs/PRIVACY.md).
#[path = "http/privacy.rs"]
mod privacy;

#[path = "http/content_kept_pages.rs"]
mod content_kept_pages;

#[path = "http/pages_anonymous.rs"]
mod pages_anonymous;

/// A kept thread page is answered in front of the router: the same bytes and headers.
#[path = "http/hot_reads.rs"]
mod hot_reads;

/// Every answer under /api/ that is an error is problem+json with a stable code, whatever
/// refused the request: the query string, the path, the body, the router.
#[tokio::test]
async fn every_api_error_is_a_problem_with_its_code() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    let get = |path: &str| c.get(format!("{}{path}", app.base)).send();
    // Malformed and out-of-range query strings name the parameter.
    for (path, field) in [
        ("/api/v1/members?per_page=null", "per_page"),
        ("/api/v1/members?page=abc", "page"),
        ("/api/v1/members?page=0", "page"),
        ("/api/v1/members?per_page=0", "per_page"),
        ("/api/v1/members?per_page=201", "per_page"),
        ("/api/v1/spaces/forum/threads?page=0&per_page=0", "page"),
        ("/api/v1/spaces/forum/search?q=x&per_page=-1", "per_page"),
        ("/api/v1/threads/abc", "id"),
        ("/api/v1/threads/99999999999999999999", "id"),
    ] {
        let (s, p) = problem(get(path).await.unwrap()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {p}");
        assert_eq!(p["code"], "bad_request", "{path}");
        assert_eq!(p["field"], field, "{path}: {p}");
    }
    // Unknown paths, under /api/v1 and beside it, and wrong methods.
    for path in ["/api/v1/nope", "/api/v2/spaces", "/api/nope"] {
        let (s, p) = problem(get(path).await.unwrap()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(p["code"], "not_found");
    }
    let r = c
        .delete(format!("{}/api/v1/spaces", app.base))
        .send()
        .await
        .unwrap();
    let allow = r
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string());
    let (s, p) = problem(r).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(p["code"], "method_not_allowed");
    assert!(
        allow.unwrap_or_default().contains("GET"),
        "405 says what is allowed"
    );
    // Bodies: wrong type, too large, not JSON.
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .header("content-type", "text/plain")
        .body("slug=x")
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(p["code"], "unsupported_media_type");
    let big = format!(
        r#"{{"title": "t", "body": "{}"}}"#,
        "a".repeat(3 * 1024 * 1024)
    );
    let r = c
        .post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{p}");
    assert_eq!(p["code"], "payload_too_large");
    let r = c
        .post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.0, StatusCode::BAD_REQUEST);
    // An array is not an object, even where every field is optional (found by the fuzzer:
    // `[]` saved the embed settings as if every field had been left empty).
    let r = c
        .put(format!("{}/api/v1/spaces/forum/embed", app.base))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("JSON object"), "{p}");
    // The document says all this, operation by operation.
    let doc: Value = get("/api/openapi.json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let op = &doc["paths"]["/api/v1/spaces/{space}/threads"]["post"]["responses"];
    for status in ["400", "401", "403", "404", "413", "415", "422", "503"] {
        assert_eq!(
            op[status]["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem",
            "POST threads documents {status}"
        );
    }
    let members = &doc["paths"]["/api/v1/members"]["get"]["parameters"];
    let per_page = members
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .unwrap();
    assert_eq!(per_page["schema"]["minimum"], 1);
    assert_eq!(per_page["schema"]["maximum"], 200);
}

/// The document and the router agree: every method of every documented path is served,
/// every other method answers 405, so no route can be served without being documented.
#[tokio::test]
async fn every_route_served_under_api_is_documented_with_its_methods() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = client();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 42, "{} paths", paths.len());
    for (path, ops) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        let url = format!(
            "{}{}",
            app.base,
            path.replace("{space}", "nope")
                .replace("{topic}", "nope")
                .replace("{id}", "1")
                .replace("{handle}", "nope")
                .replace("{kind}", "like")
        );
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let documented = ops.get(method.to_lowercase()).is_some();
            let r = c
                .request(method.parse().unwrap(), &url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            if documented {
                assert!(
                    status != StatusCode::METHOD_NOT_ALLOWED && !text.contains("no such API route"),
                    "{method} {path} is documented but not served ({status})"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is served but not documented"
                );
            }
        }
    }
}

/// `PATCH /api/v1/me` changes only what it is given.
#[tokio::test]
async fn patch_me_keeps_the_fields_it_is_not_given() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", admin_token(&app).await);
    let c = client();
    let r = c
        .patch(format!("{}/api/v1/me", app.base))
        .header("authorization", &auth)
        .json(&json!({"display_name": "Camille M.", "ecosystem_role": "partner", "organisation": "Novéa", "bio": "Runs the forum."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .patch(format!("{}/api/v1/me", app.base))
        .header("authorization", &auth)
        .json(&json!({"bio": "Runs the forum and the meetups."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["bio"], "Runs the forum and the meetups.");
    assert_eq!(me["display_name"], "Camille M.");
    assert_eq!(me["ecosystem_role"], "partner");
    assert_eq!(me["organisation"], "Novéa");
    // An empty change changes nothing.
    let r = c
        .patch(format!("{}/api/v1/me", app.base))
        .header("authorization", &auth)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["display_name"], "Camille M.");
    assert_eq!(me["bio"], "Runs the forum and the meetups.");
}

/// Behind https, browsers are told to stay on https (HSTS); on plain http, not.
#[tokio::test]
async fn hsts_when_the_public_url_is_https() {
    let plain = spawn_app().await;
    let r = reqwest::get(format!("{}/", plain.base)).await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
    let https = spawn_app_with(
        None,
        parvis_web::WebConfig {
            secure_cookies: true,
            ..Default::default()
        },
    )
    .await;
    for path in ["/", "/api/v1/spaces", "/api/v1/nope"] {
        let r = reqwest::get(format!("{}{path}", https.base)).await.unwrap();
        let hsts = r
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(hsts.starts_with("max-age="), "{path}: {hsts:?}");
    }
}

/// A password attempt for the admin from `from` (an address a trusted proxy reports).
async fn try_password(app: &App, from: &str, password: &str) -> StatusCode {
    client()
        .post(format!("{}/api/v1/auth/password", app.base))
        .header("x-forwarded-for", from)
        .json(&json!({"email": "camille@novea.example", "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn behind_trusted_proxy() -> App {
    spawn_app_with(
        None,
        parvis_web::WebConfig {
            trusted_proxies: parvis_web::TrustedProxies::parse("127.0.0.1/32").unwrap(),
            ..Default::default()
        },
    )
    .await
}

/// An attacker guessing the owner's password from elsewhere does not lock the owner out:
/// the owner's own address keeps its budget, and when a spread-out attack exhausts the
/// address's password budget, a sign-in link still gets the owner in.
#[tokio::test]
async fn an_attacker_elsewhere_does_not_lock_the_owner_out() {
    let app = behind_trusted_proxy().await;
    let mut refused = 0;
    for _ in 0..12 {
        if try_password(&app, "198.51.100.66", "wrong password!").await
            == StatusCode::TOO_MANY_REQUESTS
        {
            refused += 1;
        }
    }
    assert_eq!(
        refused, 7,
        "5 failures, then the attacker's address backs off"
    );
    assert_eq!(
        try_password(&app, "203.0.113.5", ADMIN_PASSWORD).await,
        StatusCode::OK,
        "the owner, from their own address, signs in"
    );
    // A campaign over many addresses reaches the address's budget for passwords…
    for i in 0..20 {
        for _ in 0..5 {
            try_password(&app, &format!("192.0.2.{i}"), "wrong password!").await;
        }
    }
    let r = client()
        .post(format!("{}/api/v1/auth/password", app.base))
        .header("x-forwarded-for", "203.0.113.5")
        .json(&json!({"email": "camille@novea.example", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(p["code"], "rate_limited");
    // …but not for sign-in links: the owner asks for one and it works.
    let c = client();
    let r = c
        .post(format!("{}/api/v1/auth/link", app.base))
        .header("x-forwarded-for", "203.0.113.5")
        .json(&json!({"email": "camille@novea.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let link = wait_for_link(&app.mails, 1).await;
    assert_eq!(
        confirm_sign_in(&c, &link).await.status(),
        StatusCode::SEE_OTHER
    );
    let me = c
        .get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

/// Successful sign-ins never count against anyone.
#[tokio::test]
async fn successful_sign_ins_do_not_count() {
    let app = spawn_app().await;
    for i in 0..35 {
        let r = client()
            .post(format!("{}/api/v1/auth/password", app.base))
            .json(&json!({"email": "camille@novea.example", "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "sign-in {i}");
    }
}

/// `X-Forwarded-For` is believed only from a trusted proxy: otherwise anyone could pick a
/// fresh address for each guess.
#[tokio::test]
async fn the_proxy_header_is_ignored_unless_the_proxy_is_trusted() {
    let direct = spawn_app().await;
    let mut last = StatusCode::OK;
    for i in 0..6 {
        last = try_password(&direct, &format!("192.0.2.{i}"), "wrong password!").await;
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "the header changed nothing"
    );
    let proxied = behind_trusted_proxy().await;
    for i in 0..6 {
        let s = try_password(&proxied, &format!("192.0.2.{i}"), "wrong password!").await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "each client has its own budget"
        );
    }
}

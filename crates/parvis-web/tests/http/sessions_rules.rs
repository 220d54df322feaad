//! The rules a session keeps, refused with the field named in the API and said in French and
//! English on the forms: a webcast needs its access code, the capacity cannot drop below the
//! seats already taken, and nobody registers once the session has begun.

use super::sessions::{form_csrf, local_in_days, session_body, setup, visitor_registers};
use super::sessions_report::move_to_past;
use super::*;

async fn create(app: &App, auth: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", auth)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn edit(app: &App, auth: &str, id: i64, body: &Value) -> reqwest::Response {
    client()
        .put(format!("{}/api/v1/sessions/{id}", app.base))
        .header("authorization", auth)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn created_id(r: reqwest::Response) -> i64 {
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap()
}

fn webcast(code: Option<&str>) -> Value {
    let mut body = session_body(None);
    body["mode"] = json!("webcast");
    body["place"] = json!("");
    if let Some(code) = code {
        body["access_code"] = json!(code);
    }
    body
}

/// GET a page as the signed-in admin in `lang`; its html.
async fn page(c: &reqwest::Client, app: &App, path: &str, lang: &str) -> String {
    let r = c
        .get(format!("{}{path}", app.base))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn a_webcast_cannot_be_scheduled_or_edited_without_its_access_code() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    // No code, an empty one, blanks: refused, the field named.
    for code in [None, Some(""), Some("   ")] {
        let (status, p) = problem(create(&app, &auth, &webcast(code)).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{code:?}");
        assert_eq!(p["field"], "access_code", "{code:?}: {p}");
    }
    let id = created_id(create(&app, &auth, &webcast(Some("LANCEMENT"))).await).await;
    // An edit that leaves the code out keeps it; one that removes it is refused.
    let r = edit(&app, &auth, id, &webcast(None)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (status, p) = problem(edit(&app, &auth, id, &webcast(Some(""))).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "access_code");
    let s: Value = client()
        .get(format!("{}/api/v1/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        s["session"]["has_access_code"], true,
        "the code is still there"
    );
    // A phygital session turned into a webcast needs a code too.
    let other = created_id(create(&app, &auth, &session_body(None)).await).await;
    let (status, p) = problem(edit(&app, &auth, other, &webcast(None)).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "access_code");
    assert_eq!(
        edit(&app, &auth, other, &webcast(Some("CODE-2")))
            .await
            .status(),
        StatusCode::OK
    );

    // The form says it next to the field, in the reader's language, and keeps what was typed.
    let (admin, _) = admin_session(&app).await;
    for (lang, message) in [
        (
            "fr-FR",
            "Une session en webcast demande un code d&#x27;accès",
        ),
        ("en-GB", "A webcast session needs an access code"),
    ] {
        let html = page(&admin, &app, "/s/forum/t/roi/sessions/new", lang).await;
        let starts = local_in_days(12);
        let r = admin
            .post(format!("{}/s/forum/t/roi/sessions", app.base))
            .header("accept-language", lang)
            .form(&[
                ("csrf", form_csrf(&html).as_str()),
                ("title", "Lancement en ligne"),
                ("starts_at", starts.as_str()),
                ("duration_min", "60"),
                ("time_zone", "UTC"),
                ("mode", "webcast"),
                ("online_url", "https://visio.example/lancement"),
                ("access_code", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{lang}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"err-access_code\""), "{lang}");
        assert!(html.contains(message), "{lang}: {html}");
        assert!(html.contains("value=\"Lancement en ligne\""), "{lang}");
    }
}

#[tokio::test]
async fn the_capacity_cannot_drop_below_the_seats_already_taken() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let id = created_id(create(&app, &auth, &session_body(Some(3))).await).await;
    // Two seats taken: the admin in one click, a visitor by the mailed link.
    let (admin, csrf) = admin_session(&app).await;
    let r = admin
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "confirmed");
    let before = app.mails.lock().unwrap().len();
    visitor_registers(&app, id, "Zoé Durand", "zoe@visiteur.example").await;
    let link = wait_for_link(&app.mails, before + 1).await;
    let c = client();
    let confirm = c.get(&link).send().await.unwrap().text().await.unwrap();
    c.post(&link)
        .form(&[("csrf", form_csrf(&confirm).as_str())])
        .send()
        .await
        .unwrap();

    let (status, p) = problem(edit(&app, &auth, id, &session_body(Some(1))).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "capacity", "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("2 seats"),
        "says how many: {p}"
    );
    // The form says it in French and English.
    for (lang, message) in [
        ("fr-FR", "Plus de places sont déjà prises"),
        ("en-GB", "More seats are already taken"),
    ] {
        let html = page(&admin, &app, &format!("/sessions/{id}/edit"), lang).await;
        let starts = local_in_days(10);
        let r = admin
            .post(format!("{}/sessions/{id}/edit", app.base))
            .header("accept-language", lang)
            .form(&[
                ("csrf", form_csrf(&html).as_str()),
                ("title", "Débat : mesurer le ROI"),
                ("starts_at", starts.as_str()),
                ("duration_min", "90"),
                ("time_zone", "UTC"),
                ("mode", "in_person"),
                ("place", "Salle Lumière, Lyon"),
                ("capacity", "1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{lang}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"err-capacity\""), "{lang}");
        assert!(html.contains(message), "{lang}: {html}");
    }
    // Exactly the seats taken is allowed; the session keeps both.
    assert_eq!(
        edit(&app, &auth, id, &session_body(Some(2))).await.status(),
        StatusCode::OK
    );
    let s: Value = client()
        .get(format!("{}/api/v1/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            s["session"]["capacity"].as_i64(),
            s["session"]["confirmed"].as_i64()
        ),
        (Some(2), Some(2))
    );
}

#[tokio::test]
async fn registering_after_the_start_is_refused_clearly() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let id = created_id(create(&app, &auth, &session_body(None)).await).await;
    // The page (and its form token) as a visitor found it before the start.
    let visitor = client();
    let before_start = visitor
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form_csrf(&before_start);
    move_to_past(&app, id, 5).await;

    // A member over the API: refused, the session named.
    let (admin, admin_csrf) = admin_session(&app).await;
    let (status, p) = problem(
        admin
            .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
            .header("x-csrf-token", &admin_csrf)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "session");
    assert!(
        p["detail"].as_str().unwrap().contains("already begun"),
        "{p}"
    );
    // A visitor's form: said in their language, no mail sent, nobody registered.
    let mails = app.mails.lock().unwrap().len();
    for (lang, message) in [
        ("fr-FR", "Cette session a déjà commencé"),
        ("en-GB", "This session has already begun"),
    ] {
        let r = visitor
            .post(format!("{}/sessions/{id}/register", app.base))
            .header("accept-language", lang)
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Zoé Durand"),
                ("email", "zoe@visiteur.example"),
                ("organisation", "Orga"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{lang}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("id=\"err-session\"") && html.contains(message),
            "{lang}: {html}"
        );
    }
    assert_eq!(app.mails.lock().unwrap().len(), mails, "no link mailed");
    let regs: Value = client()
        .get(format!("{}/api/v1/sessions/{id}/registrations", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(regs["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_confirmation_link_opened_after_the_start_comes_too_late() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let id = created_id(create(&app, &auth, &session_body(None)).await).await;
    // Registered before the start; the mailed link is opened only once it has begun.
    let before = app.mails.lock().unwrap().len();
    visitor_registers(&app, id, "Zoé Durand", "zoe@visiteur.example").await;
    let link = wait_for_link(&app.mails, before + 1).await;
    let c = client();
    let confirm = c.get(&link).send().await.unwrap().text().await.unwrap();
    move_to_past(&app, id, 5).await;
    let r = c
        .post(&link)
        .header("accept-language", "fr-FR")
        .form(&[("csrf", form_csrf(&confirm).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Cette session a déjà commencé"), "{html}");
    // The registration stays unconfirmed: no seat, no attendee.
    let regs: Value = client()
        .get(format!("{}/api/v1/sessions/{id}/registrations", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = regs["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "pending", "{regs}");
}

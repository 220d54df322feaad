//! Sessions as people use them: a moderator schedules one (bad dates, zones and capacities
//! refused with the field named), a visitor registers with both consents unticked and
//! confirms by the emailed link, the confirmation mail carries the `.ics`, the waiting list
//! fills and empties, a webcast's link waits for its code, and the pages speak French.

use super::*;

/// A start `days` from now, as the form's local `YYYY-MM-DDTHH:MM` (in UTC, the zone used).
pub(super) fn local_in_days(days: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    format!(
        "{:04}-{:02}-{:02}T18:30",
        t.year(),
        t.month() as u8,
        t.day()
    )
}

pub(super) async fn setup(app: &App) -> String {
    let token = admin_token(app).await;
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
        .json(&json!({"title": "Le ROI des salons", "slug": "roi"}))
        .send()
        .await
        .unwrap();
    auth
}

/// Schedule a session of the topic `roi` through the API; its id.
pub(super) async fn create_session(app: &App, auth: &str, body: Value) -> i64 {
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap()
}

pub(super) fn session_body(capacity: Option<i64>) -> Value {
    json!({
        "title": "Débat : mesurer le ROI",
        "starts_at": local_in_days(10),
        "duration_min": 90,
        "time_zone": "UTC",
        "mode": "phygital",
        "place": "Salle Lumière, Lyon",
        "online_url": "https://visio.example/roi",
        "capacity": capacity,
        "partners": "Acme, Novéa",
        "speakers": [{"name": "Inès Martin", "organisation": "Labo ROI"}],
        "agenda": [{"title": "Ouverture", "minutes": 10}, {"title": "Débat", "minutes": 80}]
    })
}

pub(super) fn form_csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form with a csrf token")
        .to_string()
}

/// Post a visitor's registration form from the session page.
pub(super) async fn visitor_registers(
    app: &App,
    id: i64,
    name: &str,
    email: &str,
) -> reqwest::Response {
    let c = client();
    let page = c
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Both consents are offered, neither ticked.
    assert!(page.contains("id=\"consent-contact\"") && page.contains("id=\"consent-share\""));
    assert!(!page.contains("checked"), "no consent is ticked in advance");
    assert!(page.contains("Acme, Novéa"), "the partners are named");
    let csrf = form_csrf(&page);
    c.post(format!("{}/sessions/{id}/register", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", name),
            ("email", email),
            ("organisation", "Orga"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_moderator_schedules_and_bad_input_names_its_field() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let c = client();
    let url = format!("{}/api/v1/spaces/forum/topics/roi/sessions", app.base);
    for (patch, field) in [
        (json!({"starts_at": "2020-01-01T10:00"}), "starts_at"),
        (json!({"starts_at": "demain"}), "starts_at"),
        (json!({"time_zone": "Mars/Olympus"}), "time_zone"),
        (json!({"duration_min": 0}), "duration_min"),
        (json!({"mode": "hologram"}), "mode"),
        (json!({"capacity": 0}), "capacity"),
        (json!({"online_url": "ftp://x"}), "online_url"),
        (json!({"place": ""}), "place"),
    ] {
        let mut body = session_body(Some(10));
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = c
            .post(&url)
            .header("authorization", &auth)
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}");
        assert_eq!(p["field"], field, "{patch}: {p}");
    }
    // Visitors and plain members may not schedule.
    let r = client()
        .post(&url)
        .json(&session_body(None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = c
        .post(&url)
        .header("authorization", &auth)
        .json(&session_body(Some(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = r.json().await.unwrap();
    let id = s["session"]["id"].as_i64().unwrap();
    assert_eq!(s["starts_local"], local_in_days(10));
    assert_eq!(
        s["moderators"][0]["handle"], "camille",
        "the creator moderates"
    );
    assert_eq!(s["agenda"].as_array().unwrap().len(), 2);
    // The series on the topic page and in the API.
    let topic = client()
        .get(format!("{}/s/forum/t/roi", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(topic.contains(&format!("/sessions/{id}")) && topic.contains("Prochaines sessions"));
    let list: Value = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // Repeat: same agenda and speakers, new date.
    let r = c
        .post(format!("{}/api/v1/sessions/{id}/repeat", app.base))
        .header("authorization", &auth)
        .json(&json!({"starts_at": local_in_days(40)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let next: Value = r.json().await.unwrap();
    assert_eq!(next["session"]["repeated_from"], id);
    assert_eq!(next["speakers"][0]["name"], "Inès Martin");
    assert_eq!(next["agenda"], s["agenda"]);

    // One member registers in one click (the admin), capacity 1: the edit below it is refused.
    let (admin, csrf) = admin_session(&app).await;
    let r = admin
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"contact": true}))
        .send()
        .await
        .unwrap();
    let reg: Value = r.json().await.unwrap();
    assert_eq!(reg["status"], "confirmed");
    let mut body = session_body(Some(1));
    body["capacity"] = json!(1);
    let ok = c
        .put(format!("{}/api/v1/sessions/{id}", app.base))
        .header("authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    // Both pages exist in French and English.
    for lang in ["fr-FR", "en-GB"] {
        for path in [
            format!("/sessions/{id}"),
            "/s/forum/t/roi/sessions/new".into(),
            format!("/sessions/{id}/edit"),
            format!("/sessions/{id}/registrations"),
        ] {
            let r = admin
                .get(format!("{}{path}", app.base))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path} {lang}");
            let html = r.text().await.unwrap();
            if lang == "fr-FR" {
                let leaks = super::languages::english_in(&html);
                assert!(leaks.is_empty(), "{path}: {leaks:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_visitor_registers_confirms_by_mail_gets_the_ics_and_the_waiting_list_moves() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&session_body(Some(1)))
        .send()
        .await
        .unwrap();
    let id = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    let before = app.mails.lock().unwrap().len();

    // A bad email comes back with the field named and what was typed kept.
    let r = visitor_registers(&app, id, "Zoé", "pas-une-adresse").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"err-email\"") && html.contains("value=\"Zoé\""));

    let r = visitor_registers(&app, id, "Zoé Durand", "zoe@visiteur.example").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("ok=pending")
    );
    let link = wait_for_link(&app.mails, before + 1).await;
    assert!(link.contains("/sessions/confirm/"), "{link}");
    // Confirming takes the only seat; the link works once.
    let c = client();
    let page = c.get(&link).send().await.unwrap().text().await.unwrap();
    let csrf = form_csrf(&page);
    let done = c
        .post(&link)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("Votre place est confirmée"), "{done}");
    let again = c
        .post(&link)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);

    // The confirmation mail goes through the job queue, with the invitation attached.
    assert!(app.services.run_due_jobs(now_millis()).await.unwrap() >= 1);
    let mails = app.mails.lock().unwrap().clone();
    let confirmation = mails.last().unwrap();
    assert!(confirmation.contains("session.ics") && confirmation.contains("text/calendar"));
    assert!(confirmation.contains("zoe@visiteur.example"));
    // Reminders are planned (24 h and 1 h before), not sent yet: never twice.
    assert_eq!(app.services.run_due_jobs(now_millis()).await.unwrap(), 0);

    // A second visitor finds the session full: waiting list, said as such.
    let before = app.mails.lock().unwrap().len();
    visitor_registers(&app, id, "Yann", "yann@visiteur.example").await;
    let link = wait_for_link(&app.mails, before + 1).await;
    let page = c.get(&link).send().await.unwrap().text().await.unwrap();
    let done = c
        .post(&link)
        .form(&[("csrf", form_csrf(&page).as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("liste d&#x27;attente"), "{done}");

    // The moderator sees both, contact details only with consent (nobody ticked a box).
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
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().all(|r| r["email"] == ""
            && r["consent_contact"] == false
            && r["consent_share"] == false)
    );
    // Visitors never see the list.
    assert_eq!(
        client()
            .get(format!("{}/api/v1/sessions/{id}/registrations", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Zoé cancels by her emailed manage link: Yann is promoted.
    let first = app.mails.lock().unwrap()[0]
        .replace("=\n", "")
        .replace("=3D", "=");
    let manage = first
        .split_whitespace()
        .find(|w| w.contains("/sessions/manage/"))
        .expect("a cancel link in the mail")
        .to_string();
    let page = c.get(&manage).send().await.unwrap().text().await.unwrap();
    let done = c
        .post(&manage)
        .form(&[("csrf", form_csrf(&page).as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("Inscription annulée"));
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
            s["session"]["confirmed"].as_i64(),
            s["session"]["waiting"].as_i64()
        ),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn a_webcast_link_waits_for_its_code_and_wrong_codes_are_limited() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let mut body = session_body(None);
    body["mode"] = json!("webcast");
    body["place"] = json!("");
    body["access_code"] = json!("LANCEMENT-2027");
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    let s: Value = client()
        .get(format!("{}/api/v1/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["session"]["online_url"], "", "hidden before the code");
    assert_eq!(s["session"]["has_access_code"], true);

    // A browser with the right code sees the link.
    let c = client();
    let page = c
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("visio.example") && page.contains("id=\"access-code\""));
    let r = c
        .post(format!("{}/sessions/{id}/code", app.base))
        .form(&[
            ("csrf", form_csrf(&page).as_str()),
            ("code", "LANCEMENT-2027"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = c
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"stream-link\"") && page.contains("visio.example"));

    // Guessing is limited: after 5 wrong codes, even the right one waits.
    let c = client();
    let page = c
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form_csrf(&page);
    for _ in 0..5 {
        let r = c
            .post(format!("{}/sessions/{id}/code", app.base))
            .form(&[("csrf", csrf.as_str()), ("code", "devine")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Code d&#x27;accès incorrect")
        );
    }
    let r = c
        .post(format!("{}/sessions/{id}/code", app.base))
        .form(&[("csrf", csrf.as_str()), ("code", "LANCEMENT-2027")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_strangers_address_registered_everywhere_gets_a_few_mails_not_a_flood() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let mut sessions = Vec::new();
    for _ in 0..12 {
        let r = client()
            .post(format!(
                "{}/api/v1/spaces/forum/topics/roi/sessions",
                app.base
            ))
            .header("authorization", &auth)
            .json(&session_body(Some(50)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        sessions.push(
            r.json::<Value>().await.unwrap()["session"]["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let mails_to_victim = || {
        app.mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.contains("victime@ailleurs.example") && m.contains("/sessions/confirm/"))
            .count()
    };
    for id in &sessions {
        // Every request is answered the same way: nothing tells the sender mails stopped.
        let r = visitor_registers(&app, *id, "Quelqu'un", "victime@ailleurs.example").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(
        mails_to_victim(),
        parvis_services::ratelimit::ADDRESS_REGISTRATION_MAILS as usize,
        "one link per session up to the limit, then none"
    );
    // Another address is not affected.
    let r = visitor_registers(&app, sessions[0], "Zoé", "zoe@visiteur.example").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.mails
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.contains("zoe@visiteur.example"))
    );
}

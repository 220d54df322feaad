//! What began as pages of a session, done through the JSON API as an integrator would: the
//! session's live room read and opened (the same room the page leads to), registrants checked
//! in by a moderator or with the printed QR code's key (the counts follow), a visitor
//! cancelling with their mailed token (the waiting list moves up), a webcast's access code
//! (the stream and the room open; guessing is limited). On SQLite and on PostgreSQL.

use super::live::member_token;
use super::sessions::{create_session, session_body, setup};
use super::sessions_report::move_to_past;
use super::*;
use std::time::Duration;

async fn get(app: &App, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut req = client().get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn post(app: &App, token: Option<&str>, path: &str, body: Value) -> reqwest::Response {
    let mut req = client().post(format!("{}{path}", app.base)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// A member registers through the API; their registration's id.
async fn register(app: &App, token: &str, session: i64) -> (i64, String) {
    let r = post(
        app,
        Some(token),
        &format!("/api/v1/sessions/{session}/registration"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    (
        v["id"].as_i64().unwrap(),
        v["status"].as_str().unwrap().to_string(),
    )
}

async fn counts(app: &App, session: i64) -> Value {
    get(app, None, &format!("/api/v1/sessions/{session}/counts"))
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sessions_room_is_read_and_opened_through_the_api_and_is_the_pages_room() {
    on_both(|app| async move {
        let auth = setup(&app).await;
        let modo = member_token(&app, "modo", SiteRole::Member).await;
        let ana = member_token(&app, "ana", SiteRole::Member).await;
        let mut body = session_body(None);
        body["moderators"] = json!(["modo"]);
        let id = create_session(&app, &auth, body).await;
        let path = format!("/api/v1/sessions/{id}/room");

        // No room yet: said so, and nobody but its moderators may open it.
        let (status, p) = problem(get(&app, Some(&ana), &path).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{p}");
        assert!(p["detail"].as_str().unwrap().contains("no live room yet"));
        let (status, _) = problem(post(&app, Some(&ana), &path, json!({})).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = problem(post(&app, None, &path, json!({})).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let r = post(&app, Some(&modo), &path, json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let opened: Value = r.json().await.unwrap();
        let room = opened["id"].as_i64().unwrap();
        assert_eq!(opened["url"], format!("/live/{room}"));
        // Opening again gives the same room.
        let r = post(&app, Some(&modo), &path, json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["id"], room);

        // Ten days ahead, participants see it as not open yet.
        let seen: Value = get(&app, Some(&ana), &path).await.json().await.unwrap();
        assert_eq!(
            (seen["id"].as_i64(), seen["state"].as_str()),
            (Some(room), Some("upcoming"))
        );
        assert_eq!(seen["locked"], false);

        // Under way, it is open, and "join the live room" on the page leads to the same room.
        move_to_past(&app, id, 20).await;
        let seen: Value = get(&app, Some(&ana), &path).await.json().await.unwrap();
        assert_eq!(seen["state"], "open");
        let r = get(&app, Some(&ana), &format!("/sessions/{id}/live")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/live/{room}")
        );
        let snap = get(&app, Some(&ana), seen["api_url"].as_str().unwrap()).await;
        assert_eq!(snap.status(), StatusCode::OK, "its API address answers");

        // An unknown session is not found, by its id.
        let (status, _) = problem(get(&app, None, "/api/v1/sessions/999999/room").await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// A visitor's app reaches the room through the API as the page's "join the live room" does:
/// once the session is open, the first to ask makes it, even before any moderator.
#[tokio::test]
async fn a_visitor_reaches_an_open_sessions_room_through_the_api_before_any_moderator() {
    on_both(|app| async move {
        let auth = setup(&app).await;
        let id = create_session(&app, &auth, session_body(None)).await;
        let path = format!("/api/v1/sessions/{id}/room");

        // Ten days ahead and never opened: not there yet, and the answer says when it opens.
        let (status, p) = problem(get(&app, None, &path).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{p}");
        assert!(
            p["detail"].as_str().unwrap().contains("30 minutes before"),
            "{p}"
        );

        // Under way: a visitor without an account gets the room, open, with its addresses.
        move_to_past(&app, id, 20).await;
        let r = get(&app, None, &path).await;
        assert_eq!(r.status(), StatusCode::OK);
        let seen: Value = r.json().await.unwrap();
        assert_eq!(seen["state"], "open");
        let room = seen["id"].as_i64().unwrap();
        assert_eq!(seen["url"], format!("/live/{room}"));
        // It is the one room of the session: asked again, or joined from the page.
        let again: Value = get(&app, None, &path).await.json().await.unwrap();
        assert_eq!(again["id"], room);
        let r = get(&app, None, &format!("/sessions/{id}/live")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/live/{room}")
        );
        let snap = get(&app, None, seen["api_url"].as_str().unwrap()).await;
        assert_eq!(snap.status(), StatusCode::OK, "its API address answers");
    })
    .await;
}

/// The check-in key printed in the QR code of the session's sheet.
async fn qr_key(app: &App, admin: &str, id: i64) -> String {
    let sheet = get(app, Some(admin), &format!("/sessions/{id}/qr"))
        .await
        .text()
        .await
        .unwrap();
    let url = sheet
        .split("id=\"checkin-url\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace("&#x2f;", "/");
    url.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn registrants_are_checked_in_through_the_api_and_the_counts_follow() {
    on_both(|app| async move {
        let auth = setup(&app).await;
        let admin = auth.trim_start_matches("Bearer ").to_string();
        let modo = member_token(&app, "modo", SiteRole::Member).await;
        let ana = member_token(&app, "ana", SiteRole::Member).await;
        let bob = member_token(&app, "bob", SiteRole::Member).await;
        let mut body = session_body(None);
        body["moderators"] = json!(["modo"]);
        let id = create_session(&app, &auth, body).await;
        let (ana_reg, _) = register(&app, &ana, id).await;
        register(&app, &bob, id).await;
        let path = format!("/api/v1/sessions/{id}/checkin");

        // Ten days early, refused with the reason, the field named.
        let (status, p) =
            problem(post(&app, Some(&modo), &path, json!({"registration": ana_reg})).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(p["field"], "checkin");
        assert_eq!(counts(&app, id).await["room"], 0);

        move_to_past(&app, id, 10).await;
        // A participant may not check someone else in.
        let (status, _) =
            problem(post(&app, Some(&bob), &path, json!({"registration": ana_reg})).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The moderator at the door checks Ana in: the session's counts show her.
        let r = post(&app, Some(&modo), &path, json!({"registration": ana_reg})).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["room"], 1);
        let c = counts(&app, id).await;
        assert_eq!((c["room"].as_i64(), c["peak"].as_i64()), (Some(1), Some(1)));
        // Twice is still one person.
        post(&app, Some(&modo), &path, json!({"registration": ana_reg})).await;
        assert_eq!(counts(&app, id).await["room"], 1);
        // Someone else's registration, or none: refused by name.
        let (status, _) =
            problem(post(&app, Some(&modo), &path, json!({"registration": 987654})).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, p) = problem(post(&app, Some(&modo), &path, json!({})).await).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("registration"))
        );

        // Bob checks himself in with the printed code's key, as the QR page does.
        let key = qr_key(&app, &admin, id).await;
        let (status, _) =
            problem(post(&app, Some(&bob), &path, json!({"key": "devine"})).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a guessed key");
        let (status, _) = problem(post(&app, None, &path, json!({"key": key})).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "nobody to check in");
        let r = post(&app, Some(&bob), &path, json!({"key": key})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let c = counts(&app, id).await;
        assert_eq!((c["room"].as_i64(), c["peak"].as_i64()), (Some(2), Some(2)));
    })
    .await;
}

/// The mail sent at `index`, decoded from quoted-printable enough to read its links.
async fn mail_at(app: &App, index: usize) -> String {
    for _ in 0..200 {
        if let Some(m) = app.mails.lock().unwrap().get(index) {
            return m.replace("=\n", "").replace("=3D", "=");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail {index}");
}

/// The token at the end of the link after `marker` in `mail`.
fn token_after(mail: &str, marker: &str) -> String {
    let i = mail.find(marker).unwrap() + marker.len();
    mail[i..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_visitor_cancels_with_the_mailed_token_and_the_waiting_list_moves_up() {
    on_both(|app| async move {
        let auth = setup(&app).await;
        let yann = member_token(&app, "yann", SiteRole::Member).await;
        let id = create_session(&app, &auth, session_body(Some(1))).await;

        // Zoé, with no account, registers and confirms through the API: she takes the only seat.
        let before = app.mails.lock().unwrap().len();
        let r = post(
            &app,
            None,
            &format!("/api/v1/sessions/{id}/registration"),
            json!({"name": "Zoé Durand", "email": "zoe@visiteur.example", "organisation": "Orga"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        let mail = mail_at(&app, before).await;
        let confirm = token_after(&mail, "/sessions/confirm/");
        let manage = token_after(&mail, "/sessions/manage/");
        let r = post(
            &app,
            None,
            "/api/v1/registrations/confirm",
            json!({"token": confirm}),
        )
        .await;
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "confirmed");
        // Yann comes next: waiting list.
        let (_, status) = register(&app, &yann, id).await;
        assert_eq!(status, "waiting");

        // A wrong token cancels nothing.
        let (status, _) = problem(
            post(
                &app,
                None,
                "/api/v1/registrations/cancel",
                json!({"token": "devine"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let s: Value = get(&app, None, &format!("/api/v1/sessions/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (
                s["session"]["confirmed"].as_i64(),
                s["session"]["waiting"].as_i64()
            ),
            (Some(1), Some(1))
        );

        // Zoé cancels with her mailed token: her seat goes to Yann.
        let r = post(
            &app,
            None,
            "/api/v1/registrations/cancel",
            json!({"token": manage}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["status"], "cancelled");
        let s: Value = get(&app, Some(&yann), &format!("/api/v1/sessions/{id}"))
            .await
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
        assert_eq!(
            s["my_registration"]["status"], "confirmed",
            "Yann is promoted"
        );
    })
    .await;
}

#[tokio::test]
async fn a_webcast_code_given_through_the_api_opens_it_and_guessing_is_limited() {
    on_both(|app| async move {
        let auth = setup(&app).await;
        let admin = auth.trim_start_matches("Bearer ").to_string();
        let mut body = session_body(None);
        body["mode"] = json!("webcast");
        body["access_code"] = json!("SESAME-42");
        let id = create_session(&app, &auth, body).await;
        let room_path = format!("/api/v1/sessions/{id}/room");
        let room = post(&app, Some(&admin), &room_path, json!({}))
            .await
            .json::<Value>()
            .await
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        move_to_past(&app, id, 5).await;
        let unlock = format!("{}/api/v1/sessions/{id}/webcast/unlock", app.base);

        // Before the code, the room is locked for this client and its state refused.
        let c = client();
        let seen: Value = c
            .get(format!("{}{room_path}", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(seen["locked"], true);
        let r = c
            .get(format!("{}/api/v1/rooms/{room}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // A wrong code is refused by name; the right one gives the stream and opens the room.
        let r = c
            .post(&unlock)
            .json(&json!({"code": "FAUX"}))
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("code"))
        );
        let r = c
            .post(&unlock)
            .json(&json!({"code": "SESAME-42"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let access: Value = r.json().await.unwrap();
        assert_eq!(access["online_url"], "https://visio.example/roi");
        let seen: Value = c
            .get(format!("{}{room_path}", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(seen["locked"], false);
        let r = c
            .get(format!("{}/api/v1/rooms/{room}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "the room opens with the code");

        // Guessing is limited: after 5 wrong codes from one address (every client here is
        // 127.0.0.1, so the wrong code above counts), even the right one waits.
        let guesser = client();
        for _ in 0..4 {
            let r = guesser
                .post(&unlock)
                .json(&json!({"code": "devine"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = guesser
            .post(&unlock)
            .json(&json!({"code": "SESAME-42"}))
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
        );
    })
    .await;
}

//! Taking part in a challenge from its widget (issue 15): on a partner's blog, a visitor signs
//! in by the emailed link, submits an entry with the rules accepted, and the entry is on the
//! challenge's page under their name, never their address. The frame offers the form only
//! while the challenge takes entries; a sign-in made for another space's widget is refused.
//! A visitor who came through a member's share link is credited to that member for the entry
//! they submit from the widget, as on the challenge's page.

use super::content::challenge_body;
use super::embed_posting::{HOST, sign_in_to, widget, widget_post};
use super::*;

async fn submit(app: &App, token: &str, id: i64, body: Value) -> reqwest::Response {
    widget_post(app, token, &format!("challenges/{id}/entries"), body).await
}

/// An open challenge of `space`, posed by the admin; its id.
async fn open_challenge(app: &App, admin: &str, space: &str) -> i64 {
    let c = client();
    let r = c
        .post(format!("{}/api/v1/spaces/{space}/challenges", app.base))
        .header("authorization", admin)
        .json(&challenge_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["challenge"]["id"]
        .as_i64()
        .unwrap();
    set_state(app, admin, id, "open").await;
    id
}

async fn set_state(app: &App, admin: &str, id: i64, state: &str) {
    let r = client()
        .post(format!("{}/api/v1/challenges/{id}/state", app.base))
        .header("authorization", admin)
        .json(&json!({"state": state}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn frame(app: &App, id: i64) -> String {
    let r = widget()
        .get(format!(
            "{}/embed/challenge/{id}?lang=fr&origin=https%3A%2F%2Fblog.example",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

#[tokio::test]
async fn a_visitor_submits_a_challenge_entry_from_its_widget() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        // The challenge's evaluator.
        super::content::member_token(&app, "eva").await;
        let id = open_challenge(&app, &admin, "forum").await;

        // The open challenge's card offers the entry form, with its rules to accept, in French.
        let page = frame(&app, id).await;
        assert!(page.contains(r#"id="pv-entry""#), "{page}");
        assert!(page.contains("embed-post.js"));
        assert!(
            page.contains("Je cède les droits d&#x27;usage de mon idée à Novéa."),
            "{page}"
        );
        assert!(
            page.contains("J'ai lu et j'accepte le règlement")
                || page.contains("J&#x27;ai lu et j&#x27;accepte le règlement"),
            "{page}"
        );

        let token = sign_in_to(&app, &format!("challenge/{id}"), "zoe@visiteurs.example").await;
        let entry = json!({"title": "Vrac en magasin", "body": "Des **distributeurs** en vrac.",
            "links": ["https://zoe.example/vrac", ""], "accept_rules": false});
        // The rules are never assumed.
        let (status, p) = problem(submit(&app, &token, id, entry.clone()).await).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("accept_rules")),
            "{p}"
        );
        let mut accepted = entry.clone();
        accepted["accept_rules"] = json!(true);
        let r = submit(&app, &token, id, accepted.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["title"], "Vrac en magasin");
        assert_eq!(e["links"], json!(["https://zoe.example/vrac"]));
        assert_eq!(
            e["rules_wording"],
            "Je cède les droits d'usage de mon idée à Novéa."
        );

        // It is on the challenge's page, under the visitor's name and not their address.
        let page = client()
            .get(format!("{}/challenges/{id}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Vrac en magasin"), "{page}");
        assert!(!page.contains("zoe@visiteurs.example"));
        // Without a token, nothing is taken.
        let r = widget()
            .post(format!("{}/api/v1/embed/challenges/{id}/entries", app.base))
            .header("x-parvis-host", HOST)
            .json(&accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        // A sign-in made for this space does not submit to another space's challenge.
        let r = client()
            .post(format!("{}/api/v1/spaces", app.base))
            .header("authorization", &admin)
            .json(&json!({"slug": "autre", "name": "Autre espace"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let other = open_challenge(&app, &admin, "autre").await;
        let r = submit(&app, &token, other, accepted.clone()).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // Once the challenge is being judged, the card no longer offers the form and the API
        // says why it refuses.
        set_state(&app, &admin, id, "judging").await;
        let page = frame(&app, id).await;
        assert!(!page.contains(r#"id="pv-entry""#));
        let (status, p) = problem(submit(&app, &token, id, accepted).await).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge")),
            "{p}"
        );
    })
    .await;
}

/// Sign in from the challenge's widget, the emailed link confirmed in `browser`; the token.
async fn sign_in_with(app: &App, browser: &reqwest::Client, id: i64, email: &str) -> String {
    let n = app.mails.lock().unwrap().len() + 1;
    let r = widget()
        .post(format!("{}/api/v1/embed/auth/start", app.base))
        .header("x-parvis-host", HOST)
        .json(&json!({"embed": format!("challenge/{id}"), "email": email, "lang": "fr"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let attempt = r.json::<Value>().await.unwrap()["attempt"]
        .as_str()
        .unwrap()
        .to_string();
    let link = wait_for_link(&app.mails, n).await;
    assert_eq!(
        confirm_sign_in(browser, &link).await.status(),
        StatusCode::OK
    );
    let r = widget()
        .post(format!("{}/api/v1/embed/auth/poll", app.base))
        .json(&json!({"attempt": attempt}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_entry_from_the_widget_is_credited_to_the_link_the_visitor_came_through() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        super::content::member_token(&app, "eva").await;
        let id = open_challenge(&app, &admin, "forum").await;
        let ines = format!(
            "Bearer {}",
            super::content::member_token(&app, "ines").await
        );
        let link: Value = client()
            .post(format!("{}/api/v1/me/shares", app.base))
            .header("authorization", &ines)
            .json(&json!({"path": format!("/challenges/{id}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Zoé's browser opens Inès's link to the challenge's page, then she takes part from
        // the widget on a partner's blog: the widget sends no cookie, only the emailed link's
        // confirmation page (opened in her browser) sees Parvis's.
        let browser = client();
        let r = browser
            .get(link["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let token = sign_in_with(&app, &browser, id, "zoe@visiteurs.example").await;
        let entry = |title: &str| {
            json!({"title": title, "body": "Des distributeurs en vrac.", "accept_rules": true})
        };
        let r = submit(&app, &token, id, entry("Vrac en magasin")).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        // Someone who never came through a link takes part too: nobody is credited for it.
        let stranger = sign_in_with(&app, &client(), id, "yann@visiteurs.example").await;
        let r = submit(&app, &stranger, id, entry("Consigne")).await;
        assert_eq!(r.status(), StatusCode::CREATED);

        let mine: Value = client()
            .get(format!("{}/api/v1/me/shares", app.base))
            .header("authorization", &ines)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let s = &mine["items"][0];
        assert_eq!(
            (s["visits"].as_i64(), s["challenge_entries"].as_i64()),
            (Some(1), Some(1)),
            "{mine}"
        );
        let (ic, _) = super::privacy::member_session(&app, "ines").await;
        let html = ic
            .get(format!("{}/me/shares", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<td class=\"entries\">1</td>"), "{html}");
        // The ambassadors' ranking counts the entry as the one action she brought (the
        // sign-in is not an action).
        let a: Value = client()
            .get(format!("{}/api/v1/ambassadors", app.base))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(a["items"][0]["member"]["handle"], "ines");
        assert_eq!(a["items"][0]["actions"].as_i64(), Some(1), "{a}");
    })
    .await;
}

//! Share links: a member gets a personal link to a session page; a visitor comes through it
//! (counted, remembered in an HttpOnly SameSite=Lax cookie) and registers — both credited on
//! "Mes partages" and in the ambassadors' ranking; an unknown code opens the page and
//! credits no one; nobody is credited for their own visit. Reactions and votes through a link
//! are credited as engagement (a reaction once a message), not as actions brought.

use super::*;

/// `GET /api/v1/{path}` as `auth`, as JSON.
async fn get_json(app: &App, path: &str, auth: &str) -> Value {
    client()
        .get(format!("{}/api/v1/{path}", app.base))
        .header("authorization", auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_visit_and_a_registration_through_a_link_are_credited() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let c = client();
        let r = c
            .post(format!(
                "{}/api/v1/spaces/forum/topics/roi/sessions",
                app.base
            ))
            .header("authorization", &admin)
            .json(&super::sessions::session_body(Some(10)))
            .send()
            .await
            .unwrap();
        let session = r.json::<Value>().await.unwrap()["session"]["id"]
            .as_i64()
            .unwrap();
        let ines = format!(
            "Bearer {}",
            super::content::member_token(&app, "ines").await
        );
        // The share page and the API give the same personal link, with plain-link buttons.
        let (ic, _) = super::privacy::member_session(&app, "ines").await;
        let html = ic
            .get(format!("{}/share?path=/sessions/{session}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("id=\"share-linkedin\"")
                && html.contains("id=\"mastodon-instance\"")
                && html.contains("mailto:")
        );
        assert!(super::languages::english_in(&html).is_empty());
        let l: Value = c
            .post(format!("{}/api/v1/me/shares", app.base))
            .header("authorization", &ines)
            .json(&json!({"path": format!("/sessions/{session}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = l["url"].as_str().unwrap().to_string();
        assert!(
            html.contains(&url.replace('/', "&#x2f;")),
            "same link on the page and the API"
        );
        let r = c
            .post(format!("{}/api/v1/me/shares", app.base))
            .header("authorization", &ines)
            .json(&json!({"path": "https://evil.example/"}))
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("path"))
        );

        // An unknown code: the page opens, no cookie, nobody credited.
        let r = client()
            .get(format!("{}/sessions/{session}?ref=nosuchcode1", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()
                .get_all("set-cookie")
                .iter()
                .all(|v| !v.to_str().unwrap().starts_with("parvis_ref="))
        );
        // The sharer's own visit earns nothing.
        ic.get(&url).send().await.unwrap();

        // A visitor through the link, then registering: cookie HttpOnly and Lax, both credited.
        let v = client();
        let r = v.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let set = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with("parvis_ref="))
            .expect("the ref cookie");
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        let page = r.text().await.unwrap();
        let csrf = super::sessions::form_csrf(&page);
        let r = v
            .post(format!("{}/sessions/{session}/register", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Léa Visiteuse"),
                ("email", "lea@visit.example"),
                ("organisation", "Orga"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        let mine = get_json(&app, "me/shares", &ines).await;
        let s = &mine["items"][0];
        assert_eq!(
            (s["visits"].as_i64(), s["registrations"].as_i64()),
            (Some(1), Some(1)),
            "{mine}"
        );
        let html = ic
            .get(format!("{}/me/shares", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("<td class=\"visits\">1</td>")
                && html.contains("<td class=\"registrations\">1</td>"),
            "{html}"
        );
        assert!(super::languages::english_in(&html).is_empty());
        // Admins see the ambassadors; members do not.
        let a = get_json(&app, "ambassadors", &admin).await;
        assert_eq!(a["items"][0]["member"]["handle"], "ines");
        assert_eq!(
            (
                a["items"][0]["visits"].as_i64(),
                a["items"][0]["actions"].as_i64()
            ),
            (Some(1), Some(1))
        );
        let r = c
            .get(format!("{}/api/v1/ambassadors", app.base))
            .header("authorization", &ines)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // The measures count what the link brought as a referral of the sharer (toward the
        // ambassador level), once she is active in the space.
        let r = c
            .post(format!("{}/api/v1/spaces/forum/threads", app.base))
            .header("authorization", &ines)
            .json(&json!({"title": "Venez au débat", "body": "Inscrivez-vous !"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let space = app
            .store
            .space_by_slug("forum")
            .await
            .unwrap()
            .unwrap()
            .id
            .0;
        app.store
            .measure_refresh(space, now_millis())
            .await
            .unwrap();
        let ines_id = app
            .store
            .member_by_handle("ines")
            .await
            .unwrap()
            .unwrap()
            .id
            .0;
        let referrals: i64 = app
            .store
            .measure_activity(space, 0)
            .await
            .unwrap()
            .iter()
            .filter(|a| a.member_id == ines_id)
            .map(|a| a.referrals)
            .sum();
        assert_eq!(referrals, 1, "the registration, not the visit");
    })
    .await;
}

#[tokio::test]
async fn the_mastodon_button_goes_to_the_members_own_instance() {
    on_both(|app| async move {
        super::sessions::setup(&app).await;
        let ines = format!(
            "Bearer {}",
            super::content::member_token(&app, "ines").await
        );
        let (ic, _) = super::privacy::member_session(&app, "ines").await;
        let share = |c: reqwest::Client| {
            let url = format!("{}/share?path=/s/forum", app.base);
            async move { c.get(url).send().await.unwrap().text().await.unwrap() }
        };
        // No instance assumed: no Mastodon button, a field to name one.
        let html = share(ic.clone()).await;
        assert!(
            !html.contains("mastodon.social/share") && !html.contains("id=\"share-mastodon\""),
            "{html}"
        );
        assert!(
            html.contains("Votre instance Mastodon, pour y partager"),
            "{html}"
        );
        let csrf = super::sessions::form_csrf(&html);
        // Not a host name: refused in words, nothing remembered.
        for bad in [
            "localhost",
            "evil.example/phish",
            "127.0.0.1",
            "javascript:alert(1)",
        ] {
            let r = ic
                .post(format!("{}/share/mastodon", app.base))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("path", "/s/forum"),
                    ("instance", bad),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            let html = r.text().await.unwrap();
            assert!(
                html.contains("Indiquez le nom de votre instance Mastodon"),
                "{html}"
            );
        }
        assert!(!share(ic.clone()).await.contains("id=\"share-mastodon\""));
        // Named once (as typed, with its scheme): remembered, and the button goes there.
        let r = ic
            .post(format!("{}/share/mastodon", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("path", "/s/forum"),
                ("instance", "https://Piaille.fr/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let cookie = r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            cookie.starts_with("parvis_mastodon=piaille.fr;") && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        let html = share(ic.clone()).await;
        assert!(
            html.contains("href=\"https:&#x2f;&#x2f;piaille.fr&#x2f;share?text="),
            "{html}"
        );
        assert!(html.contains("id=\"share-mastodon\""));
        // The API: null without an instance, the instance's address with one; a bad one refused.
        let c = client();
        let api = format!("{}/api/v1/me/shares", app.base);
        let l: Value = c
            .post(&api)
            .header("authorization", &ines)
            .json(&json!({"path": "/s/forum"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(l["mastodon"], Value::Null);
        let l: Value = c
            .post(&api)
            .header("authorization", &ines)
            .json(&json!({"path": "/s/forum", "mastodon_instance": "@ines@eldritch.cafe"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            l["mastodon"]
                .as_str()
                .unwrap()
                .starts_with("https://eldritch.cafe/share?text="),
            "{l}"
        );
        let r = c
            .post(&api)
            .header("authorization", &ines)
            .json(&json!({"path": "/s/forum", "mastodon_instance": "evil.example:8443"}))
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("mastodon_instance"))
        );
    })
    .await;
}

#[tokio::test]
async fn a_conversion_after_a_shared_link_is_credited_to_the_sharer() {
    on_both(|app| async move {
        let (admin, tid) = super::embeds::seed_thread(&app, 0).await;
        let c = client();
        // The organisation's call to action, and the secret it signs its reports with.
        let r = c
            .put(format!("{}/api/v1/spaces/forum/embed", app.base))
            .header("authorization", &admin)
            .json(&json!({"origins": "https://blog.example", "cta_label": "S'inscrire", "cta_url": "https://novea.example/inscription"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let secret = r.json::<Value>().await.unwrap()["secret"]
            .as_str()
            .unwrap()
            .to_string();
        let ines = format!(
            "Bearer {}",
            super::content::member_token(&app, "ines").await
        );
        let link: Value = c
            .post(format!("{}/api/v1/me/shares", app.base))
            .header("authorization", &ines)
            .json(&json!({"path": format!("/threads/{tid}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // A visitor comes through Inès's link, later follows the call to action of the thread's
        // widget (a top-level navigation to /r/, which carries the cookie) and buys.
        let visitor = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = visitor
            .get(link["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let report = |click: &str, transaction: &str| {
            let body = json!({"click_id": click, "type": "purchase", "value": 120, "transaction_id": transaction}).to_string();
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64;
            let sig = parvis_services::embeds::track::sign_report(&secret, t, body.as_bytes());
            client()
                .post(format!("{}/api/v1/conversions", app.base))
                .header("content-type", "application/json")
                .header("x-parvis-signature", sig)
                .body(body)
                .send()
        };
        let click = parvis_services::embeds::track::new_click_id();
        let r = visitor
            .get(format!(
                "{}/r/{click}?k=thread%2F{tid}&h=https%3A%2F%2Fblog.example%2Fsalons",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(report(&click, "T-1").await.unwrap().status(), StatusCode::CREATED);
        // Someone who never came through a link converts too: nobody is credited for it.
        let stranger = parvis_services::embeds::track::new_click_id();
        let r = client()
            .get(format!("{}/r/{stranger}?k=thread%2F{tid}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(report(&stranger, "T-2").await.unwrap().status(), StatusCode::CREATED);

        let mine = get_json(&app, "me/shares", &ines).await;
        let s = &mine["items"][0];
        assert_eq!(
            (s["visits"].as_i64(), s["conversions"].as_i64()),
            (Some(1), Some(1)),
            "{mine}"
        );
        // The conversion is an action brought (the click alone is not).
        let a = get_json(&app, "ambassadors", &admin).await;
        assert_eq!(a["items"][0]["member"]["handle"], "ines");
        assert_eq!(a["items"][0]["actions"].as_i64(), Some(1), "{a}");
        let (ic, _) = super::privacy::member_session(&app, "ines").await;
        let html = ic
            .get(format!("{}/me/shares", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<td class=\"conversions\">1</td>"), "{html}");
    })
    .await;
}

#[tokio::test]
async fn reactions_and_votes_through_a_link_are_credited_once() {
    on_both(|app| async move {
        let (admin, tid) = super::embeds::seed_thread(&app, 0).await;
        let c = client();
        let r = c
            .post(format!("{}/api/v1/threads/{tid}/messages", app.base))
            .header("authorization", &admin)
            .json(&json!({"body": "Nous comptons les badges scannés."}))
            .send()
            .await
            .unwrap();
        let message = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        // An open challenge with Bob's entry.
        super::content::member_token(&app, "eva").await;
        let bob = format!("Bearer {}", super::content::member_token(&app, "bob").await);
        let r = super::content::post(
            &c,
            format!("{}/api/v1/spaces/forum/challenges", app.base),
            &admin,
            super::content::challenge_body(),
        )
        .await;
        let challenge = r.json::<Value>().await.unwrap()["challenge"]["id"]
            .as_i64()
            .unwrap();
        super::content::post(
            &c,
            format!("{}/api/v1/challenges/{challenge}/state", app.base),
            &admin,
            json!({"state": "open"}),
        )
        .await;
        let r = super::content::post(
            &c,
            format!("{}/api/v1/challenges/{challenge}/entries", app.base),
            &bob,
            json!({"title": "Consigne", "body": "Des bocaux.", "accept_rules": true}),
        )
        .await;
        let entry = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let ines = format!(
            "Bearer {}",
            super::content::member_token(&app, "ines").await
        );
        let link: Value = c
            .post(format!("{}/api/v1/me/shares", app.base))
            .header("authorization", &ines)
            .json(&json!({"path": format!("/threads/{tid}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();

        // Zoé, a member, comes through Inès's link, likes the message (twice, then with
        // another kind: one reaction credited) and votes for Bob's entry, from the pages.
        super::content::member_token(&app, "zoe").await;
        let (zc, _) = super::privacy::member_session(&app, "zoe").await;
        let page = zc
            .get(link["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = super::sessions::form_csrf(&page);
        for kind in ["like", "like", "insightful"] {
            let r = zc
                .post(format!("{}/messages/{message}/react", app.base))
                .form(&[("csrf", csrf.as_str()), ("kind", kind)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{kind}");
        }
        let vote = || {
            zc.post(format!("{}/challenges/entries/{entry}/vote", app.base))
                .form(&[("csrf", csrf.as_str())])
                .send()
        };
        assert_eq!(vote().await.unwrap().status(), StatusCode::SEE_OTHER);
        // A second vote is refused, and earns nothing.
        assert_eq!(
            vote().await.unwrap().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let mine = get_json(&app, "me/shares", &ines).await;
        let s = &mine["items"][0];
        assert_eq!(
            (
                s["visits"].as_i64(),
                s["reactions"].as_i64(),
                s["votes"].as_i64()
            ),
            (Some(1), Some(1), Some(1)),
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
        assert!(
            html.contains("<td class=\"reactions\">1</td>")
                && html.contains("<td class=\"votes\">1</td>")
                && html.contains("<th>Réactions</th>"),
            "{html}"
        );
        // Engagement is shown, but a like is not an action brought: the ranking counts none.
        let a = get_json(&app, "ambassadors", &admin).await;
        assert_eq!(a["items"][0]["member"]["handle"], "ines");
        assert_eq!(a["items"][0]["actions"].as_i64(), Some(0), "{a}");
    })
    .await;
}

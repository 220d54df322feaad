//! A second walk through the demo, kept fixed: percentages and money in the reader's
//! typography, a session's room saying when it starts, French elision before names, the
//! challenge page's valid markup.

use super::*;

/// A page's text, asked in `lang`, with a bearer token.
async fn page_as(auth: &str, url: &str, lang: &str) -> (StatusCode, String) {
    let r = client()
        .get(url)
        .header("authorization", auth)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_embed_funnel_writes_its_rates_as_the_reader_does() {
    on_both(|app| async move {
        let (auth, tid) = super::embeds::seed_thread(&app, 1).await;
        let r = client()
            .put(format!("{}/api/v1/spaces/forum/embed", app.base))
            .header("authorization", &auth)
            .json(&json!({"origins": "https://blog.example"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // Three visitors see the widget, one of them reads: a third engage.
        for (event, ua) in [("view", "A"), ("view", "B"), ("view", "C"), ("read", "A")] {
            let r = client()
                .post(format!(
                    "{}/embed/e?k=thread%2F{tid}&e={event}&h=https%3A%2F%2Fblog.example%2Fpost",
                    app.base
                ))
                .header("user-agent", ua)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
        }
        let (ac, _) = admin_session(&app).await;
        let url = format!("{}/admin/spaces/forum/embeds", app.base);
        let fr = ac
            .get(&url)
            .header("accept-language", "fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(fr.contains("33,3\u{a0}%"), "{fr}");
        assert!(!fr.contains("33.3") && !fr.contains(".0 %"), "{fr}");
        let en = ac
            .get(&url)
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(en.contains("33.3%"), "{en}");
        assert!(!en.contains("33.3 %") && !en.contains("33,3"), "{en}");
    })
    .await;
}

#[tokio::test]
async fn a_session_room_opened_early_says_when_it_starts_not_a_countdown() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let id = super::sessions::create_session(&app, &admin, super::sessions::session_body(None))
            .await;
        // The session's manager may open its room days ahead.
        let r = client()
            .get(format!("{}/sessions/{id}/live", app.base))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let room = r.headers()["location"].to_str().unwrap().to_string();
        let url = format!("{}{room}", app.base);
        // Ten days ahead at 18:30: nine or ten whole days from now, whatever the hour.
        let (status, fr) = page_as(&admin, &url, "fr").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            fr.contains(">Commence dans 10 jours<") || fr.contains(">Commence dans 9 jours<"),
            "{fr}"
        );
        // What the script shows as the start comes near, each plural written by Fluent.
        for s in [
            "Commence dans 1 jour",
            "Commence dans 1 heure",
            "Commence dans 2 heures",
            "Commence dans 1 minute",
            "Commence dans 2 minutes",
        ] {
            assert!(fr.contains(s), "{s}: {fr}");
        }
        assert!(fr.contains("data-starts-at=\""), "{fr}");
        let (_, en) = page_as(&admin, &url, "en").await;
        assert!(
            en.contains(">Starts in 10 days<") || en.contains(">Starts in 9 days<"),
            "{en}"
        );
        for s in [
            "Starts in 1 day",
            "Starts in 1 hour",
            "Starts in 2 hours",
            "Starts in 1 minute",
        ] {
            assert!(en.contains(s), "{s}: {en}");
        }
        // Once the session has started, the countdown is the script's again.
        super::sessions_report::move_to_past(&app, id, 5).await;
        let (_, fr) = page_as(&admin, &url, "fr").await;
        assert!(
            !fr.contains("Commence dans") && !fr.contains("data-starts-at"),
            "{fr}"
        );
    })
    .await;
}

#[tokio::test]
async fn french_elides_de_before_a_members_name() {
    on_both(|app| async move {
        admin_token(&app).await;
        for (handle, name) in [("anna", "Anna Schmidt"), ("bruno", "Bruno Petit")] {
            app.store
                .create_member(&NewMember {
                    handle: handle.into(),
                    display_name: name.into(),
                    email: Some(format!("{handle}@client.example")),
                    password_hash: None,
                    site_role: SiteRole::Member,
                    ecosystem_role: EcosystemRole::Customer,
                    organisation: String::new(),
                    bio: String::new(),
                    lang: "fr".into(),
                    created_at: now_millis(),
                })
                .await
                .unwrap();
        }
        let (c, _) = admin_session(&app).await;
        let page = |path: &str, lang: &'static str| {
            let url = format!("{}{path}", app.base);
            let c = c.clone();
            async move {
                let r = c
                    .get(url)
                    .header("accept-language", lang)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                r.text().await.unwrap()
            }
        };
        for path in ["/members/anna", "/members/anna/delete"] {
            let fr = page(path, "fr").await;
            assert!(
                fr.contains("Supprimer le compte d&#x27;Anna Schmidt"),
                "{path}: {fr}"
            );
            assert!(!fr.contains("compte de Anna"), "{path}: {fr}");
            let en = page(path, "en").await;
            assert!(
                en.contains("Delete the account of Anna Schmidt"),
                "{path}: {en}"
            );
        }
        let fr = page("/members/bruno", "fr").await;
        assert!(fr.contains("Supprimer le compte de Bruno Petit"), "{fr}");
    })
    .await;
}

#[tokio::test]
async fn the_challenge_page_puts_no_form_inside_a_paragraph() {
    let app = spawn_app().await;
    let admin = super::sessions::setup(&app).await;
    let ines = format!(
        "Bearer {}",
        super::content::member_token(&app, "ines").await
    );
    let bob = format!("Bearer {}", super::content::member_token(&app, "bob").await);
    let post = |auth: String, path: String, body: Value| {
        let url = format!("{}/api/v1{path}", app.base);
        async move {
            client()
                .post(url)
                .header("authorization", auth)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let mut body = super::content::challenge_body();
    body["evaluators"] = json!([]);
    let r = post(admin.clone(), "/spaces/forum/challenges".into(), body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let id = v["challenge"]["id"].as_i64().unwrap();
    let r = post(
        admin.clone(),
        format!("/challenges/{id}/state"),
        json!({"state": "open"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let entry = json!({"title": "Consigne", "body": "Des bocaux consignés.", "accept_rules": true});
    let r = post(ines, format!("/challenges/{id}/entries"), entry).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // Bob may vote: the page carries the vote form, outside any paragraph.
    let (status, html) = page_as(&bob, &format!("{}/challenges/{id}", app.base), "fr").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("/vote\""), "{html}");
    for (i, _) in html.match_indices("<p") {
        let rest = &html[i..];
        if !(rest[2..].starts_with('>') || rest[2..].starts_with(' ')) {
            continue; // <path, <pre…
        }
        let end = rest.find("</p>").unwrap_or(rest.len());
        assert!(
            !rest[..end].contains("<form"),
            "a form inside <p>: {}",
            &rest[..end]
        );
    }
}

#[tokio::test]
async fn the_feed_shows_no_preposition_as_a_keyword() {
    let app = spawn_app().await;
    let (auth, _) = super::embeds::seed_thread(&app, 0).await;
    let c = client();
    // The admin writes about forms and answers, with "avant" all over; a member's thread
    // shares those words.
    let thread = |title: &'static str, body: &'static str, auth: String| {
        let url = format!("{}/api/v1/spaces/forum/threads", app.base);
        let c = c.clone();
        async move {
            let r = c
                .post(url)
                .header("authorization", auth)
                .json(&json!({"title": title, "body": body}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let lea = format!("Bearer {}", super::content::member_token(&app, "lea").await);
    thread(
        "Formulaire de réponse avant la clôture",
        "Avant tout, le formulaire : une réponse avant vendredi, avant midi. Formulaire, réponse, avant.",
        auth.clone(),
    )
    .await;
    thread(
        "Réponse au formulaire avant lundi",
        "Le formulaire attend votre réponse avant lundi ; avant cela, relisez le formulaire.",
        lea,
    )
    .await;
    let feed: Value = c
        .get(format!("{}/api/v1/spaces/forum/feed", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Léa's thread is there for the words it shares, and "avant" is not one shown.
    let items = feed["items"].as_array().unwrap();
    let lea_terms: Vec<&Value> = items
        .iter()
        .filter(|it| it["thread"]["title"] == "Réponse au formulaire avant lundi")
        .flat_map(|it| it["reasons"].as_array().unwrap())
        .filter(|r| r["kind"] == "terms")
        .collect();
    assert_eq!(lea_terms.len(), 1, "{feed:#}");
    assert_eq!(
        lea_terms[0]["names"],
        json!(["formulaire", "réponse"]),
        "{feed:#}"
    );
    for it in items {
        for r in it["reasons"].as_array().unwrap() {
            if r["kind"] == "terms" {
                let names = r["names"].as_array().unwrap();
                assert!(!names.contains(&json!("avant")), "{feed:#}");
            }
        }
    }
    // The page says it in both languages.
    let url = format!("{}/s/forum/feed", app.base);
    let (_, fr) = page_as(&auth, &url, "fr").await;
    assert!(fr.contains("À propos de formulaire, réponse\n"), "{fr}");
    assert!(!fr.contains(", avant"), "{fr}");
    let (_, en) = page_as(&auth, &url, "en").await;
    assert!(en.contains("About formulaire, réponse\n"), "{en}");
    assert!(!en.contains(", avant"), "{en}");
}

#[tokio::test]
async fn the_embed_funnel_writes_its_money_as_the_reader_does_and_its_csv_for_machines() {
    on_both(|app| async move {
        let (auth, tid) = super::embeds::seed_thread(&app, 1).await;
        let r = client()
            .put(format!("{}/api/v1/spaces/forum/embed", app.base))
            .header("authorization", &auth)
            .json(&json!({"origins": "https://blog.example", "cta_label": "S'inscrire",
                "cta_url": "https://novea.example/inscription"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // A visitor clicks the widget's call to action; the organisation's pixel reports a
        // purchase worth 59.90 for that click.
        let frame = client()
            .get(format!(
                "{}/embed/thread/{tid}?origin=https%3A%2F%2Fblog.example&host=https%3A%2F%2Fblog.example%2Fpost",
                app.base
            ))
            .send()
            .await
            .unwrap();
        let html = super::embeds::unescaped(frame.text().await.unwrap());
        let cta = html
            .split("id=\"pv-cta\" href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(client().get(&cta).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        let click_id = cta.split("/r/").nth(1).unwrap().split('?').next().unwrap();
        let r = client()
            .get(format!(
                "{}/embed/c.gif?click_id={click_id}&type=purchase&transaction_id=T-1&value=59.90",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "image/gif");
        let (ac, _) = admin_session(&app).await;
        let page = |lang: &'static str| {
            let ac = ac.clone();
            let url = format!("{}/admin/spaces/forum/embeds", app.base);
            async move {
                let r = ac.get(&url).header("accept-language", lang).send().await.unwrap();
                r.text().await.unwrap()
            }
        };
        let fr = page("fr").await;
        assert!(fr.contains("<td>59,90</td>"), "{fr}");
        assert!(!fr.contains("59.90"), "{fr}");
        let en = page("en").await;
        assert!(en.contains("<td>59.90</td>"), "{en}");
        assert!(!en.contains("59,90"), "{en}");
        // The export stays machine-readable whatever the reader's language.
        let csv = ac
            .get(format!("{}/admin/spaces/forum/embeds.csv", app.base))
            .header("accept-language", "fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(csv.ends_with(",1,1,59.90\n"), "{csv}");
    })
    .await;
}

#[tokio::test]
async fn the_events_roi_and_cost_read_as_the_reader_writes_them() {
    on_both(|app| async move {
        let auth = super::sessions::setup(&app).await;
        let r = client()
            .post(format!(
                "{}/api/v1/spaces/forum/topics/roi/sessions",
                app.base
            ))
            .header("authorization", &auth)
            .json(&super::sessions::session_body(None))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["session"]["id"]
            .as_i64()
            .unwrap();
        // 1 500.00 spent, nothing brought in yet: all of it lost.
        let r = client()
            .put(format!(
                "{}/api/v1/spaces/forum/sessions/{id}/cost",
                app.base
            ))
            .header("authorization", &auth)
            .json(&json!({"cost_cents": 150_000}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let url = format!("{}/s/forum/measures", app.base);
        let (status, fr) = page_as(&auth, &url, "fr").await;
        assert_eq!(status, StatusCode::OK);
        assert!(fr.contains("<td>\u{2212}100\u{a0}%</td>"), "{fr}");
        assert!(fr.contains("1\u{202f}500,00"), "{fr}");
        let (_, en) = page_as(&auth, &url, "en").await;
        assert!(en.contains("<td>\u{2212}100%</td>"), "{en}");
        assert!(en.contains("1,500.00") && !en.contains("100 %"), "{en}");
    })
    .await;
}

#[tokio::test]
async fn the_room_reports_poll_shares_in_the_readers_typography() {
    use super::live::{act, member_token};
    on_both(|app| async move {
        let auth = super::sessions::setup(&app).await;
        let id =
            super::sessions::create_session(&app, &auth, super::sessions::session_body(None)).await;
        let voters = [
            member_token(&app, "ana", SiteRole::Member).await,
            member_token(&app, "bob", SiteRole::Member).await,
            member_token(&app, "cleo", SiteRole::Member).await,
        ];
        for t in &voters {
            let r = client()
                .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
                .bearer_auth(t)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        super::sessions_report::move_to_past(&app, id, 20).await;
        let token = |t: &str| t.strip_prefix("Bearer ").unwrap_or(t).to_string();
        let mut room = 0;
        for t in voters.iter().chain([&auth]) {
            let r = client()
                .get(format!("{}/sessions/{id}/live", app.base))
                .bearer_auth(token(t))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            let to = r.headers()["location"].to_str().unwrap().to_string();
            room = to.strip_prefix("/live/").unwrap().parse().unwrap();
        }
        let poll = json!({"action": "open_poll", "title": "Le salon vaut-il son prix ?",
            "kind": {"type": "single", "options": ["Oui", "Non"]}});
        let modo = token(&auth);
        assert_eq!(act(&app, &modo, room, poll).await.status(), StatusCode::OK);
        // Two of three say yes: 67 % and 33 %, whole percentages as before.
        for (t, o) in voters.iter().zip([0, 0, 1]) {
            let answer = json!({"action": "answer", "poll": 1,
                "answer": {"type": "choice", "option": o}});
            assert_eq!(
                act(&app, &token(t), room, answer).await.status(),
                StatusCode::OK
            );
        }
        act(
            &app,
            &modo,
            room,
            json!({"action": "close_poll", "poll": 1}),
        )
        .await;
        let url = format!("{}/sessions/{id}/close", app.base);
        let (status, fr) = page_as(&auth, &url, "fr").await;
        assert_eq!(status, StatusCode::OK);
        assert!(fr.contains("Oui\u{a0}: 2 (67\u{a0}%)"), "{fr}");
        assert!(fr.contains("Non\u{a0}: 1 (33\u{a0}%)"), "{fr}");
        let (_, en) = page_as(&auth, &url, "en").await;
        assert!(en.contains(": 2 (67%)") && en.contains(": 1 (33%)"), "{en}");
        assert!(!en.contains("67 %") && !en.contains("33\u{a0}%"), "{en}");
        // The fairness table's shares too: the invited speaker has not spoken yet.
        let fairness = |page: &str| page[page.find("id=\"room-fairness\"").unwrap()..].to_string();
        assert!(fairness(&fr).contains("<td>0\u{a0}%</td>"), "{fr}");
        assert!(fairness(&en).contains("<td>0%</td>"), "{en}");
    })
    .await;
}

//! Taking part in a challenge from its widget (issue 15): on a partner's blog, a visitor signs
//! in by the emailed link, submits an entry with the rules accepted, and the entry is on the
//! challenge's page under their name, never their address. The frame offers the form only
//! while the challenge takes entries; a sign-in made for another space's widget is refused.
//! A visitor who came through a member's share link is credited to that member for the entry
//! they submit from the widget, as on the challenge's page. The challenge's page offers the
//! two-line snippet; every entry, from the page, the API or the widget, reaches the
//! organisation's signed `submission.created` webhook; and what visitors do from a widget
//! (post, like, submit) counts as engagement in the embed funnel.

use super::content::challenge_body;
use super::embed_posting::{HOST, sign_in_to, widget, widget_post};
use super::embeds::unescaped;
use super::*;

async fn submit(app: &App, token: &str, id: i64, body: Value) -> reqwest::Response {
    widget_post(app, token, &format!("challenges/{id}/entries"), body).await
}

/// An open challenge of `space`, posed by the admin; its id.
pub(super) async fn open_challenge(app: &App, admin: &str, space: &str) -> i64 {
    let id = pose_challenge(app, admin, space).await;
    set_state(app, admin, id, "open").await;
    id
}

/// A draft challenge of `space`, posed by the admin; its id.
async fn pose_challenge(app: &App, admin: &str, space: &str) -> i64 {
    let r = client()
        .post(format!("{}/api/v1/spaces/{space}/challenges", app.base))
        .header("authorization", admin)
        .json(&challenge_body())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["challenge"]["id"]
        .as_i64()
        .unwrap()
}

pub(super) async fn set_state(app: &App, admin: &str, id: i64, state: &str) {
    let r = client()
        .post(format!("{}/api/v1/challenges/{id}/state", app.base))
        .header("authorization", admin)
        .json(&json!({"state": state}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

pub(super) async fn frame(app: &App, id: i64) -> String {
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

#[tokio::test]
async fn the_challenge_page_offers_the_two_line_snippet_once_open() {
    let app = spawn_app().await;
    let admin = super::sessions::setup(&app).await;
    super::content::member_token(&app, "eva").await;
    let id = pose_challenge(&app, &admin, "forum").await;
    let page = |c: reqwest::Client| {
        let url = format!("{}/challenges/{id}", app.base);
        async move { unescaped(c.get(url).send().await.unwrap().text().await.unwrap()) }
    };
    // A draft has no widget yet: its admin sees no Embed box.
    let (ac, _) = admin_session(&app).await;
    let draft = page(ac).await;
    assert!(draft.contains("Réduire nos emballages"), "{draft}");
    assert!(!draft.contains("data-parvis-embed"), "{draft}");

    set_state(&app, &admin, id, "open").await;
    let html = page(client()).await;
    let key = format!("challenge/{id}");
    assert!(
        html.contains(&format!(
            "&lt;div data-parvis-embed=\"{key}\"&gt;&lt;/div&gt;\n&lt;script async src=\"{}/assets/embed.js\"&gt;&lt;/script&gt;",
            app.base
        )),
        "{html}"
    );
    assert!(html.contains(&format!("data-parvis-preview=\"{key}\" data-lang=\"fr\"")));
    // The snippet's script answers, and so does the widget it mounts: the challenge's card.
    let r = client()
        .get(format!("{}/assets/embed.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(r.text().await.unwrap().contains("data-parvis-embed"));
    let card = frame(&app, id).await;
    assert!(card.contains("Réduire nos emballages"), "{card}");
}

/// The admin subscribes a local receiver to `submission.created` only; its URL, what it got
/// and the endpoint's secret.
async fn submission_hook(
    app: &App,
) -> (
    std::sync::Arc<std::sync::Mutex<Vec<(reqwest::header::HeaderMap, String)>>>,
    String,
) {
    let (hook, got) = super::embeds::webhook_sink().await;
    let (ac, csrf) = admin_session(app).await;
    let page = ac
        .post(format!("{}/admin/spaces/forum/embeds/webhooks", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", hook.as_str()),
            ("ev_submission.created", "1"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = unescaped(page);
    assert!(page.contains("submission.created"), "{page}");
    let secret = page
        .split("<code>whsec_")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap();
    (got, format!("whsec_{secret}"))
}

#[tokio::test]
async fn entries_from_the_page_the_api_and_the_widget_reach_the_signed_webhook() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        super::content::member_token(&app, "eva").await;
        let id = open_challenge(&app, &admin, "forum").await;
        let (got, secret) = submission_hook(&app).await;
        let entry = |title: &str| {
            json!({"title": title, "body": "Des distributeurs en vrac.", "links": ["https://vrac.example"], "accept_rules": true})
        };
        // From the API (Inès) …
        let ines = format!(
            "Bearer {}",
            super::content::member_token(&app, "ines").await
        );
        let r = super::content::post(
            &client(),
            format!("{}/api/v1/challenges/{id}/entries", app.base),
            &ines,
            entry("Par l'API"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        // … refused without the rules accepted: nothing is sent for it …
        let mut no_rules = entry("Sans règlement");
        no_rules["accept_rules"] = json!(false);
        let r = super::content::post(
            &client(),
            format!("{}/api/v1/challenges/{id}/entries", app.base),
            &ines,
            no_rules,
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // … from the page (Bob) …
        super::content::member_token(&app, "bob").await;
        let (bc, _) = super::privacy::member_session(&app, "bob").await;
        let form = bc
            .get(format!("{}/challenges/{id}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = form
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = bc
            .post(format!("{}/challenges/{id}/entries", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("title", "Par la page"),
                ("body", "Des consignes."),
                ("links", ""),
                ("accept_rules", "1"),
            ])
            .send()
            .await
            .unwrap();
        let status = r.status();
        let back = r.text().await.unwrap();
        assert!(status.is_success() || status.is_redirection(), "{status} {back}");
        // … and from the widget on a partner's blog (Zoé, a visitor).
        let token = sign_in_to(&app, &format!("challenge/{id}"), "zoe@visiteurs.example").await;
        let r = submit(&app, &token, id, entry("Par le widget")).await;
        assert_eq!(r.status(), StatusCode::CREATED);

        assert_eq!(app.services.deliver_due_webhooks().await.unwrap(), 3);
        let got = got.lock().unwrap().clone();
        assert_eq!(got.len(), 3);
        let mut titles = Vec::new();
        for (h, b) in &got {
            // Signed as Standard Webhooks sign: v1,<base64 HMAC of id.timestamp.body>.
            let wid = h["webhook-id"].to_str().unwrap();
            let ts: i64 = h["webhook-timestamp"].to_str().unwrap().parse().unwrap();
            assert_eq!(
                h["webhook-signature"].to_str().unwrap(),
                parvis_services::embeds::webhooks::webhook_signature(&[&secret], wid, ts, b)
            );
            let v: Value = serde_json::from_str(b).unwrap();
            assert_eq!(v["type"], "submission.created");
            let d = &v["data"];
            assert_eq!(d["challenge_id"].as_i64(), Some(id));
            assert_eq!(d["challenge_title"], "Réduire nos emballages");
            assert_eq!(d["challenge_kind"], "ideas");
            let eid = d["entry_id"].as_i64().unwrap();
            assert_eq!(
                d["url"],
                format!("{}/challenges/{id}#entry-{eid}", app.base)
            );
            assert!(d["author"]["display_name"].as_str().is_some_and(|n| !n.is_empty()));
            // The entrant is named as on the page, never by address.
            assert!(!b.contains("@visiteurs.example") && !b.contains("@content.example"), "{b}");
            titles.push((
                d["title"].as_str().unwrap().to_string(),
                d["author"]["handle"].as_str().unwrap().to_string(),
            ));
        }
        titles.sort();
        assert_eq!(titles[0], ("Par l'API".into(), "ines".into()));
        assert_eq!(titles[1], ("Par la page".into(), "bob".into()));
        assert_eq!(titles[2].0, "Par le widget");
    })
    .await;
}

/// A widget call made by a visitor's browser (`ua`) from a page of the partner's blog.
async fn from_blog(app: &App, token: &str, ua: &str, path: &str, body: Value) -> StatusCode {
    widget()
        .post(format!("{}/api/v1/embed/{path}", app.base))
        .header("authorization", format!("Bearer {token}"))
        .header("x-parvis-host", HOST)
        .header("x-parvis-page", "https://blog.example/article?utm_source=x")
        .header("user-agent", ua)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn posts_likes_and_entries_from_a_widget_count_as_engagement() {
    on_both(|app| async move {
        let (auth, tid) = super::embeds::seed_thread(&app, 1).await;
        super::content::member_token(&app, "eva").await;
        let cid = open_challenge(&app, &auth, "forum").await;
        let thread: Value = client()
            .get(format!("{}/api/v1/threads/{tid}", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mid = thread["messages"]["items"][0]["id"].as_i64().unwrap();
        // Four visitors see the widgets on the article, as the frame's beacon tells.
        let view = |key: String, ua: &'static str| {
            let url = format!(
                "{}/embed/e?k={}&e=view&h=https%3A%2F%2Fblog.example%2Farticle",
                app.base,
                key.replace('/', "%2F")
            );
            async move {
                let r = client()
                    .post(url)
                    .header("user-agent", ua)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::NO_CONTENT);
            }
        };
        for ua in ["A", "B", "C"] {
            view(format!("thread/{tid}"), ua).await;
        }
        view(format!("challenge/{cid}"), "D").await;
        // A replies, then likes; B likes and takes it back; C only reads.
        let a = sign_in_to(&app, &format!("thread/{tid}"), "a@visiteurs.example").await;
        let s = from_blog(
            &app,
            &a,
            "A",
            &format!("threads/{tid}/messages"),
            json!({"body": "Nous comptons les badges scannés."}),
        )
        .await;
        assert!(
            matches!(s, StatusCode::CREATED | StatusCode::ACCEPTED),
            "{s}"
        );
        let like = |on: bool| json!({"kind": "like", "on": on});
        let reactions = format!("messages/{mid}/reactions");
        assert_eq!(
            from_blog(&app, &a, "A", &reactions, like(true)).await,
            StatusCode::NO_CONTENT
        );
        let b = sign_in_to(&app, &format!("thread/{tid}"), "b@visiteurs.example").await;
        assert_eq!(
            from_blog(&app, &b, "B", &reactions, like(true)).await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            from_blog(&app, &b, "B", &reactions, like(false)).await,
            StatusCode::NO_CONTENT
        );
        // D submits an entry from the challenge's widget.
        let d = sign_in_to(&app, &format!("challenge/{cid}"), "d@visiteurs.example").await;
        let s = from_blog(
            &app,
            &d,
            "D",
            &format!("challenges/{cid}/entries"),
            json!({"title": "Vrac", "body": "Du vrac.", "accept_rules": true}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);

        let f: Value = client()
            .get(format!("{}/api/v1/spaces/forum/embed/funnel", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let row = |key: String| {
            f["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["embed"] == key)
                .cloned()
                .unwrap_or_else(|| panic!("no row for {key}: {f}"))
        };
        // Engaged visitors, not actions: A (reply and like) once, B (a like) once, C not.
        let t = row(format!("thread/{tid}"));
        assert_eq!(t["host"], "https://blog.example/article", "{f}");
        assert_eq!(
            (t["impressions"].as_i64(), t["engagements"].as_i64()),
            (Some(3), Some(2)),
            "{f}"
        );
        let c = row(format!("challenge/{cid}"));
        assert_eq!(
            (c["impressions"].as_i64(), c["engagements"].as_i64()),
            (Some(1), Some(1)),
            "{f}"
        );
        assert_eq!(f["rows"].as_array().unwrap().len(), 2, "{f}");
    })
    .await;
}

//! Voting from a widget (issue 14): a visitor signed in on a partner's blog votes for a
//! challenge's entries — once per entry, withdrawn and given again, refused once the
//! challenge is closed, never without the widget's token — and on an opinion map's
//! statements one after another, counted in the map as a member's vote on the page. Both
//! count as engagement of that embed in the funnel, as a like does. And the share code at
//! the end of a host page's address reaches the frame even when the loader had to cut it.

use super::content::member_token;
use super::content_unvote::votes;
use super::embed_entries::{frame, open_challenge, set_state};
use super::embed_posting::{HOST, sign_in_to, widget};
use super::*;

/// A call of the widget on the partner's blog (`/api/v1/embed/{path}`), with `token` when
/// given, from the browser `ua` on the blog's article.
pub(super) async fn from_blog(
    app: &App,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    ua: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = widget()
        .request(method, format!("{}/api/v1/embed/{path}", app.base))
        .header("x-parvis-host", HOST)
        .header("x-parvis-page", "https://blog.example/article")
        .header("user-agent", ua);
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

pub(super) async fn vote(app: &App, token: &str, entry: i64) -> reqwest::Response {
    let path = format!("challenge-entries/{entry}/vote");
    from_blog(app, reqwest::Method::POST, &path, Some(token), "Z", None).await
}

pub(super) async fn withdraw(app: &App, token: &str, entry: i64) -> reqwest::Response {
    let path = format!("challenge-entries/{entry}/vote");
    from_blog(app, reqwest::Method::DELETE, &path, Some(token), "Z", None).await
}

/// What the widget learns of the caller's own votes and entries in challenge `id`.
async fn mine(app: &App, token: &str, id: i64) -> Value {
    let path = format!("challenges/{id}/votes");
    let r = from_blog(app, reqwest::Method::GET, &path, Some(token), "Z", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// An entry of member `handle` (through the API) in challenge `id`; its id.
pub(super) async fn entry_by(app: &App, handle: &str, id: i64, title: &str) -> i64 {
    let auth = format!("Bearer {}", member_token(app, handle).await);
    let r = super::content::post(
        &client(),
        format!("{}/api/v1/challenges/{id}/entries", app.base),
        &auth,
        json!({"title": title, "body": "Des bocaux consignés.", "accept_rules": true}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_visitor_votes_for_an_entry_from_the_challenge_widget_once_and_withdraws_it() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        member_token(&app, "eva").await;
        let id = open_challenge(&app, &admin, "forum").await;
        let e1 = entry_by(&app, "ines", id, "Consigne des bocaux").await;

        // The open challenge's card lists the entry with its vote button (shown once signed
        // in), named by the entry; the count stays hidden, as the challenge chose.
        let card = frame(&app, id).await;
        assert!(card.contains("Consigne des bocaux"), "{card}");
        assert!(
            card.contains(&format!(
                r#"data-e="{e1}" id="pv-v{e1}" aria-labelledby="pv-v{e1} pv-e{e1}" aria-pressed="false" hidden>Voter</button>"#
            )),
            "{card}"
        );
        assert!(!card.contains("pv-votes"), "hidden votes shown: {card}");

        let zoe = sign_in_to(&app, &format!("challenge/{id}"), "zoe@visiteurs.example").await;
        assert_eq!(mine(&app, &zoe, id).await, json!({"voted": [], "own": []}));
        // Without the widget's token, nothing is counted.
        let path = format!("challenge-entries/{e1}/vote");
        let r = from_blog(&app, reqwest::Method::POST, &path, None, "Z", None).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(votes(&client(), &app, &admin, id, e1).await, 0);

        // She votes: counted, and the widget learns it is hers (after a reload too).
        assert_eq!(vote(&app, &zoe, e1).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(votes(&client(), &app, &admin, id, e1).await, 1);
        assert_eq!(mine(&app, &zoe, id).await["voted"], json!([e1]));
        // Twice is refused as on the page, and counted once.
        let (status, p) = problem(vote(&app, &zoe, e1).await).await;
        assert_eq!(status, StatusCode::CONFLICT, "{p}");
        assert_eq!(votes(&client(), &app, &admin, id, e1).await, 1);

        // She withdraws it: no longer counted; withdrawing again names what is missing.
        assert_eq!(
            withdraw(&app, &zoe, e1).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(votes(&client(), &app, &admin, id, e1).await, 0);
        assert_eq!(mine(&app, &zoe, id).await["voted"], json!([]));
        assert_eq!(
            withdraw(&app, &zoe, e1).await.status(),
            StatusCode::NOT_FOUND
        );
        // And gives it again.
        assert_eq!(vote(&app, &zoe, e1).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(votes(&client(), &app, &admin, id, e1).await, 1);

        // Her own entry, sent from the widget, is hers: not to be voted for.
        let r = super::embed_posting::widget_post(
            &app,
            &zoe,
            &format!("challenges/{id}/entries"),
            json!({"title": "Vrac", "body": "Du vrac.", "accept_rules": true}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let own = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert_eq!(
            mine(&app, &zoe, id).await,
            json!({"voted": [e1], "own": [own]})
        );
        assert_eq!(vote(&app, &zoe, own).await.status(), StatusCode::FORBIDDEN);

        // A sign-in made for this space votes in no other space's challenge.
        let r = client()
            .post(format!("{}/api/v1/spaces", app.base))
            .header("authorization", &admin)
            .json(&json!({"slug": "autre", "name": "Autre espace"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let other = open_challenge(&app, &admin, "autre").await;
        let elsewhere = entry_by(&app, "bob", other, "Ailleurs").await;
        assert_eq!(
            vote(&app, &zoe, elsewhere).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(votes(&client(), &app, &admin, other, elsewhere).await, 0);

        // Once the challenge is being judged, votes are closed both ways, as on the page.
        set_state(&app, &admin, id, "judging").await;
        for r in [vote(&app, &zoe, e1).await, withdraw(&app, &zoe, e1).await] {
            let (status, p) = problem(r).await;
            assert_eq!(
                (status, p["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("vote")),
                "{p}"
            );
        }
        assert_eq!(votes(&client(), &app, &admin, id, e1).await, 1);
    })
    .await;
}

/// Two accepted statements on the topic `roi` (an admin's are accepted at once); their ids.
pub(super) async fn two_statements(app: &App, admin: &str) -> [i64; 2] {
    let mut ids = [0; 2];
    for (i, body) in [
        "Les salons rapportent plus qu'ils ne coûtent.",
        "Le badge scanné suffit à mesurer.",
    ]
    .into_iter()
    .enumerate()
    {
        let r = client()
            .post(format!(
                "{}/api/v1/spaces/forum/topics/roi/statements",
                app.base
            ))
            .header("authorization", admin)
            .json(&json!({"body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let s: Value = r.json().await.unwrap();
        assert_eq!(s["status"], "accepted");
        ids[i] = s["id"].as_i64().unwrap();
    }
    ids
}

/// The map of `roi` as anyone sees it, once it counts `votes` votes (recomputed at most once
/// a second after a vote).
pub(super) async fn map_with(app: &App, votes: u64) -> Value {
    for _ in 0..40 {
        let r: Value = client()
            .get(format!(
                "{}/api/v1/spaces/forum/topics/roi/opinion",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if r["n_votes"].as_u64() == Some(votes) {
            return r;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the map never counted {votes} votes");
}

#[tokio::test]
async fn a_visitor_votes_on_statements_from_the_opinion_widget_and_the_map_counts_them() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let [s1, s2] = two_statements(&app, &admin).await;
        // The map's card offers to vote, in French, once signed in.
        let r = widget()
            .get(format!(
                "{}/embed/opinion/forum/roi?lang=fr&origin=https%3A%2F%2Fblog.example",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let card = r.text().await.unwrap();
        assert!(card.contains(r#"id="pv-opinion""#), "{card}");
        assert!(card.contains("embed-post.js"));
        for said in [
            ">D&#x27;accord</button>",
            ">Pas d&#x27;accord</button>",
            ">Je passe</button>",
        ] {
            assert!(card.contains(said), "no {said} in {card}");
        }

        let zoe = sign_in_to(&app, "opinion/forum/roi", "zoe@visiteurs.example").await;
        let next = |token: Option<String>| {
            let app = &app;
            async move {
                from_blog(
                    app,
                    reqwest::Method::GET,
                    "opinion/forum/roi/next-statement",
                    token.as_deref(),
                    "Z",
                    None,
                )
                .await
            }
        };
        let cast = |id: i64, value: &'static str| {
            let (app, zoe) = (&app, zoe.clone());
            async move {
                from_blog(
                    app,
                    reqwest::Method::POST,
                    &format!("opinion/forum/roi/statements/{id}/votes"),
                    Some(&zoe),
                    "Z",
                    Some(json!({"value": value})),
                )
                .await
            }
        };
        // Not without the widget's token.
        assert_eq!(next(None).await.status(), StatusCode::UNAUTHORIZED);
        // One statement, then the other, then nothing left.
        let r = next(Some(zoe.clone())).await;
        let status = r.status();
        let first: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{first}");
        let first_id = first["id"].as_i64().unwrap();
        assert!([s1, s2].contains(&first_id));
        assert!(first.get("author_id").is_none(), "{first}");
        // A vote that is not agree, disagree or pass is refused by name.
        let (status, p) = problem(cast(first_id, "maybe").await).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("value")),
            "{p}"
        );
        assert_eq!(
            cast(first_id, "agree").await.status(),
            StatusCode::NO_CONTENT
        );
        let second: Value = next(Some(zoe.clone())).await.json().await.unwrap();
        let second_id = second["id"].as_i64().unwrap();
        assert_ne!(second_id, first_id);
        assert_eq!(
            cast(second_id, "disagree").await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            next(Some(zoe.clone())).await.status(),
            StatusCode::NO_CONTENT
        );

        // A member votes on the page's API too: both count in the map alike, as totals only.
        let ines = format!("Bearer {}", member_token(&app, "ines").await);
        for s in [s1, s2] {
            let r = client()
                .post(format!("{}/api/v1/statements/{s}/votes", app.base))
                .header("authorization", &ines)
                .json(&json!({"value": "agree"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
        }
        let map = map_with(&app, 4).await;
        assert_eq!(map["n_participants"].as_u64(), Some(2), "{map}");
        let stats = |id: i64| {
            map["statements"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"].as_i64() == Some(id))
                .cloned()
                .unwrap()
        };
        assert_eq!(
            (
                stats(first_id)["agrees"].as_u64(),
                stats(first_id)["disagrees"].as_u64()
            ),
            (Some(2), Some(0))
        );
        assert_eq!(
            (
                stats(second_id)["agrees"].as_u64(),
                stats(second_id)["disagrees"].as_u64()
            ),
            (Some(1), Some(1))
        );
        // Nobody else learns who voted what: no participant in what the public sees.
        assert!(map.get("participants").is_none(), "{map}");

        // A statement of another topic is not this map's.
        let r = client()
            .post(format!("{}/api/v1/spaces/forum/topics", app.base))
            .header("authorization", &admin)
            .json(&json!({"title": "Autre sujet", "slug": "autre"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = client()
            .post(format!(
                "{}/api/v1/spaces/forum/topics/autre/statements",
                app.base
            ))
            .header("authorization", &admin)
            .json(&json!({"body": "Ailleurs."}))
            .send()
            .await
            .unwrap();
        let elsewhere = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert_eq!(
            cast(elsewhere, "agree").await.status(),
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn votes_from_the_challenge_and_opinion_widgets_count_as_engagement() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        member_token(&app, "eva").await;
        let id = open_challenge(&app, &admin, "forum").await;
        let e1 = entry_by(&app, "ines", id, "Consigne des bocaux").await;
        let [s1, _] = two_statements(&app, &admin).await;
        // Three visitors see the challenge's widget on the article, one the map's.
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
        let challenge_key = format!("challenge/{id}");
        for ua in ["A", "B", "C"] {
            view(challenge_key.clone(), ua).await;
        }
        view("opinion/forum/roi".into(), "D").await;
        // A votes; B votes and takes it back (one engaged visitor each); C only reads.
        let path = format!("challenge-entries/{e1}/vote");
        for (ua, email) in [("A", "a@visiteurs.example"), ("B", "b@visiteurs.example")] {
            let t = sign_in_to(&app, &challenge_key, email).await;
            let r = from_blog(&app, reqwest::Method::POST, &path, Some(&t), ua, None).await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
            if ua == "B" {
                let r = from_blog(&app, reqwest::Method::DELETE, &path, Some(&t), ua, None).await;
                assert_eq!(r.status(), StatusCode::NO_CONTENT);
            }
        }
        // D votes on a statement of the map.
        let d = sign_in_to(&app, "opinion/forum/roi", "d@visiteurs.example").await;
        let r = from_blog(
            &app,
            reqwest::Method::POST,
            &format!("opinion/forum/roi/statements/{s1}/votes"),
            Some(&d),
            "D",
            Some(json!({"value": "pass"})),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);

        let f: Value = client()
            .get(format!("{}/api/v1/spaces/forum/embed/funnel", app.base))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let row = |key: &str| {
            f["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["embed"] == key)
                .cloned()
                .unwrap_or_else(|| panic!("no row for {key}: {f}"))
        };
        let c = row(&challenge_key);
        assert_eq!(c["host"], "https://blog.example/article", "{f}");
        assert_eq!(
            (c["impressions"].as_i64(), c["engagements"].as_i64()),
            (Some(3), Some(2)),
            "{f}"
        );
        let o = row("opinion/forum/roi");
        assert_eq!(
            (o["impressions"].as_i64(), o["engagements"].as_i64()),
            (Some(1), Some(1)),
            "{f}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_share_code_sent_apart_from_a_cut_address_reaches_the_frame() {
    let app = spawn_app().await;
    let (_, tid) = super::embeds::seed_thread(&app, 1).await;
    // The loader cuts the host page's address at 500 characters; the code at its end came
    // apart, as `ref=`.
    let long = format!(
        "https://blog.example/article?{}",
        "utm_content=x&".repeat(40)
    );
    let cut: String = format!("{long}ref=Ab12Cd34Ef").chars().take(500).collect();
    assert!(!cut.contains("ref="));
    let data_ref = |query: String| {
        let url = format!("{}/embed/thread/{tid}?lang=fr&{query}", app.base);
        async move {
            let page = widget()
                .get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            page.split("data-ref=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_string()
        }
    };
    let host = |h: &str| url::form_urlencoded::byte_serialize(h.as_bytes()).collect::<String>();
    assert_eq!(
        data_ref(format!("host={}&ref=Ab12Cd34Ef", host(&cut))).await,
        "Ab12Cd34Ef"
    );
    // Without it, the code of an address short enough to be whole is still found there…
    assert_eq!(
        data_ref(format!(
            "host={}",
            host("https://blog.example/article?ref=Ab12Cd34Ef")
        ))
        .await,
        "Ab12Cd34Ef"
    );
    // … and a `ref=` not shaped like ours is left alone.
    assert_eq!(
        data_ref(format!("host={}&ref=news-2024", host(&cut))).await,
        ""
    );
}

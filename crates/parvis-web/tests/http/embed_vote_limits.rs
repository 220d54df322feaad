//! Rate limits per visitor on a widget's likes, votes and answers (issue 14): a visitor
//! clicking through an opinion map's statements is never stopped, a script holding a widget
//! token is, within a minute, with a 429 and `Retry-After`; the refused vote counts nowhere,
//! and another visitor goes on voting.

use super::content::member_token;
use super::content_unvote::votes;
use super::embed_entries::open_challenge;
use super::embed_posting::{sign_in_to, widget};
use super::embed_votes::{entry_by, from_blog, map_with, two_statements, vote, withdraw};
use super::*;
use parvis_services::ratelimit::WIDGET_ACTIONS_PER_MINUTE;

/// `token`'s vote `value` on statement `id` of the map `roi`, from its widget.
async fn cast(app: &App, token: &str, id: i64, value: &str) -> reqwest::Response {
    let path = format!("opinion/forum/roi/statements/{id}/votes");
    let body = Some(json!({"value": value}));
    from_blog(app, reqwest::Method::POST, &path, Some(token), "Z", body).await
}

/// The statement the map's widget offers `token` next.
async fn next_for(app: &App, token: &str) -> Value {
    let path = "opinion/forum/roi/next-statement";
    let r = from_blog(app, reqwest::Method::GET, path, Some(token), "Z", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn widget_votes_have_a_budget_per_visitor_and_over_it_nothing_is_counted() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let [s1, s2] = two_statements(&app, &admin).await;
        member_token(&app, "eva").await;
        let challenge = open_challenge(&app, &admin, "forum").await;
        let entry = entry_by(&app, "ines", challenge, "Consigne des bocaux").await;

        // Zoe changes her mind on a statement as often as the budget allows: all counted.
        let zoe = sign_in_to(&app, "opinion/forum/roi", "zoe@visiteurs.example").await;
        for i in 0..WIDGET_ACTIONS_PER_MINUTE {
            let value = if i % 2 == 0 { "agree" } else { "disagree" };
            let r = cast(&app, &zoe, s1, value).await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT, "vote {}", i + 1);
        }

        // One more is refused, saying when to come back.
        let r = cast(&app, &zoe, s2, "agree").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        let (_, p) = problem(r).await;
        assert_eq!(p["code"], "rate_limited", "{p}");

        // The budget is the visitor's, over every kind of vote: an entry's vote and its
        // withdrawal are refused too, and nothing is counted.
        for r in [
            vote(&app, &zoe, entry).await,
            withdraw(&app, &zoe, entry).await,
        ] {
            assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
            assert!(r.headers().contains_key("retry-after"));
        }
        assert_eq!(votes(&client(), &app, &admin, challenge, entry).await, 0);

        // The refused vote is not hers: the widget still offers her s2.
        assert_eq!(next_for(&app, &zoe).await["id"].as_i64(), Some(s2));

        // Another visitor is not slowed down by her.
        let yann = sign_in_to(&app, "opinion/forum/roi", "yann@visiteurs.example").await;
        assert_eq!(
            cast(&app, &yann, s2, "agree").await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            vote(&app, &yann, entry).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(votes(&client(), &app, &admin, challenge, entry).await, 1);

        // The map counts Zoe's last vote on s1 ("disagree": the budget is even) and Yann's on
        // s2, not her refused one.
        assert_eq!(WIDGET_ACTIONS_PER_MINUTE % 2, 0);
        let map = map_with(&app, 2).await;
        let of = |id: i64| {
            map["statements"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"].as_i64() == Some(id))
                .cloned()
                .unwrap()
        };
        assert_eq!(
            (of(s1)["agrees"].as_u64(), of(s1)["disagrees"].as_u64()),
            (Some(0), Some(1)),
            "{map}"
        );
        assert_eq!(
            (of(s2)["agrees"].as_u64(), of(s2)["disagrees"].as_u64()),
            (Some(1), Some(0)),
            "{map}"
        );

        // The widget says it in the visitor's language.
        let card = widget()
            .get(format!(
                "{}/embed/opinion/forum/roi?lang=fr&origin=https%3A%2F%2Fblog.example",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            card.contains(
                r#"data-too-fast="Cela fait beaucoup en peu de temps : patientez un peu, puis réessayez.""#
            ),
            "{card}"
        );

        // And the API's document says every widget like, vote and answer can be refused so.
        let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for (path, method) in [
            ("/api/v1/embed/messages/{id}/reactions", "post"),
            ("/api/v1/embed/challenge-entries/{entry}/vote", "post"),
            ("/api/v1/embed/challenge-entries/{entry}/vote", "delete"),
            (
                "/api/v1/embed/opinion/{space}/{topic}/statements/{id}/votes",
                "post",
            ),
            ("/api/v1/embed/surveys/{token}/answers", "post"),
        ] {
            let op = &doc["paths"][path][method];
            assert!(op["responses"]["429"].is_object(), "{method} {path}: {op}");
        }
    })
    .await;
}

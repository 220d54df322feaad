//! A room's questions as the API lists them: pinned first, then by votes or by time, the
//! order chosen with `?sort=` and documented in the OpenAPI document.

use super::live::{act, member_token, open_room};
use super::*;

/// The ids of the room's questions as `GET /api/v1/rooms/{room}{query}` lists them.
async fn listed(app: &App, token: &str, room: i64, query: &str) -> Vec<i64> {
    let r = client()
        .get(format!("{}/api/v1/rooms/{room}{query}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    let v: Value = r.json().await.unwrap();
    v["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_api_lists_pinned_questions_first_then_by_votes_or_by_time() {
    let app = spawn_app().await;
    let moderator = member_token(&app, "mod", SiteRole::Moderator).await;
    let ana = member_token(&app, "ana", SiteRole::Member).await;
    let bob = member_token(&app, "bob", SiteRole::Member).await;
    let room = open_room(&app, &moderator, json!({})).await;
    for text in ["Le budget ?", "Le calendrier ?", "Les salles ?"] {
        let r = act(&app, &ana, room, json!({"action": "ask", "text": text})).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    // Question 1 gets two votes, question 2 one, question 3 none but is pinned.
    for (who, q) in [(&ana, 1), (&bob, 1), (&bob, 2)] {
        let r = act(&app, who, room, json!({"action": "upvote", "question": q})).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = act(
        &app,
        &moderator,
        room,
        json!({"action": "pin", "question": 3, "pinned": true}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    // By votes (the default, as on the room's pages): the pinned one, then 2 votes, then 1.
    assert_eq!(listed(&app, &ana, room, "").await, [3, 1, 2]);
    assert_eq!(listed(&app, &ana, room, "?sort=votes").await, [3, 1, 2]);
    // By time: the pinned one, then the newest first.
    assert_eq!(listed(&app, &ana, room, "?sort=time").await, [3, 2, 1]);
    // The moderator's view follows the same order.
    assert_eq!(
        listed(&app, &moderator, room, "?sort=time").await,
        [3, 2, 1]
    );

    // Any other sort is refused, naming the parameter.
    let r = client()
        .get(format!("{}/api/v1/rooms/{room}?sort=random", app.base))
        .send()
        .await
        .unwrap();
    let (status, p) = problem(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["field"], "sort");
    assert!(p["detail"].as_str().unwrap().contains("votes"), "{p}");

    // The OpenAPI document says so.
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let params = doc["paths"]["/api/v1/rooms/{room}"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let sort = params
        .iter()
        .find(|p| p["name"] == "sort")
        .expect("`sort` is documented");
    assert_eq!(sort["in"], "query");
    assert!(
        sort["description"].as_str().unwrap().contains("time"),
        "{sort}"
    );
}

//! A moderator merges a duplicate question into another: an upvote of the duplicate becomes
//! its voter's upvote of the question kept, shown as theirs there and taken back there; once
//! taken back it counts neither in the room nor in the measures (incremental refresh or
//! rebuild), on SQLite and PostgreSQL.

use super::live::{act, member_token, open_room};
use super::*;

/// The room's state as `who` gets it from `GET /api/v1/rooms/{room}`.
async fn state(app: &App, who: &str, room: i64) -> Value {
    let r = client()
        .get(format!("{}/api/v1/rooms/{room}", app.base))
        .bearer_auth(who)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn votes_of(state: &Value, question: i64) -> i64 {
    state["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == question)
        .map(|q| q["votes"].as_i64().unwrap())
        .expect("the question is listed")
}

/// Live upvotes (and other reactions) the measures give `handle` in the room's space.
async fn reactions(app: &App, handle: &str) -> i64 {
    let space = app
        .store
        .space_by_slug("debats")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let id = app
        .store
        .member_by_handle(handle)
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    app.store
        .measure_activity(space, 0)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.member_id == id)
        .map(|a| a.reactions)
        .sum()
}

#[tokio::test]
async fn an_upvote_carried_over_by_a_merge_is_taken_back_on_the_question_kept() {
    on_both(|app| async move {
        let moderator = member_token(&app, "mod", SiteRole::Moderator).await;
        let ana = member_token(&app, "ana", SiteRole::Member).await;
        let carl = member_token(&app, "carl", SiteRole::Member).await;
        let dan = member_token(&app, "dan", SiteRole::Member).await;
        let room = open_room(&app, &moderator, json!({})).await;
        for text in ["Le prix ?", "Combien ça coûte ?"] {
            let r = act(&app, &ana, room, json!({"action": "ask", "text": text})).await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        // Carl upvotes the duplicate (2), Dan both; the moderator merges 2 into 1.
        for (who, q) in [(&carl, 2), (&dan, 1), (&dan, 2)] {
            let r = act(&app, who, room, json!({"action": "upvote", "question": q})).await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        let merge = json!({"action": "merge", "question": 2, "into": 1});
        assert_eq!(
            act(&app, &moderator, room, merge).await.status(),
            StatusCode::OK
        );
        let space = app
            .store
            .space_by_slug("debats")
            .await
            .unwrap()
            .unwrap()
            .id
            .0;
        app.store
            .measure_refresh(space, now_millis())
            .await
            .unwrap();
        assert_eq!(
            [reactions(&app, "carl").await, reactions(&app, "dan").await],
            [1, 2]
        );

        // Carl's vote is his on question 1 (Dan counted once there), and he takes it back.
        let s = state(&app, &carl, room).await;
        assert_eq!(s["me"]["voted"], json!([1]));
        assert_eq!(votes_of(&s, 1), 2);
        for who in [&carl, &dan] {
            let unvote = json!({"action": "unvote", "question": 1});
            assert_eq!(
                act(&app, who, room, unvote.clone()).await.status(),
                StatusCode::OK
            );
            let (status, p) = problem(act(&app, who, room, unvote).await).await;
            assert_eq!(
                (status, p["code"].as_str()),
                (StatusCode::CONFLICT, Some("not_voted"))
            );
        }
        let s = state(&app, &carl, room).await;
        assert_eq!((votes_of(&s, 1), &s["me"]["voted"]), (0, &json!([])));

        // The measures no longer count their upvotes, and a rebuild agrees.
        app.store
            .measure_refresh(space, now_millis() + 1)
            .await
            .unwrap();
        let incremental = [reactions(&app, "carl").await, reactions(&app, "dan").await];
        assert_eq!(incremental, [0, 0]);
        app.store.measure_reset(space).await.unwrap();
        assert!(
            app.store
                .measure_refresh(space, now_millis() + 1)
                .await
                .unwrap()
                .rebuilt
        );
        let rebuilt = [reactions(&app, "carl").await, reactions(&app, "dan").await];
        assert_eq!(rebuilt, incremental);
    })
    .await;
}

//! Closing sessions and the topic's layered synthesis; attendance while a session is under way.

use super::sessions::{local_in_days, session_body, setup};
use super::*;
use parvis_store::NewSession;

/// Move a session to start `minutes_ago` (sessions cannot be scheduled in the past).
pub(super) async fn move_to_past(app: &App, id: i64, minutes_ago: i64) {
    let s = app.store.topic_session(id).await.unwrap().unwrap();
    let people = app.store.session_people(id).await.unwrap();
    let agenda = app.store.session_agenda(id).await.unwrap();
    app.store
        .update_topic_session(
            id,
            &NewSession {
                space_id: s.space_id,
                topic_id: s.topic_id,
                title: s.title,
                description: s.description,
                starts_at: now_millis() - minutes_ago * 60_000,
                duration_min: s.duration_min,
                time_zone: s.time_zone,
                mode: s.mode,
                place: s.place,
                online_url: s.online_url,
                access_code_hash: Some(s.access_code_hash),
                capacity: s.capacity,
                partners: s.partners,
                created_by: None,
                repeated_from: s.repeated_from,
                people,
                agenda,
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn closing_reports_build_the_topic_synthesis_layer_by_layer() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let c = client();
    let r = c
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&session_body(None))
        .send()
        .await
        .unwrap();
    let first = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    let r = c
        .post(format!("{}/api/v1/sessions/{first}/repeat", app.base))
        .header("authorization", &auth)
        .json(&json!({"starts_at": local_in_days(20)}))
        .send()
        .await
        .unwrap();
    let second = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    // Closing before the start is refused, with the reason.
    let r = c
        .post(format!("{}/api/v1/sessions/{first}/close", app.base))
        .header("authorization", &auth)
        .json(&json!({"conclusions_md": "trop tôt"}))
        .send()
        .await
        .unwrap();
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("session"))
    );

    // The conversation of the topic feeds the draft.
    c.post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Mesurer le retour", "body": "Comment mesurer le ROI d'un salon ?", "topic": "roi"}))
        .send()
        .await
        .unwrap();
    move_to_past(&app, first, 12 * 60).await;
    move_to_past(&app, second, 30).await;

    // A member on the page of the session under way counts online.
    let (admin, _) = admin_session(&app).await;
    let page = admin
        .get(format!("{}/sessions/{second}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"count-online\">1<"),
        "online attendance counted"
    );
    assert!(page.contains("id=\"count-peak\">1<"));

    let draft = admin
        .get(format!("{}/sessions/{first}/close", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        draft.contains("Comment mesurer le ROI d&#x27;un salon ?"),
        "the draft holds the question asked: {}",
        &draft[draft.find("close-form").unwrap_or(0)..]
    );
    assert!(super::languages::english_in(&draft).is_empty());

    for (id, conclusions, questions) in [
        (
            first,
            "- Le ROI se mesure en contacts\n- Les salons coûtent cher",
            json!(["Comment mesurer le ROI ?"]),
        ),
        (
            second,
            "- Le ROI se mesure en rendez-vous\n- Les salons coûtent cher",
            json!(["Comment mesurer le ROI ?", "Faut-il un badge ?"]),
        ),
    ] {
        let r = c
            .post(format!("{}/api/v1/sessions/{id}/close", app.base))
            .header("authorization", &auth)
            .json(&json!({"conclusions_md": conclusions, "key_questions": questions, "recording_links": ["https://video.example/roi"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let report: Value = r.json().await.unwrap();
        assert!(report["closed_at"].as_i64().is_some());
    }
    let bad = c
        .post(format!("{}/api/v1/sessions/{first}/close", app.base))
        .header("authorization", &auth)
        .json(&json!({"recording_links": ["javascript:alert(1)"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad).await.1["field"], "recording_links");

    let layers: Value = client()
        .get(format!(
            "{}/api/v1/spaces/forum/topics/roi/synthesis",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let layers = layers["items"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0]["session_id"], second, "newest first");
    assert_eq!(layers[0]["new_questions"], json!(["Faut-il un badge ?"]));
    assert_eq!(
        layers[0]["conclusions_added"],
        json!(["Le ROI se mesure en rendez-vous"])
    );
    assert_eq!(
        layers[0]["conclusions_removed"],
        json!(["Le ROI se mesure en contacts"])
    );
    assert_eq!(
        layers[1]["new_questions"],
        json!(["Comment mesurer le ROI ?"])
    );

    let topic = client()
        .get(format!("{}/s/forum/t/roi", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(topic.contains("id=\"synthesis-link\""));
    let page = client()
        .get(format!("{}/s/forum/t/roi/synthesis", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<ins>Le ROI se mesure en rendez-vous</ins>")
            && page.contains("<del>Le ROI se mesure en contacts</del>")
    );
    assert!(super::languages::english_in(&page).is_empty());
    let md = client()
        .get(format!("{}/s/forum/t/roi/synthesis.md", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(md.contains("~~Le ROI se mesure en contacts~~") && md.contains("## "));
    let report = client()
        .get(format!("{}/sessions/{first}/report", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    let report = report.text().await.unwrap();
    assert!(report.contains("Le ROI se mesure en contacts") && report.contains("video.example"));
    assert!(super::languages::english_in(&report).is_empty());
    // Before closing, the report is the moderators' draft only.
    let r = client()
        .get(format!("{}/api/v1/sessions/999/report", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// The session's counts endpoint in `lang`.
async fn counts(app: &App, id: i64, lang: &str) -> Value {
    let r = client()
        .get(format!("{}/api/v1/sessions/{id}/counts", app.base))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_session_pages_counts_follow_without_a_reload() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&session_body(Some(30)))
        .send()
        .await
        .unwrap();
    let id = r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    // The page draws the registration line the endpoint serves, and its script polls it.
    let c = counts(&app, id, "fr-FR").await;
    assert_eq!(
        (
            c["state"].as_str(),
            c["confirmed"].as_i64(),
            c["capacity"].as_i64()
        ),
        (Some("upcoming"), Some(0), Some(30))
    );
    assert_eq!(c["texts"]["registered"], "0 / 30 places");
    let page = client()
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("data-counts=\"/api/v1/sessions/{id}/counts\"")));
    // (minijinja escapes the slash: the same text for the reader.)
    assert!(page.contains("<li id=\"count-registered\">0 &#x2f; 30 places</li>"));
    let script = client()
        .get(format!("{}/assets/parvis.js", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(script.contains("[data-counts]") && script.contains("15000"));

    // Someone registers: the counts follow, in the reader's language.
    let (admin, csrf) = admin_session(&app).await;
    admin
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let c = counts(&app, id, "en-GB").await;
    assert_eq!(c["confirmed"], 1);
    assert_eq!(c["texts"]["registered"], "1 / 30 seats");

    // Under way: a check-in in the room and a member opening the page online both show.
    move_to_past(&app, id, 10).await;
    app.store
        .record_attendance(id, "eguest@visiteur.example", "room", now_millis())
        .await
        .unwrap();
    let c = counts(&app, id, "fr-FR").await;
    assert_eq!(
        (
            c["state"].as_str(),
            c["room"].as_i64(),
            c["online"].as_i64()
        ),
        (Some("live"), Some(1), Some(0))
    );
    admin
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap();
    let c = counts(&app, id, "fr-FR").await;
    assert_eq!(
        (c["room"].as_i64(), c["online"].as_i64(), c["peak"].as_i64()),
        (Some(1), Some(1), Some(2))
    );
    assert_eq!(
        (c["texts"]["online"].as_str(), c["texts"]["peak"].as_str()),
        (Some("1"), Some("2"))
    );
    // An unknown session is a 404.
    let r = client()
        .get(format!("{}/api/v1/sessions/999/counts", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

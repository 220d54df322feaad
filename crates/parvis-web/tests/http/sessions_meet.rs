//! Meet: meetings between a session's participants, as they and the moderators use them —
//! only those who ticked the third consent are proposed, nobody twice in a slot, no pair twice,
//! a decline frees both for a re-plan, "we met" keeps the pair apart at the next session, and
//! nobody sees another's email (nor anything at all when not registered).

use super::live::member_token;
use super::sessions::{local_in_days, session_body, setup};
use super::sessions_report::move_to_past;
use super::*;
use std::collections::{HashMap, HashSet};

const PEOPLE: [&str; 5] = ["ana", "ben", "cleo", "dan", "eve"];

/// Tokens for the five participants (eve does not ask for meetings) and frank (not registered).
async fn people(app: &App) -> HashMap<&'static str, String> {
    let mut out = HashMap::new();
    for h in PEOPLE.iter().chain(&["frank"]) {
        out.insert(*h, member_token(app, h, SiteRole::Member).await);
    }
    out
}

async fn new_session(app: &App, auth: &str) -> i64 {
    let r = client()
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", auth)
        .json(&session_body(None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["session"]["id"]
        .as_i64()
        .unwrap()
}

async fn register_all(app: &App, id: i64, tokens: &HashMap<&'static str, String>) {
    for h in PEOPLE {
        let r = client()
            .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
            .bearer_auth(&tokens[h])
            .json(&json!({"meet": h != "eve"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let reg: Value = r.json().await.unwrap();
        assert_eq!(reg["consent_meet"], h != "eve", "{h}: {reg}");
    }
}

async fn plan(app: &App, auth: &str, id: i64, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}/api/v1/sessions/{id}/meetings/plan", app.base))
        .header("authorization", auth)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn mine(app: &App, token: &str, id: i64) -> (StatusCode, String) {
    let r = client()
        .get(format!("{}/api/v1/sessions/{id}/meetings", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Every slot seats each person at most once and no pair meets twice in the plan.
fn check_plan(plan: &Value) -> HashSet<(String, String)> {
    let mut pairs = HashSet::new();
    let mut seats: HashSet<(i64, String)> = HashSet::new();
    for m in plan["meetings"].as_array().unwrap() {
        if m["status"] == "declined" {
            continue;
        }
        let (a, b) = (
            m["a"]["name"].as_str().unwrap().to_string(),
            m["b"]["name"].as_str().unwrap().to_string(),
        );
        let slot = m["slot"].as_i64().unwrap();
        assert!(seats.insert((slot, a.clone())), "{a} twice in slot {slot}");
        assert!(seats.insert((slot, b.clone())), "{b} twice in slot {slot}");
        let key = if a < b { (a, b) } else { (b, a) };
        assert!(pairs.insert(key.clone()), "{key:?} proposed twice");
    }
    pairs
}

#[tokio::test]
async fn meetings_go_to_those_who_asked_never_twice_and_held_ones_are_not_repeated() {
    on_both(|app| async move {
        let auth = setup(&app).await;
        let tokens = people(&app).await;
        let id = new_session(&app, &auth).await;
        register_all(&app, id, &tokens).await;

        // Bad settings are refused with the field named.
        for (body, field) in [
            (json!({"slots": 0, "slot_minutes": 15}), "slots"),
            (json!({"slots": 3, "slot_minutes": 500}), "slot_minutes"),
            (
                json!({"slots": 3, "slot_minutes": 15, "first_slot": "soon"}),
                "first_slot",
            ),
        ] {
            let (status, p) = problem(plan(&app, &auth, id, body).await).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(p["field"], field, "{p}");
        }
        // A participant may not plan nor read the whole plan.
        let r = plan(
            &app,
            &format!("Bearer {}", tokens["ana"]),
            id,
            json!({"slots": 3, "slot_minutes": 15}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let r = plan(&app, &auth, id, json!({"slots": 3, "slot_minutes": 15})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let first: Value = r.json().await.unwrap();
        assert_eq!(first["opted_in"], 4);
        let pairs = check_plan(&first);
        // Four people, three slots: everyone meets everyone once, and eve (no consent) nobody.
        assert_eq!(pairs.len(), 6, "{first}");
        assert!(
            !first.to_string().contains("EVE"),
            "eve did not ask for meetings"
        );
        assert!(
            !first.to_string().contains("@live.example"),
            "no email in the plan"
        );

        // Each sees their own proposals: whom, organisation, why; never an email.
        let (status, text) = mine(&app, &tokens["ana"], id).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!text.contains("@live.example"), "{text}");
        let ana: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ana["opted_in"], true);
        assert_eq!(ana["meetings"].as_array().unwrap().len(), 3);
        assert_eq!(ana["meetings"][0]["with"]["organisation"], "Acme");
        // Eve registered without the consent: nothing proposed; frank is not registered.
        let (status, text) = mine(&app, &tokens["eve"], id).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap()["meetings"],
            json!([])
        );
        let (status, _) = mine(&app, &tokens["frank"], id).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let r = client()
            .get(format!("{}/api/v1/sessions/{id}/meetings", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = client()
            .get(format!("{}/api/v1/sessions/{id}/meetings/plan", app.base))
            .bearer_auth(&tokens["frank"])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // Ana accepts her first meeting and declines her second.
        let keep = ana["meetings"][0]["id"].as_i64().unwrap();
        let keep_with = ana["meetings"][0]["with"]["name"]
            .as_str()
            .unwrap()
            .to_string();
        let drop = ana["meetings"][1]["id"].as_i64().unwrap();
        let drop_with = ana["meetings"][1]["with"]["name"]
            .as_str()
            .unwrap()
            .to_string();
        for (m, accept) in [(keep, true), (drop, false)] {
            let r = client()
                .post(format!(
                    "{}/api/v1/sessions/{id}/meetings/{m}/answer",
                    app.base
                ))
                .bearer_auth(&tokens["ana"])
                .json(&json!({"accept": accept}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        // Frank cannot answer someone else's meeting.
        let r = client()
            .post(format!(
                "{}/api/v1/sessions/{id}/meetings/{keep}/answer",
                app.base
            ))
            .bearer_auth(&tokens["frank"])
            .json(&json!({"accept": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // A re-plan keeps the accepted meeting, never proposes the declined pair again, and
        // frees both for the declined slot.
        let again: Value = plan(&app, &auth, id, json!({"slots": 3, "slot_minutes": 15}))
            .await
            .json()
            .await
            .unwrap();
        check_plan(&again);
        let ids: Vec<i64> = again["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect();
        assert!(ids.contains(&keep), "the accepted meeting is kept: {again}");
        let with_declined: Vec<&Value> = again["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| {
                let names = [
                    m["a"]["name"].as_str().unwrap(),
                    m["b"]["name"].as_str().unwrap(),
                ];
                names.contains(&"ANA") && names.contains(&drop_with.as_str())
            })
            .collect();
        assert_eq!(with_declined.len(), 1, "only the declined record: {again}");
        assert_eq!(with_declined[0]["status"], "declined");

        // "We met" waits for the session to begin.
        let met = |token: String, m: i64| {
            let url = format!("{}/api/v1/sessions/{id}/meetings/{m}/met", app.base);
            async move { client().post(url).bearer_auth(token).send().await.unwrap() }
        };
        let (status, p) = problem(met(tokens["ana"].clone(), keep).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(p["field"], "meeting");
        move_to_past(&app, id, 30).await;
        let r = met(tokens["ana"].clone(), keep).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = met(tokens["frank"].clone(), keep).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let report: Value = client()
            .get(format!("{}/api/v1/sessions/{id}/report", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(report["meetings_held"], 1, "{report}");
        // The events' measures read it too.
        let space = app.store.topic_session(id).await.unwrap().unwrap().space_id;
        let rows = app.store.session_event_rows(space).await.unwrap();
        let row = rows.iter().find(|r| r.session_id == id).unwrap();
        assert_eq!(row.meetings_held, 1);

        // The next session of the series: ana and the person she met are never proposed again.
        let r = client()
            .post(format!("{}/api/v1/sessions/{id}/repeat", app.base))
            .header("authorization", &auth)
            .json(&json!({"starts_at": local_in_days(20)}))
            .send()
            .await
            .unwrap();
        let next = r.json::<Value>().await.unwrap()["session"]["id"]
            .as_i64()
            .unwrap();
        register_all(&app, next, &tokens).await;
        let later: Value = plan(&app, &auth, next, json!({"slots": 3, "slot_minutes": 10}))
            .await
            .json()
            .await
            .unwrap();
        let pairs = check_plan(&later);
        let met_pair = if keep_with.as_str() < "ANA" {
            (keep_with.clone(), "ANA".to_string())
        } else {
            ("ANA".to_string(), keep_with.clone())
        };
        assert!(
            !pairs.contains(&met_pair),
            "{met_pair:?} already met: {later}"
        );
        assert_eq!(pairs.len(), 5, "every other pair is proposed: {later}");
    })
    .await;
}

#[tokio::test]
async fn the_pages_show_each_their_meetings_and_the_moderators_the_plan() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let tokens = people(&app).await;
    let id = new_session(&app, &auth).await;
    register_all(&app, id, &tokens).await;
    // The registration form offers the third consent, unticked.
    let page = client()
        .get(format!("{}/sessions/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"consent-meet\""));
    assert!(page.contains("Me proposer des rencontres avec d"));
    assert!(
        !page.contains("id=\"my-meetings\""),
        "a visitor sees no meetings"
    );

    // The moderator generates the plan from its page (French, CSRF-protected form).
    let (admin, _) = admin_session(&app).await;
    let page = admin
        .get(format!("{}/sessions/{id}/meetings", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Programme des rencontres"), "{page}");
    assert!(page.contains("4 participants volontaires"), "{page}");
    let csrf = super::sessions::form_csrf(&page);
    let r = admin
        .post(format!("{}/sessions/{id}/meetings", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("slots", "0"),
            ("slot_minutes", "15"),
            ("first_slot", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the field is named"
    );
    let r = admin
        .post(format!("{}/sessions/{id}/meetings", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("slots", "2"),
            ("slot_minutes", "15"),
            ("first_slot", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = admin
        .get(format!("{}/sessions/{id}/meetings", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("4 rencontres proposées"), "{page}");
    let csv = admin
        .get(format!("{}/sessions/{id}/meetings.csv", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("slot,starts,ends,name_a"), "{csv}");
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(!csv.contains('@'), "no email in the export");

    // A participant sees their proposals on the session page; a plain member not registered
    // is refused the plan page and its CSV.
    let (ana, _) = {
        let c = client();
        let r = c
            .get(format!("{}/sessions/{id}", app.base))
            .bearer_auth(&tokens["ana"])
            .send()
            .await
            .unwrap();
        (r.text().await.unwrap(), ())
    };
    assert!(ana.contains("id=\"my-meetings\""), "{ana}");
    assert!(ana.contains("Vos rencontres") && ana.contains("Créneau 1"));
    assert!(!ana.contains("@live.example"));
    for path in ["meetings", "meetings.csv"] {
        let r = client()
            .get(format!("{}/sessions/{id}/{path}", app.base))
            .bearer_auth(&tokens["frank"])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

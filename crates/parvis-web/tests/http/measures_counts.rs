//! What the measures count, where: an objective on a segment measured on that segment from
//! its baseline on, testimonials given making an ambassador, a CSV for every figure of the API.

use super::super::*;
use super::{admin_actor, seed};

/// Two partners and a customer, each opening a thread in `forum`.
async fn partners_and_a_customer(app: &App) -> Vec<parvis_services::Actor> {
    let admin = admin_actor(app).await;
    let s = &app.services;
    let space = s.space("forum").await.unwrap();
    let mut people = vec![];
    for (email, name, eco) in [
        ("ana@partner.example", "Ana", "partner"),
        ("bo@partner.example", "Bo", "partner"),
        ("cy@client.example", "Cy", "customer"),
    ] {
        let m = s
            .invite(&admin, email, name, "member", eco, "Acme", Lang::Fr)
            .await
            .unwrap();
        let actor = parvis_services::Actor { member: m };
        s.create_thread(
            &actor,
            &space,
            None,
            &format!("Question de {name}"),
            "Bonjour à tous.",
        )
        .await
        .unwrap();
        people.push(actor);
    }
    people
}

/// "10 partner contributors": the baseline is the partners' count (2), not the whole space's
/// (3), so the objective just declared is on track; a measure that is only the whole space's
/// is refused on a segment, naming the field, in the API and on the page in French.
#[tokio::test]
async fn an_objective_on_a_segment_is_measured_on_that_segment() {
    let app = spawn_app().await;
    let auth = seed(&app).await;
    partners_and_a_customer(&app).await;
    let c = client();
    let objective = |body: Value| {
        c.post(format!("{}/api/v1/spaces/forum/objectives", app.base))
            .header("authorization", &auth)
            .json(&body)
            .send()
    };
    let due = "2099-06-30";
    let r = objective(json!({"measure": "contributors", "target": 10, "due": due,
        "segment": "ecosystem_role:partner"}))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let d: Value = c
        .get(format!("{}/api/v1/spaces/forum/measures", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let whole = d["pyramid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == "contributor")
        .unwrap()["count"]
        .clone();
    assert_eq!(whole, 3, "the whole space has three contributors");
    let o = &d["objectives"][0];
    assert_eq!(o["baseline"], 2.0, "{o}");
    assert_eq!(o["progress"]["current"], 2.0, "{o}");
    assert_eq!(o["progress"]["status"], "on_track", "{o}");

    // The top two levels' share is measured on a segment too (nobody is engaged yet).
    let r = objective(json!({"measure": "top_two_share", "target": 50, "due": due,
        "segment": "ecosystem_role:partner"}))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    for (measure, segment) in [
        ("answered_within_48h", "ecosystem_role:partner"),
        ("nps", "channel:parvis"),
        ("engaged", "topic:nowhere"),
    ] {
        let r =
            objective(json!({"measure": measure, "target": 40, "due": due, "segment": segment}))
                .await
                .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("segment")),
            "{measure} on {segment}: {p}"
        );
    }
    let (browser, csrf) = admin_session(&app).await;
    let r = browser
        .post(format!("{}/s/forum/measures/objectives", app.base))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .form(&[
            ("csrf", csrf.as_str()),
            ("measure", "nps"),
            ("target", "40"),
            ("due", due),
            ("segment", "ecosystem_role:partner"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap().replace("&#x27;", "'");
    assert!(
        html.contains("Sur un segment, choisissez un niveau de la pyramide"),
        "French error next to the segment"
    );
    // Nothing refused was declared.
    let d = app
        .services
        .measures(&admin_actor(&app).await, "forum")
        .await
        .unwrap();
    assert_eq!(d.objectives.len(), 2);
}

/// A member who wrote and whose testimonial is published with consent reaches the ambassador
/// level (of the space, of their segment and of native activity); once the consent is
/// withdrawn it stops counting. The formula under the pyramid says so.
#[tokio::test]
async fn a_published_testimonial_makes_an_ambassador() {
    on_both(|app| async move {
        let auth = seed(&app).await;
        let people = partners_and_a_customer(&app).await;
        let ana = people[0].member.handle.to_string();
        let c = client();
        let r = c
            .post(format!("{}/api/v1/spaces/forum/testimonials", app.base))
            .header("authorization", &auth)
            .json(&json!({
                "kind": "testimonial", "title": "Ce que le forum m'a apporté", "body": "Beaucoup.",
                "person_handle": ana, "publish": true,
                "consent": {"internal_use": true, "public_use": true, "name_shown": "full",
                    "wording": "J'accepte."}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let tid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let ambassadors = |d: &Value| {
            d["pyramid"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["level"] == "ambassador")
                .unwrap()["count"]
                .as_i64()
                .unwrap()
        };
        for segment in [
            "",
            "?segment=ecosystem_role:partner",
            "?segment=origin:native",
        ] {
            let d: Value = c
                .get(format!(
                    "{}/api/v1/spaces/forum/measures{segment}",
                    app.base
                ))
                .header("authorization", &auth)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(ambassadors(&d), 1, "{segment}: {}", d["pyramid"]);
        }
        let d: Value = c
            .get(format!(
                "{}/api/v1/spaces/forum/measures?segment=ecosystem_role:customer",
                app.base
            ))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ambassadors(&d), 0, "Cy gave none");

        // Withdrawn: no longer counted, at the next computation.
        let r = c
            .post(format!("{}/api/v1/testimonials/{tid}/consent", app.base))
            .header("authorization", &auth)
            .json(&json!({"withdrawn": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let space = app.services.space("forum").await.unwrap();
        let d = app
            .services
            .compute_dashboard("forum", space.id.0, now_millis())
            .await
            .unwrap();
        let count = |l: parvis_measure::pyramid::Level| {
            d.pyramid.iter().find(|c| c.level == l).unwrap().count
        };
        assert_eq!(count(parvis_measure::pyramid::Level::Ambassador), 0);
        assert_eq!(count(parvis_measure::pyramid::Level::Contributor), 3);

        let (browser, _) = admin_session(&app).await;
        let html = browser
            .get(format!("{}/s/forum/measures", app.base))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .replace("&#x27;", "'");
        assert!(
            html.contains("each testimonial or interview they gave"),
            "formula"
        );
        assert!(html.contains("share link") && !html.contains("invitations accepted"));
    })
    .await;
}

/// Notoriety, legitimacy and the Presence index as it stands download as CSV, from the API
/// and from the page, with a header row and the numbers the JSON gives; the page links them.
#[tokio::test]
async fn standing_and_the_presence_index_download_as_csv() {
    let app = spawn_app().await;
    let auth = seed(&app).await;
    let people = partners_and_a_customer(&app).await;
    let c = client();
    let post = |path: &str, body: Value| {
        c.post(format!("{}/api/v1{path}", app.base))
            .header("authorization", &auth)
            .json(&body)
            .send()
    };
    let r = post(
        "/spaces/forum/testimonials",
        json!({
            "kind": "testimonial", "title": "Merci", "body": "Très utile.",
            "person_handle": people[1].member.handle.to_string(), "publish": true,
            "consent": {"internal_use": true, "public_use": true, "name_shown": "full",
                "wording": "J'accepte."}
        }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: Value = post(
        "/spaces/forum/surveys",
        json!({"kind": "nps", "title": "Et vous ?"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let token = s["token"].as_str().unwrap();
    let r = post(&format!("/surveys/{token}/answers"), json!({"score": 9}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    let d: Value = c
        .get(format!("{}/api/v1/spaces/forum/measures", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csv = |figure: &'static str| {
        let c = c.clone();
        let auth = auth.clone();
        let base = app.base.clone();
        async move {
            let r = c
                .get(format!("{base}/api/v1/spaces/forum/measures/{figure}"))
                .header("authorization", &auth)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{figure}");
            let kind = r.headers()["content-type"].to_str().unwrap().to_string();
            assert!(kind.starts_with("text/csv"), "{figure}: {kind}");
            r.text().await.unwrap()
        }
    };
    let count = |v: &Value| v.as_u64().map(|n| n.to_string()).unwrap_or_default();
    let f4 = |v: &Value| v.as_f64().map(|x| format!("{x:.4}")).unwrap_or_default();

    let n = &d["notoriety"];
    assert_eq!(
        csv("notoriety").await,
        format!(
            "measure,value\nreaders,{}\nimported_followers,{}\nembed_impressions,{}\n",
            count(&n["readers"]),
            count(&n["imported_followers"]),
            count(&n["embed_impressions"])
        )
    );
    let l = &d["legitimacy"];
    assert_eq!(l["testimonials"], 1, "{l}");
    assert_eq!(l["top_two"], 1, "Bo is an ambassador: {l}");
    assert_eq!(
        csv("legitimacy").await,
        format!(
            "measure,value\ntop_two,1\ntop_two_share,{}\nanswers_to_others,{}\ntestimonials,1\n",
            f4(&l["top_two_share"]),
            count(&l["answers_to_others"])
        )
    );
    let p = &d["presence"];
    assert!(p["ip"].is_number() && d["sentiment"].is_number(), "{p}");
    let missing: Vec<&str> = p["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        csv("presence_index").await,
        format!(
            "figure,value,formula_version,components_left_out\nip,{},ip-1,{}\nipe,{},ip-1,\nipi,{},ip-1,\nsentiment,{},,\n",
            f4(&p["ip"]),
            missing.join(";"),
            f4(&p["ipe"]),
            f4(&p["ipi"]),
            f4(&d["sentiment"])
        )
    );

    // The page: the same files, linked under their tables.
    let (browser, _) = admin_session(&app).await;
    let get = |path: String| browser.get(format!("{}{path}", app.base)).send();
    let html = get("/s/forum/measures".into())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for figure in ["notoriety", "legitimacy", "presence_index"] {
        assert!(
            html.contains(&format!("/s/forum/measures/{figure}.csv")),
            "{figure} link"
        );
        let page = get(format!("/s/forum/measures/{figure}.csv"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(page, csv(figure).await, "{figure}");
    }
}

/// Votes make reactors like reactions do: a vote on a challenge entry, a vote on an opinion
/// statement, a live poll answer and a live question upvote each make a member who wrote
/// nothing a reactor (a visitor's live vote counts for nobody).
#[tokio::test]
async fn votes_make_reactors() {
    on_both(|app| async move {
        let auth = seed(&app).await;
        let people = partners_and_a_customer(&app).await;
        let admin = admin_actor(&app).await;
        let s = &app.services;
        let space = s.space("forum").await.unwrap();
        let mut voters = vec![];
        for (email, name) in [
            ("dee@x.example", "Dee"),
            ("eli@x.example", "Eli"),
            ("fay@x.example", "Fay"),
            ("gus@x.example", "Gus"),
        ] {
            let m = s
                .invite(&admin, email, name, "member", "customer", "", Lang::Fr)
                .await
                .unwrap();
            voters.push(parvis_services::Actor { member: m });
        }
        let c = client();
        let token = |a: &parvis_services::Actor| {
            let a = a.clone();
            async move { format!("Bearer {}", s.create_api_token(&a, "t").await.unwrap().1) }
        };
        let api = |p: String| format!("{}/api/v1{p}", app.base);
        // A challenge entry by Ana, voted for by Dee.
        let mut body = super::super::content::challenge_body();
        body["evaluators"] = json!([]);
        let r = c
            .post(api("/spaces/forum/challenges".into()))
            .header("authorization", &auth)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["challenge"]["id"]
            .as_i64()
            .unwrap();
        let r = c
            .post(api(format!("/challenges/{id}/state")))
            .header("authorization", &auth)
            .json(&json!({"state": "open"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let entry =
            json!({"title": "Consigne", "body": "Des bocaux.", "links": [], "accept_rules": true});
        let r = c
            .post(api(format!("/challenges/{id}/entries")))
            .header("authorization", token(&people[0]).await)
            .json(&entry)
            .send()
            .await
            .unwrap();
        let e = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = c
            .post(api(format!("/challenge-entries/{e}/vote")))
            .header("authorization", token(&voters[0]).await)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        // An opinion statement voted on by Eli.
        let topic = s
            .create_topic(&admin, &space, Some("avis"), "Avis", "", &[])
            .await
            .unwrap();
        let st = s
            .submit_statement(&admin, &topic, "Il faut consigner les bocaux.")
            .await
            .unwrap();
        s.vote(&voters[1], st.id, "agree").await.unwrap();
        // A live room: Fay answers a poll, Gus upvotes a question, a visitor upvotes too.
        let room = app
            .store
            .create_room(&parvis_store::NewRoom {
                space_id: space.id,
                topic_id: Some(topic.id),
                session_id: None,
                title: "Direct".into(),
                anonymous_questions: false,
                approval_required: false,
                budget_permille: 1500,
                created_by: Some(admin.member.id),
                created_at: now_millis(),
            })
            .await
            .unwrap();
        let event = |seq: i64, actor_key: String, action: &str| parvis_store::RoomEventRow {
            seq,
            at: now_millis(),
            actor_key,
            action: action.into(),
            body: "{}".into(),
        };
        app.store
            .append_room_events(
                room,
                &[
                    event(1, format!("m:{}", voters[2].member.id.0), "answer"),
                    event(2, format!("m:{}", voters[3].member.id.0), "upvote"),
                    event(3, "v:abcdef".into(), "upvote"),
                ],
            )
            .await
            .unwrap();

        let d: Value = c
            .get(api("/spaces/forum/measures".into()))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let level = |key: &str| {
            d["pyramid"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["level"] == key)
                .unwrap()["count"]
                .as_i64()
                .unwrap()
        };
        assert_eq!(level("reactor"), 4, "{}", d["pyramid"]);
        assert_eq!(level("contributor"), 3, "{}", d["pyramid"]);
        let scored: Vec<(&str, &str)> = d["top_scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["display_name"].as_str().unwrap(),
                    m["level"].as_str().unwrap(),
                )
            })
            .collect();
        for name in ["Dee", "Eli", "Fay", "Gus"] {
            assert!(scored.contains(&(name, "reactor")), "{name}: {scored:?}");
        }
    })
    .await;
}

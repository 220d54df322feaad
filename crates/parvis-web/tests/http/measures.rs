//! Measures over HTTP: the dashboard for moderators only, every figure as JSON, CSV and SVG,
//! surveys answered once and on their scale, objectives and weightings refused with the field
//! named, forms that come back filled in with the error in French.

use super::*;

async fn seed(app: &App) -> String {
    let auth = format!("Bearer {}", admin_token(app).await);
    let c = client();
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum", "description": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c
        .post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Bienvenue", "body": "Présentez-vous ici."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    auth
}

#[tokio::test]
async fn dashboards_figures_surveys_and_objectives_over_the_api() {
    on_both(|app| async move {
        let auth = seed(&app).await;
        let c = client();
        // Visitors are turned away.
        let r = c.get(format!("{}/api/v1/spaces/forum/measures", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        let d: Value = c
            .get(format!("{}/api/v1/spaces/forum/measures", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["pyramid"].as_array().unwrap().len(), 5);
        assert_eq!(d["presence"]["formula_version"], "ip-1");
        assert_eq!(d["notoriety"]["embed_impressions"], 0, "no embed seen yet");
        assert_eq!(d["legitimacy"]["testimonials"], 0, "no testimonial yet");
        assert_eq!(d["settings"]["thresholds"]["regular_weeks"], 3);

        let r = c
            .get(format!("{}/api/v1/spaces/forum/measures/pyramid", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("level,count,share,previous_count\naudience,"), "{csv}");

        // A survey: out of scale, then an answer, then a second answer refused.
        let s: Value = c
            .post(format!("{}/api/v1/spaces/forum/surveys", app.base))
            .header("authorization", &auth)
            .json(&json!({"kind": "nps", "title": "Nous recommanderiez-vous ?"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = s["token"].as_str().unwrap().to_string();
        assert_eq!(s["link"], format!("/surveys/{token}"));
        let answer = |score: i64| {
            c.post(format!("{}/api/v1/surveys/{token}/answers", app.base))
                .header("authorization", &auth)
                .json(&json!({"score": score, "comment": "Bien"}))
                .send()
        };
        let (status, p) = problem(answer(11).await.unwrap()).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("score")));
        assert_eq!(answer(9).await.unwrap().status(), StatusCode::CREATED);
        let (status, p) = problem(answer(3).await.unwrap()).await;
        assert_eq!((status, p["code"].as_str()), (StatusCode::CONFLICT, Some("already_answered")));
        let d: Value = c
            .get(format!("{}/api/v1/spaces/forum/measures", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["surveys"]["nps"]["value"], 100.0);
        assert_eq!(d["surveys"]["nps"]["n"], 1);
        assert_eq!(d["surveys"]["nps"]["small_sample"], true);

        // Objectives: an unknown measure is refused by name; a known one is declared.
        let due = "2099-06-30";
        let r = c
            .post(format!("{}/api/v1/spaces/forum/objectives", app.base))
            .header("authorization", &auth)
            .json(&json!({"measure": "fans", "target": 40, "due": due}))
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("measure")));
        let r = c
            .post(format!("{}/api/v1/spaces/forum/objectives", app.base))
            .header("authorization", &auth)
            .json(&json!({"measure": "engaged", "target": 40, "due": due, "segment": "ecosystem_role:partner"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let csv = c
            .get(format!("{}/api/v1/spaces/forum/measures/objectives", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(csv.contains("engaged,ecosystem_role:partner,40,"), "{csv}");

        // A weighting that does not sum to 1 names its group.
        let mut settings = d["settings"].clone();
        settings["presence"]["ip_external"] = json!(0.9);
        let r = c
            .put(format!("{}/api/v1/spaces/forum/measures/settings", app.base))
            .header("authorization", &auth)
            .json(&settings)
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("weights.ip")));
    })
    .await;
}

#[tokio::test]
async fn the_dashboard_page_charts_exports_and_forms() {
    let app = spawn_app().await;
    seed(&app).await;
    let (c, csrf) = admin_session(&app).await;
    let fr = |path: &str| {
        c.get(format!("{}{path}", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .send()
    };
    let r = fr("/s/forum/measures").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap().replace("&#x27;", "'");
    for needle in [
        "Pyramide de l'engagement",
        "<svg class=\"chart\"",
        "Kandel",
        "Flesch",
        "ip-1",
        "pyramid.svg",
        "flows.csv",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    let r = fr("/s/forum/measures/pyramid.svg").await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Engagés"), "{svg}");
    let r = fr("/s/forum/measures/channels.csv").await.unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .starts_with("week_start,channel,messages\n")
    );
    assert_eq!(
        fr("/s/forum/measures/nothing.csv").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fr("/s/forum/measures/slipping.svg").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // The objective form comes back filled in, the error next to its field, in French.
    let r = c
        .post(format!("{}/s/forum/measures/objectives", app.base))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .form(&[
            ("csrf", csrf.as_str()),
            ("measure", "engaged"),
            ("target", "quarante"),
            ("due", "2099-06-30"),
            ("segment", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Indiquez un nombre.") && html.contains("value=\"quarante\""),
        "form not refilled"
    );
    let r = c
        .post(format!("{}/s/forum/measures/objectives", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("measure", "answered_within_48h"),
            ("target", "90"),
            ("due", "2099-06-30"),
            ("segment", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A survey made from the page, answered from its page.
    let r = c
        .post(format!("{}/s/forum/measures/surveys", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "ces"),
            ("title", "Facile ?"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let d = app
        .services
        .measures(&admin_actor(&app).await, "forum")
        .await
        .unwrap();
    let link = d.surveys.surveys[0].link.clone();
    let page = fr(&link).await.unwrap().text().await.unwrap();
    assert!(page.contains("rendu la chose facile"), "{page}");
    let post = |score: &str| {
        c.post(format!("{}{link}", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .form(&[("csrf", csrf.as_str()), ("score", score), ("comment", "")])
            .send()
    };
    let r = post("9").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Choisissez une note de 1 à 7.")
    );
    let r = post("6").await.unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Merci, votre réponse est enregistrée.")
    );
    let again = fr(&link).await.unwrap().text().await.unwrap();
    assert!(again.contains("Vous avez déjà répondu"));
}

async fn admin_actor(app: &App) -> parvis_services::Actor {
    let id = app
        .store
        .member_id_by_email("camille@novea.example")
        .await
        .unwrap()
        .unwrap();
    parvis_services::Actor {
        member: app.store.member_by_id(id).await.unwrap().unwrap(),
    }
}

/// Events and ROI: a session's registrations and leads in the dashboard's events table, its
/// cost entered from the page (a wrong amount comes back typed, in French) and over the API,
/// the ROI and the CSV/SVG exports.
#[tokio::test]
async fn events_show_registrations_leads_and_roi_with_the_cost_entered() {
    let app = spawn_app().await;
    let auth = super::sessions::setup(&app).await;
    let c = client();
    let s: Value = c
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&super::sessions::session_body(Some(50)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = s["session"]["id"].as_i64().expect("session id");
    // The admin registers, agreeing to be contacted: one registration, one lead.
    let r = c
        .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
        .header("authorization", &auth)
        .json(&json!({"contact": true, "share": false}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());

    let (browser, csrf) = admin_session(&app).await;
    let fr = |path: String| {
        browser
            .get(format!("{}{path}", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .send()
    };
    let html = fr("/s/forum/measures".into())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Événements et retour sur investissement"),
        "section"
    );
    assert!(
        html.contains(&format!("id=\"event-{id}\"")),
        "the session's line"
    );
    // A cost that is not an amount comes back typed, the error in French.
    let r = browser
        .post(format!("{}/s/forum/measures/events/{id}/cost", app.base))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .form(&[("csrf", csrf.as_str()), ("cost", "beaucoup")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"beaucoup\""), "typed value kept");
    assert!(
        html.contains("Un coût est un montant positif"),
        "error in French"
    );
    let r = browser
        .post(format!("{}/s/forum/measures/events/{id}/cost", app.base))
        .form(&[("csrf", csrf.as_str()), ("cost", "1 500,00")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let d: Value = c
        .get(format!("{}/api/v1/spaces/forum/measures", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let e = &d["events"]["sessions"][0];
    assert_eq!(e["session_id"], id);
    assert_eq!(
        (e["registered"].as_i64(), e["leads"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(e["cost_cents"], 150_000);
    assert_eq!(e["roi"], -1.0, "nothing brought in yet: all of it spent");
    // Over the API: a negative cost is refused naming the field, null clears it.
    let put = |body: Value| {
        c.put(format!(
            "{}/api/v1/spaces/forum/sessions/{id}/cost",
            app.base
        ))
        .header("authorization", &auth)
        .json(&body)
        .send()
    };
    let (status, p) = problem(put(json!({"cost_cents": -5})).await.unwrap()).await;
    assert_eq!(
        (status, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cost_cents"))
    );
    assert_eq!(
        put(json!({"cost_cents": null})).await.unwrap().status(),
        StatusCode::OK
    );
    let csv = c
        .get(format!("{}/api/v1/spaces/forum/measures/events", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("kind,session_id,title,"), "{csv}");
    assert!(csv.contains(&format!("session,{id},")), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("series,") && l.contains("Le ROI des salons")),
        "{csv}"
    );
    let svg = fr("/s/forum/measures/events.svg".into())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Inscrits"), "{svg}");
    // Members and visitors cannot enter costs.
    assert_eq!(
        client()
            .put(format!(
                "{}/api/v1/spaces/forum/sessions/{id}/cost",
                app.base
            ))
            .json(&json!({"cost_cents": 1}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

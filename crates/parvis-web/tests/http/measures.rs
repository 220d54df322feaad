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

        // A new period length changes what is counted: the dashboard answers at once, with
        // the previous figures marked as being recomputed, or already with the new period.
        assert_eq!(d["recomputing"], json!(false));
        let mut settings = d["settings"].clone();
        settings["thresholds"]["window_weeks"] = json!(8);
        let r = c
            .put(format!("{}/api/v1/spaces/forum/measures/settings", app.base))
            .header("authorization", &auth)
            .json(&settings)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let d: Value = c
            .get(format!("{}/api/v1/spaces/forum/measures", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let window = d["settings"]["thresholds"]["window_weeks"].as_u64();
        assert!(d["recomputing"] == json!(true) || window == Some(8), "{d}");
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
    // The same chart as a PNG drawn by the server (for scripts without a browser): twice the
    // SVG's size, read from the PNG's own header.
    let r = fr("/s/forum/measures/pyramid.png").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    let png = r.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let dim = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    let svg_width: u32 = svg
        .split_once("viewBox=\"0 0 ")
        .and_then(|(_, rest)| rest.split_once(' '))
        .and_then(|(w, _)| w.parse().ok())
        .expect("the SVG gives its width in its viewBox");
    assert_eq!(dim(16), 2 * svg_width);
    assert!(dim(20) > 100, "height {}", dim(20));
    assert_eq!(
        fr("/s/forum/measures/slipping.png").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
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

/// Staff marked by an admin leave the pyramid and count as the organisation's voice; the
/// pyramid of a segment counts only that segment's members; an unknown segment is refused
/// with the field named; only admins mark staff.
#[tokio::test]
async fn staff_marks_and_segment_pyramids() {
    on_both(|app| async move {
        let auth = seed(&app).await;
        let admin = admin_actor(&app).await;
        let s = &app.services;
        let space = s.space("forum").await.unwrap();
        // Two partners and one customer write; the customer is an employee marked as staff.
        let mut people = vec![];
        for (email, name, eco) in [
            ("ana@partner.example", "Ana", "partner"),
            ("bo@partner.example", "Bo", "partner"),
            ("cy@client.example", "Cy", "customer"),
        ] {
            let m = s
                .invite(
                    &admin,
                    email,
                    name,
                    "member",
                    eco,
                    "Acme",
                    parvis_domain::Lang::Fr,
                )
                .await
                .unwrap();
            let actor = parvis_services::Actor { member: m };
            s.create_thread(
                &actor,
                &space,
                None,
                &format!("Question de {name}"),
                "Bonjour à tous, une question.",
            )
            .await
            .unwrap();
            people.push(actor);
        }
        let c = client();
        let get = |q: &'static str| {
            let c = c.clone();
            let auth = auth.clone();
            let base = app.base.clone();
            async move {
                c.get(format!("{base}/api/v1/spaces/forum/measures{q}"))
                    .header("authorization", &auth)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let contributors = |d: &Value| -> i64 {
            d["pyramid"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["level"] != "audience")
                .map(|l| l["count"].as_i64().unwrap())
                .sum()
        };
        let whole: Value = get("").await.json().await.unwrap();
        assert_eq!(
            contributors(&whole),
            3,
            "three members wrote: {}",
            whole["pyramid"]
        );
        assert!(whole.get("segment").is_none());

        let partners: Value = get("?segment=ecosystem_role:partner")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(partners["segment"], "ecosystem_role:partner");
        assert_eq!(contributors(&partners), 2, "{}", partners["pyramid"]);
        let customers: Value = get("?segment=ecosystem_role:customer")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(contributors(&customers), 1);
        let native: Value = get("?segment=origin:native").await.json().await.unwrap();
        assert_eq!(contributors(&native), 3, "everything was written on Parvis");
        let imported: Value = get("?segment=origin:imported").await.json().await.unwrap();
        assert_eq!(contributors(&imported), 0);
        let csv = get("/pyramid?segment=ecosystem_role:partner")
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("\ncontributors,2,"), "{csv}");

        let r = get("?segment=colour:blue").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(body.contains("segment"), "{body}");
        let r = get("?segment=topic:nowhere").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Only an admin marks staff.
        let cy = people[2].member.handle.to_string();
        let member_token = s.create_api_token(&people[0], "t").await.unwrap().1;
        let r = c
            .put(format!("{}/api/v1/members/{cy}/staff", app.base))
            .header("authorization", format!("Bearer {member_token}"))
            .json(&json!({"staff": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = c
            .put(format!("{}/api/v1/members/{cy}/staff", app.base))
            .header("authorization", &auth)
            .json(&json!({"staff": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // Staff are left out of the pyramid (the default thresholds exclude them) and their
        // thread counts as a staff publication.
        let whole: Value = get("").await.json().await.unwrap();
        assert_eq!(contributors(&whole), 2, "{}", whole["pyramid"]);
        assert_eq!(
            contributors(
                &get("?segment=ecosystem_role:customer")
                    .await
                    .json::<Value>()
                    .await
                    .unwrap()
            ),
            0
        );
        // Unmarked: counted again.
        c.put(format!("{}/api/v1/members/{cy}/staff", app.base))
            .header("authorization", &auth)
            .json(&json!({"staff": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            contributors(&get("").await.json::<Value>().await.unwrap()),
            3
        );

        // The page: a segment picker with the roles in French, the note when restricted, and
        // the admin's members table offers the staff mark.
        let (browser, _csrf) = admin_session(&app).await;
        let fr = |path: &str| {
            browser
                .get(format!("{}{path}", app.base))
                .header("accept-language", "fr-FR,fr;q=0.9")
                .send()
        };
        let html = fr("/s/forum/measures?segment=ecosystem_role:partner")
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("id=\"segment-form\""));
        assert!(
            html.contains("value=\"ecosystem_role:partner\" selected"),
            "selected segment"
        );
        assert!(html.contains("Pyramide, flux, départs et scores restreints à ce segment"));
        assert!(
            html.contains("pyramid.csv?segment=ecosystem_role%3Apartner"),
            "{}",
            &html[html.find("pyramid.csv").unwrap_or(0)..][..200]
        );
        assert!(
            html.contains("Importé d&#x27;autres canaux")
                || html.contains("Importé d'autres canaux")
        );
        let members = fr("/admin/members").await.unwrap().text().await.unwrap();
        assert!(members.contains("Compter comme équipe"), "staff button");
    })
    .await;
}

/// Objectives on a segment, testimonials at the ambassador level, the CSV of every figure.
#[path = "measures_counts.rs"]
mod counts;

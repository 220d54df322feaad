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

//! Testimonials and interviews with their consent records: refused without consent, shown
//! with initials only when that is what was agreed, and gone from the page, the API and the
//! export the moment the person withdraws — the record of the withdrawal kept.

use super::*;

#[tokio::test]
async fn a_testimonial_shows_initials_and_disappears_when_consent_is_withdrawn() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        super::content::member_token(&app, "marie").await;
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);
        let mut body = json!({
            "kind": "testimonial",
            "title": "Novéa a changé notre salon",
            "topic": "salons",
            "body": "Nous avons **doublé** nos rendez-vous.",
            "person_handle": "marie",
            "photo_url": "https://marie.example/photo.jpg",
            "publish": true
        });
        // No consent, or consent to nothing: refused, nothing stored.
        for (consent, field) in [
            (Value::Null, "consent"),
            (json!({"internal_use": false, "public_use": false, "name_shown": "initials", "wording": "x"}), "consent"),
            (json!({"public_use": true, "name_shown": "initials", "wording": " "}), "consent_wording"),
            (json!({"public_use": true, "name_shown": "pseudonym", "wording": "x"}), "name_shown"),
        ] {
            body["consent"] = consent.clone();
            let r = c.post(api("/spaces/forum/testimonials")).header("authorization", &admin).json(&body).send().await.unwrap();
            let (status, p) = problem(r).await;
            assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{consent}");
        }
        body["consent"] = json!({"internal_use": true, "public_use": true, "name_shown": "initials", "photo": false,
            "wording": "J'accepte que mon témoignage soit publié avec mes initiales, sans photo."});
        let r = c.post(api("/spaces/forum/testimonials")).header("authorization", &admin).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

        // A visitor sees initials only: no name, no organisation, no handle, no photo, no record.
        let v: Value = c.get(api(&format!("/testimonials/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(v["person"]["name"], "M. M.");
        assert_eq!(v["person"]["organisation"], "");
        assert_eq!(v["person"]["handle"], Value::Null);
        assert_eq!(v["person"]["photo_url"], "");
        assert_eq!(v["consents"], json!([]));
        let html = c.get(format!("{}/testimonials/{id}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<strong id=\"person-name\">M. M.</strong>"), "{html}");
        assert!(!html.contains("MARIE Membre") && !html.contains("marie.example"));
        let english = super::languages::english_in(&html);
        assert!(english.is_empty(), "{english:?}");
        // The widget and oEmbed show the same, initials only.
        let r = c.get(format!("{}/embed/testimonial/{id}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let frame = r.text().await.unwrap();
        assert!(frame.contains("Novéa a changé notre salon") && frame.contains("M. M.") && !frame.contains("MARIE"));
        let page_url = format!("{}/testimonials/{id}", app.base);
        let r = c.get(format!("{}/oembed", app.base)).query(&[("url", page_url.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.json::<Value>().await.unwrap()["html"].as_str().unwrap().contains(&format!("testimonial/{id}")));

        // The person withdraws from their own page.
        let (mc, _) = super::privacy::member_session(&app, "marie").await;
        let html = mc.get(format!("{}/testimonials/{id}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Retirer mon consentement"));
        let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = mc.post(format!("{}/testimonials/{id}/withdraw", app.base)).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // Gone at once: page, API, list, export; the record of the withdrawal stays.
        let r = c.get(format!("{}/testimonials/{id}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = c.get(api(&format!("/testimonials/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = c.get(format!("{}/embed/testimonial/{id}", app.base)).send().await.unwrap();
        assert!(!r.text().await.unwrap().contains("Novéa a changé"), "the widget is down too");
        let r = c.get(format!("{}/oembed", app.base)).query(&[("url", page_url.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let list: Value = c.get(api("/spaces/forum/testimonials")).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["items"], json!([]));
        let x: Value = c.get(api("/spaces/forum/testimonials/export")).header("authorization", &admin).send().await.unwrap().json().await.unwrap();
        let item = &x["items"][0];
        assert_eq!(item["status"], "withdrawn");
        assert_eq!((item["title"].as_str(), item["body_html"].as_str()), (Some(""), Some("")));
        assert_eq!(item["consents"].as_array().unwrap().len(), 2, "the history is kept");
        assert_eq!(item["consents"][1]["withdrawn"], true);
        let csv = c.get(format!("{}/s/forum/testimonials/export.csv", app.base)).header("authorization", &admin).send().await.unwrap().text().await.unwrap();
        assert!(!csv.contains("doublé") && !csv.contains("Novéa a changé"), "{csv}");
        assert!(csv.lines().nth(1).unwrap().contains(",withdrawn,"));
        // Publishing again is refused in words.
        let r = c.post(api(&format!("/testimonials/{id}/publish"))).header("authorization", &admin).send().await.unwrap();
        let (status, p) = problem(r).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("consent")));
        // Someone else cannot withdraw (or give) consent for the person.
        let bob = format!("Bearer {}", super::content::member_token(&app, "bob").await);
        let r = c.post(api(&format!("/testimonials/{id}/consent"))).header("authorization", &bob)
            .json(&json!({"public_use": true, "name_shown": "full", "wording": "oui"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn an_unprepared_interview_internal_only_is_for_members() {
    let app = spawn_app().await;
    super::sessions::setup(&app).await;
    let (ac, _) = admin_session(&app).await;
    let page = ac
        .get(format!("{}/s/forum/testimonials/new", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let english = super::languages::english_in(&page);
    assert!(english.is_empty(), "{english:?}");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("kind", "interview"),
        ("title", "Dix minutes avec une acheteuse"),
        ("person_name", "Jeanne Roux"),
        ("person_organisation", "Grande Distribution SA"),
        ("interviewer", "Camille"),
        (
            "qa",
            "Q: Qu'attendez-vous d'un salon ?\nR: Du temps pour parler.",
        ),
        ("name_shown", "full"),
        ("consent_wording", "Usage interne, nom complet."),
        ("publish", "1"),
    ];
    // Consent forgotten: the form comes back with everything typed and the error in French.
    let r = ac
        .post(format!("{}/s/forum/testimonials", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Un témoignage demande le consentement"),
        "{html}"
    );
    assert!(html.contains("Du temps pour parler."));
    form.push(("internal_use", "1"));
    let r = ac
        .post(format!("{}/s/forum/testimonials", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let html = ac
        .get(format!("{}{to}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Entretien non préparé") && html.contains("Jeanne Roux"));
    // Internal use only: members read it, visitors do not.
    let path = to.split('?').next().unwrap().to_string();
    assert_eq!(
        client()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    super::content::member_token(&app, "bob").await;
    let (bc, _) = super::privacy::member_session(&app, "bob").await;
    let html = bc
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Qu'attendez-vous d'un salon ?")
            || html.contains("Qu&#x27;attendez-vous d&#x27;un salon ?"),
        "{html}"
    );
    assert!(html.contains("Grande Distribution SA"));
}

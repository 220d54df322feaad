//! Challenges as people use them: an admin poses one (bad input refused with the field
//! named), opens it; a member submits an entry (rules accepted), another votes (once, and
//! the count stays hidden until the deadline when the admin chose so), an evaluator scores
//! (within the scale), the admin reads the ranked scorecard, announces the winner, the
//! entrant is mailed and sees it, and the export carries it all. Then the pages: the admin's
//! form comes back filled in with errors in French, a late entry and a second vote are
//! refused in words.

use super::*;

/// A member with an API token.
pub(super) async fn member_token(app: &App, handle: &str) -> String {
    let id = app
        .store
        .create_member(&NewMember {
            handle: handle.into(),
            display_name: format!("{} Membre", handle.to_uppercase()),
            email: Some(format!("{handle}@content.example")),
            password_hash: None,
            site_role: SiteRole::Member,
            ecosystem_role: EcosystemRole::Customer,
            organisation: "Acme".into(),
            bio: String::new(),
            lang: "fr".into(),
            created_at: now_millis(),
        })
        .await
        .unwrap();
    let member = app.store.member_by_id(id).await.unwrap().unwrap();
    app.services
        .create_api_token(&parvis_services::Actor { member }, "content")
        .await
        .unwrap()
        .1
}

pub(super) fn challenge_body() -> Value {
    json!({
        "title": "Réduire nos emballages",
        "kind": "ideas",
        "brief": "Comment **réduire** nos emballages ? <script>alert(1)</script>",
        "rules": "Je cède les droits d'usage de mon idée à Novéa.",
        "deadline": super::sessions::local_in_days(10),
        "time_zone": "Europe/Paris",
        "award": "Un voyage à Lyon",
        "cta_label": "Voir le produit",
        "cta_url": "https://novea.example/produit",
        "votes_hidden": true,
        "criteria": [{"name": "Impact", "weight": 3}, {"name": "Faisabilité", "weight": 1}],
        "evaluators": ["eva"]
    })
}

pub(super) async fn post(
    c: &reqwest::Client,
    url: String,
    auth: &str,
    body: Value,
) -> reqwest::Response {
    c.post(url)
        .header("authorization", auth)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_challenge_from_brief_to_announced_winner() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let ines = format!("Bearer {}", member_token(&app, "ines").await);
        let bob = format!("Bearer {}", member_token(&app, "bob").await);
        let eva = format!("Bearer {}", member_token(&app, "eva").await);
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);

        // Bad input names its field.
        for (patch, field) in [
            (json!({"rules": " "}), "rules"),
            (json!({"deadline": "2020-01-01T10:00"}), "deadline"),
            (json!({"time_zone": "Mars/Olympus"}), "time_zone"),
            (json!({"kind": "lottery"}), "kind"),
            (json!({"kind": "job", "cta_url": ""}), "cta_url"),
            (json!({"criteria": [{"name": "Impact", "weight": 0}]}), "criteria"),
            (json!({"criteria": []}), "criteria"),
            (json!({"evaluators": ["nobody"]}), "evaluators"),
        ] {
            let mut body = challenge_body();
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (status, p) = problem(post(&c, api("/spaces/forum/challenges"), &admin, body).await).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}");
            assert_eq!(p["field"], field, "{patch}: {p}");
        }
        // Members do not pose challenges.
        let r = post(&c, api("/spaces/forum/challenges"), &ines, challenge_body()).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let r = post(&c, api("/spaces/forum/challenges"), &admin, challenge_body()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        let id = v["challenge"]["id"].as_i64().unwrap();
        assert_eq!(v["challenge"]["state"], "draft");
        assert!(!v["challenge"]["brief_html"].as_str().unwrap().contains("<script"));
        let criteria: Vec<i64> = v["criteria"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();

        // A draft is nobody else's business; entries wait for the opening.
        let r = c.get(api(&format!("/challenges/{id}"))).header("authorization", &ines).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let entry = json!({"title": "Consigne", "body": "Des bocaux **consignés**.", "links": ["https://ines.example/bocaux"], "accept_rules": true});
        let (status, p) = problem(post(&c, api(&format!("/challenges/{id}/entries")), &ines, entry.clone()).await).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::NOT_FOUND, None));
        // States go one way, one step at a time.
        let (status, p) = problem(post(&c, api(&format!("/challenges/{id}/state")), &admin, json!({"state": "judging"})).await).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("state")));
        let r = post(&c, api(&format!("/challenges/{id}/state")), &admin, json!({"state": "open"})).await;
        assert_eq!(r.status(), StatusCode::OK);
        // Open, it embeds: the iframe card and oEmbed.
        let frame = c.get(format!("{}/embed/challenge/{id}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(frame.contains("Réduire nos emballages"));
        let page_url = format!("{}/challenges/{id}", app.base);
        let r = c.get(format!("{}/oembed", app.base)).query(&[("url", page_url.as_str())]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);

        // Rules not accepted, a link that is not http: refused, nothing stored.
        let mut no_rules = entry.clone();
        no_rules["accept_rules"] = json!(false);
        let (status, p) = problem(post(&c, api(&format!("/challenges/{id}/entries")), &ines, no_rules).await).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("accept_rules")));
        let mut bad_link = entry.clone();
        bad_link["links"] = json!(["javascript:alert(1)"]);
        let (_, p) = problem(post(&c, api(&format!("/challenges/{id}/entries")), &ines, bad_link).await).await;
        assert_eq!(p["field"], "links");
        let r = post(&c, api(&format!("/challenges/{id}/entries")), &ines, entry.clone()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let e: Value = r.json().await.unwrap();
        let e1 = e["id"].as_i64().unwrap();
        assert_eq!(e["rules_wording"], "Je cède les droits d'usage de mon idée à Novéa.");
        let mut other = entry.clone();
        other["title"] = json!("Vrac");
        let r = post(&c, api(&format!("/challenges/{id}/entries")), &bob, other).await;
        let e2 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

        // One vote per member and entry; not for one's own.
        let r = post(&c, api(&format!("/challenge-entries/{e1}/vote")), &bob, json!({})).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (status, _) = problem(post(&c, api(&format!("/challenge-entries/{e1}/vote")), &bob, json!({})).await).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = problem(post(&c, api(&format!("/challenge-entries/{e1}/vote")), &ines, json!({})).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let r = post(&c, api(&format!("/challenge-entries/{e2}/vote")), &eva, json!({})).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        // Hidden until the deadline for members; the admin sees the count.
        let page: Value = c.get(api(&format!("/challenges/{id}"))).header("authorization", &bob).send().await.unwrap().json().await.unwrap();
        assert_eq!(page["entries"][0]["entry"]["vote_count"], Value::Null);
        assert_eq!(page["entries"][1]["my_vote"], false);
        assert_eq!(page["entries"][0]["my_vote"], true);
        let page: Value = c.get(api(&format!("/challenges/{id}"))).header("authorization", &admin).send().await.unwrap().json().await.unwrap();
        assert_eq!(page["entries"][0]["entry"]["vote_count"], 1);

        let r = post(&c, api(&format!("/challenge-entries/{e1}/comments")), &bob, json!({"body": "Et les **coûts** ?"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);

        // Evaluators only, within the scale; a new score replaces the old.
        let score = |_entry: i64, a: i64, b: i64| json!({"scores": [{"criterion_id": criteria[0], "score": a}, {"criterion_id": criteria[1], "score": b}]});
        let put = |url: String, auth: String, body: Value| {
            let c = c.clone();
            async move { c.put(url).header("authorization", auth).json(&body).send().await.unwrap() }
        };
        let (status, p) = problem(put(api(&format!("/challenge-entries/{e1}/scores")), eva.clone(), score(e1, 11, 5)).await).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scores")));
        let (status, _) = problem(put(api(&format!("/challenge-entries/{e1}/scores")), bob.clone(), score(e1, 5, 5)).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(put(api(&format!("/challenge-entries/{e1}/scores")), eva.clone(), score(e1, 2, 2)).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(put(api(&format!("/challenge-entries/{e1}/scores")), eva.clone(), score(e1, 9, 5)).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(put(api(&format!("/challenge-entries/{e2}/scores")), eva.clone(), score(e2, 6, 10)).await.status(), StatusCode::NO_CONTENT);

        // The scorecard: (3·9 + 5)/4 = 8 beats (3·6 + 10)/4 = 7.
        let card: Value = c.get(api(&format!("/challenges/{id}/scorecard"))).header("authorization", &admin).send().await.unwrap().json().await.unwrap();
        assert_eq!(card["rows"][0]["entry"]["id"], e1);
        assert_eq!(card["rows"][0]["ranked"]["score"], 8.0);
        assert_eq!(card["rows"][0]["ranked"]["rank"], 1);
        assert_eq!(card["rows"][1]["ranked"]["score"], 7.0);
        let r = c.get(api(&format!("/challenges/{id}/scorecard"))).header("authorization", &bob).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = c.put(api(&format!("/challenge-entries/{e1}/shortlist"))).header("authorization", &admin).json(&json!({"shortlisted": true})).send().await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["shortlisted"], true);

        // Announcing waits for judging; once judging, entries and votes are closed.
        let (_, p) = problem(post(&c, api(&format!("/challenges/{id}/announce")), &admin, json!({"winners": [e1]})).await).await;
        assert_eq!(p["field"], "challenge");
        post(&c, api(&format!("/challenges/{id}/state")), &admin, json!({"state": "judging"})).await;
        let (_, p) = problem(post(&c, api(&format!("/challenges/{id}/entries")), &bob, entry.clone()).await).await;
        assert_eq!(p["field"], "challenge");
        let (_, p) = problem(post(&c, api(&format!("/challenges/{id}/announce")), &admin, json!({"winners": [999999]})).await).await;
        assert_eq!(p["field"], "winners");
        let r = post(&c, api(&format!("/challenges/{id}/announce")), &admin, json!({"winners": [e1]})).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.json::<Value>().await.unwrap()["challenge"]["state"], "closed");
        let (_, p) = problem(post(&c, api(&format!("/challenges/{id}/announce")), &admin, json!({"winners": [e2]})).await).await;
        assert_eq!(p["field"], "challenge");

        // Both entrants are mailed, the winner told so; the entrant sees it on the page.
        let before = app.mails.lock().unwrap().len();
        assert_eq!(app.services.run_due_jobs(now_millis()).await.unwrap(), 2);
        let mails: Vec<String> = app.mails.lock().unwrap()[before..].iter().map(|m| m.replace("=\n", "")).collect();
        let to_ines = mails.iter().find(|m| m.contains("ines@content.example")).expect("a mail to the winner");
        assert!(to_ines.contains(&format!("/challenges/{id}")));
        assert!(to_ines.contains("laur=C3=A9ats") || to_ines.contains("lauréats"), "{to_ines}");
        assert!(mails.iter().any(|m| m.contains("bob@content.example")));
        let (ic, _) = super::privacy::member_session(&app, "ines").await;
        let html = ic.get(format!("{}/challenges/{id}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("id=\"winners\""), "the winners are on the page");
        assert!(html.contains("Lauréat") && html.contains("Votre participation"));

        // The export: everything, ranked; CSV with one column per criterion.
        let x: Value = c.get(api(&format!("/challenges/{id}/export"))).header("authorization", &admin).send().await.unwrap().json().await.unwrap();
        assert_eq!(x["entries"][0]["entry"]["winner"], true);
        assert_eq!(x["entries"][0]["comments"][0]["author"]["handle"], "bob");
        let csv = c.get(format!("{}/challenges/{id}/export.csv", app.base)).header("authorization", &admin).send().await.unwrap().text().await.unwrap();
        let mut lines = csv.lines();
        assert!(lines.next().unwrap().ends_with(",Impact,Faisabilité"));
        let first = lines.next().unwrap();
        assert!(first.starts_with(&format!("1,{e1},Consigne,ines,")) && first.contains(",yes,yes,8.00,"), "{first}");
        let r = c.get(format!("{}/challenges/{id}/export.csv", app.base)).header("authorization", &bob).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

/// Move a challenge's deadline a minute into the past, behind the API's back (which refuses
/// a deadline in the past).
pub(super) async fn pass_deadline(app: &App, id: i64) {
    let mut row = app.store.challenge(id).await.unwrap().unwrap();
    row.deadline = now_millis() - 60_000;
    let criteria = app.store.challenge_criteria(id).await.unwrap();
    app.store
        .update_challenge(
            id,
            &parvis_store::NewChallenge {
                space_id: row.space_id,
                kind: row.kind,
                title: row.title,
                brief_md: row.brief_md,
                brief_html: row.brief_html,
                rules: row.rules,
                deadline: row.deadline,
                time_zone: row.time_zone,
                award: row.award,
                cta_label: row.cta_label,
                cta_url: row.cta_url,
                votes_hidden: row.votes_hidden,
                scale_max: row.scale_max,
                created_by: None,
                criteria,
                evaluators: vec![],
            },
        )
        .await
        .unwrap();
}

fn form_csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form with a csrf token")
        .to_string()
}

#[tokio::test]
async fn challenge_pages_speak_french_and_keep_what_was_typed() {
    let app = spawn_app().await;
    let admin = super::sessions::setup(&app).await;
    member_token(&app, "ines").await;
    member_token(&app, "bob").await;
    let (ac, _) = admin_session(&app).await;
    let page = ac
        .get(format!("{}/s/forum/challenges/new", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form_csrf(&page);
    // A job offer without the address to apply: the form comes back filled in, the error
    // next to the field, in French.
    let form = [
        ("csrf", csrf.as_str()),
        ("title", "Développeuse Rust"),
        ("kind", "job"),
        ("brief", "Rejoignez l'équipe."),
        ("rules", "Vos questions sont publiques."),
        ("deadline", &super::sessions::local_in_days(20)),
        ("time_zone", "Europe/Paris"),
        ("criteria", "Expérience | 2\nMotivation | 1"),
        ("scale_max", "10"),
        ("cta_url", ""),
    ];
    let r = ac
        .post(format!("{}/s/forum/challenges", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"err-cta_url\"") && html.contains("Ce champ est obligatoire")
            || html.contains("obligatoire"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Développeuse Rust\""),
        "what was typed stays"
    );
    assert!(html.contains("Expérience | 2"));
    let mut ok = form.to_vec();
    ok.retain(|(k, _)| *k != "cta_url");
    ok.push(("cta_url", "https://novea.example/jobs/rust"));
    let r = ac
        .post(format!("{}/s/forum/challenges", app.base))
        .form(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = to
        .trim_start_matches("/challenges/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let html = ac
        .get(format!("{}{to}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Le défi est créé"), "{html}");
    // Every challenge page an admin reaches speaks French.
    for path in [
        "/s/forum/challenges".to_string(),
        "/s/forum/challenges/new".to_string(),
        to.clone(),
        format!("/challenges/{id}/edit"),
        format!("/challenges/{id}/scorecard"),
    ] {
        let html = ac
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let english = super::languages::english_in(&html);
        assert!(english.is_empty(), "{path}: {english:?}");
    }
    let csrf = form_csrf(&html);
    let r = ac
        .post(format!("{}/challenges/{id}/state", app.base))
        .form(&[("csrf", csrf.as_str()), ("state", "open")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The job offer's call to action: "Postuler", to the organisation's site.
    let (ic, _) = super::privacy::member_session(&app, "ines").await;
    let html = ic
        .get(format!("{}/challenges/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // (minijinja escapes "/" in attributes as &#x2f;, which browsers read back as "/".)
    assert!(
        html.contains("id=\"cta\" href=\"https:&#x2f;&#x2f;novea.example&#x2f;jobs&#x2f;rust\" rel=\"noopener\">Postuler</a>"),
        "{html}"
    );
    // Without accepting the rules: refused in French, the entry kept.
    let csrf = form_csrf(&html);
    let ines_csrf = csrf.clone();
    let r = ic
        .post(format!("{}/challenges/{id}/entries", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Ma question"),
            ("body", "Télétravail possible ?"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Acceptez le règlement pour participer."));
    assert!(html.contains("Télétravail possible ?"));
    let r = ic
        .post(format!("{}/challenges/{id}/entries", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Ma question"),
            ("body", "Télétravail possible ?"),
            ("accept_rules", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let entry = app.store.challenge_entries(id).await.unwrap()[0].id;

    // A second vote through the page: said in French, the first one kept.
    let (bc, _) = super::privacy::member_session(&app, "bob").await;
    let html = bc
        .get(format!("{}/challenges/{id}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form_csrf(&html);
    let r = bc
        .post(format!("{}/challenges/entries/{entry}/vote", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = bc
        .post(format!("{}/challenges/entries/{entry}/vote", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Vous avez déjà voté pour cette participation.")
    );
    assert_eq!(
        app.store
            .challenge_entry(entry)
            .await
            .unwrap()
            .unwrap()
            .vote_count,
        Some(1)
    );

    // After the deadline (moved into the past behind the API's back): entries refused.
    pass_deadline(&app, id).await;
    let r = ic
        .post(format!("{}/challenges/{id}/entries", app.base))
        .form(&[
            ("csrf", ines_csrf.as_str()),
            ("title", "Encore"),
            ("body", "Trop tard ?"),
            ("accept_rules", "1"),
        ])
        .send()
        .await
        .unwrap();
    // The form is gone from the page, but a late post is still refused in words.
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("La date limite est passée"), "{html}");
    let r = ic
        .post(format!("{}/api/v1/challenges/{id}/entries", app.base))
        .header(
            "authorization",
            format!(
                "Bearer {}",
                app.services
                    .create_api_token(
                        &parvis_services::Actor {
                            member: app.store.member_by_handle("ines").await.unwrap().unwrap()
                        },
                        "late"
                    )
                    .await
                    .unwrap()
                    .1
            ),
        )
        .json(&json!({"title": "x", "body": "y", "accept_rules": true}))
        .send()
        .await
        .unwrap();
    let (status, p) = problem(r).await;
    assert_eq!(
        (status, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge"))
    );
    assert!(
        p["detail"].as_str().unwrap().contains("Europe/Paris"),
        "the deadline is said in its zone: {p}"
    );
    assert_eq!(
        app.store.challenge_entries(id).await.unwrap().len(),
        1,
        "nothing accepted is lost"
    );
    drop(admin);
}

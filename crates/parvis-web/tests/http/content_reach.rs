//! Content where people look: a challenge or job offer and a published testimonial are found
//! by search (labelled by kind, in French on French pages), drafts and withdrawn
//! testimonials are not, and a name consented as initials only is never found in full; the
//! "Pour vous" feed offers them in a block of their own.

use super::*;

async fn search(c: &reqwest::Client, app: &App, q: &str) -> Value {
    c.get(format!("{}/api/v1/spaces/forum/search", app.base))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn kinds(v: &Value) -> Vec<(String, i64)> {
    v["content"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|h| {
            (
                h["kind"].as_str().unwrap().to_string(),
                h["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn challenges_and_consented_testimonials_are_found_and_withdrawal_hides_them_at_once() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        super::content::member_token(&app, "marie").await;
        super::content::member_token(&app, "eva").await; // the challenges' evaluator
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);

        // A draft challenge is not found; once open it is, labelled.
        let r = c
            .post(api("/spaces/forum/challenges"))
            .header("authorization", &admin)
            .json(&super::content::challenge_body())
            .send()
            .await
            .unwrap();
        let id = r.json::<Value>().await.unwrap()["challenge"]["id"]
            .as_i64()
            .unwrap();
        assert_eq!(kinds(&search(&c, &app, "emballages").await), vec![]);
        c.post(api(&format!("/challenges/{id}/state")))
            .header("authorization", &admin)
            .json(&json!({"state": "open"}))
            .send()
            .await
            .unwrap();
        let v = search(&c, &app, "emballage").await;
        assert_eq!(kinds(&v), vec![("challenge".to_string(), id)]);
        assert_eq!(v["content"][0]["url"], format!("/challenges/{id}"));
        assert!(
            v["content"][0]["snippet_html"]
                .as_str()
                .unwrap()
                .contains("<mark>emballages</mark>"),
            "{v}"
        );
        // A job offer says so.
        let mut job = super::content::challenge_body();
        job["kind"] = json!("job");
        job["title"] = json!("Développeuse Rust");
        job["brief"] = json!("Rejoignez l'équipe **plateforme**.");
        let r = c
            .post(api("/spaces/forum/challenges"))
            .header("authorization", &admin)
            .json(&job)
            .send()
            .await
            .unwrap();
        let job_id = r.json::<Value>().await.unwrap()["challenge"]["id"]
            .as_i64()
            .unwrap();
        c.post(api(&format!("/challenges/{job_id}/state")))
            .header("authorization", &admin)
            .json(&json!({"state": "open"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            kinds(&search(&c, &app, "rust plateforme").await),
            vec![("job_offer".to_string(), job_id)]
        );

        // A testimonial published with initials only: found by its words, never by the name.
        let body = json!({
            "kind": "testimonial", "title": "Novéa a changé notre salon", "topic": "roi",
            "body": "Nous avons **doublé** nos rendez-vous.", "person_handle": "marie",
            "person_organisation": "Confidentielle SA", "publish": true,
            "consent": {"internal_use": true, "public_use": true, "name_shown": "initials",
                "wording": "J'accepte la publication avec mes initiales."}
        });
        let r = c
            .post(api("/spaces/forum/testimonials"))
            .header("authorization", &admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let tid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert_eq!(
            kinds(&search(&c, &app, "doublés").await),
            vec![("testimonial".to_string(), tid)]
        );
        for name in ["MARIE", "Confidentielle"] {
            assert_eq!(
                kinds(&search(&c, &app, name).await),
                vec![],
                "{name} is not consented"
            );
        }
        // The page labels kinds in French.
        let html = c
            .get(format!("{}/s/forum/search?q=salon+OR+emballages", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Défis, offres et témoignages"), "{html}");
        assert!(
            html.contains(">Témoignage</span>") && html.contains(">Défi</span>"),
            "{html}"
        );
        assert!(html.contains(&format!("href=\"/testimonials/{tid}\"")));
        let en = client()
            .get(format!("{}/s/forum/search?q=salon", app.base))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            en.contains("Challenges, job offers and testimonials")
                && en.contains(">Testimonial</span>"),
            "{en}"
        );

        // The feed offers the open challenges and the testimonial in their own block.
        let (mc, _) = super::privacy::member_session(&app, "marie").await;
        let feed: Value = mc
            .get(api("/spaces/forum/feed"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let offered: Vec<i64> = feed["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect();
        assert!(
            offered.contains(&id) && offered.contains(&job_id) && offered.contains(&tid),
            "{feed}"
        );
        let page = mc
            .get(format!("{}/s/forum/feed", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Défis et témoignages pour vous") && page.contains("Offre d&#x27;emploi"),
            "{page}"
        );

        // Withdrawn: gone from results at once, from the feed too.
        let r = c
            .post(api(&format!("/testimonials/{tid}/consent")))
            .header("authorization", &admin)
            .json(&json!({"withdrawn": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(kinds(&search(&c, &app, "doublé").await), vec![]);
        let feed: Value = mc
            .get(api("/spaces/forum/feed"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            !feed["content"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == tid && x["kind"] == "testimonial"),
            "{feed}"
        );
    })
    .await;
}

#[tokio::test]
async fn profiles_list_entries_wins_and_consented_testimonials_and_the_export_carries_it_all() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let ines = format!("Bearer {}", super::content::member_token(&app, "ines").await);
        let bob = format!("Bearer {}", super::content::member_token(&app, "bob").await);
        let eva = format!("Bearer {}", super::content::member_token(&app, "eva").await);
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);
        let post = |url: String, auth: String, body: Value| {
            let c = c.clone();
            async move { c.post(url).header("authorization", auth).json(&body).send().await.unwrap() }
        };
        let r = post(api("/spaces/forum/challenges"), admin.clone(), super::content::challenge_body()).await;
        let v: Value = r.json().await.unwrap();
        let id = v["challenge"]["id"].as_i64().unwrap();
        let criteria: Vec<i64> = v["criteria"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        post(api(&format!("/challenges/{id}/state")), admin.clone(), json!({"state": "open"})).await;
        let entry = json!({"title": "Consigne", "body": "Des bocaux **consignés**.", "links": [], "accept_rules": true});
        let r = post(api(&format!("/challenges/{id}/entries")), ines.clone(), entry).await;
        let e1 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert_eq!(post(api(&format!("/challenge-entries/{e1}/vote")), bob.clone(), json!({})).await.status(), StatusCode::NO_CONTENT);
        post(api(&format!("/challenge-entries/{e1}/comments")), bob.clone(), json!({"body": "Et les coûts ?"})).await;
        let r = c.put(api(&format!("/challenge-entries/{e1}/scores"))).header("authorization", &eva)
            .json(&json!({"scores": [{"criterion_id": criteria[0], "score": 9}, {"criterion_id": criteria[1], "score": 5}]}))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        post(api(&format!("/challenges/{id}/state")), admin.clone(), json!({"state": "judging"})).await;
        let r = post(api(&format!("/challenges/{id}/announce")), admin.clone(), json!({"winners": [e1]})).await;
        assert_eq!(r.status(), StatusCode::OK);
        // Testimonials about ines: one with her full name, one with initials only.
        let testimonial = |title: &str, name_shown: &str| json!({
            "kind": "testimonial", "title": title, "body": "Très bien.", "person_handle": "ines", "publish": true,
            "consent": {"internal_use": true, "public_use": true, "name_shown": name_shown, "wording": "J'accepte."}
        });
        let r = post(api("/spaces/forum/testimonials"), admin.clone(), testimonial("Ce que Novéa m'a apporté", "full")).await;
        let full = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = post(api("/spaces/forum/testimonials"), admin.clone(), testimonial("Un témoignage discret", "initials")).await;
        let discreet = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

        // The profile, for a visitor: the entry, the win, the full-name testimonial only.
        let html = c.get(format!("{}/members/ines", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Participations aux défis") && html.contains(&format!("/challenges/{id}#entry-{e1}")), "{html}");
        assert!(html.contains("1 victoire") && html.contains("Lauréat"), "{html}");
        assert!(html.contains(&format!("href=\"/testimonials/{full}\"")), "{html}");
        assert!(!html.contains("Un témoignage discret") && !html.contains(&format!("/testimonials/{discreet}\"")), "initials stay unlinked");
        let english = super::languages::english_in(&html);
        assert!(english.is_empty(), "{english:?}");

        // Ines's export: her entry, the testimonials about her with their consent records.
        let (ic, _) = super::privacy::member_session(&app, "ines").await;
        let x: Value = ic.get(api("/me/export")).send().await.unwrap().json().await.unwrap();
        assert_eq!(x["challenge_entries"][0]["id"], e1);
        assert_eq!(x["challenge_entries"][0]["winner"], true);
        assert_eq!(x["challenge_entries"][0]["rules_wording"], "Je cède les droits d'usage de mon idée à Novéa.");
        assert_eq!(x["testimonials"].as_array().unwrap().len(), 2);
        assert_eq!(x["testimonials"][0]["consents"][0]["wording"], "J'accepte.");
        // Bob's: his vote and comment; Eva's: the scores she gave.
        let (bc, _) = super::privacy::member_session(&app, "bob").await;
        let x: Value = bc.get(api("/me/export")).send().await.unwrap().json().await.unwrap();
        assert_eq!(x["challenge_votes"][0]["entry_id"], e1);
        assert_eq!(x["challenge_comments"][0]["body_md"], "Et les coûts ?");
        let (ec, _) = super::privacy::member_session(&app, "eva").await;
        let x: Value = ec.get(api("/me/export")).send().await.unwrap().json().await.unwrap();
        let scores: Vec<(String, i64)> = x["challenge_scores"].as_array().unwrap().iter()
            .map(|s| (s["criterion"].as_str().unwrap().to_string(), s["score"].as_i64().unwrap())).collect();
        assert_eq!(scores, vec![("Impact".to_string(), 9), ("Faisabilité".to_string(), 5)]);

        // Erasure: bob's vote goes (the count with it), his comment is kept anonymised; ines
        // chooses deletion: her entry and the testimonials about her go.
        let actor = |h: &str| {
            let store = app.store.clone();
            let h = h.to_string();
            async move { parvis_services::Actor { member: store.member_by_handle(&h).await.unwrap().unwrap() } }
        };
        app.services.erase_member(&actor("bob").await, "bob", "anonymise").await.unwrap();
        let page: Value = c.get(api(&format!("/challenges/{id}"))).header("authorization", &admin).send().await.unwrap().json().await.unwrap();
        assert_eq!(page["entries"][0]["entry"]["vote_count"], 0);
        assert_eq!(page["entries"][0]["comments"].as_array().unwrap().len(), 1);
        app.services.erase_member(&actor("ines").await, "ines", "delete").await.unwrap();
        let page: Value = c.get(api(&format!("/challenges/{id}"))).header("authorization", &admin).send().await.unwrap().json().await.unwrap();
        assert_eq!(page["entries"], json!([]));
        for t in [full, discreet] {
            let r = c.get(api(&format!("/testimonials/{t}"))).header("authorization", &admin).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }
    })
    .await;
}

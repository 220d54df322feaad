//! A named guest (no account) withdraws through their private link: mailed to them and shown
//! to the admin once; opening it shows what they agreed to and changes nothing; confirming
//! (a POST with the CSRF token) takes the testimonial out of the page, the API, the export,
//! search and the feed at once, and the link then shows the withdrawal.

use super::*;

#[tokio::test]
async fn a_guest_withdraws_through_their_private_link_and_it_is_gone_everywhere() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        super::content::member_token(&app, "marie").await;
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);
        let mut body = json!({
            "kind": "testimonial", "title": "Un salon réinventé", "topic": "roi",
            "body": "Le **meilleur** salon de notre année.",
            "person_name": "Jeanne Invitée", "person_organisation": "Atelier Lumière",
            "person_email": "pas une adresse", "publish": true,
            "consent": {"internal_use": true, "public_use": true, "name_shown": "full",
                "wording": "J'accepte la publication avec mon nom et mon entreprise."}
        });
        // A bad address is refused with its field named, and nothing is stored.
        let r = c
            .post(api("/spaces/forum/testimonials"))
            .header("authorization", &admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("person_email"))
        );
        let list: Value = c
            .get(api("/spaces/forum/testimonials"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"], json!([]));

        body["person_email"] = json!("jeanne@guest.example");
        let before = app.mails.lock().unwrap().len();
        let r = c
            .post(api("/spaces/forum/testimonials"))
            .header("authorization", &admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["guest"], true);
        assert_eq!(v["withdrawal"]["mailed_to"], "jeanne@guest.example");
        let link = v["withdrawal"]["url"].as_str().unwrap().to_string();
        assert!(link.starts_with(&format!("{}/consent/", app.base)), "{link}");
        let mails: Vec<String> = app.mails.lock().unwrap()[before..]
            .iter()
            .map(|m| m.replace("=\n", ""))
            .collect();
        assert!(
            mails
                .iter()
                .any(|m| m.contains("jeanne@guest.example") && m.contains(&link)),
            "{mails:?}"
        );
        // The link is given once: a read of the testimonial never carries it.
        let again: Value = c
            .get(api(&format!("/testimonials/{id}")))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(again["withdrawal"], Value::Null);

        // Opening the link shows what was agreed and a Confirm button; it withdraws nothing.
        let guest = client();
        let html = guest.get(&link).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("Ce que vous avez accepté")
                && html.contains("J&#x27;accepte la publication avec mon nom et mon entreprise.")
                && html.contains("Un salon réinventé")
                && html.contains("Confirmer le retrait de mon consentement"),
            "{html}"
        );
        let english = super::languages::english_in(&html);
        assert!(english.is_empty(), "{english:?}");
        let r = c
            .get(format!("{}/testimonials/{id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "a GET changes nothing");
        // A POST without the form's token is refused.
        let r = guest
            .post(&link)
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = c
            .get(api(&format!("/testimonials/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // In search and the feed before the withdrawal.
        let found = |c: reqwest::Client| {
            let url = api("/spaces/forum/search");
            async move {
                let v: Value = c
                    .get(url)
                    .query(&[("q", "réinventé")])
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                v["content"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| h["kind"] == "testimonial")
            }
        };
        assert!(found(c.clone()).await);
        let (mc, _) = super::privacy::member_session(&app, "marie").await;
        let in_feed = |mc: reqwest::Client| {
            let url = api("/spaces/forum/feed");
            async move {
                let feed: Value = mc.get(url).send().await.unwrap().json().await.unwrap();
                feed["content"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["id"] == id && x["kind"] == "testimonial")
            }
        };
        assert!(in_feed(mc.clone()).await);

        // Confirmed: gone everywhere at once.
        let csrf = super::sessions::form_csrf(&html);
        let r = guest
            .post(&link)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        for url in [
            format!("{}/testimonials/{id}", app.base),
            api(&format!("/testimonials/{id}")),
            format!("{}/embed/testimonial/{id}", app.base),
        ] {
            let r = c.get(&url).send().await.unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            assert!(
                status == StatusCode::NOT_FOUND || !text.contains("réinventé"),
                "{url}: {status} {text}"
            );
        }
        assert!(!found(c.clone()).await, "out of search");
        assert!(!in_feed(mc.clone()).await, "out of the feed");
        let export: Value = c
            .get(api("/spaces/forum/testimonials/export"))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let item = &export["items"][0];
        assert_eq!((item["id"].as_i64(), &item["status"]), (Some(id), &json!("withdrawn")));
        assert_eq!(item["title"], "", "no content in the export");
        let records = item["consents"].as_array().unwrap();
        assert_eq!(records.len(), 2, "the agreement and its withdrawal are kept");
        assert_eq!(records[1]["withdrawn"], true);
        let csv = c
            .get(format!("{}/s/forum/testimonials/export.csv", app.base))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!csv.contains("réinventé") && !csv.contains("Jeanne"), "{csv}");

        // The link now says it is withdrawn, with no button; confirming again changes nothing.
        let r = guest
            .get(format!("{link}?ok=withdrawn"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers().get("referrer-policy").unwrap(),
            "no-referrer",
            "the token never leaves in a Referer"
        );
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Consentement retiré le") && !html.contains("guest-withdraw-form"),
            "{html}"
        );
        let r = guest
            .post(&link)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let export: Value = c
            .get(api("/spaces/forum/testimonials/export"))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(export["items"][0]["consents"].as_array().unwrap().len(), 2);

        // An unknown link is a clear "not found"; a new link replaces the old one.
        let r = guest
            .get(format!("{}/consent/{}", app.base, "ab".repeat(32)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = c
            .post(api(&format!("/testimonials/{id}/withdrawal-link")))
            .header("authorization", &admin)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let fresh: Value = r.json().await.unwrap();
        assert_eq!(fresh["mailed_to"], Value::Null);
        let r = guest.get(&link).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "the old link is replaced");
        let r = guest
            .get(fresh["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);

        // A member withdraws from their own account: no link for them.
        let member = json!({
            "kind": "testimonial", "title": "Par une membre", "body": "Bien.", "person_handle": "marie",
            "consent": {"internal_use": true, "name_shown": "full", "wording": "J'accepte."}
        });
        let r = c
            .post(api("/spaces/forum/testimonials"))
            .header("authorization", &admin)
            .json(&member)
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!((v["guest"].clone(), v["withdrawal"].clone()), (json!(false), Value::Null));
        let r = c
            .post(api(&format!("/testimonials/{}/withdrawal-link", v["id"])))
            .header("authorization", &admin)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let (status, p) = problem(r).await;
        assert_eq!((status, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("person")));

        // The admin's page offers a new link for a guest and shows it once.
        body["title"] = json!("Un second salon");
        body["person_email"] = json!("");
        let r = c
            .post(api("/spaces/forum/testimonials"))
            .header("authorization", &admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        let second = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let (ac, _) = admin_session(&app).await;
        let html = ac
            .get(format!("{}/testimonials/{second}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Lien de retrait pour la personne"), "{html}");
        let csrf = super::sessions::form_csrf(&html);
        let r = ac
            .post(format!("{}/testimonials/{second}/withdrawal-link", app.base))
            .form(&[("csrf", csrf.as_str()), ("email", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("id=\"withdrawal-url\"")
                && html.contains(&format!("{}/consent/", app.base).replace('/', "&#x2f;")),
            "{html}"
        );
    })
    .await;
}

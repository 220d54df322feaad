//! Surveys sent by email and embedded (issue 16): an admin mails a survey to pasted
//! addresses; each mail, in the reader's language, carries a personal link that answers once
//! without an account (a second try is refused, naming the link), and the answers make the
//! NPS like any other. Only admins send; a bad line or too long a list is refused naming the
//! field; the admin sees counts, never who answered. From its widget, a survey is answered
//! once per person signed in through the widget's emailed link.

use super::embed_posting::{HOST, sign_in_to, widget, widget_post};
use super::sessions::form_csrf;
use super::sessions_reminders::decode;
use super::*;

/// A new survey of the `forum` space: its token and id.
pub(super) async fn new_survey(app: &App, auth: &str, kind: &str, title: &str) -> (String, i64) {
    let r = client()
        .post(format!("{}/api/v1/spaces/forum/surveys", app.base))
        .header("authorization", auth)
        .json(&json!({"kind": kind, "title": title}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let d = dashboard(app, auth).await;
    let id = d["surveys"]["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["link"] == format!("/surveys/{token}"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    (token, id)
}

pub(super) async fn dashboard(app: &App, auth: &str) -> Value {
    let r = client()
        .get(format!("{}/api/v1/spaces/forum/measures", app.base))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

pub(super) async fn send(app: &App, auth: &str, id: i64, body: Value) -> reqwest::Response {
    client()
        .post(format!(
            "{}/api/v1/spaces/forum/surveys/{id}/sendings",
            app.base
        ))
        .header("authorization", auth)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The personal link in a decoded mail's text.
pub(super) fn link_in(text: &str) -> String {
    let i = text.find("http://").expect("a link in the mail");
    text[i..].split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn an_admin_mails_a_survey_and_each_link_answers_once_without_an_account() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let (token, id) = new_survey(&app, &admin, "nps", "Nous recommanderiez-vous ?").await;
        // Ben is a member who reads English; Ana is no member.
        app.store
            .create_member(&NewMember {
                handle: "ben".into(),
                display_name: "Ben".into(),
                email: Some("ben@clients.example".into()),
                password_hash: None,
                site_role: SiteRole::Member,
                ecosystem_role: EcosystemRole::Customer,
                organisation: String::new(),
                bio: String::new(),
                lang: "en".into(),
                created_at: now_millis(),
            })
            .await
            .unwrap();

        // Only admins send.
        let eva = format!("Bearer {}", super::content::member_token(&app, "eva").await);
        let (status, p) =
            problem(send(&app, &eva, id, json!({"emails": ["ana@clients.example"]})).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{p}");

        // A bad line, a list too long, an unknown audience: refused, naming the field.
        let (status, p) = problem(
            send(
                &app,
                &admin,
                id,
                json!({"emails": ["ana@clients.example", "pas une adresse"]}),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("emails")),
            "{p}"
        );
        assert!(p["detail"].as_str().unwrap().contains("line 2"), "{p}");
        let many: Vec<String> = (0..5_001).map(|i| format!("p{i}@x.example")).collect();
        let (status, p) = problem(send(&app, &admin, id, json!({"emails": many})).await).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("emails")),
            "{p}"
        );
        let (status, p) =
            problem(send(&app, &admin, id, json!({"audience": "ecosystem_role:nope"})).await).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("audience")),
            "{p}"
        );
        // The page says which line, in French.
        let (c, _) = admin_session(&app).await;
        let page = c
            .get(format!("{}/s/forum/measures", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Envoyer par e-mail"), "{page}");
        let r = c
            .post(format!("{}/s/forum/measures/surveys/{id}/send", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .form(&[
                ("csrf", form_csrf(&page).as_str()),
                ("emails", "ana@clients.example\nana@clients"),
                ("audience", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(
            page.contains(
                "Ligne 2\u{a0}: «\u{a0}ana@clients\u{a0}» n&#x27;est pas une adresse e-mail."
            ),
            "{page}"
        );

        // Sent to two addresses (one written in capitals, one blank line), once each.
        let r = send(
            &app,
            &admin,
            id,
            json!({"emails": ["ana@clients.example", "", "BEN@clients.example"]}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"queued": 2, "already": 0})
        );
        let r = send(&app, &admin, id, json!({"emails": ["ana@clients.example"]})).await;
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"queued": 0, "already": 1})
        );
        let before = app.mails.lock().unwrap().len();
        assert_eq!(app.services.run_due_jobs(now_millis()).await.unwrap(), 2);
        let mails: Vec<_> = app.mails.lock().unwrap()[before..]
            .iter()
            .map(|m| decode(m))
            .collect();
        assert_eq!(mails.len(), 2);
        let ana = mails.iter().find(|m| m.to.contains("ana@")).unwrap();
        let ben = mails.iter().find(|m| m.to.contains("ben@")).unwrap();
        // Ana is no member: the admin's language (French); Ben reads his own.
        assert_eq!(
            ana.subject,
            "Forum vous demande votre avis\u{a0}: Nous recommanderiez-vous ?"
        );
        assert!(ana.text.contains("sans compte"), "{}", ana.text);
        assert_eq!(
            ben.subject,
            "Forum asks your opinion: Nous recommanderiez-vous ?"
        );
        let ana_link = link_in(&ana.text);
        let ben_link = link_in(&ben.text);
        assert!(
            ana_link.contains(&format!("/surveys/{token}?r=")),
            "{ana_link}"
        );
        assert_ne!(ana_link, ben_link);

        // Ana answers from her link, without an account, once.
        let visitor = client();
        let page = visitor
            .get(&ana_link)
            .header("accept-language", "fr-FR,fr;q=0.9")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Sans compte."), "{page}");
        let r_secret = ana_link.split("?r=").nth(1).unwrap().to_string();
        let answer = |score: &'static str| {
            let csrf = form_csrf(&page);
            let r = r_secret.clone();
            let visitor = visitor.clone();
            let url = format!("{}/surveys/{token}", app.base);
            async move {
                visitor
                    .post(url)
                    .header("accept-language", "fr-FR,fr;q=0.9")
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("score", score),
                        ("comment", "Très bien"),
                        ("r", r.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let r = answer("10").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("votre réponse est enregistrée")
        );
        let r = answer("9").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Ce lien personnel a déjà servi à répondre\u{a0}: une réponse par lien."),
        );
        // Opened again, the link says so instead of offering the form.
        let page = visitor
            .get(&ana_link)
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("This personal link has already been used to answer"),
            "{page}"
        );
        assert!(!page.contains("name=\"score\""));

        // Ben answers through the API: out of the scale, then once.
        let ben_r = ben_link.split("?r=").nth(1).unwrap();
        let api_answer = |score: i64| {
            client()
                .post(format!("{}/api/v1/surveys/{token}/answers", app.base))
                .json(&json!({"score": score, "recipient": ben_r}))
                .send()
        };
        // A link that is not one of this survey's is refused, naming it.
        let (status, p) = problem(
            client()
                .post(format!("{}/api/v1/surveys/{token}/answers", app.base))
                .json(&json!({"score": 5, "recipient": "not-a-link"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, p["code"].as_str(), p["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("unknown_link"),
                Some("recipient")
            ),
            "{p}"
        );
        let (status, p) = problem(api_answer(11).await.unwrap()).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("score")),
            "{p}"
        );
        assert_eq!(api_answer(3).await.unwrap().status(), StatusCode::CREATED);
        let (status, p) = problem(api_answer(3).await.unwrap()).await;
        assert_eq!(
            (status, p["code"].as_str(), p["field"].as_str()),
            (StatusCode::CONFLICT, Some("link_used"), Some("recipient")),
            "{p}"
        );

        // The NPS counts both (one promoter, one detractor); the admin sees counts only.
        let d = dashboard(&app, &admin).await;
        assert_eq!(d["surveys"]["nps"]["n"], 2, "{}", d["surveys"]);
        assert_eq!(d["surveys"]["nps"]["value"], 0.0);
        let s = &d["surveys"]["surveys"][0];
        assert_eq!(
            (s["sent"].as_i64(), s["answered_by_mail"].as_i64()),
            (Some(2), Some(2))
        );
        assert!(!d.to_string().contains("ana@clients.example"));
        let csv = client()
            .get(format!("{}/api/v1/spaces/forum/measures/surveys", app.base))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!csv.contains("@clients.example"), "{csv}");
        let page = c
            .get(format!("{}/s/forum/measures", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("2 envois, 2 réponses par lien"), "{page}");
        assert!(!page.contains("ana@clients.example"));

        // From the page, to the customers among the members: Ben had his mail, Eva gets one.
        let r = c
            .post(format!("{}/s/forum/measures/surveys/{id}/send", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .form(&[
                ("csrf", form_csrf(&page).as_str()),
                ("emails", ""),
                ("audience", "ecosystem_role:customer"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let page = c
            .get(format!("{}{to}", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("L&#x27;enquête part vers 1 adresse."),
            "{page}"
        );
        let before = app.mails.lock().unwrap().len();
        assert_eq!(app.services.run_due_jobs(now_millis()).await.unwrap(), 1);
        let eva_mail = decode(&app.mails.lock().unwrap()[before]);
        assert!(
            eva_mail.to.contains("eva@content.example"),
            "{}",
            eva_mail.to
        );
    })
    .await;
}

#[tokio::test]
async fn an_embedded_survey_is_answered_once_through_the_widget_sign_in() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let (token, _) = new_survey(&app, &admin, "nps", "Votre avis").await;

        // The card offers the question and the widget's sign-in, in French.
        let r = widget()
            .get(format!(
                "{}/embed/survey/{token}?lang=fr&origin=https%3A%2F%2Fblog.example",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let card = r.text().await.unwrap();
        assert!(card.contains(r#"id="pv-answer""#), "{card}");
        assert!(card.contains("embed-post.js"));
        assert!(card.contains("que vous nous recommandiez"), "{card}");

        // Its page shows the Embed box to admins only.
        let (c, _) = admin_session(&app).await;
        let page = c
            .get(format!("{}/surveys/{token}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!(r#"data-parvis-preview="survey&#x2f;{token}""#)),
            "{page}"
        );
        let page = client()
            .get(format!("{}/surveys/{token}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("data-parvis-preview"), "{page}");

        // A visitor signs in from the widget and answers once.
        let w = sign_in_to(&app, &format!("survey/{token}"), "zoe@visiteurs.example").await;
        let path = format!("surveys/{token}/answers");
        let (status, p) = problem(widget_post(&app, &w, &path, json!({"score": 42})).await).await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("score")),
            "{p}"
        );
        let r = widget_post(&app, &w, &path, json!({"score": 9, "comment": "Top"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let (status, p) = problem(widget_post(&app, &w, &path, json!({"score": 9})).await).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (StatusCode::CONFLICT, Some("already_answered")),
            "{p}"
        );
        // Without the widget's token, or from a site not allowed: refused.
        let r = widget()
            .post(format!("{}/api/v1/embed/{path}", app.base))
            .header("x-parvis-host", HOST)
            .json(&json!({"score": 9}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        let d = dashboard(&app, &admin).await;
        assert_eq!(d["surveys"]["nps"]["n"], 1, "{}", d["surveys"]);
        assert_eq!(d["surveys"]["nps"]["value"], 100.0);
        // The answer counts as engagement in the embed funnel.
        let f: Value = client()
            .get(format!("{}/api/v1/spaces/forum/embed/funnel", app.base))
            .header("authorization", &admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let row = f["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["embed"] == format!("survey/{token}"))
            .unwrap_or_else(|| panic!("no row for the survey: {f}"));
        assert_eq!(row["engagements"].as_i64(), Some(1), "{f}");
    })
    .await;
}

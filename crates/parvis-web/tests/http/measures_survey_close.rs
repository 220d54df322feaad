//! Surveys (issue 16), what the mailed links left open: a person answers once whether signed
//! in or through the link mailed to their address (in either order, refused naming the field,
//! in French and English on the page); an admin closes a survey, after which every path
//! refuses answers and the mails not sent yet never go, the figures staying; a member's export
//! lists the survey mails still pending for their address, and erasing them drops those mails.

use super::embed_posting::{sign_in_to, widget, widget_post};
use super::measures_mail::{dashboard, link_in, new_survey, send};
use super::sessions::form_csrf;
use super::sessions_reminders::decode;
use super::*;

/// Run the due jobs; the mails they sent, decoded.
pub(super) async fn mails_out(app: &App) -> Vec<super::sessions_reminders::Mail> {
    let before = app.mails.lock().unwrap().len();
    app.services.run_due_jobs(now_millis()).await.unwrap();
    app.mails.lock().unwrap()[before..]
        .iter()
        .map(|m| decode(m))
        .collect()
}

/// The `r` of the personal link mailed to `to` among `mails`.
pub(super) fn secret_for(mails: &[super::sessions_reminders::Mail], to: &str) -> String {
    let m = mails
        .iter()
        .find(|m| m.to.contains(to))
        .unwrap_or_else(|| panic!("no mail to {to}"));
    link_in(&m.text).split("?r=").nth(1).unwrap().to_string()
}

pub(super) async fn api_answer(
    app: &App,
    token: &str,
    auth: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut r = client().post(format!("{}/api/v1/surveys/{token}/answers", app.base));
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    r.json(&body).send().await.unwrap()
}

async fn get_page(c: &reqwest::Client, url: String, lang: &str) -> (StatusCode, String) {
    let r = c
        .get(url)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_person_answers_once_whether_signed_in_or_through_their_mailed_link() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let (token, id) = new_survey(&app, &admin, "nps", "Votre avis").await;
        let eva = format!("Bearer {}", super::content::member_token(&app, "eva").await);

        // Eva answers signed in first; then the survey is mailed to her, and to the admin.
        let r = api_answer(&app, &token, Some(&eva), json!({"score": 9})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = send(
            &app,
            &admin,
            id,
            json!({"emails": ["EVA@content.example", "camille@novea.example", "lou@visiteurs.example"]}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let mails = mails_out(&app).await;
        let eva_r = secret_for(&mails, "eva@content.example");
        let camille_r = secret_for(&mails, "camille@novea.example");
        let lou_r = secret_for(&mails, "lou@visiteurs.example");

        // Eva's link says she answered, without the form; answering by it is refused, naming
        // the link.
        let link = format!("{}/surveys/{token}?r={eva_r}", app.base);
        let (_, page) = get_page(&client(), link.clone(), "en").await;
        assert!(
            page.contains("You have already answered this survey: one answer per person."),
            "{page}"
        );
        assert!(!page.contains("name=\"score\""), "{page}");
        let (status, p) =
            problem(api_answer(&app, &token, None, json!({"score": 2, "recipient": eva_r})).await)
                .await;
        assert_eq!(
            (status, p["code"].as_str(), p["field"].as_str()),
            (
                StatusCode::CONFLICT,
                Some("already_answered"),
                Some("recipient")
            ),
            "{p}"
        );
        // A form kept open from before: the answer is refused on the page, in French.
        let visitor = client();
        let (_, signin) = get_page(&visitor, format!("{}/signin", app.base), "fr").await;
        let r = visitor
            .post(format!("{}/surveys/{token}", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .form(&[
                ("csrf", form_csrf(&signin).as_str()),
                ("score", "2"),
                ("r", eva_r.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(
            page.contains(
                "role=\"alert\">Vous avez déjà répondu à cette enquête\u{a0}: une réponse par personne."
            ),
            "{page}"
        );

        // The admin answers through her link first; signed in afterwards she is refused.
        let r = api_answer(
            &app,
            &token,
            None,
            json!({"score": 10, "recipient": camille_r}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let (c, _) = admin_session(&app).await;
        let (_, page) = get_page(
            &c,
            format!("{}/surveys/{token}", app.base),
            "fr-FR,fr;q=0.9",
        )
        .await;
        assert!(
            page.contains("Vous avez déjà répondu à cette enquête\u{a0}: une réponse par personne."),
            "{page}"
        );
        assert!(!page.contains("name=\"score\""), "{page}");
        let (status, p) = problem(api_answer(&app, &token, Some(&admin), json!({"score": 1})).await).await;
        assert_eq!(
            (status, p["code"].as_str(), p["field"].as_str()),
            (StatusCode::CONFLICT, Some("already_answered"), Some("score")),
            "{p}"
        );
        let r = c
            .post(format!("{}/surveys/{token}", app.base))
            .header("accept-language", "en")
            .form(&[("csrf", form_csrf(&page).as_str()), ("score", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("You have already answered this survey: one answer per person.")
        );

        // Lou, no member, answers by her link; signed in from the widget later, she is
        // refused, and the card says so in its language.
        let r = api_answer(&app, &token, None, json!({"score": 9, "recipient": lou_r})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let w = sign_in_to(&app, &format!("survey/{token}"), "lou@visiteurs.example").await;
        let path = format!("surveys/{token}/answers");
        let (status, p) = problem(widget_post(&app, &w, &path, json!({"score": 9})).await).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (StatusCode::CONFLICT, Some("already_answered")),
            "{p}"
        );
        let card = widget()
            .get(format!(
                "{}/embed/survey/{token}?lang=fr&origin=https%3A%2F%2Fblog.example",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            card.contains(
                "data-answered=\"Vous avez déjà répondu à cette enquête\u{a0}: une réponse par personne.\""
            ),
            "{card}"
        );

        // Three people, three answers, all promoters: one signed in, two by link.
        let d = dashboard(&app, &admin).await;
        let s = &d["surveys"]["surveys"][0];
        assert_eq!(
            (
                s["respondents"].as_i64(),
                s["sent"].as_i64(),
                s["answered_by_mail"].as_i64()
            ),
            (Some(3), Some(3), Some(2)),
            "{s}"
        );
        assert_eq!(d["surveys"]["nps"]["value"], 100.0);
    })
    .await;
}

#[tokio::test]
async fn a_closed_survey_takes_no_answer_on_any_path_and_its_pending_mails_never_go() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let (token, id) = new_survey(&app, &admin, "nps", "Salon 2026").await;
        // Ana's mail goes; Zoé's is still queued when the survey closes.
        send(&app, &admin, id, json!({"emails": ["ana@clients.example"]})).await;
        let ana_r = secret_for(&mails_out(&app).await, "ana@clients.example");
        send(&app, &admin, id, json!({"emails": ["zoe@clients.example"]})).await;
        let eva = format!("Bearer {}", super::content::member_token(&app, "eva").await);
        let r = api_answer(&app, &token, Some(&eva), json!({"score": 8})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let w = sign_in_to(&app, &format!("survey/{token}"), "lea@visiteurs.example").await;
        // Ana opens her link (the form shows) and answers after the survey closed.
        let visitor = client();
        let link = format!("{}/surveys/{token}?r={ana_r}", app.base);
        let (_, ana_page) = get_page(&visitor, link.clone(), "fr-FR,fr;q=0.9").await;
        assert!(ana_page.contains("name=\"score\""), "{ana_page}");

        // Only admins close.
        let close = |auth: String| {
            client()
                .post(format!(
                    "{}/api/v1/spaces/forum/surveys/{id}/close",
                    app.base
                ))
                .header("authorization", auth)
                .send()
        };
        let (status, _) = problem(close(eva.clone()).await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // From the measures page, in French, with its CSRF token.
        let (c, _) = admin_session(&app).await;
        let (_, page) = get_page(
            &c,
            format!("{}/s/forum/measures", app.base),
            "fr-FR,fr;q=0.9",
        )
        .await;
        assert!(page.contains("Clore l&#x27;enquête — Salon 2026"), "{page}");
        let url = format!("{}/s/forum/measures/surveys/{id}/close", app.base);
        let r = c
            .post(&url)
            .form(&[("csrf", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = c
            .post(&url)
            .form(&[("csrf", form_csrf(&page).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(to, "/s/forum/measures?closed=1#surveys");
        let (_, page) = get_page(&c, format!("{}{to}", app.base), "fr-FR,fr;q=0.9").await;
        assert!(
            page.contains("L&#x27;enquête est close\u{a0}; 1 e-mail en attente ne partira pas."),
            "{page}"
        );
        assert!(
            page.contains(r#"<span class="chip">close</span>"#),
            "{page}"
        );
        assert!(
            !page.contains("Clore l&#x27;enquête — Salon 2026"),
            "{page}"
        );
        let (_, page) = get_page(&c, format!("{}{to}", app.base), "en").await;
        assert!(
            page.contains(r#"<span class="chip">closed</span>"#),
            "{page}"
        );

        // Zoé's mail never goes, and her address is gone with it.
        assert!(mails_out(&app).await.is_empty());
        let v: Value = close(admin.clone()).await.unwrap().json().await.unwrap();
        assert_eq!(v["dropped"], 0, "closing again changes nothing: {v}");

        // Every path refuses: API signed in, API by link, page by link, page signed in, widget.
        let ben = format!("Bearer {}", super::content::member_token(&app, "ben").await);
        for (auth, body) in [
            (Some(ben.as_str()), json!({"score": 3})),
            (None, json!({"score": 3, "recipient": ana_r})),
        ] {
            let (status, p) = problem(api_answer(&app, &token, auth, body).await).await;
            assert_eq!(
                (status, p["code"].as_str()),
                (StatusCode::CONFLICT, Some("survey_closed")),
                "{p}"
            );
        }
        let (_, page) = get_page(&visitor, link, "fr-FR,fr;q=0.9").await;
        assert!(
            page.contains("Cette enquête est close\u{a0}: elle ne reçoit plus de réponses."),
            "{page}"
        );
        assert!(!page.contains("name=\"score\""));
        let r = visitor
            .post(format!("{}/surveys/{token}", app.base))
            .header("accept-language", "fr-FR,fr;q=0.9")
            .form(&[
                ("csrf", form_csrf(&ana_page).as_str()),
                ("score", "3"),
                ("r", ana_r.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains(r#"role="alert">Cette enquête est close"#)
        );
        let (_, page) = get_page(&c, format!("{}/surveys/{token}", app.base), "en").await;
        assert!(
            page.contains("This survey is closed: it takes no more answers."),
            "{page}"
        );
        let r = c
            .post(format!("{}/surveys/{token}", app.base))
            .header("accept-language", "en")
            .form(&[("csrf", form_csrf(&page).as_str()), ("score", "3")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("This survey is closed: it takes no more answers.")
        );
        let path = format!("surveys/{token}/answers");
        let (status, p) = problem(widget_post(&app, &w, &path, json!({"score": 9})).await).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (StatusCode::CONFLICT, Some("survey_closed")),
            "{p}"
        );
        let card = widget()
            .get(format!(
                "{}/embed/survey/{token}?lang=en&origin=https%3A%2F%2Fblog.example",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            card.contains("This survey is closed: it takes no more answers."),
            "{card}"
        );
        assert!(!card.contains(r#"id="pv-answer""#), "{card}");
        // Nor is it sent again.
        let (status, p) =
            problem(send(&app, &admin, id, json!({"emails": ["new@clients.example"]})).await).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (StatusCode::CONFLICT, Some("survey_closed")),
            "{p}"
        );

        // Its figures stay: Eva's answer, Ana's mail.
        let d = dashboard(&app, &admin).await;
        let s = &d["surveys"]["surveys"][0];
        assert_eq!(
            (
                s["closed"].as_bool(),
                s["respondents"].as_i64(),
                s["sent"].as_i64()
            ),
            (Some(true), Some(1), Some(1)),
            "{s}"
        );
        assert_eq!(d["surveys"]["nps"]["n"], 1);

        // The route is in the OpenAPI document.
        let doc: Value = client()
            .get(format!("{}/api/openapi.json", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            doc["paths"]["/api/v1/spaces/{space}/surveys/{id}/close"]["post"].is_object()
                || doc["paths"]["/spaces/{space}/surveys/{id}/close"]["post"].is_object(),
            "{}",
            doc["paths"]
        );
    })
    .await;
}

#[tokio::test]
async fn a_members_export_lists_their_pending_survey_mails_and_erasure_drops_them() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let (token, id) = new_survey(&app, &admin, "csat", "Votre satisfaction").await;
        let ines = format!(
            "Bearer {}",
            super::content::member_token(&app, "ines").await
        );
        send(
            &app,
            &admin,
            id,
            json!({"emails": ["ines@content.example", "other@clients.example"]}),
        )
        .await;

        // Her export lists the survey mail still pending for her address: title, when.
        let export: Value = client()
            .get(format!("{}/api/v1/me/export", app.base))
            .header("authorization", &ines)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let pending = export["pending_surveys"].as_array().unwrap();
        assert_eq!(pending.len(), 1, "{export}");
        assert_eq!(pending[0]["title"], "Votre satisfaction");
        assert_eq!(pending[0]["space"], "forum");
        assert!(pending[0]["queued_at"].as_i64().unwrap() > 0);
        assert!(
            !export.to_string().contains(&token),
            "nothing about answers"
        );

        // Erased, her mail never goes; the other one does.
        let r = client()
            .delete(format!("{}/api/v1/me?messages=anonymise", app.base))
            .header("authorization", &ines)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let mails = mails_out(&app).await;
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].to.contains("other@clients.example"),
            "{}",
            mails[0].to
        );
    })
    .await;
}

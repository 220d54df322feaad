//! What a walk through the demo as its visitors and its admin turned up, kept fixed: a young
//! topic's map in widgets, plurals on the admin pages, the way to the measures.

use super::*;

/// A space `forum` with a topic `salons`, created by the admin over the API; returns the
/// admin's bearer header.
async fn forum_with_topic(app: &App) -> String {
    let auth = format!("Bearer {}", admin_token(app).await);
    let c = client();
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c
        .post(format!("{}/api/v1/spaces/forum/topics", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Salons", "slug": "salons"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    auth
}

/// A page's text, asked in `lang`.
async fn page_in(c: &reqwest::Client, url: &str, lang: &str) -> (StatusCode, String) {
    let r = c
        .get(url)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_young_topics_map_image_says_when_the_map_appears() {
    on_both(|app| async move {
        let auth = forum_with_topic(&app).await;
        // One statement and one voter: too few for a map.
        let base = format!("{}/api/v1/spaces/forum/topics/salons", app.base);
        let r = client()
            .post(format!("{base}/statements"))
            .header("authorization", &auth)
            .json(&json!({"body": "Les salons restent utiles"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        // The image the opinion widget and the page load is an image, in the reader's
        // language, not a 422 drawn as a broken image.
        let svg = format!("{}/s/forum/t/salons/opinion/map.svg", app.base);
        for (lang, says) in [
            ("fr-FR", "La carte apparaîtra quand"),
            ("en", "The map appears once"),
        ] {
            let r = client()
                .get(&svg)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{lang}");
            assert_eq!(r.headers()["content-type"], "image/svg+xml");
            let body = r.text().await.unwrap();
            assert!(
                body.starts_with("<svg") && body.ends_with("</svg>"),
                "{body}"
            );
            assert!(body.contains(says), "{lang}: {body}");
        }
        // The widget's card points at that image.
        let (status, frame) = page_in(
            &client(),
            &format!("{}/embed/opinion/forum/salons", app.base),
            "fr",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            frame.contains(
                "src=\"&#x2f;s&#x2f;forum&#x2f;t&#x2f;salons&#x2f;opinion&#x2f;map.svg\""
            ),
            "{frame}"
        );
    })
    .await;
}

#[tokio::test]
async fn deleting_a_topic_counts_what_goes_in_agreeing_words() {
    on_both(|app| async move {
        let auth = forum_with_topic(&app).await;
        let r = client()
            .post(format!("{}/api/v1/spaces/forum/threads", app.base))
            .header("authorization", &auth)
            .json(&json!({"title": "Un salon", "body": "Qui y va ?", "topic": "salons"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let (c, _) = admin_session(&app).await;
        let url = format!("{}/admin/spaces/forum/t/salons", app.base);
        // One thread, no statement: singular verbs and participles, in French (where 0 takes
        // the singular too) and in English.
        let (status, fr) = page_in(&c, &url, "fr-FR").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            fr.contains("1 discussion reste dans l&#x27;espace, sans sujet"),
            "{fr}"
        );
        assert!(
            fr.contains("0 affirmation supprimée avec ses votes"),
            "{fr}"
        );
        assert!(
            !fr.contains("restent") && !fr.contains("supprimées"),
            "{fr}"
        );
        let (_, en) = page_in(&c, &url, "en").await;
        assert!(
            en.contains("1 thread stays in the space, without a topic"),
            "{en}"
        );
        assert!(en.contains("0 statements deleted with their votes"), "{en}");
    })
    .await;
}

#[tokio::test]
async fn the_measures_are_one_click_from_the_space_for_its_moderators() {
    on_both(|app| async move {
        forum_with_topic(&app).await;
        let link = "href=\"/s/forum/measures\"";
        // The admin finds the dashboard from the space and from its admin page, and it opens.
        let (c, _) = admin_session(&app).await;
        let (_, space) = page_in(&c, &format!("{}/s/forum", app.base), "fr").await;
        assert!(
            space.contains(link) && space.contains("Mesures →"),
            "{space}"
        );
        let (_, admin) = page_in(&c, &format!("{}/admin/spaces/forum", app.base), "en").await;
        assert!(admin.contains(link), "{admin}");
        let (status, _) = page_in(&c, &format!("{}/s/forum/measures", app.base), "fr").await;
        assert_eq!(status, StatusCode::OK);
        // A visitor, who may not open it, is not shown the way.
        let (_, anon) = page_in(&client(), &format!("{}/s/forum", app.base), "fr").await;
        assert!(!anon.contains(link), "{anon}");
    })
    .await;
}

#[tokio::test]
async fn the_feed_quotes_in_the_readers_typography() {
    on_both(|app| async move {
        let auth = forum_with_topic(&app).await;
        // Léa, a member, starts threads in the topic; the admin replies to the first one.
        app.store
            .create_member(&NewMember {
                handle: "lea".into(),
                display_name: "Léa Membre".into(),
                email: Some("lea@client.example".into()),
                password_hash: Some(parvis_services_hash(ADMIN_PASSWORD)),
                site_role: SiteRole::Member,
                ecosystem_role: EcosystemRole::Customer,
                organisation: String::new(),
                bio: String::new(),
                lang: "fr".into(),
                created_at: now_millis(),
            })
            .await
            .unwrap();
        let lea = client();
        let r = lea
            .post(format!("{}/api/v1/auth/password", app.base))
            .json(&json!({"email": "lea@client.example", "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        let csrf: Value = r.json().await.unwrap();
        let csrf = csrf["csrf_token"].as_str().unwrap().to_string();
        let mut threads = Vec::new();
        for (title, body) in [
            (
                "Salon de Lyon : qui vient ?",
                "Organisons des rendez-vous sur le stand.",
            ),
            (
                "Salon de Paris : le bilan",
                "Les stands ont attiré des décideurs.",
            ),
        ] {
            let r = lea
                .post(format!("{}/api/v1/spaces/forum/threads", app.base))
                .header("x-csrf-token", &csrf)
                .json(&json!({"title": title, "body": body, "topic": "salons"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
            let v: Value = r.json().await.unwrap();
            threads.push(v["id"].as_i64().unwrap());
        }
        let r = client()
            .post(format!(
                "{}/api/v1/threads/{}/messages",
                app.base, threads[0]
            ))
            .header("authorization", &auth)
            .json(&json!({"body": "J'y serai, avec deux collègues."}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let (c, _) = admin_session(&app).await;
        let url = format!("{}/s/forum/feed", app.base);
        let (status, en) = page_in(&c, &url, "en").await;
        assert_eq!(status, StatusCode::OK);
        assert!(en.contains("“Salons”") || en.contains("“Salon de"), "{en}");
        assert!(!en.contains('«') && !en.contains('»'), "{en}");
        let (_, fr) = page_in(&c, &url, "fr").await;
        assert!(
            fr.contains("« Salons »") || fr.contains("« Salon de"),
            "{fr}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_agenda_line_without_its_minutes_is_explained_on_the_session_form() {
    let app = spawn_app().await;
    forum_with_topic(&app).await;
    let (admin, _) = admin_session(&app).await;
    for (lang, message) in [
        (
            "fr-FR",
            "Chaque point du programme dure de 1 à 1 440 minutes",
        ),
        ("en", "Each agenda item lasts 1 to 1,440 minutes"),
    ] {
        let (_, html) = page_in(
            &admin,
            &format!("{}/s/forum/t/salons/sessions/new", app.base),
            lang,
        )
        .await;
        let starts = super::sessions::local_in_days(5);
        let r = admin
            .post(format!("{}/s/forum/t/salons/sessions", app.base))
            .header("accept-language", lang)
            .form(&[
                ("csrf", super::sessions::form_csrf(&html).as_str()),
                ("title", "Atelier salons"),
                ("starts_at", starts.as_str()),
                ("duration_min", "90"),
                ("time_zone", "UTC"),
                ("mode", "in_person"),
                ("place", "Lyon"),
                ("agenda", "Accueil\nDébat | 60"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{lang}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"err-agenda\""), "{lang}: {html}");
        assert!(html.contains(message), "{lang}: {html}");
        assert!(!html.contains("hors des limites") && !html.contains("out of bounds"));
    }
}

#[tokio::test]
async fn the_first_of_the_month_is_written_1er_in_french() {
    let app = spawn_app().await;
    // Paul joined on 1 July 2026, at noon UTC.
    app.store
        .create_member(&NewMember {
            handle: "paul".into(),
            display_name: "Paul Membre".into(),
            email: Some("paul@client.example".into()),
            password_hash: None,
            site_role: SiteRole::Member,
            ecosystem_role: EcosystemRole::Customer,
            organisation: String::new(),
            bio: String::new(),
            lang: "fr".into(),
            created_at: 1_782_907_200_000,
        })
        .await
        .unwrap();
    let url = format!("{}/members/paul", app.base);
    let (status, fr) = page_in(&client(), &url, "fr-FR").await;
    assert_eq!(status, StatusCode::OK);
    assert!(fr.contains("Membre depuis 1er juil. 2026"), "{fr}");
    let (_, en) = page_in(&client(), &url, "en").await;
    assert!(en.contains("Jul 1, 2026"), "{en}");
}

#[tokio::test]
async fn the_measures_write_numbers_and_names_as_the_reader_does() {
    on_both(|app| async move {
        forum_with_topic(&app).await;
        let (c, _) = admin_session(&app).await;
        let url = format!("{}/s/forum/measures", app.base);
        // French: decimal commas, a colon after a space, the Presence index's parts by name.
        let (status, fr) = page_in(&c, &url, "fr-FR").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            fr.contains("IPe\u{a0}: NPS 0,3, CSAT 0,2, CES 0,15"),
            "{fr}"
        );
        assert!(fr.contains("NPS, CSAT, CES"), "{fr}");
        assert!(!fr.contains("nps, csat") && !fr.contains("NPS 0.3"), "{fr}");
        // English: decimal points, no space before a colon or a percent sign.
        let (_, en) = page_in(&c, &url, "en").await;
        assert!(en.contains("IPe: NPS 0.3, CSAT 0.2, CES 0.15"), "{en}");
        assert!(
            en.contains("Download:") && !en.contains("Download :"),
            "{en}"
        );
        assert!(
            !en.contains("Period :") && !en.contains("5 % grace"),
            "{en}"
        );
    })
    .await;
}

#[tokio::test]
async fn english_session_pages_put_no_space_before_a_colon() {
    let app = spawn_app().await;
    forum_with_topic(&app).await;
    let (admin, _) = admin_session(&app).await;
    let (_, html) = page_in(
        &admin,
        &format!("{}/s/forum/t/salons/sessions/new", app.base),
        "fr",
    )
    .await;
    let starts = super::sessions::local_in_days(5);
    let r = admin
        .post(format!("{}/s/forum/t/salons/sessions", app.base))
        .form(&[
            ("csrf", super::sessions::form_csrf(&html).as_str()),
            ("title", "Atelier salons"),
            ("starts_at", starts.as_str()),
            ("duration_min", "90"),
            ("time_zone", "UTC"),
            ("mode", "phygital"),
            ("place", "Lyon"),
            ("online_url", "https://visio.example/salons"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = r.headers()["location"].to_str().unwrap().to_string();
    let session = session.split('?').next().unwrap();
    let url = format!("{}{session}", app.base);
    let (_, en) = page_in(&client(), &url, "en").await;
    assert!(
        en.contains("Place: Lyon") && en.contains("Online link: <a"),
        "{en}"
    );
    assert!(!en.contains(" : "), "{en}");
    let (_, fr) = page_in(&client(), &url, "fr").await;
    assert!(fr.contains("Lieu\u{a0}: Lyon"), "{fr}");
}

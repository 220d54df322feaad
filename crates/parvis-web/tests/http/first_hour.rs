//! The first hour of an instance, as its admin and its first visitors live it: the empty home
//! page says how a space comes to be, admin pages send visitors to the sign-in and back.

use super::*;

/// A page's HTML, asked in French.
async fn page_fr(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let r = c
        .get(url)
        .header("accept-language", "fr-FR,fr;q=0.9")
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// A signed-in member who is not an admin.
async fn member_session(app: &App) -> reqwest::Client {
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
    let c = client();
    let r = c
        .post(format!("{}/api/v1/auth/password", app.base))
        .json(&json!({"email": "lea@client.example", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    c
}

#[tokio::test]
async fn the_empty_home_page_says_how_a_space_is_created() {
    let app = spawn_app().await;
    // A visitor learns that an admin creates spaces, and how to become one from the shell.
    let (status, home) = page_fr(&client(), &format!("{}/", app.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Aucun espace pour l"), "{home}");
    assert!(home.contains("parvis admin add") && home.contains("parvis space create"));
    assert!(home.contains("href=\"/signin?next=/\""));
    assert!(!home.contains("Lancez la première"));
    assert!(!home.contains("action=\"/admin/spaces\""));
    // A member is told to ask an admin, and sees no form either.
    let (_, home) = page_fr(&member_session(&app).await, &format!("{}/", app.base)).await;
    assert!(home.contains("Demandez à un administrateur"));
    assert!(!home.contains("action=\"/admin/spaces\""));
    // The admin gets the form right there, and it creates the space.
    let (c, _) = admin_session(&app).await;
    let (_, home) = page_fr(&c, &format!("{}/", app.base)).await;
    assert!(home.contains("Créez votre premier espace"));
    assert!(home.contains("action=\"/admin/spaces\""));
    let csrf = me_csrf(&c, &app).await;
    let r = c
        .post(format!("{}/admin/spaces", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("back", "home"),
            ("name", "Nos clients"),
            ("slug", "clients"),
            ("description", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/s/clients");
    let (_, home) = page_fr(&client(), &format!("{}/", app.base)).await;
    assert!(home.contains("Nos clients") && !home.contains("Aucun espace"));
}

#[tokio::test]
async fn admin_pages_send_visitors_to_the_sign_in_and_back() {
    let app = spawn_app().await;
    let c = client();
    for (path, encoded) in [
        ("/admin", "%2Fadmin"),
        ("/admin/identities", "%2Fadmin%2Fidentities"),
        ("/admin/import", "%2Fadmin%2Fimport"),
    ] {
        let r = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()["location"], format!("/signin?next={encoded}"));
    }
    // The sign-in form carries `next` and lands there.
    let (_, signin) = page_fr(&c, &format!("{}/signin?next=%2Fadmin", app.base)).await;
    assert!(signin.contains("name=\"next\" value=\"&#x2f;admin\""));
    let csrf = signin
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let sign_in = |next: &'static str| {
        let c = c.clone();
        let csrf = csrf.clone();
        let url = format!("{}/signin", app.base);
        async move {
            c.post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("email", "camille@novea.example"),
                    ("password", ADMIN_PASSWORD),
                    ("next", next),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // Never to another site, however the address is dressed up.
    for evil in [
        "//evil.example/admin",
        "https://evil.example",
        "/\\evil.example",
        "/\t/evil.example",
    ] {
        let r = sign_in(evil).await;
        assert_eq!(r.headers()["location"], "/", "{evil:?}");
    }
    let r = sign_in("/admin").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/admin");
    let (status, admin) = page_fr(&c, &format!("{}/admin", app.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(admin.contains("Administration"));
    // A member who is not an admin is refused in their language, not sent in circles.
    let (status, page) = page_fr(&member_session(&app).await, &format!("{}/admin", app.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("lang=\"fr\""));
}

#[tokio::test]
async fn a_sign_in_link_lands_where_the_visitor_was_going() {
    let app = spawn_app().await;
    let c = client();
    let (_, signin) = page_fr(&c, &format!("{}/signin?next=%2Fadmin%2Fimport", app.base)).await;
    let csrf = signin
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let r = c
        .post(format!("{}/signin/link", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "camille@novea.example"),
            ("next", "/admin/import"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let link = wait_for_link(&app.mails, 1).await;
    let r = confirm_sign_in(&c, &link).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/admin/import");
}

/// Post a form as `c` (which has a CSRF cookie); returns (status, location, body).
async fn post_form(
    c: &reqwest::Client,
    url: String,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let r = c
        .post(url)
        .header("accept-language", "fr-FR,fr;q=0.9")
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

#[tokio::test]
async fn admins_create_edit_archive_and_delete_spaces_and_topics() {
    on_both(|app| async move {
        let (c, _) = admin_session(&app).await;
        let csrf = me_csrf(&c, &app).await;
        let url = |p: &str| format!("{}{p}", app.base);
        // A wrong slug: the form comes back filled in, the error in French next to the field.
        let (status, _, page) = post_form(
            &c,
            url("/admin/spaces"),
            &[
                ("csrf", &csrf),
                ("back", "admin"),
                ("name", "Forum des clients"),
                ("slug", "Forum Clients"),
                ("description", "Pour nos clients"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("value=\"Forum des clients\""),
            "the name typed is kept"
        );
        assert!(
            page.contains("Pour nos clients"),
            "the description typed is kept"
        );
        assert!(page.contains("id=\"err-slug\"") && page.contains("lettres minuscules"));
        assert!(
            !page.contains("expected 2 to 64"),
            "no English on the French page"
        );
        let (status, location, _) = post_form(
            &c,
            url("/admin/spaces"),
            &[
                ("csrf", &csrf),
                ("back", "admin"),
                ("name", "Forum des clients"),
                ("slug", "clients"),
                ("description", ""),
            ],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/s/clients")
        );
        // The same slug again: said to be taken, on the home page when the form was there.
        let (status, _, page) = post_form(
            &c,
            url("/admin/spaces"),
            &[
                ("csrf", &csrf),
                ("back", "home"),
                ("name", "Autre"),
                ("slug", "clients"),
                ("description", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("déjà pris") && page.contains("value=\"Autre\""));
        // Edit, then a topic from the space's admin page.
        let (status, _, _) = post_form(
            &c,
            url("/admin/spaces/clients"),
            &[
                ("csrf", &csrf),
                ("name", "Clients de Novéa"),
                ("description", "Le forum de nos clients"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, page) = post_form(
            &c,
            url("/admin/topics"),
            &[
                ("csrf", &csrf),
                ("space", "clients"),
                ("back", "space"),
                ("title", ""),
                ("slug", ""),
                ("keywords", "nps, délais"),
                ("description", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("Ce champ est obligatoire") && page.contains("value=\"nps, délais\"")
        );
        let (status, location, _) = post_form(
            &c,
            url("/admin/topics"),
            &[
                ("csrf", &csrf),
                ("space", "clients"),
                ("back", "space"),
                ("title", "Délais de livraison"),
                ("slug", ""),
                ("keywords", "délai, retard"),
                ("description", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/s/clients/t/delais-de-livraison");
        let (_, admin) = page_fr(&c, &url("/admin/spaces/clients")).await;
        assert!(admin.contains("Clients de Novéa") && admin.contains("Délais de livraison"));
        assert!(
            admin.contains("0 sujet") || admin.contains("1 sujet"),
            "counts are singular in French"
        );
        // Archive: gone from the home page, still readable, no longer writable.
        let (status, _, _) = post_form(
            &c,
            url("/admin/spaces/clients/archive"),
            &[("csrf", &csrf), ("archived", "1")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, home) = page_fr(&client(), &url("/")).await;
        assert!(!home.contains("Clients de Novéa"));
        let (status, space) = page_fr(&client(), &url("/s/clients")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(space.contains("archivé"));
        let (status, _, _) = post_form(
            &c,
            url("/s/clients/threads"),
            &[
                ("csrf", &csrf),
                ("title", "Bonjour"),
                ("body", "Un message"),
                ("topic", ""),
            ],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "an archived space is read-only"
        );
        // And back.
        post_form(
            &c,
            url("/admin/spaces/clients/archive"),
            &[("csrf", &csrf), ("archived", "0")],
        )
        .await;
        let (_, home) = page_fr(&client(), &url("/")).await;
        assert!(home.contains("Clients de Novéa") && home.contains("Délais de livraison"));
        let (status, _, _) = post_form(
            &c,
            url("/s/clients/threads"),
            &[
                ("csrf", &csrf),
                ("title", "Bonjour"),
                ("body", "Un message"),
                ("topic", "delais-de-livraison"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // Archiving a topic takes it off the lists.
        post_form(
            &c,
            url("/admin/spaces/clients/t/delais-de-livraison/archive"),
            &[("csrf", &csrf), ("archived", "1")],
        )
        .await;
        let (_, home) = page_fr(&client(), &url("/")).await;
        assert!(home.contains("Clients de Novéa") && !home.contains("Délais de livraison"));
        // Deleting asks for the slug; a wrong one deletes nothing and says so.
        let (_, admin) = page_fr(&c, &url("/admin/spaces/clients")).await;
        assert!(
            admin.contains("1 discussion") && admin.contains("1 message"),
            "says what will be lost"
        );
        let (status, _, page) = post_form(
            &c,
            url("/admin/spaces/clients/delete"),
            &[("csrf", &csrf), ("confirm", "client")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("rien n"));
        assert_eq!(app.store.list_spaces().await.unwrap().len(), 1);
        // Without the CSRF token: refused.
        let (status, _, _) = post_form(
            &c,
            url("/admin/spaces/clients/delete"),
            &[("csrf", ""), ("confirm", "clients")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, location, _) = post_form(
            &c,
            url("/admin/spaces/clients/delete"),
            &[("csrf", &csrf), ("confirm", "clients")],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/admin?ok=deleted")
        );
        assert!(app.store.list_spaces().await.unwrap().is_empty());
        let (status, _) = page_fr(&client(), &url("/s/clients")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_member_cannot_manage_spaces() {
    let app = spawn_app().await;
    app.services
        .operator_create_space("clients", "Nos clients", "")
        .await
        .unwrap();
    let c = member_session(&app).await;
    let (status, _) = page_fr(&c, &format!("{}/admin/spaces/clients", app.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = me_csrf(&c, &app).await;
    let (status, _, _) = post_form(
        &c,
        format!("{}/admin/spaces/clients/delete", app.base),
        &[("csrf", &csrf), ("confirm", "clients")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.list_spaces().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_roles_table_searches_names_handles_and_emails_and_pages() {
    let app = spawn_app().await;
    for i in 0..30 {
        app.store
            .create_member(&NewMember {
                handle: format!("membre{i:02}"),
                display_name: format!("Membre {i:02}"),
                email: Some(format!("m{i:02}@partenaire.example")),
                password_hash: None,
                site_role: SiteRole::Member,
                ecosystem_role: EcosystemRole::Partner,
                organisation: String::new(),
                bio: String::new(),
                lang: "fr".into(),
                created_at: now_millis(),
            })
            .await
            .unwrap();
    }
    let (c, _) = admin_session(&app).await;
    let (status, page) = page_fr(&c, &format!("{}/admin/members", app.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("31 membres"));
    assert!(page.contains("Camille Admin"), "admins first");
    assert_eq!(page.matches("class=\"role-row\"").count(), 25);
    assert!(page.contains("href=\"?page=2\""));
    let (_, page2) = page_fr(&c, &format!("{}/admin/members?page=2", app.base)).await;
    assert_eq!(page2.matches("class=\"role-row\"").count(), 6);
    // By email (admins see emails), keeping the search across pages.
    let (_, found) = page_fr(
        &c,
        &format!("{}/admin/members?q=m07%40partenaire", app.base),
    )
    .await;
    assert!(
        found.contains("1 membre") && found.contains("Membre 07"),
        "{found}"
    );
    assert!(found.contains("m07@partenaire.example"));
    let (_, found) = page_fr(&c, &format!("{}/admin/members?q=membre", app.base)).await;
    assert!(found.contains("href=\"?q=membre&amp;page=2\""));
    // Changing a role comes back to the same search.
    let csrf = me_csrf(&c, &app).await;
    let (status, location, _) = post_form(
        &c,
        format!("{}/admin/roles", app.base),
        &[
            ("csrf", &csrf),
            ("handle", "membre07"),
            ("role", "moderator"),
            ("back", "/admin/members?q=m07"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/admin/members?q=m07&ok=saved");
    // A visitor is sent to sign in; a member is refused.
    let r = client()
        .get(format!("{}/admin/members", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/signin?next=%2Fadmin%2Fmembers");
    let (status, _) = page_fr(
        &member_session(&app).await,
        &format!("{}/admin/members", app.base),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn posts_replies_and_the_account_page_keep_what_was_typed_when_refused() {
    let app = spawn_app().await;
    app.services
        .operator_create_space("clients", "Nos clients", "")
        .await
        .unwrap();
    let (c, _) = admin_session(&app).await;
    let csrf = me_csrf(&c, &app).await;
    let url = |p: &str| format!("{}{p}", app.base);
    // A new thread without a body.
    let (status, _, page) = post_form(
        &c,
        url("/s/clients/threads"),
        &[
            ("csrf", &csrf),
            ("title", "Nos délais de livraison"),
            ("body", "  "),
            ("topic", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"Nos délais de livraison\""));
    assert!(page.contains("id=\"err-body\"") && page.contains("Ce champ est obligatoire"));
    let (status, location, _) = post_form(
        &c,
        url("/s/clients/threads"),
        &[
            ("csrf", &csrf),
            ("title", "Nos délais de livraison"),
            ("body", "Trois semaines, c'est long."),
            ("topic", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // An empty reply, in English this time.
    let r = c
        .post(format!("{}{location}/reply", app.base))
        .header("accept-language", "en")
        .form(&[("csrf", csrf.as_str()), ("body", ""), ("parent_id", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("This field is required.") && page.contains("Trois semaines"));
    // The profile: the bio typed survives a refused name; a control character is named.
    let long_bio = "Responsable clientèle. ".repeat(3);
    let (status, _, page) = post_form(
        &c,
        url("/me/profile"),
        &[
            ("csrf", &csrf),
            ("display_name", ""),
            ("ecosystem_role", "employee"),
            ("organisation", "Novéa"),
            ("bio", &long_bio),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Responsable clientèle. Responsable")
            && page.contains("id=\"err-display_name\"")
    );
    let too_long = "x".repeat(2001);
    let (status, _, page) = post_form(
        &c,
        url("/me/profile"),
        &[
            ("csrf", &csrf),
            ("display_name", "Camille"),
            ("ecosystem_role", "employee"),
            ("organisation", ""),
            ("bio", &too_long),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The limit is written as French writes numbers (narrow no-break space between thousands).
    assert!(page.contains("2\u{202f}000 caractères au plus."), "{page}");
    // A short password: said in French, and never written back into the page.
    let (status, _, page) = post_form(
        &c,
        url("/me/password"),
        &[("csrf", &csrf), ("password", "court-123")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("De 10 à 200 caractères.") && !page.contains("court-123"));
    // Nothing was changed by the refused forms.
    let me = app
        .store
        .member_by_handle("camille")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.display_name, "Camille Admin");
    assert_eq!(me.bio, "");
}

#[tokio::test]
async fn the_demo_ships_a_debate_and_an_empty_topic_invites_its_first_statement() {
    let app = spawn_app().await;
    let summary = parvis_services::demo::load(&app.store).await.unwrap();
    assert!(
        summary.statements >= 10,
        "{} statements",
        summary.statements
    );
    assert!(summary.votes >= 300, "{} votes", summary.votes);
    let debate = format!(
        "{}/s/forum-alliance/t/mesure-social-business/opinion",
        app.base
    );
    // A visitor sees a real map: its groups and what unites them, not the "appears once"
    // notice of a young topic.
    let (status, page) = page_fr(&client(), &debate).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("La carte apparaîtra"), "{page}");
    assert!(
        page.contains("Groupe A") && page.contains("Groupe B"),
        "{page}"
    );
    assert!(page.contains("35 participants"), "{page}");
    assert!(page.contains("12 affirmations"), "{page}");
    // A member who has not voted is offered one of the debate's statements.
    let lea = member_session(&app).await;
    let (_, page) = page_fr(&lea, &debate).await;
    assert!(page.contains("À vous de voter"));
    assert!(page.contains("action=\"/statements/"), "{page}");
    assert!(!page.contains("Vous avez voté sur toutes"));
    // On a topic with no statement yet, the card invites the first one instead of saying
    // that everything was voted on.
    let (status, page) = page_fr(
        &lea,
        &format!("{}/s/forum-alliance/t/hyper-pertinence/opinion", app.base),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Vous avez voté sur toutes"), "{page}");
    assert!(page.contains("Aucune affirmation à voter"), "{page}");
}

#[tokio::test]
async fn the_activity_chart_picks_its_bars_from_the_period_shown() {
    let app = spawn_app().await;
    let summary = parvis_services::demo::load(&app.store).await.unwrap();
    let space = app.services.space(&summary.space_slug).await.unwrap();
    app.services
        .tag_existing_messages(&space, None, |_| {})
        .await
        .unwrap();
    let base = format!("{}/s/forum-alliance/activity", app.base);
    // The demo's eight months are counted per month, with the choices of period and bar.
    let (status, page) = page_fr(&client(), &base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg class=\"chart\""), "{page}");
    assert!(page.contains("Une barre par mois"), "{page}");
    assert!(page.contains("12 derniers mois") && page.contains("90 derniers jours"));
    assert!(
        page.contains("href=\"?period=all&amp;bucket=quarter\"")
            || page.contains("href=\"?period=all&bucket=quarter\""),
        "{page}"
    );
    // The last ninety days are counted per week.
    let (_, page) = page_fr(&client(), &format!("{base}?period=90d")).await;
    assert!(page.contains("Une barre par semaine"), "{page}");
    // Quarters read the French way.
    let (_, page) = page_fr(&client(), &format!("{base}?bucket=quarter")).await;
    assert!(
        page.contains("T1 2026") || page.contains("T2 2026"),
        "{page}"
    );
    assert!(!page.contains("2026-Q"), "{page}");
    // A period that is not one is refused, saying what is expected, in French.
    let (status, page) = page_fr(&client(), &format!("{base}?period=hier")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("Choisissez une des valeurs") && page.contains("<code>period</code>"),
        "{page}"
    );
}

/// A topic created over the API tags the messages already there at once, and the pass is
/// also a job in the store: a server stopped in the middle finishes it after its restart.
#[tokio::test]
async fn tagging_a_new_topic_survives_a_stop_in_the_middle() {
    let app = spawn_app().await;
    let summary = parvis_services::demo::load(&app.store).await.unwrap();
    let space = app.services.space(&summary.space_slug).await.unwrap();
    let auth = format!("Bearer {}", admin_token(&app).await);
    let r = client()
        .post(format!("{}/api/v1/spaces/{}/topics", app.base, space.slug))
        .header("authorization", &auth)
        .json(&json!({"title": "Salons et conventions", "slug": "salons", "keywords": ["salon"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let tagged = |topics: &Value| {
        topics["topics"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["topic"]["slug"] == "salons"))
            .and_then(|t| t["total"].as_i64())
            .unwrap_or(0)
    };
    let activity = |app_base: String| async move {
        reqwest::get(format!("{app_base}/api/v1/spaces/forum-alliance/activity"))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let mut total = 0;
    for _ in 0..100 {
        total = tagged(&activity(app.base.clone()).await);
        let jobs = app.store.jobs_with_prefix("topic.tag").await.unwrap();
        if total > 0 && jobs.iter().all(|j| j.done_at.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(total > 0, "the demo speaks of salons");
    let jobs = app.store.jobs_with_prefix("topic.tag").await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(
        jobs[0].done_at.is_some(),
        "the pass that finished closed its job"
    );

    // A stop in the middle: the tags are gone and the job is still planned, as a server
    // killed during the pass leaves them. After the restart, the job worker tags them.
    let topic = app.services.topic(&space, "salons").await.unwrap();
    app.store.untag_topic(topic.id).await.unwrap();
    let now = parvis_domain::now_millis();
    app.store
        .enqueue_job(
            "topic.tag",
            "topic.tag:stopped",
            &json!({"space": space.id.0, "topic": topic.id.0}).to_string(),
            now + 60_000,
            now,
        )
        .await
        .unwrap();
    app.services.clear_caches();
    assert_eq!(tagged(&activity(app.base.clone()).await), 0);
    // Not before its minute of grace (the immediate pass may still be running)…
    app.services.run_due_jobs(now + 1_000).await.unwrap();
    assert_eq!(tagged(&activity(app.base.clone()).await), 0);
    // …then it runs, once.
    assert_eq!(app.services.run_due_jobs(now + 61_000).await.unwrap(), 1);
    assert_eq!(tagged(&activity(app.base.clone()).await), total);
    assert_eq!(app.services.run_due_jobs(now + 120_000).await.unwrap(), 0);
}

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

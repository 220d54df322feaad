//! Instances sharing one store, without their in-memory cache (`--thread-cache false`): a
//! thread page kept in the store serves every instance, a write through any instance shows at
//! once on all of them, and an erasure leaves nothing of what it erased in a kept page.

use super::*;

/// Another instance over `store`, reading thread pages without its in-memory cache.
pub(super) async fn instance_without_cache(store: Store) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let services = Services::new(
        store,
        Mailer::from_url(None, "Parvis <parvis@test.example>").unwrap(),
        ServiceConfig {
            public_url: base.clone(),
            thread_cache: false,
            ..Default::default()
        },
    );
    let app = parvis_web::build(services, parvis_web::WebConfig::default());
    tokio::spawn(parvis_web::serve(listener, app, std::future::pending()));
    base
}

pub(super) async fn get_text(url: &str) -> (StatusCode, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn instances_without_cache_share_kept_pages_and_see_every_write_at_once() {
    on_both(|app| async move {
        let b = instance_without_cache(app.store.clone()).await;
        let c = instance_without_cache(app.store.clone()).await;
        let token = admin_token(&app).await;
        let auth = format!("Bearer {token}");
        let http = client();
        let r = http
            .post(format!("{}/api/v1/spaces", app.base))
            .header("authorization", &auth)
            .json(&json!({"slug": "forum", "name": "Forum"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let dora = app
            .store
            .create_member(&NewMember {
                handle: "dora".into(),
                display_name: "Dora".into(),
                email: Some("dora@client.example".into()),
                password_hash: None,
                site_role: SiteRole::Member,
                ecosystem_role: EcosystemRole::Customer,
                organisation: "Client".into(),
                bio: String::new(),
                lang: "fr".into(),
                created_at: now_millis(),
            })
            .await
            .unwrap();
        let t: Value = http
            .post(format!("{}/api/v1/spaces/forum/threads", app.base))
            .header("authorization", &auth)
            .json(&json!({"title": "Renouvellement", "body": "Qui renouvelle ?"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tid = t["id"].as_i64().unwrap();
        app.store
            .add_message(&parvis_store::NewMessage {
                thread_id: ThreadId(tid),
                parent_id: None,
                author_id: dora,
                body_md: "Nous renouvelons, avec une réserve sur le prix.".into(),
                body_html: "<p>Nous renouvelons, avec une réserve sur le prix.</p>".into(),
                created_at: now_millis(),
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        app.store.bump_content_version().await.unwrap();

        // B reads: the page is kept; C answers with the very same bytes, from the kept page.
        let path = format!("/api/v1/threads/{tid}");
        let (status, from_b) = get_text(&format!("{b}{path}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(from_b.contains("une réserve sur le prix"), "{from_b}");
        assert_eq!(app.store.kept_thread_pages().await.unwrap(), 1);
        let (_, from_c) = get_text(&format!("{c}{path}")).await;
        assert_eq!(from_c, from_b);
        let (_, embed) = get_text(&format!("{c}/api/v1/embed/threads/{tid}")).await;
        assert_eq!(embed, from_b, "the embeds' data is the same page");

        // Other page sizes, and pages past the end, are answered but not kept.
        let (status, small) = get_text(&format!("{b}{path}?per_page=1")).await;
        assert_eq!(status, StatusCode::OK);
        let small: Value = serde_json::from_str(&small).unwrap();
        assert_eq!(small["messages"]["items"].as_array().unwrap().len(), 1);
        let (status, _) = get_text(&format!("{b}{path}?page=9")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(app.store.kept_thread_pages().await.unwrap(), 1);

        // A reply through the first instance shows at once on B and C (no second's wait).
        let r = http
            .post(format!("{}/api/v1/threads/{tid}/messages", app.base))
            .header("authorization", &auth)
            .json(&json!({"body": "Merci Dora, parlons-en mardi."}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        for base in [&b, &c] {
            let (_, now) = get_text(&format!("{base}{path}")).await;
            let now: Value = serde_json::from_str(&now).unwrap();
            assert_eq!(now["messages"]["total"], 3, "{base}");
            assert_eq!(
                now["messages"]["items"][2]["body_markdown"],
                "Merci Dora, parlons-en mardi."
            );
        }
        assert_eq!(
            app.store.kept_thread_pages().await.unwrap(),
            1,
            "replaced, not added"
        );

        // Dora's account is erased with her messages: no kept page holds her words any more.
        let r = http
            .delete(format!("{}/api/v1/members/dora?messages=delete", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(app.store.kept_thread_pages().await.unwrap(), 0);
        let (_, after) = get_text(&format!("{b}{path}")).await;
        assert!(!after.contains("une réserve sur le prix"), "{after}");
        let after: Value = serde_json::from_str(&after).unwrap();
        assert_eq!(after["messages"]["total"], 2);
    })
    .await;
}

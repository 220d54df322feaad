//! The pages anonymous visitors see (home, space, topic, thread) are kept by each instance
//! while the store's content does not change: an instance sharing the store shows at once a
//! write made anywhere (another instance, the CLI, the store itself); a topic page's debate
//! moves from upcoming to past when it ends; each language has its page; a signed-in member
//! gets a page of their own.

use super::content_kept_pages::{get_text, instance_without_cache};
use super::*;

/// The page at `url` as an anonymous visitor reading `lang` sees it.
async fn page_in(url: &str, lang: &str) -> String {
    let r = reqwest::Client::new()
        .get(url)
        .header("cookie", format!("parvis_lang={lang}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.text().await.unwrap()
}

#[tokio::test]
async fn anonymous_pages_show_every_write_at_once_and_follow_the_clock() {
    on_both(|app| async move {
        let b = instance_without_cache(app.store.clone()).await;
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
        let new_thread = |title: &'static str| {
            let (http, auth, base) = (http.clone(), auth.clone(), app.base.clone());
            async move {
                let r = http
                    .post(format!("{base}/api/v1/spaces/forum/threads"))
                    .header("authorization", &auth)
                    .json(&json!({"title": title, "body": "Qui renouvelle ?"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::CREATED);
                r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
            }
        };
        let renewal = new_thread("Renouvellement").await;

        let space_url = format!("{b}/s/forum");
        let (status, first) = get_text(&space_url).await;
        assert_eq!(status, StatusCode::OK);
        assert!(first.contains("Renouvellement"), "{first}");
        let (_, again) = get_text(&space_url).await;
        assert_eq!(again, first, "the same page, kept");

        let (_, home) = get_text(&format!("{b}/")).await;
        assert!(home.contains(">Forum</a>"), "{home}");

        // Written by another process straight into the store: shown at once.
        let space = app.store.space_by_slug("forum").await.unwrap().unwrap();
        app.store
            .update_space(space.id, "Forum des clients", "", "Europe/Paris")
            .await
            .unwrap();
        let (_, renamed) = get_text(&space_url).await;
        assert!(renamed.contains("<h1>Forum des clients</h1>"), "{renamed}");
        let (_, home) = get_text(&format!("{b}/")).await;
        assert!(home.contains(">Forum des clients</a>"), "{home}");

        // A thread's page, then a reply through the other instance.
        let thread_url = format!("{b}/threads/{renewal}");
        let (_, thread) = get_text(&thread_url).await;
        assert!(thread.contains("Qui renouvelle ?"), "{thread}");
        let r = http
            .post(format!("{}/api/v1/threads/{renewal}/messages", app.base))
            .header("authorization", &auth)
            .json(&json!({"body": "Nous renouvelons en mars."}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let (_, thread) = get_text(&thread_url).await;
        assert!(thread.contains("Nous renouvelons en mars."), "{thread}");

        // A thread started through the other instance, then its author's new name.
        new_thread("Tarifs 2027").await;
        let (_, listed) = get_text(&space_url).await;
        assert!(listed.contains("Tarifs 2027"), "{listed}");
        let admin = app
            .store
            .member_by_handle("camille")
            .await
            .unwrap()
            .unwrap();
        app.store
            .set_profile(
                admin.id,
                "Alice Martin",
                admin.ecosystem_role,
                &admin.organisation,
                &admin.bio,
            )
            .await
            .unwrap();
        let (_, named) = get_text(&space_url).await;
        assert!(named.contains(">Alice Martin</a>"), "{named}");

        // Each language its own page.
        let fr = page_in(&space_url, "fr").await;
        let en = page_in(&space_url, "en").await;
        assert!(
            fr.contains("Se connecter") && !fr.contains(">Sign in<"),
            "{fr}"
        );
        assert!(
            en.contains(">Sign in<") && !en.contains("Se connecter"),
            "{en}"
        );

        // A signed-in member gets a page of their own: the form to start a thread.
        let signed_in = http
            .get(&space_url)
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(signed_in.contains("id=\"new-thread\""), "{signed_in}");
        assert!(!named.contains("id=\"new-thread\""));
        let (_, anonymous) = get_text(&space_url).await;
        assert_eq!(
            anonymous, named,
            "the member's page was not kept for visitors"
        );

        // A debate that ends in two seconds is upcoming, then past, with nothing written.
        let now = now_millis();
        let topic = app
            .store
            .create_topic(space.id, "prix", "Prix", "", &[], now)
            .await
            .unwrap();
        app.store
            .create_topic_session(
                &parvis_store::NewSession {
                    space_id: space.id.0,
                    topic_id: topic.0,
                    title: "Débat du mois".into(),
                    description: String::new(),
                    starts_at: now - 60_000 + 2_000,
                    duration_min: 1,
                    time_zone: "Europe/Paris".into(),
                    mode: "online".into(),
                    place: String::new(),
                    online_url: String::new(),
                    access_code_hash: None,
                    capacity: None,
                    partners: String::new(),
                    created_by: None,
                    repeated_from: None,
                    people: vec![],
                    agenda: vec![],
                },
                now,
            )
            .await
            .unwrap();
        let topic_url = format!("{b}/s/forum/t/prix");
        let section = |page: &str| {
            let upcoming = page.find("Prochaines sessions");
            let past = page.find("Sessions passées");
            let debate = page.find("Débat du mois");
            match (upcoming, past, debate) {
                (Some(_), None, Some(_)) => "upcoming",
                (None, Some(_), Some(_)) => "past",
                _ => "neither",
            }
        };
        let before = page_in(&topic_url, "fr").await;
        assert_eq!(section(&before), "upcoming", "{before}");
        let wait = (now + 2_000 + 200 - now_millis()).max(0) as u64;
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        let after = page_in(&topic_url, "fr").await;
        assert_eq!(section(&after), "past", "{after}");
    })
    .await;
}

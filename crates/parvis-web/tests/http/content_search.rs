//! Search filters hold content too: a challenge or testimonial is found under the native
//! channel only, by the admin who posed it or the person who gave it (full name consented),
//! by its topic, by its day; and content pages along with the threads.

use super::*;

async fn content(c: &reqwest::Client, app: &App, query: &[(&str, &str)]) -> Value {
    let r = c
        .get(format!("{}/api/v1/spaces/forum/search", app.base))
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn ids(v: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = v["content"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

fn day(offset: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(offset);
    format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day())
}

#[tokio::test]
async fn search_filters_and_pages_apply_to_content() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        super::content::member_token(&app, "marie").await;
        super::content::member_token(&app, "eva").await;
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);
        let post = |url: String, body: Value| {
            let (c, admin) = (c.clone(), admin.clone());
            async move {
                c.post(url)
                    .header("authorization", admin)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        // Twelve open challenges about packaging, the first naming the topic "Le ROI des salons".
        let mut challenges = Vec::new();
        for i in 0..12 {
            let mut body = super::content::challenge_body();
            body["title"] = json!(format!("Emballage numéro {i}"));
            if i == 0 {
                body["brief"] = json!("Emballages et le ROI des salons.");
            }
            let r = post(api("/spaces/forum/challenges"), body).await;
            let id = r.json::<Value>().await.unwrap()["challenge"]["id"]
                .as_i64()
                .unwrap();
            post(
                api(&format!("/challenges/{id}/state")),
                json!({"state": "open"}),
            )
            .await;
            challenges.push(id);
        }
        // Two testimonials about packaging by marie: one in full, one with initials only.
        let testimonial = |title: &str, shown: &str, topic: &str| {
            json!({
                "kind": "testimonial", "title": title, "topic": topic,
                "body": "Des emballages enfin légers.", "person_handle": "marie", "publish": true,
                "consent": {"internal_use": true, "public_use": true, "name_shown": shown,
                    "wording": "J'accepte."}
            })
        };
        let r = post(
            api("/spaces/forum/testimonials"),
            testimonial("Notre emballage", "full", "roi"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let full = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = post(
            api("/spaces/forum/testimonials"),
            testimonial("Un emballage discret", "initials", ""),
        )
        .await;
        let discreet = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

        // Paged: ten a page, the rest on page 2, none past it; the total says fourteen.
        let p1 = content(&c, &app, &[("q", "emballage")]).await;
        assert_eq!(p1["content_total"], 14, "{p1}");
        assert_eq!(p1["content"].as_array().unwrap().len(), 10);
        let p2 = content(&c, &app, &[("q", "emballage"), ("page", "2")]).await;
        assert_eq!(p2["content"].as_array().unwrap().len(), 4, "{p2}");
        let mut all = ids(&p1);
        all.extend(ids(&p2));
        all.sort();
        let mut expected = challenges.clone();
        expected.extend([full, discreet]);
        expected.sort();
        assert_eq!(all, expected, "each piece once over the pages");
        let p3 = content(&c, &app, &[("q", "emballage"), ("page", "3")]).await;
        assert_eq!(ids(&p3), Vec::<i64>::new());
        // The page offers a next page while content remains, even with no thread at all.
        let html = c
            .get(format!("{}/s/forum/search?q=emballage", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("page=2"), "{html}");

        // Channel: content is native.
        let v = content(&c, &app, &[("q", "emballage"), ("channel", "email")]).await;
        assert_eq!((ids(&v), v["content_total"].clone()), (vec![], json!(0)));
        let v = content(&c, &app, &[("q", "emballage"), ("channel", "parvis")]).await;
        assert_eq!(v["content_total"], 14);
        // Author: the challenges by the admin who posed them; marie's full-name testimonial,
        // never the initials-only one.
        let v = content(&c, &app, &[("q", "emballage"), ("author", "camille")]).await;
        assert_eq!(v["content_total"], 12, "{v}");
        let v = content(&c, &app, &[("q", "emballage"), ("author", "marie")]).await;
        assert_eq!(ids(&v), vec![full], "{v}");
        // Topic: by the testimonial's topic, or a brief that names the topic.
        let v = content(&c, &app, &[("q", "emballage"), ("topic", "roi")]).await;
        assert_eq!(ids(&v), vec![challenges[0], full], "{v}");
        // Days: created today.
        let v = content(&c, &app, &[("q", "emballage"), ("from", &day(1))]).await;
        assert_eq!(v["content_total"], 0, "{v}");
        let v = content(&c, &app, &[("q", "emballage"), ("to", &day(-1))]).await;
        assert_eq!(v["content_total"], 0, "{v}");
        let v = content(
            &c,
            &app,
            &[("q", "emballage"), ("from", &day(0)), ("to", &day(0))],
        )
        .await;
        assert_eq!(v["content_total"], 14, "{v}");
    })
    .await;
}

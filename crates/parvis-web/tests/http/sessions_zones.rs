//! A space's time zone: admins set it in the API and on the space's settings page (an unknown
//! zone is refused naming the field, in French and in English), new sessions and challenge
//! deadlines default to it (their forms come pre-filled with it), and what was already
//! scheduled keeps its own zone when the space's changes.

use super::sessions::{form_csrf, local_in_days};
use super::*;

// Pages escape `/` in text as `&#x2f;` (minijinja's HTML escaping), so zones read so there.

/// The UTC instant (ms) of a local `YYYY-MM-DDTHH:MM` at a fixed offset of `hours` from UTC.
fn local_at_offset(local: &str, hours: i64) -> i64 {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let dt = time::PrimitiveDateTime::parse(local, &fmt).unwrap();
    (dt.assume_utc().unix_timestamp() - hours * 3600) * 1000
}

#[tokio::test]
async fn a_space_has_a_time_zone_that_new_sessions_and_deadlines_follow() {
    on_both(|app| async move {
        let auth = format!("Bearer {}", admin_token(&app).await);
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);

        // Created without a zone: Europe/Paris. Created with one: kept, spelled canonically.
        let r = c
            .post(api("/spaces"))
            .header("authorization", &auth)
            .json(&json!({"slug": "forum", "name": "Forum"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["time_zone"], "Europe/Paris");
        let r = c
            .post(api("/spaces"))
            .header("authorization", &auth)
            .json(&json!({"slug": "quebec", "name": "Québec", "time_zone": "america/montreal"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["time_zone"], "America/Montreal");
        let (status, p) = problem(
            c.post(api("/spaces"))
                .header("authorization", &auth)
                .json(&json!({"slug": "mars", "name": "Mars", "time_zone": "Mars/Olympus"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, p["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("time_zone")),
            "{p}"
        );

        // The settings in the API: an unknown zone names the field and changes nothing.
        for bad in ["Mars/Olympus", "", "Paris"] {
            let (status, p) = problem(
                c.put(api("/spaces/forum"))
                    .header("authorization", &auth)
                    .json(&json!({"time_zone": bad}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            assert_eq!(p["field"], "time_zone", "{bad:?}: {p}");
        }
        let r = c
            .put(api("/spaces/forum"))
            .header("authorization", &auth)
            .json(&json!({"time_zone": "Asia/Tokyo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["time_zone"].as_str(), v["name"].as_str()),
            (Some("Asia/Tokyo"), Some("Forum"))
        );
        let v: Value = c
            .get(api("/spaces/forum"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["time_zone"], "Asia/Tokyo");
        // Only admins change it.
        let (status, _) = problem(
            client()
                .put(api("/spaces/forum"))
                .json(&json!({"time_zone": "UTC"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
            "{status}"
        );

        // A session scheduled without a zone is in the space's: 18:30 in Tokyo is 09:30 UTC.
        c.post(api("/spaces/forum/topics"))
            .header("authorization", &auth)
            .json(&json!({"title": "Le ROI des salons", "slug": "roi"}))
            .send()
            .await
            .unwrap();
        let start = local_in_days(10);
        let r = c
            .post(api("/spaces/forum/topics/roi/sessions"))
            .header("authorization", &auth)
            .json(
                &json!({"title": "Débat", "starts_at": start, "duration_min": 60, "mode": "online",
                          "online_url": "https://visio.example/roi"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let s: Value = r.json().await.unwrap();
        let sid = s["session"]["id"].as_i64().unwrap();
        assert_eq!(s["session"]["time_zone"], "Asia/Tokyo");
        assert_eq!(s["starts_local"], start.as_str());
        assert_eq!(s["session"]["starts_at"], local_at_offset(&start, 9));

        // A challenge's deadline likewise, stored as the UTC instant.
        let deadline = local_in_days(12);
        let r = c
            .post(api("/spaces/forum/challenges"))
            .header("authorization", &auth)
            .json(
                &json!({"title": "Moins d'emballages", "kind": "ideas", "rules": "J'accepte.",
                          "deadline": deadline, "criteria": [{"name": "Impact", "weight": 1}]}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let ch: Value = r.json().await.unwrap();
        let cid = ch["challenge"]["id"].as_i64().unwrap();
        assert_eq!(ch["challenge"]["time_zone"], "Asia/Tokyo");
        assert_eq!(ch["deadline_local"], deadline.as_str());
        assert_eq!(ch["challenge"]["deadline"], local_at_offset(&deadline, 9));

        // The settings page, in French then in English: the zone is shown and editable; an
        // unknown one comes back with the field marked and said in the reader's language.
        let (admin, _) = admin_session(&app).await;
        let page_url = format!("{}/admin/spaces/forum", app.base);
        for (lang, shown, refused) in [
            (
                "fr-FR,fr;q=0.9",
                "Fuseau horaire :",
                "Fuseau horaire inconnu",
            ),
            ("en-GB,en;q=0.9", "Time zone:", "Unknown time zone"),
        ] {
            let page = admin
                .get(&page_url)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                page.contains(shown) && page.contains("<code>Asia&#x2f;Tokyo</code>"),
                "{lang}: {page}"
            );
            assert!(
                page.contains("name=\"time_zone\"") && page.contains("value=\"Asia&#x2f;Tokyo\""),
                "{lang}"
            );
            let r = admin
                .post(&page_url)
                .header("accept-language", lang)
                .form(&[
                    ("csrf", form_csrf(&page).as_str()),
                    ("name", "Forum"),
                    ("description", ""),
                    ("time_zone", "Lune/Tranquillité"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{lang}");
            let html = r.text().await.unwrap();
            assert!(html.contains(refused), "{lang}: {html}");
            assert!(
                html.contains("value=\"Lune&#x2f;Tranquillité\""),
                "the typed value comes back: {lang}"
            );
        }
        let page = admin
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = admin
            .post(&page_url)
            .form(&[
                ("csrf", form_csrf(&page).as_str()),
                ("name", "Forum"),
                ("description", ""),
                ("time_zone", "America/Montreal"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.services.space("forum").await.unwrap().time_zone,
            "America/Montreal"
        );

        // The create-space form takes a zone too; an unknown one keeps what was typed.
        let page = admin
            .get(format!("{}/admin", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("value=\"Europe&#x2f;Paris\""),
            "pre-filled: {page}"
        );
        let create = |zone: &'static str| {
            admin
                .post(format!("{}/admin/spaces", app.base))
                .form(&[
                    ("csrf", form_csrf(&page)),
                    ("name", "Montréal".to_string()),
                    ("slug", "montreal".to_string()),
                    ("time_zone", zone.to_string()),
                ])
                .send()
        };
        let r = create("Lune/Mer").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("value=\"Lune&#x2f;Mer\"") && html.contains("id=\"err-time_zone\""),
            "{html}"
        );
        let r = create("America/Montreal").await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.services.space("montreal").await.unwrap().time_zone,
            "America/Montreal"
        );

        // New forms come pre-filled with the space's zone.
        for form in ["/s/forum/t/roi/sessions/new", "/s/forum/challenges/new"] {
            let html = admin
                .get(format!("{}{form}", app.base))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                html.contains("name=\"time_zone\" value=\"America&#x2f;Montreal\""),
                "{form}: {html}"
            );
        }
        // What was scheduled keeps its zone and its local hour; an edit without a zone too.
        let s: Value = c
            .get(api(&format!("/sessions/{sid}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (
                s["session"]["time_zone"].as_str(),
                s["starts_local"].as_str()
            ),
            (Some("Asia/Tokyo"), Some(start.as_str()))
        );
        let ch: Value = c
            .get(api(&format!("/challenges/{cid}")))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ch["view"]["challenge"]["time_zone"], "Asia/Tokyo");
        let page = admin
            .get(format!("{}/challenges/{cid}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!(
                "{} <span class=\"muted\">(Asia&#x2f;Tokyo)</span>",
                deadline.replace('T', " ")
            )),
            "{page}"
        );
    })
    .await;
}

//! What the content pages show as people read them: a challenge's hidden votes appear, with
//! their counts, once the deadline has passed or the admin has closed the voting; challenge,
//! testimonial and interview pages (and their widgets) read in English say it all in English,
//! with the plural each number asks for; a published interview is found by search and embeds.

use super::content::{challenge_body, member_token, pass_deadline, post};
use super::*;

#[tokio::test]
async fn hidden_votes_show_with_their_counts_once_voting_is_over() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let mut m = Vec::new();
        for h in ["ines", "bob", "eva", "cara", "dan"] {
            m.push(format!("Bearer {}", member_token(&app, h).await));
        }
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);
        // Two challenges with hidden votes (the one runs past its deadline, the other is
        // closed early for judging); on each, Inès's entry gets three votes and Bob's one.
        let mut runs = Vec::new();
        for _ in 0..2 {
            let r = post(
                &c,
                api("/spaces/forum/challenges"),
                &admin,
                challenge_body(),
            )
            .await;
            let id = r.json::<Value>().await.unwrap()["challenge"]["id"]
                .as_i64()
                .unwrap();
            let r = post(
                &c,
                api(&format!("/challenges/{id}/state")),
                &admin,
                json!({"state": "open"}),
            )
            .await;
            assert_eq!(r.status(), StatusCode::OK);
            let mut entries = Vec::new();
            for (who, title) in [(&m[0], "Consigne"), (&m[1], "Vrac")] {
                let body = json!({"title": title, "body": "Des bocaux.", "accept_rules": true});
                let r = post(&c, api(&format!("/challenges/{id}/entries")), who, body).await;
                entries.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
            }
            for (entry, voter) in [(0, 1), (0, 2), (0, 3), (1, 4)] {
                let r = post(
                    &c,
                    api(&format!("/challenge-entries/{}/vote", entries[entry])),
                    &m[voter],
                    json!({}),
                )
                .await;
                assert_eq!(r.status(), StatusCode::NO_CONTENT);
            }
            runs.push((id, entries));
        }
        // What a visitor reads: the API's counts and the page.
        let seen = |id: i64| {
            let base = app.base.clone();
            async move {
                let v: Value = client()
                    .get(format!("{base}/api/v1/challenges/{id}"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let html = client()
                    .get(format!("{base}/challenges/{id}"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                (v, html)
            }
        };
        for (id, _) in &runs {
            let (v, html) = seen(*id).await;
            let counts: Vec<&Value> = v["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["entry"]["vote_count"])
                .collect();
            assert_eq!(
                counts,
                [&Value::Null, &Value::Null],
                "hidden while open: {v}"
            );
            assert!(
                html.contains("id=\"votes-hidden\"") && !html.contains("class=\"vote-count\""),
                "{html}"
            );
        }
        pass_deadline(&app, runs[0].0).await;
        let r = post(
            &c,
            api(&format!("/challenges/{}/state", runs[1].0)),
            &admin,
            json!({"state": "judging"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        for (id, entries) in &runs {
            let (v, html) = seen(*id).await;
            let count = |e: i64| {
                v["entries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["entry"]["id"] == e)
                    .unwrap()["entry"]["vote_count"]
                    .clone()
            };
            assert_eq!(
                (count(entries[0]), count(entries[1])),
                (json!(3), json!(1)),
                "shown once voting is over: {v}"
            );
            assert!(!html.contains("id=\"votes-hidden\""), "{html}");
            assert!(
                html.contains("<span class=\"vote-count\">3 votes</span>")
                    && html.contains("<span class=\"vote-count\">1 vote</span>"),
                "{html}"
            );
        }
    })
    .await;
}

/// A page as read by `c` in English (asserted found).
async fn english_page(c: &reqwest::Client, url: String) -> String {
    let r = c
        .get(&url)
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    let html = r.text().await.unwrap();
    let french = super::languages::french_in(&html);
    assert!(french.is_empty(), "{url}: French left: {french:?}");
    html
}

/// A testimonial or interview in English, published with public consent and the full name.
fn english_showcase(kind: &str, title: &str) -> Value {
    json!({
        "kind": kind, "title": title, "topic": "packaging",
        "body": if kind == "testimonial" { "We **halved** our packaging." } else { "" },
        "person_name": "Jane Doe", "person_organisation": "Big Retail Ltd",
        "interviewer": "Camille", "prepared": false,
        "qa": if kind == "interview" {
            json!([{"question": "What do you expect from a trade fair?", "answer": "Time to talk about refill stations."}])
        } else { json!([]) },
        "consent": {"internal_use": true, "public_use": true, "name_shown": "full", "photo": false,
            "wording": "I agree to public use with my full name."},
        "publish": true
    })
}

#[tokio::test]
async fn challenge_testimonial_and_interview_pages_speak_english_with_their_plurals() {
    let app = spawn_app().await;
    let admin = super::sessions::setup(&app).await;
    let mut m = Vec::new();
    for h in ["ines", "bob", "eva", "cara", "dan"] {
        m.push(format!("Bearer {}", member_token(&app, h).await));
    }
    let c = client();
    let api = |p: &str| format!("{}/api/v1{p}", app.base);
    let mut english = challenge_body();
    for (k, v) in [
        ("title", json!("Lighter packaging")),
        ("brief", json!("How do we **cut** our packaging?")),
        ("rules", json!("I grant Novea the right to use my idea.")),
        ("award", json!("A trip to Lyon")),
        ("cta_label", json!("See the product")),
        ("votes_hidden", json!(false)),
        (
            "criteria",
            json!([{"name": "Impact", "weight": 3}, {"name": "Feasibility", "weight": 1}]),
        ),
    ] {
        english[k] = v;
    }
    let mut job = english.clone();
    job["title"] = json!("Rust developer");
    job["kind"] = json!("job");
    // Two entries on the challenge (three votes and one), one on the job offer.
    let mut ids = Vec::new();
    for body in [english, job] {
        let r = post(&c, api("/spaces/forum/challenges"), &admin, body).await;
        let id = r.json::<Value>().await.unwrap()["challenge"]["id"]
            .as_i64()
            .unwrap();
        post(
            &c,
            api(&format!("/challenges/{id}/state")),
            &admin,
            json!({"state": "open"}),
        )
        .await;
        ids.push(id);
    }
    let mut entries = Vec::new();
    for (id, who, title) in [
        (ids[0], 0, "Refill stations"),
        (ids[0], 1, "Bulk aisles"),
        (ids[1], 0, "Remote work?"),
    ] {
        let body = json!({"title": title, "body": "Jars to bring back.", "accept_rules": true});
        let r = post(&c, api(&format!("/challenges/{id}/entries")), &m[who], body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        entries.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    for (entry, voter) in [(0, 1), (0, 2), (0, 3), (1, 4)] {
        let r = post(
            &c,
            api(&format!("/challenge-entries/{}/vote", entries[entry])),
            &m[voter],
            json!({}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    let mut showcase = Vec::new();
    for (kind, title) in [
        ("testimonial", "Novea changed our fair"),
        ("interview", "Ten minutes with a buyer"),
    ] {
        let r = post(
            &c,
            api("/spaces/forum/testimonials"),
            &admin,
            english_showcase(kind, title),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED, "{kind}");
        showcase.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }

    // A visitor and a member (who voted for the first entry) read them in English.
    let (bob, _) = super::privacy::member_session(&app, "bob").await;
    let base = &app.base;
    let html = english_page(&c, format!("{base}/s/forum/challenges")).await;
    assert!(
        html.contains("2 entries") && html.contains("1 entry"),
        "{html}"
    );
    assert!(
        html.contains("Job offer") && html.contains("Deadline"),
        "{html}"
    );
    let html = english_page(&bob, format!("{base}/challenges/{}", ids[0])).await;
    assert!(html.contains("<h2>2 entries</h2>"), "{html}");
    assert!(
        html.contains("<span class=\"vote-count\">3 votes</span>")
            && html.contains("<span class=\"vote-count\">1 vote</span>"),
        "{html}"
    );
    assert!(
        html.contains("Deadline: ") && html.contains("Award</strong>: A trip to Lyon"),
        "{html}"
    );
    assert!(
        html.contains("You voted")
            && html.contains("Submit an entry")
            && html.contains("Share this page"),
        "{html}"
    );
    let html = english_page(&c, format!("{base}/challenges/{}", ids[1])).await;
    assert!(
        html.contains("<h2>1 entry</h2>") && html.contains(">Apply</a>"),
        "{html}"
    );
    assert!(html.contains("Sign in to take part."), "{html}");
    let html = english_page(&c, format!("{base}/s/forum/testimonials")).await;
    assert!(
        html.contains("Testimonials and interviews") && html.contains("Interview"),
        "{html}"
    );
    let html = english_page(&bob, format!("{base}/testimonials/{}", showcase[0])).await;
    assert!(
        html.contains("Testimonial") && html.contains("Jane Doe"),
        "{html}"
    );
    let html = english_page(&c, format!("{base}/testimonials/{}", showcase[1])).await;
    assert!(
        html.contains("Interviewer: Camille") && html.contains("Unprepared interview"),
        "{html}"
    );
    // Their widgets too.
    let html = english_page(
        &c,
        format!(
            "{base}/embed/challenge/{}?lang=en&origin=https%3A%2F%2Fblog.example",
            ids[0]
        ),
    )
    .await;
    assert!(
        html.contains("I grant Novea the right to use my idea."),
        "{html}"
    );
    english_page(
        &c,
        format!("{base}/embed/testimonial/{}?lang=en", showcase[1]),
    )
    .await;
}

#[tokio::test]
async fn a_published_interview_is_found_by_search_and_embeds() {
    on_both(|app| async move {
        let admin = super::sessions::setup(&app).await;
        let c = client();
        let api = |p: &str| format!("{}/api/v1{p}", app.base);
        let public = english_showcase("interview", "Ten minutes with a buyer");
        // The same interview, for members only (internal use): neither found nor embedded.
        let mut internal = english_showcase("interview", "Ten more minutes");
        internal["consent"]["public_use"] = json!(false);
        let mut ids = Vec::new();
        for body in [public, internal] {
            let r = post(&c, api("/spaces/forum/testimonials"), &admin, body).await;
            assert_eq!(r.status(), StatusCode::CREATED);
            ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
        }

        // Search finds it by the words of an answer, as an interview, for a visitor.
        let v: Value = c
            .get(api("/spaces/forum/search"))
            .query(&[("q", "refill")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let hits = v["content"].as_array().unwrap();
        assert_eq!(hits.len(), 1, "{v}");
        assert_eq!(
            (hits[0]["kind"].as_str(), hits[0]["id"].as_i64()),
            (Some("interview"), Some(ids[0]))
        );
        assert_eq!(hits[0]["url"], format!("/testimonials/{}", ids[0]));
        let html = c
            .get(format!("{}/s/forum/search?q=refill", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Ten minutes with a buyer") && !html.contains("Ten more minutes"),
            "{html}"
        );

        // Its widget shows the title and its first exchange with who answered; oEmbed frames it.
        let r = c
            .get(format!("{}/embed/testimonial/{}", app.base, ids[0]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let frame = r.text().await.unwrap();
        assert!(
            frame.contains("Ten minutes with a buyer")
                && frame.contains("What do you expect from a trade fair?")
                && frame.contains("Time to talk about refill stations. — Jane Doe"),
            "{frame}"
        );
        let page = format!("{}/testimonials/{}", app.base, ids[0]);
        let r = c
            .get(format!("{}/oembed", app.base))
            .query(&[("url", page.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let o: Value = r.json().await.unwrap();
        assert_eq!(o["title"], "Ten minutes with a buyer", "{o}");
        assert!(
            o["html"]
                .as_str()
                .unwrap()
                .contains(&format!("/embed/testimonial/{}", ids[0])),
            "{o}"
        );
        // Members only: the widget and oEmbed do not show it.
        let frame = c
            .get(format!("{}/embed/testimonial/{}", app.base, ids[1]))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!frame.contains("Ten more minutes"), "{frame}");
        let page = format!("{}/testimonials/{}", app.base, ids[1]);
        let r = c
            .get(format!("{}/oembed", app.base))
            .query(&[("url", page.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

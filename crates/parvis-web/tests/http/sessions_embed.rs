//! A session embedded on a partner's site: its page offers the two-line snippet and the
//! oEmbed discovery link; oEmbed describes it; the card shows the date in the session's zone,
//! the mode and the seats left, with "S'inscrire / Register" through `/r/{click}` to the
//! session; a registration reaches the organisation's systems by the signed
//! `registration.created` webhook, naming the person only when they consented.

use super::embeds::{oembed_url, unescaped, webhook_sink};
use super::live::member_token;
use super::sessions::{session_body, setup};
use super::*;

#[tokio::test]
async fn a_session_is_embeddable_and_its_registrations_reach_the_webhook() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let c = client();
    let r = c
        .post(format!(
            "{}/api/v1/spaces/forum/topics/roi/sessions",
            app.base
        ))
        .header("authorization", &auth)
        .json(&session_body(Some(5)))
        .send()
        .await
        .unwrap();
    let s: Value = r.json().await.unwrap();
    let id = s["session"]["id"].as_i64().unwrap();
    let when = s["starts_local"].as_str().unwrap().replace('T', " ");

    // The session page: the Embed box and the discovery link.
    let page = unescaped(
        c.get(format!("{}/sessions/{id}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains(&format!("data-parvis-embed=&quot;session/{id}&quot;"))
            || page.contains(&format!("data-parvis-embed=\"session/{id}\"")),
        "the snippet"
    );
    assert!(
        page.contains("type=\"application/json+oembed\""),
        "oEmbed discovery"
    );

    // oEmbed describes it.
    let page_url = format!("{}/sessions/{id}", app.base);
    let o: Value = c
        .get(oembed_url(&app, &page_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (o["type"].as_str(), o["version"].as_str()),
        (Some("rich"), Some("1.0"))
    );
    assert_eq!(o["title"], "Débat : mesurer le ROI");
    assert!(
        o["html"]
            .as_str()
            .unwrap()
            .contains(&format!("/embed/session/{id}"))
    );

    // The card, in French and in English.
    let fr = unescaped(
        c.get(format!("{}/embed/session/{id}?lang=fr", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        fr.contains(&format!("<time>{when}</time>")) && fr.contains("(UTC)"),
        "date in the zone"
    );
    assert!(fr.contains("En salle et en ligne") && fr.contains("Salle Lumière, Lyon"));
    assert!(fr.contains("5 places restantes"), "seats left");
    assert!(
        fr.contains(">S&#x27;inscrire</a>") || fr.contains(">S'inscrire</a>"),
        "the call to register"
    );
    assert!(
        super::languages::english_in(&fr).is_empty(),
        "{:?}",
        super::languages::english_in(&fr)
    );
    let en = c
        .get(format!("{}/embed/session/{id}?lang=en", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("In the room and online")
            && en.contains("5 seats left")
            && en.contains(">Register</a>")
    );
    // The call to action goes through /r/ and lands on the session, where one registers.
    let href = fr
        .split("id=\"pv-cta\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(href.contains("/r/"), "{href}");
    let r = c.get(&href).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The page carries the click (its registration form counts for the embed).
    let to = r.headers()["location"].to_str().unwrap();
    assert!(to.starts_with(&format!("{page_url}?parvis_click=")), "{to}");
    // Something that is not a session is not found.
    let r = c
        .get(format!("{}/embed/session/999", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The organisation listens for registrations.
    let (hook, got) = webhook_sink().await;
    let (ac, csrf) = admin_session(&app).await;
    let r = ac
        .post(format!("{}/admin/spaces/forum/embeds/webhooks", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", hook.as_str()),
            ("ev_registration.created", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ana = member_token(&app, "ana", SiteRole::Member).await;
    let bob = member_token(&app, "bob", SiteRole::Member).await;
    for (t, contact) in [(&ana, true), (&bob, false)] {
        let r = c
            .post(format!("{}/api/v1/sessions/{id}/registration", app.base))
            .bearer_auth(t)
            .json(&json!({"contact": contact}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(app.services.deliver_due_webhooks().await.unwrap(), 2);
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    let bodies: Vec<Value> = got
        .iter()
        .map(|(_, b)| serde_json::from_str(b).unwrap())
        .collect();
    assert!(
        got.iter()
            .all(|(h, _)| h["webhook-signature"].to_str().unwrap().starts_with("v1,"))
    );
    assert!(
        bodies
            .iter()
            .all(|b| b["type"] == "registration.created" && b["data"]["session_id"] == id)
    );
    let with = bodies
        .iter()
        .find(|b| b["data"]["consent_contact"] == true)
        .unwrap();
    assert_eq!(with["data"]["person"]["email"], "ana@live.example");
    let without = bodies
        .iter()
        .find(|b| b["data"]["consent_contact"] == false)
        .unwrap();
    assert!(
        without["data"]["person"].is_null(),
        "nobody named without consent"
    );
    assert!(!got.iter().any(|(_, b)| b.contains("bob@live.example")));
    // The card counts the seats taken.
    let fr = c
        .get(format!("{}/embed/session/{id}?lang=fr", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fr.contains("3 places restantes"), "two seats taken");
}

/// "S'inscrire" on the session's card leads to its page with the click; the registration
/// made there (a member's, in one click) is the embed's conversion in the funnel, once: the
/// same registration sent again, or the form carrying another embed's click, counts nothing.
#[tokio::test]
async fn a_registration_reached_from_the_session_card_counts_for_its_embed() {
    let app = spawn_app().await;
    let auth = setup(&app).await;
    let c = client();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let s: Value = c
            .post(format!(
                "{}/api/v1/spaces/forum/topics/roi/sessions",
                app.base
            ))
            .header("authorization", &auth)
            .json(&session_body(Some(5)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(s["session"]["id"].as_i64().unwrap());
    }
    let click_of = |id: i64| {
        let c = c.clone();
        let base = app.base.clone();
        async move {
            let card = c
                .get(format!("{base}/embed/session/{id}?lang=fr"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let href = unescaped(card)
                .split("id=\"pv-cta\" href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&");
            let r = c.get(&href).send().await.unwrap();
            let to = r.headers()["location"].to_str().unwrap().to_string();
            to.split("parvis_click=").nth(1).unwrap().to_string()
        }
    };
    // A click on each card (the second one's only to give its embed a row).
    let (first, _) = (click_of(ids[0]).await, click_of(ids[1]).await);
    let (ac, csrf) = admin_session(&app).await;
    let register = |session: i64, click: String| {
        let (ac, csrf, base) = (ac.clone(), csrf.clone(), app.base.clone());
        async move {
            let r = ac
                .post(format!("{base}/sessions/{session}/register"))
                .form(&[("csrf", csrf.as_str()), ("parvis_click", click.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
    };
    // The page shows the form with the click.
    let page = ac
        .get(format!(
            "{}/sessions/{}?parvis_click={first}",
            app.base, ids[0]
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("name=\"parvis_click\" value=\"{first}\"")),
        "the form carries the click"
    );
    register(ids[0], first.clone()).await;
    register(ids[0], first.clone()).await;
    // Session 2's form with session 1's click: not that embed's registration.
    register(ids[1], first.clone()).await;
    let f: Value = c
        .get(format!("{}/api/v1/spaces/forum/embed/funnel", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = |id: i64| {
        f["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["embed"] == json!(format!("session/{id}")))
            .cloned()
            .unwrap_or_else(|| panic!("no row for session/{id}: {f}"))
    };
    let (one, two) = (row(ids[0]), row(ids[1]));
    assert_eq!(
        (&one["clicks"], &one["conversions"]),
        (&json!(1), &json!(1)),
        "{one}"
    );
    assert_eq!(
        (&two["clicks"], &two["conversions"]),
        (&json!(1), &json!(0)),
        "{two}"
    );
}

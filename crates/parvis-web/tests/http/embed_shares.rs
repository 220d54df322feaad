//! A share link reaches a widget whose visitor signs in through the host site's own login
//! (single sign-on, issue 14). The host page's address carries the link's code
//! (`https://blog.example/article?ref=CODE`), the loader hands that address to the frame
//! (`host=`), the frame finds the code there (`data-ref`) and sends it with the host's token;
//! what the visitor then does from the widget is credited to the sharer on "My shares", once.
//! The sharer signing in through their own link earns nothing, and a code that is no share
//! link's credits no one — as with the emailed sign-in, whose code comes with our cookie.

use super::embed_posting::{HOST, widget, widget_post};
use super::embeds::seed_thread;
use super::*;

/// A single sign-on key for the forum space; its secret.
async fn sso_key(app: &App, admin: &str) -> String {
    let r = client()
        .post(format!("{}/api/v1/spaces/forum/embed/sso-keys", app.base))
        .header("authorization", admin)
        .json(&json!({"kid": "blog"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The thread's frame on the host page at `page` (as the loader passes it): the code the
/// frame found there, for the sign-in.
async fn frame_ref(app: &App, tid: i64, page: &str) -> String {
    let page: String = page
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let html = widget()
        .get(format!(
            "{}/embed/thread/{tid}?lang=fr&origin=https%3A%2F%2Fblog.example&host={page}",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = html
        .find("data-ref=\"")
        .expect("the frame offers the sign-in")
        + 10;
    html[at..].split('"').next().unwrap().to_string()
}

/// The host's user `sub` (`email`) signs in to the thread's widget by single sign-on, sending
/// the code its frame found; the widget token.
async fn sso_sign_in(
    app: &App,
    tid: i64,
    secret: &str,
    (sub, email): (&str, &str),
    share_ref: &str,
) -> String {
    let jti = parvis_services::random_token();
    let claims = json!({"sub": sub, "email": email, "name": sub, "exp": now_millis() / 1000 + 300, "jti": jti});
    let r = widget()
        .post(format!("{}/api/v1/embed/auth/sso", app.base))
        .header("x-parvis-host", HOST)
        .json(&json!({
            "embed": format!("thread/{tid}"),
            "token": parvis_services::embeds::sso::sign("blog", secret, &claims),
            "ref": share_ref,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A reply from the widget, published at once.
async fn reply(app: &App, token: &str, tid: i64, body: &str) {
    let r = widget_post(
        app,
        token,
        &format!("threads/{tid}/messages"),
        json!({"body": body}),
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
}

async fn get_json(app: &App, path: &str, auth: &str) -> Value {
    let r = client()
        .get(format!("{}/api/v1/{path}", app.base))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_reply_after_a_single_sign_on_through_a_share_link_is_credited_to_the_sharer() {
    on_both(|app| async move {
        let (admin, tid) = seed_thread(&app, 0).await;
        // Replies are published at once, so that each one is a reply to credit.
        let r = client()
            .put(format!("{}/api/v1/spaces/forum/embed/posting", app.base))
            .header("authorization", &admin)
            .json(&json!({"hold_first": false, "pseudonyms": false, "open_signup": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let secret = sso_key(&app, &admin).await;
        let ines = format!(
            "Bearer {}",
            super::content::member_token(&app, "ines").await
        );
        let link = client()
            .post(format!("{}/api/v1/me/shares", app.base))
            .header("authorization", &ines)
            .json(&json!({"path": format!("/threads/{tid}")}))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        let code = link["code"].as_str().unwrap().to_string();

        // Inès's code is in the address of the blog's page; the frame finds it there (only
        // a code shaped like ours: a blog's own `ref=` is left alone).
        let article = "https://blog.example/article";
        let found = frame_ref(&app, tid, &format!("{article}?utm_source=x&ref={code}")).await;
        assert_eq!(found, code);
        assert_eq!(frame_ref(&app, tid, article).await, "");
        assert_eq!(
            frame_ref(&app, tid, &format!("{article}?ref=news-2024")).await,
            ""
        );

        // Zoé, signed in on the blog, comes twice to the page (two sign-ins, one code noted
        // twice) and replies once: one reply credited, no visit, nothing else.
        let zoe = ("zoe-7", "zoe@blog-lecteurs.example");
        sso_sign_in(&app, tid, &secret, zoe, &found).await;
        let token = sso_sign_in(&app, tid, &secret, zoe, &found).await;
        reply(&app, &token, tid, "Nous comptons les badges scannés.").await;
        // Inès signs in through her own link and replies: she is not her own ambassador.
        let own = sso_sign_in(
            &app,
            tid,
            &secret,
            ("ines-1", "ines@content.example"),
            &found,
        )
        .await;
        reply(&app, &own, tid, "Merci Zoé !").await;
        // Yann comes with a code that is no share link's: the sign-in goes on, and his
        // reply is credited to no one.
        let yann = sso_sign_in(
            &app,
            tid,
            &secret,
            ("yann-3", "yann@blog-lecteurs.example"),
            "zz99zz99zz99",
        )
        .await;
        reply(&app, &yann, tid, "Et les rendez-vous pris ?").await;

        let mine = get_json(&app, "me/shares", &ines).await;
        let s = &mine["items"][0];
        assert_eq!(
            (
                s["visits"].as_i64(),
                s["replies"].as_i64(),
                s["challenge_entries"].as_i64()
            ),
            (Some(0), Some(1), Some(0)),
            "{mine}"
        );
        let (browser, _) = super::privacy::member_session(&app, "ines").await;
        let html = browser
            .get(format!("{}/me/shares", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<td class=\"replies\">1</td>"), "{html}");
        // One action brought in all: Zoé's reply (a sign-in is not an action).
        let a = get_json(&app, "ambassadors", &admin).await;
        let actions: i64 = a["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["actions"].as_i64().unwrap())
            .sum();
        assert_eq!(
            (a["items"][0]["member"]["handle"].as_str(), actions),
            (Some("ines"), 1),
            "{a}"
        );
    })
    .await;
}

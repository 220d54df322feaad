//! A share link reaches a widget whose visitor signs in through the host site's own login
//! (single sign-on, issue 14), or by an emailed link asked for from that host page. The host page's address carries the link's code
//! (`https://blog.example/article?ref=CODE`), the loader hands that address to the frame
//! (`host=`), the frame finds the code there (`data-ref`) and sends it with the host's token;
//! what the visitor then does from the widget is credited to the sharer on "My shares", once.
//! The sharer signing in through their own link earns nothing, and a code that is no share
//! link's credits no one — as with the emailed sign-in, whose code comes with our cookie on
//! the confirmation page or, without one, with the sign-in's start (the frame's `data-ref`,
//! kept with the attempt and noted when the link is confirmed).

use super::embed_posting::{HOST, widget, widget_post};
use super::embeds::seed_thread;
use super::*;
use super::{confirm_sign_in, wait_for_link};

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

/// The visitor `email` signs in to the thread's widget by an emailed link, asked for from
/// the blog's page with the code its frame found (none: `""`, as the frame sends nothing
/// then), and confirmed from the mail in a browser with no share cookie; the widget token.
async fn mail_sign_in(app: &App, tid: i64, email: &str, share_ref: &str) -> String {
    mail_sign_in_with(app, tid, email, share_ref, &client()).await
}

/// As `mail_sign_in`, the mail's link confirmed in `browser` (which may carry a share cookie).
async fn mail_sign_in_with(
    app: &App,
    tid: i64,
    email: &str,
    share_ref: &str,
    browser: &reqwest::Client,
) -> String {
    let n = app.mails.lock().unwrap().len() + 1;
    let mut body = json!({
        "embed": format!("thread/{tid}"),
        "email": email,
        "lang": "fr",
        "host": "https://blog.example/article",
    });
    if !share_ref.is_empty() {
        body["host"] = json!(format!("https://blog.example/article?ref={share_ref}"));
        body["ref"] = json!(share_ref);
    }
    let r = widget()
        .post(format!("{}/api/v1/embed/auth/start", app.base))
        .header("x-parvis-host", HOST)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let attempt = r.json::<Value>().await.unwrap()["attempt"]
        .as_str()
        .unwrap()
        .to_string();
    let link = wait_for_link(&app.mails, n).await;
    assert_eq!(
        confirm_sign_in(browser, &link).await.status(),
        StatusCode::OK
    );
    let r = widget()
        .post(format!("{}/api/v1/embed/auth/poll", app.base))
        .json(&json!({"attempt": attempt}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A forum thread whose widget publishes replies at once (so that each is a reply to
/// credit); the admin, the thread, Inès's token and her share link's code for the thread.
async fn shared_thread(app: &App) -> (String, i64, String, String) {
    let (admin, tid) = seed_thread(app, 0).await;
    let r = client()
        .put(format!("{}/api/v1/spaces/forum/embed/posting", app.base))
        .header("authorization", &admin)
        .json(&json!({"hold_first": false, "pseudonyms": false, "open_signup": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ines = format!("Bearer {}", super::content::member_token(app, "ines").await);
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
    (admin, tid, ines, code)
}

/// A member's "My shares" counts (visits, replies, entries), and the actions all links
/// brought.
async fn credited(
    app: &App,
    ines: &str,
    admin: &str,
) -> ((Option<i64>, Option<i64>, Option<i64>), i64) {
    let mine = get_json(app, "me/shares", ines).await;
    let s = &mine["items"][0];
    let counts = (
        s["visits"].as_i64(),
        s["replies"].as_i64(),
        s["challenge_entries"].as_i64(),
    );
    let a = get_json(app, "ambassadors", admin).await;
    let actions = a["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["actions"].as_i64().unwrap())
        .sum();
    (counts, actions)
}

#[tokio::test]
async fn a_reply_after_an_emailed_sign_in_from_a_shared_host_page_is_credited_to_the_sharer() {
    on_both(|app| async move {
        let (admin, tid, ines, code) = shared_thread(&app).await;
        let page = format!("https://blog.example/article?utm_source=x&ref={code}");
        let found = frame_ref(&app, tid, &page).await;
        assert_eq!(found, code);

        // Zoé never opened a Parvis page through the link: she asks for the emailed link in
        // the widget of the blog's page carrying Inès's code, confirms it, and replies.
        let zoe = mail_sign_in(&app, tid, "zoe@blog-lecteurs.example", &found).await;
        reply(&app, &zoe, tid, "Nous comptons les badges scannés.").await;
        // Inès signs in the same way through her own link and replies: nothing for her.
        let own = mail_sign_in(&app, tid, "ines@content.example", &found).await;
        reply(&app, &own, tid, "Merci Zoé !").await;
        // Yann's page carries no code: his reply is credited to no one.
        let yann = mail_sign_in(&app, tid, "yann@blog-lecteurs.example", "").await;
        reply(&app, &yann, tid, "Et les rendez-vous pris ?").await;
        // Léo's page carries a code that is no share link's: the sign-in goes on, no credit.
        let leo = mail_sign_in(&app, tid, "leo@blog-lecteurs.example", "zz99zz99zz99").await;
        reply(&app, &leo, tid, "Et les contacts ?").await;

        // Zoé's one reply, once; no visit, no entry; nothing brought in by anyone else.
        assert_eq!(
            credited(&app, &ines, &admin).await,
            ((Some(0), Some(1), Some(0)), 1)
        );
    })
    .await;
}

#[tokio::test]
async fn an_emailed_sign_in_from_a_host_page_without_a_code_credits_no_one() {
    on_both(|app| async move {
        let (admin, tid, ines, _code) = shared_thread(&app).await;
        assert_eq!(
            frame_ref(&app, tid, "https://blog.example/article").await,
            ""
        );
        let zoe = mail_sign_in(&app, tid, "zoe@blog-lecteurs.example", "").await;
        reply(&app, &zoe, tid, "Nous comptons les badges scannés.").await;
        assert_eq!(
            credited(&app, &ines, &admin).await,
            ((Some(0), Some(0), Some(0)), 0)
        );
    })
    .await;
}

#[tokio::test]
async fn a_share_cookie_at_the_confirmation_wins_over_the_host_page_code() {
    on_both(|app| async move {
        let (admin, tid, ines, code) = shared_thread(&app).await;
        let marc = format!(
            "Bearer {}",
            super::content::member_token(&app, "marc").await
        );
        let marc_link: Value = client()
            .post(format!("{}/api/v1/me/shares", app.base))
            .header("authorization", &marc)
            .json(&json!({"path": format!("/threads/{tid}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Zoé followed Marc's link to our site earlier (our cookie), then asks for the emailed
        // link from the blog's page carrying Inès's code and confirms it in that browser.
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = browser
            .get(marc_link["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let zoe = mail_sign_in_with(&app, tid, "zoe@blog-lecteurs.example", &code, &browser).await;
        reply(&app, &zoe, tid, "Nous comptons les badges scannés.").await;
        // The reply is Marc's, once (his link's visit too); nothing for Inès.
        assert_eq!(
            credited(&app, &marc, &admin).await,
            ((Some(1), Some(1), Some(0)), 1)
        );
        assert_eq!(
            credited(&app, &ines, &admin).await,
            ((Some(0), Some(0), Some(0)), 1)
        );
    })
    .await;
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

//! Taking part from a widget: sign-in by emailed link (no cookie), single sign-on, posting
//! under a pseudonym, and moderation (held first posts, banned and suspect words, rate limit,
//! one queue), as the widget and a moderator see them.

use super::embeds::seed_thread;
use super::*;

/// What the widget's page on an allowed site sends.
pub(super) const HOST: &str = "https://blog.example";

/// The widget's requests: no cookie jar, the host page in `X-Parvis-Host`.
pub(super) fn widget() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn start(app: &App, tid: i64, email: &str) -> reqwest::Response {
    start_in(app, &format!("thread/{tid}"), email).await
}

/// Start a sign-in from the widget of `embed` (`thread/12`, `challenge/3`).
async fn start_in(app: &App, embed: &str, email: &str) -> reqwest::Response {
    widget()
        .post(format!("{}/api/v1/embed/auth/start", app.base))
        .header("x-parvis-host", HOST)
        .json(&json!({"embed": embed, "email": email, "lang": "fr", "host": "https://blog.example/article"}))
        .send()
        .await
        .unwrap()
}

async fn poll(app: &App, attempt: &str) -> reqwest::Response {
    widget()
        .post(format!("{}/api/v1/embed/auth/poll", app.base))
        .json(&json!({"attempt": attempt}))
        .send()
        .await
        .unwrap()
}

/// The whole magic-link dance; returns the widget token.
async fn sign_in(app: &App, tid: i64, email: &str) -> String {
    sign_in_to(app, &format!("thread/{tid}"), email).await
}

/// The magic-link dance from the widget of `embed`; returns the widget token.
pub(super) async fn sign_in_to(app: &App, embed: &str, email: &str) -> String {
    let n = app.mails.lock().unwrap().len() + 1;
    let r = start_in(app, embed, email).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let attempt = r.json::<Value>().await.unwrap()["attempt"]
        .as_str()
        .unwrap()
        .to_string();
    let link = wait_for_link(&app.mails, n).await;
    assert_eq!(
        confirm_sign_in(&client(), &link).await.status(),
        StatusCode::OK
    );
    let r = poll(app, &attempt).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn post(app: &App, token: &str, tid: i64, body: Value) -> reqwest::Response {
    widget_post(app, token, &format!("threads/{tid}/messages"), body).await
}

/// A POST from the widget on the allowed host to `/api/v1/embed/{path}`, with its token.
pub(super) async fn widget_post(
    app: &App,
    token: &str,
    path: &str,
    body: Value,
) -> reqwest::Response {
    widget()
        .post(format!("{}/api/v1/embed/{path}", app.base))
        .header("authorization", format!("Bearer {token}"))
        .header("x-parvis-host", HOST)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn set_rules(app: &App, auth: &str, rules: Value) {
    let r = client()
        .put(format!("{}/api/v1/spaces/forum/embed/posting", app.base))
        .header("authorization", auth)
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn thread_json(app: &App, tid: i64) -> String {
    client()
        .get(format!("{}/api/v1/threads/{tid}?per_page=200", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn admin_actor(app: &App) -> parvis_services::Actor {
    parvis_services::Actor {
        member: app
            .store
            .member_by_handle("camille")
            .await
            .unwrap()
            .unwrap(),
    }
}

#[tokio::test]
async fn a_visitor_signs_in_by_link_and_a_held_first_post_is_published_on_approval() {
    on_both(|app| async move {
        let (auth, tid) = seed_thread(&app, 1).await;
        // The organisation listens for new messages.
        let space = app.services.space("forum").await.unwrap();
        let admin = admin_actor(&app).await;
        app.services
            .add_webhook(
                &admin,
                &space,
                "http://127.0.0.1:9/hook",
                &["message.created".to_string()],
            )
            .await
            .unwrap();
        let created_events = |app: &App| {
            let services = app.services.clone();
            let admin = admin.clone();
            let space = space.clone();
            async move {
                let (_, deliveries) = services.webhooks(&admin, &space).await.unwrap();
                deliveries
                    .iter()
                    .filter(|d| d.event == "message.created")
                    .count()
            }
        };
        let before = created_events(&app).await;

        let n = app.mails.lock().unwrap().len() + 1;
        let r = start(&app, tid, "lea@visiteurs.example").await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let attempt = r.json::<Value>().await.unwrap()["attempt"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            poll(&app, &attempt).await.status(),
            StatusCode::ACCEPTED,
            "pending until confirmed"
        );
        let link = wait_for_link(&app.mails, n).await;
        let mail = app.mails.lock().unwrap()[n - 1].clone();
        assert!(
            mail.contains("blog.example"),
            "the mail names the site: {mail}"
        );
        assert!(link.contains("/auth/widget/"), "{link}");
        // Opening the link (a mail scanner does) signs nobody in.
        let page = client().get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("blog.example"));
        assert_eq!(poll(&app, &attempt).await.status(), StatusCode::ACCEPTED);
        // The button does.
        assert_eq!(
            confirm_sign_in(&client(), &link).await.status(),
            StatusCode::OK
        );
        let r = poll(&app, &attempt).await;
        assert_eq!(r.status(), StatusCode::OK);
        let session: Value = r.json().await.unwrap();
        let token = session["token"].as_str().unwrap().to_string();
        assert!(token.starts_with("pvw_"));
        // The token is handed out once; the link works once.
        let (status, p) = problem(poll(&app, &attempt).await).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("bad_link"))
        );
        let again = client()
            .get(&link)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            again.contains("plus valable") && !again.contains("widget-confirm"),
            "{again}"
        );

        // First post: held, seen by its author only.
        let r = post(
            &app,
            &token,
            tid,
            json!({"body": "Première question **depuis le blog**"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let held: Value = r.json().await.unwrap();
        assert_eq!(
            (held["status"].as_str(), held["reason"].as_str()),
            (Some("held"), Some("first_post"))
        );
        assert!(!thread_json(&app, tid).await.contains("depuis le blog"));
        let page = client()
            .get(format!("{}/threads/{tid}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("depuis le blog"));
        let mine: Value = widget()
            .get(format!("{}/api/v1/embed/threads/{tid}/held", app.base))
            .header("authorization", format!("Bearer {token}"))
            .header("x-parvis-host", HOST)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine.as_array().unwrap().len(), 1);
        assert!(
            mine[0].get("author_email").is_none(),
            "no email in the widget"
        );
        assert_eq!(
            created_events(&app).await,
            before,
            "no webhook before approval"
        );

        // The moderators' queue: API with counts, and the page.
        let q: Value = client()
            .get(format!("{}/api/v1/spaces/forum/moderation", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(q["held"], 1);
        assert_eq!(q["items"][0]["author_origin"], "embed:blog.example");
        assert_eq!(
            q["items"][0]["author_email"], "lea@visiteurs.example",
            "admins see the email"
        );
        let hid = q["items"][0]["id"].as_i64().unwrap();
        let (c, _) = admin_session(&app).await;
        let page = c
            .get(format!("{}/s/forum/moderation", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("1 élément en attente"), "{page}");
        assert!(page.contains("premier message"));
        // The members table says where the widget's visitor came from.
        let members = c
            .get(format!("{}/admin/members?q=lea", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            members.contains("origine : widget sur blog.example"),
            "{members}"
        );

        // Approval publishes it, and the webhook fires now.
        let r = client()
            .post(format!("{}/api/v1/spaces/forum/moderation/{hid}", app.base))
            .header("authorization", &auth)
            .json(&json!({"decision": "approve"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.json::<Value>().await.unwrap()["message_id"]
                .as_i64()
                .is_some()
        );
        assert!(thread_json(&app, tid).await.contains("depuis le blog"));
        assert_eq!(created_events(&app).await, before + 1);
        let q: Value = client()
            .get(format!("{}/api/v1/spaces/forum/moderation", app.base))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(q["held"], 0);

        // Not a first post any more: published at once, sanitised like the site's.
        let r = post(
            &app,
            &token,
            tid,
            json!({"body": "Suite <script>alert(1)</script><img src=x onerror=alert(2)>"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let json: Value = serde_json::from_str(&thread_json(&app, tid).await).unwrap();
        let html = json["messages"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body_html"].as_str().unwrap().to_string())
            .collect::<String>();
        assert!(html.contains("Suite"));
        assert!(
            !html.contains("<script>") && !html.contains("onerror"),
            "sanitised: {html}"
        );

        // A like from the widget.
        let mid = r.json::<Value>().await.unwrap()["message_id"]
            .as_i64()
            .unwrap();
        let r = widget()
            .post(format!(
                "{}/api/v1/embed/messages/{mid}/reactions",
                app.base
            ))
            .header("authorization", format!("Bearer {token}"))
            .header("x-parvis-host", HOST)
            .json(&json!({"kind": "like", "on": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(thread_json(&app, tid).await.contains("\"kind\":\"like\""));
    })
    .await;
}

#[tokio::test]
async fn widget_tokens_that_are_forged_or_expired_are_refused() {
    let app = spawn_app().await;
    let (_, tid) = seed_thread(&app, 0).await;
    let (status, p) = problem(post(&app, "pvw_forged", tid, json!({"body": "x"})).await).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_widget_token"))
    );
    let (status, _) =
        problem(post(&app, "pvs_notawidgettoken", tid, json!({"body": "x"})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let space = app.services.space("forum").await.unwrap();
    let admin = admin_actor(&app).await;
    let now = now_millis();
    let expired = "pvw_expired0123456789";
    app.store
        .create_embed_token(
            &parvis_services::hash_token(expired),
            admin.member.id,
            space.id,
            now - 10_000,
            now - 1,
        )
        .await
        .unwrap();
    let (status, p) = problem(post(&app, expired, tid, json!({"body": "x"})).await).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_widget_token"))
    );
    assert!(p["detail"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn single_sign_on_signs_in_once_and_says_why_it_refuses() {
    on_both(|app| async move {
        let (auth, tid) = seed_thread(&app, 0).await;
        let r = client()
            .post(format!("{}/api/v1/spaces/forum/embed/sso-keys", app.base))
            .header("authorization", &auth)
            .json(&json!({"kid": "k1"}))
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_string();
        // Listed afterwards, never with the secret.
        let keys = client()
            .get(format!("{}/api/v1/spaces/forum/embed/sso-keys", app.base))
            .header("authorization", &auth)
            .send().await.unwrap().text().await.unwrap();
        assert!(keys.contains("k1") && !keys.contains(&secret));
        let exp = now_millis() / 1000 + 300;
        let claims = |jti: &str, exp: i64| json!({"sub": "host-42", "email": "sam@host.example", "name": "Sam Hôte", "exp": exp, "jti": jti, "role": "admin"});
        let sso = |token: String| {
            let base = app.base.clone();
            async move {
                widget()
                    .post(format!("{base}/api/v1/embed/auth/sso"))
                    .header("x-parvis-host", HOST)
                    .json(&json!({"embed": format!("thread/{tid}"), "token": token}))
                    .send().await.unwrap()
            }
        };
        use parvis_services::embeds::sso::sign;
        let good = sign("k1", &secret, &claims("j-1", exp));
        let r = sso(good.clone()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let s: Value = r.json().await.unwrap();
        assert_eq!(s["display_name"], "Sam Hôte");
        let token = s["token"].as_str().unwrap().to_string();
        let refused = |r: reqwest::Response| async move { problem(r).await.1["code"].as_str().unwrap_or("").to_string() };
        assert_eq!(refused(sso(good).await).await, "sso_replayed");
        assert_eq!(refused(sso(sign("k1", &secret, &claims("j-2", now_millis() / 1000 - 600))).await).await, "sso_expired");
        assert_eq!(refused(sso(sign("k9", &secret, &claims("j-3", exp))).await).await, "sso_unknown_kid");
        assert_eq!(refused(sso(sign("k1", "not the secret", &claims("j-4", exp))).await).await, "sso_bad_signature");
        let no_email = json!({"sub": "host-43", "name": "X", "exp": exp, "jti": "j-5"});
        assert_eq!(refused(sso(sign("k1", &secret, &no_email)).await).await, "sso_missing_email");
        // The host's role grants nothing: the member's first post is held like anyone's,
        // and the admin sees where they came from.
        let r = post(&app, &token, tid, json!({"body": "Bonjour depuis le site hôte"})).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let q: Value = client()
            .get(format!("{}/api/v1/spaces/forum/moderation", app.base))
            .header("authorization", &auth)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(q["items"][0]["author_origin"], "sso:k1");
        // The same host user comes back as the same member.
        let again = sso(sign("k1", &secret, &claims("j-6", exp))).await;
        assert_eq!(again.status(), StatusCode::OK);
        let m = app.store.member_id_by_email("sam@host.example").await.unwrap();
        assert!(m.is_some());
        // A deleted key signs nobody in any more.
        let r = client()
            .delete(format!("{}/api/v1/spaces/forum/embed/sso-keys/k1", app.base))
            .header("authorization", &auth)
            .send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(refused(sso(sign("k1", &secret, &claims("j-7", exp))).await).await, "sso_unknown_kid");
    })
    .await;
}

#[tokio::test]
async fn pseudonyms_show_instead_of_the_name_and_the_email_never_shows() {
    let app = spawn_app().await;
    let (auth, tid) = seed_thread(&app, 0).await;
    let token = sign_in(&app, tid, "discret@visiteurs.example").await;
    // Not allowed yet: the field is named.
    set_rules(
        &app,
        &auth,
        json!({"hold_first": false, "pseudonyms": false, "open_signup": true}),
    )
    .await;
    let (status, p) = problem(
        post(
            &app,
            &token,
            tid,
            json!({"body": "Salut", "pseudonym": "Renard Bleu"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("pseudonym"))
    );
    set_rules(
        &app,
        &auth,
        json!({"hold_first": false, "pseudonyms": true, "open_signup": true}),
    )
    .await;
    let r = post(
        &app,
        &token,
        tid,
        json!({"body": "Sous pseudonyme", "pseudonym": "Renard Bleu"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let json = thread_json(&app, tid).await;
    assert!(json.contains("Renard Bleu"));
    assert!(!json.contains("discret@") && !json.contains("Participant"));
    let page = client()
        .get(format!("{}/threads/{tid}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Renard Bleu") && !page.contains("discret@"));
    let members = client()
        .get(format!("{}/api/v1/members?q=Renard", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!members.contains("discret@"), "{members}");
    let frame = client()
        .get(format!("{}/embed/thread/{tid}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(frame.contains("Renard Bleu") && !frame.contains("discret@"));
}

#[tokio::test]
async fn banned_words_refuse_suspect_words_hold_and_posts_are_rate_limited() {
    let app = spawn_app().await;
    let (auth, tid) = seed_thread(&app, 0).await;
    set_rules(
        &app,
        &auth,
        json!({"hold_first": false, "pseudonyms": false, "open_signup": true,
        "banned_words": "arnaque\nmot interdit", "suspect_words": "casino"}),
    )
    .await;
    let token = sign_in(&app, tid, "presse@visiteurs.example").await;
    let (status, p) = problem(
        post(
            &app,
            &token,
            tid,
            json!({"body": "Quelle ARNAQUE ce salon"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("body"))
    );
    assert!(
        p["detail"].as_str().unwrap().contains("arnaque"),
        "names the word: {p}"
    );
    let r = post(&app, &token, tid, json!({"body": "Un casino en ligne ?"})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(
        r.json::<Value>().await.unwrap()["reason"],
        "suspect_word:casino"
    );
    assert!(!thread_json(&app, tid).await.contains("casino"));
    // 5 a minute: the suspect one counted; 4 more pass, the next is refused with Retry-After.
    for i in 0..4 {
        let r = post(&app, &token, tid, json!({"body": format!("Message {i}")})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = post(&app, &token, tid, json!({"body": "Un de trop"})).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[tokio::test]
async fn a_widget_on_a_site_not_allowed_cannot_sign_in_or_post() {
    let app = spawn_app().await;
    let (auth, tid) = seed_thread(&app, 0).await;
    set_rules(
        &app,
        &auth,
        json!({"hold_first": false, "pseudonyms": false, "open_signup": true}),
    )
    .await;
    let token = sign_in(&app, tid, "nomade@visiteurs.example").await;
    let r = client()
        .put(format!("{}/api/v1/spaces/forum/embed", app.base))
        .header("authorization", &auth)
        .json(&json!({"origins": HOST, "cta_label": "", "cta_url": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A page elsewhere calling the API itself (the browser sends its Origin)…
    let evil = widget()
        .post(format!("{}/api/v1/embed/auth/start", app.base))
        .header("origin", "https://evil.example")
        .header("x-parvis-host", HOST)
        .json(&json!({"embed": format!("thread/{tid}"), "email": "x@y.example"}))
        .send()
        .await
        .unwrap();
    let (status, p) = problem(evil).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("origin_not_allowed"))
    );
    // …or our frame on a site not allowed.
    let r = widget()
        .post(format!("{}/api/v1/embed/threads/{tid}/messages", app.base))
        .header("authorization", format!("Bearer {token}"))
        .header("x-parvis-host", "https://evil.example")
        .json(&json!({"body": "Depuis ailleurs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r).await.1["code"], "origin_not_allowed");
    assert!(!thread_json(&app, tid).await.contains("Depuis ailleurs"));
    // The allowed site still can.
    assert_eq!(
        post(&app, &token, tid, json!({"body": "Depuis le blog"}))
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn live_questions_waiting_for_approval_are_in_the_same_queue() {
    let app = spawn_app().await;
    let (auth, _) = seed_thread(&app, 0).await;
    let moderator = super::live::member_token(&app, "mod", SiteRole::Moderator).await;
    let ana = super::live::member_token(&app, "ana", SiteRole::Member).await;
    let r = client()
        .post(format!("{}/api/v1/spaces/forum/rooms", app.base))
        .bearer_auth(&moderator)
        .json(&json!({"title": "Questions du salon", "approval_required": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let room = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = client()
        .post(format!("{}/api/v1/rooms/{room}/actions", app.base))
        .bearer_auth(&ana)
        .json(&json!({"action": "ask", "text": "Quand ouvre le salon ?"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let q: Value = client()
        .get(format!("{}/api/v1/spaces/forum/moderation", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        q["live_questions"][0]["text"], "Quand ouvre le salon ?",
        "{q}"
    );
    let question = q["live_questions"][0]["question"].as_u64().unwrap();
    // Approved from the queue's page, it leaves the queue.
    let (c, _) = admin_session(&app).await;
    let page = c
        .get(format!("{}/s/forum/moderation", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Questions des salles en direct") && page.contains("1 élément en attente"),
        "{page}"
    );
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .post(format!(
            "{}/s/forum/moderation/live/{room}/{question}",
            app.base
        ))
        .form(&[("csrf", csrf.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let q: Value = client()
        .get(format!("{}/api/v1/spaces/forum/moderation", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(q["live_questions"], json!([]));
}

/// Approving a held post whose space was archived meanwhile publishes nothing and says why;
/// the post stays in the queue, and once the space is back it is approved and published.
#[tokio::test]
async fn an_approval_that_cannot_publish_leaves_the_post_in_the_queue() {
    on_both(|app| async move {
        let (auth, tid) = seed_thread(&app, 1).await;
        let token = sign_in(&app, tid, "nina@visiteurs.example").await;
        let r = post(
            &app,
            &token,
            tid,
            json!({"body": "Une question en attente"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let queue = || async {
            client()
                .get(format!("{}/api/v1/spaces/forum/moderation", app.base))
                .header("authorization", &auth)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        };
        let hid = queue().await["items"][0]["id"].as_i64().unwrap();
        let admin = admin_actor(&app).await;
        let space = app.services.space("forum").await.unwrap();
        app.services
            .archive_space(&admin, &space, true)
            .await
            .unwrap();
        let approve = || async {
            client()
                .post(format!("{}/api/v1/spaces/forum/moderation/{hid}", app.base))
                .header("authorization", &auth)
                .json(&json!({"decision": "approve"}))
                .send()
                .await
                .unwrap()
        };
        let r = approve().await;
        assert!(r.status().is_client_error(), "{}", r.status());
        assert!(
            !thread_json(&app, tid)
                .await
                .contains("Une question en attente")
        );
        assert_eq!(queue().await["held"], 1, "still waiting for a decision");
        app.services
            .archive_space(&admin, &space, false)
            .await
            .unwrap();
        assert_eq!(approve().await.status(), StatusCode::OK);
        assert!(
            thread_json(&app, tid)
                .await
                .contains("Une question en attente")
        );
        assert_eq!(queue().await["held"], 0);
    })
    .await;
}

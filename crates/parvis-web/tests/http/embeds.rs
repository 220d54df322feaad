//! Embeds: oEmbed for WordPress and other consumers, the iframe card and its protocol.

use super::*;

/// A space `forum` with topic `salons` and a thread of `replies + 1` messages; returns the
/// admin's bearer header and the thread id.
pub(crate) async fn seed_thread(app: &App, replies: usize) -> (String, i64) {
    let auth = format!("Bearer {}", admin_token(app).await);
    let c = client();
    let r = c
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum clients", "description": "Échanges"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c.post(format!("{}/api/v1/spaces/forum/topics", app.base)).header("authorization", &auth)
        .json(&json!({"slug": "salons", "title": "Salons", "description": "Les salons professionnels"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c.post(format!("{}/api/v1/spaces/forum/threads", app.base)).header("authorization", &auth)
        .json(&json!({"title": "Mesurer le ROI <d'un> salon", "body": "Comment **comptez-vous** les leads ? <script>alert(1)</script>", "topic": "salons"}))
        .send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let tid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for i in 0..replies {
        let r = c
            .post(format!("{}/api/v1/threads/{tid}/messages", app.base))
            .header("authorization", &auth)
            .json(&json!({"body": format!("Réponse numéro {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    (auth, tid)
}

/// HTML as a reader sees it (minijinja escapes `/` and `&` in attributes).
pub(super) fn unescaped(html: String) -> String {
    html.replace("&#x2f;", "/").replace("&amp;", "&")
}

pub(super) fn oembed_url(app: &App, page: &str) -> String {
    let page: String = form_urlencoded_encode(page);
    format!("{}/oembed?format=json&url={page}", app.base)
}

fn form_urlencoded_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn oembed_describes_threads_topics_and_maps_and_refuses_the_rest() {
    let app = spawn_app().await;
    let (_, tid) = seed_thread(&app, 2).await;
    let page = format!("{}/threads/{tid}", app.base);

    // Discovery: the thread page names its oEmbed endpoint in its head, escaped so that
    // WordPress, which decodes only `&amp;` `&lt;` `&gt;` `&quot;` there, reads the address.
    let raw = reqwest::get(&page).await.unwrap().text().await.unwrap();
    let raw_head = &raw[..raw.find("</head>").unwrap()];
    assert!(
        raw_head.contains(&format!(
            r#"type="application/json+oembed" href="{}""#,
            oembed_url(&app, &page).replace('&', "&amp;")
        )),
        "{raw_head}"
    );
    let html = unescaped(raw);
    let head = &html[..html.find("</head>").unwrap()];
    assert!(
        head.contains(r#"<link rel="alternate" type="application/json+oembed" href=""#),
        "{head}"
    );
    assert!(
        head.contains(&format!("url={}", form_urlencoded_encode(&page))),
        "{head}"
    );
    for p in ["/s/forum/t/salons", "/s/forum/t/salons/opinion"] {
        let h = reqwest::get(format!("{}{p}", app.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(h.contains("application/json+oembed"), "{p} lacks discovery");
    }
    // Pages that are not embeddable do not announce it.
    let h = reqwest::get(format!("{}/members", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!h.contains("application/json+oembed"));

    let r = reqwest::get(oembed_url(&app, &page)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    let o: Value = r.json().await.unwrap();
    assert_eq!(o["type"], "rich");
    assert_eq!(o["version"], "1.0");
    assert_eq!(o["title"], "Mesurer le ROI <d'un> salon");
    assert_eq!(o["author_name"], "Camille Admin");
    assert_eq!(o["provider_name"], "Parvis");
    assert_eq!(o["provider_url"], format!("{}/", app.base));
    assert_eq!(
        (o["width"].as_u64(), o["height"].as_u64()),
        (Some(600), Some(480))
    );
    let h = o["html"].as_str().unwrap();
    // WordPress keeps a blockquote followed by an iframe, and nothing else.
    assert!(h.starts_with(&format!(r#"<blockquote><a href="{page}">Mesurer le ROI &lt;d'un&gt; salon</a></blockquote><iframe src="{}/embed/thread/{tid}""#, app.base)), "{h}");
    assert!(h.ends_with("></iframe>"));
    let o: Value = reqwest::get(format!(
        "{}&maxwidth=320&maxheight=200",
        oembed_url(&app, &page)
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        (o["width"].as_u64(), o["height"].as_u64()),
        (Some(320), Some(200))
    );
    let o: Value = reqwest::get(oembed_url(&app, &format!("{}/s/forum/t/salons", app.base)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(o["title"], "#salons — Salons");
    assert!(
        o["html"]
            .as_str()
            .unwrap()
            .contains("/embed/topic/forum/salons")
    );

    // Refusals, each clear and as a problem.
    let cases = [
        (
            format!("{}&format=xml", oembed_url(&app, &page)).replace("format=json&", ""),
            501,
            "format",
        ),
        (
            oembed_url(&app, "https://evil.example/threads/1"),
            404,
            "url",
        ),
        (
            oembed_url(&app, &format!("{}/threads/999999", app.base)),
            404,
            "url",
        ),
        (oembed_url(&app, &format!("{}/me", app.base)), 401, "url"),
        (
            oembed_url(&app, &format!("{}/admin/spaces/forum", app.base)),
            401,
            "url",
        ),
        (format!("{}/oembed", app.base), 400, "url"),
        (
            format!("{}&maxwidth=-3", oembed_url(&app, &page)),
            400,
            "maxwidth",
        ),
        (
            format!("{}&maxheight=big", oembed_url(&app, &page)),
            400,
            "maxheight",
        ),
    ];
    for (url, status, field) in cases {
        let (s, p) = problem(reqwest::get(&url).await.unwrap()).await;
        assert_eq!(s.as_u16(), status, "{url}: {p}");
        assert_eq!(p["field"], field, "{url}");
    }
}

#[tokio::test]
async fn the_frame_is_a_framable_cookieless_card_that_pages_long_threads() {
    let app = spawn_app().await;
    let (_, tid) = seed_thread(&app, 44).await;
    let c = client();
    let r = c
        .get(format!("{}/embed/thread/{tid}", app.base))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert!(h.get("set-cookie").is_none(), "the frame sets no cookie");
    assert!(
        h.get("x-frame-options").is_none(),
        "the frame may be framed"
    );
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors *") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let html = unescaped(r.text().await.unwrap());
    assert!(html.contains(r#"<html lang="en" data-theme="auto">"#));
    assert!(html.contains("Mesurer le ROI &lt;d&#x27;un&gt; salon"));
    // The XSS payload was sanitized away when stored; nothing executable reaches the frame.
    assert!(!html.contains("alert(1)"), "{html}");
    assert!(html.contains("Réponse numéro 18") && !html.contains("Réponse numéro 19<"));
    assert!(html.contains("?page=2&lang=en&theme=auto"), "pager");
    assert!(html.contains("/assets/embed-frame.js"));
    let p3 = unescaped(
        c.get(format!(
            "{}/embed/thread/{tid}?page=3&lang=fr&theme=dark",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap(),
    );

    assert!(p3.contains(r#"<html lang="fr" data-theme="dark">"#));
    assert!(p3.contains("Réponse numéro 43") && !p3.contains("Réponse numéro 38<"));
    assert!(p3.contains("Messages précédents"));

    // The rest of the site still refuses to be framed.
    let r = c
        .get(format!("{}/threads/{tid}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-frame-options"], "DENY");

    // Topic and opinion cards; unknown keys answer a card that says so.
    let topic = unescaped(
        c.get(format!("{}/embed/topic/forum/salons?lang=fr", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );

    assert!(
        topic.contains(&format!("/embed/thread/{tid}?lang=fr")),
        "{topic}"
    );
    let map = unescaped(
        c.get(format!("{}/embed/opinion/forum/salons", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );

    assert!(map.contains("/s/forum/t/salons/opinion/map.svg"));
    for bad in ["thread/999999", "thread/abc", "topic/forum/nope", "nothing"] {
        let r = c
            .get(format!("{}/embed/{bad}?lang=fr", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{bad}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Cette conversation n&#x27;existe pas"),
            "{bad}"
        );
    }

    // The frame's script speaks WordPress's protocol.
    let js = c
        .get(format!("{}/assets/embed-frame.js", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    for needle in ["secret=", "'height'", "'link'", "postMessage"] {
        assert!(js.contains(needle), "{needle}");
    }
}

#[tokio::test]
async fn thread_topic_and_map_pages_offer_the_two_line_snippet_with_a_preview() {
    let app = spawn_app().await;
    let (_, tid) = seed_thread(&app, 1).await;
    let c = client();
    for (path, key) in [
        (format!("/threads/{tid}"), format!("thread/{tid}")),
        ("/s/forum/t/salons".into(), "topic/forum/salons".into()),
        (
            "/s/forum/t/salons/opinion".into(),
            "opinion/forum/salons".into(),
        ),
    ] {
        let html = unescaped(
            c.get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
        assert!(html.contains(&format!("&lt;div data-parvis-embed=\"{key}\"&gt;&lt;/div&gt;\n&lt;script async src=\"{}/assets/embed.js\"&gt;", app.base)), "{path}: {html}");
        assert!(
            html.contains(&format!("data-parvis-preview=\"{key}\" data-lang=\"fr\"")),
            "{path}"
        );
    }
    // The space page itself is not embeddable (its topics are).
    let html = c
        .get(format!("{}/s/forum", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("data-parvis-embed"));
    // The loader is served as a script and offers the single-page-app API.
    let r = c
        .get(format!("{}/assets/embed.js", app.base))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = r.text().await.unwrap();
    for needle in [
        "mount:",
        "unmount:",
        "IntersectionObserver",
        "'height'",
        "'link'",
        "#?secret=",
    ] {
        assert!(js.contains(needle), "{needle}");
    }
}

/// A small web server that keeps the webhook requests it gets: (headers, body).
pub(super) async fn webhook_sink() -> (
    String,
    Arc<Mutex<Vec<(reqwest::header::HeaderMap, String)>>>,
) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let kept = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let mut h = reqwest::header::HeaderMap::new();
                for (k, v) in &headers {
                    h.insert(
                        k.as_str().parse::<reqwest::header::HeaderName>().unwrap(),
                        v.to_str().unwrap().parse().unwrap(),
                    );
                }
                kept.lock().unwrap().push((h, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

fn sign(secret: &str, body: &str) -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    parvis_services::embeds::track::sign_report(secret, t, body.as_bytes())
}

#[tokio::test]
async fn allowed_sites_call_to_action_clicks_conversions_funnel_and_webhooks() {
    let app = spawn_app().await;
    let (auth, tid) = seed_thread(&app, 2).await;
    let c = client();
    let (hook, got) = webhook_sink().await;

    // The admin allows one site, sets the call to action, and adds a webhook (on the page).
    let r = c.put(format!("{}/api/v1/spaces/forum/embed", app.base)).header("authorization", &auth)
        .json(&json!({"origins": "https://blog.example\nhttp://127.0.0.1:9", "cta_label": "S'inscrire", "cta_url": "https://novea.example/inscription?src=parvis"}))
        .send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let settings: Value = r.json().await.unwrap();
    assert_eq!(
        settings["origins"],
        json!(["https://blog.example", "http://127.0.0.1:9"])
    );
    let secret = settings["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64);
    // Bad input names its field.
    let (s, p) = problem(
        c.put(format!("{}/api/v1/spaces/forum/embed", app.base))
            .header("authorization", &auth)
            .json(&json!({"origins": "blog.example/page"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("origins"))
    );
    let (s, p) = problem(
        c.put(format!("{}/api/v1/spaces/forum/embed", app.base))
            .header("authorization", &auth)
            .json(&json!({"cta_label": "Go", "cta_url": "javascript:alert(1)"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cta_url"))
    );
    // Visitors get nothing of the settings.
    let r = client()
        .get(format!("{}/api/v1/spaces/forum/embed", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let (ac, csrf) = admin_session(&app).await;
    let page = ac
        .post(format!("{}/admin/spaces/forum/embeds/webhooks", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", hook.as_str()),
            ("ev_message.created", "1"),
            ("ev_conversion.created", "1"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = unescaped(page);
    let wh_secret = page
        .split("<code>whsec_")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_string();
    let wh_secret = format!("whsec_{wh_secret}");

    // On the allowed site: the card, framable by that site only, with the call to action.
    let frame = c.get(format!("{}/embed/thread/{tid}?origin=https%3A%2F%2Fblog.example&host=https%3A%2F%2Fblog.example%2Fpost%3Femail%3Dx", app.base)).send().await.unwrap();
    assert_eq!(frame.status(), StatusCode::OK);
    let csp = frame.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'self' https://blog.example http://127.0.0.1:9"),
        "{csp}"
    );
    let html = unescaped(frame.text().await.unwrap());
    assert!(
        html.contains(">S&#x27;inscrire</a>") || html.contains(">S'inscrire</a>"),
        "{html}"
    );
    let cta = html
        .split("id=\"pv-cta\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(cta.starts_with(&format!("{}/r/", app.base)), "{cta}");
    // Elsewhere: a notice that names where to read it, and no message.
    for elsewhere in ["origin=https%3A%2F%2Fevil.example", ""] {
        let r = c
            .get(format!(
                "{}/embed/thread/{tid}?lang=fr&{elsewhere}",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let h = r.text().await.unwrap();
        assert!(
            h.contains("ne peut pas être affichée sur ce site") && !h.contains("Réponse numéro"),
            "{h}"
        );
    }
    // The data endpoint refuses browsers on other sites, and lets the allowed one read.
    let r = c
        .get(format!("{}/api/v1/embed/threads/{tid}", app.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("origin_not_allowed"))
    );
    let r = c
        .get(format!(
            "{}/api/v1/embed/threads/{tid}?per_page=2",
            app.base
        ))
        .header("origin", "https://blog.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://blog.example"
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["messages"]["items"].as_array().unwrap().len(), 2);
    let (s, p) = problem(
        c.get(format!("{}/api/v1/embed/threads/999999", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    // Parvis itself (the preview) is always allowed.
    let r = c
        .get(format!("{}/embed/thread/{tid}", app.base))
        .header("referer", format!("{}/threads/{tid}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Views count once per visitor and day; Do-Not-Track is not counted at all.
    let beacon = |event: &str, ua: &str, dnt: bool| {
        let mut rq = c.post(format!("{}/embed/e?k=thread%2F{tid}&e={event}&h=https%3A%2F%2Fblog.example%2Fpost%3Femail%3Dx", app.base)).header("user-agent", ua);
        if dnt {
            rq = rq.header("dnt", "1");
        }
        rq.send()
    };
    for (event, ua, dnt) in [
        ("view", "A", false),
        ("view", "A", false),
        ("view", "B", false),
        ("view", "C", true),
        ("read", "A", false),
        ("bogus", "A", false),
    ] {
        assert_eq!(
            beacon(event, ua, dnt).await.unwrap().status(),
            StatusCode::NO_CONTENT
        );
    }

    // The click goes through /r/, is recorded once, and lands with its click id.
    let r = c.get(&cta).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let click_id = cta
        .split("/r/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        to,
        format!("https://novea.example/inscription?src=parvis&parvis_click={click_id}")
    );
    assert_eq!(
        c.get(&cta).send().await.unwrap().headers()["location"]
            .to_str()
            .unwrap(),
        to
    );
    assert_eq!(
        c.get(format!("{}/r/..%2F..?k=thread%2F1", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // The organisation reports the conversion, signed; replays and forgeries are refused.
    let body = json!({"click_id": click_id, "type": "registration", "value": 49.9, "transaction_id": "T-1"}).to_string();
    let post = |body: String, sig: Option<String>| {
        let mut rq = c
            .post(format!("{}/api/v1/conversions", app.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = sig {
            rq = rq.header("x-parvis-signature", s);
        }
        rq.send()
    };
    let r = post(body.clone(), Some(sign(&secret, &body)))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let (s, p) = problem(
        post(body.clone(), Some(sign(&secret, &body)))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_transaction"))
    );
    let (s, p) = problem(
        post(body.clone(), Some(sign("wrong", &body)))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_signature"))
    );
    let (s, p) = problem(post(body.clone(), None).await.unwrap()).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("missing_signature"))
    );
    let stale = parvis_services::embeds::track::sign_report(&secret, 1_000_000, body.as_bytes());
    let (s, p) = problem(post(body.clone(), Some(stale)).await.unwrap()).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("stale_signature")),
        "a report signed long ago is a replay"
    );
    let unknown =
        json!({"click_id": "0123456789abcdef0123", "type": "purchase", "transaction_id": "T-9"})
            .to_string();
    let (s, p) = problem(
        post(unknown.clone(), Some(sign(&secret, &unknown)))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, p["code"].as_str(), p["field"].as_str()),
        (
            StatusCode::NOT_FOUND,
            Some("unknown_click"),
            Some("click_id")
        )
    );
    let (s, p) = problem(post("{\"click_id\": 3}".into(), None).await.unwrap()).await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("click_id"))
    );
    // The pixel counts a second transaction once and always answers an image.
    for _ in 0..2 {
        let r = c
            .get(format!(
                "{}/embed/c.gif?click_id={click_id}&type=purchase&transaction_id=T-2&value=10",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "image/gif");
    }
    let r = c
        .get(format!("{}/embed/c.gif?click_id=nope", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The funnel: 2 views (A, B), 1 read, 1 click, 2 conversions worth 59.90, on the host
    // page without its query string.
    let f: Value = c
        .get(format!("{}/api/v1/spaces/forum/embed/funnel", app.base))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(f["rows"].as_array().unwrap().len(), 1, "{f}");
    let row = &f["rows"][0];
    assert_eq!(row["embed"], format!("thread/{tid}"));
    assert_eq!(row["host"], "https://blog.example/post");
    assert_eq!(
        (
            row["impressions"].as_i64(),
            row["engagements"].as_i64(),
            row["clicks"].as_i64(),
            row["conversions"].as_i64(),
            row["value_cents"].as_i64()
        ),
        (Some(2), Some(1), Some(1), Some(2), Some(5990))
    );
    let (s, p) = problem(
        c.get(format!(
            "{}/api/v1/spaces/forum/embed/funnel?from=hier",
            app.base
        ))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (s, p["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
    );
    let page = unescaped(
        ac.get(format!("{}/admin/spaces/forum/embeds", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(
        page.contains("https://blog.example/post") && page.contains("<svg class=\"chart\""),
        "{page}"
    );
    assert!(page.contains("59,90") && page.contains("50\u{a0}%"));
    let csv = ac
        .get(format!("{}/admin/spaces/forum/embeds.csv", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        format!(
            "embed,host,impressions,engagements,clicks,conversions,value\n\"thread/{tid}\",\"https://blog.example/post\",2,1,1,2,59.90\n"
        )
    );
    // Members who are not admins see nothing of it.
    let r = client()
        .get(format!("{}/admin/spaces/forum/embeds.csv", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Webhooks: a reply and the conversions were queued; one pass delivers them, signed.
    let r = c
        .post(format!("{}/api/v1/threads/{tid}/messages", app.base))
        .header("authorization", &auth)
        .json(&json!({"body": "Encore une"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    app.services.deliver_due_webhooks().await.unwrap();
    let got = got.lock().unwrap().clone();
    let kinds: Vec<String> = got
        .iter()
        .map(|(_, b)| {
            serde_json::from_str::<Value>(b).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "conversion.created").count(),
        2,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "message.created").count(),
        1,
        "{kinds:?}"
    );
    for (h, b) in &got {
        let id = h["webhook-id"].to_str().unwrap();
        let ts: i64 = h["webhook-timestamp"].to_str().unwrap().parse().unwrap();
        let expected =
            parvis_services::embeds::webhooks::webhook_signature(&[&wh_secret], id, ts, b);
        assert_eq!(h["webhook-signature"].to_str().unwrap(), expected);
    }
    let page = ac
        .get(format!("{}/admin/spaces/forum/embeds", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Remis"),
        "the delivery log shows them delivered"
    );
}

#[tokio::test]
async fn a_webhook_endpoint_that_is_down_slows_nothing_and_is_retried() {
    let app = spawn_app().await;
    let (auth, tid) = seed_thread(&app, 0).await;
    let (ac, csrf) = admin_session(&app).await;
    // Nothing listens on this port (bound, then dropped).
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    let r = ac
        .post(format!("{}/admin/spaces/forum/embeds/webhooks", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", dead.as_str()),
            ("ev_message.created", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let started = std::time::Instant::now();
    for i in 0..5 {
        let r = client()
            .post(format!("{}/api/v1/threads/{tid}/messages", app.base))
            .header("authorization", &auth)
            .json(&json!({"body": format!("r{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "posting does not wait on webhooks"
    );
    assert_eq!(app.services.deliver_due_webhooks().await.unwrap(), 5);
    // Failed once each: scheduled again later, not now.
    assert_eq!(app.services.deliver_due_webhooks().await.unwrap(), 0);
    let page = ac
        .get(format!("{}/admin/spaces/forum/embeds", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("En attente") && page.contains("could not connect"),
        "{page}"
    );
    // The admin replays one: due again at once.
    let id = page
        .split("/embeds/deliveries/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let r = ac
        .post(format!(
            "{}/admin/spaces/forum/embeds/deliveries/{id}/replay",
            app.base
        ))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.services.deliver_due_webhooks().await.unwrap(), 1);
}

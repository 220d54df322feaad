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
fn unescaped(html: String) -> String {
    html.replace("&#x2f;", "/").replace("&amp;", "&")
}

fn oembed_url(app: &App, page: &str) -> String {
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

    // Discovery: the thread page names its oEmbed endpoint in its head.
    let html = unescaped(reqwest::get(&page).await.unwrap().text().await.unwrap());
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

//! French pages speak French: every page a visitor, a member or an admin reaches, asked in
//! French, is read for English sentences (visible text and the attributes people read:
//! placeholders, labels, titles, alternative text). Code samples (`<code>`, `<pre>`) are
//! commands and stay as they are.

use super::*;

/// English words that are not French words: one of them in a French page is English leaking.
const ENGLISH: &[&str] = &[
    "the", "and", "you", "your", "with", "is", "are", "not", "this", "that", "of", "to", "for",
    "from", "have", "has", "yet", "here", "will", "be", "no", "sign", "in", "on", "by", "or", "an",
    "it", "its", "what", "who", "when", "found", "failed", "please", "enough", "data",
];

/// The text a reader sees, with code blocks and markup removed.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    // Drop whole elements whose content is not prose.
    'outer: while !rest.is_empty() {
        for tag in ["script", "style", "code", "pre", "svg"] {
            let open = format!("<{tag}");
            if rest.starts_with(&open) {
                let close = format!("</{tag}>");
                match rest.find(&close) {
                    Some(end) => {
                        rest = &rest[end + close.len()..];
                        out.push(' ');
                        continue 'outer;
                    }
                    None => break 'outer,
                }
            }
        }
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = &rest[..end];
            for attr in ["placeholder", "aria-label", "title", "alt"] {
                let key = format!("{attr}=\"");
                if let Some(i) = tag.find(&key) {
                    let v = &tag[i + key.len()..];
                    out.push(' ');
                    out.push_str(v.split('"').next().unwrap_or(""));
                    out.push(' ');
                }
            }
            out.push(' ');
            rest = &rest[end..];
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        out.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    out.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&nbsp;", " ")
}

/// The English words of a page's visible text, with their context.
pub(super) fn english_in(html: &str) -> Vec<String> {
    let text = visible_text(html);
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    for (i, w) in words.iter().enumerate() {
        // `OR`, `AND`, `NOT` in capitals are the search syntax's operators, not English.
        if matches!(*w, "OR" | "AND" | "NOT") {
            continue;
        }
        if ENGLISH.contains(&w.to_lowercase().as_str()) {
            let from = i.saturating_sub(4);
            let to = (i + 5).min(words.len());
            found.push(words[from..to].join(" "));
        }
    }
    found
}

/// French words that are not English words: one of them in an English page is French left
/// behind. Any word with a French accent counts too (English pages under test hold no
/// accented content).
const FRENCH: &[&str] = &[
    "le",
    "la",
    "les",
    "des",
    "du",
    "de",
    "un",
    "une",
    "est",
    "et",
    "vous",
    "votre",
    "vos",
    "avec",
    "pour",
    "sur",
    "dans",
    "pas",
    "aux",
    "au",
    "ce",
    "cette",
    "qui",
    "que",
    "mon",
    "mes",
    "leur",
    "leurs",
    "lien",
    "liens",
    "limite",
    "voter",
    "partager",
    "participer",
    "retirer",
];

/// The French words of a page's visible text, with their context.
pub(super) fn french_in(html: &str) -> Vec<String> {
    let text = visible_text(html);
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let lower = w.to_lowercase();
        let accented = lower.contains([
            'é', 'è', 'ê', 'ë', 'à', 'â', 'ç', 'î', 'ï', 'ô', 'û', 'ù', 'œ',
        ]);
        if accented || FRENCH.contains(&lower.as_str()) {
            let from = i.saturating_sub(4);
            let to = (i + 5).min(words.len());
            found.push(words[from..to].join(" "));
        }
    }
    found
}

#[test]
fn the_detector_finds_english_and_spares_french() {
    assert!(english_in("<p>Bienvenue sur l'espace, <code>parvis admin add</code></p>").is_empty());
    assert!(!english_in("<p>Sign in to continue</p>").is_empty());
    assert!(!english_in(r#"<input placeholder="Search the forum">"#).is_empty());
    assert!(french_in("<p>Sign in to vote, <code>le code</code></p>").is_empty());
    assert!(!french_in("<p>Date limite : demain</p>").is_empty());
    assert!(!french_in(r#"<input placeholder="Résumé">"#).is_empty());
}

#[tokio::test]
async fn french_pages_contain_no_english() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    let auth = format!("Bearer {token}");
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum des clients", "description": "Les échanges avec nos clients."}))
        .send()
        .await
        .unwrap();
    c.post(format!("{}/api/v1/spaces/forum/topics", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Salons", "slug": "salons", "keywords": ["salon"]}))
        .send()
        .await
        .unwrap();
    let r = c
        .post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Le salon de mars", "body": "Qui vient au **salon** ?", "topic": "salons"}))
        .send()
        .await
        .unwrap();
    let tid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    c.post(format!("{}/api/v1/threads/{tid}/messages", app.base))
        .header("authorization", &auth)
        .json(&json!({"body": "Moi, avec deux collègues."}))
        .send()
        .await
        .unwrap();
    app.services.index_pass(0).await.unwrap();
    let survey = c
        .post(format!("{}/api/v1/spaces/forum/surveys", app.base))
        .header("authorization", &auth)
        .json(&json!({"kind": "enps", "title": "Votre équipe"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["link"]
        .as_str()
        .unwrap()
        .to_string();
    // A live room, with a question in it.
    let r = c
        .post(format!("{}/api/v1/spaces/forum/rooms", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Le débat de mars", "anonymous_questions": true}))
        .send()
        .await
        .unwrap();
    let rid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    c.post(format!("{}/api/v1/rooms/{rid}/actions", app.base))
        .header("authorization", &auth)
        .json(&json!({"action": "ask", "text": "Qui anime ?"}))
        .send()
        .await
        .unwrap();
    let live_console = format!("/live/{rid}/console");

    let public = [
        "/".to_string(),
        "/s/forum".into(),
        "/s/forum/t/salons".into(),
        format!("/threads/{tid}"),
        "/s/forum/search?q=salon".into(),
        "/s/forum/search?q=%22salon".into(),
        "/s/forum/search?q=introuvable".into(),
        "/s/forum/activity".into(),
        "/s/forum/t/salons/opinion".into(),
        "/members/camille".into(),
        "/signin".into(),
        "/page-qui-n-existe-pas".into(),
        "/threads/999999".into(),
        survey.clone(),
        "/s/forum/live".into(),
        format!("/live/{rid}"),
        format!("/live/{rid}/screen"),
        format!("/embed/thread/{tid}?lang=fr"),
        "/embed/topic/forum/salons?lang=fr".into(),
        "/embed/opinion/forum/salons?lang=fr".into(),
        "/embed/thread/999999?lang=fr".into(),
    ];
    let admin_only = [
        "/admin",
        "/admin/import",
        "/admin/identities",
        "/me",
        "/s/forum/feed",
        "/s/forum/measures",
        "/admin/spaces/forum/embeds",
    ];
    let (admin, _) = admin_session(&app).await;
    let mut leaks = Vec::new();
    for (who, c, paths) in [
        (
            "visitor",
            client(),
            public.iter().map(String::as_str).collect::<Vec<_>>(),
        ),
        (
            "admin",
            admin,
            public
                .iter()
                .map(String::as_str)
                .chain(admin_only)
                .chain([live_console.as_str()])
                .collect(),
        ),
    ] {
        for path in paths {
            let r = c
                .get(format!("{}{path}", app.base))
                .header("accept-language", "fr-FR,fr;q=0.9")
                .send()
                .await
                .unwrap();
            if r.status().is_redirection() {
                continue;
            }
            let html = r.text().await.unwrap();
            for e in english_in(&html) {
                leaks.push(format!("{who} {path}: …{e}…"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "English on French pages:\n{}",
        leaks.join("\n")
    );
}

/// A thread list says "0 réponse, 1 réponse, 2 réponses" in French and "0 replies, 1 reply,
/// 2 replies" in English (Fluent's plural rules: French puts 0 with 1).
#[tokio::test]
async fn counts_take_each_languages_plural() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", admin_token(&app).await);
    let c = client();
    c.post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum"}))
        .send()
        .await
        .unwrap();
    let r = c
        .post(format!("{}/api/v1/spaces/forum/threads", app.base))
        .header("authorization", &auth)
        .json(&json!({"title": "Le salon de mars", "body": "Qui vient ?"}))
        .send()
        .await
        .unwrap();
    let tid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let page = |lang: &'static str| {
        let c = client();
        let url = format!("{}/s/forum", app.base);
        async move {
            let html = c
                .get(url)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            visible_text(&html)
        }
    };
    for (replies, fr, en) in [
        (0, "0 réponse ", "0 replies"),
        (1, "1 réponse ", "1 reply "),
        (2, "2 réponses", "2 replies"),
    ] {
        if replies > 0 {
            c.post(format!("{}/api/v1/threads/{tid}/messages", app.base))
                .header("authorization", &auth)
                .json(&json!({"body": "Moi."}))
                .send()
                .await
                .unwrap();
        }
        let (f, e) = (page("fr").await, page("en").await);
        assert!(f.contains(fr), "{replies} in French: {f}");
        assert!(e.contains(en), "{replies} in English: {e}");
    }
}

/// An import's result page, in French, counts what it left out by reason in French (a Slack
/// export has channel notices), never the importers' English details.
#[tokio::test]
async fn an_imports_skipped_items_are_explained_in_french() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", admin_token(&app).await);
    client()
        .post(format!("{}/api/v1/spaces", app.base))
        .header("authorization", &auth)
        .json(&json!({"slug": "forum", "name": "Forum des clients"}))
        .send()
        .await
        .unwrap();
    let (admin, csrf) = admin_session(&app).await;
    let zip = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../parvis-import/tests/fixtures/slack-export-viewer-testarchive.zip"),
    )
    .unwrap();
    // The browser's upload, written out (the form is multipart: fields, then the file).
    let boundary = "parvis-test-boundary-5d1c";
    let mut body = Vec::new();
    for (name, value) in [
        ("csrf", csrf.as_str()),
        ("space", "forum"),
        ("format", "slack"),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slack.zip\"\r\nContent-Type: application/zip\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&zip);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = admin
        .post(format!("{}/admin/import", app.base))
        .header("accept-language", "fr-FR,fr;q=0.9")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"import-summary\""), "{html}");
    assert!(html.contains("avis de canal"), "{html}");
    assert!(!html.contains("notice ("), "{html}");
    let leaks = english_in(&html);
    assert!(
        leaks.is_empty(),
        "English on the French import page: {leaks:?}"
    );
}

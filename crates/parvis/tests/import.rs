//! `parvis import` and `parvis follow` as a user runs them.

#[path = "import/hostile.rs"]
mod hostile;
mod support;

use serde_json::Value;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use support::*;

const JSONL: &str = r#"{"channel":"forum","id":"a1","thread_title":"Nos salons","author":{"handle":"lea","name":"Léa Martin","email":"lea@client.example"},"created_at":"2026-05-01T10:00:00Z","text":"Qui vient au salon ?"}
{"channel":"forum","id":"a2","thread_id":"a1","parent_id":"a1","author":{"handle":"tom","name":"Tom"},"created_at":"2026-05-01T11:00:00Z","text":"Moi"}
not json at all
"#;

#[test]
fn import_prints_a_summary_and_reimport_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/p.db", dir.path().display());
    drop(start(&["demo", "--database-url", &url])); // creates the demo space
    let file = dir.path().join("forum.jsonl");
    std::fs::write(&file, JSONL).unwrap();
    let args = [
        "import",
        "jsonl",
        file.to_str().unwrap(),
        "--space",
        "forum-alliance",
        "--database-url",
        &url,
        "--json",
    ];
    // One line of three is unreadable: only part was imported, exit status 2.
    let (code, out, err) = run_code(&args);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("import incomplete: 2 messages imported, 1 item unreadable"),
        "{err}"
    );
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["outcome"], "partial");
    for key in [
        "threads_created",
        "messages_created",
        "messages_updated",
        "people_created",
        "people_matched",
        "merges_proposed",
        "skipped",
    ] {
        assert!(v[key].is_u64(), "summary lacks {key}: {v}");
    }
    assert_eq!(v["messages_created"], 2);
    assert_eq!(v["threads_created"], 1);
    assert_eq!(v["skipped"], 1);
    let (code, out, _) = run_code(&args);
    assert_eq!(code, Some(2));
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["messages_created"].as_u64(), v["people_created"].as_u64()),
        (Some(0), Some(0))
    );
    // The human summary names the unreadable line.
    let (code, out, _) = run_code(&args[..args.len() - 1]);
    assert_eq!(code, Some(2));
    assert!(out.contains("line 3"), "{out}");
    let (ok, _, err) = run(&[
        "import",
        "bogus",
        file.to_str().unwrap(),
        "--space",
        "forum-alliance",
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(err.contains("bogus"), "{err}");
}

/// A Mailman archive as downloaded: gzipped months beside the index pages. The months are
/// imported; the pages are left out, counted and named, and the import is complete.
#[test]
fn a_downloaded_mail_archive_imports_its_months_and_names_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/p.db", dir.path().display());
    drop(start(&["demo", "--database-url", &url])); // creates the demo space
    let archive = dir.path().join("archive");
    std::fs::create_dir(&archive).unwrap();
    let mut mbox = String::new();
    for (i, day) in [1, 2].iter().enumerate() {
        mbox.push_str(&format!(
            "From ann at example.org  Mon Mar  {day} 10:00:00 2025\nFrom: ann at example.org (Ann)\n\
             Date: Mon, {day} Mar 2025 10:00:00 +0000\nSubject: [list] rasters {i}\n\
             Message-ID: <m{i}@example.org>\n\nHow do I reproject a raster?\n\n"
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(mbox.as_bytes()).unwrap();
    std::fs::write(archive.join("2025-March.txt.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(archive.join("index.html"), "<html></html>\n").unwrap();
    let args = [
        "import",
        "mbox",
        archive.to_str().unwrap(),
        "--space",
        "forum-alliance",
        "--database-url",
        &url,
    ];
    let (code, out, err) = run_code(&args);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("messages: 2 created"), "{out}");
    assert!(
        out.contains("1 × file of the folder in another format"),
        "{out}"
    );
    assert!(
        out.contains("left out: ") && out.contains("index.html"),
        "{out}"
    );
    let mut json = args.to_vec();
    json.push("--json");
    let (code, out, _) = run_code(&json);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["skipped_reasons"]["other_file"], 1, "{v}");
    assert!(
        v["files_left_out"][0]
            .as_str()
            .unwrap()
            .ends_with("index.html"),
        "{v}"
    );
}

/// A tiny HTTP server serving a feed that can change, honouring If-None-Match.
struct FeedServer {
    port: u16,
    body: Arc<Mutex<String>>,
    not_modified: Arc<AtomicUsize>,
}

fn feed(items: &[(&str, &str)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Blog partenaire</title><link>http://blog.example/</link>"#,
    );
    for (id, title) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><link>http://blog.example/{id}</link><guid>http://blog.example/{id}</guid><author>paul@partner.example (Paul)</author><pubDate>Mon, 04 May 2026 10:00:00 GMT</pubDate><description>Texte de {title}</description></item>"
        ));
    }
    s + "</channel></rss>"
}

fn feed_server(initial: String) -> FeedServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = Arc::new(Mutex::new(initial));
    let not_modified = Arc::new(AtomicUsize::new(0));
    let (b, nm) = (body.clone(), not_modified.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(500) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_lowercase();
            let current = b.lock().unwrap().clone();
            let etag = format!("\"{}\"", current.len());
            if req.contains(&format!("if-none-match: {etag}")) {
                nm.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(b"HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n");
            } else {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    current.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(current.as_bytes());
            }
        }
    });
    FeedServer {
        port,
        body,
        not_modified,
    }
}

fn thread_titles(url: &str) -> Vec<String> {
    let v: Value = reqwest::blocking::get(format!(
        "{url}/api/v1/spaces/forum-alliance/threads?per_page=200"
    ))
    .unwrap()
    .json()
    .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

fn wait_until(mut ok: impl FnMut() -> bool, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn followed_feeds_are_polled_with_conditional_get() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/p.db", dir.path().display());
    let feed_srv = feed_server(feed(&[("billet-1", "Premier billet partenaire")]));
    drop(start(&["demo", "--database-url", &url]));
    let feed_url = format!("http://127.0.0.1:{}/feed.xml", feed_srv.port);
    let (ok, out, err) = run(&[
        "follow",
        "add",
        &feed_url,
        "--space",
        "forum-alliance",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("following"));

    let server = start(&["serve", "--database-url", &url, "--poll-interval", "1"]);
    wait_until(
        || {
            thread_titles(&server.url)
                .iter()
                .any(|t| t == "Premier billet partenaire")
        },
        "the first item",
    );
    // Unchanged feed: conditional GETs answered 304, nothing duplicated.
    wait_until(
        || feed_srv.not_modified.load(Ordering::SeqCst) >= 2,
        "304 answers",
    );
    assert_eq!(
        thread_titles(&server.url)
            .iter()
            .filter(|t| *t == "Premier billet partenaire")
            .count(),
        1
    );
    // A new item appears in the feed and then in Parvis.
    *feed_srv.body.lock().unwrap() = feed(&[
        ("billet-1", "Premier billet partenaire"),
        ("billet-2", "Second billet"),
    ]);
    wait_until(
        || {
            thread_titles(&server.url)
                .iter()
                .any(|t| t == "Second billet")
        },
        "the new item",
    );
    let (ok, out, _) = run(&["follow", "list", "--database-url", &url]);
    assert!(ok);
    assert!(out.contains(&feed_url) && out.contains("2 items"), "{out}");
}

#[test]
fn an_import_killed_midway_completes_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/p.db", dir.path().display());
    drop(start(&["demo", "--database-url", &url]));
    // 30,000 messages in 3,000 threads by 300 people.
    const N: u64 = 30_000;
    let mut lines = String::new();
    for i in 0..N {
        let thread = i / 10;
        let parent = if i % 10 == 0 {
            String::new()
        } else {
            format!(
                r#","thread_id":"m{}","parent_id":"m{}""#,
                thread * 10,
                i - 1
            )
        };
        lines.push_str(&format!(
            r#"{{"channel":"forum","id":"m{i}"{parent},"thread_title":"Sujet {thread}","author":{{"handle":"p{}","name":"Personne {}","email":"p{}@example.org"}},"created_at":{},"text":"Message {i}"}}"#,
            i % 300, i % 300, i % 300, 1_770_000_000_000i64 + i as i64 * 60_000
        ));
        lines.push('\n');
    }
    let file = dir.path().join("big.jsonl");
    std::fs::write(&file, lines).unwrap();
    let args = [
        "import",
        "jsonl",
        file.to_str().unwrap(),
        "--space",
        "forum-alliance",
        "--database-url",
        &url,
        "--json",
    ];
    let mut child = std::process::Command::new(BIN)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once a batch or two are committed (the import takes a second or two: a fixed
    // delay would come before the first commit or after the last one).
    let db = rusqlite::Connection::open_with_flags(
        dir.path().join("p.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let waiting = std::time::Instant::now();
    let finished_early = loop {
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        let committed: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM messages WHERE channel = 'forum'",
                [],
                |r| r.get(0),
            )
            .unwrap_or(0);
        if committed >= 1_000 || waiting.elapsed() > std::time::Duration::from_secs(60) {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    drop(db);
    child.kill().ok(); // SIGKILL
    child.wait().unwrap();
    if finished_early {
        eprintln!(
            "notice: the import finished before it could be killed; the re-run below still checks idempotence"
        );
    }
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    let created = v["messages_created"].as_u64().unwrap();
    let unchanged = v["messages_unchanged"].as_u64().unwrap();
    assert_eq!(created + unchanged, N, "{v}");
    if !finished_early {
        // The killed run left whole batches (1,000 items by default), and not all of them.
        assert!(unchanged > 0 && created > 0, "killed midway: {v}");
        assert_eq!(unchanged % 1_000, 0, "whole batches only: {v}");
    }
    // The store holds each message once and each reply has its parent.
    let server = start(&["serve", "--database-url", &url]);
    let threads: Value = reqwest::blocking::get(format!(
        "{}/api/v1/spaces/forum-alliance/threads?per_page=200&page=1",
        server.url
    ))
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(
        threads["total"].as_i64().unwrap(),
        30 + N as i64 / 10,
        "30 demo threads + 3,000 imported: {}",
        threads["total"]
    );
    let first = threads["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["channel"] == "forum")
        .unwrap();
    let msgs: Value =
        reqwest::blocking::get(format!("{}/api/v1/threads/{}", server.url, first["id"]))
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(msgs["messages"]["total"], 10);
    assert!(
        msgs["messages"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .all(|m| m["parent_id"].is_i64())
    );
    let members: Value =
        reqwest::blocking::get(format!("{}/api/v1/members?q=personne", server.url))
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(members["total"], 300, "no duplicate people");
}

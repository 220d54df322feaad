//! Hostile input through `parvis import`, an upload to `parvis serve` and a followed feed:
//! a clear error and an exit status that says what was imported, never an abort.

use crate::support::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// 50,000 nested elements: a stack overflow (exit 134) in every XML importer before the limit.
const DEEP: usize = 50_000;

fn nest(depth: usize) -> String {
    "<x>".repeat(depth) + &"</x>".repeat(depth)
}

fn rss(items: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>t</title>\n{items}</channel></rss>\n"
    )
}

fn item(id: &str, extra: &str) -> String {
    format!(
        "<item><guid>{id}</guid><title>Billet {id}</title><pubDate>Mon, 04 May 2026 10:00:00 GMT</pubDate><description>Texte</description>{extra}</item>\n"
    )
}

/// A store with an empty space `hostile`, and a function importing into it.
struct Store {
    dir: tempfile::TempDir,
    url: String,
}

impl Store {
    fn new() -> Store {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/p.db", dir.path().display());
        let (ok, _, err) = run(&["space", "create", "hostile", "--database-url", &url]);
        assert!(ok, "{err}");
        Store { dir, url }
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn import(&self, format: &str, file: &str) -> (Option<i32>, String, String) {
        run_code(&[
            "import",
            format,
            file,
            "--space",
            "hostile",
            "--database-url",
            &self.url,
        ])
    }
}

#[test]
fn import_exits_0_2_or_1_by_what_was_imported() {
    let s = Store::new();
    // Everything imported.
    let good = s.file("good.rss", &rss(&item("a", "")));
    let (code, _, err) = s.import("rss", &good);
    assert_eq!(code, Some(0), "{err}");
    // A deeply nested item: no abort; it alone is skipped, with its line; exit 2.
    let deep = s.file(
        "deep.rss",
        &rss(&(item("b", "") + &item("deep", &nest(DEEP)))),
    );
    let (code, out, err) = s.import("rss", &deep);
    assert_eq!(code, Some(2), "no abort, part imported: {err}");
    assert!(
        out.contains("deep.rss: line 4") && out.contains("nested deeper than 512 levels"),
        "{out}"
    );
    assert!(
        err.contains("import incomplete: 1 message imported, 1 item unreadable"),
        "{err}"
    );
    // Only the deep item: nothing imported, exit 1.
    let only = s.file("only-deep.rss", &rss(&item("deep2", &nest(DEEP))));
    let (code, _, err) = s.import("rss", &only);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("nothing imported: 1 item read, 1 unreadable"),
        "{err}"
    );
    // An empty file.
    let empty = s.file("empty.mbox", "");
    let (code, _, err) = s.import("mbox", &empty);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("nothing imported") && err.contains("is the file empty?"),
        "{err}"
    );
    // The wrong format: every line unreadable.
    let wxr_text = rss(&(item("c", "") + &item("d", "")));
    let wxr = s.file("export.xml", &wxr_text);
    let (code, _, err) = s.import("jsonl", &wxr);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("is it the format given?"), "{err}");
    // A file cut midway: what came before is kept, exit 2 naming the abandoned file.
    let cut = s.file(
        "cut.rss",
        &wxr_text[..wxr_text.find("<item><guid>d").unwrap() + 20],
    );
    let (code, out, err) = s.import("rss", &cut);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("1 file abandoned midway"), "{err}");
    assert!(out.contains("cut.rss"), "{out}");
}

#[test]
fn imported_messages_are_cut_to_the_length_of_a_post() {
    let s = Store::new();
    let long = "mot ".repeat(200_000); // 800,000 characters
    let html = "<p>".to_string() + &"paragraphe ".repeat(100_000) + "</p>"; // 1.1 MB
    let file = s.file(
        "long.jsonl",
        &format!(
            "{}\n{}\n{}\n",
            serde_json::json!({"channel":"forum","id":"long-text","author":{"handle":"ann"},"created_at":"2026-05-01T10:00:00Z","text":long}),
            serde_json::json!({"channel":"forum","id":"long-html","author":{"handle":"ann"},"created_at":"2026-05-01T10:00:00Z","html":html}),
            serde_json::json!({"channel":"forum","id":"short","author":{"handle":"ann"},"created_at":"2026-05-01T10:00:00Z","text":"court"}),
        ),
    );
    let (code, out, err) = run_code(&[
        "import",
        "jsonl",
        &file,
        "--space",
        "hostile",
        "--database-url",
        &s.url,
        "--json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["truncated"], 2, "{v}");
    assert_eq!(v["messages_created"], 3, "{v}");
    let (_, human, _) = s.import("jsonl", &file);
    assert!(human.contains("cut to the length of a post"), "{human}");
    let db = rusqlite::Connection::open(s.dir.path().join("p.db")).unwrap();
    let size = |id: &str| -> (i64, i64) {
        db.query_row(
            "SELECT length(body_md), length(body_html) FROM messages WHERE source_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let (md, html) = size("long-text");
    assert!(md <= 50_010 && html <= 60_000, "text cut: {md} / {html}");
    let (_, html) = size("long-html");
    assert!(html <= 270_000, "HTML cut: {html}");
    assert_eq!(size("short").0, 5);
}

/// Answers every request with `head` (status line and headers, without the blank line) and
/// `body`; counts the requests.
fn raw_server(head: String, body: Vec<u8>) -> (u16, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            h.fetch_add(1, Ordering::SeqCst);
            let _ = stream.write_all(
                format!(
                    "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            let _ = stream.write_all(&body);
        }
    });
    (port, hits)
}

/// A gzip stream that inflates to `n` spaces (fixed-Huffman copies of 258 bytes, 13 bits each:
/// 40 MiB take 260 KB). Its checksum is wrong: the reader must give up before the end.
fn gzip_bomb(n: usize) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let (mut acc, mut len) = (0u64, 0u32);
    let mut code = |out: &mut Vec<u8>, code: u32, width: u32| {
        for i in (0..width).rev() {
            acc |= u64::from((code >> i) & 1) << len;
            len += 1;
            if len == 8 {
                out.push(acc as u8);
                acc = 0;
                len = 0;
            }
        }
    };
    code(&mut out, 1, 1);
    code(&mut out, 0b10, 2);
    code(&mut out, 0x50, 8); // ' '
    for _ in 0..n / 258 {
        code(&mut out, 0b1100_0101, 8);
        code(&mut out, 0, 5);
    }
    code(&mut out, 0, 7);
    code(&mut out, 0, 7); // flush the last bits
    out.extend_from_slice(&[0; 8]);
    out
}

#[test]
fn hostile_feeds_fail_and_back_off_while_the_server_lives() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/p.db", dir.path().display());
    let (ok, _, err) = run(&["space", "create", "hostile", "--database-url", &url]);
    assert!(ok, "{err}");
    let (deep_port, deep_hits) = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml".into(),
        rss(&item("deep", &nest(DEEP))).into_bytes(),
    );
    let (bomb_port, bomb_hits) = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Encoding: gzip".into(),
        gzip_bomb(40 << 20),
    );
    for port in [deep_port, bomb_port] {
        let (ok, _, err) = run(&[
            "follow",
            "add",
            &format!("http://127.0.0.1:{port}/feed.xml"),
            "--space",
            "hostile",
            "--database-url",
            &url,
        ]);
        assert!(ok, "{err}");
    }
    let server = start(&["serve", "--database-url", &url, "--poll-interval", "1"]);
    let db = rusqlite::Connection::open(dir.path().join("p.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let state = || -> Vec<(i64, String)> {
        let mut q = db
            .prepare("SELECT failures, COALESCE(last_error, '') FROM followed_sources ORDER BY id")
            .unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while state().iter().any(|(f, _)| *f == 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "feeds never polled: {:?}",
            state()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let s = state();
    assert!(s[0].1.contains("nested deeper than 512 levels"), "{s:?}");
    assert!(
        !s[0].1.contains("/tmp"),
        "no server path in the error: {s:?}"
    );
    assert!(s[1].1.contains("larger than 32 MiB"), "{s:?}");
    // Polled every second, a failing feed is asked again after 2 s, then 4 s…
    std::thread::sleep(std::time::Duration::from_secs(4));
    for hits in [&deep_hits, &bomb_hits] {
        let n = hits.load(Ordering::SeqCst);
        assert!((1..=3).contains(&n), "backed off: {n} requests in ~5 s");
    }
    let h = reqwest::blocking::get(format!("{}/healthz", server.url)).unwrap();
    assert!(h.status().is_success(), "the server is alive");
}

#[test]
fn an_upload_that_would_have_aborted_the_server_answers_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/p.db", dir.path().display());
    let server = start(&["demo", "--database-url", &url]);
    let token = demo_token(&server.url);
    let c = reqwest::blocking::Client::new();
    let upload = |body: String| {
        c.post(format!(
            "{}/api/v1/spaces/forum-alliance/imports?format=rss",
            server.url
        ))
        .bearer_auth(&token)
        .body(body)
        .send()
        .unwrap()
    };
    let r = upload(rss(&item("deep", &nest(DEEP))));
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let p: Value = r.json().unwrap();
    assert_eq!(p["code"], "nothing_imported", "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("upload.rss: line 3") && detail.contains("nested deeper than 512"),
        "{detail}"
    );
    assert!(
        !detail.contains("/tmp") && !detail.contains(".tmp"),
        "{detail}"
    );
    // The server lives on, and a partly readable upload is imported with its outcome.
    let r = upload(rss(&(item("ok", "") + &item("deep", &nest(DEEP)))));
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    assert_eq!(
        (v["outcome"].as_str(), v["messages_created"].as_u64()),
        (Some("partial"), Some(1))
    );
    assert!(
        v["error_examples"][0]
            .as_str()
            .unwrap()
            .starts_with("upload.rss: line 4"),
        "{v}"
    );
}

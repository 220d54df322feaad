//! The `parvis` binary as a user runs it.

mod support;

use serde_json::Value;
use support::*;

#[test]
fn help_explains_commands_and_settings() {
    let (ok, out, _) = run(&["--help"]);
    assert!(ok);
    for word in ["serve", "demo", "export", "backup", "PARVIS_", "--config"] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
    let (ok, out, _) = run(&["serve", "--help"]);
    assert!(ok);
    for word in [
        "--database-url",
        "PARVIS_DATABASE_URL",
        "--port",
        "--smtp-url",
        "sqlite://",
        "postgres://",
    ] {
        assert!(out.contains(word), "serve --help lacks {word}:\n{out}");
    }
}

#[test]
fn a_file_that_is_not_a_store_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "shopping list: bread, cheese").unwrap();
    let url = format!("sqlite://{}", notes.display());
    let (ok, _, err) = run(&["serve", "--database-url", &url, "--port", "0"]);
    assert!(!ok);
    assert!(err.contains("not a Parvis store"), "{err}");
    assert!(err.contains("notes.txt"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "shopping list: bread, cheese",
        "the file is untouched"
    );
    let (ok, _, err) = run(&[
        "serve",
        "--database-url",
        "mysql://localhost/db",
        "--port",
        "0",
    ]);
    assert!(!ok);
    assert!(err.contains("unsupported database URL"), "{err}");
    let bad_config = dir.path().join("parvis.toml");
    std::fs::write(&bad_config, "port = \"eighty\"\n").unwrap();
    let (ok, _, err) = run(&["serve", "--config", bad_config.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("parvis.toml:1"), "{err}");
}

#[test]
fn demo_then_export_and_backup_while_live() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let url = format!("sqlite://{}", db.display());
    let server = start(&["demo", "--database-url", &url]);
    let spaces: Value = reqwest::blocking::get(format!("{}/api/v1/spaces", server.url))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(spaces["items"][0]["slug"], "forum-alliance");
    let threads: Value = reqwest::blocking::get(format!(
        "{}/api/v1/spaces/forum-alliance/threads?per_page=100",
        server.url
    ))
    .unwrap()
    .json()
    .unwrap();
    assert!(
        threads["total"].as_i64().unwrap() >= 20,
        "the demo has threads"
    );
    let members: Value = reqwest::blocking::get(format!("{}/api/v1/members", server.url))
        .unwrap()
        .json()
        .unwrap();
    assert!(
        members["total"].as_i64().unwrap() >= 24,
        "a few dozen members"
    );

    let out = dir.path().join("space.jsonl");
    let (ok, _, err) = run(&[
        "export",
        "--space",
        "forum-alliance",
        "--database-url",
        &url,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records[0]["type"], "space");
    let count = |t: &str| records.iter().filter(|r| r["type"] == t).count();
    assert_eq!(count("thread") as i64, threads["total"].as_i64().unwrap());
    assert!(count("message") > count("thread"));
    assert!(count("topic") >= 5);
    // Complete: reactions and consents (with their dated history) travel with the space.
    assert!(count("reaction") > 0, "reactions are exported");
    assert!(count("consent") > 0, "consents are exported");
    assert!(count("consent_event") >= count("consent"));

    let copy = dir.path().join("copy.db");
    let (ok, _, err) = run(&["backup", copy.to_str().unwrap(), "--database-url", &url]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&[
        "spaces",
        "--database-url",
        &format!("sqlite://{}", copy.display()),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("forum-alliance"));
    let (ok, _, err) = run(&["export", "--space", "nowhere", "--database-url", &url]);
    assert!(!ok);
    assert!(err.contains("nowhere"), "{err}");
    drop(server);
}

/// Writes answered 2xx survive a SIGKILL of the server in the middle of a stream of writes.
fn no_acknowledged_write_is_lost(url: &str) {
    let server = start(&["demo", "--database-url", url]);
    let token = demo_token(&server.url);
    let c = reqwest::blocking::Client::new();
    let created: Value = c
        .post(format!(
            "{}/api/v1/spaces/forum-alliance/threads",
            server.url
        ))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "Kill test", "body": "start"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let thread = created["id"].as_i64().unwrap();
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (acked, stop, token, base) = (
                acked.clone(),
                stop.clone(),
                token.clone(),
                server.url.clone(),
            );
            std::thread::spawn(move || {
                let c = reqwest::blocking::Client::builder()
                    .timeout(std::time::Duration::from_secs(5))
                    .build()
                    .unwrap();
                for i in 0..10_000 {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let body = format!("writer {w} message {i}");
                    let r = c
                        .post(format!("{base}/api/v1/threads/{thread}/messages"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"body": body}))
                        .send();
                    match r {
                        Ok(r) if r.status().is_success() => acked.lock().unwrap().push(body),
                        _ => break, // the server is gone
                    }
                }
            })
        })
        .collect();
    // Let writes flow, then kill -9 while they are in flight.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while acked.lock().unwrap().len() < 150 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut server = server;
    server.child.kill().unwrap(); // SIGKILL on Unix
    server.child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 50,
        "enough writes happened before the kill ({})",
        acked.len()
    );

    let again = start(&["serve", "--database-url", url]);
    let mut stored = std::collections::HashSet::new();
    for page in 1.. {
        let v: Value = reqwest::blocking::get(format!(
            "{}/api/v1/threads/{thread}?per_page=200&page={page}",
            again.url
        ))
        .unwrap()
        .json()
        .unwrap();
        let items = v["messages"]["items"].as_array().unwrap().clone();
        for m in &items {
            stored.insert(m["body_markdown"].as_str().unwrap().to_string());
        }
        if items.len() < 200 {
            break;
        }
    }
    let lost: Vec<_> = acked.iter().filter(|b| !stored.contains(*b)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
}

#[test]
fn sigkill_loses_no_acknowledged_write_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    no_acknowledged_write_is_lost(&format!("sqlite://{}/kill.db", dir.path().display()));
}

#[test]
fn sigkill_loses_no_acknowledged_write_postgres() {
    match fresh_postgres() {
        Some(url) => no_acknowledged_write_is_lost(&url),
        None => eprintln!("notice: PARVIS_TEST_DATABASE_URL not set; PostgreSQL kill test skipped"),
    }
}

//! Killing one of two instances during a live debate (issue 13): two real `parvis` processes
//! share one PostgreSQL store and fan room events out through Redis; participants on the
//! first ask and vote, the first process is killed with SIGKILL (no shutdown hook runs), its
//! participants reconnect to the second, and every acknowledged question and vote is there.
//! Participants who were on the second instance never noticed.

mod support;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{demo_token, fresh_postgres, start};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const REDIS: &str = "redis://127.0.0.1:6379";

async fn connect(base: &str, room: i64, who: &str) -> (Socket, Value) {
    let url = format!("{}/live/{room}/ws", base.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    // A registered visitor: a token of their own (one vote each) and their name.
    let cookie = format!("parvis_visitor={who:0>64}.{who}");
    req.headers_mut().insert("cookie", cookie.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .unwrap_or_else(|e| panic!("{who} connects to {base}: {e}"));
    let snap = next(&mut ws, Duration::from_secs(5)).await;
    assert_eq!(snap["type"], "snapshot", "{snap}");
    (ws, snap)
}

async fn next(ws: &mut Socket, within: Duration) -> Value {
    loop {
        let m = tokio::time::timeout(within, ws.next())
            .await
            .expect("a message in time")
            .expect("socket open")
            .expect("a frame");
        if let Message::Text(t) = m {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

async fn wait_for(ws: &mut Socket, within: Duration, pred: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let left = within.saturating_sub(start.elapsed());
        let m = next(ws, left.max(Duration::from_millis(1))).await;
        if pred(&m) {
            return m;
        }
    }
}

fn votes_of(state: &Value, text: &str) -> Option<i64> {
    state["questions"]
        .as_array()?
        .iter()
        .find(|q| q["text"] == text)
        .and_then(|q| q["votes"].as_i64())
}

#[test]
fn killing_one_of_two_instances_loses_no_acknowledged_question_or_vote() {
    if std::net::TcpStream::connect_timeout(
        &"127.0.0.1:6379".parse().unwrap(),
        Duration::from_secs(1),
    )
    .is_err()
    {
        eprintln!("notice: Redis not reachable at 127.0.0.1:6379; instance-kill test skipped");
        return;
    }
    let Some(url) = fresh_postgres() else {
        eprintln!("notice: PARVIS_TEST_DATABASE_URL not set; instance-kill test skipped");
        return;
    };
    // Each instance keeps its own search index (one writer per index directory).
    let dir = tempfile::tempdir().unwrap();
    let index = |name: &str| dir.path().join(name).display().to_string();
    let (index_a, index_b) = (index("search-a"), index("search-b"));
    let mut first = start(&[
        "demo",
        "--database-url",
        &url,
        "--redis-url",
        REDIS,
        "--search-dir",
        &index_a,
    ]);
    let second = start(&[
        "serve",
        "--database-url",
        &url,
        "--redis-url",
        REDIS,
        "--search-dir",
        &index_b,
    ]);
    let token = demo_token(&first.url);
    let room: Value = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/spaces/forum-alliance/rooms", first.url))
        .bearer_auth(&token)
        .json(&json!({"title": "Débat qui survit"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let room = room["id"].as_i64().unwrap_or_else(|| panic!("{room}"));
    let (a, b) = (first.url.clone(), second.url.clone());

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let survivors = rt.block_on(async {
        // Six participants on the first instance, one watcher on the second.
        let mut on_first = Vec::new();
        for i in 0..6 {
            on_first.push(connect(&a, room, &format!("P{i}")).await.0);
        }
        let (mut watcher, _) = connect(&b, room, "Watcher").await;
        // P0 asks two questions; everyone on the first instance upvotes the first.
        for (id, text) in [(1, "Qui paie la transition ?"), (2, "Et les PME ?")] {
            let ask = json!({"id": id, "action": "ask", "text": text}).to_string();
            on_first[0].send(Message::text(ask)).await.unwrap();
            let ack = wait_for(&mut on_first[0], Duration::from_secs(5), |v| v["id"] == id).await;
            assert_eq!(ack["type"], "ack", "{ack}");
        }
        let question = wait_for(&mut watcher, Duration::from_secs(5), |v| {
            votes_of(v, "Qui paie la transition ?").is_some()
        })
        .await;
        let qid = question["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["text"] == "Qui paie la transition ?")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        for p in on_first.iter_mut() {
            let vote = json!({"id": 9, "action": "upvote", "question": qid}).to_string();
            p.send(Message::text(vote)).await.unwrap();
        }
        for p in on_first.iter_mut() {
            let ack = wait_for(p, Duration::from_secs(5), |v| v["id"] == 9).await;
            assert_eq!(
                ack["type"], "ack",
                "every vote acknowledged before the kill: {ack}"
            );
        }
        (on_first, watcher, qid)
    });

    // SIGKILL: the process gets no chance to flush anything.
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    rt.block_on(async {
        let (mut on_first, mut watcher, qid) = survivors;
        // Their sockets end (closed or reset), never hang.
        for p in on_first.iter_mut() {
            let end = tokio::time::timeout(Duration::from_secs(5), async {
                loop {
                    match p.next().await {
                        None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                        Some(Ok(_)) => {}
                    }
                }
            })
            .await;
            assert!(end.is_ok(), "a socket of the killed instance ended");
        }
        // They reconnect to the second instance and find everything acknowledged.
        for i in 0..6 {
            let (_, snap) = connect(&b, room, &format!("P{i}")).await;
            assert_eq!(
                votes_of(&snap, "Qui paie la transition ?"),
                Some(6),
                "{snap}"
            );
            assert!(votes_of(&snap, "Et les PME ?").is_some(), "{snap}");
        }
        // The room goes on there: a new question reaches the watcher who never moved.
        let (mut p0, _) = connect(&b, room, "P0").await;
        p0.send(Message::text(
            json!({"id": 3, "action": "ask", "text": "Et après ?"}).to_string(),
        ))
        .await
        .unwrap();
        wait_for(&mut watcher, Duration::from_secs(5), |v| {
            votes_of(v, "Et après ?").is_some()
        })
        .await;
        // And a vote already cast is not cast twice after the reconnection.
        p0.send(Message::text(
            json!({"id": 4, "action": "upvote", "question": qid}).to_string(),
        ))
        .await
        .unwrap();
        wait_for(&mut p0, Duration::from_secs(5), |v| v["id"] == 4).await;
        let (_, snap) = connect(&b, room, "Late").await;
        assert_eq!(
            votes_of(&snap, "Qui paie la transition ?"),
            Some(6),
            "{snap}"
        );
    });
}

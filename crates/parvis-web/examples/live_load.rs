//! Load generator for the live room (loopback only, bounded in time).
//!
//! `cargo run --release -p parvis-web --example live_load -- --n 2000 --secs 10`
//!
//! It starts the server(s) as child processes of itself (`live_load serve …`: the real router
//! and hub, seeded with a moderator, a room, 10 questions and a 0–10 scale poll), connects N
//! participants by WebSocket (registered visitors, split across the instances), then for
//! `--secs` seconds has some of them cast question votes (upvote / take back, alternately) at
//! `--votes` per second in total and answer the poll at `--answers` per second. For every vote
//! it measures the time from its acknowledgement until every participant has received a
//! delta whose `seq` reflects it (p50, p99), and it reads the server's resident memory (Linux
//! `/proc/PID/status`) before and after the N sockets are open: the difference over N is the
//! memory per connection. With `--instances 2 --redis redis://127.0.0.1:6379` two servers
//! share the store and fan out through Redis.

use futures_util::{SinkExt, StreamExt};
use parvis_domain::*;
use parvis_services::{Mailer, ServiceConfig, Services};
use parvis_store::{NewMember, Store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve") {
        return serve(&args).await;
    }
    drive(&args).await
}

/// Child mode: one server on a free port; prints `READY port [token room]`.
async fn serve(args: &[String]) -> Res<()> {
    let db = arg(args, "--db").ok_or("--db")?;
    let store = Store::open(&db).await?;
    let services = Services::new(
        store.clone(),
        Mailer::from_url(None, "p@x.example")?,
        ServiceConfig::default(),
    );
    let services = match arg(args, "--redis") {
        Some(url) => {
            let broker = parvis_services::live_redis::RedisBroker::connect(&url).await?;
            let s = services.with_live_broker(broker.clone(), Default::default());
            broker.subscribe(s.live().clone());
            s
        }
        None => services,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let mut line = format!("READY {port}");
    if args.iter().any(|a| a == "--seed") {
        let id = store
            .create_member(&NewMember {
                handle: "moderatrice".into(),
                display_name: "Modératrice".into(),
                email: Some("mod@load.example".into()),
                password_hash: None,
                site_role: SiteRole::Admin,
                ecosystem_role: EcosystemRole::Employee,
                organisation: "Bench".into(),
                bio: String::new(),
                lang: "fr".into(),
                created_at: now_millis(),
            })
            .await?;
        let member = store.member_by_id(id).await?.ok_or("member")?;
        let actor = parvis_services::Actor { member };
        let token = services.create_api_token(&actor, "load").await?.1;
        services
            .operator_create_space("charge", "Charge", "")
            .await?;
        let room = services
            .create_room(
                &actor,
                "charge",
                &parvis_services::live::RoomForm {
                    title: "Charge".into(),
                    topic_id: None,
                    anonymous_questions: false,
                    approval_required: false,
                    budget_factor: None,
                },
            )
            .await?;
        line = format!("READY {port} {token} {}", room.id.0);
    }
    let app = parvis_web::build(services, parvis_web::WebConfig::default());
    println!("{line}");
    parvis_web::serve(listener, app, std::future::pending()).await?;
    Ok(())
}

struct Child {
    proc: tokio::process::Child,
    port: u16,
    words: Vec<String>,
}

async fn start_child(db: &str, redis: Option<&str>, seed: bool) -> Res<Child> {
    let exe = std::env::current_exe()?;
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg("serve").arg("--db").arg(db);
    if let Some(r) = redis {
        cmd.arg("--redis").arg(r);
    }
    if seed {
        cmd.arg("--seed");
    }
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut proc = cmd.spawn()?;
    let out = proc.stdout.take().ok_or("stdout")?;
    let mut lines = tokio::io::BufReader::new(out).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await??
        .ok_or("server ended")?;
    let words: Vec<String> = line.split_whitespace().map(String::from).collect();
    let port = words.get(1).ok_or("port")?.parse()?;
    Ok(Child { proc, port, words })
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// What one participant saw: (delta seq, arrival in µs since start) and its acks.
#[derive(Default)]
struct Seen {
    deltas: Vec<(u64, u64)>,
    vote_acks: Vec<(u64, u64)>,
    answer_acks: Vec<(u64, u64)>,
    errors: BTreeMap<String, u64>,
    closed_early: bool,
}

fn seq_of(text: &str) -> Option<u64> {
    // The delta's keys are sorted; `seq` is near the end: search from there, parse no JSON.
    let i = text.rfind("\"seq\":")? + 6;
    let digits: String = text[i..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

async fn drive(args: &[String]) -> Res<()> {
    let n: usize = arg(args, "--n").map_or(Ok(1000), |v| v.parse())?;
    let secs: u64 = arg(args, "--secs").map_or(Ok(10), |v| v.parse())?;
    let votes_per_s: u64 = arg(args, "--votes").map_or(Ok(1000), |v| v.parse())?;
    let answers_per_s: u64 = arg(args, "--answers").map_or(Ok(200), |v| v.parse())?;
    let instances: usize = arg(args, "--instances").map_or(Ok(1), |v| v.parse())?;
    let redis = arg(args, "--redis");
    let dir = tempfile::tempdir()?;
    let db = arg(args, "--database-url")
        .unwrap_or_else(|| format!("sqlite://{}/load.db", dir.path().display()));
    if instances > 1 && redis.is_none() {
        return Err("--instances 2 needs --redis".into());
    }
    let first = start_child(&db, redis.as_deref(), true).await?;
    let token = first.words.get(2).ok_or("token")?.clone();
    let room: i64 = first.words.get(3).ok_or("room")?.parse()?;
    let mut children = vec![first];
    for _ in 1..instances {
        children.push(start_child(&db, redis.as_deref(), false).await?);
    }
    let base = format!("http://127.0.0.1:{}", children[0].port);
    let http = reqwest::Client::new();
    let act = |cmd: Value| {
        http.post(format!("{base}/api/v1/rooms/{room}/actions"))
            .bearer_auth(&token)
            .json(&cmd)
            .send()
    };
    for q in 0..10 {
        act(json!({"action": "ask", "text": format!("Question {q} : que pensez-vous de la proposition ?")}))
            .await?
            .error_for_status()?;
    }
    act(json!({"action": "open_poll", "title": "Votre avis de 0 à 10", "kind": {"type": "scale", "min": 0, "max": 10}}))
        .await?
        .error_for_status()?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pids: Vec<u32> = children.iter().filter_map(|c| c.proc.id()).collect();
    let rss_before: Vec<u64> = pids.iter().map(|p| rss_kb(*p)).collect();

    // Connect N participants, 100 at a time.
    let start = Instant::now();
    let ports: Vec<u16> = children.iter().map(|c| c.port).collect();
    let sockets = futures_util::stream::iter(0..n)
        .map(|i| {
            let port = ports[i % ports.len()];
            async move {
                let url = format!("ws://127.0.0.1:{port}/live/{room}/ws");
                let mut req = url.into_client_request()?;
                req.headers_mut()
                    .insert("cookie", format!("parvis_visitor={i:064}.P{i}").parse()?);
                let cfg = WebSocketConfig::default()
                    .read_buffer_size(8 * 1024)
                    .write_buffer_size(0);
                let (mut ws, _) =
                    tokio_tungstenite::connect_async_with_config(req, Some(cfg), false).await?;
                // The snapshot.
                let first = tokio::time::timeout(Duration::from_secs(30), ws.next()).await?;
                if !matches!(first, Some(Ok(Message::Text(_)))) {
                    return Err::<_, Box<dyn std::error::Error + Send + Sync>>(
                        "no snapshot".into(),
                    );
                }
                Ok(ws)
            }
        })
        .buffered(100)
        .collect::<Vec<_>>()
        .await;
    let mut ws_all = Vec::with_capacity(n);
    for s in sockets {
        ws_all.push(s?);
    }
    let connect_secs = start.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after: Vec<u64> = pids.iter().map(|p| rss_kb(*p)).collect();
    let per_conn_kb: f64 = rss_after
        .iter()
        .zip(&rss_before)
        .map(|(a, b)| a.saturating_sub(*b) as f64)
        .sum::<f64>()
        / n as f64;

    // Drive the load.
    let t0 = Instant::now();
    let running = Arc::new(AtomicBool::new(true));
    let voters = n.min(500);
    let answerers = n.min(200);
    let sent_votes = Arc::new(AtomicU64::new(0));
    let sent_answers = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(n);
    for (i, ws) in ws_all.into_iter().enumerate() {
        let (mut tx, mut rx) = ws.split();
        let running = running.clone();
        let (sv, sa) = (sent_votes.clone(), sent_answers.clone());
        let vote_every =
            (i < voters).then(|| Duration::from_secs_f64(voters as f64 / votes_per_s as f64));
        let answer_every = (i < answerers)
            .then(|| Duration::from_secs_f64(answerers as f64 / answers_per_s as f64));
        let writer = tokio::spawn(async move {
            if vote_every.is_none() && answer_every.is_none() {
                return;
            }
            // Spread the senders over one period.
            tokio::time::sleep(Duration::from_micros((i as u64 * 7919) % 1_000_000 / 2)).await;
            // A sender without one of the two kinds waits on a period that never comes.
            let far = Duration::from_secs(86_400);
            let mut vote_tick = tokio::time::interval(vote_every.unwrap_or(far));
            let mut answer_tick = tokio::time::interval(answer_every.unwrap_or(far));
            if vote_every.is_none() {
                vote_tick.reset();
            }
            if answer_every.is_none() {
                answer_tick.reset();
            }
            let (mut k, mut up) = (0u64, true);
            while running.load(Ordering::Relaxed) {
                let msg = tokio::select! {
                    _ = vote_tick.tick() => {
                        k += 1;
                        let action = if up { "upvote" } else { "unvote" };
                        let m = json!({"id": k * 2, "action": action, "question": (i % 10) + 1});
                        up = !up;
                        sv.fetch_add(1, Ordering::Relaxed);
                        m
                    }
                    _ = answer_tick.tick() => {
                        k += 1;
                        sa.fetch_add(1, Ordering::Relaxed);
                        json!({"id": k * 2 + 1, "action": "answer", "poll": 1, "answer": {"type": "scale", "value": (k + i as u64) % 11}})
                    }
                };
                if tx.send(Message::text(msg.to_string())).await.is_err() {
                    break;
                }
            }
        });
        let deadline = tokio::time::Instant::from_std(t0) + Duration::from_secs(secs + 2);
        let reader = tokio::spawn(async move {
            let mut seen = Seen::default();
            // Read until the load is over and the last deltas had time to arrive.
            while let Ok(Some(m)) = tokio::time::timeout_at(deadline, rx.next()).await {
                let at = t0.elapsed().as_micros() as u64;
                match m {
                    Ok(Message::Text(t)) => {
                        if t.starts_with("{\"type\":\"ack\"") || t.contains("\"type\":\"ack\"") {
                            let v: Value = serde_json::from_str(&t).unwrap_or_default();
                            let (id, seq) = (
                                v["id"].as_u64().unwrap_or(0),
                                v["seq"].as_u64().unwrap_or(0),
                            );
                            if id % 2 == 0 {
                                seen.vote_acks.push((seq, at));
                            } else {
                                seen.answer_acks.push((seq, at));
                            }
                        } else if t.contains("\"type\":\"error\"") {
                            let v: Value = serde_json::from_str(&t).unwrap_or_default();
                            let code = v["code"].as_str().unwrap_or("?").to_string();
                            *seen.errors.entry(code).or_default() += 1;
                        } else if let Some(seq) = seq_of(&t) {
                            seen.deltas.push((seq, at));
                        }
                    }
                    Ok(Message::Close(_)) | Err(_) => {
                        seen.closed_early = true;
                        break;
                    }
                    _ => {}
                }
            }
            seen
        });
        tasks.push((writer, reader));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    running.store(false, Ordering::Relaxed);
    let load_secs = t0.elapsed().as_secs_f64();
    let rss_load: Vec<u64> = pids.iter().map(|p| rss_kb(*p)).collect();
    // Per instance (each coalesces on its own ticks): delta seq → (copies received, last).
    let mut by_delta: Vec<BTreeMap<u64, (usize, u64)>> = vec![BTreeMap::new(); instances];
    let mut dropped_on = vec![0usize; instances];
    let (mut vote_acks, mut answer_acks, mut errors, mut dropped) =
        (Vec::new(), Vec::new(), BTreeMap::<String, u64>::new(), 0);
    for (i, (w, r)) in tasks.into_iter().enumerate() {
        w.abort();
        let seen = r.await?;
        dropped_on[i % instances] += usize::from(seen.closed_early);
        for (seq, at) in seen.deltas {
            let e = by_delta[i % instances].entry(seq).or_insert((0, 0));
            e.0 += 1;
            e.1 = e.1.max(at);
        }
        vote_acks.extend(seen.vote_acks);
        answer_acks.extend(seen.answer_acks);
        for (k, v) in seen.errors {
            *errors.entry(k).or_default() += v;
        }
        dropped += usize::from(seen.closed_early);
    }
    for c in &mut children {
        let _ = c.proc.start_kill();
    }
    // For each acknowledged vote, on each instance: the first delta at or after its seq;
    // that instance's clients all had it when its last copy arrived. Everyone had it when the
    // slower instance's last copy arrived.
    let per_instance: Vec<usize> = (0..instances)
        .map(|k| (0..n).filter(|i| i % instances == k).count() - dropped_on[k])
        .collect();
    let latencies = |acks: &[(u64, u64)]| -> (Vec<f64>, usize) {
        let mut out = Vec::with_capacity(acks.len());
        let mut missing = 0;
        'ack: for (seq, at) in acks {
            let mut last_all = 0;
            for (k, map) in by_delta.iter().enumerate() {
                match map.range(*seq..).next() {
                    Some((_, (count, last))) if *count >= per_instance[k] => {
                        last_all = last_all.max(*last)
                    }
                    _ => {
                        missing += 1;
                        continue 'ack;
                    }
                }
            }
            out.push(last_all.saturating_sub(*at) as f64 / 1000.0);
        }
        out.sort_by(f64::total_cmp);
        (out, missing)
    };
    let pct = |v: &[f64], p: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    let (vl, vmiss) = latencies(&vote_acks);
    let (al, amiss) = latencies(&answer_acks);
    let report = json!({
        "n": n, "instances": instances, "redis": redis.is_some(),
        "backend": if db.starts_with("postgres") { "postgres" } else { "sqlite" },
        "connect_secs": connect_secs,
        "votes_sent_per_s": sent_votes.load(Ordering::Relaxed) as f64 / load_secs,
        "votes_acked_per_s": vote_acks.len() as f64 / load_secs,
        "answers_acked_per_s": answer_acks.len() as f64 / load_secs,
        "vote_latency_ms": {"p50": pct(&vl, 0.5), "p99": pct(&vl, 0.99), "max": pct(&vl, 1.0), "measured": vl.len(), "not_seen_by_all": vmiss},
        "answer_latency_ms": {"p50": pct(&al, 0.5), "p99": pct(&al, 0.99), "measured": al.len(), "not_seen_by_all": amiss},
        "refused": errors, "clients_dropped": dropped,
        "server_rss_kb": {"before": rss_before, "connected": rss_after, "under_load": rss_load},
        "server_kb_per_connection": per_conn_kb,
    });
    println!("{report}");
    Ok(())
}

//! Benchmark of the sessions' pages and registrations (loopback only, bounded in time).
//!
//! `cargo run --release -p parvis-web --example sessions_load -- [--db URL] [--secs 10] [--rate 1000]`
//!
//! It fills a store with the space — 200 sessions over 10 topics, 50 of them closed in
//! one series with their reports, 20,000 registrations — starts the real router in process
//! (thread cache off; session pages have no page cache), then:
//! 1. reads the session page, the series' synthesis page and its iCalendar feed, 8 requests
//!    in flight, 400 of each, and prints p50/p99 against the 50 ms goal;
//! 2. has visitors register through the API at `--rate` per second for `--secs` seconds
//!    (256 in flight at most), then counts the registrations in the store: every accepted one
//!    must be there.
//! Without `--db` it runs on a temporary SQLite file; with `--db postgres://…/db` on that
//! (empty) PostgreSQL database.

use parvis_domain::*;
use parvis_services::{Mailer, ServiceConfig, Services};
use parvis_store::{AgendaItem, NewMember, NewRegistration, NewSession, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN)
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// The space; returns (an upcoming session's id, the upcoming sessions' ids).
async fn fill(store: &Store) -> Res<Vec<i64>> {
    let now = now_millis();
    let admin = store
        .create_member(&NewMember {
            handle: "admin".into(),
            display_name: "Admin".into(),
            email: Some("admin@bench.example".into()),
            password_hash: None,
            site_role: SiteRole::Admin,
            ecosystem_role: EcosystemRole::Employee,
            organisation: String::new(),
            bio: String::new(),
            lang: "fr".into(),
            created_at: now,
        })
        .await?;
    let space = store.create_space("bench", "Bench", "", now).await?;
    let mut topics = Vec::new();
    for k in 0..10 {
        let slug = if k == 0 {
            "serie".to_string()
        } else {
            format!("sujet-{k}")
        };
        topics.push(
            store
                .create_topic(space, &slug, &format!("Sujet {k}"), "", &[], now)
                .await?,
        );
    }
    let session = |topic: TopicId, k: i64, starts_at: i64| NewSession {
        space_id: space.0,
        topic_id: topic.0,
        title: format!("Débat n° {k}"),
        description: "Un débat mensuel sur le sujet, en salle et en ligne.".into(),
        starts_at,
        duration_min: 90,
        time_zone: "Europe/Paris".into(),
        mode: "phygital".into(),
        place: "Salle Lumière, Lyon".into(),
        online_url: "https://visio.example/debat".into(),
        access_code_hash: None,
        capacity: None,
        partners: "Acme, Novéa".into(),
        created_by: Some(admin.0),
        repeated_from: None,
        people: vec![],
        agenda: vec![
            AgendaItem {
                title: "Ouverture".into(),
                minutes: 10,
            },
            AgendaItem {
                title: "Débat".into(),
                minutes: 80,
            },
        ],
    };
    let started = Instant::now();
    let mut upcoming = Vec::new();
    let mut registrations = 0;
    for k in 0..200i64 {
        let (topic, at) = if k < 50 {
            (topics[0], now - (50 - k) * 30 * DAY)
        } else {
            (topics[(k % 9 + 1) as usize], now + (k - 49) * DAY)
        };
        let id = store
            .create_topic_session(&session(topic, k, at), now)
            .await?;
        for r in 0..100 {
            let email = format!("p{k}-{r}@bench.example");
            store
                .register(&NewRegistration {
                    session_id: id,
                    person: format!("e{email}"),
                    member_id: None,
                    name: format!("Personne {r}"),
                    email,
                    organisation: "Orga".into(),
                    lang: "fr".into(),
                    needs_confirmation: false,
                    confirm_token_hash: None,
                    manage_token_hash: None,
                    consents: vec![(
                        "contact".into(),
                        r % 2 == 0,
                        "Vous pouvez me contacter.".into(),
                    )],
                    now,
                })
                .await?;
            registrations += 1;
        }
        if k < 50 {
            let questions = serde_json::json!([format!("Question clé {k} ?")]).to_string();
            store
                .close_topic_session(
                    id,
                    &format!(
                        "Conclusions de la session {k} : ce qui a été décidé, ce qui reste ouvert."
                    ),
                    &questions,
                    "[]",
                    at + 2 * HOUR,
                )
                .await?;
        } else {
            upcoming.push(id);
        }
    }
    eprintln!(
        "filled: 200 sessions (50 closed in one series), {registrations} registrations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(upcoming)
}

async fn read_bench(base: &str, name: &str, paths: Vec<String>) -> Res<(f64, f64)> {
    let client = reqwest::Client::new();
    // Not counted: the first requests open the HTTP connections and the store pool's
    // connections (a PostgreSQL connection start-up each), which a server that has been
    // running has done long before; counted, those few cold requests are the p99 of 400.
    let warm: Vec<String> = paths.iter().take(WARM_UP).cloned().collect();
    let cold = fetch_all(&client, base, warm).await?;
    let mut all = fetch_all(&client, base, paths).await?;
    report(name, &cold, &mut all)
}

/// Get every path, 8 requests in flight; the time of each.
async fn fetch_all(client: &reqwest::Client, base: &str, paths: Vec<String>) -> Res<Vec<Duration>> {
    let paths = Arc::new(paths);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, paths, next, base) = (
            client.clone(),
            paths.clone(),
            next.clone(),
            base.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                if i >= paths.len() {
                    return Ok::<_, String>(times);
                }
                let t = Instant::now();
                let r = client
                    .get(format!("{base}{}", paths[i]))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = r.status();
                r.bytes().await.map_err(|e| e.to_string())?;
                if !status.is_success() {
                    return Err(format!("{}: {status}", paths[i]));
                }
                times.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

/// Requests sent before the measured ones, on a server just started.
const WARM_UP: usize = 40;

fn report(name: &str, cold: &[Duration], all: &mut [Duration]) -> Res<(f64, f64)> {
    let (p50, p99) = (pct(all, 0.5), pct(all, 0.99));
    let cold_max = cold.iter().max().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "{name}: {} requests, p50 {p50:.1} ms, p99 {p99:.1} ms — goal p99 < 50 ms: {} \
         (after {} warm-up requests, the slowest {cold_max:.1} ms)",
        all.len(),
        if p99 < 50.0 { "met" } else { "NOT met" },
        cold.len()
    );
    Ok((p50, p99))
}

async fn registration_bench(
    base: &str,
    store: &Store,
    sessions: &[i64],
    rate: u64,
    secs: u64,
) -> Res<()> {
    let client = reqwest::Client::new();
    let accepted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let in_flight = Arc::new(tokio::sync::Semaphore::new(256));
    let times = Arc::new(std::sync::Mutex::new(Vec::new()));
    let total = rate * secs;
    let started = Instant::now();
    let mut handles = Vec::new();
    for i in 0..total {
        // Paced: request i leaves at i / rate seconds.
        let due = Duration::from_secs_f64(i as f64 / rate as f64);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        let permit = in_flight.clone().acquire_owned().await?;
        let session = sessions[(i as usize) % sessions.len()];
        let (client, accepted, refused, times) = (
            client.clone(),
            accepted.clone(),
            refused.clone(),
            times.clone(),
        );
        let url = format!("{base}/api/v1/sessions/{session}/registration");
        handles.push(tokio::spawn(async move {
            let t = Instant::now();
            let body = serde_json::json!({"name": format!("Visiteur {i}"), "email": format!("v{i}@load.example"),
                                          "organisation": "Orga", "contact": i % 3 == 0, "share": false});
            match client.post(url).json(&body).send().await {
                Ok(r) if r.status().is_success() => {
                    accepted.fetch_add(1, Ordering::Relaxed);
                }
                _ => {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
            }
            if let Ok(mut v) = times.lock() {
                v.push(t.elapsed());
            }
            drop(permit);
        }));
    }
    for h in handles {
        h.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let accepted = accepted.load(Ordering::Relaxed);
    let mut in_store = 0;
    for s in sessions {
        in_store += store
            .registrations(*s)
            .await?
            .iter()
            .filter(|r| r.email.ends_with("@load.example"))
            .count() as u64;
    }
    let mut t = times.lock().map(|v| v.clone()).unwrap_or_default();
    println!(
        "registrations: {total} sent at {rate}/s over {elapsed:.1} s ({:.0}/s achieved), {accepted} accepted, {} refused, \
         {in_store} in the store ({}), latency p50 {:.1} ms p99 {:.1} ms",
        total as f64 / elapsed,
        refused.load(Ordering::Relaxed),
        if in_store == accepted {
            "none lost"
        } else {
            "LOST SOME"
        },
        pct(&mut t, 0.5),
        pct(&mut t, 0.99),
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let dir = tempfile::tempdir()?;
    let db =
        arg("--db").unwrap_or_else(|| format!("sqlite://{}/sessions.db", dir.path().display()));
    let secs: u64 = arg("--secs").and_then(|v| v.parse().ok()).unwrap_or(10);
    let rate: u64 = arg("--rate").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let store = Store::open(&db).await?;
    let upcoming = fill(&store).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let services = Services::new(
        store.clone(),
        Mailer::from_url(None, "p@x.example")?,
        ServiceConfig {
            public_url: base.clone(),
            thread_cache: false,
            ..Default::default()
        },
    );
    let app = parvis_web::build(services, parvis_web::WebConfig::default());
    tokio::spawn(parvis_web::serve(listener, app, std::future::pending()));
    println!(
        "store: {}",
        if db.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let pages: Vec<String> = (0..400)
        .map(|i| format!("/sessions/{}", upcoming[i % upcoming.len()]))
        .collect();
    read_bench(&base, "session page", pages).await?;
    read_bench(
        &base,
        "synthesis page (50 layers)",
        vec!["/s/bench/t/serie/synthesis".to_string(); 400],
    )
    .await?;
    read_bench(
        &base,
        "iCalendar feed of the series",
        vec!["/s/bench/t/serie/sessions.ics".to_string(); 400],
    )
    .await?;
    registration_bench(&base, &store, &upcoming[..50], rate, secs).await?;
    Ok(())
}

//! Benchmark of the challenge page and its ranked scorecard (loopback only, bounded in time).
//!
//! `cargo run --release -p parvis-web --example challenges_load -- [--db URL]`
//!
//! It fills a store with the space — 500 challenges, 50,000 entries (100 each) and
//! 200,000 votes (4 per entry), 3 criteria and 3 evaluators per challenge, every entry of the
//! measured challenges scored by each evaluator — starts the real router in process (thread
//! cache off; challenge pages have no page cache), then reads, 8 requests in flight, 400 of
//! each: the challenge page (HTML, as the admin: vote counts shown), its JSON, the ranked
//! scorecard page and the scorecard JSON, spread over 20 challenges, and prints p50/p99
//! against the 50 ms goal. Without `--db` it runs on a temporary SQLite file; with
//! `--db postgres://…/db` on that (empty) PostgreSQL database.

use parvis_domain::*;
use parvis_services::{Actor, Mailer, ServiceConfig, Services};
use parvis_store::{Criterion, NewChallenge, NewEntry, NewMember, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const CHALLENGES: i64 = 500;
const ENTRIES_PER: i64 = 100;
const VOTES_PER_ENTRY: i64 = 4;
const MEMBERS: i64 = 300;
/// Challenges whose pages are read (all their entries scored).
const MEASURED: i64 = 20;

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

fn member(handle: String, role: SiteRole, now: Millis) -> NewMember {
    NewMember {
        display_name: format!("Membre {handle}"),
        email: Some(format!("{handle}@bench.example")),
        handle,
        password_hash: None,
        site_role: role,
        ecosystem_role: EcosystemRole::Customer,
        organisation: "Orga".into(),
        bio: String::new(),
        lang: "fr".into(),
        created_at: now,
    }
}

/// Runs `jobs` with `width` in flight (writes to the store, in parallel where it allows).
async fn in_parallel<F>(width: usize, jobs: Vec<F>) -> Res<()>
where
    F: std::future::Future<Output = Res<()>> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for job in jobs {
        if set.len() >= width
            && let Some(r) = set.join_next().await
        {
            r??;
        }
        set.spawn(job);
    }
    while let Some(r) = set.join_next().await {
        r??;
    }
    Ok(())
}

/// The space; returns (the admin, the measured challenges' ids).
async fn fill(store: &Store) -> Res<(MemberId, Vec<i64>)> {
    let now = now_millis();
    let admin = store
        .create_member(&member("admin".into(), SiteRole::Admin, now))
        .await?;
    let space = store.create_space("bench", "Bench", "", now).await?;
    let mut members = Vec::new();
    for k in 0..MEMBERS {
        members.push(
            store
                .create_member(&member(format!("m{k}"), SiteRole::Member, now))
                .await?
                .0,
        );
    }
    let members = Arc::new(members);
    let started = Instant::now();
    let mut measured = Vec::new();
    let (mut entries, mut votes) = (0u64, 0u64);
    for k in 0..CHALLENGES {
        let evaluators = vec![members[0], members[1], members[2]];
        let id = store
            .create_challenge(
                &NewChallenge {
                    space_id: space.0,
                    kind: if k % 5 == 0 { "job" } else { "ideas" }.into(),
                    title: format!("Défi n° {k}"),
                    brief_md: "Comment **réduire** nos emballages ?".into(),
                    brief_html: "<p>Comment <strong>réduire</strong> nos emballages ?</p>".into(),
                    rules: "Je cède les droits d'usage de mon idée.".into(),
                    deadline: now + 30 * 86_400_000,
                    time_zone: "Europe/Paris".into(),
                    award: "Un voyage".into(),
                    cta_label: "Voir".into(),
                    cta_url: "https://bench.example/produit".into(),
                    votes_hidden: false,
                    scale_max: 10,
                    created_by: Some(admin.0),
                    criteria: ["Impact", "Faisabilité", "Originalité"]
                        .iter()
                        .enumerate()
                        .map(|(i, n)| Criterion {
                            id: 0,
                            name: n.to_string(),
                            weight: i as i64 + 1,
                        })
                        .collect(),
                    evaluators: evaluators.clone(),
                },
                now,
            )
            .await?;
        store.set_challenge_state(id, "draft", "open").await?;
        let criteria: Vec<i64> = store
            .challenge_criteria(id)
            .await?
            .iter()
            .map(|c| c.id)
            .collect();
        // Entrants are members 3.. (evaluators do not enter); voters are the next four.
        let jobs: Vec<_> = (0..ENTRIES_PER)
            .map(|e| {
                let (store, members, criteria, evaluators) = (
                    store.clone(),
                    members.clone(),
                    criteria.clone(),
                    evaluators.clone(),
                );
                let scored = k < MEASURED;
                async move {
                    let author = members[(3 + (k * 7 + e) % (MEMBERS - 3)) as usize];
                    let entry = store
                        .add_entry(&NewEntry {
                            challenge_id: id,
                            member_id: author,
                            title: format!("Idée {e}"),
                            body_md: "Des bocaux **consignés** dans chaque magasin.".into(),
                            body_html:
                                "<p>Des bocaux <strong>consignés</strong> dans chaque magasin.</p>"
                                    .into(),
                            links: vec![],
                            rules_wording: "Je cède les droits d'usage de mon idée.".into(),
                            now,
                        })
                        .await?;
                    for v in 1..=VOTES_PER_ENTRY {
                        let voter = members[(3 + (k * 7 + e + v * 13) % (MEMBERS - 3)) as usize];
                        if voter != author {
                            store.vote_entry(id, entry, voter, now).await?;
                        }
                    }
                    if scored {
                        for (i, ev) in evaluators.iter().enumerate() {
                            let scores: Vec<(i64, i64)> = criteria
                                .iter()
                                .enumerate()
                                .map(|(j, c)| (*c, (e + i as i64 + j as i64) % 11))
                                .collect();
                            store.set_entry_scores(id, entry, *ev, &scores, now).await?;
                        }
                    }
                    Ok(())
                }
            })
            .collect();
        in_parallel(8, jobs).await?;
        entries += ENTRIES_PER as u64;
        votes += (ENTRIES_PER * VOTES_PER_ENTRY) as u64;
        if k < MEASURED {
            measured.push(id);
        }
        if k % 50 == 49 {
            eprintln!(
                "… {} challenges, {entries} entries, ~{votes} votes ({:.0} s)",
                k + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    eprintln!(
        "filled: {CHALLENGES} challenges, {entries} entries, about {votes} votes in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok((admin, measured))
}

async fn read_bench(base: &str, auth: &str, name: &str, paths: Vec<String>) -> Res<(f64, f64)> {
    let client = reqwest::Client::new();
    // Not counted: the first requests open the HTTP connections and the store pool's
    // connections (a PostgreSQL connection start-up each), which a server that has been
    // running has done long before; counted, those few cold requests are the p99 of 400.
    let warm: Vec<String> = paths.iter().take(WARM_UP).cloned().collect();
    let cold = fetch_all(&client, base, auth, warm).await?;
    let mut all = fetch_all(&client, base, auth, paths).await?;
    report(name, &cold, &mut all)
}

/// Get every path, 8 requests in flight; the time of each.
async fn fetch_all(
    client: &reqwest::Client,
    base: &str,
    auth: &str,
    paths: Vec<String>,
) -> Res<Vec<Duration>> {
    let paths = Arc::new(paths);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, paths, next, base, auth) = (
            client.clone(),
            paths.clone(),
            next.clone(),
            base.to_string(),
            auth.to_string(),
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
                    .header("authorization", &auth)
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

#[tokio::main]
async fn main() -> Res<()> {
    let dir = tempfile::tempdir()?;
    let db =
        arg("--db").unwrap_or_else(|| format!("sqlite://{}/challenges.db", dir.path().display()));
    let store = Store::open(&db).await?;
    let (admin, measured) = fill(&store).await?;
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
    let admin = store
        .member_by_id(admin)
        .await?
        .ok_or("the admin just created")?;
    let token = services
        .create_api_token(&Actor { member: admin }, "bench")
        .await?
        .1;
    let auth = format!("Bearer {token}");
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
    let paths = |f: &dyn Fn(i64) -> String| -> Vec<String> {
        (0..400).map(|i| f(measured[i % measured.len()])).collect()
    };
    read_bench(
        &base,
        &auth,
        "challenge page (100 entries)",
        paths(&|id| format!("/challenges/{id}")),
    )
    .await?;
    read_bench(
        &base,
        &auth,
        "challenge JSON",
        paths(&|id| format!("/api/v1/challenges/{id}")),
    )
    .await?;
    read_bench(
        &base,
        &auth,
        "scorecard page (ranked)",
        paths(&|id| format!("/challenges/{id}/scorecard")),
    )
    .await?;
    read_bench(
        &base,
        &auth,
        "scorecard JSON",
        paths(&|id| format!("/api/v1/challenges/{id}/scorecard")),
    )
    .await?;
    Ok(())
}

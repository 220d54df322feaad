//! Benchmark of the measures dashboards on a big space (ignored by default; run it with
//! `cargo test -p parvis-services --test measure_bench -- --ignored --nocapture`).
//! Sizes from `PARVIS_BENCH_MESSAGES` (default 1,000,000), `PARVIS_BENCH_MEMBERS` (100,000)
//! and two years of history; on SQLite, and on PostgreSQL when `PARVIS_TEST_DATABASE_URL`
//! is set. Prints: the time to build the measures from scratch, the warm-up of start-up (the
//! whole dashboard and every offered segment) and the first segment views after it, a settings
//! change and the views after it, the cost of one new message (write + incremental refresh)
//! and of the refresh after a like taken back,
//! and after each new message: the dashboard viewed at once
//! (the last snapshot, while it is recomputed in the background), how long until a view
//! reflects the message, a full recomputation, and a view from the cache.

#![allow(clippy::unwrap_used)] // a failing unwrap is a failing benchmark

mod bench_support;

use bench_support::{big_space, env, pct};
use parvis_domain::*;
use parvis_services::{Actor, Mailer, ServiceConfig, Services};
use parvis_store::{NewMessage, Store, testing};
use std::time::{Duration, Instant};

/// The segments whose views are timed.
const SEGMENTS: [&str; 3] = ["origin:native", "channel:parvis", "ecosystem_role:customer"];

async fn bench(url: &str, label: &str) {
    let messages = env("PARVIS_BENCH_MESSAGES", 1_000_000);
    let members = env("PARVIS_BENCH_MEMBERS", 100_000);
    let threads = messages / 5;
    let store = Store::open(url).await.unwrap();
    let now = now_millis();
    let t = Instant::now();
    let (space, admin) = big_space(&store, members, threads, messages, now).await;
    eprintln!(
        "[{label}] filled {messages} messages, {members} members, {threads} threads in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let actor = Actor {
        member: store.member_by_id(admin).await.unwrap().unwrap(),
    };
    let s = Services::new(store.clone(), Mailer::Log, ServiceConfig::default());

    let t = Instant::now();
    let built = store.measure_refresh(space.0, now).await.unwrap();
    let build = t.elapsed();
    assert!(built.rebuilt);
    let t = Instant::now();
    s.compute_dashboard("bench", space.0, now_millis())
        .await
        .unwrap();
    let first = t.elapsed();
    // As at start-up: the server warms every space's dashboard and the segment views its
    // picker offers, in the background; then the first view of a segment is served from them.
    let t = Instant::now();
    s.warm_dashboards().await.unwrap();
    let warm = t.elapsed();
    let mut first_segment = vec![];
    for key in SEGMENTS {
        let t = Instant::now();
        let d = s.measures_in(&actor, "bench", key).await.unwrap();
        first_segment.push(t.elapsed());
        assert_eq!(d.segment.as_deref(), Some(key));
    }
    eprintln!(
        "[{label}] warm-up (whole dashboard + every offered segment) {:.0} ms; first view of a segment after warm-up p50 {:.2} ms max {:.2} ms",
        warm.as_secs_f64() * 1000.0,
        pct(first_segment.clone(), 0.5),
        pct(first_segment, 1.0),
    );
    // A settings change (thresholds, weights, staff exclusion): the change itself, then the
    // next view of the whole space and of a segment.
    let (mut change, mut view_after, mut segment_after) = (vec![], vec![], vec![]);
    for i in 0..5u32 {
        let mut settings = s.measure_settings(space.0).await.unwrap();
        settings.thresholds.answers = 1 + i % 3;
        settings.thresholds.exclude_staff = i % 2 == 0;
        settings.score.post = 1.0 + f64::from(i);
        let t = Instant::now();
        s.set_measure_settings(&actor, "bench", &settings)
            .await
            .unwrap();
        change.push(t.elapsed());
        let t = Instant::now();
        let d = s.measures(&actor, "bench").await.unwrap();
        view_after.push(t.elapsed());
        assert_eq!(d.settings, settings);
        let t = Instant::now();
        let d = s
            .measures_in(&actor, "bench", SEGMENTS[i as usize % 3])
            .await
            .unwrap();
        segment_after.push(t.elapsed());
        assert_eq!(d.settings, settings);
    }
    eprintln!(
        "[{label}] settings change: saving p50 {:.0} ms max {:.0} ms; next whole view p50 {:.2} ms max {:.2} ms; next segment view p50 {:.1} ms max {:.1} ms (5 changes)",
        pct(change.clone(), 0.5),
        pct(change, 1.0),
        pct(view_after.clone(), 0.5),
        pct(view_after, 1.0),
        pct(segment_after.clone(), 0.5),
        pct(segment_after, 1.0),
    );

    let rounds = env("PARVIS_BENCH_ROUNDS", 20) as usize;
    let (mut write, mut refresh, mut recompute, mut cached) = (vec![], vec![], vec![], vec![]);
    let (mut after_write, mut fresh_after) = (vec![], vec![]);
    for i in 0..rounds {
        let t = Instant::now();
        let (thread, parent) = (ThreadId(1 + i as i64), None);
        store
            .add_message(&NewMessage {
                thread_id: thread,
                parent_id: parent,
                author_id: admin,
                body_md: "Nouvelle réponse".into(),
                body_html: "<p>Nouvelle réponse</p>".into(),
                created_at: now_millis(),
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        store.bump_content_version().await.unwrap();
        write.push(t.elapsed());
        let t = Instant::now();
        let r = store.measure_refresh(space.0, now_millis()).await.unwrap();
        refresh.push(t.elapsed());
        assert_eq!((r.rebuilt, r.messages), (false, 1));
        // The view right after the write: the last snapshot, served while a background task
        // recomputes; then how long until a view reflects the write (polled every 5 ms).
        let t = Instant::now();
        let stale = s.measures(&actor, "bench").await.unwrap();
        after_write.push(t.elapsed());
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let d = s.measures(&actor, "bench").await.unwrap();
            if !std::sync::Arc::ptr_eq(&d, &stale) {
                break;
            }
        }
        fresh_after.push(t.elapsed());
        let t = Instant::now();
        s.compute_dashboard("bench", space.0, now_millis())
            .await
            .unwrap();
        recompute.push(t.elapsed());
        let t = Instant::now();
        s.measures(&actor, "bench").await.unwrap();
        cached.push(t.elapsed());
    }
    eprintln!(
        "[{label}] build from scratch {:.0} ms; first dashboard {:.0} ms; one new message: write {:.1} ms + refresh {:.1} ms (p50); \
         dashboard viewed right after a write p50 {:.2} ms p99 {:.2} ms (snapshot), reflects the write after p50 {:.0} ms p99 {:.0} ms; \
         full recomputation p50 {:.0} ms p99 {:.0} ms; from cache p50 {:.2} ms p99 {:.2} ms ({rounds} rounds)",
        build.as_secs_f64() * 1000.0,
        first.as_secs_f64() * 1000.0,
        pct(write.clone(), 0.5),
        pct(refresh.clone(), 0.5),
        pct(after_write.clone(), 0.5),
        pct(after_write, 0.99),
        pct(fresh_after.clone(), 0.5),
        pct(fresh_after, 0.99),
        pct(recompute.clone(), 0.5),
        pct(recompute, 0.99),
        pct(cached.clone(), 0.5),
        pct(cached, 0.99),
    );
    // One like taken back (given, counted, taken back): the refresh that subtracts it.
    let mut taken_back = vec![];
    for i in 0..rounds {
        let message = MessageId(1 + i as i64);
        store
            .add_reaction(message, admin, ReactionKind::Like, now_millis())
            .await
            .unwrap();
        store.measure_refresh(space.0, now_millis()).await.unwrap();
        store
            .remove_reaction(message, admin, ReactionKind::Like)
            .await
            .unwrap();
        let t = Instant::now();
        let r = store.measure_refresh(space.0, now_millis()).await.unwrap();
        taken_back.push(t.elapsed());
        assert!(!r.rebuilt);
    }
    eprintln!(
        "[{label}] one like taken back: incremental refresh p50 {:.1} ms max {:.1} ms ({rounds} rounds)",
        pct(taken_back.clone(), 0.5),
        pct(taken_back, 1.0),
    );
    // A segment's view after the writes above, then after each further write: the kept view
    // is served at once while it is recomputed in the background.
    let (mut first_view, mut after) = (vec![], vec![]);
    for key in SEGMENTS {
        let t = Instant::now();
        s.measures_in(&actor, "bench", key).await.unwrap();
        first_view.push(t.elapsed());
        for _ in 0..3 {
            store.bump_content_version().await.unwrap();
            // Let the whole-space snapshot move on, then view the segment.
            let stale = s.measures(&actor, "bench").await.unwrap();
            loop {
                tokio::time::sleep(Duration::from_millis(5)).await;
                let d = s.measures(&actor, "bench").await.unwrap();
                if !std::sync::Arc::ptr_eq(&d, &stale) {
                    break;
                }
            }
            let t = Instant::now();
            s.measures_in(&actor, "bench", key).await.unwrap();
            after.push(t.elapsed());
        }
    }
    eprintln!(
        "[{label}] dashboard restricted to a segment: view after the writes above p50 {:.0} ms max {:.0} ms; viewed after a write p50 {:.2} ms max {:.2} ms ({} views over 3 segments)",
        pct(first_view.clone(), 0.5),
        pct(first_view, 1.0),
        pct(after.clone(), 0.5),
        pct(after.clone(), 1.0),
        after.len()
    );
}

#[tokio::test]
#[ignore = "benchmark: minutes at full size; run with -- --ignored --nocapture"]
async fn dashboards_on_a_big_space() {
    let dir = tempfile::tempdir().unwrap();
    bench(
        &format!("sqlite://{}/bench.db", dir.path().display()),
        "sqlite",
    )
    .await;
    if let Some(base) = testing::postgres_test_url() {
        bench(
            &testing::fresh_postgres_url(&base).await.unwrap(),
            "postgres",
        )
        .await;
    }
}

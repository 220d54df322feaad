//! What the big-space benchmarks (`measure_bench`, `feed_restart_bench`) share: their size
//! settings, percentiles, and the space they fill.

#![allow(clippy::unwrap_used, dead_code)]

use parvis_domain::*;
use parvis_store::{NewMember, Store};
use std::time::Duration;

/// A size setting from the environment (`PARVIS_BENCH_…`), or `default`.
pub fn env(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `p` quantile of `v`, in milliseconds.
pub fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN)
}

/// A space `bench` with its admin, filled by `Store::bench_fill` with `members`, `threads`
/// and `messages` over the two years (104 weeks) before `now`. The filled members' ids come
/// right after the admin's.
pub async fn big_space(
    store: &Store,
    members: i64,
    threads: i64,
    messages: i64,
    now: Millis,
) -> (SpaceId, MemberId) {
    let space = store.create_space("bench", "Bench", "", 1).await.unwrap();
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
            created_at: 1,
        })
        .await
        .unwrap();
    store
        .bench_fill(space.0, members, threads, messages, 104, now)
        .await
        .unwrap();
    (space, admin)
}

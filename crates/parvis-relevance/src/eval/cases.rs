//! The protocol runs: the cut-offs, the walk over the timeline that visits every
//! (time, user) case of [`Protocol::Cutoffs`] or [`Protocol::AtJoin`], the ranked [`Case`]s
//! and the [`FeatureCase`]s for learning a scorer.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashSet;

use super::known::{Known, Orders};
use super::{EvalMessage, EvalOptions, Protocol};
use crate::engine::FeatureVector;
use crate::sparse::DAY_MS;
use crate::{MemberId, ThreadId};

/// The cut-off time for a sorted timeline.
pub fn cutoff_time(msgs: &[EvalMessage], fraction: f64) -> Option<i64> {
    if msgs.is_empty() {
        return None;
    }
    let i = ((msgs.len() as f64) * fraction.clamp(0.0, 1.0)) as usize;
    Some(msgs[i.min(msgs.len() - 1)].at)
}

/// One evaluated (cut-off, user) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The cut-off (Unix ms).
    pub cutoff: i64,
    /// The user (person key).
    pub user: String,
    /// Top-20 thread keys of Parvis, `most_recent`, `most_active`, `hot`, in that order.
    pub rankings: [Vec<String>; 4],
    /// Threads the user posted in during the horizon.
    pub relevant: BTreeSet<String>,
}

/// The cut-offs of an evaluation: the one at `cutoff_fraction`, then one
/// every `step_days` until the last message.
pub fn cutoffs(msgs: &[EvalMessage], opts: &EvalOptions) -> Vec<i64> {
    let Some(first) = cutoff_time(msgs, opts.cutoff_fraction) else {
        return Vec::new();
    };
    let last = match opts.until_fraction {
        Some(f) => cutoff_time(msgs, f).unwrap_or(first),
        None => msgs.last().map(|m| m.at).unwrap_or(first),
    };
    let mut out = vec![first];
    if let Some(step) = opts.step_days.filter(|s| *s > 0.0) {
        let step = (step * DAY_MS) as i64;
        let mut t = first + step;
        while t <= last {
            out.push(t);
            t += step;
        }
    }
    out
}

/// Runs the protocol and returns the evaluated cases.
///
/// The timeline is consumed in time order: before a cut-off `T` is
/// evaluated, exactly the messages with `at < T` have been added to the
/// engine and to the baselines' counters; the messages in `[T, T + horizon)`
/// are only used afterwards, to pick users and relevant threads.
pub fn run_cases(msgs: &[EvalMessage], opts: &EvalOptions) -> Vec<Case> {
    run_cases_with_fit(msgs, opts).0
}

/// [`run_cases`], with the scorer the engine had learned at the end.
pub fn run_cases_with_fit(
    msgs: &[EvalMessage],
    opts: &EvalOptions,
) -> (Vec<Case>, Option<crate::learn::Fit>) {
    let mut out = Vec::new();
    let fit = visit_cases(msgs, opts, |v| {
        if let Some(rankings) = v.known.rankings(v.user, v.now, v.orders) {
            out.push(Case {
                cutoff: v.now,
                user: v.user.to_string(),
                rankings,
                relevant: v.relevant,
            });
        }
    });
    (out, fit)
}

/// One (time, user) case of the protocol as it is visited: the known state
/// holds exactly the messages before `now`.
struct Visit<'k, 'a> {
    known: &'k Known<'a>,
    now: i64,
    user: &'a str,
    relevant: BTreeSet<String>,
    orders: &'k Orders,
}

/// Walks the timeline and calls `f` for every case of `opts.protocol`;
/// returns the scorer the engine had learned at the end.
fn visit_cases<'a>(
    msgs: &'a [EvalMessage],
    opts: &EvalOptions,
    mut f: impl FnMut(Visit<'_, 'a>),
) -> Option<crate::learn::Fit> {
    let mut sorted: Vec<&'a EvalMessage> = msgs.iter().collect();
    sorted.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    let window = (opts.active_window_days * DAY_MS) as i64;
    let mut known = Known::new(&opts.config, opts.hot_half_life_hours, opts.diversify);
    // Whether `m` joins, as an active user, a thread that exists in `known`.
    let joins = |known: &Known<'a>, m: &EvalMessage, now: i64| -> bool {
        let active = known
            .last_seen
            .get(m.person.as_str())
            .is_some_and(|&t| t >= now - window);
        let Some(&t) = known.thread_ix.get(m.thread.as_str()) else {
            return false;
        };
        let had = known
            .person_ix
            .get(m.person.as_str())
            .and_then(|p| known.posted.get(p))
            .is_some_and(|s| s.contains(&t));
        active && !had
    };
    match opts.protocol {
        Protocol::Cutoffs => {
            let horizon = opts.horizon_days.map(|h| (h * DAY_MS) as i64);
            let mut i = 0;
            for cutoff in cutoffs(msgs, opts) {
                while i < sorted.len() && sorted[i].at < cutoff {
                    known.add(sorted[i]);
                    i += 1;
                }
                // --- the future: only to choose users and relevant threads ---
                let end = horizon
                    .map(|h| cutoff.saturating_add(h))
                    .unwrap_or(i64::MAX);
                let mut relevant: BTreeMap<&'a str, BTreeSet<String>> = BTreeMap::new();
                for m in sorted[i..].iter().take_while(|m| m.at < end) {
                    if joins(&known, m, cutoff) {
                        relevant
                            .entry(m.person.as_str())
                            .or_default()
                            .insert(m.thread.clone());
                    }
                }
                if relevant.is_empty() {
                    continue;
                }
                // --- the past: rankings ---
                known.refit();
                let orders = known.baseline_orders(cutoff);
                for (user, relevant) in relevant {
                    f(Visit {
                        known: &known,
                        now: cutoff,
                        user,
                        relevant,
                        orders: &orders,
                    });
                }
            }
        }
        Protocol::AtJoin => {
            let first = cutoff_time(msgs, opts.cutoff_fraction)?;
            let last = opts
                .until_fraction
                .and_then(|f| cutoff_time(msgs, f))
                .unwrap_or(i64::MAX);
            let mut i = 0;
            while i < sorted.len() {
                let now = sorted[i].at;
                // The messages of one instant form a group: rankings see none of them.
                let mut j = i;
                while j < sorted.len() && sorted[j].at == now {
                    j += 1;
                }
                if now >= first && now < last {
                    let mut orders: Option<Orders> = None;
                    for m in &sorted[i..j] {
                        if !joins(&known, m, now) {
                            continue;
                        }
                        if orders.is_none() {
                            known.refit();
                        }
                        let orders = orders.get_or_insert_with(|| known.baseline_orders(now));
                        f(Visit {
                            known: &known,
                            now,
                            user: m.person.as_str(),
                            relevant: BTreeSet::from([m.thread.clone()]),
                            orders,
                        });
                    }
                }
                for m in &sorted[i..j] {
                    known.add(m);
                }
                i = j;
            }
        }
    }
    known.engine.last_fit().cloned()
}

/// One case with the signals of its candidates, for learning a scorer.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureCase {
    /// When the feed was asked (Unix ms).
    pub now: i64,
    /// The user (person key).
    pub user: String,
    /// Candidate thread keys: the `per_case` most recently active threads
    /// the user had not posted in.
    pub threads: Vec<String>,
    /// The signals of each candidate, in the order of `threads`.
    pub features: Vec<FeatureVector>,
    /// Which candidates the user joined.
    pub joined: Vec<bool>,
    /// Threads the user had posted in before `now`.
    pub user_threads: usize,
}

/// The cases of `opts.protocol` with their candidates' signals (the
/// `per_case` most recently active threads the user had not posted in).
pub fn feature_cases(
    msgs: &[EvalMessage],
    opts: &EvalOptions,
    per_case: usize,
) -> Vec<FeatureCase> {
    let mut out = Vec::new();
    let _ = visit_cases(msgs, opts, |v| {
        let Some(&p) = v.known.person_ix.get(v.user) else {
            return;
        };
        let empty = FxHashSet::default();
        let mine = v.known.posted.get(&p).unwrap_or(&empty);
        let cands: Vec<i64> = v
            .orders
            .recent
            .iter()
            .copied()
            .filter(|t| !mine.contains(t))
            .take(per_case)
            .collect();
        let ids: Vec<ThreadId> = cands.iter().map(|&t| ThreadId(t)).collect();
        let feats = v.known.engine.features(MemberId(p), v.now, &ids);
        let threads: Vec<String> = cands
            .iter()
            .map(|&t| v.known.thread_keys[t as usize].to_string())
            .collect();
        out.push(FeatureCase {
            now: v.now,
            user: v.user.to_string(),
            joined: threads.iter().map(|t| v.relevant.contains(t)).collect(),
            threads,
            features: feats.into_iter().map(|e| e.1).collect(),
            user_threads: mine.len(),
        });
    });
    out
}

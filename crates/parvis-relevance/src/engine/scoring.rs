//! Scoring one candidate: the per-query view of a member, idf weighting, similarities,
//! the signals of a thread and the feed score (the formula, or the learned scorer).

use rustc_hash::FxHashMap;

use super::{Engine, PACE_HALF_LIFE_DAYS};
use crate::MemberId;
use crate::sparse::{self, Sparse, decay};

/// The `hot` signal is floored here (in half-lives): beyond a day of
/// 15-minute half-lives the age signals order threads.
const HOT_FLOOR: f32 = -96.0;

/// Per-query view of a member: idf-weighted unit vectors in hash maps.
pub(super) struct QueryCtx {
    pub(super) me: Option<u32>,
    pub(super) prof: FxHashMap<u32, f32>,
    pub(super) own: FxHashMap<u32, f32>,
    pub(super) answered: FxHashMap<u32, f32>,
    pub(super) last_posted: i64,
    pub(super) pace: f32,
    pub(super) neg: FxHashMap<u32, f32>,
    pub(super) ties: FxHashMap<u32, f32>,
}

/// Per-candidate signals, kept to explain the item afterwards.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Signals {
    pub(super) sim: f32,
    pub(super) peer: f32,
    pub(super) peer_count: u32,
    pub(super) momentum: f32,
}

impl Engine {
    pub(super) fn idf(&self, t: u32) -> f32 {
        let n = self.threads.len() as f32 + 1.0;
        let df = self.df.get(t as usize).copied().unwrap_or(0) as f32 + 1.0;
        (1.0 + n / df).ln()
    }

    /// idf-weighted unit vector as a map.
    fn weighted(&self, v: &[(u32, f32)]) -> FxHashMap<u32, f32> {
        let mut m: FxHashMap<u32, f32> = v.iter().map(|&(t, w)| (t, w * self.idf(t))).collect();
        let n = m.values().map(|w| w * w).sum::<f32>().sqrt();
        if n > 0.0 {
            for w in m.values_mut() {
                *w /= n;
            }
        }
        m
    }

    pub(super) fn weighted_vec(&self, v: &[(u32, f32)]) -> Sparse {
        let mut out: Sparse = v.iter().map(|&(t, w)| (t, w * self.idf(t))).collect();
        sparse::normalise(&mut out);
        out
    }

    pub(super) fn query_ctx(&self, member: MemberId, now: i64) -> QueryCtx {
        let Some(&m) = self.member_ix.get(&member) else {
            return QueryCtx {
                me: None,
                prof: FxHashMap::default(),
                own: FxHashMap::default(),
                answered: FxHashMap::default(),
                last_posted: i64::MIN,
                pace: 0.0,
                neg: FxHashMap::default(),
                ties: FxHashMap::default(),
            };
        };
        let ms = &self.members[m as usize];
        let hl = self.config.tie_half_life_days;
        let ties = ms
            .ties
            .iter()
            .map(|(&o, d)| (o, d.at(now, hl)))
            .filter(|e| e.1 > 0.05)
            .collect();
        QueryCtx {
            me: Some(m),
            prof: self.weighted(&ms.profile.w),
            own: self.weighted(&ms.own.w),
            answered: self.weighted(&ms.answered.w),
            last_posted: ms.last_posted,
            pace: ms.pace.at(now, PACE_HALF_LIFE_DAYS),
            neg: self.weighted(&ms.negative),
            ties,
        }
    }

    /// The `hot` signal of a thread as of `now`: log2 of its decayed message
    /// count, floored at [`HOT_FLOOR`].
    pub(super) fn hot_at(&self, tix: u32, now: i64) -> f32 {
        let th = &self.threads[tix as usize];
        let hot_hl = (self.config.hot_half_life_hours * 3_600_000.0).max(1.0);
        (th.hot.max(1e-6).log2() - ((now - th.last_activity).max(0) as f64 / hot_hl) as f32)
            .max(HOT_FLOOR)
    }

    /// Cosine between a query map (unit) and a thread's idf-weighted content.
    pub(super) fn sim_map(&self, q: &FxHashMap<u32, f32>, tix: u32) -> f32 {
        if q.is_empty() {
            return 0.0;
        }
        let (mut d, mut n) = (0.0f32, 0.0f32);
        for &(t, w) in &self.threads[tix as usize].content.w {
            let x = w * self.idf(t);
            n += x * x;
            if let Some(qw) = q.get(&t) {
                d += qw * x;
            }
        }
        if n > 0.0 { d / n.sqrt() } else { 0.0 }
    }

    /// Cosine between a query map (unit) and an unweighted sparse vector, idf-weighted.
    pub(super) fn sim_sparse(&self, q: &FxHashMap<u32, f32>, v: &[(u32, f32)]) -> f32 {
        if q.is_empty() || v.is_empty() {
            return 0.0;
        }
        let (mut d, mut n) = (0.0f32, 0.0f32);
        for &(t, w) in v {
            let x = w * self.idf(t);
            n += x * x;
            if let Some(qw) = q.get(&t) {
                d += qw * x;
            }
        }
        if n > 0.0 { d / n.sqrt() } else { 0.0 }
    }

    pub(super) fn signals(&self, q: &QueryCtx, tix: u32, now: i64) -> Signals {
        let th = &self.threads[tix as usize];
        let c = &self.config;
        let mut s = Signals {
            sim: self.sim_map(&q.prof, tix),
            ..Default::default()
        };
        for p in &th.participants {
            if Some(p.member) == q.me {
                continue;
            }
            if let Some(&tie) = q.ties.get(&p.member) {
                s.peer += tie * decay(now - p.last_at, c.freshness_half_life_days * 4.0);
                s.peer_count += 1;
            }
        }
        s.momentum = th.momentum.at(now, c.momentum_half_life_days);
        s
    }

    pub(super) fn score(&self, q: &QueryCtx, tix: u32, now: i64, s: &Signals) -> f32 {
        let c = &self.config;
        if let Some(w) = &c.learned {
            let x = self.features_ix(q, tix, now, s);
            let z: f64 = w
                .iter()
                .zip(x.iter())
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum();
            // softplus: positive and increasing like σ, but it does not
            // flatten to 1.0 at the top, so strong candidates stay ordered.
            return if z > 30.0 { z } else { z.exp().ln_1p() } as f32;
        }
        let th = &self.threads[tix as usize];
        let mut rel = c.w_base + c.w_sim * s.sim + c.w_peer * (1.0 + s.peer).ln();
        if th.participants.len() == 1 && Some(th.participants[0].member) != q.me {
            rel += c.w_awaiting;
        }
        if let Some(m) = q.me
            && c.w_mention != 0.0
            && self.members[m as usize].mentioned.contains(&tix)
        {
            rel += c.w_mention;
        }
        if c.w_starter_tie != 0.0
            && let Some(p) = th.participants.first()
            && let Some(&tie) = q.ties.get(&p.member)
        {
            rel += c.w_starter_tie * tie.min(2.0);
        }
        if let Some(m) = q.me
            && let Some(a) = self.members[m as usize].threads.get(&tix)
            && !a.posted
        {
            rel += c.w_affinity * a.w.at(now, c.profile_half_life_days).min(1.0);
        }
        if !q.neg.is_empty() {
            rel -= c.w_negative * self.sim_map(&q.neg, tix);
        }
        let fresh = decay(now - th.last_activity, c.freshness_half_life_days);
        rel.max(0.0)
            * fresh.powf(c.freshness_exponent)
            * (1.0 + c.w_momentum * (1.0 + s.momentum).ln())
    }
}

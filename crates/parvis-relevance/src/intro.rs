//! Warm introductions: who can introduce me to this person, and through whom?
//!
//! The interaction graph has one undirected edge per pair of members who
//! interacted, weighted by a decayed sum of their interactions (a reply
//! counts 1, a co-participation in a thread or session 0.3, with a
//! configurable half-life). The *strength* of an edge is
//! `1 − exp(−weight)` in `(0, 1)`, read as "how likely this person is to
//! pass the introduction on"; the strength of a chain is the product of its
//! hops, so the best chains are the shortest paths for the cost
//! `−ln(strength)`. The k best loopless chains are found with Yen's
//! algorithm over Dijkstra.
//!
//! Only members who consented to be asked may be intermediaries; the source
//! and the target need no consent (the target is reached *by* the
//! introduction). The direct edge from the source to the target is never a
//! chain: people who already talk need no introduction.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::MemberId;
use crate::sparse::Decayed;

/// How two members interacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interaction {
    /// One replied to the other.
    Reply,
    /// Both took part in the same thread or session.
    CoParticipation,
}

#[derive(Debug, Clone, Copy, Default)]
struct Edge {
    weight: Decayed,
    replies: u32,
    co_participations: u32,
    last: i64,
}

/// One hop of a chain, with what explains it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hop {
    /// From.
    pub from: MemberId,
    /// To.
    pub to: MemberId,
    /// Strength in `(0, 1)` as of `now`.
    pub strength: f32,
    /// Replies exchanged (both ways).
    pub replies: u32,
    /// Threads or sessions shared.
    pub co_participations: u32,
    /// Last interaction, Unix ms.
    pub last_interaction: i64,
}

/// One introduction chain.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IntroPath {
    /// Members from the source to the target.
    pub members: Vec<MemberId>,
    /// Hops, explained.
    pub hops: Vec<Hop>,
    /// Product of the hop strengths.
    pub strength: f32,
}

/// The interaction graph.
#[derive(Debug, Clone, Default)]
pub struct InteractionGraph {
    half_life_days: f64,
    ix: FxHashMap<MemberId, u32>,
    ids: Vec<MemberId>,
    adj: Vec<FxHashMap<u32, Edge>>,
}

#[derive(Clone, Copy, PartialEq)]
struct State {
    cost: f64,
    node: u32,
}
impl Eq for State {}
impl Ord for State {
    fn cmp(&self, o: &Self) -> Ordering {
        o.cost.total_cmp(&self.cost).then(o.node.cmp(&self.node))
    }
}
impl PartialOrd for State {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl InteractionGraph {
    /// An empty graph whose interactions decay with `half_life_days`.
    pub fn new(half_life_days: f64) -> Self {
        InteractionGraph {
            half_life_days,
            ..Default::default()
        }
    }

    fn node(&mut self, m: MemberId) -> u32 {
        if let Some(&i) = self.ix.get(&m) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.ids.push(m);
        self.adj.push(FxHashMap::default());
        self.ix.insert(m, i);
        i
    }

    /// Records an interaction between `a` and `b` at `at` (Unix ms).
    pub fn add(&mut self, a: MemberId, b: MemberId, kind: Interaction, at: i64) {
        if a == b {
            return;
        }
        let (x, y) = (self.node(a), self.node(b));
        let hl = self.half_life_days;
        for (p, q) in [(x, y), (y, x)] {
            let e = self.adj[p as usize].entry(q).or_default();
            match kind {
                Interaction::Reply => {
                    e.replies += 1;
                    e.weight.add(1.0, at, hl);
                }
                Interaction::CoParticipation => {
                    e.co_participations += 1;
                    e.weight.add(0.3, at, hl);
                }
            }
            e.last = e.last.max(at);
        }
    }

    /// Strength of the tie between `a` and `b` as of `now` (0 when none).
    pub fn strength(&self, a: MemberId, b: MemberId, now: i64) -> f32 {
        let (Some(&x), Some(&y)) = (self.ix.get(&a), self.ix.get(&b)) else {
            return 0.0;
        };
        self.adj[x as usize]
            .get(&y)
            .map(|e| edge_strength(e, now, self.half_life_days))
            .unwrap_or(0.0)
    }

    fn cost(&self, a: u32, b: u32, now: i64) -> Option<f64> {
        let e = self.adj[a as usize].get(&b)?;
        let s = edge_strength(e, now, self.half_life_days) as f64;
        (s > 1e-9).then(|| -s.ln())
    }

    /// Dijkstra from `s` to `t` through allowed nodes, avoiding banned nodes and edges.
    #[allow(clippy::too_many_arguments)]
    fn shortest(
        &self,
        s: u32,
        t: u32,
        now: i64,
        allowed: &FxHashSet<u32>,
        banned_nodes: &FxHashSet<u32>,
        banned_edges: &FxHashSet<(u32, u32)>,
    ) -> Option<(f64, Vec<u32>)> {
        let mut dist: FxHashMap<u32, f64> = FxHashMap::default();
        let mut prev: FxHashMap<u32, u32> = FxHashMap::default();
        let mut heap = BinaryHeap::new();
        dist.insert(s, 0.0);
        heap.push(State { cost: 0.0, node: s });
        while let Some(State { cost, node }) = heap.pop() {
            if node == t {
                let mut path = vec![t];
                let mut cur = t;
                while let Some(&p) = prev.get(&cur) {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                return Some((cost, path));
            }
            if dist.get(&node).is_some_and(|&d| cost > d) {
                continue;
            }
            for &next in self.adj[node as usize].keys() {
                if banned_nodes.contains(&next) || banned_edges.contains(&(node, next)) {
                    continue;
                }
                if next != t && !allowed.contains(&next) {
                    continue;
                }
                let Some(c) = self.cost(node, next, now) else {
                    continue;
                };
                let nc = cost + c;
                if dist.get(&next).is_none_or(|&d| nc < d) {
                    dist.insert(next, nc);
                    prev.insert(next, node);
                    heap.push(State {
                        cost: nc,
                        node: next,
                    });
                }
            }
        }
        None
    }

    fn path_cost(&self, p: &[u32], now: i64) -> f64 {
        p.windows(2)
            .map(|w| self.cost(w[0], w[1], now).unwrap_or(f64::INFINITY))
            .sum()
    }

    /// The `k` strongest introduction chains from `from` to `to` as of
    /// `now`, strongest first, through `consenting` intermediaries only and
    /// at most `max_hops` hops long.
    pub fn intro_paths(
        &self,
        from: MemberId,
        to: MemberId,
        consenting: &[MemberId],
        now: i64,
        k: usize,
        max_hops: usize,
    ) -> Vec<IntroPath> {
        let (Some(&s), Some(&t)) = (self.ix.get(&from), self.ix.get(&to)) else {
            return Vec::new();
        };
        if s == t || k == 0 {
            return Vec::new();
        }
        let allowed: FxHashSet<u32> = consenting
            .iter()
            .filter_map(|m| self.ix.get(m).copied())
            .filter(|&x| x != s && x != t)
            .collect();
        let mut base_banned: FxHashSet<(u32, u32)> = FxHashSet::default();
        base_banned.insert((s, t));
        let mut found: Vec<(f64, Vec<u32>)> = Vec::new();
        let mut candidates: Vec<(f64, Vec<u32>)> = Vec::new();
        let mut seen: BTreeSet<Vec<u32>> = BTreeSet::new();
        let Some(first) = self.shortest(s, t, now, &allowed, &FxHashSet::default(), &base_banned)
        else {
            return Vec::new();
        };
        seen.insert(first.1.clone());
        found.push(first);
        // Enough spare paths to survive the hop filter.
        let want = k.saturating_mul(3);
        while found.len() < want {
            let Some((_, last)) = found.last().cloned() else {
                break;
            };
            for i in 0..last.len().saturating_sub(1) {
                let spur = last[i];
                let root = &last[..=i];
                let mut banned_edges = base_banned.clone();
                for (_, p) in &found {
                    if p.len() > i && &p[..=i] == root {
                        banned_edges.insert((p[i], p[i + 1]));
                    }
                }
                let banned_nodes: FxHashSet<u32> = root[..i].iter().copied().collect();
                if let Some((_, spur_path)) =
                    self.shortest(spur, t, now, &allowed, &banned_nodes, &banned_edges)
                {
                    let mut total = root[..i].to_vec();
                    total.extend(spur_path);
                    if seen.insert(total.clone()) {
                        candidates.push((self.path_cost(&total, now), total));
                    }
                }
            }
            if candidates.is_empty() {
                break;
            }
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
            if let Some(best) = candidates.pop() {
                found.push(best);
            }
        }
        found
            .into_iter()
            .filter(|(_, p)| p.len() >= 3 && p.len() - 1 <= max_hops)
            .take(k)
            .map(|(_, p)| self.explain(&p, now))
            .collect()
    }

    fn explain(&self, p: &[u32], now: i64) -> IntroPath {
        let hops: Vec<Hop> = p
            .windows(2)
            .map(|w| {
                let e = self.adj[w[0] as usize]
                    .get(&w[1])
                    .copied()
                    .unwrap_or_default();
                Hop {
                    from: self.ids[w[0] as usize],
                    to: self.ids[w[1] as usize],
                    strength: edge_strength(&e, now, self.half_life_days),
                    replies: e.replies,
                    co_participations: e.co_participations,
                    last_interaction: e.last,
                }
            })
            .collect();
        IntroPath {
            members: p.iter().map(|&x| self.ids[x as usize]).collect(),
            strength: hops.iter().map(|h| h.strength).product(),
            hops,
        }
    }
}

fn edge_strength(e: &Edge, now: i64, hl: f64) -> f32 {
    1.0 - (-e.weight.at(now, hl)).exp()
}

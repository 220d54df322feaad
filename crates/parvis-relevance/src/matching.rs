//! Networking at an event session: one-to-one meetings or tables of 4–6.
//!
//! Constraints, all hard: nobody is matched with someone who said "do not
//! match me with" them (either way round), no pair meets twice (neither a
//! pair from `already_met` nor one from an earlier slot of the same plan),
//! and everyone has at most one meeting or table per slot.
//!
//! Method, per slot: each participant's `K` nearest neighbours by cosine of
//! their interest vectors (through an inverted index, so 2,000 participants
//! never cost 4 million comparisons), then
//! * **pairs**: greedy maximum-weight matching over the neighbour edges,
//!   best first, improved by 2-swaps ((a,b),(c,d) → (a,c),(b,d)) while the
//!   total similarity grows; people left over are paired among themselves
//!   when allowed (similarity 0: a meeting is better than none);
//! * **tables**: table sizes are fixed first (as even as possible, all in
//!   `min..=max`), each person, most connected first, joins the allowed table
//!   with room where their summed similarity is highest, then members are
//!   swapped between tables while that raises the total. A person who fits
//!   no table is reported unseated rather than seated against a constraint.
//!
//! Every meeting names its shared subjects (terms two or more members share,
//! heaviest first).

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::MemberId;
use crate::sparse::{self, Sparse};
use crate::text::Vocab;

/// A registered participant.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Participant {
    /// Who.
    pub member: MemberId,
    /// Current interests, e.g. [`crate::Engine::interests`].
    pub interests: Vec<(String, f32)>,
    /// People this participant does not want to meet.
    pub do_not_match: Vec<MemberId>,
}

/// Meeting format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Format {
    /// One-to-one meetings.
    Pairs,
    /// Tables of `min..=max` people.
    Tables {
        /// Smallest table (≥ 2).
        min: usize,
        /// Largest table.
        max: usize,
    },
}

/// What to plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MatchRequest {
    /// Meeting format.
    pub format: Format,
    /// Number of slots (rounds).
    pub slots: usize,
    /// Pairs who already met (order does not matter).
    pub already_met: Vec<(MemberId, MemberId)>,
}

/// One meeting or table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meeting {
    /// Members (2 for a pair).
    pub members: Vec<MemberId>,
    /// Subjects shared by at least two members, heaviest first (at most 5).
    pub shared_subjects: Vec<String>,
    /// Mean pairwise similarity.
    pub score: f32,
}

/// One slot of the plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Slot {
    /// Meetings of the slot.
    pub meetings: Vec<Meeting>,
    /// Participants with no meeting in this slot.
    pub unmatched: Vec<MemberId>,
}

/// A whole plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MatchPlan {
    /// Slots, in order.
    pub slots: Vec<Slot>,
}

const NEIGHBOURS: usize = 40;

struct Ctx {
    vecs: Vec<Sparse>,
    vocab: Vocab,
    /// Forbidden pairs (i < j), grows with every slot.
    forbidden: FxHashSet<(u32, u32)>,
    /// Neighbour similarities.
    sim: Vec<FxHashMap<u32, f32>>,
}

fn key(a: u32, b: u32) -> (u32, u32) {
    if a < b { (a, b) } else { (b, a) }
}

impl Ctx {
    fn new(ps: &[Participant], already_met: &[(MemberId, MemberId)]) -> Self {
        let ix: FxHashMap<MemberId, u32> = ps
            .iter()
            .enumerate()
            .map(|(i, p)| (p.member, i as u32))
            .collect();
        let mut vocab = Vocab::default();
        let mut vecs = Vec::with_capacity(ps.len());
        for p in ps {
            let mut v: Sparse = p
                .interests
                .iter()
                .map(|(t, w)| (vocab.intern(t), *w))
                .collect();
            v.sort_by_key(|e| e.0);
            v.dedup_by_key(|e| e.0);
            sparse::normalise(&mut v);
            vecs.push(v);
        }
        let mut forbidden = FxHashSet::default();
        for (i, p) in ps.iter().enumerate() {
            for o in &p.do_not_match {
                if let Some(&j) = ix.get(o) {
                    forbidden.insert(key(i as u32, j));
                }
            }
        }
        for (a, b) in already_met {
            if let (Some(&i), Some(&j)) = (ix.get(a), ix.get(b)) {
                forbidden.insert(key(i, j));
            }
        }
        // Neighbours through an inverted index over each person's top terms.
        let mut postings: FxHashMap<u32, Vec<(u32, f32)>> = FxHashMap::default();
        for (i, v) in vecs.iter().enumerate() {
            for &(t, w) in v {
                postings.entry(t).or_default().push((i as u32, w));
            }
        }
        let mut sim: Vec<FxHashMap<u32, f32>> = vec![FxHashMap::default(); ps.len()];
        for (i, v) in vecs.iter().enumerate() {
            let mut acc: FxHashMap<u32, f32> = FxHashMap::default();
            for &(t, w) in v {
                if let Some(post) = postings.get(&t) {
                    // Very common terms say little and cost much: read a bounded prefix.
                    for &(j, wj) in post.iter().take(3000) {
                        if j as usize != i {
                            *acc.entry(j).or_insert(0.0) += w * wj;
                        }
                    }
                }
            }
            let mut best: Vec<(u32, f32)> = acc.into_iter().collect();
            best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            best.truncate(NEIGHBOURS);
            for (j, s) in best {
                sim[i].insert(j, s);
                sim[j as usize].insert(i as u32, s);
            }
        }
        Ctx {
            vecs,
            vocab,
            forbidden,
            sim,
        }
    }

    fn s(&self, a: u32, b: u32) -> f32 {
        self.sim[a as usize].get(&b).copied().unwrap_or(0.0)
    }

    fn ok(&self, a: u32, b: u32) -> bool {
        a != b && !self.forbidden.contains(&key(a, b))
    }

    fn shared(&self, members: &[u32]) -> Vec<String> {
        let mut acc: FxHashMap<u32, (u32, f32)> = FxHashMap::default();
        for &m in members {
            for &(t, w) in &self.vecs[m as usize] {
                let e = acc.entry(t).or_insert((0, 0.0));
                e.0 += 1;
                e.1 += w;
            }
        }
        let mut v: Vec<(u32, f32)> = acc
            .into_iter()
            .filter(|e| e.1.0 >= 2)
            .map(|(t, (_, w))| (t, w))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter()
            .take(5)
            .map(|(t, _)| self.vocab.term(t).to_string())
            .collect()
    }

    fn meeting(&self, ps: &[Participant], members: &[u32]) -> Meeting {
        let mut total = 0.0;
        let mut n = 0;
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                total += sparse::dot(&self.vecs[a as usize], &self.vecs[b as usize]);
                n += 1;
            }
        }
        Meeting {
            members: members.iter().map(|&m| ps[m as usize].member).collect(),
            shared_subjects: self.shared(members),
            score: if n > 0 { total / n as f32 } else { 0.0 },
        }
    }
}

/// Plans `request.slots` slots of meetings for `participants`.
pub fn plan(participants: &[Participant], request: &MatchRequest) -> MatchPlan {
    let mut ctx = Ctx::new(participants, &request.already_met);
    let mut slots = Vec::new();
    for _ in 0..request.slots {
        let groups = match request.format {
            Format::Pairs => pairs(&ctx, participants.len()),
            Format::Tables { min, max } => {
                tables(&ctx, participants.len(), min.max(2), max.max(min.max(2)))
            }
        };
        let mut seated = vec![false; participants.len()];
        let mut meetings = Vec::new();
        for g in &groups {
            for (i, &a) in g.iter().enumerate() {
                seated[a as usize] = true;
                for &b in &g[i + 1..] {
                    ctx.forbidden.insert(key(a, b));
                }
            }
            meetings.push(ctx.meeting(participants, g));
        }
        let unmatched = (0..participants.len())
            .filter(|&i| !seated[i])
            .map(|i| participants[i].member)
            .collect();
        slots.push(Slot {
            meetings,
            unmatched,
        });
    }
    MatchPlan { slots }
}

fn pairs(ctx: &Ctx, n: usize) -> Vec<Vec<u32>> {
    let mut edges: Vec<(u32, u32, f32)> = Vec::new();
    for a in 0..n as u32 {
        for (&b, &s) in &ctx.sim[a as usize] {
            if a < b && ctx.ok(a, b) {
                edges.push((a, b, s));
            }
        }
    }
    edges.sort_by(|x, y| y.2.total_cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    let mut mate: Vec<Option<u32>> = vec![None; n];
    for (a, b, _) in edges {
        if mate[a as usize].is_none() && mate[b as usize].is_none() {
            mate[a as usize] = Some(b);
            mate[b as usize] = Some(a);
        }
    }
    // Leftovers meet each other when allowed.
    let free: Vec<u32> = (0..n as u32)
        .filter(|&a| mate[a as usize].is_none())
        .collect();
    let mut used = vec![false; free.len()];
    for i in 0..free.len() {
        if used[i] {
            continue;
        }
        for j in i + 1..free.len() {
            if !used[j] && ctx.ok(free[i], free[j]) {
                used[i] = true;
                used[j] = true;
                mate[free[i] as usize] = Some(free[j]);
                mate[free[j] as usize] = Some(free[i]);
                break;
            }
        }
    }
    // 2-swaps through neighbours: (a,b),(c,d) → (a,c),(b,d) when better.
    for _ in 0..3 {
        let mut improved = false;
        for a in 0..n as u32 {
            let Some(b) = mate[a as usize] else { continue };
            let neigh: Vec<u32> = ctx.sim[a as usize].keys().copied().collect();
            for c in neigh {
                let Some(d) = mate[c as usize] else { continue };
                if c == b || c == a || d == a {
                    continue;
                }
                let before = ctx.s(a, b) + ctx.s(c, d);
                let after = ctx.s(a, c) + ctx.s(b, d);
                if after > before + 1e-6 && ctx.ok(a, c) && ctx.ok(b, d) {
                    mate[a as usize] = Some(c);
                    mate[c as usize] = Some(a);
                    mate[b as usize] = Some(d);
                    mate[d as usize] = Some(b);
                    improved = true;
                    break;
                }
            }
        }
        if !improved {
            break;
        }
    }
    let mut out = Vec::new();
    for a in 0..n as u32 {
        if let Some(b) = mate[a as usize]
            && a < b
        {
            out.push(vec![a, b]);
        }
    }
    out
}

fn tables(ctx: &Ctx, n: usize, min: usize, max: usize) -> Vec<Vec<u32>> {
    if n < min {
        return Vec::new();
    }
    // Fewest tables such that everyone fits, then as even as possible.
    let mut t = n.div_ceil(max);
    while t * min > n && t > 1 {
        t -= 1;
    }
    let seats = n.min(t * max);
    let caps: Vec<usize> = (0..t)
        .map(|i| seats / t + usize::from(i < seats % t))
        .collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|a, b| {
        let sa: f32 = ctx.sim[*a as usize].values().sum();
        let sb: f32 = ctx.sim[*b as usize].values().sum();
        sb.total_cmp(&sa).then(a.cmp(b))
    });
    let mut groups: Vec<Vec<u32>> = vec![Vec::new(); t];
    let mut at: Vec<Option<usize>> = vec![None; n];
    for &p in &order {
        let mut best: Option<(usize, f32)> = None;
        for (g, members) in groups.iter().enumerate() {
            if members.len() >= caps[g] || !members.iter().all(|&m| ctx.ok(p, m)) {
                continue;
            }
            // Prefer similar company; among equals, the emptiest table.
            let gain: f32 =
                members.iter().map(|&m| ctx.s(p, m)).sum::<f32>() - 1e-3 * members.len() as f32;
            if best.is_none_or(|b| gain > b.1) {
                best = Some((g, gain));
            }
        }
        if let Some((g, _)) = best {
            groups[g].push(p);
            at[p as usize] = Some(g);
        }
    }
    // Swaps between tables through neighbours.
    let with = |groups: &Vec<Vec<u32>>, p: u32, g: usize, skip: u32| -> (f32, bool) {
        let mut s = 0.0;
        let mut ok = true;
        for &m in &groups[g] {
            if m != skip && m != p {
                s += ctx.s(p, m);
                ok &= ctx.ok(p, m);
            }
        }
        (s, ok)
    };
    for _ in 0..4 {
        let mut improved = false;
        for a in 0..n as u32 {
            let Some(ga) = at[a as usize] else { continue };
            let neigh: Vec<u32> = ctx.sim[a as usize].keys().copied().collect();
            for b in neigh {
                let Some(gb) = at[b as usize] else { continue };
                if ga == gb {
                    continue;
                }
                // Move a to gb in place of some member c of gb, c to ga.
                let cands: Vec<u32> = groups[gb].clone();
                for c in cands {
                    let (a_now, _) = with(&groups, a, ga, a);
                    let (c_now, _) = with(&groups, c, gb, c);
                    let (a_new, ok1) = with(&groups, a, gb, c);
                    let (c_new, ok2) = with(&groups, c, ga, a);
                    if ok1 && ok2 && a_new + c_new > a_now + c_now + 1e-6 {
                        if let Some(i) = groups[ga].iter().position(|&x| x == a) {
                            groups[ga][i] = c;
                        }
                        if let Some(i) = groups[gb].iter().position(|&x| x == c) {
                            groups[gb][i] = a;
                        }
                        at[a as usize] = Some(gb);
                        at[c as usize] = Some(ga);
                        improved = true;
                        break;
                    }
                }
                if at[a as usize] != Some(ga) {
                    break;
                }
            }
        }
        if !improved {
            break;
        }
    }
    // A table left below the minimum (constraints emptied it) is dissolved:
    // its members are unseated, never seated against a rule.
    groups
        .into_iter()
        .filter(|g| g.len() >= min && g.len() <= max)
        .collect()
}

/// Checks a plan against the rules; returns the violations in words (empty
/// when valid). Used by tests and usable as a guard before publishing.
pub fn violations(
    participants: &[Participant],
    request: &MatchRequest,
    plan: &MatchPlan,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut forbidden: BTreeSet<(MemberId, MemberId)> = BTreeSet::new();
    let pk = |a: MemberId, b: MemberId| if a < b { (a, b) } else { (b, a) };
    for p in participants {
        for o in &p.do_not_match {
            forbidden.insert(pk(p.member, *o));
        }
    }
    let mut met: BTreeSet<(MemberId, MemberId)> =
        request.already_met.iter().map(|&(a, b)| pk(a, b)).collect();
    for (si, slot) in plan.slots.iter().enumerate() {
        let mut seen = BTreeSet::new();
        let mut slot_pairs = Vec::new();
        for m in &slot.meetings {
            let n = m.members.len();
            match request.format {
                Format::Pairs if n != 2 => out.push(format!("slot {si}: a pair of {n}")),
                Format::Tables { min, max } if n < min || n > max => {
                    out.push(format!("slot {si}: a table of {n}"))
                }
                _ => {}
            }
            for (i, &a) in m.members.iter().enumerate() {
                if !seen.insert(a) {
                    out.push(format!("slot {si}: {a:?} twice"));
                }
                for &b in &m.members[i + 1..] {
                    if forbidden.contains(&pk(a, b)) {
                        out.push(format!("slot {si}: {a:?} and {b:?} asked not to meet"));
                    }
                    if met.contains(&pk(a, b)) {
                        out.push(format!("slot {si}: {a:?} and {b:?} already met"));
                    }
                    slot_pairs.push(pk(a, b));
                }
            }
        }
        met.extend(slot_pairs);
    }
    out
}

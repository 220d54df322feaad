//! The feed: candidate generation, ranking, MMR diversification, reasons and the starter feed.

use rustc_hash::{FxHashMap, FxHashSet};

use super::scoring::{QueryCtx, Signals};
use super::{Engine, EventKind, Feed, FeedItem, FeedOptions, Reason, TOPIC_PREFIX};
use crate::sparse::{self, Sparse, decay};
use crate::{MemberId, ThreadId, TopicId};

impl Engine {
    fn allowed(&self, q: &QueryCtx, tix: u32, now: i64, opts: &FeedOptions) -> bool {
        let th = &self.threads[tix as usize];
        if th.created_at > now {
            return false;
        }
        let Some(m) = q.me else { return true };
        let ms = &self.members[m as usize];
        if ms.dismissed.contains(&tix) || th.topics.iter().any(|t| ms.muted.contains(t)) {
            return false;
        }
        !(opts.exclude_posted && ms.threads.get(&tix).is_some_and(|a| a.posted))
    }

    /// Candidate threads for a member: inverted index over their heaviest
    /// terms, threads of their close peers, most recently active threads.
    pub(super) fn candidates(&self, q: &QueryCtx, now: i64) -> Vec<u32> {
        let c = &self.config;
        let min_t = now - (c.max_age_days * sparse::DAY_MS) as i64;
        // First pass: a cheap pre-score (sum of the matched profile weights)
        // over the postings of the heaviest terms.
        let mut pre: FxHashMap<u32, f32> = FxHashMap::default();
        let mut terms: Vec<(u32, f32)> = q.prof.iter().map(|(&t, &w)| (t, w)).collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        terms.truncate(c.candidate_terms);
        for (t, w) in terms {
            if let Some(post) = self.term_threads.get(t as usize) {
                for &tix in post.iter().rev().take(c.postings_scan) {
                    if self.threads[tix as usize].last_activity >= min_t {
                        *pre.entry(tix).or_insert(0.0) += w;
                    }
                }
            }
        }
        let mut scored: Vec<(u32, f32)> = pre
            .into_iter()
            .map(|(tix, w)| {
                let fresh = decay(
                    now - self.threads[tix as usize].last_activity,
                    c.freshness_half_life_days,
                );
                (
                    tix,
                    (c.w_base + c.w_sim * w) * fresh.powf(c.freshness_exponent),
                )
            })
            .collect();
        let pool = c.candidate_pool.max(1);
        if scored.len() > pool {
            scored.select_nth_unstable_by(pool - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.truncate(pool);
        }
        let mut seen: FxHashSet<u32> = scored.iter().map(|e| e.0).collect();
        let mut out: Vec<u32> = scored.into_iter().map(|e| e.0).collect();
        // Always: where close peers are active, and the most recently active threads.
        let mut ties: Vec<(u32, f32)> = q.ties.iter().map(|(&o, &w)| (o, w)).collect();
        ties.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for (o, _) in ties.into_iter().take(30) {
            for &(tix, _, at) in self.members[o as usize].recent.iter().rev().take(16) {
                if at >= min_t && seen.insert(tix) {
                    out.push(tix);
                }
            }
        }
        let mut n = 0;
        for &tix in self.activity.iter().rev() {
            if n >= c.recent_threads {
                break;
            }
            if seen.insert(tix) {
                n += 1;
                out.push(tix);
            }
        }
        out
    }

    /// The feed of `member` as of `now`: candidate generation, then
    /// [`Engine::rank_feed`]. A member with no history gets a starter feed.
    pub fn feed(&self, member: MemberId, now: i64, opts: &FeedOptions) -> Feed {
        let q = self.query_ctx(member, now);
        let has_history = q.me.is_some_and(|m| self.members[m as usize].events > 0);
        if !has_history {
            return self.starter_feed(member, now, opts);
        }
        let cands = self.candidates(&q, now);
        Feed {
            items: self.rank_ix(&q, member, now, cands, opts),
            starter: false,
        }
    }

    /// Ranks the given candidate threads for `member` as of `now` (unknown
    /// threads are ignored), diversifies and explains them.
    pub fn rank_feed(
        &self,
        member: MemberId,
        now: i64,
        candidates: &[ThreadId],
        opts: &FeedOptions,
    ) -> Vec<FeedItem> {
        let q = self.query_ctx(member, now);
        let cands = candidates
            .iter()
            .filter_map(|t| self.thread_ix.get(t).copied())
            .collect();
        self.rank_ix(&q, member, now, cands, opts)
    }

    fn rank_ix(
        &self,
        q: &QueryCtx,
        member: MemberId,
        now: i64,
        cands: Vec<u32>,
        opts: &FeedOptions,
    ) -> Vec<FeedItem> {
        let _ = member;
        let mut scored: Vec<(u32, f32, Signals)> = cands
            .into_iter()
            .filter(|&t| self.allowed(q, t, now, opts))
            .map(|t| {
                let s = self.signals(q, t, now);
                (t, self.score(q, t, now, &s), s)
            })
            .filter(|e| e.1 > 0.0)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(self.config.candidate_pool);
        let page = if opts.diversify {
            self.diversify(&scored, opts.page_size)
        } else {
            scored.iter().take(opts.page_size).cloned().collect()
        };
        page.into_iter()
            .map(|(t, score, s)| FeedItem {
                thread: self.threads[t as usize].id,
                score,
                reasons: self.reasons(q, t, now, &s),
            })
            .collect()
    }

    /// MMR over the best `5 × page` candidates, with a per-topic cap.
    fn diversify(&self, scored: &[(u32, f32, Signals)], page: usize) -> Vec<(u32, f32, Signals)> {
        let pool: Vec<&(u32, f32, Signals)> = scored
            .iter()
            .take(page.saturating_mul(5).max(page))
            .collect();
        let Some(top) = pool.first().map(|e| e.1) else {
            return Vec::new();
        };
        let vecs: Vec<Sparse> = pool
            .iter()
            .map(|e| self.weighted_vec(&self.threads[e.0 as usize].content.w))
            .collect();
        let lambda = self.config.mmr_lambda;
        let mut max_sim = vec![0.0f32; pool.len()];
        let mut taken = vec![false; pool.len()];
        let mut per_topic: FxHashMap<TopicId, usize> = FxHashMap::default();
        let mut out = Vec::new();
        while out.len() < page {
            let mut best: Option<(usize, f32)> = None;
            for (i, e) in pool.iter().enumerate() {
                if taken[i] {
                    continue;
                }
                let capped = self.threads[e.0 as usize]
                    .topics
                    .iter()
                    .any(|t| per_topic.get(t).copied().unwrap_or(0) >= self.config.max_per_topic);
                if capped {
                    continue;
                }
                let v = lambda * e.1 / top - (1.0 - lambda) * max_sim[i];
                if best.is_none_or(|b| v > b.1) {
                    best = Some((i, v));
                }
            }
            let Some((i, _)) = best else { break };
            taken[i] = true;
            for t in &self.threads[pool[i].0 as usize].topics {
                *per_topic.entry(*t).or_insert(0) += 1;
            }
            for j in 0..pool.len() {
                if !taken[j] {
                    max_sim[j] = max_sim[j].max(sparse::dot(&vecs[i], &vecs[j]));
                }
            }
            out.push(*pool[i]);
        }
        out
    }

    fn reasons(&self, q: &QueryCtx, tix: u32, now: i64, s: &Signals) -> Vec<Reason> {
        let mut out = Vec::new();
        let th = &self.threads[tix as usize];
        if let Some(m) = q.me {
            let ms = &self.members[m as usize];
            let tv = self.weighted_vec(&th.content.w);
            let mut best: Option<(u32, EventKind, f32)> = None;
            let mut seen = FxHashSet::default();
            for &(o, kind, _) in ms.recent.iter().rev() {
                if o == tix || !seen.insert(o) {
                    continue;
                }
                let sim = sparse::dot(&tv, &self.weighted_vec(&self.threads[o as usize].content.w));
                if sim >= 0.2 && best.is_none_or(|b| sim > b.2) {
                    best = Some((o, ms.threads.get(&o).map(|a| a.kind).unwrap_or(kind), sim));
                }
            }
            if let Some((o, kind, _)) = best {
                let thread = self.threads[o as usize].id;
                out.push(match kind {
                    EventKind::Wrote => Reason::Started { thread },
                    EventKind::Replied => Reason::RepliedTo { thread },
                    EventKind::Reacted => Reason::ReactedTo { thread },
                    EventKind::Read => Reason::Read { thread },
                });
            }
        }
        if s.peer_count > 0 {
            let mut ps: Vec<(u32, f32)> = th
                .participants
                .iter()
                .filter_map(|p| q.ties.get(&p.member).map(|&w| (p.member, w)))
                .filter(|e| Some(e.0) != q.me)
                .collect();
            ps.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            out.push(Reason::PeersActive {
                count: s.peer_count,
                peers: ps
                    .iter()
                    .take(3)
                    .map(|e| self.members[e.0 as usize].id)
                    .collect(),
            });
        }
        if let Some(m) = q.me {
            let ms = &self.members[m as usize];
            for t in &th.topics {
                let tt = self.vocab.get(&format!("{TOPIC_PREFIX}{}", t.0));
                if ms.declared.contains(t) || tt.is_some_and(|tt| q.prof.contains_key(&tt)) {
                    out.push(Reason::Topic { topic: *t });
                }
            }
        }
        let mut shared: Vec<(u32, f32)> = th
            .content
            .w
            .iter()
            .filter(|e| !self.topic_of_term.contains_key(&e.0))
            .filter_map(|&(t, w)| q.prof.get(&t).map(|&p| (t, p * w * self.idf(t))))
            .collect();
        shared.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if !shared.is_empty() {
            out.push(Reason::Terms {
                terms: shared
                    .iter()
                    .take(3)
                    .map(|e| self.vocab.word(e.0).to_string())
                    .collect(),
            });
        }
        if s.momentum >= 3.0 {
            out.push(Reason::Trending {
                recent_messages: s.momentum.round() as u32,
            });
        }
        if let Some(m) = q.me
            && self.members[m as usize].mentioned.contains(&tix)
        {
            out.insert(0, Reason::Mentioned);
        }
        let _ = now;
        out
    }

    /// Popular and fresh threads in the member's declared topics (all
    /// threads when they declared none or none matches).
    fn starter_feed(&self, member: MemberId, now: i64, opts: &FeedOptions) -> Feed {
        let declared: Vec<TopicId> = self
            .member_ix
            .get(&member)
            .map(|&m| self.members[m as usize].declared.clone())
            .unwrap_or_default();
        let q = self.query_ctx(member, now);
        let c = &self.config;
        let mut seen = FxHashSet::default();
        let mut pool: Vec<u32> = Vec::new();
        for &tix in self.activity.iter().rev() {
            if pool.len() >= c.recent_threads * 4 {
                break;
            }
            if seen.insert(tix) && self.allowed(&q, tix, now, opts) {
                pool.push(tix);
            }
        }
        let in_topics: Vec<u32> = pool
            .iter()
            .copied()
            .filter(|&t| {
                self.threads[t as usize]
                    .topics
                    .iter()
                    .any(|x| declared.contains(x))
            })
            .collect();
        let pool = if in_topics.is_empty() {
            pool
        } else {
            in_topics
        };
        let mut scored: Vec<(u32, f32)> = pool
            .into_iter()
            .map(|t| {
                let th = &self.threads[t as usize];
                let fresh = decay(now - th.last_activity, c.freshness_half_life_days);
                let mom = th.momentum.at(now, c.momentum_half_life_days);
                (
                    t,
                    fresh * (1.0 + mom).ln().max(0.05) + 1e-6 * th.participants.len() as f32,
                )
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut per_topic: FxHashMap<TopicId, usize> = FxHashMap::default();
        let mut items = Vec::new();
        for (t, score) in scored {
            if items.len() >= opts.page_size {
                break;
            }
            let th = &self.threads[t as usize];
            if opts.diversify
                && th
                    .topics
                    .iter()
                    .any(|x| per_topic.get(x).copied().unwrap_or(0) >= c.max_per_topic)
            {
                continue;
            }
            for x in &th.topics {
                *per_topic.entry(*x).or_insert(0) += 1;
            }
            let mut reasons = vec![Reason::Starter];
            reasons.extend(
                th.topics
                    .iter()
                    .filter(|x| declared.contains(x))
                    .map(|&topic| Reason::Topic { topic }),
            );
            let mom = th.momentum.at(now, c.momentum_half_life_days);
            if mom >= 3.0 {
                reasons.push(Reason::Trending {
                    recent_messages: mom.round() as u32,
                });
            }
            items.push(FeedItem {
                thread: th.id,
                score,
                reasons,
            });
        }
        Feed {
            items,
            starter: true,
        }
    }
}

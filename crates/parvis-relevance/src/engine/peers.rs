//! A member's current interests and topics, and their peers.

use rustc_hash::FxHashMap;

use super::{Engine, Peer};
use crate::sparse::{self, Sparse};
use crate::{MemberId, TopicId};

impl Engine {
    /// A member's current interests: the `n` heaviest terms (idf-weighted,
    /// decayed to `now`), topics excluded.
    pub fn interests(&self, member: MemberId, now: i64, n: usize) -> Vec<(String, f32)> {
        let Some(&m) = self.member_ix.get(&member) else {
            return Vec::new();
        };
        let ms = &self.members[m as usize];
        let f = ms.profile.factor(now, self.config.profile_half_life_days);
        let mut v: Vec<(u32, f32)> = ms
            .profile
            .w
            .iter()
            .filter(|e| !self.topic_of_term.contains_key(&e.0))
            .map(|&(t, w)| (t, w * f * self.idf(t)))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter()
            .take(n)
            .map(|(t, w)| (self.vocab.word(t).to_string(), w))
            .collect()
    }

    /// A member's current topics with their decayed weights, heaviest first.
    pub fn interest_topics(&self, member: MemberId, now: i64) -> Vec<(TopicId, f32)> {
        let Some(&m) = self.member_ix.get(&member) else {
            return Vec::new();
        };
        let ms = &self.members[m as usize];
        let f = ms.profile.factor(now, self.config.profile_half_life_days);
        let mut v: Vec<(TopicId, f32)> = ms
            .profile
            .w
            .iter()
            .filter_map(|&(t, w)| self.topic_of_term.get(&t).map(|&x| (x, w * f)))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Members whose *current* concerns are closest to `member`'s as of
    /// `now`, with the subjects they share. Closeness is the cosine of the
    /// idf-weighted profiles times `sqrt` of how current the other's profile
    /// is (a member silent for a year has no current concerns).
    pub fn peers(&self, member: MemberId, now: i64, k: usize) -> Vec<Peer> {
        let Some(&m) = self.member_ix.get(&member) else {
            return Vec::new();
        };
        let ms = &self.members[m as usize];
        let c = &self.config;
        let me = self.weighted_vec(&ms.profile.w);
        if me.is_empty() {
            return Vec::new();
        }
        let mut terms = me.clone();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        terms.truncate(16);
        // First pass: matched query weight per member over the postings of
        // the heaviest terms (duplicates in postings only add), plus ties.
        let mut pre: FxHashMap<u32, f32> = FxHashMap::default();
        for (t, w) in terms {
            if let Some(post) = self.term_members.get(t as usize) {
                for &o in post.iter().rev().take(c.postings_scan / 2) {
                    if o != m {
                        *pre.entry(o).or_insert(0.0) += w;
                    }
                }
            }
        }
        for &o in ms.ties.keys() {
            *pre.entry(o).or_insert(0.0) += 1.0;
        }
        let mut first: Vec<(u32, f32)> = pre.into_iter().collect();
        let pool = (k * 30).max(300);
        if first.len() > pool {
            first.select_nth_unstable_by(pool - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            first.truncate(pool);
        }
        let cands: Vec<u32> = first.into_iter().map(|e| e.0).collect();
        let mut scored: Vec<(u32, f32, Sparse)> = cands
            .into_iter()
            .filter_map(|o| {
                let os = &self.members[o as usize];
                let ov = self.weighted_vec(&os.profile.w);
                let cur = os.profile.factor(now, c.profile_half_life_days).sqrt();
                let s = sparse::dot(&me, &ov) * cur;
                (s > 0.0).then_some((o, s, ov))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
            .into_iter()
            .map(|(o, s, ov)| {
                let mut shared: Vec<(u32, f32)> = Vec::new();
                let (mut i, mut j) = (0, 0);
                while i < me.len() && j < ov.len() {
                    match me[i].0.cmp(&ov[j].0) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            shared.push((me[i].0, me[i].1 * ov[j].1));
                            i += 1;
                            j += 1;
                        }
                    }
                }
                shared.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let shared_topics = shared
                    .iter()
                    .filter_map(|e| self.topic_of_term.get(&e.0).copied())
                    .collect();
                let shared_terms = shared
                    .iter()
                    .filter(|e| !self.topic_of_term.contains_key(&e.0))
                    .take(5)
                    .map(|e| self.vocab.word(e.0).to_string())
                    .collect();
                Peer {
                    member: self.members[o as usize].id,
                    score: s.min(1.0),
                    shared_terms,
                    shared_topics,
                }
            })
            .collect()
    }
}

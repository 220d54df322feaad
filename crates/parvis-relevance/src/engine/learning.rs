//! The learned scorer's side: the [`FeatureVector`] of a (member, thread) pair, the join
//! samples recorded as messages arrive, and the fit ([`crate::learn`]).

use rustc_hash::FxHashSet;

use super::scoring::{QueryCtx, Signals};
use super::{Engine, MessageInput, Participation};
use crate::sparse::{self, decay};
use crate::{MemberId, ThreadId};

/// Number of signals in a [`FeatureVector`].
pub const FEATURE_COUNT: usize = 23;

/// What each position of a [`FeatureVector`] measures, for reports.
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] = [
    "bias",
    "ln_hours_since_last",
    "fresh_1d",
    "ln_hours_since_start",
    "similarity",
    "similarity_x_fresh",
    "awaiting_answer",
    "ln_participants",
    "ln_momentum",
    "starter_tie",
    "ln_peer_activity",
    "mentioned",
    "affinity",
    "last_author_tie",
    "starter_is_newcomer",
    "dismissed_similarity",
    "own_words_x_opening",
    "hot",
    "new_since_my_post",
    "created_since_my_post",
    "ln_hours_after_my_post",
    "answered_x_opening",
    "my_pace_x_fresh",
];

/// Messages at the end of a history that a build replays as learning
/// samples ([`Engine::sample_from`]): the scorer keeps the `learn_max_joins`
/// (4,000) most recent joins, which fewer messages than this hold on the
/// lists measured; sampling a join costs a candidate generation, so a build
/// of a million messages does not sample the older ones.
pub const BUILD_SAMPLED_MESSAGES: usize = 40_000;

/// The signals of one (member, thread) pair as of a time: what a learned
/// scorer ([`Config::learned`](super::Config::learned)) weighs.
pub type FeatureVector = [f32; FEATURE_COUNT];

impl Engine {
    /// Joins before `at` are not recorded as learning samples: a build from a
    /// long history skips the joins older than the `learn_max_joins` kept
    /// (sampling a join costs a candidate generation).
    pub fn sample_from(&mut self, at: i64) {
        self.sample_from = at;
    }

    /// Records, as of `msg.at` and before the message is added, the signals
    /// of the thread it joins (a positive) and of the most recently active
    /// threads its author had not posted in (negatives). Only for a member
    /// with a history joining a thread that already exists, and only for
    /// messages in time order (an old archive imported late would teach the
    /// model with hindsight).
    pub(super) fn sample_join(&mut self, msg: &MessageInput<'_>) {
        const DAY: i64 = sparse::DAY_MS as i64;
        if msg.at < self.latest_at - DAY || msg.at < self.sample_from {
            return;
        }
        let (Some(&tix), Some(&m)) = (
            self.thread_ix.get(&msg.thread),
            self.member_ix.get(&msg.author),
        ) else {
            return;
        };
        let ms = &self.members[m as usize];
        let recent = ms
            .recent
            .back()
            .is_some_and(|&(_, _, at)| at >= msg.at - 180 * DAY);
        let th = &self.threads[tix as usize];
        if !recent
            || th.participants.is_empty()
            || th.created_at > msg.at
            || ms.threads.get(&tix).is_some_and(|a| a.posted)
        {
            return;
        }
        let q = self.query_ctx(msg.author, msg.at);
        let wanted = self.config.learn_negatives;
        let min_t = msg.at - (self.config.max_age_days * sparse::DAY_MS) as i64;
        let eligible = |o: u32| {
            let th = &self.threads[o as usize];
            o != tix
                && th.created_at <= msg.at
                && th.last_activity >= min_t
                && !ms.threads.get(&o).is_some_and(|a| a.posted)
                && !ms.dismissed.contains(&o)
        };
        // A deterministic draw (same history, same samples).
        let mut x = (self.activity.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut negatives = Vec::with_capacity(wanted);
        if self.config.learn_negatives_from_candidates {
            // What the member's feed would have weighed at that moment: the
            // threads they passed over, drawn uniformly (so the listwise fit
            // sees the candidate list as it is).
            let mut pool: Vec<u32> = self
                .candidates(&q, msg.at)
                .into_iter()
                .filter(|&o| eligible(o))
                .collect();
            for i in 0..wanted.min(pool.len()) {
                let j = i + (next() % (pool.len() - i) as u64) as usize;
                pool.swap(i, j);
                negatives.push(pool[i]);
            }
        } else {
            // Mostly the most recently active threads (what a join competes
            // with), plus a few drawn from the whole history the feed can reach.
            let recent_wanted = wanted - wanted / 4;
            let mut seen = FxHashSet::default();
            for &o in self.activity.iter().rev() {
                if negatives.len() >= recent_wanted {
                    break;
                }
                if seen.insert(o) && eligible(o) {
                    negatives.push(o);
                }
            }
            for _ in 0..wanted * 4 {
                if negatives.len() >= wanted || self.activity.is_empty() {
                    break;
                }
                let o = self.activity[(next() % self.activity.len() as u64) as usize];
                if seen.insert(o) && eligible(o) {
                    negatives.push(o);
                }
            }
        }
        if negatives.is_empty() {
            return;
        }
        let mut rows = Vec::with_capacity(negatives.len() + 1);
        for (t, joined) in
            std::iter::once((tix, true)).chain(negatives.into_iter().map(|o| (o, false)))
        {
            let s = self.signals(&q, t, msg.at);
            rows.push((self.features_ix(&q, t, msg.at, &s), joined));
        }
        self.samples.push_back(rows);
        while self.samples.len() > self.config.learn_max_joins.max(1) {
            self.samples.pop_front();
        }
        self.joins_since_fit += 1;
    }

    /// Fits the scorer to the join samples seen so far ([`crate::learn`]) and
    /// uses it from now on. `None` (and the formula stays) while fewer than
    /// `learn_min_joins` joins were seen or the fit fails.
    pub fn learn(&mut self) -> Option<&crate::learn::Fit> {
        if self.samples.len() < self.config.learn_min_joins.max(1) {
            return None;
        }
        let warm = self.config.learned.as_deref();
        let fit = if self.config.learn_listwise {
            crate::learn::fit_listwise(self.samples.make_contiguous(), 1.0, warm)?
        } else {
            let (xs, ys): (Vec<FeatureVector>, Vec<bool>) =
                self.samples.iter().flatten().copied().unzip();
            crate::learn::fit_logistic(&xs, &ys, 1.0, warm)?
        };
        self.config.learned = Some(fit.weights.clone());
        self.joins_since_fit = 0;
        self.last_fit = Some(fit);
        self.last_fit.as_ref()
    }

    /// [`Engine::learn`] once at least `new_joins` joins came in since the
    /// last fit (or since the start, before any); `None` when it did not fit.
    pub fn learn_when_due(&mut self, new_joins: usize) -> Option<&crate::learn::Fit> {
        if self.joins_since_fit < new_joins {
            return None;
        }
        self.learn()
    }

    /// Joins sampled since the last [`Engine::learn`].
    pub fn joins_since_fit(&self) -> usize {
        self.joins_since_fit
    }

    /// The scorer in use, when one was learned.
    pub fn last_fit(&self) -> Option<&crate::learn::Fit> {
        self.last_fit.as_ref()
    }

    /// The [`FeatureVector`] of each of `threads` for `member` as of `now`
    /// (unknown threads are left out): what [`crate::learn`] trains on.
    pub fn features(
        &self,
        member: MemberId,
        now: i64,
        threads: &[ThreadId],
    ) -> Vec<(ThreadId, FeatureVector)> {
        let q = self.query_ctx(member, now);
        threads
            .iter()
            .filter_map(|t| self.thread_ix.get(t).map(|&ix| (*t, ix)))
            .map(|(t, ix)| {
                let s = self.signals(&q, ix, now);
                (t, self.features_ix(&q, ix, now, &s))
            })
            .collect()
    }

    pub(super) fn features_ix(
        &self,
        q: &QueryCtx,
        tix: u32,
        now: i64,
        s: &Signals,
    ) -> FeatureVector {
        let th = &self.threads[tix as usize];
        let hours = |dt: i64| (dt.max(0) as f32 / 3_600_000.0 + 1.0).ln();
        let fresh = decay(now - th.last_activity, 1.0);
        let me = q.me;
        let awaiting = th.participants.len() == 1 && Some(th.participants[0].member) != me;
        let tie_of = |p: Option<&Participation>| {
            p.and_then(|p| q.ties.get(&p.member))
                .map_or(0.0, |&t| t.min(2.0))
        };
        let last = th.participants.iter().max_by_key(|p| p.last_at);
        let starter_newcomer = th
            .participants
            .first()
            .is_some_and(|p| self.members[p.member as usize].threads.len() <= 1);
        let (mentioned, affinity) = match me {
            Some(m) => {
                let ms = &self.members[m as usize];
                let aff = ms.threads.get(&tix).filter(|a| !a.posted).map_or(0.0, |a| {
                    a.w.at(now, self.config.profile_half_life_days).min(1.0)
                });
                (ms.mentioned.contains(&tix), aff)
            }
            None => (false, 0.0),
        };
        let neg = if q.neg.is_empty() {
            0.0
        } else {
            self.sim_map(&q.neg, tix)
        };
        let own_x_opening = self.sim_sparse(&q.own, &th.opening);
        let hot = self.hot_at(tix, now);
        // Help-list readers go through what arrived since they last wrote:
        // a thread new to them since their last post is one they have not
        // passed over yet (ablation in bench/relevance/RESULTS.md).
        let hours_after_post = if q.last_posted != i64::MIN && th.last_activity > q.last_posted {
            hours(th.last_activity - q.last_posted)
        } else {
            0.0
        };
        let new_since_post = q.last_posted == i64::MIN || th.last_activity > q.last_posted;
        let created_since_post = q.last_posted == i64::MIN || th.created_at > q.last_posted;
        // The questions they chose to answer before, against this one: what
        // a helper knows is told by the questions they take, more than by
        // the words of their answers ("try this").
        let answered_x_opening = self.sim_sparse(&q.answered, &th.opening);
        let mut x = [
            1.0,
            hours(now - th.last_activity),
            fresh,
            hours(now - th.created_at),
            s.sim,
            s.sim * fresh,
            f32::from(u8::from(awaiting)),
            (1.0 + th.participants.len() as f32).ln(),
            (1.0 + s.momentum).ln(),
            tie_of(th.participants.first()),
            (1.0 + s.peer).ln(),
            f32::from(u8::from(mentioned)),
            affinity,
            tie_of(last),
            f32::from(u8::from(starter_newcomer)),
            neg,
            own_x_opening,
            hot,
            f32::from(u8::from(new_since_post)),
            f32::from(u8::from(created_since_post)),
            hours_after_post,
            answered_x_opening,
            (1.0 + q.pace).ln() * fresh,
        ];
        for &j in &self.disabled {
            x[j] = 0.0;
        }
        x
    }
}

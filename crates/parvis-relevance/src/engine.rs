//! Interest profiles, feed ranking, feedback and peers.
//!
//! Feed a [`Engine`] with messages ([`Engine::add_message`]) and lighter
//! events ([`Engine::add_event`]: reactions, votes, reads), in any order;
//! then ask it, *as of* any `now`, for a member's feed or peers.
//!
//! ## The feed score
//!
//! For a candidate thread `h` and a member `m` at `now`:
//!
//! ```text
//! relevance = base + w_sim·cos_idf(profile_m, content_h)
//!                  + w_peer·ln(1 + Σ_{close peer p active in h} tie(m,p)·recency(p in h))
//!                  + w_aff·affinity(m, h)              (read / reacted, not yet posted)
//!                  − w_neg·cos_idf(dismissed_m, content_h)
//! score     = max(relevance, 0) · freshness(h)^α · (1 + w_mom·ln(1 + momentum(h)))
//! ```
//!
//! where `profile_m` is the member's decayed term vector (own words of what
//! they wrote + the content of threads they wrote in, replied to, reacted to
//! or read, each weighted by kind), `content_h` the thread's content decayed
//! towards its latest messages ("recent content"), `freshness` a decay of
//! the time since the last message and `momentum` the decayed message count.
//! The page is then diversified by MMR (λ·score − (1−λ)·max similarity to
//! what is already on the page) with at most `max_per_topic` items per
//! declared topic.
//!
//! That formula is the scorer of a space without much history. Once the
//! engine has seen enough members join threads, [`Engine::learn`] fits a
//! logistic scorer over the same signals ([`FeatureVector`]) to what this
//! space's members actually join, and that scorer ranks instead
//! ([`crate::learn`] says why and how).

use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::sparse::{self, Decayed, DecayedVec, Sparse, decay};
use crate::text::{self, Vocab};
use crate::{MemberId, ThreadId, TopicId};

/// Tuning of the engine. Every field has a working default.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Config {
    /// Half-life of a member's interests, in days.
    pub profile_half_life_days: f64,
    /// Half-life of a thread's content: later messages outweigh early ones.
    pub thread_content_half_life_days: f64,
    /// Half-life of freshness (time since the thread's last message).
    pub freshness_half_life_days: f64,
    /// Half-life of momentum (decayed message count).
    pub momentum_half_life_days: f64,
    /// Half-life of ties between members.
    pub tie_half_life_days: f64,
    /// Weight of starting a thread in the profile.
    pub weight_wrote: f32,
    /// Weight of replying.
    pub weight_replied: f32,
    /// Weight of a reaction or vote.
    pub weight_reacted: f32,
    /// Weight of a read.
    pub weight_read: f32,
    /// Share of a member's own words (vs the thread's content) in what their
    /// message adds to their profile.
    pub own_text_share: f32,
    /// Terms kept per thread vector.
    pub terms_per_thread: usize,
    /// Terms kept per member profile.
    pub terms_per_member: usize,
    /// Constant term of the relevance (lets fresh, busy threads in with no match).
    pub w_base: f32,
    /// Weight of content similarity.
    pub w_sim: f32,
    /// Weight of close peers' activity.
    pub w_peer: f32,
    /// Weight of the member's tie with whoever started the thread (people
    /// answer those they already talk with).
    pub w_starter_tie: f32,
    /// Bonus for a thread where the member was mentioned and has not posted.
    pub w_mention: f32,
    /// Bonus for a thread nobody has answered yet (one participant): in
    /// question-and-answer communities, that is where a newcomer is useful.
    pub w_awaiting: f32,
    /// Weight of the member's own affinity for the thread (read, reacted).
    pub w_affinity: f32,
    /// Weight of similarity to dismissed threads.
    pub w_negative: f32,
    /// Exponent of freshness.
    pub freshness_exponent: f32,
    /// Weight of momentum.
    pub w_momentum: f32,
    /// Profile terms used to generate candidates.
    pub candidate_terms: usize,
    /// Postings read per term, from the most recent.
    pub postings_scan: usize,
    /// Most recently active threads always considered.
    pub recent_threads: usize,
    /// Threads silent for longer than this are not proposed.
    pub max_age_days: f64,
    /// Candidates from the inverted index scored exactly (the best by a
    /// cheap first-pass score); peers' and recent threads come on top.
    pub candidate_pool: usize,
    /// MMR trade-off: 1 = pure score, 0 = pure novelty.
    pub mmr_lambda: f32,
    /// At most this many items of one declared topic per page.
    pub max_per_topic: usize,
    /// Weights of a logistic scorer over [`FeatureVector`] learned from the
    /// space's own history ([`crate::learn`]); when set, it replaces the
    /// hand-tuned relevance formula (candidates, filters, diversification
    /// and reasons stay the same).
    pub learned: Option<Vec<f32>>,
    /// Record join samples as messages arrive, so [`Engine::learn`] can fit
    /// the scorer to this space ([`crate::learn`]).
    pub learn_from_history: bool,
    /// Joins to have seen before [`Engine::learn`] replaces the formula.
    pub learn_min_joins: usize,
    /// Most recent joins kept as samples.
    pub learn_max_joins: usize,
    /// Threads not joined, sampled with each join.
    pub learn_negatives: usize,
    /// Draw a join's negatives from the candidate list the member's feed
    /// would have had at that moment (what they saw and passed over); `false`:
    /// the most recently active threads plus a few from the whole history.
    pub learn_negatives_from_candidates: bool,
    /// Fit the scorer listwise (which candidate of the moment was joined: a
    /// conditional logit) rather than pointwise (joined or not: a logistic
    /// regression).
    pub learn_listwise: bool,
    /// Half-life of a member's own words (what they write about: on help
    /// lists, their field of expertise, which changes slowly).
    pub own_words_half_life_days: f64,
    /// Half-life of the `hot` signal (decayed message count), in hours.
    pub hot_half_life_hours: f64,
    /// Signals left out (by [`FEATURE_NAMES`] name), for ablations: their
    /// value is 0 for every thread, so they neither learn nor score.
    pub disabled_signals: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profile_half_life_days: 30.0,
            thread_content_half_life_days: 14.0,
            freshness_half_life_days: 7.0,
            momentum_half_life_days: 3.0,
            tie_half_life_days: 120.0,
            weight_wrote: 1.0,
            weight_replied: 1.0,
            weight_reacted: 0.5,
            weight_read: 0.2,
            own_text_share: 0.6,
            terms_per_thread: 48,
            terms_per_member: 96,
            w_base: 0.05,
            w_sim: 1.0,
            w_peer: 0.3,
            w_awaiting: 0.0,
            w_mention: 1.0,
            w_starter_tie: 0.2,
            w_affinity: 0.3,
            w_negative: 1.0,
            freshness_exponent: 1.0,
            w_momentum: 0.3,
            candidate_terms: 24,
            postings_scan: 4000,
            recent_threads: 300,
            max_age_days: 365.0,
            candidate_pool: 2000,
            mmr_lambda: 0.85,
            max_per_topic: 3,
            learned: None,
            learn_from_history: true,
            learn_min_joins: 300,
            learn_max_joins: 4000,
            learn_negatives: 20,
            learn_negatives_from_candidates: true,
            learn_listwise: true,
            own_words_half_life_days: 90.0,
            hot_half_life_hours: 0.25,
            disabled_signals: Vec::new(),
        }
    }
}

impl Config {
    /// Settings tuned for question-and-answer mailing lists (tuned on
    /// r-sig-geo cut-offs from 70 % to 85 % of its history, reported on
    /// 85 % → end; see `bench/relevance/RESULTS.md`): freshness dominates
    /// (half-life one day), content similarity orders the fresh threads,
    /// an unanswered question gets a bonus, and neither peers' activity nor
    /// momentum helps (someone already answered). MMR is off: on this
    /// offline metric diversity only costs.
    pub fn mailing_list() -> Self {
        Config {
            freshness_half_life_days: 1.0,
            w_base: 0.3,
            w_sim: 3.0,
            w_peer: 0.0,
            w_momentum: 0.0,
            w_awaiting: 0.3,
            w_starter_tie: 0.3,
            mmr_lambda: 1.0,
            learn_from_history: false,
            ..Config::default()
        }
    }
}

/// What a member did with a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Started the thread.
    Wrote,
    /// Replied in it.
    Replied,
    /// Reacted or voted.
    Reacted,
    /// Read it.
    Read,
}

/// One message, as the engine needs it.
#[derive(Debug, Clone, Copy)]
pub struct MessageInput<'a> {
    /// Thread of the message.
    pub thread: ThreadId,
    /// Author.
    pub author: MemberId,
    /// Creation time, Unix ms.
    pub at: i64,
    /// Plain text.
    pub text: &'a str,
    /// Thread title, when known (used when the thread is first seen).
    pub title: Option<&'a str>,
    /// Declared topics of the thread.
    pub topics: &'a [TopicId],
    /// Author of the message this one answers, if known.
    pub reply_to: Option<MemberId>,
    /// Members the message addresses by name or @-mention.
    pub mentions: &'a [MemberId],
}

/// Feedback from a member on their feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Feedback {
    /// Never show threads of this topic.
    MuteTopic {
        /// The topic.
        topic: TopicId,
    },
    /// Undo a mute.
    UnmuteTopic {
        /// The topic.
        topic: TopicId,
    },
    /// Remove this thread and show less like it.
    NotInterested {
        /// The thread.
        thread: ThreadId,
    },
}

/// Why an item is in the feed, for the UI to render in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// "Because you replied to …"
    RepliedTo {
        /// The thread the member replied to.
        thread: ThreadId,
    },
    /// "Because you started …"
    Started {
        /// The thread the member started.
        thread: ThreadId,
    },
    /// "Because you reacted to …"
    ReactedTo {
        /// The thread.
        thread: ThreadId,
    },
    /// "Because you read …"
    Read {
        /// The thread.
        thread: ThreadId,
    },
    /// "N people close to you are discussing this."
    PeersActive {
        /// How many close peers took part recently.
        count: u32,
        /// The closest of them (at most 3).
        peers: Vec<MemberId>,
    },
    /// "In your topic …"
    Topic {
        /// The topic.
        topic: TopicId,
    },
    /// "About x, y, z" — the member's interests this thread matches.
    Terms {
        /// Shared terms, heaviest first (at most 3).
        terms: Vec<String>,
    },
    /// "Lively: N messages in the last days."
    Trending {
        /// Decayed message count, rounded.
        recent_messages: u32,
    },
    /// "You were mentioned here."
    Mentioned,
    /// A starter item for a member with no history.
    Starter,
}

/// One ranked thread.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeedItem {
    /// The thread.
    pub thread: ThreadId,
    /// Score (only the order is meaningful).
    pub score: f32,
    /// Why, most specific first.
    pub reasons: Vec<Reason>,
}

/// A page of feed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Feed {
    /// Items, best first.
    pub items: Vec<FeedItem>,
    /// `true` when the member has no history and this is a starter feed
    /// (popular and fresh in their declared topics).
    pub starter: bool,
}

/// Options of one feed query.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FeedOptions {
    /// Items wanted.
    pub page_size: usize,
    /// Leave out threads the member already posted in.
    pub exclude_posted: bool,
    /// Apply MMR and the per-topic cap.
    pub diversify: bool,
}

impl Default for FeedOptions {
    fn default() -> Self {
        FeedOptions {
            page_size: 20,
            exclude_posted: false,
            diversify: true,
        }
    }
}

/// A member whose current concerns are close.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Peer {
    /// The peer.
    pub member: MemberId,
    /// Closeness in 0..=1.
    pub score: f32,
    /// Shared terms, heaviest first.
    pub shared_terms: Vec<String>,
    /// Shared declared topics.
    pub shared_topics: Vec<TopicId>,
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Participation {
    member: u32,
    last_at: i64,
    messages: u32,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct ThreadState {
    id: ThreadId,
    topics: Vec<TopicId>,
    content: DecayedVec,
    created_at: i64,
    last_activity: i64,
    momentum: Decayed,
    /// `Σ 2^(−(last_activity − at)/h)` over the messages (h: the `hot`
    /// half-life), as of the last activity; its log2 minus the age in
    /// half-lives is the `hot` signal, which never underflows.
    hot: f32,
    /// The opening post (title included), pruned to its heaviest terms: on a
    /// help list, the question people choose to answer.
    opening: Sparse,
    participants: Vec<Participation>,
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Affinity {
    posted: bool,
    kind: EventKind,
    w: Decayed,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct MemberState {
    id: MemberId,
    profile: DecayedVec,
    /// The member's own words only (not the threads they wrote in).
    own: DecayedVec,
    /// Opening posts of the threads the member answered (joined without
    /// starting): on a help list, the questions they choose to take.
    answered: DecayedVec,
    /// When the member last posted (`i64::MIN`: never).
    last_posted: i64,
    /// Decayed count of the member's posts (their current pace).
    pace: Decayed,
    events: u32,
    recent: VecDeque<(u32, EventKind, i64)>,
    threads: FxHashMap<u32, Affinity>,
    ties: FxHashMap<u32, Decayed>,
    negative: Sparse,
    mentioned: FxHashSet<u32>,
    muted: Vec<TopicId>,
    dismissed: FxHashSet<u32>,
    declared: Vec<TopicId>,
}

impl MemberState {
    fn new(id: MemberId) -> Self {
        MemberState {
            id,
            profile: DecayedVec::default(),
            own: DecayedVec::default(),
            answered: DecayedVec::default(),
            last_posted: i64::MIN,
            pace: Decayed::default(),
            events: 0,
            recent: VecDeque::new(),
            threads: FxHashMap::default(),
            ties: FxHashMap::default(),
            negative: Vec::new(),
            mentioned: FxHashSet::default(),
            muted: Vec::new(),
            dismissed: FxHashSet::default(),
            declared: Vec::new(),
        }
    }
}

const RECENT_EVENTS: usize = 64;
const TOPIC_PREFIX: &str = "\u{1}topic:";

/// The relevance engine: in-memory state built from events, queried as of any time.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Engine {
    config: Config,
    vocab: Vocab,
    threads: Vec<ThreadState>,
    thread_ix: FxHashMap<ThreadId, u32>,
    members: Vec<MemberState>,
    member_ix: FxHashMap<MemberId, u32>,
    /// term → threads whose content vector took the term in (append-only, newest last).
    term_threads: Vec<Vec<u32>>,
    /// term → members whose profile took the term in (append-only, newest last).
    term_members: Vec<Vec<u32>>,
    /// Thread document frequency per term.
    df: Vec<u32>,
    /// Thread of every message, in arrival order (the recent-activity list).
    activity: Vec<u32>,
    /// Pseudo-term → topic.
    topic_of_term: FxHashMap<u32, TopicId>,
    /// Join samples for [`Engine::learn`], oldest first.
    samples: VecDeque<Vec<(FeatureVector, bool)>>,
    /// Joins sampled since the last fit.
    joins_since_fit: usize,
    /// The last fit, for reports.
    last_fit: Option<crate::learn::Fit>,
    /// Latest message time seen (samples are only taken in time order).
    latest_at: i64,
    /// Positions of [`Config::disabled_signals`].
    disabled: Vec<usize>,
    /// Joins before this time are not sampled (a build from a long history
    /// only needs the most recent joins: [`Engine::sample_from`]).
    sample_from: i64,
}

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

/// Half-life of a member's pace (decayed count of their posts), in days.
const PACE_HALF_LIFE_DAYS: f64 = 7.0;
/// Terms kept of a thread's opening post.
const OPENING_TERMS: usize = 32;
/// The `hot` signal is floored here (in half-lives): beyond a day of
/// 15-minute half-lives the age signals order threads.
const HOT_FLOOR: f32 = -96.0;

/// The signals of one (member, thread) pair as of a time: what a learned
/// scorer ([`Config::learned`]) weighs.
pub type FeatureVector = [f32; FEATURE_COUNT];

/// Per-query view of a member: idf-weighted unit vectors in hash maps.
struct QueryCtx {
    me: Option<u32>,
    prof: FxHashMap<u32, f32>,
    own: FxHashMap<u32, f32>,
    answered: FxHashMap<u32, f32>,
    last_posted: i64,
    pace: f32,
    neg: FxHashMap<u32, f32>,
    ties: FxHashMap<u32, f32>,
}

/// Per-candidate signals, kept to explain the item afterwards.
#[derive(Debug, Clone, Copy, Default)]
struct Signals {
    sim: f32,
    peer: f32,
    peer_count: u32,
    momentum: f32,
}

impl Engine {
    /// An empty engine.
    pub fn new(config: Config) -> Self {
        let disabled = FEATURE_NAMES
            .iter()
            .enumerate()
            .filter(|(_, n)| config.disabled_signals.iter().any(|d| d == *n))
            .map(|(j, _)| j)
            .collect();
        Engine {
            config,
            disabled,
            sample_from: i64::MIN,
            ..Default::default()
        }
    }

    /// Joins before `at` are not recorded as learning samples: a build from a
    /// long history skips the joins older than the `learn_max_joins` kept
    /// (sampling a join costs a candidate generation).
    pub fn sample_from(&mut self, at: i64) {
        self.sample_from = at;
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Number of threads known.
    pub fn thread_count(&self) -> usize {
        self.threads.len()
    }

    /// Number of members known.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    fn intern(&mut self, term: &str) -> u32 {
        let id = self.vocab.intern(term);
        let n = self.vocab.len();
        if self.term_threads.len() < n {
            self.term_threads.resize_with(n, Vec::new);
            self.term_members.resize_with(n, Vec::new);
            self.df.resize(n, 0);
        }
        id
    }

    fn topic_term(&mut self, topic: TopicId) -> u32 {
        let id = self.intern(&format!("{TOPIC_PREFIX}{}", topic.0));
        self.topic_of_term.insert(id, topic);
        id
    }

    fn member(&mut self, id: MemberId) -> u32 {
        if let Some(&ix) = self.member_ix.get(&id) {
            return ix;
        }
        let ix = self.members.len() as u32;
        self.members.push(MemberState::new(id));
        self.member_ix.insert(id, ix);
        ix
    }

    fn thread(&mut self, id: ThreadId, at: i64) -> (u32, bool) {
        if let Some(&ix) = self.thread_ix.get(&id) {
            return (ix, false);
        }
        let ix = self.threads.len() as u32;
        self.threads.push(ThreadState {
            id,
            topics: Vec::new(),
            content: DecayedVec::default(),
            created_at: at,
            last_activity: at,
            momentum: Decayed::default(),
            hot: 0.0,
            opening: Vec::new(),
            participants: Vec::new(),
        });
        self.thread_ix.insert(id, ix);
        (ix, true)
    }

    /// A unit vector of analysed terms of `text` (plus `extra` pseudo-terms).
    fn text_vector(&mut self, text: &str, title: Option<&str>, extra: &[u32]) -> Sparse {
        let mut v: Sparse = Vec::new();
        for (t, w, word) in text::term_counts_with_words(text) {
            let id = self.intern(&t);
            self.vocab.saw_word(id, word.as_deref());
            v.push((id, w));
        }
        if let Some(title) = title {
            let mut tv: Sparse = Vec::new();
            for (t, _, word) in text::term_counts_with_words(title) {
                let id = self.intern(&t);
                self.vocab.saw_word(id, word.as_deref());
                tv.push((id, 2.0));
            }
            tv.sort_by_key(|e| e.0);
            v.sort_by_key(|e| e.0);
            v = sparse::merge_add(&v, 1.0, &tv, 1.0);
        }
        let mut ev: Sparse = extra.iter().map(|&t| (t, 2.0)).collect();
        ev.sort_by_key(|e| e.0);
        ev.dedup_by_key(|e| e.0);
        v.sort_by_key(|e| e.0);
        v = sparse::merge_add(&v, 1.0, &ev, 1.0);
        sparse::normalise(&mut v);
        v
    }

    /// Sets the declared topics of a thread (they join its content as pseudo-terms).
    pub fn set_thread_topics(&mut self, thread: ThreadId, topics: &[TopicId], at: i64) {
        let (tix, _) = self.thread(thread, at);
        let new: Vec<TopicId> = topics
            .iter()
            .copied()
            .filter(|t| !self.threads[tix as usize].topics.contains(t))
            .collect();
        if new.is_empty() {
            return;
        }
        let mut v: Sparse = new.iter().map(|&t| (self.topic_term(t), 1.0)).collect();
        v.sort_by_key(|e| e.0);
        let (hl, cap) = (
            self.config.thread_content_half_life_days,
            self.config.terms_per_thread,
        );
        let th = &mut self.threads[tix as usize];
        th.topics.extend(new);
        let at = th.content.t.max(at);
        let entered = th.content.add(&v, 1.0, at, hl, cap);
        self.index_thread_terms(tix, &entered);
    }

    fn index_thread_terms(&mut self, tix: u32, entered: &[u32]) {
        for &t in entered {
            self.term_threads[t as usize].push(tix);
            self.df[t as usize] += 1;
        }
    }

    /// Declares the topics a member says they care about (used by the starter feed).
    pub fn declare_topics(&mut self, member: MemberId, topics: &[TopicId]) {
        let m = self.member(member);
        self.members[m as usize].declared = topics.to_vec();
    }

    /// Adds a message: updates the thread's content, momentum and
    /// participants, the author's profile and their ties. When the message
    /// joins an existing thread, it is first recorded as a learning sample.
    pub fn add_message(&mut self, msg: &MessageInput<'_>) {
        if self.config.learn_from_history {
            self.sample_join(msg);
        }
        self.latest_at = self.latest_at.max(msg.at);
        let (tix, is_new) = self.thread(msg.thread, msg.at);
        if !msg.topics.is_empty() {
            self.set_thread_topics(msg.thread, msg.topics, msg.at);
        }
        let title = if is_new { msg.title } else { None };
        let mv = self.text_vector(msg.text, title, &[]);
        let author = self.member(msg.author);
        let c = self.config.clone();
        let th = &mut self.threads[tix as usize];
        let entered = th.content.add(
            &mv,
            1.0,
            msg.at,
            c.thread_content_half_life_days,
            c.terms_per_thread,
        );
        th.momentum.add(1.0, msg.at, c.momentum_half_life_days);
        let hot_hl = (c.hot_half_life_hours * 3_600_000.0).max(1.0);
        th.hot = if msg.at >= th.last_activity {
            th.hot * (-((msg.at - th.last_activity) as f64) / hot_hl).exp2() as f32 + 1.0
        } else {
            th.hot + (-((th.last_activity - msg.at) as f64) / hot_hl).exp2() as f32
        };
        if is_new {
            let mut v = mv.clone();
            sparse::prune(&mut v, OPENING_TERMS);
            th.opening = v;
        }
        th.last_activity = th.last_activity.max(msg.at);
        th.created_at = th.created_at.min(msg.at);
        let started = is_new || th.participants.is_empty();
        let joined = !th.participants.iter().any(|p| p.member == author);
        // Co-participants: the most recent few get a weak tie.
        let mut co: Vec<Participation> = th
            .participants
            .iter()
            .copied()
            .filter(|p| p.member != author)
            .collect();
        co.sort_by_key(|p| std::cmp::Reverse(p.last_at));
        co.truncate(8);
        match th.participants.iter_mut().find(|p| p.member == author) {
            Some(p) => {
                p.last_at = p.last_at.max(msg.at);
                p.messages += 1;
            }
            None => th.participants.push(Participation {
                member: author,
                last_at: msg.at,
                messages: 1,
            }),
        }
        self.index_thread_terms(tix, &entered);
        self.activity.push(tix);

        let kind = if started {
            EventKind::Wrote
        } else {
            EventKind::Replied
        };
        let w = if started {
            c.weight_wrote
        } else {
            c.weight_replied
        };
        let mut ctx = self.threads[tix as usize].content.w.clone();
        sparse::normalise(&mut ctx);
        let add = sparse::merge_add(&mv, c.own_text_share, &ctx, 1.0 - c.own_text_share);
        self.apply_to_profile(author, tix, kind, &add, w, msg.at, true);
        let me = &mut self.members[author as usize];
        me.own.add(
            &mv,
            1.0,
            msg.at,
            c.own_words_half_life_days,
            c.terms_per_member,
        );
        me.pace.add(1.0, msg.at, PACE_HALF_LIFE_DAYS);
        me.last_posted = me.last_posted.max(msg.at);
        if !started && joined {
            let opening = &self.threads[tix as usize].opening;
            self.members[author as usize].answered.add(
                opening,
                1.0,
                msg.at,
                c.own_words_half_life_days,
                c.terms_per_member,
            );
        }

        for &who in msg.mentions {
            if who != msg.author {
                let w = self.member(who);
                self.members[w as usize].mentioned.insert(tix);
            }
        }
        // Ties: the one answered counts most; co-participants a little.
        let replied = msg
            .reply_to
            .and_then(|r| self.member_ix.get(&r).copied())
            .filter(|&r| r != author);
        if let Some(r) = replied {
            self.tie(author, r, 1.0, msg.at);
        }
        for p in co {
            if Some(p.member) != replied {
                self.tie(author, p.member, 0.25, msg.at);
            }
        }
    }

    /// Records, as of `msg.at` and before the message is added, the signals
    /// of the thread it joins (a positive) and of the most recently active
    /// threads its author had not posted in (negatives). Only for a member
    /// with a history joining a thread that already exists, and only for
    /// messages in time order (an old archive imported late would teach the
    /// model with hindsight).
    fn sample_join(&mut self, msg: &MessageInput<'_>) {
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

    fn tie(&mut self, a: u32, b: u32, w: f32, at: i64) {
        let hl = self.config.tie_half_life_days;
        self.members[a as usize]
            .ties
            .entry(b)
            .or_default()
            .add(w, at, hl);
        self.members[b as usize]
            .ties
            .entry(a)
            .or_default()
            .add(w, at, hl);
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_to_profile(
        &mut self,
        m: u32,
        tix: u32,
        kind: EventKind,
        v: &Sparse,
        w: f32,
        at: i64,
        posted: bool,
    ) {
        let (hl, cap) = (
            self.config.profile_half_life_days,
            self.config.terms_per_member,
        );
        let ms = &mut self.members[m as usize];
        let entered = ms.profile.add(v, w, at, hl, cap);
        ms.events += 1;
        ms.recent.push_back((tix, kind, at));
        if ms.recent.len() > RECENT_EVENTS {
            ms.recent.pop_front();
        }
        let a = ms.threads.entry(tix).or_insert(Affinity {
            posted: false,
            kind,
            w: Decayed::default(),
        });
        a.posted |= posted;
        if rank_kind(kind) < rank_kind(a.kind) {
            a.kind = kind;
        }
        a.w.add(w, at, hl);
        for t in entered {
            self.term_members[t as usize].push(m);
        }
    }

    /// Adds a reaction, vote or read of `thread` by `member` at `at`. Unknown
    /// threads are ignored (a read of something never imported says nothing).
    pub fn add_event(&mut self, member: MemberId, thread: ThreadId, kind: EventKind, at: i64) {
        let Some(&tix) = self.thread_ix.get(&thread) else {
            return;
        };
        let m = self.member(member);
        let w = match kind {
            EventKind::Wrote => self.config.weight_wrote,
            EventKind::Replied => self.config.weight_replied,
            EventKind::Reacted => self.config.weight_reacted,
            EventKind::Read => self.config.weight_read,
        };
        let mut v = self.threads[tix as usize].content.w.clone();
        sparse::normalise(&mut v);
        let posted = matches!(kind, EventKind::Wrote | EventKind::Replied);
        self.apply_to_profile(m, tix, kind, &v, w, at, posted);
    }

    /// Forgets every member's muted topics: an engine read back from disk then takes the
    /// mutes from the store, where some may have been lifted since it was saved.
    pub fn clear_mutes(&mut self) {
        for m in &mut self.members {
            m.muted.clear();
        }
    }

    /// Records feedback. "Not interested" removes the thread, remembers its
    /// content as a negative direction and takes half of its weight out of
    /// the member's profile, so similar threads fall too.
    pub fn add_feedback(&mut self, member: MemberId, feedback: Feedback) {
        let m = self.member(member);
        match feedback {
            Feedback::MuteTopic { topic } => {
                let ms = &mut self.members[m as usize];
                if !ms.muted.contains(&topic) {
                    ms.muted.push(topic);
                }
            }
            Feedback::UnmuteTopic { topic } => {
                self.members[m as usize].muted.retain(|t| *t != topic)
            }
            Feedback::NotInterested { thread } => {
                let Some(&tix) = self.thread_ix.get(&thread) else {
                    return;
                };
                // Said twice (or applied again to an engine read back from disk), it
                // counts once.
                if self.members[m as usize].dismissed.contains(&tix) {
                    return;
                }
                let mut v = self.threads[tix as usize].content.w.clone();
                sparse::normalise(&mut v);
                let ms = &mut self.members[m as usize];
                ms.dismissed.insert(tix);
                ms.negative = sparse::merge_add(&ms.negative, 1.0, &v, 1.0);
                sparse::prune(&mut ms.negative, 256);
                let pn = sparse::norm(&ms.profile.w);
                let mut p = sparse::merge_add(&ms.profile.w, 1.0, &v, -0.5 * pn);
                p.retain(|e| e.1 > 0.0);
                ms.profile.w = p;
            }
        }
    }

    fn idf(&self, t: u32) -> f32 {
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

    fn weighted_vec(&self, v: &[(u32, f32)]) -> Sparse {
        let mut out: Sparse = v.iter().map(|&(t, w)| (t, w * self.idf(t))).collect();
        sparse::normalise(&mut out);
        out
    }

    fn query_ctx(&self, member: MemberId, now: i64) -> QueryCtx {
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
    fn hot_at(&self, tix: u32, now: i64) -> f32 {
        let th = &self.threads[tix as usize];
        let hot_hl = (self.config.hot_half_life_hours * 3_600_000.0).max(1.0);
        (th.hot.max(1e-6).log2() - ((now - th.last_activity).max(0) as f64 / hot_hl) as f32)
            .max(HOT_FLOOR)
    }

    /// Cosine between a query map (unit) and a thread's idf-weighted content.
    fn sim_map(&self, q: &FxHashMap<u32, f32>, tix: u32) -> f32 {
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

    fn signals(&self, q: &QueryCtx, tix: u32, now: i64) -> Signals {
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

    fn score(&self, q: &QueryCtx, tix: u32, now: i64, s: &Signals) -> f32 {
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

    fn features_ix(&self, q: &QueryCtx, tix: u32, now: i64, s: &Signals) -> FeatureVector {
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

    /// Cosine between a query map (unit) and an unweighted sparse vector, idf-weighted.
    fn sim_sparse(&self, q: &FxHashMap<u32, f32>, v: &[(u32, f32)]) -> f32 {
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
    fn candidates(&self, q: &QueryCtx, now: i64) -> Vec<u32> {
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

fn rank_kind(k: EventKind) -> u8 {
    match k {
        EventKind::Wrote => 0,
        EventKind::Replied => 1,
        EventKind::Reacted => 2,
        EventKind::Read => 3,
    }
}

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

mod config;
mod feed;
mod learning;
mod peers;
mod scoring;
mod types;
mod update;

pub use config::Config;
pub use learning::{BUILD_SAMPLED_MESSAGES, FEATURE_COUNT, FEATURE_NAMES, FeatureVector};
pub use types::{EventKind, Feed, FeedItem, FeedOptions, Feedback, MessageInput, Peer, Reason};

use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::sparse::{Decayed, DecayedVec, Sparse};
use crate::text::Vocab;
use crate::{MemberId, ThreadId, TopicId};

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

/// Half-life of a member's pace (decayed count of their posts), in days.
const PACE_HALF_LIFE_DAYS: f64 = 7.0;

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
}

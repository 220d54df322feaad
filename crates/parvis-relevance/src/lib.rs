//! # parvis-relevance — hyper-relevance as pure computations
//!
//! *Hyper-relevance* (seed 000) is what concerns exactly this person at this
//! moment, built with peers who share the same current concerns. This crate
//! computes it, with no I/O except [`eval`], which reads mbox folders to
//! measure how good the ranking is.
//!
//! * [`Engine`] — decaying interest profiles, the per-member feed
//!   ([`Engine::feed`], [`Engine::rank_feed`]), feedback (mute a topic, "not
//!   interested") and peers ([`Engine::peers`]).
//! * [`matching`] — one-to-one meetings or tables of 4–6 for an event
//!   session, under "do not match me", "already met" and one match per person
//!   per slot.
//! * [`intro`] — warm-introduction chains through consenting intermediaries
//!   (Yen's k shortest loopless paths over `-ln(strength)`).
//! * [`learn`] — the space's own scorer, fitted listwise to the joins the
//!   engine saw (which of the candidates of that moment was joined).
//! * [`eval`] — an offline, leakage-free evaluation of the feed against
//!   three baselines (`most_recent`, `most_active`, `hot`) on any folder of
//!   mbox files.
//!
//! ## Entry points the app calls
//!
//! ```text
//! Engine::new(Config) / Config::default() / Config::mailing_list()
//! Engine::add_message(&MessageInput { thread, author, at, text, title, topics, reply_to, mentions })
//! Engine::add_event(MemberId, ThreadId, EventKind::{Reacted, Read, ..}, at)
//! Engine::add_feedback(MemberId, Feedback::{MuteTopic, UnmuteTopic, NotInterested})
//! Engine::learn() -> Option<&learn::Fit>      (fit the scorer to the history seen so far)
//! Engine::declare_topics(MemberId, &[TopicId]) / Engine::set_thread_topics(ThreadId, &[TopicId], at)
//! Engine::feed(MemberId, now, &FeedOptions) -> Feed { items: Vec<FeedItem>, starter }
//! Engine::rank_feed(MemberId, now, &[ThreadId], &FeedOptions) -> Vec<FeedItem>
//! Engine::peers(MemberId, now, k) -> Vec<Peer>
//! Engine::interests(MemberId, now, n) -> Vec<(String, f32)>
//! matching::plan(&[Participant], &MatchRequest) -> MatchPlan   (+ matching::violations)
//! intro::InteractionGraph::{add, intro_paths(from, to, &consenting, now, k, max_hops)}
//! eval::evaluate_feed(&Path) -> Result<EvalReport, RelevanceError>
//! ```
//!
//! ## Design decisions
//!
//! * **Decay without rebuilding.** Every profile, tie and momentum is an
//!   exponentially decayed sum stored *as of its last update*; its value at
//!   any `now` is one multiplication ([`sparse`]). Adding an event costs the
//!   size of one vector, whatever the history length, and `now` is a
//!   parameter of every query, which is what makes the evaluation honest
//!   (ask "as of the cut-off") and the tests deterministic.
//! * **Topics are terms.** A declared topic is interned as a pseudo-term, so
//!   it takes part in similarities like any word and can be named as a shared
//!   subject without a second code path.
//! * **Candidates before scores.** A feed query never scores every thread:
//!   it walks the inverted index (term → threads) from the tail for the
//!   member's heaviest terms, adds threads where their close peers are active
//!   and the most recently active threads, then scores that pool exactly and
//!   diversifies the page with MMR plus a per-topic cap. Peers are found the
//!   same way (term → members, co-participation ties).
//! * **idf at query time.** Document frequencies grow with the data; they are
//!   applied when scoring rather than baked into stored vectors, so stored
//!   vectors never go stale.
//! * **Ids are the caller's.** [`MemberId`], [`ThreadId`] and [`TopicId`]
//!   wrap the `i64` ids of the store; the engine maps them to dense indexes.

#![forbid(unsafe_code)]

pub mod engine;
pub mod eval;
pub mod intro;
pub mod learn;
pub mod matching;
pub mod persist;
pub mod sparse;
pub mod text;

pub use engine::{
    Config, Engine, EventKind, Feed, FeedItem, FeedOptions, Feedback, MessageInput, Peer, Reason,
};
pub use eval::{EvalOptions, EvalReport, MethodScore, evaluate_feed};

/// A member, by the store's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct MemberId(pub i64);

/// A thread, by the store's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ThreadId(pub i64);

/// A declared topic, by the store's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct TopicId(pub i64);

/// Errors of this crate (the evaluation reads files; a saved engine is read back).
#[derive(Debug, thiserror::Error)]
pub enum RelevanceError {
    /// The export could not be opened.
    #[error("cannot read the corpus: {0}")]
    Import(#[from] parvis_import::ImportError),
    /// The folder holds no mbox file (empty, or other kinds of files): what
    /// it found and what the evaluation needs.
    #[error("{0}")]
    NoMbox(String),
    /// Not enough data to evaluate anything.
    #[error("not enough data to evaluate: {0}")]
    NotEnoughData(String),
    /// A saved engine that cannot be used: another format, another configuration, or bytes
    /// that do not decode (the caller builds the engine again).
    #[error("saved feed engine not usable: {0}")]
    Snapshot(String),
}

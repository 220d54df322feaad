//! What the engine takes in and gives back: events, messages, feedback, feed items and peers.

use crate::{MemberId, ThreadId, TopicId};

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

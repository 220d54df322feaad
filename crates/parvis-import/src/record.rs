//! The normalised records every format produces.

use std::path::PathBuf;

use crate::error::{ItemError, Position};

/// A person as a channel shows them. Nothing here is verified: the identity
/// module decides what can be merged.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportedPerson {
    /// Channel the person was seen on (same vocabulary as [`ImportedMessage::channel`]).
    pub channel: String,
    /// The channel's stable handle: username, account URI, e-mail address, or
    /// the display name when the channel has nothing better (blog commenters).
    pub handle: String,
    /// Name as displayed.
    pub display_name: String,
    /// E-mail address, un-obfuscated but otherwise as given (see
    /// [`crate::identity::normalise_email`] to compare).
    pub email: Option<String>,
    /// Profile or home page URL.
    pub profile_url: Option<String>,
    /// Other profiles this person declares as theirs (Mastodon profile
    /// fields, jsonl `links`): an explicit link is an exact identity signal.
    pub links: Vec<String>,
}

/// One message of a conversation: a post, a comment, an e-mail, a chat message, a status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportedMessage {
    /// Channel: "wordpress", "disqus", "rss", "email", "mastodon", "discourse",
    /// "slack", "twitter", "linkedin", or what a jsonl line says.
    pub channel: String,
    /// The channel's own stable id for this message (Message-ID, comment id,
    /// status URI, tweet id…): `(channel, source_id)` deduplicates re-imports.
    pub source_id: String,
    /// Names the thread: the `source_id` of its root message (equal to
    /// `source_id` for a root). It may name a thread with no message of its
    /// own in the import: a Disqus page (`disqus-thread:{id}`), the LinkedIn
    /// post a comment answers, someone else's status a reply answers. For
    /// X/Twitter, whose archive carries no conversation id, a reply's thread
    /// is its parent (follow `parent_source_id` to find the root).
    pub thread_source_id: String,
    /// `source_id` of the message this one answers, if any. It may name a
    /// message that is not in the import (a reply to someone else's post).
    pub parent_source_id: Option<String>,
    /// Title of the thread (post title, subject, topic title), when known.
    pub thread_title: Option<String>,
    /// Public URL of this message, when the channel has one. Absolute,
    /// except for Discourse, whose topic JSON does not name its host: there
    /// it is relative to the forum (`/t/{slug}/{topic}/{post number}`).
    pub url: Option<String>,
    /// Who wrote it.
    pub author: ImportedPerson,
    /// Creation time, milliseconds since the Unix epoch, UTC.
    pub created_at: i64,
    /// Plain text, always present: the text the channel stores, or, for
    /// formats that store HTML, a tag-stripped rendering of `body_html`.
    pub body_text: String,
    /// The HTML as the channel stores it (WXR, Disqus, feeds, Mastodon,
    /// Discourse `cooked`, jsonl `html`); `None` for plain-text channels
    /// (mail, Slack, X, LinkedIn). It is NOT sanitised: sanitise before display.
    pub body_html: Option<String>,
    /// Language tag (BCP 47) when the source declares one.
    pub lang: Option<String>,
}

/// An item deliberately not imported, with the reason (counted, not an error).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skip {
    /// File the item was in.
    pub file: PathBuf,
    /// Where it starts.
    pub position: Position,
    /// Why it was skipped, in a stable code that summaries count and pages translate.
    pub kind: SkipKind,
    /// The details in English, for logs ("post 12: deleted or hidden", "notice (channel_join)").
    pub reason: String,
}

/// Why an item was left out: a closed set, so that an import's summary counts a handful of
/// reasons (not one line per deleted post) and each page says them in its reader's language
/// (`import_skip_<code>` in the web's Fluent files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// Deleted, hidden or trashed at the source.
    Deleted,
    /// Marked as spam at the source.
    Spam,
    /// Waiting for approval at the source (an unapproved comment).
    Unapproved,
    /// Not published at the source (a draft, a private or scheduled post).
    NotPublished,
    /// Not a conversation: attachments, pingbacks, small actions, whispers, other activity types.
    NotAConversation,
    /// A channel notice (someone joined or left, a topic changed).
    Notice,
    /// A private or direct message: never imported into a space.
    DirectMessage,
    /// A share of someone else's post (a boost, a retweet).
    Share,
    /// A comment under a post that was itself left out.
    UnderSkippedPost,
    /// The same id twice in the input: the first copy is kept.
    Duplicate,
    /// An item that could not be read (counted as an error too).
    Unreadable,
    /// A file of a folder that is not in the format read (a downloaded mail archive's
    /// `index.html` beside its months).
    OtherFile,
}

impl SkipKind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [SkipKind; 12] = [
        SkipKind::Deleted,
        SkipKind::Spam,
        SkipKind::Unapproved,
        SkipKind::NotPublished,
        SkipKind::NotAConversation,
        SkipKind::Notice,
        SkipKind::DirectMessage,
        SkipKind::Share,
        SkipKind::UnderSkippedPost,
        SkipKind::Duplicate,
        SkipKind::Unreadable,
        SkipKind::OtherFile,
    ];

    /// The stable code (`deleted`, `direct_message`…).
    pub fn code(self) -> &'static str {
        match self {
            SkipKind::Deleted => "deleted",
            SkipKind::Spam => "spam",
            SkipKind::Unapproved => "unapproved",
            SkipKind::NotPublished => "not_published",
            SkipKind::NotAConversation => "not_a_conversation",
            SkipKind::Notice => "notice",
            SkipKind::DirectMessage => "direct_message",
            SkipKind::Share => "share",
            SkipKind::UnderSkippedPost => "under_skipped_post",
            SkipKind::Duplicate => "duplicate",
            SkipKind::Unreadable => "unreadable",
            SkipKind::OtherFile => "other_file",
        }
    }

    /// The kind of a [`SkipKind::code`].
    pub fn from_code(code: &str) -> Option<SkipKind> {
        SkipKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What the code means, in English (the CLI's summary).
    pub fn describe(self) -> &'static str {
        match self {
            SkipKind::Deleted => "deleted or hidden at the source",
            SkipKind::Spam => "marked as spam",
            SkipKind::Unapproved => "waiting for approval",
            SkipKind::NotPublished => "not published (draft, private, scheduled)",
            SkipKind::NotAConversation => "not a conversation (attachment, pingback, small action)",
            SkipKind::Notice => "channel notice (joined, left, topic changed)",
            SkipKind::DirectMessage => "direct or private message",
            SkipKind::Share => "share of someone else's post (boost, retweet)",
            SkipKind::UnderSkippedPost => "comment under a post left out",
            SkipKind::Duplicate => "same id twice in the input",
            SkipKind::Unreadable => "unreadable",
            SkipKind::OtherFile => "file of the folder in another format (an archive's index page)",
        }
    }
}

/// What the stream yields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[allow(clippy::large_enum_variant)]
pub enum Record {
    /// A message to store.
    Message(ImportedMessage),
    /// A person described by the export itself (account owner, user list,
    /// actor) with their profile links, useful to identity resolution even
    /// when they wrote nothing in this import.
    Person(ImportedPerson),
    /// An item seen and deliberately left out.
    Skipped(Skip),
}

/// Running totals over a stream, so a caller can reconcile what was seen
/// with what was written: `messages + people + skipped + errors` is every
/// item the parsers looked at (fatal errors count once each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// `Record::Message` count.
    pub messages: u64,
    /// `Record::Person` count.
    pub people: u64,
    /// `Record::Skipped` count.
    pub skipped: u64,
    /// Item errors (including fatal ones).
    pub errors: u64,
    /// Of `errors`, how many abandoned the rest of a file.
    pub fatal: u64,
}

impl Tally {
    /// Adds one stream item to the totals.
    pub fn add(&mut self, item: &Result<Record, ItemError>) {
        match item {
            Ok(Record::Message(_)) => self.messages += 1,
            Ok(Record::Person(_)) => self.people += 1,
            Ok(Record::Skipped(_)) => self.skipped += 1,
            Err(e) => {
                self.errors += 1;
                if e.fatal {
                    self.fatal += 1;
                }
            }
        }
    }
    /// Every item seen.
    pub fn total(&self) -> u64 {
        self.messages + self.people + self.skipped + self.errors
    }
}

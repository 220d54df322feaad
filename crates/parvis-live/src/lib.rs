//! Parvis live debate room: the state machine of one room, pure and without I/O.
//!
//! Design decisions:
//! - **Commands in, events out.** A person ([`Actor`]) sends a [`Command`]; [`Room::handle`]
//!   checks it against the room's state and the person's role and either refuses it with a
//!   [`Refusal`] (a stable code and a clear message) or turns it into an [`Event`] numbered by
//!   the room's sequence and applies it. The event is the command as it was accepted (who,
//!   when, what), so [`Room::apply`] replays it identically: the store keeps the ordered events
//!   and a room is rebuilt by replaying them (on start, on reconnect, on another instance).
//! - **Ids come from the order of events** (the n-th question asked is question n), which is
//!   what makes replay deterministic without storing ids separately.
//! - **Snapshot, then deltas.** A client gets [`Room::snapshot`] (everything, with the
//!   sequence number and what it did itself), then [`Room::delta`] views of only what changed
//!   ([`Touch`]) — computed once per audience (participants, moderators), not per client, so a
//!   room of thousands serialises each change twice.
//! - **Two audiences.** Moderators see questions awaiting approval, hidden ones, hidden cloud
//!   words, poll results before closing, the fairness panel and the moderators' notes;
//!   participants do not.
//! - **Fairness is pure arithmetic** in [`fairness`], fed the turns.
//! - **One order for questions** ([`order`]): pinned first, then by votes or by time, used by
//!   the snapshots, the API and the closing draft alike.

pub mod fairness;
pub mod order;
pub mod polls;
mod room;
pub mod view;

pub use order::QuestionSort;
pub use polls::{PollAnswer, PollKind};
pub use room::{Note, Question, Room};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who acts: a stable key (`m:12` for a member, `v:…` for a registered visitor), the name
/// shown, and whether they act as a moderator of this room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub moderator: bool,
}

/// A room's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Settings {
    /// Participants may ask without their name shown.
    pub anonymous_questions: bool,
    /// Questions wait for a moderator's approval before they are shown.
    pub approval_required: bool,
    /// A speaker over this many times the fair share is flagged (default 1.5).
    pub budget_factor: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            anonymous_questions: false,
            approval_required: false,
            budget_factor: 1.5,
        }
    }
}

/// How someone got the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerKind {
    /// From the raised-hands queue (`to` is their key).
    Queue,
    /// An invited speaker (`to` is their key, see [`Command::Invite`]).
    Invited,
    /// Someone in the room without a device: a registrant or a named guest (`name`).
    Guest,
    /// The moderator takes the floor themselves.
    Moderator,
}

/// Everything a person can ask the room to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    /// Ask a question (1–500 characters).
    Ask {
        text: String,
        #[serde(default)]
        anonymous: bool,
    },
    /// Upvote a question (one vote per person).
    Upvote { question: u64 },
    /// Take one's vote back.
    Unvote { question: u64 },
    /// Moderator: show a question that awaited approval.
    Approve { question: u64 },
    /// Moderator: pin (highlight) a question, or unpin it.
    Pin { question: u64, pinned: bool },
    /// Moderator: mark a question answered.
    Answered { question: u64 },
    /// Moderator: reply in writing (1–1000 characters).
    Reply { question: u64, text: String },
    /// Moderator: hide a question from participants.
    Hide { question: u64 },
    /// Moderator: merge `question` into `into` (votes combine, authors all credited).
    Merge { question: u64, into: u64 },
    /// Moderator: launch a poll.
    OpenPoll {
        title: String,
        kind: PollKind,
        /// Results stay hidden from participants until the poll closes.
        #[serde(default)]
        hide_results: bool,
    },
    /// Moderator: close a poll (its results become visible).
    ClosePoll { poll: u64 },
    /// Answer an open poll (answering again replaces one's answer).
    Answer { poll: u64, answer: PollAnswer },
    /// Moderator: hide a word of a word cloud.
    HideWord { poll: u64, word: String },
    /// Raise one's hand (joins the end of the queue).
    RaiseHand,
    /// Lower one's hand; a moderator may lower someone else's (`who`).
    LowerHand {
        #[serde(default)]
        who: Option<String>,
    },
    /// Moderator: declare an invited speaker (counts in the fair share even before speaking).
    Invite { key: String, name: String },
    /// Moderator: give the floor (ends the running turn).
    GiveFloor {
        kind: SpeakerKind,
        /// The speaker's key (queue, invited); ignored for a guest and the moderator.
        #[serde(default)]
        to: Option<String>,
        /// A guest's name.
        #[serde(default)]
        name: Option<String>,
    },
    /// Moderator: take the floor back (ends the running turn, nobody speaks).
    EndTurn,
    /// Moderator: the current agenda item and when its time ends (Unix ms).
    Agenda {
        item: String,
        #[serde(default)]
        ends_at: Option<i64>,
    },
    /// Moderator: change the room's settings.
    Configure { settings: Settings },
    /// Moderator: take a note for the closing report (1–1000 characters), seen by moderators
    /// only; it records the agenda item running when it was taken.
    Note { text: String },
}

impl Command {
    /// Whether only a moderator may send it.
    pub fn moderator_only(&self) -> bool {
        !matches!(
            self,
            Command::Ask { .. }
                | Command::Upvote { .. }
                | Command::Unvote { .. }
                | Command::Answer { .. }
                | Command::RaiseHand
                | Command::LowerHand { who: None }
        )
    }

    /// The name of the action, as in the JSON (`ask`, `upvote`…).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Ask { .. } => "ask",
            Command::Upvote { .. } => "upvote",
            Command::Unvote { .. } => "unvote",
            Command::Approve { .. } => "approve",
            Command::Pin { .. } => "pin",
            Command::Answered { .. } => "answered",
            Command::Reply { .. } => "reply",
            Command::Hide { .. } => "hide",
            Command::Merge { .. } => "merge",
            Command::OpenPoll { .. } => "open_poll",
            Command::ClosePoll { .. } => "close_poll",
            Command::Answer { .. } => "answer",
            Command::HideWord { .. } => "hide_word",
            Command::RaiseHand => "raise_hand",
            Command::LowerHand { .. } => "lower_hand",
            Command::Invite { .. } => "invite",
            Command::GiveFloor { .. } => "give_floor",
            Command::EndTurn => "end_turn",
            Command::Agenda { .. } => "agenda",
            Command::Configure { .. } => "configure",
            Command::Note { .. } => "note",
        }
    }
}

/// An accepted command, numbered: what the store keeps and replays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    /// When it was accepted (Unix ms).
    pub at: i64,
    pub actor: Actor,
    pub command: Command,
}

/// What part of the room an event changed (drives deltas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Touch {
    Question(u64),
    Poll(u64),
    Hands,
    Floor,
    Agenda,
    Settings,
    /// A moderators' note (never sent to participants).
    Note(u64),
}

/// Why a command was refused: a stable `code` and a message for the person.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("only a moderator can {0}")]
    NotModerator(&'static str),
    #[error("there is no question {0}")]
    NoSuchQuestion(u64),
    #[error("there is no poll {0}")]
    NoSuchPoll(u64),
    #[error("you have already voted for question {0}")]
    AlreadyVoted(u64),
    #[error("you have not voted for question {0}")]
    NotVoted(u64),
    #[error("question {0} is hidden")]
    QuestionHidden(u64),
    #[error("question {0} awaits a moderator's approval")]
    AwaitingApproval(u64),
    #[error("question {0} was merged into question {1}")]
    Merged(u64, u64),
    #[error("a question cannot be merged into itself")]
    SelfMerge,
    #[error("poll {0} is closed")]
    PollClosed(u64),
    #[error("{0}")]
    BadPoll(String),
    #[error("{0}")]
    BadAnswer(String),
    #[error("anonymous questions are not allowed in this room")]
    AnonymousNotAllowed,
    #[error("your hand is already raised")]
    HandAlreadyRaised,
    #[error("this hand is not raised")]
    HandNotRaised,
    #[error("{0} is not an invited speaker")]
    NotInvited(String),
    #[error("{0}: {1}")]
    BadText(&'static str, String),
    #[error("nobody has the floor")]
    NobodyHasTheFloor,
}

impl Refusal {
    /// A stable, machine-readable code (documented in docs/LIVE.md).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotModerator(_) => "not_moderator",
            Refusal::NoSuchQuestion(_) => "no_such_question",
            Refusal::NoSuchPoll(_) => "no_such_poll",
            Refusal::AlreadyVoted(_) => "already_voted",
            Refusal::NotVoted(_) => "not_voted",
            Refusal::QuestionHidden(_) => "question_hidden",
            Refusal::AwaitingApproval(_) => "awaiting_approval",
            Refusal::Merged(..) => "question_merged",
            Refusal::SelfMerge => "self_merge",
            Refusal::PollClosed(_) => "poll_closed",
            Refusal::BadPoll(_) => "bad_poll",
            Refusal::BadAnswer(_) => "bad_answer",
            Refusal::AnonymousNotAllowed => "anonymous_not_allowed",
            Refusal::HandAlreadyRaised => "hand_already_raised",
            Refusal::HandNotRaised => "hand_not_raised",
            Refusal::NotInvited(_) => "not_invited",
            Refusal::BadText(..) => "bad_text",
            Refusal::NobodyHasTheFloor => "nobody_has_the_floor",
        }
    }

    /// The field the refusal is about, when there is one (for forms and problem+json).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::BadText(f, _) => Some(f),
            Refusal::BadAnswer(_) => Some("answer"),
            Refusal::BadPoll(_) => Some("kind"),
            _ => None,
        }
    }
}

/// Check a free text: trimmed, 1–`max` characters, no control characters.
pub(crate) fn text(field: &'static str, s: &str, max: usize) -> Result<String, Refusal> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Refusal::BadText(field, "must not be empty".into()));
    }
    if t.chars().count() > max {
        return Err(Refusal::BadText(field, format!("at most {max} characters")));
    }
    if !parvis_domain::hygiene::is_clean(t) {
        return Err(Refusal::BadText(
            field,
            "contains control characters".into(),
        ));
    }
    Ok(t.to_string())
}

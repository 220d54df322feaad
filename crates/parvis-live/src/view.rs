//! What clients see: a snapshot, then deltas, per audience.

use crate::fairness::{Fairness, TurnSpan, fairness};
use crate::order::{QuestionSort, order_questions};
use crate::polls::{PollKind, PollResults, results};
use crate::room::{Note, Poll, Question, Room, Turn};
use crate::{PollAnswer, Settings, SpeakerKind, Touch};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Audience {
    Participant,
    Moderator,
}

/// A question as shown. For participants, a question that stopped being visible (hidden,
/// merged, not approved) is sent as a tombstone: `gone: true` and no text.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct QuestionView {
    pub id: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gone: bool,
    pub text: String,
    /// Names of the credited authors who did not ask anonymously.
    pub authors: Vec<String>,
    /// How many credited authors asked anonymously.
    pub anonymous_authors: u32,
    pub votes: u32,
    pub asked_at: i64,
    pub approved: bool,
    pub pinned: bool,
    pub answered: bool,
    pub hidden: bool,
    pub reply: Option<String>,
    pub merged_into: Option<u64>,
}

/// A poll as shown; `results` is absent while they are hidden from this audience.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct PollView {
    pub id: u64,
    pub title: String,
    pub kind: PollKind,
    pub hide_results: bool,
    pub open: bool,
    pub opened_at: i64,
    pub results: Option<PollResults>,
}

/// A raised hand.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct HandView {
    pub key: String,
    pub name: String,
    pub raised_at: i64,
}

/// Who has the floor.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FloorView {
    pub key: String,
    pub name: String,
    pub kind: SpeakerKind,
    /// When the turn began (Unix ms); the timer runs from here.
    pub started_at: i64,
    pub agenda_item: Option<String>,
}

/// The current agenda item.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct AgendaView {
    pub item: String,
    /// When its time ends (Unix ms), if set.
    pub ends_at: Option<i64>,
}

/// A moderators' note (moderators only).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct NoteView {
    pub id: u64,
    pub text: String,
    /// Who took it.
    pub author: String,
    /// When (Unix ms).
    pub at: i64,
    /// The agenda item running when it was taken.
    pub agenda_item: Option<String>,
}

/// What the client itself did (its votes, answers, hand), so its buttons show right.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct MeView {
    pub key: String,
    pub moderator: bool,
    pub voted: Vec<u64>,
    pub answers: BTreeMap<u64, PollAnswer>,
    pub hand_raised: bool,
}

/// Everything, at `seq`.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Snapshot {
    pub seq: u64,
    /// The server's clock (Unix ms), for timers.
    pub now: i64,
    pub settings: Settings,
    pub agenda: Option<AgendaView>,
    /// Pinned first, then most votes (equal votes: the older first) unless the reader asked
    /// for another order (see [`crate::order`]).
    pub questions: Vec<QuestionView>,
    pub polls: Vec<PollView>,
    pub hands: Vec<HandView>,
    pub floor: Option<FloorView>,
    /// Moderators only.
    pub fairness: Option<Fairness>,
    /// The moderators' notes, oldest first; absent for participants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<NoteView>>,
    pub me: MeView,
}

/// What changed up to `seq`; absent fields did not change. `floor: null` with
/// `floor_changed: true` means nobody has the floor now.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct Delta {
    pub seq: u64,
    pub now: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda: Option<AgendaView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub polls: Vec<PollView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hands: Option<Vec<HandView>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub floor_changed: bool,
    pub floor: Option<FloorView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fairness: Option<Fairness>,
    /// New moderators' notes (moderators only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteView>,
}

impl Room {
    /// The full state for `audience`, with what `me` did; questions in the default order
    /// ([`QuestionSort::Votes`]).
    pub fn snapshot(&self, audience: Audience, me: &str, now: i64) -> Snapshot {
        let moderator = audience == Audience::Moderator;
        let mut questions: Vec<QuestionView> = self
            .questions
            .values()
            .filter(|q| moderator || q.visible())
            .map(|q| question_view(q, audience))
            .collect();
        order_questions(&mut questions, QuestionSort::default());
        Snapshot {
            seq: self.seq,
            now,
            settings: self.settings.clone(),
            agenda: self.agenda_view(),
            questions,
            polls: self
                .polls
                .values()
                .map(|p| poll_view(p, audience))
                .collect(),
            hands: self.hand_views(),
            floor: self.floor().map(floor_view),
            fairness: moderator.then(|| self.fairness(now)),
            notes: moderator.then(|| self.notes.iter().map(note_view).collect()),
            me: MeView {
                key: me.to_string(),
                moderator,
                // Where the vote stands: a merged duplicate's voters count on the question
                // kept (and take their vote back there), not on the duplicate any more.
                voted: self
                    .questions
                    .values()
                    .filter(|q| q.merged_into.is_none() && q.voters.contains(me))
                    .map(|q| q.id)
                    .collect(),
                answers: self
                    .polls
                    .values()
                    .filter_map(|p| p.answers.get(me).map(|a| (p.id, a.clone())))
                    .collect(),
                hand_raised: self.hands.iter().any(|h| h.key == me),
            },
        }
    }

    /// The views of what `touched` names, for `audience`.
    pub fn delta<'a>(
        &self,
        touched: impl IntoIterator<Item = &'a Touch>,
        audience: Audience,
        now: i64,
    ) -> Delta {
        let mut d = Delta {
            seq: self.seq,
            now,
            floor: self.floor().map(floor_view),
            ..Delta::default()
        };
        for t in touched {
            match t {
                Touch::Question(id) => {
                    if let Some(q) = self.questions.get(id) {
                        d.questions.push(question_view(q, audience));
                    }
                }
                Touch::Poll(id) => {
                    if let Some(p) = self.polls.get(id) {
                        d.polls.push(poll_view(p, audience));
                    }
                }
                Touch::Hands => d.hands = Some(self.hand_views()),
                Touch::Floor => {
                    d.floor_changed = true;
                    if audience == Audience::Moderator {
                        d.fairness = Some(self.fairness(now));
                    }
                }
                Touch::Agenda => d.agenda = self.agenda_view(),
                Touch::Settings => d.settings = Some(self.settings.clone()),
                Touch::Note(id) => {
                    // Notes are the moderators' own: participants only see the sequence move.
                    if audience == Audience::Moderator {
                        let found = self.notes.iter().find(|n| n.id == *id);
                        d.notes.extend(found.map(note_view));
                    }
                }
            }
        }
        d
    }

    /// The fairness figures at `now`.
    pub fn fairness(&self, now: i64) -> Fairness {
        let mut people: Vec<(&str, &str)> = self
            .invited
            .iter()
            .map(|(k, n)| (k.as_str(), n.as_str()))
            .collect();
        let mut moderators: Vec<&str> = Vec::new();
        for t in &self.turns {
            if t.kind == SpeakerKind::Moderator {
                moderators.push(&t.key);
            } else {
                people.push((&t.key, &t.name));
            }
        }
        let spans: Vec<TurnSpan<'_>> = self
            .turns
            .iter()
            .map(|t| TurnSpan {
                speaker: &t.key,
                start: t.start,
                end: t.end,
            })
            .collect();
        fairness(
            &people,
            &moderators,
            &spans,
            now,
            self.settings.budget_factor,
        )
    }

    fn agenda_view(&self) -> Option<AgendaView> {
        self.agenda.as_ref().map(|(item, ends_at)| AgendaView {
            item: item.clone(),
            ends_at: *ends_at,
        })
    }

    fn hand_views(&self) -> Vec<HandView> {
        self.hands
            .iter()
            .map(|h| HandView {
                key: h.key.clone(),
                name: h.name.clone(),
                raised_at: h.raised_at,
            })
            .collect()
    }
}

fn question_view(q: &Question, audience: Audience) -> QuestionView {
    let gone = audience == Audience::Participant && !q.visible();
    QuestionView {
        id: q.id,
        gone,
        text: if gone { String::new() } else { q.text.clone() },
        authors: if gone {
            vec![]
        } else {
            q.authors
                .iter()
                .filter(|a| !a.2)
                .map(|a| a.1.clone())
                .collect()
        },
        anonymous_authors: if gone {
            0
        } else {
            q.authors.iter().filter(|a| a.2).count() as u32
        },
        votes: q.voters.len() as u32,
        asked_at: q.asked_at,
        approved: q.approved,
        pinned: q.pinned,
        answered: q.answered,
        hidden: q.hidden,
        reply: if gone { None } else { q.reply.clone() },
        merged_into: q.merged_into,
    }
}

fn poll_view(p: &Poll, audience: Audience) -> PollView {
    let moderator = audience == Audience::Moderator;
    let show = moderator || !p.hide_results || !p.open;
    PollView {
        id: p.id,
        title: p.title.clone(),
        kind: p.kind.clone(),
        hide_results: p.hide_results,
        open: p.open,
        opened_at: p.opened_at,
        results: show.then(|| results(&p.kind, p.answers.values(), &p.hidden_words, moderator)),
    }
}

fn note_view(n: &Note) -> NoteView {
    NoteView {
        id: n.id,
        text: n.text.clone(),
        author: n.author.clone(),
        at: n.at,
        agenda_item: n.agenda_item.clone(),
    }
}

fn floor_view(t: &Turn) -> FloorView {
    FloorView {
        key: t.key.clone(),
        name: t.name.clone(),
        kind: t.kind,
        started_at: t.start,
        agenda_item: t.agenda_item.clone(),
    }
}

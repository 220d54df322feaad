//! The room's state and its transitions.

use crate::polls::{PollAnswer, PollKind, fold_word};
use crate::{Actor, Command, Event, Refusal, Settings, SpeakerKind, Touch, text};
use std::collections::{BTreeMap, BTreeSet};

/// A question and everything done to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: u64,
    pub text: String,
    /// Everyone credited: the asker, then the authors of merged duplicates.
    /// `(key, name, anonymous)`.
    pub authors: Vec<(String, String, bool)>,
    /// Keys of the people who upvoted it (merged duplicates' voters included, once each).
    pub voters: BTreeSet<String>,
    pub asked_at: i64,
    pub approved: bool,
    pub pinned: bool,
    pub answered: bool,
    pub hidden: bool,
    pub reply: Option<String>,
    pub merged_into: Option<u64>,
}

impl Question {
    /// Shown to participants: approved, not hidden, not merged away.
    pub fn visible(&self) -> bool {
        self.approved && !self.hidden && self.merged_into.is_none()
    }
}

/// A poll and its answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub id: u64,
    pub title: String,
    pub kind: PollKind,
    pub hide_results: bool,
    pub open: bool,
    pub opened_at: i64,
    /// One answer per person (key), the latest.
    pub answers: BTreeMap<String, PollAnswer>,
    /// Folded cloud words a moderator hid.
    pub hidden_words: BTreeSet<String>,
}

/// A raised hand.
#[derive(Debug, Clone, PartialEq)]
pub struct Hand {
    pub key: String,
    pub name: String,
    pub raised_at: i64,
}

/// A turn at the floor.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub key: String,
    pub name: String,
    pub kind: SpeakerKind,
    pub start: i64,
    pub end: Option<i64>,
    pub agenda_item: Option<String>,
}

/// A moderators' note.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: u64,
    pub text: String,
    pub author: String,
    pub at: i64,
    pub agenda_item: Option<String>,
}

/// One live room.
#[derive(Debug, Clone, Default)]
pub struct Room {
    pub(crate) seq: u64,
    pub(crate) settings: Settings,
    pub(crate) questions: BTreeMap<u64, Question>,
    pub(crate) polls: BTreeMap<u64, Poll>,
    pub(crate) hands: Vec<Hand>,
    pub(crate) turns: Vec<Turn>,
    pub(crate) invited: Vec<(String, String)>,
    pub(crate) agenda: Option<(String, Option<i64>)>,
    pub(crate) notes: Vec<Note>,
}

impl Room {
    /// An empty room with these settings.
    pub fn new(settings: Settings) -> Room {
        Room {
            settings,
            ..Room::default()
        }
    }

    /// The sequence number of the last event applied.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A question by id.
    pub fn question(&self, id: u64) -> Option<&Question> {
        self.questions.get(&id)
    }

    /// Every turn, in order.
    pub fn turns(&self) -> &[Turn] {
        &self.turns
    }

    /// The raised hands, in order.
    pub fn hands(&self) -> &[Hand] {
        &self.hands
    }

    /// The moderators' notes, in the order they were taken.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// The running turn, if someone has the floor.
    pub fn floor(&self) -> Option<&Turn> {
        self.turns.last().filter(|t| t.end.is_none())
    }

    /// Every part of the room, as touches (to send the whole room again).
    pub fn touch_all(&self) -> Vec<Touch> {
        let mut all: Vec<Touch> = self.questions.keys().map(|q| Touch::Question(*q)).collect();
        all.extend(self.polls.keys().map(|p| Touch::Poll(*p)));
        all.extend([Touch::Hands, Touch::Floor, Touch::Agenda, Touch::Settings]);
        all.extend(self.notes.iter().map(|n| Touch::Note(n.id)));
        all
    }

    /// Check `command` from `actor` at `now`; if accepted, number it, apply it and return
    /// the event (to store and publish) with what it changed.
    pub fn handle(
        &mut self,
        actor: &Actor,
        command: Command,
        now: i64,
    ) -> Result<(Event, Vec<Touch>), Refusal> {
        let command = self.check(actor, command)?;
        let event = Event {
            seq: self.seq + 1,
            at: now,
            actor: actor.clone(),
            command,
        };
        let touched = self.apply(&event);
        Ok((event, touched))
    }

    /// Whether `actor` may do `command` now; returns it normalised (texts trimmed).
    pub fn check(&self, actor: &Actor, command: Command) -> Result<Command, Refusal> {
        if command.moderator_only() && !actor.moderator {
            return Err(Refusal::NotModerator(match &command {
                Command::GiveFloor { .. } => "give the floor",
                Command::EndTurn => "take the floor back",
                Command::LowerHand { .. } => "lower someone else's hand",
                Command::OpenPoll { .. } | Command::ClosePoll { .. } => "launch or close a poll",
                Command::Configure { .. } => "change the room's settings",
                Command::Approve { .. } => "approve a question",
                Command::Pin { .. } => "pin a question",
                Command::Answered { .. } => "mark a question answered",
                Command::Reply { .. } => "reply to a question",
                Command::Hide { .. } => "hide a question",
                Command::Merge { .. } => "merge questions",
                Command::HideWord { .. } => "hide a word of the cloud",
                Command::Invite { .. } => "invite a speaker",
                Command::Agenda { .. } => "set the agenda",
                Command::Note { .. } => "take a moderators' note",
                _ => "moderate",
            }));
        }
        Ok(match command {
            Command::Ask { text: t, anonymous } => {
                if anonymous && !self.settings.anonymous_questions {
                    return Err(Refusal::AnonymousNotAllowed);
                }
                Command::Ask {
                    text: text("text", &t, 500)?,
                    anonymous,
                }
            }
            Command::Upvote { question } => {
                let q = self.votable(question)?;
                if q.voters.contains(&actor.key) {
                    return Err(Refusal::AlreadyVoted(question));
                }
                command
            }
            Command::Unvote { question } => {
                let q = self.votable(question)?;
                if !q.voters.contains(&actor.key) {
                    return Err(Refusal::NotVoted(question));
                }
                command
            }
            Command::Approve { question }
            | Command::Pin { question, .. }
            | Command::Answered { question }
            | Command::Hide { question } => {
                self.existing(question)?;
                command
            }
            Command::Reply { question, text: t } => {
                self.existing(question)?;
                Command::Reply {
                    question,
                    text: text("text", &t, 1000)?,
                }
            }
            Command::Merge { question, into } => {
                if question == into {
                    return Err(Refusal::SelfMerge);
                }
                for id in [question, into] {
                    if let Some(to) = self.existing(id)?.merged_into {
                        return Err(Refusal::Merged(id, to));
                    }
                }
                command
            }
            Command::OpenPoll {
                title,
                kind,
                hide_results,
            } => {
                kind.check()?;
                let kind = match kind {
                    PollKind::Single { options } => PollKind::Single {
                        options: trimmed(options),
                    },
                    PollKind::Multiple { options } => PollKind::Multiple {
                        options: trimmed(options),
                    },
                    PollKind::Ranking { options } => PollKind::Ranking {
                        options: trimmed(options),
                    },
                    other => other,
                };
                Command::OpenPoll {
                    title: text("title", &title, 300)?,
                    kind,
                    hide_results,
                }
            }
            Command::ClosePoll { poll } => {
                if !self.poll(poll)?.open {
                    return Err(Refusal::PollClosed(poll));
                }
                command
            }
            Command::Answer { poll, ref answer } => {
                let p = self.poll(poll)?;
                if !p.open {
                    return Err(Refusal::PollClosed(poll));
                }
                answer.check(&p.kind)?;
                command
            }
            Command::HideWord { poll, word } => {
                self.poll(poll)?;
                Command::HideWord {
                    poll,
                    word: fold_word(&text("word", &word, 100)?),
                }
            }
            Command::RaiseHand => {
                if self.hands.iter().any(|h| h.key == actor.key) {
                    return Err(Refusal::HandAlreadyRaised);
                }
                command
            }
            Command::LowerHand { ref who } => {
                let key = who.as_deref().unwrap_or(&actor.key);
                if !self.hands.iter().any(|h| h.key == key) {
                    return Err(Refusal::HandNotRaised);
                }
                command
            }
            Command::Invite { key, name } => Command::Invite {
                key: text("key", &key, 100)?,
                name: text("name", &name, 100)?,
            },
            Command::GiveFloor { kind, to, name } => match kind {
                SpeakerKind::Queue => {
                    let key = to.unwrap_or_default();
                    if !self.hands.iter().any(|h| h.key == key) {
                        return Err(Refusal::HandNotRaised);
                    }
                    Command::GiveFloor {
                        kind,
                        to: Some(key),
                        name: None,
                    }
                }
                SpeakerKind::Invited => {
                    let key = to.unwrap_or_default();
                    if !self.invited.iter().any(|(k, _)| *k == key) {
                        return Err(Refusal::NotInvited(key));
                    }
                    Command::GiveFloor {
                        kind,
                        to: Some(key),
                        name: None,
                    }
                }
                SpeakerKind::Guest => Command::GiveFloor {
                    kind,
                    to: None,
                    name: Some(text("name", name.as_deref().unwrap_or(""), 100)?),
                },
                SpeakerKind::Moderator => Command::GiveFloor {
                    kind,
                    to: None,
                    name: None,
                },
            },
            Command::EndTurn => {
                if self.floor().is_none() {
                    return Err(Refusal::NobodyHasTheFloor);
                }
                command
            }
            Command::Agenda { item, ends_at } => Command::Agenda {
                item: text("item", &item, 300)?,
                ends_at,
            },
            Command::Configure { settings } => {
                if !(settings.budget_factor.is_finite()
                    && (1.0..=10.0).contains(&settings.budget_factor))
                {
                    return Err(Refusal::BadText(
                        "budget_factor",
                        "must be between 1 and 10".into(),
                    ));
                }
                Command::Configure { settings }
            }
            Command::Note { text: t } => Command::Note {
                text: text("text", &t, 1000)?,
            },
        })
    }

    fn existing(&self, id: u64) -> Result<&Question, Refusal> {
        self.questions.get(&id).ok_or(Refusal::NoSuchQuestion(id))
    }

    fn votable(&self, id: u64) -> Result<&Question, Refusal> {
        let q = self.existing(id)?;
        if let Some(to) = q.merged_into {
            return Err(Refusal::Merged(id, to));
        }
        if q.hidden {
            return Err(Refusal::QuestionHidden(id));
        }
        if !q.approved {
            return Err(Refusal::AwaitingApproval(id));
        }
        Ok(q)
    }

    fn poll(&self, id: u64) -> Result<&Poll, Refusal> {
        self.polls.get(&id).ok_or(Refusal::NoSuchPoll(id))
    }

    /// Apply an accepted event (from [`Room::handle`] or replayed from the store). Never
    /// fails: an event refers only to what existed when it was accepted.
    pub fn apply(&mut self, e: &Event) -> Vec<Touch> {
        self.seq = e.seq;
        let who = &e.actor;
        match &e.command {
            Command::Ask { text, anonymous } => {
                let id = self.questions.len() as u64 + 1;
                self.questions.insert(
                    id,
                    Question {
                        id,
                        text: text.clone(),
                        authors: vec![(who.key.clone(), who.name.clone(), *anonymous)],
                        voters: BTreeSet::new(),
                        asked_at: e.at,
                        approved: !self.settings.approval_required || who.moderator,
                        pinned: false,
                        answered: false,
                        hidden: false,
                        reply: None,
                        merged_into: None,
                    },
                );
                vec![Touch::Question(id)]
            }
            Command::Upvote { question } => self.with_q(*question, |q| {
                q.voters.insert(who.key.clone());
            }),
            Command::Unvote { question } => self.with_q(*question, |q| {
                q.voters.remove(&who.key);
            }),
            Command::Approve { question } => self.with_q(*question, |q| q.approved = true),
            Command::Pin { question, pinned } => self.with_q(*question, |q| q.pinned = *pinned),
            Command::Answered { question } => self.with_q(*question, |q| q.answered = true),
            Command::Hide { question } => self.with_q(*question, |q| q.hidden = true),
            Command::Reply { question, text } => {
                self.with_q(*question, |q| q.reply = Some(text.clone()))
            }
            Command::Merge { question, into } => {
                let Some(dup) = self.questions.get_mut(question) else {
                    return vec![];
                };
                dup.merged_into = Some(*into);
                let (authors, voters) = (dup.authors.clone(), dup.voters.clone());
                let mut touched = vec![Touch::Question(*question)];
                touched.extend(self.with_q(*into, |q| {
                    for a in authors {
                        if !q.authors.iter().any(|b| b.0 == a.0) {
                            q.authors.push(a);
                        }
                    }
                    q.voters.extend(voters);
                }));
                touched
            }
            Command::OpenPoll {
                title,
                kind,
                hide_results,
            } => {
                let id = self.polls.len() as u64 + 1;
                self.polls.insert(
                    id,
                    Poll {
                        id,
                        title: title.clone(),
                        kind: kind.clone(),
                        hide_results: *hide_results,
                        open: true,
                        opened_at: e.at,
                        answers: BTreeMap::new(),
                        hidden_words: BTreeSet::new(),
                    },
                );
                vec![Touch::Poll(id)]
            }
            Command::ClosePoll { poll } => self.with_p(*poll, |p| p.open = false),
            Command::Answer { poll, answer } => self.with_p(*poll, |p| {
                p.answers.insert(who.key.clone(), answer.clone());
            }),
            Command::HideWord { poll, word } => self.with_p(*poll, |p| {
                p.hidden_words.insert(word.clone());
            }),
            Command::RaiseHand => {
                self.hands.push(crate::room::Hand {
                    key: who.key.clone(),
                    name: who.name.clone(),
                    raised_at: e.at,
                });
                vec![Touch::Hands]
            }
            Command::LowerHand { who: other } => {
                let key = other.as_deref().unwrap_or(&who.key);
                self.hands.retain(|h| h.key != key);
                vec![Touch::Hands]
            }
            Command::Invite { key, name } => {
                if !self.invited.iter().any(|(k, _)| k == key) {
                    self.invited.push((key.clone(), name.clone()));
                }
                vec![Touch::Floor]
            }
            Command::GiveFloor { kind, to, name } => {
                let (key, name) = match kind {
                    SpeakerKind::Queue => {
                        let key = to.clone().unwrap_or_default();
                        let name = self
                            .hands
                            .iter()
                            .find(|h| h.key == key)
                            .map(|h| h.name.clone());
                        self.hands.retain(|h| h.key != key);
                        (key, name.unwrap_or_default())
                    }
                    SpeakerKind::Invited => {
                        let key = to.clone().unwrap_or_default();
                        let name = self
                            .invited
                            .iter()
                            .find(|(k, _)| *k == key)
                            .map(|(_, n)| n.clone());
                        (key, name.unwrap_or_default())
                    }
                    SpeakerKind::Guest => {
                        let name = name.clone().unwrap_or_default();
                        (format!("guest:{}", fold_word(&name)), name)
                    }
                    SpeakerKind::Moderator => (who.key.clone(), who.name.clone()),
                };
                self.end_turn(e.at);
                self.turns.push(Turn {
                    key,
                    name,
                    kind: *kind,
                    start: e.at,
                    end: None,
                    agenda_item: self.agenda.as_ref().map(|a| a.0.clone()),
                });
                vec![Touch::Floor, Touch::Hands]
            }
            Command::EndTurn => {
                self.end_turn(e.at);
                vec![Touch::Floor]
            }
            Command::Agenda { item, ends_at } => {
                self.agenda = Some((item.clone(), *ends_at));
                vec![Touch::Agenda]
            }
            Command::Configure { settings } => {
                self.settings = settings.clone();
                vec![Touch::Settings, Touch::Floor]
            }
            Command::Note { text } => {
                let id = self.notes.len() as u64 + 1;
                self.notes.push(Note {
                    id,
                    text: text.clone(),
                    author: who.name.clone(),
                    at: e.at,
                    agenda_item: self.agenda.as_ref().map(|a| a.0.clone()),
                });
                vec![Touch::Note(id)]
            }
        }
    }

    fn end_turn(&mut self, at: i64) {
        if let Some(t) = self.turns.last_mut().filter(|t| t.end.is_none()) {
            t.end = Some(at.max(t.start));
        }
    }

    fn with_q(&mut self, id: u64, f: impl FnOnce(&mut Question)) -> Vec<Touch> {
        match self.questions.get_mut(&id) {
            Some(q) => {
                f(q);
                vec![Touch::Question(id)]
            }
            None => vec![],
        }
    }

    fn with_p(&mut self, id: u64, f: impl FnOnce(&mut Poll)) -> Vec<Touch> {
        match self.polls.get_mut(&id) {
            Some(p) => {
                f(p);
                vec![Touch::Poll(id)]
            }
            None => vec![],
        }
    }
}

fn trimmed(options: Vec<String>) -> Vec<String> {
    options.into_iter().map(|o| o.trim().to_string()).collect()
}

#[cfg(test)]
#[path = "room_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "room_moderation_tests.rs"]
mod moderation_tests;

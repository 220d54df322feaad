//! A session's live room: the room that runs during a session, made on first need and
//! knowing its session.
//!
//! - **One room per session**, created when someone first joins (a unique index settles two
//!   first joins at once). It is seeded with the session's invited speakers (so they count in
//!   the fair share before they speak) and its first agenda item, timed from the session's
//!   start; the console offers the other items.
//! - **Who moderates**: in a session's room, the session's own moderators (and, as for the
//!   session itself, site moderators and admins); in a room without a session, site
//!   moderators and admins.
//! - **Webcast**: a session with an access code keeps its room closed until the code was
//!   given (the same key that unlocks the stream link), except to those who manage it.
//! - **Reports read the room by replaying its log** into a fresh `parvis_live::Room`: the
//!   log is the source of truth and the replay is pure, so a report never waits on the hub.
//! - **Polls asked again**: the room of a repeated session offers its predecessor's polls to
//!   launch again, and the synthesis compares a poll with the same title across consecutive
//!   layers (see [`poll_move`]).

use crate::reports::PollMove;
use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_live::fairness::Fairness;
use parvis_live::order::compare_questions;
use parvis_live::polls::PollResults;
use parvis_live::view::{Audience, PollView};
use parvis_live::{Command, Event, PollKind, QuestionSort, Room};
use parvis_store::{NewRoom, RoomRow, SessionPerson, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// The key of an invited speaker in the room: a member's own key (a speaker who joins from
/// their phone is the same person), a guest's the console's `inv:` and lowercased name.
pub fn speaker_key(p: &SessionPerson) -> String {
    match p.member_id {
        Some(id) => format!("m:{id}"),
        None => format!("inv:{}", p.name.to_lowercase()),
    }
}

/// A question of the room, for the report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopQuestion {
    pub text: String,
    pub votes: u32,
    pub answered: bool,
}

/// One line of a poll's results: an option (or a scale value, or a word) and its count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollLine {
    pub label: String,
    pub count: u32,
    /// Share of the respondents, 0–100, rounded.
    pub pct: i64,
}

/// A poll of the room with its results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollSummary {
    pub title: String,
    pub respondents: u32,
    pub lines: Vec<PollLine>,
    /// The mean of a scale poll.
    pub average: Option<f64>,
}

/// What a session's room adds to its report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoomSummary {
    pub room_id: i64,
    /// Visible questions, pinned first, then most votes (at most 10): the room's own order.
    pub top_questions: Vec<TopQuestion>,
    pub polls: Vec<PollSummary>,
    /// Speaking time per speaker, fair share, Gini, the moderators' share.
    pub fairness: Fairness,
    /// The moderators' notes, oldest first: only in the moderators' draft, never in the
    /// published report (what they keep goes into the conclusions they edit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<RoomNote>,
}

/// A moderators' note taken in the room, for the closing draft.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoomNote {
    pub text: String,
    pub author: String,
    /// The agenda item running when it was taken.
    pub agenda_item: Option<String>,
}

/// A poll of the previous session of the series, ready to be asked again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreparedPoll {
    pub title: String,
    pub kind: PollKind,
    pub hide_results: bool,
}

fn pct(n: u32, of: u32) -> i64 {
    if of == 0 {
        0
    } else {
        (f64::from(n) * 100.0 / f64::from(of)).round() as i64
    }
}

fn fold(s: &str) -> String {
    s.trim().trim_end_matches(['?', ' ']).to_lowercase()
}

/// A poll's results as lines (options, scale values, the 10 most frequent words, ranking
/// points as the "count").
pub fn poll_summary(p: &PollView) -> PollSummary {
    let r = p.results.clone().unwrap_or_default();
    let lines = match &p.kind {
        PollKind::Single { options } | PollKind::Multiple { options } => options
            .iter()
            .zip(&r.counts)
            .map(|(o, c)| PollLine {
                label: o.clone(),
                count: *c,
                pct: pct(*c, r.respondents),
            })
            .collect(),
        PollKind::Ranking { options } => options
            .iter()
            .zip(&r.borda)
            .map(|(o, c)| PollLine {
                label: o.clone(),
                count: *c,
                pct: 0,
            })
            .collect(),
        PollKind::Scale { min, .. } => r
            .distribution
            .iter()
            .enumerate()
            .map(|(i, c)| PollLine {
                label: (min + i as i64).to_string(),
                count: *c,
                pct: pct(*c, r.respondents),
            })
            .collect(),
        PollKind::WordCloud => r
            .words
            .iter()
            .filter(|w| !w.hidden)
            .take(10)
            .map(|w| PollLine {
                label: w.word.clone(),
                count: w.count,
                pct: pct(w.count, r.respondents),
            })
            .collect(),
    };
    PollSummary {
        title: p.title.clone(),
        respondents: r.respondents,
        lines,
        average: r.average,
    }
}

/// How a poll asked again moved. Choice polls follow the option that led the first time
/// (its share of respondents, before → after); a scale follows the share who answered above
/// its midpoint (4–5 of 1–5, 6–10 of 0–10: "agree", `option` empty). Word clouds and rankings
/// have no single figure and are left out, as are polls nobody answered.
pub fn poll_move(before: &PollView, after: &PollView) -> Option<PollMove> {
    let (rb, ra): (&PollResults, &PollResults) =
        (before.results.as_ref()?, after.results.as_ref()?);
    if rb.respondents == 0 || ra.respondents == 0 {
        return None;
    }
    match (&before.kind, &after.kind) {
        (PollKind::Single { options: ob }, PollKind::Single { options: oa })
        | (PollKind::Multiple { options: ob }, PollKind::Multiple { options: oa }) => {
            let (lead, _) = rb
                .counts
                .iter()
                .enumerate()
                .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))?;
            let label = ob.get(lead)?;
            let j = oa.iter().position(|o| fold(o) == fold(label))?;
            Some(PollMove {
                question: after.title.clone(),
                option: label.clone(),
                before_pct: pct(*rb.counts.get(lead)?, rb.respondents),
                after_pct: pct(*ra.counts.get(j)?, ra.respondents),
            })
        }
        (PollKind::Scale { min, max }, PollKind::Scale { min: a, max: b })
            if (min, max) == (a, b) =>
        {
            let mid = (min + max) as f64 / 2.0;
            let agree = |r: &PollResults| -> u32 {
                r.distribution
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| (*min + *i as i64) as f64 > mid)
                    .map(|(_, c)| *c)
                    .sum()
            };
            Some(PollMove {
                question: after.title.clone(),
                option: String::new(),
                before_pct: pct(agree(rb), rb.respondents),
                after_pct: pct(agree(ra), ra.respondents),
            })
        }
        _ => None,
    }
}

/// The moves between two rooms' polls: each poll of `after` whose title was asked in
/// `before` (the last asking of a title counts).
pub fn poll_moves(before: &[PollView], after: &[PollView]) -> Vec<PollMove> {
    let mut out: Vec<PollMove> = Vec::new();
    for a in after.iter().rev() {
        if out.iter().any(|m| fold(&m.question) == fold(&a.title)) {
            continue;
        }
        if let Some(b) = before
            .iter()
            .rev()
            .find(|b| fold(&b.title) == fold(&a.title))
            && let Some(m) = poll_move(b, a)
        {
            out.push(m);
        }
    }
    out.reverse();
    out
}

/// The actor that seeds a session's room (its speakers and first agenda item).
fn seeder() -> parvis_live::Actor {
    parvis_live::Actor {
        key: "system".into(),
        name: "Parvis".into(),
        moderator: true,
    }
}

impl Services {
    /// The live room of a session, created (and seeded) on first need.
    pub async fn session_room(&self, session: i64) -> Result<RoomRow> {
        if let Some(r) = self.store().room_of_session(session).await? {
            return Ok(r);
        }
        let row = self.session_row(session).await?;
        let new = NewRoom {
            space_id: SpaceId(row.space_id),
            topic_id: Some(TopicId(row.topic_id)),
            session_id: Some(session),
            title: row.title.clone(),
            anonymous_questions: false,
            approval_required: false,
            budget_permille: 1500,
            created_by: row.created_by.map(MemberId),
            created_at: now_millis(),
        };
        match self.store().create_room(&new).await {
            Ok(id) => {
                let mut seed: Vec<Command> = self
                    .store()
                    .session_people(session)
                    .await?
                    .iter()
                    .filter(|p| p.role == "speaker")
                    .map(|p| Command::Invite {
                        key: speaker_key(p),
                        name: p.name.clone(),
                    })
                    .collect();
                if let Some(first) = self.store().session_agenda(session).await?.first() {
                    seed.push(Command::Agenda {
                        item: first.title.clone(),
                        ends_at: Some(row.starts_at + first.minutes * 60_000),
                    });
                }
                for c in seed {
                    self.live()
                        .command(id, seeder(), c)
                        .await
                        .map_err(ServiceError::from)?;
                }
                tracing::info!(session, room = id.0, "session room opened");
            }
            // Another request made it first: use theirs.
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        self.store()
            .room_of_session(session)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("room of session {session}")))
    }

    /// The live room of a session if one was opened, without making it.
    pub async fn existing_session_room(&self, session: i64) -> Result<Option<RoomRow>> {
        self.session_row(session).await?;
        Ok(self.store().room_of_session(session).await?)
    }

    /// A session's moderator opens its live room ahead of time; `true` when this call made
    /// it. Opening it again gives the same room; a closed session's room no longer opens.
    pub async fn open_session_room(&self, actor: &Actor, session: i64) -> Result<(RoomRow, bool)> {
        let row = self.session_row(session).await?;
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(ServiceError::Forbidden(
                "only the session's moderators open its live room".into(),
            ));
        }
        if let Some(r) = self.store().room_of_session(session).await? {
            return Ok((r, false));
        }
        if row.closed_at.is_some() {
            return Err(ValidationError::broke(
                "session",
                Rule::Other,
                "this session is closed: its live room no longer opens",
            )
            .into());
        }
        Ok((self.session_room(session).await?, true))
    }

    /// Whether `viewer` moderates `room`: the session's moderators (and site moderators and
    /// admins) in a session's room; site moderators and admins elsewhere.
    pub async fn moderates_room(&self, room: &RoomRow, viewer: Option<&Actor>) -> Result<bool> {
        match room.session_id {
            Some(s) => self.can_manage_session(viewer, s).await,
            None => Ok(viewer.is_some_and(|a| a.member.site_role.can_moderate())),
        }
    }

    /// The session whose access code `viewer` must still give before entering `room`
    /// (`key`: the webcast key the browser holds), or `None` when the room is open to them.
    pub async fn room_locked(
        &self,
        room: &RoomRow,
        viewer: Option<&Actor>,
        key: Option<&str>,
    ) -> Result<Option<i64>> {
        let Some(s) = room.session_id else {
            return Ok(None);
        };
        let row = self.session_row(s).await?;
        let Some(expected) = crate::sessions::webcast_key(&row) else {
            return Ok(None);
        };
        if self.can_manage_session(viewer, s).await? {
            return Ok(None);
        }
        let given = key.map(crate::auth::hash_token);
        Ok((given.as_deref() != Some(crate::auth::hash_token(&expected).as_str())).then_some(s))
    }

    /// A room's state rebuilt from its log.
    async fn replay_room(&self, room: &RoomRow) -> Result<Room> {
        let mut r = Room::new(crate::live::room_settings(room));
        for row in self.store().room_events(room.id, 0).await? {
            if let Ok(e) = serde_json::from_str::<Event>(&row.body) {
                r.apply(&e);
            }
        }
        Ok(r)
    }

    /// What a session's room adds to its report, if it had a room. A turn still running at
    /// the end of the session counts until that end.
    pub async fn session_room_summary(&self, session: i64) -> Result<Option<RoomSummary>> {
        let Some(room) = self.store().room_of_session(session).await? else {
            return Ok(None);
        };
        let row = self.session_row(session).await?;
        let end = row.starts_at + row.duration_min * 60_000;
        let until = now_millis().min(end.max(row.starts_at));
        let replayed = self.replay_room(&room).await?;
        let snap = replayed.snapshot(Audience::Moderator, "", until);
        let mut questions: Vec<_> = snap
            .questions
            .iter()
            .filter(|q| q.approved && !q.hidden && q.merged_into.is_none())
            .collect();
        // The room's own order: pinned first, then most votes, the older first on equal votes.
        questions.sort_by(|a, b| compare_questions(a, b, QuestionSort::Votes));
        Ok(Some(RoomSummary {
            room_id: room.id.0,
            top_questions: questions
                .into_iter()
                .take(10)
                .map(|q| TopQuestion {
                    text: q.text.clone(),
                    votes: q.votes,
                    answered: q.answered,
                })
                .collect(),
            polls: snap.polls.iter().map(poll_summary).collect(),
            fairness: replayed.fairness(until),
            notes: replayed
                .notes()
                .iter()
                .map(|n| RoomNote {
                    text: n.text.clone(),
                    author: n.author.clone(),
                    agenda_item: n.agenda_item.clone(),
                })
                .collect(),
        }))
    }

    /// The polls of a session's room as moderators see them (empty without a room).
    async fn session_polls(&self, session: i64) -> Result<Vec<PollView>> {
        let Some(room) = self.store().room_of_session(session).await? else {
            return Ok(Vec::new());
        };
        let r = self.replay_room(&room).await?;
        Ok(r.snapshot(Audience::Moderator, "", now_millis()).polls)
    }

    /// The polls of a topic's closed sessions that had a room, by session: the rooms in one
    /// query, each replayed once (a layer's "after" is the next layer's "before").
    pub(crate) async fn closed_session_polls(
        &self,
        topic: i64,
    ) -> Result<std::collections::HashMap<i64, Vec<PollView>>> {
        let mut out = std::collections::HashMap::new();
        for room in self.store().rooms_of_closed_sessions(topic).await? {
            let Some(session) = room.session_id else {
                continue;
            };
            let r = self.replay_room(&room).await?;
            out.insert(
                session,
                r.snapshot(Audience::Moderator, "", now_millis()).polls,
            );
        }
        Ok(out)
    }

    /// The polls of the session this room's session repeats, to ask again.
    pub async fn prepared_polls(&self, room: &RoomRow) -> Result<Vec<PreparedPoll>> {
        let Some(s) = room.session_id else {
            return Ok(Vec::new());
        };
        let Some(prev) = self.session_row(s).await?.repeated_from else {
            return Ok(Vec::new());
        };
        let mut out: Vec<PreparedPoll> = Vec::new();
        for p in self.session_polls(prev).await? {
            if !out.iter().any(|o| fold(&o.title) == fold(&p.title)) {
                out.push(PreparedPoll {
                    title: p.title,
                    kind: p.kind,
                    hide_results: p.hide_results,
                });
            }
        }
        Ok(out)
    }

    /// The confirmed registrants of a room's session (name, organisation), for the console's
    /// "give the floor to someone in the room" (its moderators only; empty otherwise).
    pub async fn room_registrants(
        &self,
        room: &RoomRow,
        viewer: Option<&Actor>,
    ) -> Result<Vec<(String, String)>> {
        let Some(s) = room.session_id else {
            return Ok(Vec::new());
        };
        if !self.moderates_room(room, viewer).await? {
            return Ok(Vec::new());
        }
        let mut out: Vec<(String, String)> = self
            .store()
            .registrations(s)
            .await?
            .into_iter()
            .filter(|r| r.status == "confirmed" && !r.name.is_empty())
            .map(|r| (r.name, r.organisation))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The session's agenda, for a room's console (empty without a session).
    pub async fn room_agenda(&self, room: &RoomRow) -> Result<Vec<parvis_store::AgendaItem>> {
        match room.session_id {
            Some(s) => Ok(self.store().session_agenda(s).await?),
            None => Ok(Vec::new()),
        }
    }

    /// When the session a room repeats starts (`None` for a room of its own): before then,
    /// the room says when it starts rather than counting down its first agenda item.
    pub async fn room_starts_at(&self, room: &RoomRow) -> Result<Option<i64>> {
        match room.session_id {
            Some(s) => Ok(Some(self.session_row(s).await?.starts_at)),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn view(title: &str, kind: PollKind, answers: &[parvis_live::PollAnswer]) -> PollView {
        PollView {
            id: 1,
            title: title.into(),
            results: Some(parvis_live::polls::results(
                &kind,
                answers.iter(),
                &BTreeSet::new(),
                true,
            )),
            kind,
            hide_results: false,
            open: false,
            opened_at: 0,
        }
    }

    fn choices(n: &[usize]) -> Vec<parvis_live::PollAnswer> {
        n.iter()
            .map(|o| parvis_live::PollAnswer::Choice { option: *o })
            .collect()
    }

    #[test]
    fn a_choice_poll_asked_again_follows_the_option_that_led() {
        let kind = PollKind::Single {
            options: vec!["D'accord".into(), "Pas d'accord".into()],
        };
        // 18 of 25 agreed (72 %), then 7 of 12 (58 %).
        let mut a = vec![0; 18];
        a.extend(vec![1; 7]);
        let mut b = vec![0; 7];
        b.extend(vec![1; 5]);
        let before = view("Faut-il taxer le kérosène ?", kind.clone(), &choices(&a));
        let after = view("faut-il taxer le kérosène", kind, &choices(&b));
        let moves = poll_moves(&[before], &[after]);
        assert_eq!(moves.len(), 1);
        let m = &moves[0];
        assert_eq!(
            (m.option.as_str(), m.before_pct, m.after_pct),
            ("D'accord", 72, 58)
        );
    }

    #[test]
    fn a_scale_counts_those_above_its_midpoint_and_other_polls_do_not_move() {
        let kind = PollKind::Scale { min: 1, max: 5 };
        let ans = |v: &[i64]| -> Vec<parvis_live::PollAnswer> {
            v.iter()
                .map(|x| parvis_live::PollAnswer::Scale { value: *x })
                .collect()
        };
        let before = view("Confiance", kind.clone(), &ans(&[5, 4, 3, 1]));
        let after = view("Confiance", kind, &ans(&[5, 2, 2, 1]));
        let m = poll_move(&before, &after).unwrap();
        assert_eq!((m.before_pct, m.after_pct), (50, 25));
        assert!(m.option.is_empty());
        // Nobody answered the second time: no figure rather than a false 0 %.
        let none = view("Confiance", PollKind::Scale { min: 1, max: 5 }, &[]);
        assert!(poll_move(&before, &none).is_none());
        // A different title is another question.
        assert!(
            poll_moves(
                &[before.clone()],
                &[view("Autre", PollKind::WordCloud, &[])]
            )
            .is_empty()
        );
    }

    #[test]
    fn guests_and_members_have_stable_speaker_keys() {
        let p = |member_id, name: &str| SessionPerson {
            role: "speaker".into(),
            handle: None,
            name: name.into(),
            organisation: String::new(),
            member_id,
        };
        assert_eq!(speaker_key(&p(Some(7), "Ana")), "m:7");
        assert_eq!(speaker_key(&p(None, "Élise Roy")), "inv:élise roy");
    }
}

//! Surveys answered by link: one answer per person (a keyed hash of the member, so answers
//! cannot be joined back to people), scores on their scale, employee anonymity on the way out.
//!
//! One answer per person holds across paths: a member who answered signed in (page, API,
//! widget) cannot answer again through a link mailed to their address, nor the other way
//! round, even when they changed their address in between. The two meet on markers — the
//! hash of the address that survey mailings keep, and a hash of the member id noted on the
//! mails that went to a member's address — never on the answer (the design and why: the
//! store's `survey_answers`). A closed survey takes no answer on any path, checked in the
//! answer's own transaction.

use super::refused;
use super::survey_mail::member_marker;
use crate::{Actor, Result, ServiceError, Services, random_token};
use parvis_domain::{ValidationError, now_millis, required_text};
use parvis_measure::surveys::{self, GroupVisibility, Kind, Score};
use parvis_store::AnswerOutcome;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Longest comment kept.
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// Longest group name (team, department).
pub const MAX_GROUP_CHARS: usize = 80;

/// A survey with its score and, for employee surveys, what may be shown per group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyView {
    pub id: i64,
    pub kind: Kind,
    pub title: String,
    /// The answer page's path (`/surveys/{token}`).
    pub link: String,
    pub created_at: i64,
    pub closed: bool,
    /// `None` when hidden (an employee survey with fewer than 5 respondents).
    pub score: Option<Score>,
    pub respondents: u64,
    /// Addresses the survey was mailed to (counts only: who they were is not kept).
    pub sent: u64,
    /// Answers given through mailed links (among `respondents`).
    pub answered_by_mail: u64,
    /// Per-group visibility (employee surveys); empty otherwise.
    pub groups: Vec<GroupVisibility>,
    /// Per-group scores that may be shown.
    pub group_scores: Vec<(String, Score)>,
    /// Comments that may be shown (all of them for customer surveys; for employee surveys only
    /// with 10 respondents or more).
    pub comments: Vec<String>,
}

/// The latest survey of each kind, and every survey.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SurveysSummary {
    pub nps: Option<Score>,
    pub enps: Option<Score>,
    pub csat: Option<Score>,
    pub ces: Option<Score>,
    pub surveys: Vec<SurveyView>,
}

/// What closing a survey did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosedSurvey {
    pub id: i64,
    /// When it closed (Unix ms; the first time, for a survey closed twice).
    pub closed_at: i64,
    /// Mails not sent yet, dropped with their addresses.
    pub dropped: u64,
}

/// Why an answer to a closed survey is refused (a `Forbidden`; the web layer matches it to
/// say it in the reader's language and as the `survey_closed` problem).
pub const SURVEY_CLOSED: &str = "this survey is closed: it takes no more answers";

pub(crate) fn closed() -> ServiceError {
    ServiceError::Forbidden(SURVEY_CLOSED.into())
}

/// The hash of a member's address as survey mailings keep it (`None` without an address):
/// how an answer given signed in and one given through a link mailed to that address are
/// known to be the same person's (see the store's `survey_answers`).
fn member_address(actor: &Actor) -> Option<String> {
    let email = actor.member.email.as_deref()?;
    let email = parvis_domain::Email::parse("email", email).ok()?;
    Some(super::survey_mail::address_hash(email.as_str()))
}

fn respondent(token: &str, member_id: i64) -> String {
    let mut h = Sha256::new();
    h.update(b"parvis-survey:");
    h.update(token.as_bytes());
    h.update(b":");
    h.update(member_id.to_string().as_bytes());
    hex::encode(h.finalize())
}

impl Services {
    /// Create a survey in a space (admins); returns its token (the link's secret part).
    pub async fn create_survey(
        &self,
        actor: &Actor,
        slug: &str,
        kind: &str,
        title: &str,
    ) -> Result<String> {
        actor.require_admin()?;
        let space = self.space(slug).await?;
        let kind = Kind::parse(kind.trim(), "kind").map_err(refused)?;
        let title = required_text("title", title, 200)?;
        let token = random_token()[..24].to_string();
        self.store()
            .create_survey(
                space.id.0,
                kind.key(),
                &title,
                &token,
                actor.member.id.0,
                now_millis(),
            )
            .await?;
        self.forget_dashboard(space.id.0);
        Ok(token)
    }

    /// The survey behind a link, and whether `actor` already answered it (signed in, or
    /// through a link mailed to their address).
    pub async fn survey_for_answer(
        &self,
        token: &str,
        actor: Option<&Actor>,
    ) -> Result<(parvis_store::SurveyRow, bool)> {
        let s = self
            .store()
            .survey_by_token(token)
            .await?
            .ok_or_else(|| ServiceError::NotFound("survey".into()))?;
        let answered = match actor {
            Some(a) => {
                self.store()
                    .member_answered_survey(
                        s.id,
                        &respondent(&s.token, a.member.id.0),
                        member_address(a).as_deref(),
                        &member_marker(a.member.id),
                    )
                    .await?
            }
            None => false,
        };
        Ok((s, answered))
    }

    /// Answer a survey (signed-in members, once per person: an answer already given through
    /// a link mailed to the member's address counts): the score on the survey's scale, an
    /// optional comment and group. A closed survey is refused with [`SURVEY_CLOSED`].
    pub async fn answer_survey(
        &self,
        actor: &Actor,
        token: &str,
        score: i64,
        comment: &str,
        group: &str,
    ) -> Result<()> {
        let (s, answered) = self.survey_for_answer(token, Some(actor)).await?;
        if s.closed_at.is_some() {
            return Err(closed());
        }
        if answered {
            return Err(ServiceError::Conflict("answer".into()));
        }
        let (comment, group) = Self::check_answer(&s, score, comment, group)?;
        // Checked again, and the marker written, in the answer's own transaction.
        let outcome = self
            .store()
            .answer_survey_as_member(
                s.id,
                &respondent(&s.token, actor.member.id.0),
                member_address(actor).as_deref(),
                &member_marker(actor.member.id),
                score,
                &comment,
                &group,
                now_millis(),
            )
            .await?;
        match outcome {
            AnswerOutcome::Recorded => {}
            AnswerOutcome::Closed => return Err(closed()),
            _ => return Err(ServiceError::Conflict("answer".into())),
        }
        self.forget_dashboard(s.space_id);
        Ok(())
    }

    /// Close a survey (admins): every path refuses answers from now on, the mails not sent
    /// yet are dropped with their addresses; its answers and figures stay. Closing a closed
    /// survey changes nothing (no reopening).
    pub async fn close_survey(&self, actor: &Actor, slug: &str, id: i64) -> Result<ClosedSurvey> {
        actor.require_admin()?;
        let space = self.space(slug).await?;
        let s = self.space_survey(&space, id).await?;
        let out = self.store().close_survey(s.id, now_millis()).await?;
        tracing::info!(survey = s.id, dropped = out.dropped, "survey closed");
        self.forget_dashboard(space.id.0);
        Ok(ClosedSurvey {
            id: s.id,
            closed_at: out.closed_at,
            dropped: out.dropped.max(0) as u64,
        })
    }

    /// An answer's score on the survey's scale, its comment and group trimmed and within
    /// their lengths.
    pub(crate) fn check_answer(
        s: &parvis_store::SurveyRow,
        score: i64,
        comment: &str,
        group: &str,
    ) -> Result<(String, String)> {
        let kind = Kind::parse(&s.kind, "kind").map_err(refused)?;
        surveys::check_score(kind, score, "score").map_err(refused)?;
        let comment = comment.trim();
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(ValidationError::broke(
                "comment",
                parvis_domain::Rule::TooLong(MAX_COMMENT_CHARS),
                format!("must be at most {MAX_COMMENT_CHARS} characters"),
            )
            .into());
        }
        let group = group.trim();
        if group.chars().count() > MAX_GROUP_CHARS {
            return Err(ValidationError::broke(
                "group",
                parvis_domain::Rule::TooLong(MAX_GROUP_CHARS),
                format!("must be at most {MAX_GROUP_CHARS} characters"),
            )
            .into());
        }
        Ok((comment.to_string(), group.to_string()))
    }

    /// Every survey of a space with its scores (what may be shown of it).
    pub(crate) async fn surveys_summary(&self, space_id: i64) -> Result<SurveysSummary> {
        let mut out = SurveysSummary::default();
        for s in self.store().surveys(space_id).await? {
            let Ok(kind) = Kind::parse(&s.kind, "kind") else {
                continue;
            };
            let answers = self.store().survey_answers(s.id).await?;
            let scores: Vec<i64> = answers.iter().map(|a| a.score).collect();
            // Stored answers were checked on the way in; a refused one would be a bug, shown as
            // no score rather than a failed dashboard.
            let score = surveys::score(kind, &scores).ok();
            let n = answers.len() as u64;
            let (sent, answered_by_mail) = self.survey_mailing(s.id).await?;
            let mut view = SurveyView {
                id: s.id,
                kind,
                title: s.title.clone(),
                link: format!("/surveys/{}", s.token),
                created_at: s.created_at,
                closed: s.closed_at.is_some(),
                score: score.clone(),
                respondents: n,
                sent,
                answered_by_mail,
                groups: vec![],
                group_scores: vec![],
                comments: answers
                    .iter()
                    .filter(|a| !a.comment.is_empty())
                    .map(|a| a.comment.clone())
                    .collect(),
            };
            if kind.is_employee() {
                let mut groups: Vec<(String, u64)> = vec![];
                for a in &answers {
                    match groups.iter_mut().find(|g| g.0 == a.group) {
                        Some(g) => g.1 += 1,
                        None => groups.push((a.group.clone(), 1)),
                    }
                }
                let (total_score, total_comments, vis) = surveys::anonymity(&groups);
                if !total_score {
                    view.score = None;
                }
                if !total_comments {
                    view.comments.clear();
                } else {
                    // Only comments of groups whose comments may be shown.
                    view.comments = answers
                        .iter()
                        .filter(|a| !a.comment.is_empty())
                        .filter(|a| vis.iter().any(|g| g.group == a.group && g.show_comments))
                        .map(|a| a.comment.clone())
                        .collect();
                }
                for g in vis.iter().filter(|g| g.show_score && groups.len() > 1) {
                    let gs: Vec<i64> = answers
                        .iter()
                        .filter(|a| a.group == g.group)
                        .map(|a| a.score)
                        .collect();
                    if let Ok(sc) = surveys::score(kind, &gs) {
                        view.group_scores.push((g.group.clone(), sc));
                    }
                }
                view.groups = vis;
            }
            let slot = match kind {
                Kind::Nps => &mut out.nps,
                Kind::Enps => &mut out.enps,
                Kind::Csat => &mut out.csat,
                Kind::Ces => &mut out.ces,
            };
            // Surveys come newest first: the first of a kind is the current one.
            if slot.is_none() && n > 0 {
                *slot = view.score.clone();
            }
            out.surveys.push(view);
        }
        Ok(out)
    }
}

//! Challenges an organisation poses to its ecosystem: ideas, solutions, or a job offer (a
//! challenge whose call to action is "apply" on the organisation's own site — the questions
//! are asked here, the application is made there).
//!
//! A challenge goes draft → open → judging → closed, one step at a time, never back:
//! - draft: only managers (site moderators and admins) see it and edit it;
//! - open: members submit entries (accepting the rules, whose wording is kept on the entry)
//!   until the deadline, set in local time in the space's time zone (or another IANA zone
//!   the admin names); they vote (once per entry, never for their own) and comment;
//! - judging: evaluators score each entry on each criterion (they may start while open);
//! - closed: reached by announcing the winners, which notifies every entrant by mail.
//!
//! The ranked scorecard is a pure function of criteria and scores (`ranking`).

mod entries;
mod export;
pub mod ranking;

pub use entries::{CHALLENGE_MAIL, EntryInput, ScoreInput, ScoreSheet, Scorecard, ScorecardRow};
pub use export::{ChallengeExport, ExportEntry, challenge_csv};

use crate::sessions::{local_to_millis, millis_to_local};
use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::{
    ChallengeReadFor, ChallengeRow, Criterion, EntryComment, EntryRow, NewChallenge,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// Kinds of challenge.
pub const KINDS: [&str; 3] = ["ideas", "solutions", "job"];
/// States, in the order a challenge goes through them.
pub const STATES: [&str; 4] = ["draft", "open", "judging", "closed"];
/// The scale when none is given.
pub const DEFAULT_SCALE: i64 = 10;

/// A criterion as typed.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default)]
pub struct CriterionInput {
    pub name: String,
    /// Relative weight, 1 to 100.
    pub weight: i64,
}

/// What an admin fills in to pose or edit a challenge.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default)]
pub struct ChallengeInput {
    pub title: String,
    /// `ideas`, `solutions` or `job` (a job offer).
    pub kind: String,
    /// The brief, in Markdown.
    #[serde(default)]
    pub brief: String,
    /// The rules or agreement an entrant must accept (required).
    #[serde(default)]
    pub rules: String,
    /// Local deadline in the challenge's zone, `YYYY-MM-DDTHH:MM`.
    #[schema(example = "2027-03-31T23:59")]
    pub deadline: String,
    /// IANA zone; when absent, the space's for a new challenge, the challenge's own for an edit.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub award: String,
    /// The call to action's words (a job offer's is always "Apply").
    #[serde(default)]
    pub cta_label: String,
    /// Where the call to action leads (http or https; required for a job offer).
    #[serde(default)]
    pub cta_url: String,
    /// Hide vote counts until the deadline.
    #[serde(default)]
    pub votes_hidden: bool,
    /// Scores go from 0 to this (2 to 100; 10 when absent).
    #[serde(default)]
    pub scale_max: Option<i64>,
    #[serde(default)]
    pub criteria: Vec<CriterionInput>,
    /// Evaluators' handles.
    #[serde(default)]
    pub evaluators: Vec<String>,
}

/// A challenge as a viewer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengeView {
    pub challenge: ChallengeRow,
    pub space: String,
    pub space_name: String,
    /// The deadline in the challenge's zone (`2027-03-31T23:59`).
    pub deadline_local: String,
    pub deadline_passed: bool,
    pub criteria: Vec<Criterion>,
    pub evaluators: Vec<MemberRef>,
    /// Whether the viewer may edit, judge the scorecard, announce and export.
    pub can_manage: bool,
    /// Whether the viewer scores entries.
    pub is_evaluator: bool,
    /// Whether the viewer may submit an entry now.
    pub can_submit: bool,
    /// Whether vote counts are shown to the viewer (hidden ones once voting is over).
    pub votes_shown: bool,
}

/// An entry with its comments, as a viewer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryView {
    pub entry: EntryRow,
    pub comments: Vec<EntryComment>,
    /// Whether the viewer voted for it.
    pub my_vote: bool,
    /// Whether the viewer wrote it.
    pub mine: bool,
}

/// A challenge page: the challenge and its entries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChallengePage {
    pub view: ChallengeView,
    pub entries: Vec<EntryView>,
    /// The winning entries, once announced.
    pub winners: Vec<i64>,
}

fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Free text (Markdown, rules, links): no NUL — PostgreSQL cannot store it in text, and no
/// reader needs it.
pub(crate) fn no_nul(field: &str, s: &str) -> Result<()> {
    match s.chars().position(|c| c == '\0') {
        None => Ok(()),
        Some(i) => Err(broke(
            field,
            Rule::Characters { code: 0, at: i + 1 },
            format!(
                "must not contain the NUL character (found at character {})",
                i + 1
            ),
        )),
    }
}

fn broke(field: &str, rule: Rule, message: impl Into<String>) -> ServiceError {
    ValidationError::broke(field, rule, message).into()
}

impl Services {
    /// Whether `actor` manages challenges (site moderators and admins).
    pub(crate) fn can_manage_challenges(actor: Option<&Actor>) -> bool {
        actor.is_some_and(|a| a.member.site_role.can_moderate())
    }

    async fn validate_challenge(
        &self,
        actor: &Actor,
        space_id: i64,
        input: &ChallengeInput,
        default_zone: &str,
    ) -> Result<NewChallenge> {
        let title = hygiene::label("title", &input.title, 200)?;
        let kind = input.kind.trim().to_ascii_lowercase();
        if !KINDS.contains(&kind.as_str()) {
            return Err(broke(
                "kind",
                Rule::Choice,
                "expected ideas, solutions or job",
            ));
        }
        if input.brief.chars().count() > crate::MAX_BODY_CHARS {
            return Err(broke(
                "brief",
                Rule::TooLong(crate::MAX_BODY_CHARS),
                "too long",
            ));
        }
        no_nul("brief", &input.brief)?;
        no_nul("rules", &input.rules)?;
        let rules = required_text("rules", &input.rules, 20_000)?;
        // The deadline is entered in the space's zone unless the input names another (an edit
        // keeps the challenge's own); the store keeps the UTC instant and the zone's name.
        let zone = match input.time_zone.as_deref().map(str::trim) {
            Some(z) if !z.is_empty() => crate::zones::parse_time_zone("time_zone", z)?,
            _ => default_zone.to_string(),
        };
        let deadline = local_to_millis("deadline", &input.deadline, &zone)?;
        let award = input.award.trim().to_string();
        if award.chars().count() > 500 {
            return Err(broke("award", Rule::TooLong(500), "too long"));
        }
        hygiene::check("award", &award)?;
        let cta_url = input.cta_url.trim().to_string();
        no_nul("cta_url", &cta_url)?;
        if !cta_url.is_empty() && !is_http_url(&cta_url) {
            return Err(broke(
                "cta_url",
                Rule::Url,
                "expected an http or https address",
            ));
        }
        if kind == "job" && cta_url.is_empty() {
            return Err(broke(
                "cta_url",
                Rule::Required,
                "a job offer needs the address where candidates apply",
            ));
        }
        // A job offer's button always says "Apply" (in the reader's language).
        let cta_label = if kind == "job" {
            String::new()
        } else {
            let l = input.cta_label.trim().to_string();
            if l.chars().count() > 80 {
                return Err(broke("cta_label", Rule::TooLong(80), "too long"));
            }
            hygiene::check("cta_label", &l)?;
            l
        };
        let scale_max = input.scale_max.unwrap_or(DEFAULT_SCALE);
        if !(2..=100).contains(&scale_max) {
            return Err(broke(
                "scale_max",
                Rule::Range,
                "the scale goes from 0 to a maximum between 2 and 100",
            ));
        }
        if input.criteria.is_empty() {
            return Err(broke(
                "criteria",
                Rule::Required,
                "give at least one evaluation criterion",
            ));
        }
        if input.criteria.len() > 20 {
            return Err(broke("criteria", Rule::Range, "at most 20 criteria"));
        }
        let mut criteria = Vec::new();
        for c in &input.criteria {
            let name = hygiene::label("criteria", &c.name, 120)?;
            if !(1..=100).contains(&c.weight) {
                return Err(broke(
                    "criteria",
                    Rule::Range,
                    "each criterion's weight is between 1 and 100",
                ));
            }
            criteria.push(Criterion {
                id: 0,
                name,
                weight: c.weight,
            });
        }
        let mut evaluators = Vec::new();
        for h in input
            .evaluators
            .iter()
            .map(|h| h.trim())
            .filter(|h| !h.is_empty())
        {
            let m = self
                .store()
                .member_by_handle(&h.trim_start_matches('@').to_lowercase())
                .await?
                .ok_or_else(|| broke("evaluators", Rule::Handle, format!("no member {h:?}")))?;
            evaluators.push(m.id.0);
        }
        Ok(NewChallenge {
            space_id,
            kind,
            title,
            brief_html: markdown::render(input.brief.trim()),
            brief_md: input.brief.trim().to_string(),
            rules,
            deadline,
            time_zone: zone,
            award,
            cta_label,
            cta_url,
            votes_hidden: input.votes_hidden,
            scale_max,
            created_by: Some(actor.member.id.0),
            criteria,
            evaluators,
        })
    }

    /// Pose a challenge in a space (site moderators and admins); it starts as a draft.
    pub async fn create_challenge(
        &self,
        actor: &Actor,
        space: &Space,
        input: &ChallengeInput,
    ) -> Result<ChallengeView> {
        actor.require_moderator()?;
        Self::check_writable(Some(space), None)?;
        let new = self
            .validate_challenge(actor, space.id.0, input, &space.time_zone)
            .await?;
        if new.deadline <= now_millis() {
            return Err(broke(
                "deadline",
                Rule::InPast,
                "the deadline is in the past",
            ));
        }
        let id = self.store().create_challenge(&new, now_millis()).await?;
        tracing::info!(challenge = id, space = space.id.0, "challenge posed");
        self.challenge_view(Some(actor), id).await
    }

    /// Edit a challenge (site moderators and admins); a closed one stays as announced.
    pub async fn update_challenge(
        &self,
        actor: &Actor,
        id: i64,
        input: &ChallengeInput,
    ) -> Result<ChallengeView> {
        actor.require_moderator()?;
        let row = self.challenge_row(id).await?;
        if row.state == "closed" {
            return Err(broke(
                "challenge",
                Rule::Choice,
                "the challenge is closed: its winners are announced and it can no longer be edited",
            ));
        }
        let mut new = self
            .validate_challenge(actor, row.space_id, input, &row.time_zone)
            .await?;
        new.created_by = row.created_by;
        // Moving the deadline into the past would close entries behind the entrants' backs;
        // keeping an already passed one is fine.
        if new.deadline != row.deadline && new.deadline <= now_millis() {
            return Err(broke(
                "deadline",
                Rule::InPast,
                "the deadline is in the past",
            ));
        }
        self.store().update_challenge(id, &new).await?;
        self.challenge_view(Some(actor), id).await
    }

    /// Move a challenge to its next state (`open`, `judging`; `closed` comes by announcing).
    pub async fn set_challenge_state(
        &self,
        actor: &Actor,
        id: i64,
        to: &str,
    ) -> Result<ChallengeView> {
        actor.require_moderator()?;
        let row = self.challenge_row(id).await?;
        let expected_from = match to {
            "open" => "draft",
            "judging" => "open",
            "closed" => {
                return Err(broke(
                    "state",
                    Rule::Choice,
                    "a challenge is closed by announcing its winners",
                ));
            }
            _ => return Err(broke("state", Rule::Choice, "expected open or judging")),
        };
        if row.state != expected_from
            || !self
                .store()
                .set_challenge_state(id, expected_from, to)
                .await?
        {
            return Err(broke(
                "state",
                Rule::Choice,
                format!(
                    "a challenge goes draft → open → judging → closed; this one is {}, it cannot go to {to}",
                    row.state
                ),
            ));
        }
        tracing::info!(challenge = id, state = to, "challenge state");
        self.challenge_view(Some(actor), id).await
    }

    pub(crate) async fn challenge_row(&self, id: i64) -> Result<ChallengeRow> {
        self.store()
            .challenge(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("challenge {id}")))
    }

    /// The rules an entrant accepts, while the challenge takes entries (open, before its
    /// deadline); `None` otherwise. One read: what a widget needs to offer its entry form.
    pub async fn challenge_rules_if_open(&self, id: i64) -> Result<Option<String>> {
        let row = self.challenge_row(id).await?;
        Ok((row.state == "open" && now_millis() <= row.deadline).then_some(row.rules))
    }

    /// A challenge as `viewer` sees it; a draft is not found for those who may not manage it.
    pub async fn challenge_view(&self, viewer: Option<&Actor>, id: i64) -> Result<ChallengeView> {
        let row = self.challenge_row(id).await?;
        self.view_of(viewer, row).await
    }

    async fn view_of(&self, viewer: Option<&Actor>, row: ChallengeRow) -> Result<ChallengeView> {
        if row.state == "draft" && !Self::can_manage_challenges(viewer) {
            return Err(ServiceError::NotFound(format!("challenge {}", row.id)));
        }
        let space = self
            .store()
            .space_by_id(SpaceId(row.space_id))
            .await?
            .ok_or_else(|| ServiceError::NotFound("space".into()))?;
        let evaluators = self.store().challenge_evaluators(row.id).await?;
        let criteria = self.store().challenge_criteria(row.id).await?;
        Self::view_from(viewer, row, space.slug, space.name, criteria, evaluators)
    }

    /// The view of a challenge already read with its space, criteria and evaluators; a draft
    /// is not found for those who may not manage it.
    pub(crate) fn view_from(
        viewer: Option<&Actor>,
        row: ChallengeRow,
        space: String,
        space_name: String,
        criteria: Vec<Criterion>,
        evaluators: Vec<MemberRef>,
    ) -> Result<ChallengeView> {
        let can_manage = Self::can_manage_challenges(viewer);
        if row.state == "draft" && !can_manage {
            return Err(ServiceError::NotFound(format!("challenge {}", row.id)));
        }
        let is_evaluator = viewer.is_some_and(|a| evaluators.iter().any(|e| e.id == a.member.id));
        let deadline_passed = now_millis() > row.deadline;
        Ok(ChallengeView {
            deadline_local: millis_to_local(row.deadline, &row.time_zone),
            deadline_passed,
            criteria,
            evaluators,
            can_manage,
            is_evaluator,
            can_submit: viewer.is_some() && row.state == "open" && !deadline_passed,
            // Hidden votes are hidden while people can still vote: until the deadline, or
            // until the admin closes the voting early (judging).
            votes_shown: !row.votes_hidden
                || deadline_passed
                || matches!(row.state.as_str(), "judging" | "closed")
                || can_manage,
            space,
            space_name,
            challenge: row,
        })
    }

    /// A space's challenges as `viewer` sees them (drafts only for managers), newest first.
    pub async fn space_challenges(
        &self,
        viewer: Option<&Actor>,
        space: &Space,
    ) -> Result<Vec<ChallengeView>> {
        let rows = self.store().challenges_of_space(space.id.0).await?;
        let mut out = Vec::new();
        for row in rows {
            if row.state == "draft" && !Self::can_manage_challenges(viewer) {
                continue;
            }
            out.push(self.view_of(viewer, row).await?);
        }
        Ok(out)
    }

    /// A challenge with its entries and their comments, as `viewer` sees it (one read).
    pub async fn challenge_page(&self, viewer: Option<&Actor>, id: i64) -> Result<ChallengePage> {
        let what = ChallengeReadFor::Page {
            viewer: viewer.map(|a| a.member.id.0),
        };
        let read = self
            .store()
            .challenge_read(id, what)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("challenge {id}")))?;
        let view = Self::view_from(
            viewer,
            read.challenge,
            read.space_slug,
            read.space_name,
            read.criteria,
            read.evaluators,
        )?;
        let mut comments: HashMap<i64, Vec<EntryComment>> = HashMap::new();
        for c in read.comments {
            comments.entry(c.entry_id).or_default().push(c);
        }
        let mine: HashSet<i64> = read.my_votes.into_iter().collect();
        let winners = read
            .entries
            .iter()
            .filter(|e| e.winner)
            .map(|e| e.id)
            .collect();
        let entries = read
            .entries
            .into_iter()
            .map(|mut e| {
                if !view.votes_shown {
                    e.vote_count = None;
                }
                EntryView {
                    comments: comments.remove(&e.id).unwrap_or_default(),
                    my_vote: mine.contains(&e.id),
                    mine: viewer.is_some_and(|a| a.member.id == e.author.id),
                    entry: e,
                }
            })
            .collect();
        Ok(ChallengePage {
            view,
            entries,
            winners,
        })
    }
}

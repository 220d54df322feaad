//! Entries and what happens to them: submitted (rules accepted, before the deadline), voted
//! for, commented on, scored by evaluators, shortlisted, and announced as winners.

use super::ranking::{Entrant, Ranked, rank_sums};
use super::{ChallengeView, broke, is_http_url, no_nul};
use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::{EntryRow, NewEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A mail to an entrant once winners are announced.
pub const CHALLENGE_MAIL: &str = "challenge.mail";

/// An entry as typed.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Default)]
pub struct EntryInput {
    pub title: String,
    /// The entry, in Markdown.
    pub body: String,
    /// http(s) links (at most 10).
    #[serde(default)]
    pub links: Vec<String>,
    /// The entrant accepts the challenge's rules (never assumed).
    #[serde(default)]
    pub accept_rules: bool,
}

/// One score of an entry on a criterion.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
pub struct ScoreInput {
    pub criterion_id: i64,
    pub score: i64,
}

/// A line of the ranked scorecard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScorecardRow {
    pub entry: EntryRow,
    pub ranked: Ranked,
}

/// The ranked scorecard of a challenge.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scorecard {
    pub view: ChallengeView,
    pub rows: Vec<ScorecardRow>,
}

/// An evaluator's sheet: every entry, with the scores they already gave.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreSheet {
    pub view: ChallengeView,
    pub entries: Vec<EntryRow>,
    /// (entry id, criterion id, score) already given by this evaluator.
    pub given: Vec<(i64, i64, i64)>,
}

impl Services {
    /// The challenge an entry belongs to.
    pub async fn entry_challenge_id(&self, entry: i64) -> Result<i64> {
        Ok(self
            .store()
            .challenge_entry(entry)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("entry {entry}")))?
            .challenge_id)
    }

    async fn entry_and_challenge(
        &self,
        viewer: Option<&Actor>,
        entry: i64,
    ) -> Result<(EntryRow, ChallengeView)> {
        let e = self
            .store()
            .challenge_entry(entry)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("entry {entry}")))?;
        let v = self.challenge_view(viewer, e.challenge_id).await?;
        Ok((e, v))
    }

    /// Submit an entry: the challenge must be open, its deadline (in its zone) not passed,
    /// and the rules accepted — their wording is kept with the entry.
    pub async fn submit_entry(
        &self,
        actor: &Actor,
        id: i64,
        input: &EntryInput,
    ) -> Result<EntryRow> {
        let v = self.challenge_view(Some(actor), id).await?;
        let c = &v.challenge;
        if c.state != "open" {
            return Err(broke(
                "challenge",
                Rule::Choice,
                format!("the challenge is {}: it does not take entries", c.state),
            ));
        }
        if v.deadline_passed {
            return Err(broke(
                "challenge",
                Rule::InPast,
                format!(
                    "the deadline ({} {}) has passed: entries are closed",
                    v.deadline_local.replace('T', " "),
                    c.time_zone
                ),
            ));
        }
        let title = hygiene::label("title", &input.title, 200)?;
        no_nul("body", &input.body)?;
        let body = required_text("body", &input.body, crate::MAX_BODY_CHARS)?;
        let mut links = Vec::new();
        for l in input
            .links
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
        {
            if !is_http_url(l) || l.len() > 2000 || l.contains('\0') {
                return Err(broke(
                    "links",
                    Rule::Url,
                    format!("{l:?} is not an http or https address"),
                ));
            }
            links.push(l.to_string());
        }
        if links.len() > 10 {
            return Err(broke("links", Rule::Range, "at most 10 links"));
        }
        if !input.accept_rules {
            return Err(broke(
                "accept_rules",
                Rule::Required,
                "accept the challenge's rules to submit an entry",
            ));
        }
        let entry = self
            .store()
            .add_entry(&NewEntry {
                challenge_id: id,
                member_id: actor.member.id.0,
                title,
                body_html: markdown::render(&body),
                body_md: body,
                links,
                rules_wording: c.rules.clone(),
                now: now_millis(),
            })
            .await?;
        tracing::info!(challenge = id, entry, "entry submitted");
        let entry = self
            .store()
            .challenge_entry(entry)
            .await?
            .ok_or_else(|| ServiceError::NotFound("entry".into()))?;
        self.emit_submission_created(c, &entry).await;
        Ok(entry)
    }

    /// Vote for an entry: once, not for one's own, while the challenge is open.
    pub async fn vote_for_entry(&self, actor: &Actor, entry: i64) -> Result<()> {
        let (e, v) = self.entry_and_challenge(Some(actor), entry).await?;
        if v.challenge.state != "open" || v.deadline_passed {
            return Err(broke(
                "vote",
                Rule::InPast,
                "votes are closed: the challenge is past its deadline or not open",
            ));
        }
        if e.author.id == actor.member.id {
            return Err(ServiceError::Forbidden(
                "you cannot vote for your own entry".into(),
            ));
        }
        self.store()
            .vote_entry(e.challenge_id, entry, actor.member.id.0, now_millis())
            .await
            .map_err(|err| match err {
                parvis_store::StoreError::Conflict { .. } => {
                    ServiceError::Conflict("your vote for this entry".into())
                }
                other => other.into(),
            })
    }

    /// Withdraw one's vote for an entry while the challenge is open (after its deadline,
    /// refused like a vote); it can be given again. `NotFound` names the vote when there is
    /// none to withdraw.
    pub async fn withdraw_vote_for_entry(&self, actor: &Actor, entry: i64) -> Result<()> {
        if self.withdraw_vote_for_entry_if_any(actor, entry).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound("your vote for this entry".into()))
        }
    }

    /// [`Self::withdraw_vote_for_entry`], but a vote already withdrawn is no error: `false`.
    /// The page's "Withdraw my vote" form sent twice (or from a page left open) asks for what
    /// is already done; the API keeps saying there is nothing to withdraw.
    pub async fn withdraw_vote_for_entry_if_any(&self, actor: &Actor, entry: i64) -> Result<bool> {
        let (_, v) = self.entry_and_challenge(Some(actor), entry).await?;
        if v.challenge.state != "open" || v.deadline_passed {
            return Err(broke(
                "vote",
                Rule::InPast,
                "votes are closed: the challenge is past its deadline or not open",
            ));
        }
        match self
            .store()
            .withdraw_entry_vote(entry, actor.member.id.0)
            .await
        {
            Ok(()) => Ok(true),
            Err(parvis_store::StoreError::NotFound("vote")) => Ok(false),
            Err(other) => Err(other.into()),
        }
    }

    /// Comment on an entry (while the challenge is open or judged).
    pub async fn comment_entry(&self, actor: &Actor, entry: i64, body: &str) -> Result<i64> {
        let (e, v) = self.entry_and_challenge(Some(actor), entry).await?;
        if !matches!(v.challenge.state.as_str(), "open" | "judging") {
            return Err(broke(
                "challenge",
                Rule::Choice,
                format!(
                    "the challenge is {}: comments are closed",
                    v.challenge.state
                ),
            ));
        }
        no_nul("body", body)?;
        let body = required_text("body", body, 10_000)?;
        Ok(self
            .store()
            .add_entry_comment(
                e.challenge_id,
                entry,
                actor.member.id.0,
                &body,
                &markdown::render(&body),
                now_millis(),
            )
            .await?)
    }

    /// An evaluator scores an entry on some or all criteria, each within the scale.
    pub async fn score_entry(
        &self,
        actor: &Actor,
        entry: i64,
        scores: &[ScoreInput],
    ) -> Result<()> {
        let (_, v) = self.entry_and_challenge(Some(actor), entry).await?;
        if !v.is_evaluator {
            return Err(ServiceError::Forbidden(
                "only this challenge's evaluators score its entries".into(),
            ));
        }
        if !matches!(v.challenge.state.as_str(), "open" | "judging") {
            return Err(broke(
                "challenge",
                Rule::Choice,
                format!("the challenge is {}: scoring is closed", v.challenge.state),
            ));
        }
        if scores.is_empty() {
            return Err(broke("scores", Rule::Required, "give at least one score"));
        }
        let max = v.challenge.scale_max;
        for s in scores {
            if !v.criteria.iter().any(|c| c.id == s.criterion_id) {
                return Err(broke(
                    "scores",
                    Rule::Choice,
                    format!(
                        "criterion {} is not one of this challenge's",
                        s.criterion_id
                    ),
                ));
            }
            if !(0..=max).contains(&s.score) {
                return Err(broke(
                    "scores",
                    Rule::Range,
                    format!(
                        "a score goes from 0 to {max}; {} is outside the scale",
                        s.score
                    ),
                ));
            }
        }
        let pairs: Vec<(i64, i64)> = scores.iter().map(|s| (s.criterion_id, s.score)).collect();
        self.store()
            .set_entry_scores(
                v.challenge.id,
                entry,
                actor.member.id.0,
                &pairs,
                now_millis(),
            )
            .await?;
        Ok(())
    }

    /// An evaluator's scoring sheet.
    pub async fn score_sheet(&self, actor: &Actor, id: i64) -> Result<ScoreSheet> {
        let view = self.challenge_view(Some(actor), id).await?;
        if !view.is_evaluator {
            return Err(ServiceError::Forbidden(
                "only this challenge's evaluators score its entries".into(),
            ));
        }
        let me = actor.member.id.0;
        let given = self
            .store()
            .challenge_scores(id)
            .await?
            .into_iter()
            .filter(|s| s.evaluator_id == me)
            .map(|s| (s.entry_id, s.criterion_id, s.score))
            .collect();
        Ok(ScoreSheet {
            entries: self.store().challenge_entries(id).await?,
            view,
            given,
        })
    }

    /// The ranked scorecard (managers).
    pub async fn scorecard(&self, actor: &Actor, id: i64) -> Result<Scorecard> {
        actor.require_moderator()?;
        let read = self
            .store()
            .challenge_read(id, parvis_store::ChallengeReadFor::Scorecard)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("challenge {id}")))?;
        let view = Self::view_from(
            Some(actor),
            read.challenge,
            read.space_slug,
            read.space_name,
            read.criteria,
            read.evaluators,
        )?;
        let (entries, scores) = (read.entries, read.score_sums);
        let entrants: Vec<Entrant> = entries
            .iter()
            .map(|e| Entrant {
                entry_id: e.id,
                votes: e.vote_count.unwrap_or(0),
                created_at: e.created_at,
            })
            .collect();
        let ranked = rank_sums(&view.criteria, view.evaluators.len(), &entrants, &scores);
        let mut by_id: std::collections::HashMap<i64, EntryRow> =
            entries.into_iter().map(|e| (e.id, e)).collect();
        let rows = ranked
            .into_iter()
            .filter_map(|r| {
                by_id
                    .remove(&r.entry_id)
                    .map(|entry| ScorecardRow { entry, ranked: r })
            })
            .collect();
        Ok(Scorecard { view, rows })
    }

    /// Put an entry on the shortlist or take it off (managers, before the announcement).
    pub async fn shortlist_entry(&self, actor: &Actor, entry: i64, on: bool) -> Result<EntryRow> {
        actor.require_moderator()?;
        let (_, v) = self.entry_and_challenge(Some(actor), entry).await?;
        if v.challenge.state == "closed" {
            return Err(broke(
                "challenge",
                Rule::Choice,
                "the winners are announced: the shortlist is final",
            ));
        }
        self.store().set_entry_shortlisted(entry, on).await?;
        self.store()
            .challenge_entry(entry)
            .await?
            .ok_or_else(|| ServiceError::NotFound("entry".into()))
    }

    /// Announce the winners: the challenge closes and every entrant is mailed (a background
    /// job each, so a mail server that is down loses nothing).
    pub async fn announce_winners(
        &self,
        actor: &Actor,
        id: i64,
        winners: &[i64],
    ) -> Result<ChallengeView> {
        actor.require_moderator()?;
        let v = self.challenge_view(Some(actor), id).await?;
        if v.challenge.state != "judging" {
            return Err(broke(
                "challenge",
                Rule::Choice,
                format!(
                    "winners are announced once the challenge is being judged; this one is {}",
                    v.challenge.state
                ),
            ));
        }
        if winners.is_empty() {
            return Err(broke(
                "winners",
                Rule::Required,
                "choose at least one winning entry",
            ));
        }
        let entries = self.store().challenge_entries(id).await?;
        for w in winners {
            if !entries.iter().any(|e| e.id == *w) {
                return Err(broke(
                    "winners",
                    Rule::Choice,
                    format!("entry {w} is not an entry of this challenge"),
                ));
            }
        }
        let now = now_millis();
        if !self.store().announce_winners(id, winners, now).await? {
            return Err(broke(
                "challenge",
                Rule::Choice,
                "the winners are already announced",
            ));
        }
        let mut entrants: Vec<i64> = entries.iter().map(|e| e.author.id.0).collect();
        entrants.sort_unstable();
        entrants.dedup();
        for m in entrants {
            self.store()
                .enqueue_job(
                    CHALLENGE_MAIL,
                    &format!("challenge:{id}:announce:{m}"),
                    &serde_json::json!({"challenge": id, "member": m}).to_string(),
                    now,
                    now,
                )
                .await?;
        }
        tracing::info!(challenge = id, winners = winners.len(), "winners announced");
        self.challenge_view(Some(actor), id).await
    }
}

//! Voting from a widget: for a challenge's entries (and withdrawing the vote), and on an
//! opinion map's statements (agree, disagree, pass, one statement after another, as Pol.is's
//! embeds do).
//!
//! Each call checks what the widget's other writes check — the token is for the space of what
//! is voted on — and then calls the very function the page calls, so the rules (open
//! challenge, before its deadline, once per person and entry, not for one's own entry; an
//! accepted statement, a later vote replacing an earlier one) live in one place. As with
//! likes, no posting budget applies (a vote is not text anyone reads, and giving it twice
//! counts once), but likes, votes and answers share a per-visitor budget
//! (`ratelimit::WIDGET_ACTIONS_PER_MINUTE`), so that a token in a script cannot click without
//! end.
//!
//! Privacy: what a widget learns back is the caller's own votes only; others see counts (or,
//! for statements, the map), never who voted for what.

use super::posting::WidgetActor;
use crate::{Result, ServiceError, Services};
use parvis_domain::*;
use parvis_store::StatementRow;
use serde::Serialize;

/// The caller's own votes in a challenge, for the widget to show its buttons as pressed (the
/// card is drawn the same for everyone).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct MyEntryVotes {
    /// The entries the caller voted for.
    pub voted: Vec<i64>,
    /// The caller's own entries (nobody votes for their own).
    pub own: Vec<i64>,
}

/// A statement to vote on, as a widget shows it: its text, never its author.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WidgetStatement {
    pub id: i64,
    pub body: String,
}

impl From<StatementRow> for WidgetStatement {
    fn from(s: StatementRow) -> Self {
        WidgetStatement {
            id: s.id,
            body: s.body,
        }
    }
}

impl Services {
    /// Refuse an entry of a challenge of another space than the widget token's.
    async fn check_entry_space(&self, w: &WidgetActor, entry: i64) -> Result<i64> {
        let challenge = self.entry_challenge_id(entry).await?;
        w.check_space(SpaceId(self.challenge_row(challenge).await?.space_id))?;
        Ok(challenge)
    }

    /// Vote for a challenge's entry from a widget, with the page's rules
    /// ([`Self::vote_for_entry`]); the challenge's id, for the embed's funnel.
    pub async fn widget_vote_for_entry(&self, w: &WidgetActor, entry: i64) -> Result<i64> {
        let challenge = self.check_entry_space(w, entry).await?;
        self.widget_action_gate(w.actor.member.id).await?;
        self.vote_for_entry(&w.actor, entry).await?;
        Ok(challenge)
    }

    /// Withdraw one's vote for an entry from a widget, with the page's rules
    /// ([`Self::withdraw_vote_for_entry`]).
    pub async fn widget_withdraw_vote_for_entry(&self, w: &WidgetActor, entry: i64) -> Result<()> {
        self.check_entry_space(w, entry).await?;
        self.widget_action_gate(w.actor.member.id).await?;
        self.withdraw_vote_for_entry(&w.actor, entry).await
    }

    /// The caller's votes and own entries in a challenge of the token's space.
    pub async fn widget_entry_votes(
        &self,
        w: &WidgetActor,
        challenge: i64,
    ) -> Result<MyEntryVotes> {
        let page = self.challenge_page(Some(&w.actor), challenge).await?;
        w.check_space(SpaceId(page.view.challenge.space_id))?;
        let mut mine = MyEntryVotes::default();
        for e in page.entries {
            if e.my_vote {
                mine.voted.push(e.entry.id);
            }
            if e.mine {
                mine.own.push(e.entry.id);
            }
        }
        Ok(mine)
    }

    /// The topic of an opinion map's widget, when the token is for its space.
    async fn widget_topic(&self, w: &WidgetActor, space: &str, topic: &str) -> Result<Topic> {
        let space = self.space(space).await?;
        w.check_space(space.id)?;
        self.topic(&space, topic).await
    }

    /// The next statement for the widget's visitor to vote on, chosen as for the topic's page
    /// ([`Self::next_statement`]); `None` once they voted on every accepted one.
    pub async fn widget_next_statement(
        &self,
        w: &WidgetActor,
        space: &str,
        topic: &str,
    ) -> Result<Option<WidgetStatement>> {
        let topic = self.widget_topic(w, space, topic).await?;
        Ok(self
            .next_statement(&w.actor, &topic)
            .await?
            .map(WidgetStatement::from))
    }

    /// Vote on a statement of the map's topic from its widget (`agree`, `disagree` or
    /// `pass`), counted in the map as a member's vote on the page ([`Self::vote`]).
    pub async fn widget_vote_statement(
        &self,
        w: &WidgetActor,
        space: &str,
        topic: &str,
        statement: i64,
        value: &str,
    ) -> Result<()> {
        let topic = self.widget_topic(w, space, topic).await?;
        let of_topic = self
            .store()
            .statement(statement)
            .await?
            .is_some_and(|s| s.topic_id == topic.id);
        if !of_topic {
            return Err(ServiceError::NotFound(format!(
                "statement {statement} of this map"
            )));
        }
        self.widget_action_gate(w.actor.member.id).await?;
        self.vote(&w.actor, statement, value).await?;
        Ok(())
    }
}

//! Answering a survey once per person, whatever the path — signed in (page, API, widget) or
//! through a personal link mailed to an address — without ever tying an answer to a person.
//!
//! Design. A signed-in answer's respondent is a keyed hash of the member (services); an answer
//! given by link has a random respondent, and its recipient row only a bare `answered` flag
//! (`schema_v27.sql`). The two paths meet on the address hash the recipient row keeps
//! (`email_hash`, computed by the services from the normalised address):
//! - signed in, the answer is refused when the survey's recipient row for the member's
//!   address hash is `answered`; once stored it leaves a marker (survey, address hash) in
//!   `survey_answered` (`schema_v30.sql`);
//! - by link, the answer is refused when a marker for the recipient's address hash exists.
//!
//! Answers given by link leave no marker: the recipient row's flag already is theirs, so this
//! path writes nothing new that could be matched to the answer it stores (a marker row written
//! in the same transaction could be, by insertion order). A signed-in answer's marker tells
//! nothing its respondent hash does not. Considered and not taken: one marker table fed by
//! both paths (that insertion-order link), and noting the member on the recipient row when
//! the mail goes out (that would tie an address to a respondent).
//!
//! Every answer first holds its survey's row for the length of its transaction (a no-op
//! UPDATE of an open survey): the answers to one survey, and its closing, take turns, so each
//! check sees every answer committed before it — on PostgreSQL as on SQLite, whose write
//! transactions take turns anyway — and no answer lands after the survey closed.

use crate::{Result, Store, text};
use parvis_domain::Millis;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// How an answer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Stored.
    Recorded,
    /// The survey is closed (or gone): nothing stored.
    Closed,
    /// This person already answered, signed in or through a link mailed to their address.
    AlreadyAnswered,
    /// This personal link already answered.
    LinkUsed,
    /// Not a personal link of this survey.
    UnknownLink,
}

/// A personal link's state, for its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRow {
    /// The link answered.
    pub used: bool,
    /// The person it was mailed to answered while signed in.
    pub person_answered: bool,
}

/// Hold an open survey's row until the transaction ends; `false` when it is closed or gone.
pub(crate) async fn hold_open(tx: &mut Tx, survey_id: i64) -> Result<bool> {
    let held =
        sqlx::query("UPDATE surveys SET closed_at = closed_at WHERE id = $1 AND closed_at IS NULL")
            .bind(survey_id)
            .execute(&mut **tx)
            .await?;
    Ok(held.rows_affected() == 1)
}

async fn exists(tx: &mut Tx, sql: &'static str, survey_id: i64, key: &str) -> Result<bool> {
    Ok(sqlx::query(sql)
        .bind(survey_id)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

const MARKED: &str = "SELECT 1 AS one FROM survey_answered WHERE survey_id = $1 AND marker = $2";
const LINK_ANSWERED: &str = "SELECT 1 AS one FROM survey_recipients
     WHERE survey_id = $1 AND email_hash = $2 AND answered = 1";
const RESPONDED: &str =
    "SELECT 1 AS one FROM survey_answers WHERE survey_id = $1 AND respondent = $2";

#[allow(clippy::too_many_arguments)]
async fn insert_answer(
    tx: &mut Tx,
    survey_id: i64,
    respondent: &str,
    score: i64,
    comment: &str,
    group: &str,
    now: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO survey_answers (survey_id, respondent, score, comment, grp, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(survey_id)
    .bind(respondent)
    .bind(score)
    .bind(comment)
    .bind(group)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(crate::conflict_as("answer"))?;
    Ok(())
}

impl Store {
    /// Record a signed-in member's answer, once per person: refused when `respondent` (the
    /// member's keyed hash) answered, or when a link mailed to the member's address
    /// (`address`, its hash as the recipient rows keep it) did; otherwise stored with the
    /// address's marker, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer_survey_as_member(
        &self,
        survey_id: i64,
        respondent: &str,
        address: Option<&str>,
        score: i64,
        comment: &str,
        group: &str,
        now: Millis,
    ) -> Result<AnswerOutcome> {
        let mut tx = self.begin_write().await?;
        let refused = if !hold_open(&mut tx, survey_id).await? {
            Some(AnswerOutcome::Closed)
        } else if exists(&mut tx, RESPONDED, survey_id, respondent).await?
            || match address {
                Some(a) => exists(&mut tx, LINK_ANSWERED, survey_id, a).await?,
                None => false,
            }
        {
            Some(AnswerOutcome::AlreadyAnswered)
        } else {
            None
        };
        if let Some(outcome) = refused {
            tx.rollback().await?;
            return Ok(outcome);
        }
        insert_answer(&mut tx, survey_id, respondent, score, comment, group, now).await?;
        if let Some(a) = address {
            sqlx::query(
                "INSERT INTO survey_answered (survey_id, marker) VALUES ($1, $2)
                 ON CONFLICT (survey_id, marker) DO NOTHING",
            )
            .bind(survey_id)
            .bind(a)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(AnswerOutcome::Recorded)
    }

    /// Whether a member already answered: as `respondent`, or through a link mailed to
    /// their `address` (hash).
    pub async fn member_answered_survey(
        &self,
        survey_id: i64,
        respondent: &str,
        address: Option<&str>,
    ) -> Result<bool> {
        if self.has_answered(survey_id, respondent).await? {
            return Ok(true);
        }
        let Some(a) = address else {
            return Ok(false);
        };
        Ok(sqlx::query(LINK_ANSWERED)
            .bind(survey_id)
            .bind(a)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// A personal link of `survey_id` (by its hash): whether it answered, and whether the
    /// person it was mailed to answered signed in. `None` when unknown.
    pub async fn survey_link(&self, survey_id: i64, token_hash: &str) -> Result<Option<LinkRow>> {
        let Some(row) = sqlx::query(
            "SELECT email_hash, answered FROM survey_recipients
             WHERE survey_id = $1 AND token_hash = $2",
        )
        .bind(survey_id)
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let person_answered = sqlx::query(MARKED)
            .bind(survey_id)
            .bind(text(&row, "email_hash")?)
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        Ok(Some(LinkRow {
            used: crate::int(&row, "answered")? != 0,
            person_answered,
        }))
    }

    /// Record an answer given through a personal link, once: the link is marked used and the
    /// answer stored under `respondent` (random) in one transaction — unless the survey is
    /// closed, the link unknown or used, or the person it was mailed to answered signed in.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer_survey_by_link(
        &self,
        survey_id: i64,
        token_hash: &str,
        respondent: &str,
        score: i64,
        comment: &str,
        group: &str,
        now: Millis,
    ) -> Result<AnswerOutcome> {
        let mut tx = self.begin_write().await?;
        let refused = if !hold_open(&mut tx, survey_id).await? {
            Some(AnswerOutcome::Closed)
        } else {
            let row = sqlx::query(
                "SELECT id, email_hash, answered FROM survey_recipients
                 WHERE survey_id = $1 AND token_hash = $2",
            )
            .bind(survey_id)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                None => Some(AnswerOutcome::UnknownLink),
                Some(r) if crate::int(&r, "answered")? != 0 => Some(AnswerOutcome::LinkUsed),
                Some(r) => {
                    let address = text(&r, "email_hash")?;
                    if exists(&mut tx, MARKED, survey_id, &address).await? {
                        Some(AnswerOutcome::AlreadyAnswered)
                    } else {
                        sqlx::query("UPDATE survey_recipients SET answered = 1 WHERE id = $1")
                            .bind(crate::int(&r, "id")?)
                            .execute(&mut *tx)
                            .await?;
                        None
                    }
                }
            }
        };
        if let Some(outcome) = refused {
            tx.rollback().await?;
            return Ok(outcome);
        }
        insert_answer(&mut tx, survey_id, respondent, score, comment, group, now).await?;
        tx.commit().await?;
        Ok(AnswerOutcome::Recorded)
    }
}

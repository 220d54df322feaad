//! Answering a survey once per person, whatever the path — signed in (page, API, widget) or
//! through a personal link mailed to an address — without ever tying an answer to a person.
//!
//! Design. A signed-in answer's respondent is a keyed hash of the member (services); an answer
//! given by link has a random respondent, and its recipient row only a bare `answered` flag
//! (`schema_v27.sql`). The two paths meet on two markers, never on the answer:
//! - the *address marker*: the hash of the normalised address the recipient row keeps
//!   (`email_hash`) and a signed-in answer leaves for the member's current address;
//! - the *member marker*: a hash of the member id (services), which a signed-in answer leaves
//!   too, and which a recipient row notes (`member_marker`, `schema_v32.sql`) when its mail
//!   goes out to an address that is then a member's.
//!
//! The rules, each checked in the answer's own transaction:
//! - signed in, the answer is refused when the member's respondent answered, when the
//!   recipient row of their current address hash is `answered`, or when a recipient row noting
//!   their member marker is; once stored it leaves both markers in `survey_answered`
//!   (`schema_v30.sql`);
//! - by link, the answer is refused when a marker for the recipient's address hash, or for the
//!   member marker it noted, exists.
//!
//! Why two markers. The address alone lets a person answer twice by changing their address in
//! between: signed in with the old one then by a link mailed to the new one, or by a link
//! mailed to the old one then signed in with the new one (neither side's address hash meets
//! the other's). The member marker follows the person across addresses; the address marker
//! still catches a link mailed to the person's address before it was a member's (a pasted
//! address, the member registering afterwards with it). Noting the member when the mail goes
//! out (not when the survey is sent) ties the link to whoever holds the address it reaches;
//! the job already looks the member up for the mail's language.
//!
//! What the markers reveal: nothing the tables did not. The member marker is a hash of an id,
//! as the address marker is of an address anyone holding the members' addresses can hash; a
//! recipient row saying which member a link went to and that it was used says what its address
//! hash and flag already said; a signed-in answer's markers tell nothing its respondent (the
//! member's hash) does not. Answers given by link still write nothing new when they are given
//! (the row's flag is theirs; the member marker was written before, when the mail left), so no
//! marker can be matched to the answer by insertion order, and the marker is no column of the
//! answer row: the answers stay unjoinable to people (eNPS).
//!
//! Left open: a link mailed to an address that was no member's, answered, then the address
//! claimed by a member who changes it before answering signed in — nothing ties that link to
//! the member without keeping the address, which the mailing forgets on purpose. Considered
//! and not taken: one marker table fed by both paths (an insertion-order link between a link
//! answer and its marker), and the member's respondent hash itself as the recipient row's
//! marker (a plain join from recipient rows to signed-in answers).
//!
//! Every answer first holds its survey's row for the length of its transaction (a no-op
//! UPDATE of an open survey): the answers to one survey, and its closing, take turns, so each
//! check sees every answer committed before it — on PostgreSQL as on SQLite, whose write
//! transactions take turns anyway — and no answer lands after the survey closed.

use crate::{Result, Store, opt_text, text};
use parvis_domain::Millis;
use sqlx::any::AnyRow;

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
const MEMBER_LINK_ANSWERED: &str = "SELECT 1 AS one FROM survey_recipients
     WHERE survey_id = $1 AND member_marker = $2 AND answered = 1";
const RESPONDED: &str =
    "SELECT 1 AS one FROM survey_answers WHERE survey_id = $1 AND respondent = $2";

/// Whether the person a recipient row's link was mailed to answered signed in: a marker for
/// its address hash, or for the member it noted when the mail went out.
async fn person_marked(tx: &mut Tx, survey_id: i64, recipient: &AnyRow) -> Result<bool> {
    let member = opt_text(recipient, "member_marker")?;
    for marker in [Some(text(recipient, "email_hash")?), member]
        .into_iter()
        .flatten()
    {
        if exists(tx, MARKED, survey_id, &marker).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

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
    /// member's keyed hash) answered, when a link mailed to the member's address (`address`,
    /// its hash as the recipient rows keep it) did, or a link mailed to the member under any
    /// address (`member`, their member marker); otherwise stored with both markers, in one
    /// transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn answer_survey_as_member(
        &self,
        survey_id: i64,
        respondent: &str,
        address: Option<&str>,
        member: &str,
        score: i64,
        comment: &str,
        group: &str,
        now: Millis,
    ) -> Result<AnswerOutcome> {
        let mut tx = self.begin_write().await?;
        let refused = if !hold_open(&mut tx, survey_id).await? {
            Some(AnswerOutcome::Closed)
        } else if exists(&mut tx, RESPONDED, survey_id, respondent).await?
            || exists(&mut tx, MEMBER_LINK_ANSWERED, survey_id, member).await?
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
        for marker in address.into_iter().chain([member]) {
            sqlx::query(
                "INSERT INTO survey_answered (survey_id, marker) VALUES ($1, $2)
                 ON CONFLICT (survey_id, marker) DO NOTHING",
            )
            .bind(survey_id)
            .bind(marker)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(AnswerOutcome::Recorded)
    }

    /// Whether a member already answered: as `respondent`, or through a link mailed to
    /// their `address` (hash) or to them (`member`, their member marker) under another one.
    pub async fn member_answered_survey(
        &self,
        survey_id: i64,
        respondent: &str,
        address: Option<&str>,
        member: &str,
    ) -> Result<bool> {
        if self.has_answered(survey_id, respondent).await? {
            return Ok(true);
        }
        let checks = address
            .map(|a| (LINK_ANSWERED, a))
            .into_iter()
            .chain([(MEMBER_LINK_ANSWERED, member)]);
        for (sql, key) in checks {
            let found = sqlx::query(sql)
                .bind(survey_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
            if found.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// A personal link of `survey_id` (by its hash): whether it answered, and whether the
    /// person it was mailed to answered signed in. `None` when unknown.
    pub async fn survey_link(&self, survey_id: i64, token_hash: &str) -> Result<Option<LinkRow>> {
        let mut tx = self.pool.begin().await?;
        let Some(row) = sqlx::query(
            "SELECT email_hash, member_marker, answered FROM survey_recipients
             WHERE survey_id = $1 AND token_hash = $2",
        )
        .bind(survey_id)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let person_answered = person_marked(&mut tx, survey_id, &row).await?;
        tx.commit().await?;
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
                "SELECT id, email_hash, member_marker, answered FROM survey_recipients
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
                    if person_marked(&mut tx, survey_id, &r).await? {
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

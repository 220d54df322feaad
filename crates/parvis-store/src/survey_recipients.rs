//! Surveys sent by email: the addresses a survey went to, their personal links (hashed), and
//! whether each link was used — never which answer it gave (see `schema_v27.sql`).

use crate::{Result, Store, SurveyRow, int, text};
use parvis_domain::Millis;

/// An address waiting for its survey mail.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientToMail {
    pub id: i64,
    pub survey_id: i64,
    /// Empty once the mail went out.
    pub email: String,
    /// The language chosen when the survey was sent (a member's own wins when mailing).
    pub lang: String,
    pub answered: bool,
}

/// How a survey's mailing went: addresses mailed, and links used to answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecipientCounts {
    pub sent: i64,
    pub answered: i64,
}

impl Store {
    /// A survey by its id.
    pub async fn survey_by_id(&self, id: i64) -> Result<Option<SurveyRow>> {
        let row = sqlx::query(
            "SELECT id, space_id, kind, title, token, created_at, closed_at FROM surveys WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(Self::survey_row).transpose()
    }

    /// Add addresses to a survey's mailing (`(email_hash, email, lang)`), skipping those it
    /// already has; the new rows' ids, in one transaction.
    pub async fn add_survey_recipients(
        &self,
        survey_id: i64,
        people: &[(String, String, String)],
        now: Millis,
    ) -> Result<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::new();
        for (hash, email, lang) in people {
            let row = sqlx::query(
                "INSERT INTO survey_recipients (survey_id, email_hash, email, lang, created_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (survey_id, email_hash) DO NOTHING RETURNING id",
            )
            .bind(survey_id)
            .bind(hash)
            .bind(email)
            .bind(lang)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = row {
                ids.push(int(&row, "id")?);
            }
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// A recipient, for its mail.
    pub async fn survey_recipient(&self, id: i64) -> Result<Option<RecipientToMail>> {
        let row = sqlx::query(
            "SELECT id, survey_id, email, lang, answered FROM survey_recipients WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(RecipientToMail {
                id: int(&r, "id")?,
                survey_id: int(&r, "survey_id")?,
                email: text(&r, "email")?,
                lang: text(&r, "lang")?,
                answered: int(&r, "answered")? != 0,
            })
        })
        .transpose()
    }

    /// Give a recipient a new personal link (its hash), before its mail goes out; an older
    /// link stops working.
    pub async fn set_survey_recipient_link(&self, id: i64, token_hash: &str) -> Result<()> {
        sqlx::query("UPDATE survey_recipients SET token_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The recipient's mail went out: forget the address.
    pub async fn survey_recipient_mailed(&self, id: i64, now: Millis) -> Result<()> {
        sqlx::query("UPDATE survey_recipients SET sent_at = $2, email = '' WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Whether a personal link of `survey_id` exists and was used: `None` when unknown.
    pub async fn survey_link_used(&self, survey_id: i64, token_hash: &str) -> Result<Option<bool>> {
        let row = sqlx::query(
            "SELECT answered FROM survey_recipients WHERE survey_id = $1 AND token_hash = $2",
        )
        .bind(survey_id)
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(int(&r, "answered")? != 0)).transpose()
    }

    /// Record an answer given through a personal link, once: marks the link used and stores
    /// the answer in one transaction. `false` (and nothing stored) when the link was already
    /// used or is unknown.
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
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let used = sqlx::query(
            "UPDATE survey_recipients SET answered = 1
             WHERE survey_id = $1 AND token_hash = $2 AND answered = 0",
        )
        .bind(survey_id)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
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
        .execute(&mut *tx)
        .await
        .map_err(crate::conflict_as("answer"))?;
        tx.commit().await?;
        Ok(true)
    }

    /// How many addresses a survey was mailed to, and how many of their links answered.
    pub async fn survey_recipient_counts(&self, survey_id: i64) -> Result<RecipientCounts> {
        let row = sqlx::query(
            "SELECT COUNT(sent_at) AS sent, COUNT(CASE WHEN answered = 1 THEN 1 END) AS answered
             FROM survey_recipients WHERE survey_id = $1",
        )
        .bind(survey_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(RecipientCounts {
            sent: int(&row, "sent")?,
            answered: int(&row, "answered")?,
        })
    }

    /// The addresses of the instance's members (not erased, not merged), those of one
    /// ecosystem role when given: a survey's audience.
    pub async fn member_addresses(&self, ecosystem_role: Option<&str>) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT email FROM members
             WHERE email IS NOT NULL AND email <> '' AND erased_at IS NULL AND merged_into IS NULL
               AND ($1 = '' OR ecosystem_role = $1)
             ORDER BY id",
        )
        .bind(ecosystem_role.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| text(r, "email")).collect()
    }
}

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

/// What closing a survey did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedSurvey {
    /// When it closed (the first time, for a survey closed twice).
    pub closed_at: Millis,
    /// Mails not sent yet, dropped with their addresses.
    pub dropped: i64,
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

    /// The recipient's mail went out: forget the address, and note the member marker of the
    /// member whose address it was (`None`: no member's), so that one person answers once
    /// across their addresses (see `survey_answers`).
    pub async fn survey_recipient_mailed(
        &self,
        id: i64,
        now: Millis,
        member: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE survey_recipients SET sent_at = $2, email = '', member_marker = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .bind(member)
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

    /// Close a survey (answers are refused from then on: see `survey_answers`): the mails
    /// not sent yet are dropped, their addresses with them (their jobs then find nothing to
    /// send). Answers, counts and figures stay. Closing a closed survey changes nothing.
    pub async fn close_survey(&self, id: i64, now: Millis) -> Result<ClosedSurvey> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE surveys SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let dropped =
            sqlx::query("DELETE FROM survey_recipients WHERE survey_id = $1 AND sent_at IS NULL")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        let row = sqlx::query("SELECT closed_at FROM surveys WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(crate::StoreError::NotFound("survey"))?;
        let closed_at = crate::opt_int(&row, "closed_at")?.unwrap_or(now);
        tx.commit().await?;
        Ok(ClosedSurvey {
            closed_at,
            dropped: dropped as i64,
        })
    }

    /// Drop a recipient whose mail has not gone (its survey closed meanwhile): the address
    /// goes with the row.
    pub async fn drop_unsent_survey_recipient(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM survey_recipients WHERE id = $1 AND sent_at IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
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

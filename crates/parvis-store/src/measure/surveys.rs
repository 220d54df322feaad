//! Surveys and their anonymous answers.

use crate::{Result, Store, int, opt_int, text};
use parvis_domain::Millis;

/// A stored survey.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyRow {
    pub id: i64,
    pub space_id: i64,
    pub kind: String,
    pub title: String,
    pub token: String,
    pub created_at: Millis,
    pub closed_at: Option<Millis>,
}

/// A stored answer (no member id: see the schema).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    pub score: i64,
    pub comment: String,
    pub group: String,
    pub created_at: Millis,
}

impl Store {
    /// Create a survey; returns its id.
    pub async fn create_survey(
        &self,
        space_id: i64,
        kind: &str,
        title: &str,
        token: &str,
        created_by: i64,
        now: Millis,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO surveys (space_id, kind, title, token, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(space_id)
        .bind(kind)
        .bind(title)
        .bind(token)
        .bind(created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "id")
    }

    pub(crate) fn survey_row(r: &sqlx::any::AnyRow) -> Result<SurveyRow> {
        Ok(SurveyRow {
            id: int(r, "id")?,
            space_id: int(r, "space_id")?,
            kind: text(r, "kind")?,
            title: text(r, "title")?,
            token: text(r, "token")?,
            created_at: int(r, "created_at")?,
            closed_at: opt_int(r, "closed_at")?,
        })
    }

    /// A survey by its link token.
    pub async fn survey_by_token(&self, token: &str) -> Result<Option<SurveyRow>> {
        let row = sqlx::query(
            "SELECT id, space_id, kind, title, token, created_at, closed_at FROM surveys WHERE token = $1",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(Self::survey_row).transpose()
    }

    /// A space's surveys, newest first.
    pub async fn surveys(&self, space_id: i64) -> Result<Vec<SurveyRow>> {
        let rows = sqlx::query(
            "SELECT id, space_id, kind, title, token, created_at, closed_at FROM surveys WHERE space_id = $1 ORDER BY id DESC",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Self::survey_row).collect()
    }

    /// Record an answer; a second one from the same respondent is a `Conflict` on "answer".
    pub async fn add_survey_answer(
        &self,
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
        .execute(&self.pool)
        .await
        .map_err(crate::conflict_as("answer"))?;
        Ok(())
    }

    /// Whether a respondent already answered.
    pub async fn has_answered(&self, survey_id: i64, respondent: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM survey_answers WHERE survey_id = $1 AND respondent = $2",
        )
        .bind(survey_id)
        .bind(respondent)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// A survey's answers, oldest first.
    pub async fn survey_answers(&self, survey_id: i64) -> Result<Vec<AnswerRow>> {
        let rows = sqlx::query(
            "SELECT score, comment, grp, created_at FROM survey_answers WHERE survey_id = $1 ORDER BY id",
        )
        .bind(survey_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AnswerRow {
                    score: int(r, "score")?,
                    comment: text(r, "comment")?,
                    group: text(r, "grp")?,
                    created_at: int(r, "created_at")?,
                })
            })
            .collect()
    }
}

//! Statements and votes of opinion maps.

use crate::{Result, Store, StoreError, int, opt_int, text};
use parvis_domain::{MemberId, Millis, TopicId};
use serde::Serialize;
use sqlx::Row;

/// A statement as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatementRow {
    pub id: i64,
    pub topic_id: TopicId,
    pub author_id: Option<MemberId>,
    pub body: String,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    pub created_at: Millis,
}

/// A vote as stored: +1 agree, -1 disagree, 0 pass.
#[derive(Debug, Clone, Serialize)]
pub struct VoteRow {
    pub statement_id: i64,
    pub voter: String,
    pub value: i64,
    pub created_at: Millis,
}

fn statement_row(r: &sqlx::any::AnyRow) -> Result<StatementRow> {
    Ok(StatementRow {
        id: int(r, "id")?,
        topic_id: TopicId(int(r, "topic_id")?),
        author_id: opt_int(r, "author_id")?.map(MemberId),
        body: text(r, "body")?,
        status: text(r, "status")?,
        created_at: int(r, "created_at")?,
    })
}

impl Store {
    /// Add a statement; with a `source_id` (imports) an existing one is kept (returns its id).
    pub async fn add_statement(
        &self,
        topic: TopicId,
        author: Option<MemberId>,
        body: &str,
        status: &str,
        now: Millis,
        source_id: Option<&str>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO statements (topic_id, author_id, body, status, created_at, source_id) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (topic_id, source_id) DO UPDATE SET body = excluded.body RETURNING id",
        )
        .bind(topic.0)
        .bind(author.map(|a| a.0))
        .bind(body)
        .bind(status)
        .bind(now)
        .bind(source_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// One statement.
    pub async fn statement(&self, id: i64) -> Result<Option<StatementRow>> {
        let row = sqlx::query("SELECT id, topic_id, author_id, body, status, created_at FROM statements WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(statement_row).transpose()
    }

    /// A topic's statements with a status (`None`: all), oldest first.
    pub async fn statements(
        &self,
        topic: TopicId,
        status: Option<&str>,
    ) -> Result<Vec<StatementRow>> {
        let rows = sqlx::query(
            "SELECT id, topic_id, author_id, body, status, created_at FROM statements
             WHERE topic_id = $1 AND ($2 = '' OR status = $2) ORDER BY id",
        )
        .bind(topic.0)
        .bind(status.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(statement_row).collect()
    }

    /// Accept or reject a statement.
    pub async fn set_statement_status(&self, id: i64, status: &str) -> Result<()> {
        let r = sqlx::query("UPDATE statements SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("statement"));
        }
        Ok(())
    }

    /// Record a vote; a later vote by the same voter replaces the earlier one (and the
    /// measures count it in its new week only, see `measure_taken_back`).
    pub async fn vote(&self, statement: i64, voter: &str, value: i64, now: Millis) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(&crate::measure_taken_back::statement_votes(
            "v.statement_id = $1 AND v.voter = $2 AND v.created_at < $3",
        ))
        .bind(statement)
        .bind(voter)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO statement_votes (statement_id, voter, value, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (statement_id, voter) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
        )
        .bind(statement)
        .bind(voter)
        .bind(value)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Record many votes in one transaction (imports).
    pub async fn vote_many(&self, votes: &[VoteRow]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let replaced = crate::measure_taken_back::statement_votes(
            "v.statement_id = $1 AND v.voter = $2 AND v.created_at < $3",
        );
        for v in votes {
            sqlx::query(&replaced)
                .bind(v.statement_id)
                .bind(&v.voter)
                .bind(v.created_at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO statement_votes (statement_id, voter, value, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (statement_id, voter) DO UPDATE SET value = excluded.value, created_at = excluded.created_at
                 WHERE statement_votes.created_at <= excluded.created_at",
            )
            .bind(v.statement_id)
            .bind(&v.voter)
            .bind(v.value)
            .bind(v.created_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every vote on a topic's statements.
    pub async fn topic_votes(&self, topic: TopicId) -> Result<Vec<VoteRow>> {
        let rows = sqlx::query(
            "SELECT v.statement_id, v.voter, v.value, v.created_at FROM statement_votes v
             JOIN statements s ON s.id = v.statement_id WHERE s.topic_id = $1 ORDER BY v.created_at",
        )
        .bind(topic.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VoteRow {
                    statement_id: int(r, "statement_id")?,
                    voter: text(r, "voter")?,
                    value: int(r, "value")?,
                    created_at: int(r, "created_at")?,
                })
            })
            .collect()
    }

    /// A voter's votes on a topic: statement id → value.
    pub async fn voter_votes(&self, topic: TopicId, voter: &str) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT v.statement_id, v.value FROM statement_votes v JOIN statements s ON s.id = v.statement_id
             WHERE s.topic_id = $1 AND v.voter = $2",
        )
        .bind(topic.0)
        .bind(voter)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((int(r, "statement_id")?, int(r, "value")?)))
            .collect()
    }
}

//! Whole-space reads for plausibility checks on imported corpora (the CLI), and the
//! benchmarks' synthetic filler.

use super::{QuestionRow, WEEK_MS};
use crate::{Result, Store, int, opt_int};
use parvis_domain::Millis;
use sqlx::Row;

/// A reply and how long after what it answers it came.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplyDelay {
    pub member_id: i64,
    pub delay_ms: i64,
}

impl Store {
    /// Every message of a space that answers somebody else (its parent's author, or the
    /// thread's opener when it has no parent), with its delay. For plausibility checks on
    /// imported corpora (the CLI), not for dashboards: it reads every message.
    pub async fn measure_reply_delays(&self, space_id: i64) -> Result<Vec<ReplyDelay>> {
        let rows = sqlx::query(
            "SELECT m.author_id AS member, m.created_at - COALESCE(p.created_at, t.created_at) AS delay
             FROM messages m JOIN threads t ON t.id = m.thread_id LEFT JOIN messages p ON p.id = m.parent_id
             WHERE t.space_id = $1 AND COALESCE(p.author_id, t.author_id) <> m.author_id",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReplyDelay {
                    member_id: int(r, "member")?,
                    delay_ms: int(r, "delay")?,
                })
            })
            .collect()
    }

    /// Threads of a space with the time of their first reply by someone other than the
    /// opener (any member, staff or not).
    pub async fn measure_first_replies(&self, space_id: i64) -> Result<Vec<QuestionRow>> {
        let rows = sqlx::query(
            "SELECT t.created_at AS asked,
                    MIN(CASE WHEN m.author_id <> t.author_id THEN m.created_at END) AS first
             FROM threads t LEFT JOIN messages m ON m.thread_id = t.id
             WHERE t.space_id = $1 GROUP BY t.id, t.created_at",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QuestionRow {
                    asked_at: int(r, "asked")?,
                    first_staff_answer_at: opt_int(r, "first")?,
                })
            })
            .collect()
    }

    /// The time of a space's last message, if any.
    pub async fn last_message_at(&self, space_id: i64) -> Result<Option<Millis>> {
        let row = sqlx::query(
            "SELECT MAX(m.created_at) AS at FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.space_id = $1",
        )
        .bind(space_id)
        .fetch_one(&self.pool)
        .await?;
        opt_int(&row, "at")
    }

    /// Fill a space with synthetic activity for benchmarks: `members` people, `threads`
    /// threads and `messages` messages spread evenly over `weeks` weeks before `end`; 70 % of
    /// the messages come from the first 2,000 members (a few write most, as in real lists).
    /// One SQL statement per table, so that filling takes seconds, not the benchmark's time.
    pub async fn bench_fill(
        &self,
        space_id: i64,
        members: i64,
        threads: i64,
        messages: i64,
        weeks: i64,
        end: Millis,
    ) -> Result<()> {
        let span = weeks * WEEK_MS;
        let start = end - span;
        let first_member: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM members")
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))?;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
             INSERT INTO members (handle, display_name, created_at)
             SELECT 'bench' || (i + $2), 'Bench ' || (i + $2), $3 FROM n",
        )
        .bind(members)
        .bind(first_member)
        .bind(start)
        .execute(&self.pool)
        .await?;
        let first_thread: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM threads")
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))?;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
             INSERT INTO threads (space_id, title, author_id, created_at, last_activity_at, message_count)
             SELECT $2, 'Thread ' || i, $3 + 1 + ((i * 7919) % $4), $5 + (i * $6) / $1, $5 + (i * $6) / $1, 0 FROM n",
        )
        .bind(threads)
        .bind(space_id)
        .bind(first_member)
        .bind(members)
        .bind(start)
        .bind(span)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
             INSERT INTO messages (thread_id, author_id, body_md, body_html, created_at)
             SELECT $2 + 1 + ((i - 1) * $3) / $1,
                    $4 + 1 + ((i * 7919) % (CASE WHEN i % 10 < 7 THEN $8 ELSE $5 END)),
                    'Message ' || i, '<p>Message ' || i || '</p>', $6 + (i * $7) / $1
             FROM n",
        )
        .bind(messages)
        .bind(first_thread)
        .bind(threads)
        .bind(first_member)
        .bind(members)
        .bind(start)
        .bind(span)
        .bind(members.min(2000))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

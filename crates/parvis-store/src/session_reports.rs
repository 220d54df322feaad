//! A session's closing report and what its draft is assembled from, and the closed sessions
//! of a topic (its layered synthesis), plus attendance (room / online).

use crate::{Result, Store, int, opt_text, text};
use parvis_domain::Millis;

/// A closed session's report as stored.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Millis,
    pub closed_at: Millis,
    pub conclusions_md: String,
    /// JSON array of strings.
    pub questions: String,
    /// JSON array of strings.
    pub links: String,
}

/// A message of a topic's conversation, for a report's draft.
#[derive(Debug, Clone)]
pub struct TopicMessage {
    pub thread_title: String,
    pub body_md: String,
    pub replies: i64,
    pub created_at: Millis,
}

impl Store {
    /// Close a session with its report (its first closing; later calls edit the report).
    pub async fn close_topic_session(
        &self,
        id: i64,
        conclusions_md: &str,
        questions: &str,
        links: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE topic_sessions SET closed_at = COALESCE(closed_at, $2), report_md = $3, report_questions = $4, report_links = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .bind(conclusions_md)
        .bind(questions)
        .bind(links)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The closed sessions of a topic with their reports, oldest first.
    pub async fn closed_reports(&self, topic: i64) -> Result<Vec<StoredReport>> {
        let rows = sqlx::query(
            "SELECT id, title, starts_at, closed_at, report_md, report_questions, report_links FROM topic_sessions
             WHERE topic_id = $1 AND closed_at IS NOT NULL ORDER BY starts_at, id",
        )
        .bind(topic)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredReport {
                    session_id: int(r, "id")?,
                    title: text(r, "title")?,
                    starts_at: int(r, "starts_at")?,
                    closed_at: int(r, "closed_at")?,
                    conclusions_md: opt_text(r, "report_md")?.unwrap_or_default(),
                    questions: opt_text(r, "report_questions")?.unwrap_or_else(|| "[]".into()),
                    links: opt_text(r, "report_links")?.unwrap_or_else(|| "[]".into()),
                })
            })
            .collect()
    }

    /// The messages of a topic written between two instants (a session's conversation),
    /// oldest first, at most 500.
    pub async fn topic_messages_between(
        &self,
        topic: i64,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<TopicMessage>> {
        let rows = sqlx::query(
            "SELECT t.title, msg.body_md, t.message_count, msg.created_at FROM messages msg
             JOIN threads t ON t.id = msg.thread_id
             WHERE t.topic_id = $1 AND msg.created_at >= $2 AND msg.created_at <= $3
             ORDER BY msg.created_at, msg.id LIMIT 500",
        )
        .bind(topic)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TopicMessage {
                    thread_title: text(r, "title")?,
                    body_md: text(r, "body_md")?,
                    replies: int(r, "message_count")? - 1,
                    created_at: int(r, "created_at")?,
                })
            })
            .collect()
    }

    /// The secret of a session's check-in address: the stored one, else `fresh` stored now
    /// (the first caller wins; a racing second caller reads the first one's).
    pub async fn session_checkin_key(&self, id: i64, fresh: &str) -> Result<Option<String>> {
        sqlx::query(
            "UPDATE topic_sessions SET checkin_key = $2 WHERE id = $1 AND checkin_key IS NULL",
        )
        .bind(id)
        .bind(fresh)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT checkin_key FROM topic_sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => opt_text(&r, "checkin_key")?,
            None => None,
        })
    }

    /// Note a person present in `channel` (`room` or `online`): first and last seen.
    pub async fn record_attendance(
        &self,
        session: i64,
        person: &str,
        channel: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO session_attendance (session_id, person, channel, first_at, last_at) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (session_id, person, channel) DO UPDATE SET last_at = excluded.last_at",
        )
        .bind(session)
        .bind(person)
        .bind(channel)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A session's attendance rows: (person, channel, first_at, last_at).
    pub async fn attendance(&self, session: i64) -> Result<Vec<(String, String, Millis, Millis)>> {
        let rows = sqlx::query(
            "SELECT person, channel, first_at, last_at FROM session_attendance WHERE session_id = $1",
        )
        .bind(session)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    text(r, "person")?,
                    text(r, "channel")?,
                    int(r, "first_at")?,
                    int(r, "last_at")?,
                ))
            })
            .collect()
    }
}

//! Who counts as staff, and what staff and the community wrote: questions and their first
//! staff reply, staff publications, community texts.

use crate::{Result, Store, int, opt_int, text};
use parvis_domain::Millis;
use sqlx::Row;

/// SQL condition "the member row `alias` is staff": admins, moderators, and the accounts an
/// admin marked as staff. `alias` is always a literal of this file, never input.
fn is_staff(alias: &str) -> String {
    format!(
        "({alias}.site_role IN ('admin', 'moderator') \
         OR EXISTS (SELECT 1 FROM staff_members st WHERE st.member_id = {alias}.id))"
    )
}

/// A community question (thread opened by a non-staff member) and its first staff reply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuestionRow {
    pub asked_at: Millis,
    pub first_staff_answer_at: Option<Millis>,
}

/// A message written by a staff account.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffPublication {
    pub at: Millis,
    pub on_declared_topic: bool,
    pub body_md: String,
}

impl Store {
    /// Members who are staff: admins, moderators and the accounts an admin marked as staff.
    pub async fn measure_staff(&self) -> Result<Vec<i64>> {
        let sql = format!(
            "SELECT id FROM members WHERE {} AND merged_into IS NULL ORDER BY id",
            is_staff("members")
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| int(r, "id")).collect()
    }

    /// Mark a member as staff (or not). Admins and moderators are staff whatever this says.
    pub async fn set_staff(&self, member_id: i64, staff: bool, by: i64, at: Millis) -> Result<()> {
        if staff {
            sqlx::query(
                "INSERT INTO staff_members (member_id, marked_by, marked_at) VALUES ($1, $2, $3)
                 ON CONFLICT (member_id) DO NOTHING",
            )
            .bind(member_id)
            .bind(by)
            .bind(at)
            .execute(&self.pool)
            .await?;
        } else {
            sqlx::query("DELETE FROM staff_members WHERE member_id = $1")
                .bind(member_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// The members an admin marked as staff (not counting admins and moderators).
    pub async fn marked_staff(&self) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT member_id FROM staff_members ORDER BY member_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| int(r, "member_id")).collect()
    }

    /// Threads opened by non-staff since `from`, with the time of the first staff reply.
    pub async fn measure_questions(&self, space_id: i64, from: Millis) -> Result<Vec<QuestionRow>> {
        let sql = format!(
            "SELECT t.created_at AS asked, s.first AS first
             FROM threads t JOIN members a ON a.id = t.author_id
             LEFT JOIN (SELECT m.thread_id, MIN(m.created_at) AS first FROM members sm
                        CROSS JOIN messages m
                        WHERE m.author_id = sm.id AND {staff}
                        GROUP BY m.thread_id) s
               ON s.thread_id = t.id
             WHERE t.space_id = $1 AND t.last_activity_at >= $2 AND t.created_at >= $2
               AND NOT {community}",
            staff = is_staff("sm"),
            community = is_staff("a"),
        );
        let rows = sqlx::query(&sql)
            .bind(space_id)
            .bind(from)
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

    /// Staff messages in a space since `from`, newest first, at most `limit`.
    pub async fn measure_staff_publications(
        &self,
        space_id: i64,
        from: Millis,
        limit: i64,
    ) -> Result<Vec<StaffPublication>> {
        let sql = format!(
            "SELECT m.created_at AS at, m.body_md AS body,
                    EXISTS (SELECT 1 FROM message_topics mt WHERE mt.message_id = m.id) AS tagged,
                    t.topic_id AS topic
             FROM members sm CROSS JOIN messages m CROSS JOIN threads t
             WHERE m.author_id = sm.id AND t.id = m.thread_id
               AND {} AND t.space_id = $1 AND m.created_at >= $2
             ORDER BY m.created_at DESC LIMIT $3",
            is_staff("sm")
        );
        let rows = sqlx::query(&sql)
            .bind(space_id)
            .bind(from)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let tagged = r
                    .try_get::<bool, _>("tagged")
                    .or_else(|_| r.try_get::<i64, _>("tagged").map(|v| v != 0))?;
                Ok(StaffPublication {
                    at: int(r, "at")?,
                    on_declared_topic: tagged || opt_int(r, "topic")?.is_some(),
                    body_md: text(r, "body")?,
                })
            })
            .collect()
    }

    /// Recent messages by non-staff in a space since `from`, newest first, at most `limit`
    /// (sentiment of the conversation).
    pub async fn measure_community_texts(
        &self,
        space_id: i64,
        from: Millis,
        limit: i64,
    ) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT m.body_md AS body FROM threads t JOIN messages m ON m.thread_id = t.id
             JOIN members a ON a.id = m.author_id
             WHERE t.space_id = $1 AND t.last_activity_at >= $2 AND m.created_at >= $2
               AND NOT {}
             ORDER BY m.id DESC LIMIT $3",
            is_staff("a")
        );
        let rows = sqlx::query(&sql)
            .bind(space_id)
            .bind(from)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| text(r, "body")).collect()
    }
}

//! Messages held for a moderator (widget posts with a suspect word, or a poster's first).
//!
//! They live in their own table until a moderator approves them (then the services post them
//! as ordinary messages): no read of `messages` can leak one by mistake.

use crate::{Result, Store, StoreError, int, opt_int, opt_text, text};
use parvis_domain::{MemberId, Millis, SpaceId, ThreadId};
use serde::Serialize;

/// A message held for a moderator, with what the queue shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeldMessage {
    pub id: i64,
    pub space_id: SpaceId,
    pub space_slug: String,
    pub thread_id: ThreadId,
    pub thread_title: String,
    pub parent_id: Option<i64>,
    #[serde(skip)]
    pub author_id: MemberId,
    #[serde(skip)]
    pub alias_id: Option<MemberId>,
    /// The name shown with the message (the pseudonym when there is one).
    pub author_name: String,
    /// The poster's email: only filled for admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    /// Where the poster came from (`embed:blog.example`, `sso:k1`), when a widget created them.
    pub author_origin: Option<String>,
    pub body_markdown: String,
    pub body_html: String,
    /// Why it was held (`first_post`, `suspect_word:…`).
    pub reason: String,
    /// `held`, `approved` or `rejected`.
    pub status: String,
    pub created_at: Millis,
}

/// A message to hold.
#[derive(Debug, Clone)]
pub struct NewHeld {
    pub space_id: SpaceId,
    pub thread_id: ThreadId,
    pub parent_id: Option<i64>,
    pub author_id: MemberId,
    pub alias_id: Option<MemberId>,
    pub body_md: String,
    pub body_html: String,
    pub reason: String,
    pub created_at: Millis,
}

/// The queue's query with its `WHERE …` tail (a literal, as sqlx wants static SQL).
macro_rules! const_format_held {
    ($tail:literal) => {
        concat!("SELECT h.id, h.space_id, s.slug, h.thread_id, t.title, h.parent_id, h.author_id, h.alias_id,
    COALESCE(a.display_name, m.display_name) AS shown_name, m.email, o.origin, h.body_md, h.body_html,
    h.reason, h.status, h.created_at
  FROM held_messages h JOIN threads t ON t.id = h.thread_id JOIN spaces s ON s.id = h.space_id
  JOIN members m ON m.id = h.author_id LEFT JOIN members a ON a.id = h.alias_id
  LEFT JOIN member_origins o ON o.member_id = h.author_id", " ", $tail)
    };
}

fn held_row(r: &sqlx::any::AnyRow) -> Result<HeldMessage> {
    Ok(HeldMessage {
        id: int(r, "id")?,
        space_id: SpaceId(int(r, "space_id")?),
        space_slug: text(r, "slug")?,
        thread_id: ThreadId(int(r, "thread_id")?),
        thread_title: text(r, "title")?,
        parent_id: opt_int(r, "parent_id")?,
        author_id: MemberId(int(r, "author_id")?),
        alias_id: opt_int(r, "alias_id")?.map(MemberId),
        author_name: text(r, "shown_name")?,
        author_email: opt_text(r, "email")?,
        author_origin: opt_text(r, "origin")?,
        body_markdown: text(r, "body_md")?,
        body_html: text(r, "body_html")?,
        reason: text(r, "reason")?,
        status: text(r, "status")?,
        created_at: int(r, "created_at")?,
    })
}

impl Store {
    /// Whether a member (or their pseudonym) already has a published message in a space.
    pub async fn has_posted_in_space(&self, member: MemberId, space: SpaceId) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM messages msg JOIN threads t ON t.id = msg.thread_id
             WHERE t.space_id = $1 AND (msg.author_id = $2 OR msg.author_id IN
               (SELECT alias_id FROM embed_pseudonyms WHERE space_id = $1 AND member_id = $2))
             LIMIT 1",
        )
        .bind(space.0)
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Hold a message for a moderator.
    pub async fn hold_message(&self, h: &NewHeld) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO held_messages (space_id, thread_id, parent_id, author_id, alias_id, body_md, body_html, reason, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'held', $9) RETURNING id",
        )
        .bind(h.space_id.0)
        .bind(h.thread_id.0)
        .bind(h.parent_id)
        .bind(h.author_id.0)
        .bind(h.alias_id.map(|a| a.0))
        .bind(&h.body_md)
        .bind(&h.body_html)
        .bind(&h.reason)
        .bind(h.created_at)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "id")
    }

    /// Messages still held, oldest first: of one space, or of every space.
    pub async fn held_messages(&self, space: Option<SpaceId>) -> Result<Vec<HeldMessage>> {
        let rows = match space {
            Some(s) => {
                sqlx::query(const_format_held!(
                    "WHERE h.status = 'held' AND h.space_id = $1 ORDER BY h.created_at, h.id"
                ))
                .bind(s.0)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(const_format_held!(
                    "WHERE h.status = 'held' ORDER BY h.created_at, h.id"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(held_row).collect()
    }

    /// One's own messages still held in a thread (only their author sees them).
    pub async fn held_by_author(
        &self,
        author: MemberId,
        thread: ThreadId,
    ) -> Result<Vec<HeldMessage>> {
        let rows = sqlx::query(const_format_held!(
            "WHERE h.status = 'held' AND h.author_id = $1 AND h.thread_id = $2 ORDER BY h.created_at, h.id"
        ))
        .bind(author.0)
        .bind(thread.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(held_row).collect()
    }

    /// One held message, whatever its status.
    pub async fn held_message(&self, id: i64) -> Result<Option<HeldMessage>> {
        let row = sqlx::query(const_format_held!("WHERE h.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(held_row).transpose()
    }

    /// Decide on a held message: false when it was no longer held (decided by someone else).
    pub async fn decide_held(
        &self,
        id: i64,
        status: &str,
        by: MemberId,
        now: Millis,
    ) -> Result<bool> {
        if status != "approved" && status != "rejected" {
            return Err(StoreError::Conflict {
                what: format!("moderation status {status}"),
            });
        }
        let done = sqlx::query(
            "UPDATE held_messages SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'held'",
        )
        .bind(status)
        .bind(by.0)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Put an approved message that could not be published back in the queue.
    pub async fn reopen_held(&self, id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE held_messages SET status = 'held', decided_by = NULL, decided_at = NULL \
             WHERE id = $1 AND status = 'approved' AND message_id IS NULL",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Note the message an approved one became.
    pub async fn set_held_published(&self, id: i64, message: i64) -> Result<()> {
        sqlx::query("UPDATE held_messages SET message_id = $1 WHERE id = $2")
            .bind(message)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

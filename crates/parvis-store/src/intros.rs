//! Interactions between members (for introduction paths) and introduction requests.

use crate::{Result, Store, StoreError, int, opt_int, text};
use parvis_domain::{MemberId, Millis};
use serde::Serialize;
use sqlx::Row;

/// An introduction request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IntroRequest {
    pub id: i64,
    pub requester_id: MemberId,
    pub intermediary_id: MemberId,
    pub target_id: MemberId,
    pub message: String,
    /// `pending`, `accepted` or `declined`.
    pub status: String,
    pub created_at: Millis,
    pub decided_at: Option<Millis>,
}

pub(crate) fn intro_row(r: &sqlx::any::AnyRow) -> Result<IntroRequest> {
    Ok(IntroRequest {
        id: int(r, "id")?,
        requester_id: MemberId(int(r, "requester_id")?),
        intermediary_id: MemberId(int(r, "intermediary_id")?),
        target_id: MemberId(int(r, "target_id")?),
        message: text(r, "message")?,
        status: text(r, "status")?,
        created_at: int(r, "created_at")?,
        decided_at: opt_int(r, "decided_at")?,
    })
}

const INTRO_COLS: &str =
    "id, requester_id, intermediary_id, target_id, message, status, created_at, decided_at";

impl Store {
    /// Replies between two different members: (replier, replied-to, when). A message with no
    /// parent answers its thread's opening message.
    pub async fn reply_pairs(&self) -> Result<Vec<(MemberId, MemberId, Millis)>> {
        let rows = sqlx::query(
            "SELECT msg.author_id AS a, p.author_id AS b, msg.created_at AS at FROM messages msg
             JOIN messages p ON p.id = COALESCE(msg.parent_id, (SELECT MIN(f.id) FROM messages f WHERE f.thread_id = msg.thread_id))
             WHERE p.id <> msg.id AND msg.author_id <> p.author_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    MemberId(int(r, "a")?),
                    MemberId(int(r, "b")?),
                    int(r, "at")?,
                ))
            })
            .collect()
    }

    /// Who took part in which thread, and when last: (thread, member, last message time),
    /// ordered by thread.
    pub async fn thread_participants(&self) -> Result<Vec<(i64, MemberId, Millis)>> {
        let rows = sqlx::query(
            "SELECT thread_id, author_id, MAX(created_at) AS at FROM messages GROUP BY thread_id, author_id ORDER BY thread_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    int(r, "thread_id")?,
                    MemberId(int(r, "author_id")?),
                    int(r, "at")?,
                ))
            })
            .collect()
    }

    /// Members who currently consent to be contacted.
    pub async fn contactable_members(&self) -> Result<Vec<MemberId>> {
        let rows =
            sqlx::query("SELECT member_id FROM consents WHERE kind = 'contact' AND granted = 1")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok(MemberId(int(r, "member_id")?)))
            .collect()
    }

    /// Record an introduction request.
    pub async fn create_intro_request(
        &self,
        requester: MemberId,
        intermediary: MemberId,
        target: MemberId,
        message: &str,
        now: Millis,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO intro_requests (requester_id, intermediary_id, target_id, message, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(requester.0)
        .bind(intermediary.0)
        .bind(target.0)
        .bind(message)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// Requests a member made or was asked, newest first.
    pub async fn intro_requests_of(&self, member: MemberId) -> Result<Vec<IntroRequest>> {
        let sql = format!(
            "SELECT {INTRO_COLS} FROM intro_requests WHERE requester_id = $1 OR intermediary_id = $1 ORDER BY id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(member.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(intro_row).collect()
    }

    /// The intermediary accepts or declines a pending request.
    pub async fn decide_intro(
        &self,
        id: i64,
        intermediary: MemberId,
        accept: bool,
        now: Millis,
    ) -> Result<IntroRequest> {
        let r = sqlx::query("UPDATE intro_requests SET status = $1, decided_at = $2 WHERE id = $3 AND intermediary_id = $4 AND status = 'pending'")
            .bind(if accept { "accepted" } else { "declined" })
            .bind(now)
            .bind(id)
            .bind(intermediary.0)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(
                "pending introduction request addressed to you",
            ));
        }
        let sql = format!("SELECT {INTRO_COLS} FROM intro_requests WHERE id = $1");
        intro_row(&sqlx::query(&sql).bind(id).fetch_one(&self.pool).await?)
    }
}

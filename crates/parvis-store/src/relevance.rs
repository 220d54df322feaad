//! What the feed and peers are computed from: messages, reactions, reads, feedback.

use crate::{Result, Store, int, opt_int, text};
use parvis_domain::{MemberId, Millis, SpaceId, ThreadId, TopicId};

/// A message as the relevance engine needs it.
#[derive(Debug, Clone)]
pub struct MessageSignal {
    pub id: i64,
    pub thread_id: ThreadId,
    pub author_id: MemberId,
    pub created_at: Millis,
    pub body_md: String,
    pub title: String,
    pub topic_id: Option<TopicId>,
    pub parent_author: Option<MemberId>,
    pub is_first: bool,
}

/// A member's action on a thread: `reacted` or `read`, with its time.
#[derive(Debug, Clone)]
pub struct ThreadEvent {
    pub member_id: MemberId,
    pub thread_id: ThreadId,
    pub kind: &'static str,
    pub at: Millis,
}

impl Store {
    /// A space's messages with an id above `after`, oldest first.
    pub async fn space_messages_since(
        &self,
        space: SpaceId,
        after: i64,
    ) -> Result<Vec<MessageSignal>> {
        let rows = sqlx::query(
            "SELECT msg.id, msg.thread_id, msg.author_id, msg.created_at, msg.body_md, t.title, t.topic_id,
                    p.author_id AS parent_author, msg.parent_id
             FROM messages msg JOIN threads t ON t.id = msg.thread_id LEFT JOIN messages p ON p.id = msg.parent_id
             WHERE t.space_id = $1 AND msg.id > $2 ORDER BY msg.id",
        )
        .bind(space.0)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageSignal {
                    id: int(r, "id")?,
                    thread_id: ThreadId(int(r, "thread_id")?),
                    author_id: MemberId(int(r, "author_id")?),
                    created_at: int(r, "created_at")?,
                    body_md: text(r, "body_md")?,
                    title: text(r, "title")?,
                    topic_id: opt_int(r, "topic_id")?.map(TopicId),
                    parent_author: opt_int(r, "parent_author")?.map(MemberId),
                    is_first: opt_int(r, "parent_id")?.is_none(),
                })
            })
            .collect()
    }

    /// What a saved feed engine is checked against before it is used again: how many of the
    /// space's messages have an id up to `upto` (a deleted message lowers it) and a checksum of
    /// their times (another store that happens to hold as many messages differs there), the
    /// latest erasure and the number of merged members (both change whose words are whose).
    pub async fn feed_fingerprint(&self, space: SpaceId, upto: i64) -> Result<[i64; 4]> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(msg.created_at % 1000003), 0) AS BIGINT) AS times,
                    (SELECT COALESCE(MAX(erased_at), 0) FROM members) AS erased,
                    (SELECT COUNT(*) FROM members WHERE merged_into IS NOT NULL) AS merged
             FROM messages msg JOIN threads t ON t.id = msg.thread_id
             WHERE t.space_id = $1 AND msg.id <= $2",
        )
        .bind(space.0)
        .bind(upto)
        .fetch_one(&self.pool)
        .await?;
        Ok([
            int(&r, "n")?,
            int(&r, "times")?,
            int(&r, "erased")?,
            int(&r, "merged")?,
        ])
    }

    /// Reactions and reads in a space since `since`.
    pub async fn space_events_since(
        &self,
        space: SpaceId,
        since: Millis,
    ) -> Result<Vec<ThreadEvent>> {
        let mut out = Vec::new();
        let rows = sqlx::query(
            "SELECT r.member_id, msg.thread_id, r.created_at FROM reactions r JOIN messages msg ON msg.id = r.message_id
             JOIN threads t ON t.id = msg.thread_id WHERE t.space_id = $1 AND r.created_at >= $2",
        )
        .bind(space.0)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            out.push(ThreadEvent {
                member_id: MemberId(int(r, "member_id")?),
                thread_id: ThreadId(int(r, "thread_id")?),
                kind: "reacted",
                at: int(r, "created_at")?,
            });
        }
        let rows = sqlx::query(
            "SELECT rd.member_id, rd.thread_id, rd.at FROM thread_reads rd JOIN threads t ON t.id = rd.thread_id
             WHERE t.space_id = $1 AND rd.at >= $2",
        )
        .bind(space.0)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            out.push(ThreadEvent {
                member_id: MemberId(int(r, "member_id")?),
                thread_id: ThreadId(int(r, "thread_id")?),
                kind: "read",
                at: int(r, "at")?,
            });
        }
        out.sort_by_key(|e| e.at);
        Ok(out)
    }

    /// Note that a member opened a thread.
    pub async fn record_read(&self, member: MemberId, thread: ThreadId, now: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO thread_reads (member_id, thread_id, at) VALUES ($1, $2, $3)
             ON CONFLICT (member_id, thread_id) DO UPDATE SET at = excluded.at",
        )
        .bind(member.0)
        .bind(thread.0)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Record feedback (`not_interested` + thread id, `mute_topic` + topic id); `on = false`
    /// removes it.
    pub async fn set_feedback(
        &self,
        member: MemberId,
        kind: &str,
        target: i64,
        on: bool,
        now: Millis,
    ) -> Result<()> {
        if on {
            sqlx::query(
                "INSERT INTO feed_feedback (member_id, kind, target_id, at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (member_id, kind, target_id) DO NOTHING",
            )
            .bind(member.0)
            .bind(kind)
            .bind(target)
            .bind(now)
            .execute(&self.pool)
            .await?;
        } else {
            sqlx::query(
                "DELETE FROM feed_feedback WHERE member_id = $1 AND kind = $2 AND target_id = $3",
            )
            .bind(member.0)
            .bind(kind)
            .bind(target)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Every feedback: (member, kind, target).
    pub async fn all_feedback(&self) -> Result<Vec<(MemberId, String, i64)>> {
        let rows = sqlx::query("SELECT member_id, kind, target_id FROM feed_feedback ORDER BY at")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    MemberId(int(r, "member_id")?),
                    text(r, "kind")?,
                    int(r, "target_id")?,
                ))
            })
            .collect()
    }

    /// One member's feedback: (kind, target), oldest first (the feed page lists what they
    /// muted so they can undo it).
    pub async fn member_feedback(&self, member: MemberId) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT kind, target_id FROM feed_feedback WHERE member_id = $1 ORDER BY at, target_id",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((text(r, "kind")?, int(r, "target_id")?)))
            .collect()
    }

    /// Members by id (for rendering peers and reasons).
    pub async fn member_refs(&self, ids: &[MemberId]) -> Result<Vec<parvis_domain::Member>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(m) = self.member_by_id(*id).await? {
                out.push(m);
            }
        }
        Ok(out)
    }
}

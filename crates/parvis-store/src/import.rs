//! Writing imported conversations, identity-merge bookkeeping and followed feeds.
//!
//! An import writes through an [`ImportTx`] (or the SQLite bulk writer, see
//! [`crate::ImportWriter`]): one transaction the caller commits every batch of items, 1,000
//! by default (so an interrupted import leaves whole batches, and re-running it completes
//! the rest: every write is an upsert keyed on the channel's own ids), or never commits
//! (`--dry-run`: the same work, rolled back).

use crate::import_batch::Sql;
use crate::members::{NewMember, insert_member};
use crate::{Result, Store, StoreError, int, opt_int, opt_text, text};
use parvis_domain::{MemberId, Millis, SpaceId, TopicId};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};

/// One imported message, its author already resolved to a member.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub space_id: SpaceId,
    pub channel: String,
    pub thread_source_id: String,
    pub thread_title: String,
    pub source_id: String,
    pub parent_source_id: Option<String>,
    pub author_id: MemberId,
    pub author_handle: String,
    pub body_md: String,
    pub body_html: String,
    pub created_at: Millis,
    pub source_url: Option<String>,
    pub topics: Vec<TopicId>,
}

/// What writing one row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageOutcome {
    Created,
    Updated,
    Unchanged,
}

/// A proposed merge of two members, for review.
#[derive(Debug, Clone, Serialize)]
pub struct MergeProposal {
    pub id: i64,
    pub member_a: MemberId,
    pub member_b: MemberId,
    pub reason: String,
    /// Confidence in thousandths.
    pub score: i64,
    pub status: String,
    pub created_at: Millis,
}

/// A merge that happened.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MergeInfo {
    pub id: i64,
    pub kept_id: MemberId,
    pub merged_id: MemberId,
    pub reason: String,
    pub created_at: Millis,
    pub undone_at: Option<Millis>,
}

/// A feed followed live.
#[derive(Debug, Clone, Serialize)]
pub struct FollowedSource {
    pub id: i64,
    pub space_id: SpaceId,
    pub url: String,
    pub format: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_polled_at: Option<Millis>,
    pub next_poll_at: Millis,
    pub failures: i64,
    pub last_error: Option<String>,
    pub items_imported: i64,
}

/// How many messages touched a topic, per channel and day (for charts over time).
#[derive(Debug, Clone, Serialize)]
pub struct TopicActivity {
    pub topic_id: TopicId,
    pub channel: String,
    /// Days since the Unix epoch.
    pub day: i64,
    pub messages: i64,
}

/// What a merge moved, kept in the `merges` row so that un-merging puts it all back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct MergeSnapshot {
    identities: Vec<i64>,
    messages: Vec<i64>,
    threads: Vec<i64>,
    /// Reactions moved to the kept member: (message, kind).
    reactions_moved: Vec<(i64, String)>,
    /// Reactions dropped because the kept member had the same: (message, kind, created_at).
    reactions_dropped: Vec<(i64, String, i64)>,
}

/// A transaction for writing imported items.
pub struct ImportTx<'a> {
    pub(crate) tx: Transaction<'a, Any>,
    /// PostgreSQL-style `$N` placeholders (else SQLite's `?`) in multi-row statements.
    pub(crate) numbered: bool,
    /// Identities queued by [`ImportTx::queue_identity`], written in one statement on commit.
    identities: Vec<QueuedIdentity>,
}

/// An identity waiting to be written: (member, network, handle, verified, created_at).
pub(crate) type QueuedIdentity = (MemberId, String, String, bool, Millis);

impl Store {
    /// Start an import transaction.
    pub async fn begin_import(&self) -> Result<ImportTx<'static>> {
        Ok(ImportTx {
            tx: self.begin_write().await?,
            numbered: self.backend == crate::Backend::Postgres,
            identities: Vec::new(),
        })
    }

    /// Every member's handle and email (merged members included: their handles stay taken),
    /// so that an import picks free handles without asking the store once per person.
    pub async fn member_handles_and_emails(&self) -> Result<Vec<(String, Option<String>)>> {
        let rows = sqlx::query("SELECT handle, email FROM members")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((text(r, "handle")?, opt_text(r, "email")?)))
            .collect()
    }

    /// Every identity with its member: (network, handle, member), for resolvers to preload.
    pub async fn all_identities(&self) -> Result<Vec<(String, String, MemberId)>> {
        let rows = sqlx::query(
            "SELECT i.network, i.handle, COALESCE(m.merged_into, m.id) AS member_id FROM identities i JOIN members m ON m.id = i.member_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    text(r, "network")?,
                    text(r, "handle")?,
                    MemberId(int(r, "member_id")?),
                ))
            })
            .collect()
    }

    /// Every live member as (id, display name, email), for resolvers to preload.
    pub async fn all_member_names(&self) -> Result<Vec<(MemberId, String, Option<String>)>> {
        let rows =
            sqlx::query("SELECT id, display_name, email FROM members WHERE merged_into IS NULL")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    MemberId(int(r, "id")?),
                    text(r, "display_name")?,
                    opt_text(r, "email")?,
                ))
            })
            .collect()
    }

    /// Open merge proposals, highest score first.
    pub async fn merge_proposals(&self, status: &str) -> Result<Vec<MergeProposal>> {
        let rows = sqlx::query(
            "SELECT id, member_a, member_b, reason, score, status, created_at FROM merge_proposals WHERE status = $1 ORDER BY score DESC, id",
        )
        .bind(status)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MergeProposal {
                    id: int(r, "id")?,
                    member_a: MemberId(int(r, "member_a")?),
                    member_b: MemberId(int(r, "member_b")?),
                    reason: text(r, "reason")?,
                    score: int(r, "score")?,
                    status: text(r, "status")?,
                    created_at: int(r, "created_at")?,
                })
            })
            .collect()
    }

    /// Mark a proposal rejected (it will not be proposed again).
    pub async fn reject_proposal(&self, id: i64, now: Millis) -> Result<()> {
        let r = sqlx::query("UPDATE merge_proposals SET status = 'rejected', decided_at = $1 WHERE id = $2 AND status = 'open'")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("open merge proposal"));
        }
        Ok(())
    }

    /// The merges, newest first.
    pub async fn merges(&self) -> Result<Vec<MergeInfo>> {
        let rows = sqlx::query("SELECT id, kept_id, merged_id, reason, created_at, undone_at FROM merges ORDER BY id DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(MergeInfo {
                    id: int(r, "id")?,
                    kept_id: MemberId(int(r, "kept_id")?),
                    merged_id: MemberId(int(r, "merged_id")?),
                    reason: text(r, "reason")?,
                    created_at: int(r, "created_at")?,
                    undone_at: opt_int(r, "undone_at")?,
                })
            })
            .collect()
    }

    /// Merge `merged` into `kept`: identities, messages, threads and reactions move to `kept`;
    /// `merged` is hidden but kept, and what moved is recorded for [`Store::unmerge`].
    pub async fn merge_members(
        &self,
        kept: MemberId,
        merged: MemberId,
        reason: &str,
        now: Millis,
    ) -> Result<i64> {
        if kept == merged {
            return Err(StoreError::Conflict {
                what: "a merge of a member with themself".into(),
            });
        }
        let mut tx = self.begin_write().await?;
        let live = sqlx::query(
            "SELECT COUNT(*) FROM members WHERE id IN ($1, $2) AND merged_into IS NULL",
        )
        .bind(kept.0)
        .bind(merged.0)
        .fetch_one(&mut *tx)
        .await?
        .try_get::<i64, _>(0)?;
        if live != 2 {
            return Err(StoreError::NotFound("two unmerged members"));
        }
        let identities = sqlx::query("SELECT id FROM identities WHERE member_id = $1 ORDER BY id")
            .bind(merged.0)
            .fetch_all(&mut *tx)
            .await?;
        let messages = sqlx::query("SELECT id FROM messages WHERE author_id = $1 ORDER BY id")
            .bind(merged.0)
            .fetch_all(&mut *tx)
            .await?;
        let threads = sqlx::query("SELECT id FROM threads WHERE author_id = $1 ORDER BY id")
            .bind(merged.0)
            .fetch_all(&mut *tx)
            .await?;
        let reactions = sqlx::query(
            "SELECT r.message_id, r.kind, r.created_at,
                    (SELECT COUNT(*) FROM reactions k WHERE k.member_id = $2 AND k.message_id = r.message_id AND k.kind = r.kind) AS clash
             FROM reactions r WHERE r.member_id = $1 ORDER BY r.message_id, r.kind",
        )
        .bind(merged.0)
        .bind(kept.0)
        .fetch_all(&mut *tx)
        .await?;
        let col = |rows: &[sqlx::any::AnyRow]| {
            rows.iter()
                .map(|r| int(r, "id"))
                .collect::<Result<Vec<_>>>()
        };
        let mut snap = MergeSnapshot {
            identities: col(&identities)?,
            messages: col(&messages)?,
            threads: col(&threads)?,
            reactions_moved: Vec::new(),
            reactions_dropped: Vec::new(),
        };
        for r in &reactions {
            let key = (int(r, "message_id")?, text(r, "kind")?);
            if int(r, "clash")? > 0 {
                snap.reactions_dropped
                    .push((key.0, key.1, int(r, "created_at")?));
            } else {
                snap.reactions_moved.push(key);
            }
        }
        for (m, k, _) in &snap.reactions_dropped {
            sqlx::query(
                "DELETE FROM reactions WHERE member_id = $1 AND message_id = $2 AND kind = $3",
            )
            .bind(merged.0)
            .bind(m)
            .bind(k)
            .execute(&mut *tx)
            .await?;
        }
        for sql in [
            "UPDATE reactions SET member_id = $1 WHERE member_id = $2",
            "UPDATE identities SET member_id = $1 WHERE member_id = $2",
            "UPDATE messages SET author_id = $1 WHERE author_id = $2",
            "UPDATE threads SET author_id = $1 WHERE author_id = $2",
            "UPDATE members SET merged_into = $1 WHERE id = $2",
        ] {
            sqlx::query(sql)
                .bind(kept.0)
                .bind(merged.0)
                .execute(&mut *tx)
                .await?;
        }
        let json =
            serde_json::to_string(&snap).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        let id = sqlx::query("INSERT INTO merges (kept_id, merged_id, snapshot, reason, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(kept.0)
            .bind(merged.0)
            .bind(json)
            .bind(reason)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>(0)?;
        sqlx::query(
            "UPDATE merge_proposals SET status = 'merged', decided_at = $3
             WHERE (member_a = $1 AND member_b = $2) OR (member_a = $2 AND member_b = $1)",
        )
        .bind(kept.0)
        .bind(merged.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Undo a merge: everything it moved goes back, the merged member reappears.
    pub async fn unmerge(&self, merge_id: i64, now: Millis) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT kept_id, merged_id, snapshot FROM merges WHERE id = $1 AND undone_at IS NULL",
        )
        .bind(merge_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("merge that is not undone yet"))?;
        let (kept, merged) = (int(&row, "kept_id")?, int(&row, "merged_id")?);
        let snap: MergeSnapshot = serde_json::from_str(&text(&row, "snapshot")?)
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        for id in &snap.identities {
            sqlx::query("UPDATE identities SET member_id = $1 WHERE id = $2")
                .bind(merged)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for id in &snap.messages {
            sqlx::query("UPDATE messages SET author_id = $1 WHERE id = $2")
                .bind(merged)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for id in &snap.threads {
            sqlx::query("UPDATE threads SET author_id = $1 WHERE id = $2")
                .bind(merged)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (m, k) in &snap.reactions_moved {
            sqlx::query("UPDATE reactions SET member_id = $1 WHERE member_id = $2 AND message_id = $3 AND kind = $4")
                .bind(merged)
                .bind(kept)
                .bind(m)
                .bind(k)
                .execute(&mut *tx)
                .await?;
        }
        for (m, k, at) in &snap.reactions_dropped {
            sqlx::query("INSERT INTO reactions (message_id, member_id, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(m)
                .bind(merged)
                .bind(k)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE members SET merged_into = NULL WHERE id = $1")
            .bind(merged)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE merges SET undone_at = $1 WHERE id = $2")
            .bind(now)
            .bind(merge_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE merge_proposals SET status = 'open', decided_at = NULL
             WHERE (member_a = $1 AND member_b = $2) OR (member_a = $2 AND member_b = $1)",
        )
        .bind(kept)
        .bind(merged)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Messages per (topic, channel, day) in a space.
    pub async fn topic_activity(&self, space: SpaceId) -> Result<Vec<TopicActivity>> {
        let rows = sqlx::query(
            "SELECT mt.topic_id, msg.channel, msg.created_at / 86400000 AS day, COUNT(*) AS n
             FROM message_topics mt JOIN messages msg ON msg.id = mt.message_id JOIN topics tp ON tp.id = mt.topic_id
             WHERE tp.space_id = $1 GROUP BY mt.topic_id, msg.channel, msg.created_at / 86400000 ORDER BY day",
        )
        .bind(space.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TopicActivity {
                    topic_id: TopicId(int(r, "topic_id")?),
                    channel: text(r, "channel")?,
                    day: int(r, "day")?,
                    messages: int(r, "n")?,
                })
            })
            .collect()
    }

    /// Follow a feed in a space (idempotent: following twice changes nothing).
    pub async fn follow(
        &self,
        space: SpaceId,
        url: &str,
        format: &str,
        now: Millis,
    ) -> Result<i64> {
        sqlx::query(
            "INSERT INTO followed_sources (space_id, url, format, next_poll_at, created_at) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (space_id, url) DO NOTHING",
        )
        .bind(space.0)
        .bind(url)
        .bind(format)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT id FROM followed_sources WHERE space_id = $1 AND url = $2")
            .bind(space.0)
            .bind(url)
            .fetch_one(&self.pool)
            .await?;
        int(&row, "id")
    }

    /// Stop following a feed.
    pub async fn unfollow(&self, id: i64) -> Result<bool> {
        Ok(sqlx::query("DELETE FROM followed_sources WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected()
            > 0)
    }

    /// Followed feeds, all (`due_at = None`) or those due for a poll at that time.
    pub async fn followed_sources(&self, due_at: Option<Millis>) -> Result<Vec<FollowedSource>> {
        let rows = sqlx::query(
            "SELECT id, space_id, url, format, etag, last_modified, last_polled_at, next_poll_at, failures, last_error, items_imported
             FROM followed_sources WHERE next_poll_at <= $1 ORDER BY next_poll_at, id",
        )
        .bind(due_at.unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FollowedSource {
                    id: int(r, "id")?,
                    space_id: SpaceId(int(r, "space_id")?),
                    url: text(r, "url")?,
                    format: text(r, "format")?,
                    etag: opt_text(r, "etag")?,
                    last_modified: opt_text(r, "last_modified")?,
                    last_polled_at: opt_int(r, "last_polled_at")?,
                    next_poll_at: int(r, "next_poll_at")?,
                    failures: int(r, "failures")?,
                    last_error: opt_text(r, "last_error")?,
                    items_imported: int(r, "items_imported")?,
                })
            })
            .collect()
    }

    /// Record a poll's result and schedule the next one.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_poll(
        &self,
        id: i64,
        now: Millis,
        next: Millis,
        etag: Option<&str>,
        last_modified: Option<&str>,
        error: Option<&str>,
        imported: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE followed_sources SET last_polled_at = $1, next_poll_at = $2,
                etag = COALESCE($3, etag), last_modified = COALESCE($4, last_modified),
                failures = CASE WHEN $5 IS NULL THEN 0 ELSE failures + 1 END, last_error = $5,
                items_imported = items_imported + $6
             WHERE id = $7",
        )
        .bind(now)
        .bind(next)
        .bind(etag)
        .bind(last_modified)
        .bind(error)
        .bind(imported)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// A merge proposal unless that pair was proposed already (`$1` < `$2` members, reason,
/// score, created_at).
pub(crate) const PROPOSE_MERGE_SQL: &str = "INSERT INTO merge_proposals (member_a, member_b, reason, score, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (member_a, member_b) DO NOTHING";

/// Link the replies whose parent arrived after them.
pub(crate) const LINK_PENDING_PARENTS_SQL: &str = "UPDATE messages SET parent_id = (SELECT p.id FROM messages p WHERE p.channel = messages.channel AND p.source_id = messages.parent_source_id),
                parent_source_id = NULL
             WHERE parent_id IS NULL AND parent_source_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM messages p WHERE p.channel = messages.channel AND p.source_id = messages.parent_source_id)";

impl ImportTx<'_> {
    /// Make the batch durable (queued identities included).
    pub async fn commit(mut self) -> Result<()> {
        self.write_identities().await?;
        Ok(self.tx.commit().await?)
    }

    /// Queue an identity for a member unless someone already has it; written with the others
    /// in one statement (the resolver keeps its own map, nothing reads them back meanwhile).
    pub(crate) fn queue_identity(&mut self, identity: QueuedIdentity) {
        self.identities.push(identity);
    }

    /// Write the queued identities (at most 6,000 rows of 5 values per statement: SQLite's
    /// limit on bound values is 32,766).
    pub async fn write_identities(&mut self) -> Result<()> {
        let queued = std::mem::take(&mut self.identities);
        for chunk in queued.chunks(6_000) {
            let mut q = Sql::new(
                "INSERT INTO identities (member_id, network, handle, verified, created_at) VALUES ",
                self.numbered,
            );
            for (n, (member, network, handle, verified, at)) in chunk.iter().enumerate() {
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(member.0)
                    .push(", ")
                    .bind(network.as_str())
                    .push(", ");
                q.bind(handle.as_str())
                    .push(", ")
                    .bind(*verified as i64)
                    .push(", ");
                q.bind(*at).push(")");
            }
            q.push(" ON CONFLICT (network, handle) DO NOTHING");
            q.execute(&mut self.tx).await?;
        }
        Ok(())
    }

    /// Throw the batch away (dry runs).
    pub async fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback().await?)
    }

    /// Create a member inside the import.
    pub async fn create_member(&mut self, m: &NewMember) -> Result<MemberId> {
        let row = insert_member(m)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(crate::conflict_as("handle"))?;
        Ok(MemberId(row.try_get::<i64, _>(0)?))
    }

    /// Propose merging two members; false if that pair was already proposed (or rejected).
    pub async fn propose_merge(
        &mut self,
        a: MemberId,
        b: MemberId,
        reason: &str,
        score: i64,
        now: Millis,
    ) -> Result<bool> {
        let (a, b) = if a.0 < b.0 { (a, b) } else { (b, a) };
        let r = sqlx::query(PROPOSE_MERGE_SQL)
            .bind(a.0)
            .bind(b.0)
            .bind(reason)
            .bind(score)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Link replies whose parent arrived after them. Returns how many were linked.
    pub async fn link_pending_parents(&mut self) -> Result<u64> {
        let r = sqlx::query(LINK_PENDING_PARENTS_SQL)
            .execute(&mut *self.tx)
            .await?;
        Ok(r.rows_affected())
    }
}

impl Store {
    /// Note that content changed (any process, any instance): see [`Store::content_version`].
    pub async fn bump_content_version(&self) -> Result<()> {
        sqlx::query(crate::BUMP_CONTENT_VERSION)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The content version as a read begun after this call finds it: what a page kept for
    /// its readers is checked against on every request. On SQLite the caller's own read; on
    /// PostgreSQL one read answers every caller that asked while the previous one was in
    /// flight (see `version_reads`), rather than a round trip each.
    pub async fn current_content_version(&self) -> Result<i64> {
        match self.backend {
            crate::Backend::Sqlite => self.content_version().await,
            crate::Backend::Postgres => self.versions.current(self).await,
        }
    }

    /// A counter that changes whenever content changes; caches compare it to stay fresh.
    /// Through the read path, on the caller's thread: the pages kept for anonymous visitors
    /// ask it on every request.
    pub async fn content_version(&self) -> Result<i64> {
        self.reads
            .run_short(|r| {
                Box::pin(async move {
                    let found = r
                        .opt(
                            "SELECT CAST(value AS BIGINT) FROM parvis_meta WHERE key = 'content_version'",
                            &[],
                            |c| c.int(0),
                        )
                        .await?;
                    Ok(found.unwrap_or(0))
                })
            })
            .await
    }
}

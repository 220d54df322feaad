//! Spaces, topics, threads, messages and reactions.

use crate::members::{MEMBER_REF_COLS, member_ref};
use crate::{Result, Store, StoreError, conflict_as, int, opt_int, text};
use parvis_domain::{
    MemberId, Message, MessageId, Millis, PageRequest, ReactionKind, Space, SpaceId, ThreadId,
    ThreadSummary, Topic, TopicId,
};
use serde::Serialize;
use sqlx::Row;

/// A new thread and its opening message.
#[derive(Debug, Clone)]
pub struct NewThread {
    pub space_id: SpaceId,
    pub topic_id: Option<TopicId>,
    pub title: String,
    pub author_id: MemberId,
    pub body_md: String,
    pub body_html: String,
    pub created_at: Millis,
    pub channel: String,
    pub source_id: Option<String>,
    pub source_url: Option<String>,
}

/// A new reply in a thread.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub thread_id: ThreadId,
    pub parent_id: Option<MessageId>,
    pub author_id: MemberId,
    pub body_md: String,
    pub body_html: String,
    pub created_at: Millis,
    pub channel: String,
    pub source_id: Option<String>,
    pub source_url: Option<String>,
}

/// One line of a space export (`parvis export`): each record says what it is.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExportRecord {
    Space(Space),
    Topic(Topic),
    Member(parvis_domain::MemberRef),
    Thread(ThreadSummary),
    Message(Message),
    /// Who reacted how to which message.
    Reaction(crate::privacy::ReactionRecord),
    /// A statement of a topic's opinion map, whatever its moderation status.
    Statement(crate::StatementRow),
    /// A vote on a statement; the voter is `m<member id>` (or the id an import gave).
    Vote(crate::VoteRow),
    /// The current state of an exported member's consent.
    Consent(crate::privacy::ConsentRecord),
    /// One dated change of an exported member's consent.
    ConsentEvent(crate::privacy::ConsentEventRecord),
}

impl Store {
    /// Create a space in the default time zone (Europe/Paris). `Conflict { what: "space
    /// slug" }` if taken.
    pub async fn create_space(
        &self,
        slug: &str,
        name: &str,
        description: &str,
        now: Millis,
    ) -> Result<SpaceId> {
        self.create_space_in_zone(slug, name, description, "Europe/Paris", now)
            .await
    }

    /// Create a space in `time_zone` (an IANA name the caller checked).
    pub async fn create_space_in_zone(
        &self,
        slug: &str,
        name: &str,
        description: &str,
        time_zone: &str,
        now: Millis,
    ) -> Result<SpaceId> {
        let row = sqlx::query("INSERT INTO spaces (slug, name, description, time_zone, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(slug)
            .bind(name)
            .bind(description)
            .bind(time_zone)
            .bind(now)
            .fetch_one(&self.pool)
            .await
            .map_err(conflict_as("space slug"))?;
        Ok(SpaceId(row.try_get::<i64, _>(0)?))
    }

    /// Change a space's name, description and time zone (an IANA name the caller checked).
    pub async fn update_space(
        &self,
        id: SpaceId,
        name: &str,
        description: &str,
        time_zone: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE spaces SET name = $1, description = $2, time_zone = $3 WHERE id = $4",
        )
        .bind(name)
        .bind(description)
        .bind(time_zone)
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("space"));
        }
        Ok(())
    }

    /// Archive a space (`Some(when)`) or bring it back (`None`).
    pub async fn set_space_archived(&self, id: SpaceId, at: Option<Millis>) -> Result<()> {
        sqlx::query("UPDATE spaces SET archived_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// What deleting a space takes with it: (topics, threads, messages).
    pub async fn space_contents(&self, id: SpaceId) -> Result<(i64, i64, i64)> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM topics WHERE space_id = $1) AS topics,
                    (SELECT COUNT(*) FROM threads WHERE space_id = $1) AS threads,
                    (SELECT COUNT(*) FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.space_id = $1) AS messages",
        )
        .bind(id.0)
        .fetch_one(&self.pool)
        .await?;
        Ok((
            int(&row, "topics")?,
            int(&row, "threads")?,
            int(&row, "messages")?,
        ))
    }

    /// The ids of every message in a space (to take them out of the search index).
    pub async fn space_message_ids(&self, id: SpaceId) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT m.id FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.space_id = $1",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| int(r, "id")).collect()
    }

    /// Delete a space and everything in it (topics, threads, messages, reactions, votes: the
    /// schema's cascades; one statement, so all or nothing).
    pub async fn delete_space(&self, id: SpaceId) -> Result<()> {
        sqlx::query("DELETE FROM spaces WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Change a topic's title, description and keywords.
    pub async fn update_topic(
        &self,
        id: TopicId,
        title: &str,
        description: &str,
        keywords: &[String],
    ) -> Result<()> {
        let kw = serde_json::to_string(keywords).unwrap_or_else(|_| "[]".into());
        sqlx::query("UPDATE topics SET title = $1, description = $2, keywords = $3 WHERE id = $4")
            .bind(title)
            .bind(description)
            .bind(kw)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Archive a topic (`Some(when)`) or bring it back (`None`).
    pub async fn set_topic_archived(&self, id: TopicId, at: Option<Millis>) -> Result<()> {
        sqlx::query("UPDATE topics SET archived_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// What deleting a topic takes with it: (threads no longer filed under it, statements of
    /// its opinion map).
    pub async fn topic_contents(&self, id: TopicId) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM threads WHERE topic_id = $1) AS threads,
                    (SELECT COUNT(*) FROM statements WHERE topic_id = $1) AS statements",
        )
        .bind(id.0)
        .fetch_one(&self.pool)
        .await?;
        Ok((int(&row, "threads")?, int(&row, "statements")?))
    }

    /// Delete a topic: its threads stay in the space without a topic, its opinion map
    /// (statements and votes) goes (the schema's cascades).
    pub async fn delete_topic(&self, id: TopicId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for sql in [
            &crate::measure_taken_back::statement_votes("st.topic_id = $1"),
            "DELETE FROM topics WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id.0).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Create a topic in a space. `Conflict { what: "topic slug" }` if taken in that space.
    pub async fn create_topic(
        &self,
        space: SpaceId,
        slug: &str,
        title: &str,
        description: &str,
        keywords: &[String],
        now: Millis,
    ) -> Result<TopicId> {
        let kw = serde_json::to_string(keywords).unwrap_or_else(|_| "[]".into());
        let row = sqlx::query(
            "INSERT INTO topics (space_id, slug, title, description, keywords, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(space.0)
        .bind(slug)
        .bind(title)
        .bind(description)
        .bind(kw)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(conflict_as("topic slug"))?;
        Ok(TopicId(row.try_get::<i64, _>(0)?))
    }

    /// Create a thread with its opening message, in one transaction. Returns both ids.
    pub async fn create_thread(&self, t: &NewThread) -> Result<(ThreadId, MessageId)> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO threads (space_id, topic_id, title, author_id, created_at, last_activity_at, message_count, channel, source_id)
             VALUES ($1, $2, $3, $4, $5, $5, 1, $6, $7) RETURNING id",
        )
        .bind(t.space_id.0)
        .bind(t.topic_id.map(|x| x.0))
        .bind(&t.title)
        .bind(t.author_id.0)
        .bind(t.created_at)
        .bind(&t.channel)
        .bind(t.source_id.as_deref())
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_as("thread"))?;
        let thread_id: i64 = row.try_get(0)?;
        let row = sqlx::query(
            "INSERT INTO messages (thread_id, author_id, parent_id, body_md, body_html, created_at, channel, source_id, source_url)
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(thread_id)
        .bind(t.author_id.0)
        .bind(&t.body_md)
        .bind(&t.body_html)
        .bind(t.created_at)
        .bind(&t.channel)
        .bind(t.source_id.as_deref())
        .bind(t.source_url.as_deref())
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_as("message"))?;
        let message_id: i64 = row.try_get(0)?;
        // A new thread changes its space's pages (see `BUMP_CONTENT_VERSION`).
        sqlx::query(crate::BUMP_CONTENT_VERSION)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((ThreadId(thread_id), MessageId(message_id)))
    }

    /// Add a reply to a thread and bump the thread's activity, in one transaction.
    pub async fn add_message(&self, m: &NewMessage) -> Result<MessageId> {
        let mut tx = self.begin_write().await?;
        if let Some(parent) = m.parent_id {
            let same_thread = sqlx::query("SELECT thread_id FROM messages WHERE id = $1")
                .bind(parent.0)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get::<i64, _>(0))
                .transpose()?;
            if same_thread != Some(m.thread_id.0) {
                return Err(StoreError::NotFound("parent message in this thread"));
            }
        }
        let row = sqlx::query(
            "INSERT INTO messages (thread_id, author_id, parent_id, body_md, body_html, created_at, channel, source_id, source_url)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(m.thread_id.0)
        .bind(m.author_id.0)
        .bind(m.parent_id.map(|p| p.0))
        .bind(&m.body_md)
        .bind(&m.body_html)
        .bind(m.created_at)
        .bind(&m.channel)
        .bind(m.source_id.as_deref())
        .bind(m.source_url.as_deref())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e.as_database_error() {
            Some(d) if d.is_foreign_key_violation() => StoreError::NotFound("thread"),
            _ => conflict_as("message")(e),
        })?;
        let id: i64 = row.try_get(0)?;
        let updated = sqlx::query(
            "UPDATE threads SET message_count = message_count + 1,
                last_activity_at = CASE WHEN last_activity_at > $1 THEN last_activity_at ELSE $1 END
             WHERE id = $2",
        )
        .bind(m.created_at)
        .bind(m.thread_id.0)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound("thread"));
        }
        sqlx::query(crate::BUMP_CONTENT_VERSION)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(MessageId(id))
    }

    /// The thread a message belongs to.
    pub async fn thread_of_message(&self, id: MessageId) -> Result<Option<ThreadId>> {
        let row = sqlx::query("SELECT thread_id FROM messages WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(ThreadId(int(&r, "thread_id")?))).transpose()
    }

    /// Leave a reaction (idempotent: reacting twice the same way changes nothing).
    pub async fn add_reaction(
        &self,
        message: MessageId,
        member: MemberId,
        kind: ReactionKind,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO reactions (message_id, member_id, kind, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (message_id, member_id, kind) DO NOTHING",
        )
        .bind(message.0)
        .bind(member.0)
        .bind(kind.as_str())
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|e| match e.as_database_error() {
            Some(d) if d.is_foreign_key_violation() => StoreError::NotFound("message"),
            _ => StoreError::Db(e),
        })?;
        Ok(())
    }

    /// A member's own reactions in a thread (message, kind), oldest message first: what a
    /// widget marks as theirs. At most `limit`.
    pub async fn member_reactions_in_thread(
        &self,
        thread: ThreadId,
        member: MemberId,
        limit: i64,
    ) -> Result<Vec<(MessageId, ReactionKind)>> {
        let rows = sqlx::query(
            "SELECT r.message_id, r.kind FROM reactions r JOIN messages m ON m.id = r.message_id
             WHERE m.thread_id = $1 AND r.member_id = $2 ORDER BY r.message_id, r.kind LIMIT $3",
        )
        .bind(thread.0)
        .bind(member.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let kind = ReactionKind::parse("kind", &text(r, "kind").ok()?).ok()?;
                Some((MessageId(int(r, "message_id").ok()?), kind))
            })
            .collect())
    }

    /// Take a reaction back.
    pub async fn remove_reaction(
        &self,
        message: MessageId,
        member: MemberId,
        kind: ReactionKind,
    ) -> Result<()> {
        // The measures' aggregate forgets it at its next refresh (see `measure_taken_back`).
        let mut tx = self.begin_write().await?;
        for sql in [
            &crate::measure_taken_back::reactions(
                "r.message_id = $1 AND r.member_id = $2 AND r.kind = $3",
            ),
            "DELETE FROM reactions WHERE message_id = $1 AND member_id = $2 AND kind = $3",
        ] {
            sqlx::query(sql)
                .bind(message.0)
                .bind(member.0)
                .bind(kind.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every record of a space, in an order a reader can replay (space, topics, members,
    /// then each thread followed by its messages, then reactions, opinion statements and
    /// votes, and the exported members' consents with their history). Pages through threads
    /// so memory stays small. Left out on purpose: account data that is not the space's
    /// (e-mail addresses, identities, passwords, sessions, API tokens — each member downloads
    /// theirs from `/me/export`), feed preferences and reads, introduction requests, and
    /// derived data rebuilt from the rest (search index, opinion maps, feed models).
    pub async fn export_space(
        &self,
        space: &Space,
        mut emit: impl FnMut(ExportRecord) -> std::io::Result<()>,
    ) -> Result<u64> {
        let mut n = 0u64;
        emit(ExportRecord::Space(space.clone()))?;
        n += 1;
        for t in self.list_topics(space.id).await? {
            emit(ExportRecord::Topic(t))?;
            n += 1;
        }
        let sql = format!(
            "SELECT DISTINCT {MEMBER_REF_COLS} FROM members m JOIN messages msg ON msg.author_id = m.id
             JOIN threads t ON t.id = msg.thread_id WHERE t.space_id = $1 ORDER BY m_id"
        );
        for r in sqlx::query(&sql)
            .bind(space.id.0)
            .fetch_all(&self.pool)
            .await?
        {
            emit(ExportRecord::Member(member_ref(&r)?))?;
            n += 1;
        }
        let mut page = 1;
        loop {
            let threads = self
                .list_threads(
                    space.id,
                    None,
                    PageRequest {
                        page,
                        per_page: 200,
                    },
                )
                .await?;
            for t in &threads.items {
                emit(ExportRecord::Thread(t.clone()))?;
                n += 1;
                let mut mpage = 1;
                loop {
                    let msgs = self
                        .list_messages(
                            t.id,
                            PageRequest {
                                page: mpage,
                                per_page: 200,
                            },
                        )
                        .await?;
                    for m in &msgs.items {
                        emit(ExportRecord::Message(m.clone()))?;
                        n += 1;
                    }
                    if !msgs.has_next() {
                        break;
                    }
                    mpage += 1;
                }
            }
            if !threads.has_next() {
                break;
            }
            page += 1;
        }
        n += self.export_space_extras(space, &mut emit).await?;
        Ok(n)
    }
}

/// A message with what the search index needs.
#[derive(Debug, Clone)]
pub struct MessageForIndex {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub space_id: SpaceId,
    pub topic_id: Option<TopicId>,
    pub channel: String,
    pub author_id: MemberId,
    pub author_name: String,
    pub created_at: Millis,
    pub title: String,
    pub body_md: String,
}

impl Store {
    /// Messages with an id above `after` (the index's watermark), oldest first, or edited
    /// after `edited_after`: the ordered change log the search index follows.
    pub async fn messages_for_index(
        &self,
        after: i64,
        edited_after: Millis,
        limit: i64,
    ) -> Result<Vec<MessageForIndex>> {
        let rows = sqlx::query(
            "SELECT msg.id, msg.thread_id, t.space_id, t.topic_id, msg.channel, msg.author_id, m.display_name, msg.created_at,
                    t.title, msg.body_md
             FROM messages msg JOIN threads t ON t.id = msg.thread_id JOIN members m ON m.id = msg.author_id
             WHERE msg.id > $1 OR (msg.edited_at IS NOT NULL AND msg.edited_at > $2)
             ORDER BY msg.id LIMIT $3",
        )
        .bind(after)
        .bind(edited_after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageForIndex {
                    id: MessageId(int(r, "id")?),
                    thread_id: ThreadId(int(r, "thread_id")?),
                    space_id: SpaceId(int(r, "space_id")?),
                    topic_id: opt_int(r, "topic_id")?.map(TopicId),
                    channel: text(r, "channel")?,
                    author_id: MemberId(int(r, "author_id")?),
                    author_name: text(r, "display_name")?,
                    created_at: int(r, "created_at")?,
                    title: text(r, "title")?,
                    body_md: text(r, "body_md")?,
                })
            })
            .collect()
    }
}

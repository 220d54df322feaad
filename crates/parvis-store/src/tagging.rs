//! Which declared topics each message touches (`message_topics`), kept up to date when a
//! topic is created or its keywords change, and when a member posts. Imports tag their own
//! rows in bulk (`import_batch`); this module serves everything that happens afterwards.

use crate::import_batch::Sql;
use crate::{Backend, Result, Store, int, opt_int, text};
use parvis_domain::{MessageId, TopicId};

/// Rows per statement when tagging (two parameters each, well under both engines' limits).
const TAGS_PER_STATEMENT: usize = 4_000;

/// A message as topic matching reads it.
#[derive(Debug, Clone)]
pub struct MessageToTag {
    pub id: MessageId,
    /// The topic its thread was started in, if any.
    pub thread_topic: Option<TopicId>,
    pub title: String,
    pub body_md: String,
}

impl Store {
    /// Up to `limit` messages of a space with an id above `after`, in id order, with what
    /// topic matching reads (paging by id keeps each call cheap however large the space).
    pub async fn messages_to_tag(
        &self,
        space: parvis_domain::SpaceId,
        after: MessageId,
        limit: i64,
    ) -> Result<Vec<MessageToTag>> {
        let rows = sqlx::query(
            "SELECT m.id, t.topic_id, t.title, m.body_md FROM messages m JOIN threads t ON t.id = m.thread_id
             WHERE t.space_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3",
        )
        .bind(space.0)
        .bind(after.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageToTag {
                    id: MessageId(int(r, "id")?),
                    thread_topic: opt_int(r, "topic_id")?.map(TopicId),
                    title: text(r, "title")?,
                    body_md: text(r, "body_md")?,
                })
            })
            .collect()
    }

    /// Forgets every message tagged with `topic` (before tagging them again).
    pub async fn untag_topic(&self, topic: TopicId) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM message_topics WHERE topic_id = $1")
                .bind(topic.0)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Tags messages with topics; pairs already there are kept. Returns the pairs added.
    pub async fn tag_messages(&self, pairs: &[(MessageId, TopicId)]) -> Result<u64> {
        let numbered = self.backend == Backend::Postgres;
        let mut added = 0;
        let mut conn = self.pool.acquire().await?;
        for chunk in pairs.chunks(TAGS_PER_STATEMENT) {
            let mut q = Sql::new(
                "INSERT INTO message_topics (message_id, topic_id) VALUES ",
                numbered,
            );
            for (n, (m, t)) in chunk.iter().enumerate() {
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(m.0).push(", ").bind(t.0).push(")");
            }
            q.push(" ON CONFLICT DO NOTHING");
            added += q.execute(&mut conn).await?;
        }
        Ok(added)
    }
}

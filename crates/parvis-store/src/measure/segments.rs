//! Segment choices: the members taking part in a topic, the organisations members named.

use crate::{Result, Store, int, text};
use parvis_domain::Millis;

impl Store {
    /// Members who wrote in a topic of a space since `since`: in a thread filed under the
    /// topic, or a message tagged with it. (The weekly aggregate has no topic column: a topic
    /// segment is the people taking part in it, each counted with their whole activity.)
    pub async fn members_in_topic(
        &self,
        space_id: i64,
        topic_id: i64,
        since: Millis,
    ) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT DISTINCT m.author_id AS id FROM threads t JOIN messages m ON m.thread_id = t.id
             WHERE t.space_id = $1 AND t.topic_id = $2 AND t.last_activity_at >= $3
               AND m.created_at >= $3
             UNION
             SELECT DISTINCT m.author_id AS id FROM message_topics mt
               JOIN messages m ON m.id = mt.message_id JOIN threads t ON t.id = m.thread_id
             WHERE mt.topic_id = $2 AND t.space_id = $1 AND m.created_at >= $3",
        )
        .bind(space_id)
        .bind(topic_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| int(r, "id")).collect()
    }

    /// Organisations named by members, most members first (segment choices), at most `limit`.
    pub async fn measure_organisations(&self, limit: i64) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT organisation AS o, COUNT(*) AS n FROM members
             WHERE organisation <> '' AND merged_into IS NULL
             GROUP BY organisation ORDER BY n DESC, organisation LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| text(r, "o")).collect()
    }
}

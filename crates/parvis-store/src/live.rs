//! Live debate rooms: the room rows and each room's ordered event log.
//!
//! The log is the source of truth of a room (questions, votes, poll answers, turns): the live
//! hub appends a batch of accepted events in one transaction before acknowledging any of them,
//! and rebuilds a room by reading its events back in order. The store does not interpret the
//! events (they are JSON from `parvis-live`); it keeps them ordered and unique per room.

use crate::read::Arg;
use crate::write::unique_as_conflict;
use crate::{Result, Store, StoreError, conflict_as, int, opt_int, text};
use parvis_domain::{MemberId, Millis, RoomId, SpaceId, TopicId};
use sqlx::Row;

/// A room to create.
#[derive(Debug, Clone)]
pub struct NewRoom {
    pub space_id: SpaceId,
    pub topic_id: Option<TopicId>,
    pub session_id: Option<i64>,
    pub title: String,
    pub anonymous_questions: bool,
    pub approval_required: bool,
    /// The fairness budget factor in thousandths (1500 = 1.5×).
    pub budget_permille: i64,
    pub created_by: Option<MemberId>,
    pub created_at: Millis,
}

/// A room as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomRow {
    pub id: RoomId,
    pub space_id: SpaceId,
    pub topic_id: Option<TopicId>,
    pub session_id: Option<i64>,
    pub title: String,
    pub anonymous_questions: bool,
    pub approval_required: bool,
    pub budget_permille: i64,
    pub created_by: Option<MemberId>,
    pub created_at: Millis,
}

/// A room event in a member's export.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OwnRoomEvent {
    pub room_id: i64,
    pub seq: i64,
    pub at: Millis,
    /// `ask`, `upvote`, `answer`, `raise_hand`, `give_floor`…
    pub action: String,
    /// The event as the room logged it (JSON: who, when, what).
    pub event: String,
}

/// One event of a room's log.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomEventRow {
    pub seq: i64,
    pub at: Millis,
    pub actor_key: String,
    pub action: String,
    /// The event as JSON.
    pub body: String,
}

const ROOM_COLS: &str = "id, space_id, topic_id, session_id, title, anonymous_questions, approval_required, budget_permille, created_by, created_at";

fn room_row(r: &sqlx::any::AnyRow) -> Result<RoomRow> {
    Ok(RoomRow {
        id: RoomId(int(r, "id")?),
        space_id: SpaceId(int(r, "space_id")?),
        topic_id: opt_int(r, "topic_id")?.map(TopicId),
        session_id: opt_int(r, "session_id")?,
        title: text(r, "title")?,
        anonymous_questions: int(r, "anonymous_questions")? != 0,
        approval_required: int(r, "approval_required")? != 0,
        budget_permille: int(r, "budget_permille")?,
        created_by: opt_int(r, "created_by")?.map(MemberId),
        created_at: int(r, "created_at")?,
    })
}

/// A `room_events` row with its room.
fn room_event(r: &sqlx::any::AnyRow) -> Result<(RoomId, RoomEventRow)> {
    Ok((
        RoomId(int(r, "room_id")?),
        RoomEventRow {
            seq: int(r, "seq")?,
            at: int(r, "at")?,
            actor_key: text(r, "actor_key")?,
            action: text(r, "action")?,
            body: text(r, "body")?,
        },
    ))
}

impl Store {
    /// Create a room; returns its id.
    pub async fn create_room(&self, room: &NewRoom) -> Result<RoomId> {
        let row = sqlx::query(
            "INSERT INTO rooms (space_id, topic_id, session_id, title, anonymous_questions, approval_required, budget_permille, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(room.space_id.0)
        .bind(room.topic_id.map(|t| t.0))
        .bind(room.session_id)
        .bind(&room.title)
        .bind(i64::from(room.anonymous_questions))
        .bind(i64::from(room.approval_required))
        .bind(room.budget_permille)
        .bind(room.created_by.map(|m| m.0))
        .bind(room.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(conflict_as("room of this session"))?;
        Ok(RoomId(row.try_get::<i64, _>(0)?))
    }

    /// A room by id.
    pub async fn room(&self, id: RoomId) -> Result<Option<RoomRow>> {
        let sql = format!("SELECT {ROOM_COLS} FROM rooms WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(room_row).transpose()
    }

    /// The rooms of a topic, newest first.
    pub async fn rooms_of_topic(&self, topic: TopicId) -> Result<Vec<RoomRow>> {
        let sql = format!("SELECT {ROOM_COLS} FROM rooms WHERE topic_id = $1 ORDER BY id DESC");
        let rows = sqlx::query(&sql)
            .bind(topic.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(room_row).collect()
    }

    /// The rooms of a space, newest first.
    pub async fn rooms_of_space(&self, space: SpaceId) -> Result<Vec<RoomRow>> {
        let sql = format!("SELECT {ROOM_COLS} FROM rooms WHERE space_id = $1 ORDER BY id DESC");
        let rows = sqlx::query(&sql)
            .bind(space.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(room_row).collect()
    }

    /// The room of a session, if it has one (at most one: a unique index).
    pub async fn room_of_session(&self, session_id: i64) -> Result<Option<RoomRow>> {
        let sql = format!("SELECT {ROOM_COLS} FROM rooms WHERE session_id = $1");
        let row = sqlx::query(&sql)
            .bind(session_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(room_row).transpose()
    }

    /// The rooms of a topic's closed sessions, in one query (the synthesis reads them all;
    /// one `room_of_session` per layer was 50 round trips on a 50-session series).
    pub async fn rooms_of_closed_sessions(&self, topic_id: i64) -> Result<Vec<RoomRow>> {
        let sql = format!(
            "SELECT {ROOM_COLS} FROM rooms WHERE session_id IN (SELECT id FROM topic_sessions WHERE topic_id = $1 AND closed_at IS NOT NULL)"
        );
        let rows = sqlx::query(&sql)
            .bind(topic_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(room_row).collect()
    }

    /// Link a room to a session (rooms are made for a topic first; sessions come later).
    pub async fn link_room_to_session(&self, room: RoomId, session_id: i64) -> Result<()> {
        let done = sqlx::query("UPDATE rooms SET session_id = $1 WHERE id = $2")
            .bind(session_id)
            .bind(room.0)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("room"));
        }
        Ok(())
    }

    /// Append events to a room's log, all or none, in one transaction. A sequence number
    /// already taken (another instance wrote it first) is `Conflict { what: "room event" }`:
    /// the caller catches up from the log and tries again.
    pub async fn append_room_events(&self, room: RoomId, events: &[RoomEventRow]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        // On the native write path: a busy room appends a thousand commands a second, and
        // through the `Any` driver each statement was a thread hop on SQLite.
        let events = events.to_vec();
        self.writes
            .run(move |w| {
                Box::pin(async move {
                    for e in &events {
                        w.exec(
                            "INSERT INTO room_events (room_id, seq, at, actor_key, action, body) VALUES ($1, $2, $3, $4, $5, $6)",
                            &[
                                Arg::Int(room.0),
                                Arg::Int(e.seq),
                                Arg::Int(e.at),
                                Arg::Text(&e.actor_key),
                                Arg::Text(&e.action),
                                Arg::Text(&e.body),
                            ],
                        )
                        .await
                        .map_err(unique_as_conflict("room event"))?;
                        // An upvote taken back stops counting in the measures (see
                        // `measure_taken_back`).
                        if e.action == "unvote"
                            && e.actor_key.starts_with("m:")
                            && let Some(q) = crate::measure_taken_back::question_of(&e.body)
                        {
                            crate::measure_taken_back::unvote(w, room.0, &e.actor_key, q, e.seq)
                                .await?;
                        }
                    }
                    Ok(())
                })
            })
            .await
    }

    /// Every room's events of one kind (`note`…), by room and order: an erasure reads the
    /// moderators' notes to withdraw the erased member's name from their text, which the key
    /// alone does not find.
    pub async fn room_events_of_action(&self, action: &str) -> Result<Vec<(RoomId, RoomEventRow)>> {
        let rows = sqlx::query(
            "SELECT room_id, seq, at, actor_key, action, body FROM room_events
             WHERE action = $1 ORDER BY room_id, seq",
        )
        .bind(action)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(room_event).collect()
    }

    /// The events sent by `key` (`m:<member id>`) or naming it (the floor given to them, an
    /// invitation, a hand lowered by a moderator), by room and order. There is no index on the
    /// key: exports and erasures are rare, and a scan keeps the log's writes lean.
    pub async fn room_events_naming(&self, key: &str) -> Result<Vec<(RoomId, RoomEventRow)>> {
        let rows = sqlx::query(
            "SELECT room_id, seq, at, actor_key, action, body FROM room_events
             WHERE actor_key = $1 OR body LIKE $2 ORDER BY room_id, seq",
        )
        .bind(key)
        // The key quoted, as a JSON string value: `"m:1"` does not match `"m:12"`.
        .bind(format!("%\"{key}\"%"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(room_event).collect()
    }

    /// Replace events' actor key and body (an erasure's anonymising rewrite), all or none.
    /// Sequence numbers stay: a room replays to the same questions and polls.
    pub async fn rewrite_room_events(&self, events: &[(RoomId, RoomEventRow)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // A member's votes made anonymous no longer count as theirs (nor as anyone's).
        let copy = crate::measure_taken_back::live_votes("e.room_id = $1 AND e.seq = $2");
        for (room, e) in events {
            if !e.actor_key.starts_with("m:") {
                sqlx::query(&copy)
                    .bind(room.0)
                    .bind(e.seq)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "UPDATE room_events SET actor_key = $3, body = $4 WHERE room_id = $1 AND seq = $2",
            )
            .bind(room.0)
            .bind(e.seq)
            .bind(&e.actor_key)
            .bind(&e.body)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A room's events after `after_seq`, in order.
    pub async fn room_events(&self, room: RoomId, after_seq: i64) -> Result<Vec<RoomEventRow>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_key, action, body FROM room_events WHERE room_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(room.0)
        .bind(after_seq)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RoomEventRow {
                    seq: int(r, "seq")?,
                    at: int(r, "at")?,
                    actor_key: text(r, "actor_key")?,
                    action: text(r, "action")?,
                    body: text(r, "body")?,
                })
            })
            .collect()
    }
}

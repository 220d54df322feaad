//! Reactions and votes taken back leave the measures' weekly aggregate at the next
//! incremental refresh, without a rebuild.
//!
//! Design: the aggregate is kept by adding what arrived past a watermark; a deleted reaction
//! leaves nothing to read past it. So each path that removes a reaction or a vote first copies
//! where and when it had been counted (space, member, channel, time) into
//! `measure_taken_back`, in the removal's own transaction. The next refresh of that space
//! subtracts the copies whose time is at or before its reaction watermark (those, and only
//! those, were added by an earlier refresh: one taken back before any refresh read it was
//! never counted) from the week they were counted in, drops the weekly rows left at zero (a
//! rebuild would not have them), and deletes the space's copies. It reads only that space's
//! pending copies by index: a refresh with nothing taken back costs one index probe, and
//! nothing ever scans the reactions. A rebuild reads the tables as they are and just deletes
//! the copies. Copies are made only for spaces whose aggregate exists (a `measure_state`
//! row), so the table only holds what arrived since a space's last refresh.
//!
//! Simpler alternatives and why not: soft-deleting reactions and votes (a `removed_at`
//! column) would touch every reader of five tables and keep erased members' votes; database
//! triggers would need one dialect per backend (PostgreSQL wants a function per trigger),
//! which the shared schema files do not have, and a clock the tests do not drive.
//!
//! The removals covered: a like (or any reaction) taken back, on a page or from a widget; a
//! statement vote changed (its time moves to the new vote: the old week loses it, as in a
//! rebuild); a live question upvote taken back (`unvote`: the room's log keeps both events, so
//! the upvote is also listed in `room_votes_taken_back`, which both forms of the live-votes
//! statement skip; an unvote of a question kept by a merge also takes back its voter's
//! upvotes of the duplicates merged into it, see `Standing`); a challenge vote withdrawn
//! (`withdraw_entry_vote`); and an erasure, which deletes the member's reactions, statement and challenge votes, the reactions and
//! votes others left on what it deletes (messages, statements, entries), and anonymises their
//! live events.
//!
//! Live upvotes taken back before schema 29 left no copy and no `room_votes_taken_back` row.
//! So a rebuild does not trust that list alone: it first re-reads the space's upvotes and
//! unvotes from the rooms' logs — the source of truth, which the room itself replays — and
//! lists every upvote they show taken back (`relist_unvotes`); schema 32 forgets every
//! aggregate, so that each space is rebuilt once. Chosen over a backfill in a migration: the
//! pairing needs the question inside each event's JSON, which the shared migration SQL cannot
//! read in one dialect (SQLite's `json_extract`, PostgreSQL's `->>`), and a one-time backfill
//! would leave the rebuild trusting a derived list for ever — an upvote it missed (a log
//! restored from an old backup, one written by another path) would count again at every
//! rebuild. Re-reading costs one pass over the space's votes per rebuild, which already reads
//! them all.

use crate::Result;
use crate::read::Arg;
use crate::write::Writer;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::LazyLock;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Copy the reactions `r` (joined to their message `m`) matching `cond`, about to be deleted.
/// `cond` is always a literal of this crate, never input.
pub(crate) fn reactions(cond: &str) -> String {
    format!(
        "INSERT INTO measure_taken_back (space_id, member_id, channel, at)
         SELECT t.space_id, r.member_id, m.channel, r.created_at
         FROM reactions r JOIN messages m ON m.id = r.message_id JOIN threads t ON t.id = m.thread_id
         WHERE {cond} AND EXISTS (SELECT 1 FROM measure_state s WHERE s.space_id = t.space_id)"
    )
}

/// Copy the members' statement votes `v` matching `cond` (imported voters are not counted).
pub(crate) fn statement_votes(cond: &str) -> String {
    format!(
        "INSERT INTO measure_taken_back (space_id, member_id, channel, at)
         SELECT tp.space_id, CAST(SUBSTR(v.voter, 2) AS BIGINT), 'parvis', v.created_at
         FROM statement_votes v JOIN statements st ON st.id = v.statement_id
           JOIN topics tp ON tp.id = st.topic_id
         WHERE v.voter LIKE 'm%' AND v.voter NOT LIKE '%:%' AND {cond}
           AND EXISTS (SELECT 1 FROM measure_state s WHERE s.space_id = tp.space_id)"
    )
}

/// Copy the challenge votes `v` matching `cond`.
pub(crate) fn challenge_votes(cond: &str) -> String {
    format!(
        "INSERT INTO measure_taken_back (space_id, member_id, channel, at)
         SELECT c.space_id, v.member_id, 'parvis', v.created_at
         FROM challenge_votes v JOIN challenges c ON c.id = v.challenge_id
         WHERE {cond} AND EXISTS (SELECT 1 FROM measure_state s WHERE s.space_id = c.space_id)"
    )
}

/// Copy the counted live votes `e` (members' upvotes not already taken back, poll answers)
/// matching `cond`.
pub(crate) fn live_votes(cond: &str) -> String {
    format!(
        "INSERT INTO measure_taken_back (space_id, member_id, channel, at)
         SELECT r.space_id, CAST(SUBSTR(e.actor_key, 3) AS BIGINT), 'parvis', e.at
         FROM room_events e JOIN rooms r ON r.id = e.room_id
         WHERE e.action IN ('upvote', 'answer') AND e.actor_key LIKE 'm:%' AND {cond}
           AND NOT EXISTS (SELECT 1 FROM room_votes_taken_back x WHERE x.room_id = e.room_id AND x.seq = e.seq)
           AND EXISTS (SELECT 1 FROM measure_state s WHERE s.space_id = r.space_id)"
    )
}

/// Run a copy statement made by one of the functions above with one id bound as `$1`.
pub(crate) async fn copy(tx: &mut Tx, sql: &str, id: i64) -> Result<()> {
    sqlx::query(sql).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Record that `actor` took back their upvote of `question` in `room` (an `unvote` at
/// `seq`): the upvotes of theirs it takes back (see [`Standing`]) are no longer counted.
pub(crate) async fn unvote(
    w: &mut Writer<'_>,
    room: i64,
    actor: &str,
    question: u64,
    seq: i64,
) -> Result<()> {
    // The room's merges ride along the actor's votes: the same scan of the room's events
    // (by primary key), no second query.
    let events = w
        .all(
            "SELECT seq, action, body FROM room_events
             WHERE room_id = $1 AND seq < $3
               AND (action = 'merge' OR (actor_key = $2 AND action IN ('upvote', 'unvote')))
             ORDER BY seq",
            &[Arg::Int(room), Arg::Text(actor), Arg::Int(seq)],
            |r| Ok((r.int(0)?, r.text(1)?, r.text(2)?)),
        )
        .await?;
    let mut standing = Standing::default();
    for (at, action, body) in &events {
        standing.event(*at, actor, action, body);
    }
    for up in standing.unvote(actor, question) {
        w.exec(UNVOTE_COPY.as_str(), &[Arg::Int(room), Arg::Int(up)])
            .await?;
        w.exec(
            "INSERT INTO room_votes_taken_back (room_id, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[Arg::Int(room), Arg::Int(up)],
        )
        .await?;
    }
    Ok(())
}

/// One room's members' upvotes still standing, read from its log in order: what an `unvote`
/// takes back. The room keeps one vote per person and question, and a merge adds the
/// duplicate's voters to the question kept, once each (`parvis-live`'s `Room::apply`). So
/// an upvote of a duplicate is its voter's upvote of the question kept, which they take back
/// there; and someone who upvoted both, counted once by the room, takes back both at once:
/// after an unvote the room shows no vote of theirs on the question, and neither do the
/// measures. Each upvote still counts as one action until then: a merge is the moderator's
/// doing, not a vote taken back.
#[derive(Default)]
struct Standing {
    /// Question → the question it was merged into.
    merged_into: HashMap<u64, u64>,
    /// Actor → their upvotes standing, `(question, seq)`.
    upvotes: HashMap<String, Vec<(u64, i64)>>,
}

impl Standing {
    /// Take in the event at `seq` by `actor` (an upvote, an unvote or a merge); returns the
    /// upvotes an unvote takes back. Other events, or bodies naming no question, change nothing.
    fn event(&mut self, seq: i64, actor: &str, action: &str, body: &str) -> Vec<i64> {
        let Some(question) = question_of(body) else {
            return vec![];
        };
        match action {
            "upvote" => self
                .upvotes
                .entry(actor.to_string())
                .or_default()
                .push((question, seq)),
            "unvote" => return self.unvote(actor, question),
            "merge" => {
                if let Some(into) = command_field(body, "into") {
                    self.merged_into.insert(question, into);
                }
            }
            _ => {}
        }
        vec![]
    }

    /// The upvotes `actor`'s unvote of `question` takes back (their sequence numbers): all
    /// theirs standing on it and on the questions merged into it, however many merges ago.
    fn unvote(&mut self, actor: &str, question: u64) -> Vec<i64> {
        let Some(ups) = self.upvotes.get_mut(actor) else {
            return vec![];
        };
        let mut taken = vec![];
        let merged = &self.merged_into;
        ups.retain(|&(q, seq)| {
            let gone = kept_question(merged, q) == question;
            if gone {
                taken.push(seq);
            }
            !gone
        });
        taken
    }
}

/// The question `q` ended up in, following its merges. The room refuses to merge a question
/// already merged or into one, so there is no cycle; the bound guards a rewritten log.
fn kept_question(merged_into: &HashMap<u64, u64>, mut q: u64) -> u64 {
    for _ in 0..=merged_into.len() {
        match merged_into.get(&q) {
            Some(&into) => q = into,
            None => break,
        }
    }
    q
}

/// Before a rebuild counts a space's live votes: list in `room_votes_taken_back` every
/// member's upvote its room's log shows taken back, whether or not [`unvote`] listed it when
/// the `unvote` arrived. The log is the source of truth (the room replays it to show its
/// votes); the list is only what the incremental path noted, and misses the upvotes taken
/// back before schema 29 created it. Same pairing as [`unvote`] (see [`Standing`]). Reads
/// only the space's upvotes, unvotes and merges, once per rebuild; what it adds keeps an erasure's copy of live votes
/// (`live_votes`) from subtracting an upvote the rebuild did not count.
pub(crate) async fn relist_unvotes(tx: &mut Tx, space: i64) -> Result<()> {
    let events = sqlx::query(
        "SELECT e.room_id, e.seq, e.actor_key, e.action, e.body FROM room_events e CROSS JOIN rooms r
         WHERE r.space_id = $1 AND e.room_id = r.id
           AND (e.action = 'merge' OR (e.action IN ('upvote', 'unvote') AND e.actor_key LIKE 'm:%'))
         ORDER BY e.room_id, e.seq",
    )
    .bind(space)
    .fetch_all(&mut **tx)
    .await?;
    let mut rooms: HashMap<i64, Standing> = HashMap::new();
    let mut taken_back = Vec::new();
    for e in &events {
        let room: i64 = e.try_get("room_id")?;
        let (actor, action, body): (String, String, String) = (
            e.try_get("actor_key")?,
            e.try_get("action")?,
            e.try_get("body")?,
        );
        let standing = rooms.entry(room).or_default();
        let ups = standing.event(e.try_get("seq")?, &actor, &action, &body);
        taken_back.extend(ups.into_iter().map(|up| (room, up)));
    }
    for (room, seq) in taken_back {
        sqlx::query(
            "INSERT INTO room_votes_taken_back (room_id, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(room)
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The copy of one live upvote taken back (see [`unvote`]).
static UNVOTE_COPY: LazyLock<String> =
    LazyLock::new(|| live_votes("e.room_id = $1 AND e.seq = $2"));

/// The question an upvote, unvote or merge event's JSON is about.
pub(crate) fn question_of(body: &str) -> Option<u64> {
    command_field(body, "question")
}

/// A number of an event's command (`question`, `into`), in the JSON as the room logs it or
/// as a bare command.
fn command_field(body: &str, name: &str) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get("command")
        .and_then(|c| c.get(name))
        .or_else(|| v.get(name))
        .and_then(|q| q.as_u64())
}

// An erasure takes more than reactions and votes out of what a rebuild would count: the
// member's messages (when deleted), reads and referrals, the messages counted per channel, and
// others' reads of the threads left empty. Those are subtracted from the aggregate at once, in
// the erasure's transaction, limited to what a refresh already counted (watermarks of
// `measure_state`); erasures are rare, so these statements may read a whole table. A reply
// kept after the message it answered was deleted loses its parent: a rebuild counts it as an
// answer to the thread's opener, and so does the aggregate from the erasure on
// (`erasing_parents`).

/// Before `m`'s messages are deleted: the messages counted per channel and week lose them.
pub(crate) async fn erasing_messages(tx: &mut Tx, m: i64) -> Result<()> {
    let theirs = "SELECT COUNT(*) FROM messages m CROSS JOIN threads t CROSS JOIN measure_state s
        WHERE m.author_id = $1 AND t.id = m.thread_id AND s.space_id = t.space_id
          AND m.id <= s.last_message_id AND t.space_id = measure_channel_weeks.space_id
          AND m.channel = measure_channel_weeks.channel
          AND m.created_at / 604800000 = measure_channel_weeks.week";
    let sql =
        format!("UPDATE measure_channel_weeks SET posts = posts - ({theirs}) WHERE ({theirs}) > 0");
    sqlx::query(&sql).bind(m).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM measure_channel_weeks WHERE posts = 0")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Before `m`'s messages are deleted: the replies others keep to them lose their parent
/// (`ON DELETE SET NULL`), so a rebuild counts each as an answer when its author is not the
/// thread's opener, where the aggregate counted it as an answer to `m` (someone else: always
/// one). The replies already counted whose author opened the thread stop being answers in
/// their week. Replies are reached through their parent's thread (indexed), the weekly rows
/// by primary key.
pub(crate) async fn erasing_parents(tx: &mut Tx, m: i64) -> Result<()> {
    let rows = sqlx::query(
        "SELECT t.space_id, r.author_id, r.channel, r.created_at / 604800000 AS week, COUNT(*) AS n
         FROM messages p CROSS JOIN messages r CROSS JOIN threads t CROSS JOIN measure_state s
         WHERE p.author_id = $1 AND r.thread_id = p.thread_id AND r.parent_id = p.id
           AND r.author_id <> $1 AND t.id = r.thread_id AND t.author_id = r.author_id
           AND s.space_id = t.space_id AND r.id <= s.last_message_id
         GROUP BY t.space_id, r.author_id, r.channel, r.created_at / 604800000",
    )
    .bind(m)
    .fetch_all(&mut **tx)
    .await?;
    for r in &rows {
        sqlx::query(
            "UPDATE measure_activity SET answers = answers - $5
             WHERE space_id = $1 AND member_id = $2 AND channel = $3 AND week = $4",
        )
        .bind(r.try_get::<i64, _>("space_id")?)
        .bind(r.try_get::<i64, _>("author_id")?)
        .bind(r.try_get::<String, _>("channel")?)
        .bind(r.try_get::<i64, _>("week")?)
        .bind(r.try_get::<i64, _>("n")?)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Before thread `t` (left empty by an erasure) is deleted: its readers' reads go with it.
pub(crate) async fn erasing_thread(tx: &mut Tx, t: i64) -> Result<()> {
    let read = "SELECT COUNT(*) FROM thread_reads r CROSS JOIN threads t CROSS JOIN measure_state s
        WHERE r.thread_id = $1 AND t.id = r.thread_id AND s.space_id = t.space_id
          AND r.at <= s.last_read_at AND r.member_id = measure_activity.member_id
          AND t.channel = measure_activity.channel AND r.at / 604800000 = measure_activity.week";
    let readers = "space_id = (SELECT t.space_id FROM threads t WHERE t.id = $1)
        AND member_id IN (SELECT r.member_id FROM thread_reads r WHERE r.thread_id = $1)";
    for sql in [
        format!("UPDATE measure_activity SET reads = reads - ({read}) WHERE {readers}"),
        format!("DELETE FROM measure_activity WHERE {readers} AND {EMPTY}"),
    ] {
        sqlx::query(&sql).bind(t).execute(&mut **tx).await?;
    }
    Ok(())
}

/// After `m` is erased: nothing of theirs is read or referred any more, nor written when
/// their messages were deleted; their reactions and votes leave with the copies made above.
pub(crate) async fn erased_member(tx: &mut Tx, m: i64, messages_deleted: bool) -> Result<()> {
    let writing = if messages_deleted {
        ", posts = 0, answers = 0"
    } else {
        ""
    };
    for sql in [
        format!(
            "UPDATE measure_activity SET reads = 0, referrals = 0{writing} WHERE member_id = $1"
        ),
        format!("DELETE FROM measure_activity WHERE member_id = $1 AND {EMPTY}"),
    ] {
        sqlx::query(&sql).bind(m).execute(&mut **tx).await?;
    }
    Ok(())
}

/// A weekly row with nothing left (a rebuild would not have it).
const EMPTY: &str = "posts = 0 AND answers = 0 AND reactions = 0 AND reads = 0 AND referrals = 0";

/// Subtract a space's pending copies from its weekly rows and forget them (incremental
/// refresh), or only forget them (`rebuilt`: the rebuild read the tables as they are). Runs
/// before the refresh adds what is new, as a rebuild would see it. The copies are read
/// grouped by weekly row and each row is then reached by its primary key: an `UPDATE … WHERE
/// EXISTS` would visit every weekly row of the space, and a join lets PostgreSQL hash them all
/// when its statistics are stale (see `measure.rs`).
pub(crate) async fn apply(tx: &mut Tx, space: i64, watermark: i64, rebuilt: bool) -> Result<()> {
    let last: i64 =
        sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM measure_taken_back WHERE space_id = $1")
            .bind(space)
            .fetch_one(&mut **tx)
            .await?
            .try_get("n")?;
    if last == 0 {
        return Ok(());
    }
    if !rebuilt {
        // Copies made while this refresh runs (id past `last`) wait for the next one; copies
        // of what no refresh had read yet (time past the watermark) were never counted.
        let rows = sqlx::query(
            "SELECT member_id, channel, at / 604800000 AS week, COUNT(*) AS n FROM measure_taken_back
             WHERE space_id = $1 AND id <= $2 AND at <= $3 GROUP BY member_id, channel, at / 604800000",
        )
        .bind(space)
        .bind(last)
        .bind(watermark)
        .fetch_all(&mut **tx)
        .await?;
        for r in &rows {
            let key = (
                r.try_get::<i64, _>("member_id")?,
                r.try_get::<String, _>("channel")?,
                r.try_get::<i64, _>("week")?,
            );
            let n: i64 = r.try_get("n")?;
            sqlx::query(
                "UPDATE measure_activity SET reactions = reactions - $5
                 WHERE space_id = $1 AND member_id = $2 AND channel = $3 AND week = $4",
            )
            .bind(space)
            .bind(key.0)
            .bind(&key.1)
            .bind(key.2)
            .bind(n)
            .execute(&mut **tx)
            .await?;
            sqlx::query(&format!(
                "DELETE FROM measure_activity
                 WHERE space_id = $1 AND member_id = $2 AND channel = $3 AND week = $4 AND {EMPTY}"
            ))
            .bind(space)
            .bind(key.0)
            .bind(&key.1)
            .bind(key.2)
            .execute(&mut **tx)
            .await?;
        }
    }
    sqlx::query("DELETE FROM measure_taken_back WHERE space_id = $1 AND id <= $2")
        .bind(space)
        .bind(last)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Standing, question_of};

    #[test]
    fn an_upvote_names_its_question_in_the_command() {
        let body =
            r#"{"seq":4,"at":9,"actor":{"key":"m:2"},"command":{"action":"unvote","question":12}}"#;
        assert_eq!(question_of(body), Some(12));
        assert_eq!(question_of(r#"{"action":"upvote","question":3}"#), Some(3));
        assert_eq!(question_of("not json"), None);
        assert_eq!(question_of(r#"{"command":{"action":"raise_hand"}}"#), None);
    }

    #[test]
    fn an_unvote_after_a_merge_takes_back_the_duplicates_upvotes_of_its_voter() {
        let ev = |action: &str, question: u64, into: u64| {
            format!(r#"{{"command":{{"action":"{action}","question":{question},"into":{into}}}}}"#)
        };
        let mut s = Standing::default();
        // Dan upvoted 2, Eve 1 and 2; 2 is merged into 1, then 1 into 3.
        assert!(
            s.event(1, "m:dan", "upvote", &ev("upvote", 2, 0))
                .is_empty()
        );
        s.event(2, "m:eve", "upvote", &ev("upvote", 1, 0));
        s.event(3, "m:eve", "upvote", &ev("upvote", 2, 0));
        s.event(4, "m:mod", "merge", &ev("merge", 2, 1));
        assert_eq!(s.event(5, "m:eve", "unvote", &ev("unvote", 1, 0)), [2, 3]);
        s.event(6, "m:eve", "upvote", &ev("upvote", 1, 0));
        s.event(7, "m:mod", "merge", &ev("merge", 1, 3));
        assert_eq!(s.unvote("m:dan", 3), [1], "two merges later");
        assert_eq!(s.unvote("m:eve", 3), [6]);
        assert!(s.unvote("m:eve", 3).is_empty(), "nothing left to take back");
    }
}

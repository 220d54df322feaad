//! The weekly activity aggregate of a space: its rows, the statements that add to them, its
//! refresh and its reads.
//!
//! The aggregate is refreshed by [`Store::measure_refresh`]: it reads only what arrived since
//! the last watermark (messages by id; reactions and votes, reads and referrals by time) and
//! adds it to the weekly rows with one `INSERT … SELECT … ON CONFLICT DO UPDATE` per source. Those
//! statements start from the new rows (`CROSS JOIN` keeps SQLite from starting at the space's
//! threads instead, which costs a scan of the whole space per refresh). A merge of
//! members (made or undone) moves past messages between members, so it triggers a rebuild of
//! the space's rows instead. Reactions and votes taken back are subtracted from the weeks
//! they counted in by the next refresh (see `measure_taken_back`).

use crate::{Result, Store, int, text};
use parvis_domain::Millis;
use sqlx::Row;

/// One weekly row of the aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub member_id: i64,
    pub channel: String,
    pub week: i64,
    pub posts: i64,
    pub answers: i64,
    pub reactions: i64,
    pub reads: i64,
    pub referrals: i64,
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefreshOutcome {
    /// The space's rows were rebuilt from scratch (first time, or after a merge).
    pub rebuilt: bool,
    /// Messages added to the aggregate by this refresh.
    pub messages: i64,
}

// One statement per source; `$1` space, `$2` lower watermark (exclusive), `$3` upper (inclusive).
// `WHERE true` before ON CONFLICT: SQLite needs it to parse an upsert after a SELECT.
const ADD_MESSAGES: &str =
    "INSERT INTO measure_activity (space_id, member_id, channel, week, posts, answers)
    SELECT t.space_id, m.author_id, m.channel, m.created_at / 604800000, COUNT(*),
           SUM(CASE WHEN COALESCE(p.author_id, t.author_id) <> m.author_id THEN 1 ELSE 0 END)
    FROM messages m CROSS JOIN threads t LEFT JOIN messages p ON p.id = m.parent_id
    WHERE t.id = m.thread_id AND t.space_id = $1 AND m.id > $2 AND m.id <= $3 AND true
    GROUP BY t.space_id, m.author_id, m.channel, m.created_at / 604800000
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      posts = measure_activity.posts + excluded.posts,
      answers = measure_activity.answers + excluded.answers";

const ADD_CHANNEL_WEEKS: &str = "INSERT INTO measure_channel_weeks (space_id, channel, week, posts)
    SELECT t.space_id, m.channel, m.created_at / 604800000, COUNT(*)
    FROM messages m CROSS JOIN threads t
    WHERE t.id = m.thread_id AND t.space_id = $1 AND m.id > $2 AND m.id <= $3 AND true
    GROUP BY t.space_id, m.channel, m.created_at / 604800000
    ON CONFLICT (space_id, channel, week) DO UPDATE SET
      posts = measure_channel_weeks.posts + excluded.posts";

const ADD_REACTIONS: &str =
    "INSERT INTO measure_activity (space_id, member_id, channel, week, reactions)
    SELECT t.space_id, r.member_id, m.channel, r.created_at / 604800000, COUNT(*)
    FROM reactions r CROSS JOIN messages m CROSS JOIN threads t
    WHERE m.id = r.message_id AND t.id = m.thread_id AND t.space_id = $1 AND r.created_at > $2 AND r.created_at <= $3 AND true
    GROUP BY t.space_id, r.member_id, m.channel, r.created_at / 604800000
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      reactions = measure_activity.reactions + excluded.reactions";

const ADD_READS: &str = "INSERT INTO measure_activity (space_id, member_id, channel, week, reads)
    SELECT t.space_id, r.member_id, t.channel, r.at / 604800000, COUNT(*)
    FROM thread_reads r CROSS JOIN threads t
    WHERE t.id = r.thread_id AND t.space_id = $1 AND r.at > $2 AND r.at <= $3 AND true
    GROUP BY t.space_id, r.member_id, t.channel, r.at / 604800000
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      reads = measure_activity.reads + excluded.reads";

// Introductions made count for the intermediary in every space where they are active (intros
// are not tied to a space).
const ADD_REFERRALS: &str = "INSERT INTO measure_activity (space_id, member_id, channel, week, referrals)
    SELECT $1, i.intermediary_id, 'parvis', i.decided_at / 604800000, COUNT(*)
    FROM intro_requests i
    WHERE i.status = 'accepted' AND i.decided_at > $2 AND i.decided_at <= $3
      AND EXISTS (SELECT 1 FROM measure_activity a WHERE a.space_id = $1 AND a.member_id = i.intermediary_id)
    GROUP BY i.intermediary_id, i.decided_at / 604800000
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      referrals = measure_activity.referrals + excluded.referrals";

// People brought in through a member's share link (a registration, a challenge entry, a
// reply or a conversion by someone who came through it; visits, clicks, widget sign-ins,
// reactions and votes alone do not count, see `shares::NOT_ACTIONS`) are referrals too,
// counted like introductions in every space where the sharer is active.
const ADD_SHARE_REFERRALS: &str = "INSERT INTO measure_activity (space_id, member_id, channel, week, referrals)
    SELECT $1, c.member_id, 'parvis', c.created_at / 604800000, COUNT(*)
    FROM share_credits c
    WHERE c.action NOT IN ('visit', 'cta_click', 'widget_sign_in', 'reaction', 'vote') AND c.created_at > $2 AND c.created_at <= $3
      AND EXISTS (SELECT 1 FROM measure_activity a WHERE a.space_id = $1 AND a.member_id = c.member_id)
    GROUP BY c.member_id, c.created_at / 604800000
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      referrals = measure_activity.referrals + excluded.referrals";

// Votes are reactions too (the reactors level: "reacted or voted"), on Parvis's own channel in
// the week they were cast: challenge entry votes; opinion statement votes by members (voter
// `m<id>`; imported voters are `source:id`), a changed vote counting in the week of its last
// change; live question upvotes not taken back and poll answers by members (actor `m:<id>`;
// the room's log keeps only accepted events). Each reaches its space through primary keys, as
// the incremental forms do. What is taken back is subtracted by `measure_taken_back::apply`.
const ADD_CHALLENGE_VOTES: &str =
    "INSERT INTO measure_activity (space_id, member_id, channel, week, reactions)
    SELECT $1, v.member_id, 'parvis', v.created_at / 604800000, COUNT(*)
    FROM challenge_votes v
    WHERE v.created_at > $2 AND v.created_at <= $3
      AND (SELECT c.space_id FROM challenges c WHERE c.id = v.challenge_id) = $1
    GROUP BY v.member_id, v.created_at / 604800000
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      reactions = measure_activity.reactions + excluded.reactions";

const ADD_STATEMENT_VOTES: &str =
    "INSERT INTO measure_activity (space_id, member_id, channel, week, reactions)
    SELECT $1, CAST(SUBSTR(v.voter, 2) AS BIGINT), 'parvis', v.created_at / 604800000, COUNT(*)
    FROM statement_votes v
    WHERE v.created_at > $2 AND v.created_at <= $3
      AND v.voter LIKE 'm%' AND v.voter NOT LIKE '%:%'
      AND (SELECT t.space_id FROM statements s CROSS JOIN topics t
           WHERE s.id = v.statement_id AND t.id = s.topic_id) = $1
    GROUP BY 2, 4
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      reactions = measure_activity.reactions + excluded.reactions";

const ADD_LIVE_VOTES: &str =
    "INSERT INTO measure_activity (space_id, member_id, channel, week, reactions)
    SELECT $1, CAST(SUBSTR(e.actor_key, 3) AS BIGINT), 'parvis', e.at / 604800000, COUNT(*)
    FROM room_events e
    WHERE e.at > $2 AND e.at <= $3
      AND e.action IN ('upvote', 'answer') AND e.actor_key LIKE 'm:%'
      AND (SELECT r.space_id FROM rooms r WHERE r.id = e.room_id) = $1
      AND NOT EXISTS (SELECT 1 FROM room_votes_taken_back x WHERE x.room_id = e.room_id AND x.seq = e.seq)
    GROUP BY 2, 4
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      reactions = measure_activity.reactions + excluded.reactions";

// The incremental refresh's forms of the same statements. They read only the new rows, by
// their indexed watermark column, and reach a row's thread (and message) through scalar
// subqueries on the primary keys: a join lets PostgreSQL hash every thread of the space
// before looking at the one new message whenever its statistics under-count them (tables
// never analysed since they were filled: 124 ms per statement at 200,000 threads, 0.3 ms
// this way). A rebuild keeps the joins, which are faster for reading everything (a lookup per
// row costs 2.5× a hash join over a million messages).
const COUNT_NEW_MESSAGES: &str = "SELECT COUNT(*) AS n FROM messages m
    WHERE m.id > $2 AND m.id <= $3
      AND (SELECT t.space_id FROM threads t WHERE t.id = m.thread_id) = $1";

const ADD_NEW_MESSAGES: &str =
    "INSERT INTO measure_activity (space_id, member_id, channel, week, posts, answers)
    SELECT $1, m.author_id, m.channel, m.created_at / 604800000, COUNT(*),
           SUM(CASE WHEN COALESCE((SELECT p.author_id FROM messages p WHERE p.id = m.parent_id),
                                  (SELECT t.author_id FROM threads t WHERE t.id = m.thread_id))
                         <> m.author_id THEN 1 ELSE 0 END)
    FROM messages m
    WHERE m.id > $2 AND m.id <= $3
      AND (SELECT t.space_id FROM threads t WHERE t.id = m.thread_id) = $1
    GROUP BY m.author_id, m.channel, m.created_at / 604800000
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      posts = measure_activity.posts + excluded.posts,
      answers = measure_activity.answers + excluded.answers";

const ADD_NEW_CHANNEL_WEEKS: &str =
    "INSERT INTO measure_channel_weeks (space_id, channel, week, posts)
    SELECT $1, m.channel, m.created_at / 604800000, COUNT(*)
    FROM messages m
    WHERE m.id > $2 AND m.id <= $3
      AND (SELECT t.space_id FROM threads t WHERE t.id = m.thread_id) = $1
    GROUP BY m.channel, m.created_at / 604800000
    ON CONFLICT (space_id, channel, week) DO UPDATE SET
      posts = measure_channel_weeks.posts + excluded.posts";

const ADD_NEW_REACTIONS: &str =
    "INSERT INTO measure_activity (space_id, member_id, channel, week, reactions)
    SELECT $1, r.member_id, (SELECT m.channel FROM messages m WHERE m.id = r.message_id),
           r.created_at / 604800000, COUNT(*)
    FROM reactions r
    WHERE r.created_at > $2 AND r.created_at <= $3
      AND (SELECT t.space_id FROM messages m CROSS JOIN threads t
           WHERE m.id = r.message_id AND t.id = m.thread_id) = $1
    GROUP BY 2, 3, 4
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      reactions = measure_activity.reactions + excluded.reactions";

const ADD_NEW_READS: &str =
    "INSERT INTO measure_activity (space_id, member_id, channel, week, reads)
    SELECT $1, r.member_id, (SELECT t.channel FROM threads t WHERE t.id = r.thread_id),
           r.at / 604800000, COUNT(*)
    FROM thread_reads r
    WHERE r.at > $2 AND r.at <= $3
      AND (SELECT t.space_id FROM threads t WHERE t.id = r.thread_id) = $1
    GROUP BY 2, 3, 4
    ON CONFLICT (space_id, member_id, channel, week) DO UPDATE SET
      reads = measure_activity.reads + excluded.reads";

impl Store {
    /// Bring a space's aggregate up to date (see the module doc); `now` bounds the time
    /// watermarks so that rows written during the refresh are read by the next one.
    pub async fn measure_refresh(&self, space_id: i64, now: Millis) -> Result<RefreshOutcome> {
        let mut tx = self.begin_write().await?;
        let merges: i64 = sqlx::query("SELECT COUNT(*) + COUNT(undone_at) AS n FROM merges")
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))?;
        let max_id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM messages")
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))?;
        let state = sqlx::query(
            "SELECT last_message_id, last_reaction_at, last_read_at, last_referral_at, merges_seen
             FROM measure_state WHERE space_id = $1",
        )
        .bind(space_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (mut wm, mut rebuilt) = ([0i64; 4], true);
        if let Some(r) = state
            && int(&r, "merges_seen")? == merges
        {
            wm = [
                int(&r, "last_message_id")?,
                int(&r, "last_reaction_at")?,
                int(&r, "last_read_at")?,
                int(&r, "last_referral_at")?,
            ];
            rebuilt = false;
        }
        if rebuilt {
            for sql in [
                "DELETE FROM measure_activity WHERE space_id = $1",
                "DELETE FROM measure_channel_weeks WHERE space_id = $1",
            ] {
                sqlx::query(sql).bind(space_id).execute(&mut *tx).await?;
            }
            // From scratch, the rooms' logs say which upvotes still stand.
            crate::measure_taken_back::relist_unvotes(&mut tx, space_id).await?;
        }
        let (count, messages, channel_weeks, reactions, reads) = if rebuilt {
            (
                "SELECT COUNT(*) AS n FROM messages m CROSS JOIN threads t
                 WHERE t.id = m.thread_id AND t.space_id = $1 AND m.id > $2 AND m.id <= $3",
                ADD_MESSAGES,
                ADD_CHANNEL_WEEKS,
                ADD_REACTIONS,
                ADD_READS,
            )
        } else {
            (
                COUNT_NEW_MESSAGES,
                ADD_NEW_MESSAGES,
                ADD_NEW_CHANNEL_WEEKS,
                ADD_NEW_REACTIONS,
                ADD_NEW_READS,
            )
        };
        // Reactions and votes taken back since the last refresh leave the weeks they counted in.
        crate::measure_taken_back::apply(&mut tx, space_id, wm[1], rebuilt).await?;
        let before: i64 = sqlx::query(count)
            .bind(space_id)
            .bind(wm[0])
            .bind(max_id)
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))?;
        for (sql, low, high) in [
            (messages, wm[0], max_id),
            (channel_weeks, wm[0], max_id),
            (reactions, wm[1], now),
            (ADD_CHALLENGE_VOTES, wm[1], now),
            (ADD_STATEMENT_VOTES, wm[1], now),
            (ADD_LIVE_VOTES, wm[1], now),
            (reads, wm[2], now),
            (ADD_REFERRALS, wm[3], now),
            (ADD_SHARE_REFERRALS, wm[3], now),
        ] {
            if high > low {
                sqlx::query(sql)
                    .bind(space_id)
                    .bind(low)
                    .bind(high)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query(
            "INSERT INTO measure_state (space_id, last_message_id, last_reaction_at, last_read_at, last_referral_at, merges_seen, built_at)
             VALUES ($1, $2, $3, $3, $3, $4, $3)
             ON CONFLICT (space_id) DO UPDATE SET last_message_id = excluded.last_message_id,
               last_reaction_at = excluded.last_reaction_at, last_read_at = excluded.last_read_at,
               last_referral_at = excluded.last_referral_at, merges_seen = excluded.merges_seen,
               built_at = excluded.built_at",
        )
        .bind(space_id)
        .bind(max_id.max(wm[0]))
        .bind(now.max(wm[1]))
        .bind(merges)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RefreshOutcome {
            rebuilt,
            messages: before,
        })
    }

    /// Forget a space's aggregate so that the next refresh rebuilds it.
    pub async fn measure_reset(&self, space_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM measure_state WHERE space_id = $1")
            .bind(space_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The aggregate's rows of a space from `from_week` on.
    pub async fn measure_activity(
        &self,
        space_id: i64,
        from_week: i64,
    ) -> Result<Vec<ActivityRow>> {
        let rows = sqlx::query(
            "SELECT member_id, channel, week, posts, answers, reactions, reads, referrals
             FROM measure_activity WHERE space_id = $1 AND week >= $2",
        )
        .bind(space_id)
        .bind(from_week)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ActivityRow {
                    member_id: int(r, "member_id")?,
                    channel: text(r, "channel")?,
                    week: int(r, "week")?,
                    posts: int(r, "posts")?,
                    answers: int(r, "answers")?,
                    reactions: int(r, "reactions")?,
                    reads: int(r, "reads")?,
                    referrals: int(r, "referrals")?,
                })
            })
            .collect()
    }

    /// Messages per (channel, week) of a space from `from_week` on.
    pub async fn measure_posts_by_channel(
        &self,
        space_id: i64,
        from_week: i64,
    ) -> Result<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT channel, week, posts AS n FROM measure_channel_weeks
             WHERE space_id = $1 AND week >= $2",
        )
        .bind(space_id)
        .bind(from_week)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((text(r, "channel")?, int(r, "week")?, int(r, "n")?)))
            .collect()
    }
}

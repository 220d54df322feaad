//! What the measures read: activity pre-aggregated per (space, member, channel, week), kept
//! current incrementally, plus objectives, surveys, answers, settings and dated figures.
//!
//! The aggregate is refreshed by [`Store::measure_refresh`]: it reads only what arrived since
//! the last watermark (messages by id; reactions and votes, reads and referrals by time) and
//! adds it to the weekly rows with one `INSERT … SELECT … ON CONFLICT DO UPDATE` per source. Those
//! statements start from the new rows (`CROSS JOIN` keeps SQLite from starting at the space's
//! threads instead, which costs a scan of the whole space per refresh). A merge of
//! members (made or undone) moves past messages between members, so it triggers a rebuild of
//! the space's rows instead. Reactions and votes taken back are subtracted from the weeks
//! they counted in by the next refresh (see `measure_taken_back`).

use crate::{Result, Store, StoreError, int, opt_int, opt_text, text};
use parvis_domain::Millis;
use sqlx::Row;

/// SQL condition "the member row `alias` is staff": admins, moderators, and the accounts an
/// admin marked as staff. `alias` is always a literal of this file, never input.
fn is_staff(alias: &str) -> String {
    format!(
        "({alias}.site_role IN ('admin', 'moderator') \
         OR EXISTS (SELECT 1 FROM staff_members st WHERE st.member_id = {alias}.id))"
    )
}

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

/// A community question (thread opened by a non-staff member) and its first staff reply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuestionRow {
    pub asked_at: Millis,
    pub first_staff_answer_at: Option<Millis>,
}

/// A message written by a staff account.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffPublication {
    pub at: Millis,
    pub on_declared_topic: bool,
    pub body_md: String,
}

/// A stored objective.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveRow {
    pub id: i64,
    pub measure: String,
    pub target: String,
    pub baseline: Option<String>,
    pub due_at: Millis,
    pub segment: String,
    pub created_at: Millis,
}

/// A stored survey.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyRow {
    pub id: i64,
    pub space_id: i64,
    pub kind: String,
    pub title: String,
    pub token: String,
    pub created_at: Millis,
    pub closed_at: Option<Millis>,
}

/// A stored answer (no member id: see the schema).
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    pub score: i64,
    pub comment: String,
    pub group: String,
    pub created_at: Millis,
}

const WEEK_MS: i64 = 604_800_000;

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

    /// Members who are staff: admins, moderators and the accounts an admin marked as staff.
    pub async fn measure_staff(&self) -> Result<Vec<i64>> {
        let sql = format!(
            "SELECT id FROM members WHERE {} AND merged_into IS NULL ORDER BY id",
            is_staff("members")
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| int(r, "id")).collect()
    }

    /// Mark a member as staff (or not). Admins and moderators are staff whatever this says.
    pub async fn set_staff(&self, member_id: i64, staff: bool, by: i64, at: Millis) -> Result<()> {
        if staff {
            sqlx::query(
                "INSERT INTO staff_members (member_id, marked_by, marked_at) VALUES ($1, $2, $3)
                 ON CONFLICT (member_id) DO NOTHING",
            )
            .bind(member_id)
            .bind(by)
            .bind(at)
            .execute(&self.pool)
            .await?;
        } else {
            sqlx::query("DELETE FROM staff_members WHERE member_id = $1")
                .bind(member_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// The members an admin marked as staff (not counting admins and moderators).
    pub async fn marked_staff(&self) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT member_id FROM staff_members ORDER BY member_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| int(r, "member_id")).collect()
    }

    /// Threads opened by non-staff since `from`, with the time of the first staff reply.
    pub async fn measure_questions(&self, space_id: i64, from: Millis) -> Result<Vec<QuestionRow>> {
        let sql = format!(
            "SELECT t.created_at AS asked, s.first AS first
             FROM threads t JOIN members a ON a.id = t.author_id
             LEFT JOIN (SELECT m.thread_id, MIN(m.created_at) AS first FROM members sm
                        CROSS JOIN messages m
                        WHERE m.author_id = sm.id AND {staff}
                        GROUP BY m.thread_id) s
               ON s.thread_id = t.id
             WHERE t.space_id = $1 AND t.last_activity_at >= $2 AND t.created_at >= $2
               AND NOT {community}",
            staff = is_staff("sm"),
            community = is_staff("a"),
        );
        let rows = sqlx::query(&sql)
            .bind(space_id)
            .bind(from)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(QuestionRow {
                    asked_at: int(r, "asked")?,
                    first_staff_answer_at: opt_int(r, "first")?,
                })
            })
            .collect()
    }

    /// Staff messages in a space since `from`, newest first, at most `limit`.
    pub async fn measure_staff_publications(
        &self,
        space_id: i64,
        from: Millis,
        limit: i64,
    ) -> Result<Vec<StaffPublication>> {
        let sql = format!(
            "SELECT m.created_at AS at, m.body_md AS body,
                    EXISTS (SELECT 1 FROM message_topics mt WHERE mt.message_id = m.id) AS tagged,
                    t.topic_id AS topic
             FROM members sm CROSS JOIN messages m CROSS JOIN threads t
             WHERE m.author_id = sm.id AND t.id = m.thread_id
               AND {} AND t.space_id = $1 AND m.created_at >= $2
             ORDER BY m.created_at DESC LIMIT $3",
            is_staff("sm")
        );
        let rows = sqlx::query(&sql)
            .bind(space_id)
            .bind(from)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let tagged = r
                    .try_get::<bool, _>("tagged")
                    .or_else(|_| r.try_get::<i64, _>("tagged").map(|v| v != 0))?;
                Ok(StaffPublication {
                    at: int(r, "at")?,
                    on_declared_topic: tagged || opt_int(r, "topic")?.is_some(),
                    body_md: text(r, "body")?,
                })
            })
            .collect()
    }

    /// Recent messages by non-staff in a space since `from`, newest first, at most `limit`
    /// (sentiment of the conversation).
    pub async fn measure_community_texts(
        &self,
        space_id: i64,
        from: Millis,
        limit: i64,
    ) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT m.body_md AS body FROM threads t JOIN messages m ON m.thread_id = t.id
             JOIN members a ON a.id = m.author_id
             WHERE t.space_id = $1 AND t.last_activity_at >= $2 AND m.created_at >= $2
               AND NOT {}
             ORDER BY m.id DESC LIMIT $3",
            is_staff("a")
        );
        let rows = sqlx::query(&sql)
            .bind(space_id)
            .bind(from)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| text(r, "body")).collect()
    }

    // ----- settings, objectives, figures ------------------------------------------------------

    /// A space's measure settings (JSON), if set.
    pub async fn measure_settings(&self, space_id: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT settings FROM measure_settings WHERE space_id = $1")
            .bind(space_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| text(&r, "settings")).transpose()
    }

    /// Replace a space's measure settings.
    pub async fn set_measure_settings(&self, space_id: i64, json: &str, now: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO measure_settings (space_id, settings, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (space_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        )
        .bind(space_id)
        .bind(json)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Declare an objective; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_objective(
        &self,
        space_id: i64,
        measure: &str,
        target: &str,
        baseline: Option<&str>,
        due_at: Millis,
        segment: &str,
        created_by: i64,
        now: Millis,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO objectives (space_id, measure, target, baseline, due_at, segment, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(space_id)
        .bind(measure)
        .bind(target)
        .bind(baseline)
        .bind(due_at)
        .bind(segment)
        .bind(created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "id")
    }

    /// A space's objectives, soonest due first.
    pub async fn objectives(&self, space_id: i64) -> Result<Vec<ObjectiveRow>> {
        let rows = sqlx::query(
            "SELECT id, measure, target, baseline, due_at, segment, created_at FROM objectives
             WHERE space_id = $1 ORDER BY due_at, id",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ObjectiveRow {
                    id: int(r, "id")?,
                    measure: text(r, "measure")?,
                    target: text(r, "target")?,
                    baseline: opt_text(r, "baseline")?,
                    due_at: int(r, "due_at")?,
                    segment: text(r, "segment")?,
                    created_at: int(r, "created_at")?,
                })
            })
            .collect()
    }

    /// Delete an objective of a space.
    pub async fn delete_objective(&self, space_id: i64, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM objectives WHERE space_id = $1 AND id = $2")
            .bind(space_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("objective"));
        }
        Ok(())
    }

    /// Record a figure for a week (replacing that week's value).
    pub async fn record_figure(
        &self,
        space_id: i64,
        key: &str,
        week: i64,
        value: f64,
        formula_version: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO measure_figures (space_id, key, week, value, formula_version) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (space_id, key, week) DO UPDATE SET value = excluded.value, formula_version = excluded.formula_version",
        )
        .bind(space_id)
        .bind(key)
        .bind(week)
        .bind(value.to_string())
        .bind(formula_version)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A figure's history: (week, value, formula version), oldest first.
    pub async fn figures(&self, space_id: i64, key: &str) -> Result<Vec<(i64, f64, String)>> {
        let rows = sqlx::query(
            "SELECT week, value, formula_version FROM measure_figures WHERE space_id = $1 AND key = $2 ORDER BY week",
        )
        .bind(space_id)
        .bind(key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|r| {
                let v = text(r, "value").map(|v| v.parse::<f64>().ok());
                match v {
                    Ok(Some(v)) => {
                        Some(int(r, "week").and_then(|w| Ok((w, v, text(r, "formula_version")?))))
                    }
                    Ok(None) => None,
                    Err(e) => Some(Err(e)),
                }
            })
            .collect()
    }

    // ----- surveys ------------------------------------------------------------------------------

    /// Create a survey; returns its id.
    pub async fn create_survey(
        &self,
        space_id: i64,
        kind: &str,
        title: &str,
        token: &str,
        created_by: i64,
        now: Millis,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO surveys (space_id, kind, title, token, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(space_id)
        .bind(kind)
        .bind(title)
        .bind(token)
        .bind(created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "id")
    }

    pub(crate) fn survey_row(r: &sqlx::any::AnyRow) -> Result<SurveyRow> {
        Ok(SurveyRow {
            id: int(r, "id")?,
            space_id: int(r, "space_id")?,
            kind: text(r, "kind")?,
            title: text(r, "title")?,
            token: text(r, "token")?,
            created_at: int(r, "created_at")?,
            closed_at: opt_int(r, "closed_at")?,
        })
    }

    /// A survey by its link token.
    pub async fn survey_by_token(&self, token: &str) -> Result<Option<SurveyRow>> {
        let row = sqlx::query(
            "SELECT id, space_id, kind, title, token, created_at, closed_at FROM surveys WHERE token = $1",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(Self::survey_row).transpose()
    }

    /// A space's surveys, newest first.
    pub async fn surveys(&self, space_id: i64) -> Result<Vec<SurveyRow>> {
        let rows = sqlx::query(
            "SELECT id, space_id, kind, title, token, created_at, closed_at FROM surveys WHERE space_id = $1 ORDER BY id DESC",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Self::survey_row).collect()
    }

    /// Record an answer; a second one from the same respondent is a `Conflict` on "answer".
    pub async fn add_survey_answer(
        &self,
        survey_id: i64,
        respondent: &str,
        score: i64,
        comment: &str,
        group: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO survey_answers (survey_id, respondent, score, comment, grp, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(survey_id)
        .bind(respondent)
        .bind(score)
        .bind(comment)
        .bind(group)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(crate::conflict_as("answer"))?;
        Ok(())
    }

    /// Whether a respondent already answered.
    pub async fn has_answered(&self, survey_id: i64, respondent: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM survey_answers WHERE survey_id = $1 AND respondent = $2",
        )
        .bind(survey_id)
        .bind(respondent)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// A survey's answers, oldest first.
    pub async fn survey_answers(&self, survey_id: i64) -> Result<Vec<AnswerRow>> {
        let rows = sqlx::query(
            "SELECT score, comment, grp, created_at FROM survey_answers WHERE survey_id = $1 ORDER BY id",
        )
        .bind(survey_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AnswerRow {
                    score: int(r, "score")?,
                    comment: text(r, "comment")?,
                    group: text(r, "grp")?,
                    created_at: int(r, "created_at")?,
                })
            })
            .collect()
    }
}

/// Week index of a time (whole weeks since 1970-01-01), as the aggregate stores it.
pub fn measure_week(ms: Millis) -> i64 {
    ms.div_euclid(WEEK_MS)
}

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

/// A reply and how long after what it answers it came.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplyDelay {
    pub member_id: i64,
    pub delay_ms: i64,
}

impl Store {
    /// Every message of a space that answers somebody else (its parent's author, or the
    /// thread's opener when it has no parent), with its delay. For plausibility checks on
    /// imported corpora (the CLI), not for dashboards: it reads every message.
    pub async fn measure_reply_delays(&self, space_id: i64) -> Result<Vec<ReplyDelay>> {
        let rows = sqlx::query(
            "SELECT m.author_id AS member, m.created_at - COALESCE(p.created_at, t.created_at) AS delay
             FROM messages m JOIN threads t ON t.id = m.thread_id LEFT JOIN messages p ON p.id = m.parent_id
             WHERE t.space_id = $1 AND COALESCE(p.author_id, t.author_id) <> m.author_id",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReplyDelay {
                    member_id: int(r, "member")?,
                    delay_ms: int(r, "delay")?,
                })
            })
            .collect()
    }

    /// Threads of a space with the time of their first reply by someone other than the
    /// opener (any member, staff or not).
    pub async fn measure_first_replies(&self, space_id: i64) -> Result<Vec<QuestionRow>> {
        let rows = sqlx::query(
            "SELECT t.created_at AS asked,
                    MIN(CASE WHEN m.author_id <> t.author_id THEN m.created_at END) AS first
             FROM threads t LEFT JOIN messages m ON m.thread_id = t.id
             WHERE t.space_id = $1 GROUP BY t.id, t.created_at",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QuestionRow {
                    asked_at: int(r, "asked")?,
                    first_staff_answer_at: opt_int(r, "first")?,
                })
            })
            .collect()
    }

    /// The time of a space's last message, if any.
    pub async fn last_message_at(&self, space_id: i64) -> Result<Option<Millis>> {
        let row = sqlx::query(
            "SELECT MAX(m.created_at) AS at FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.space_id = $1",
        )
        .bind(space_id)
        .fetch_one(&self.pool)
        .await?;
        opt_int(&row, "at")
    }

    /// Fill a space with synthetic activity for benchmarks: `members` people, `threads`
    /// threads and `messages` messages spread evenly over `weeks` weeks before `end`; 70 % of
    /// the messages come from the first 2,000 members (a few write most, as in real lists).
    /// One SQL statement per table, so that filling takes seconds, not the benchmark's time.
    pub async fn bench_fill(
        &self,
        space_id: i64,
        members: i64,
        threads: i64,
        messages: i64,
        weeks: i64,
        end: Millis,
    ) -> Result<()> {
        let span = weeks * WEEK_MS;
        let start = end - span;
        let first_member: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM members")
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))?;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
             INSERT INTO members (handle, display_name, created_at)
             SELECT 'bench' || (i + $2), 'Bench ' || (i + $2), $3 FROM n",
        )
        .bind(members)
        .bind(first_member)
        .bind(start)
        .execute(&self.pool)
        .await?;
        let first_thread: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS n FROM threads")
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))?;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
             INSERT INTO threads (space_id, title, author_id, created_at, last_activity_at, message_count)
             SELECT $2, 'Thread ' || i, $3 + 1 + ((i * 7919) % $4), $5 + (i * $6) / $1, $5 + (i * $6) / $1, 0 FROM n",
        )
        .bind(threads)
        .bind(space_id)
        .bind(first_member)
        .bind(members)
        .bind(start)
        .bind(span)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $1)
             INSERT INTO messages (thread_id, author_id, body_md, body_html, created_at)
             SELECT $2 + 1 + ((i - 1) * $3) / $1,
                    $4 + 1 + ((i * 7919) % (CASE WHEN i % 10 < 7 THEN $8 ELSE $5 END)),
                    'Message ' || i, '<p>Message ' || i || '</p>', $6 + (i * $7) / $1
             FROM n",
        )
        .bind(messages)
        .bind(first_thread)
        .bind(threads)
        .bind(first_member)
        .bind(members)
        .bind(start)
        .bind(span)
        .bind(members.min(2000))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

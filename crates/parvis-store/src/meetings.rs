//! Meetings between a session's participants ("Meet"): the moderator's plan settings, the
//! proposed meetings per slot with each party's answer, and the meetings that took place —
//! which later plans read as "already met".

use crate::{Result, Store, StoreError, int, opt_int, text};
use parvis_domain::Millis;

/// A session's plan settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetPlan {
    pub slots: i64,
    pub slot_minutes: i64,
    /// When the first slot starts, Unix ms.
    pub first_slot_at: Millis,
    pub generated_at: Millis,
}

/// A proposed meeting with both registrations' public side (name, organisation; never the
/// email: the services decide who sees what, and nobody sees another's address).
#[derive(Debug, Clone)]
pub struct MeetingRow {
    pub id: i64,
    pub session_id: i64,
    pub slot: i64,
    pub reg_a: i64,
    pub reg_b: i64,
    pub member_a: Option<i64>,
    pub member_b: Option<i64>,
    pub name_a: String,
    pub name_b: String,
    pub organisation_a: String,
    pub organisation_b: String,
    /// The shared subjects the matchmaking found, one per line.
    pub reason: String,
    /// '' (not answered), `accepted` or `declined`.
    pub answer_a: String,
    pub answer_b: String,
    pub met_at: Option<Millis>,
}

/// A meeting to insert.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub slot: i64,
    pub reg_a: i64,
    pub reg_b: i64,
    pub reason: String,
}

const MEETING_SQL: &str = "SELECT m.id, m.session_id, m.slot, m.reg_a, m.reg_b, m.reason, m.answer_a, m.answer_b, m.met_at,
  ra.member_id AS member_a, rb.member_id AS member_b, ra.name AS name_a, rb.name AS name_b,
  ra.organisation AS organisation_a, rb.organisation AS organisation_b
  FROM session_meetings m JOIN registrations ra ON ra.id = m.reg_a JOIN registrations rb ON rb.id = m.reg_b";

fn meeting_row(r: &sqlx::any::AnyRow) -> Result<MeetingRow> {
    Ok(MeetingRow {
        id: int(r, "id")?,
        session_id: int(r, "session_id")?,
        slot: int(r, "slot")?,
        reg_a: int(r, "reg_a")?,
        reg_b: int(r, "reg_b")?,
        member_a: opt_int(r, "member_a")?,
        member_b: opt_int(r, "member_b")?,
        name_a: text(r, "name_a")?,
        name_b: text(r, "name_b")?,
        organisation_a: text(r, "organisation_a")?,
        organisation_b: text(r, "organisation_b")?,
        reason: text(r, "reason")?,
        answer_a: text(r, "answer_a")?,
        answer_b: text(r, "answer_b")?,
        met_at: opt_int(r, "met_at")?,
    })
}

impl Store {
    /// A session's plan settings, if a plan was generated.
    pub async fn meet_plan(&self, session: i64) -> Result<Option<MeetPlan>> {
        let row = sqlx::query("SELECT slots, slot_minutes, first_slot_at, generated_at FROM session_meet_plans WHERE session_id = $1")
            .bind(session)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(MeetPlan {
                slots: int(&r, "slots")?,
                slot_minutes: int(&r, "slot_minutes")?,
                first_slot_at: int(&r, "first_slot_at")?,
                generated_at: int(&r, "generated_at")?,
            })
        })
        .transpose()
    }

    /// A session's meetings, by slot.
    pub async fn session_meetings(&self, session: i64) -> Result<Vec<MeetingRow>> {
        let sql = format!("{MEETING_SQL} WHERE m.session_id = $1 ORDER BY m.slot, m.id");
        let rows = sqlx::query(&sql)
            .bind(session)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(meeting_row).collect()
    }

    /// One meeting.
    pub async fn session_meeting(&self, id: i64) -> Result<Option<MeetingRow>> {
        let sql = format!("{MEETING_SQL} WHERE m.id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(meeting_row)
            .transpose()
    }

    /// The pairs of people (registration `person` keys) registered to `session` who met at
    /// another session: never proposed to each other again.
    pub async fn met_before(&self, session: i64) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT ra.person AS a, rb.person AS b FROM session_meetings m
             JOIN registrations ra ON ra.id = m.reg_a JOIN registrations rb ON rb.id = m.reg_b
             WHERE m.met_at IS NOT NULL AND m.session_id <> $1
               AND ra.person IN (SELECT person FROM registrations WHERE session_id = $1)
               AND rb.person IN (SELECT person FROM registrations WHERE session_id = $1)",
        )
        .bind(session)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((text(r, "a")?, text(r, "b")?)))
            .collect()
    }

    /// Save a (re)generated plan in one transaction: the settings, the removal of the
    /// meetings the services dropped, and the new proposals.
    pub async fn replace_meet_plan(
        &self,
        session: i64,
        plan: &MeetPlan,
        drop: &[i64],
        new: &[NewMeeting],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO session_meet_plans (session_id, slots, slot_minutes, first_slot_at, generated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (session_id) DO UPDATE SET slots = excluded.slots, slot_minutes = excluded.slot_minutes, first_slot_at = excluded.first_slot_at, generated_at = excluded.generated_at",
        )
        .bind(session)
        .bind(plan.slots)
        .bind(plan.slot_minutes)
        .bind(plan.first_slot_at)
        .bind(plan.generated_at)
        .execute(&mut *tx)
        .await?;
        for id in drop {
            sqlx::query("DELETE FROM session_meetings WHERE id = $1 AND session_id = $2")
                .bind(id)
                .bind(session)
                .execute(&mut *tx)
                .await?;
        }
        for m in new {
            sqlx::query("INSERT INTO session_meetings (session_id, slot, reg_a, reg_b, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(session)
                .bind(m.slot)
                .bind(m.reg_a)
                .bind(m.reg_b)
                .bind(&m.reason)
                .bind(plan.generated_at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Record one party's answer (`side` is the party's registration id).
    pub async fn answer_meeting(&self, id: i64, side: i64, answer: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE session_meetings SET
               answer_a = CASE WHEN reg_a = $2 THEN $3 ELSE answer_a END,
               answer_b = CASE WHEN reg_b = $2 THEN $3 ELSE answer_b END
             WHERE id = $1 AND (reg_a = $2 OR reg_b = $2)",
        )
        .bind(id)
        .bind(side)
        .bind(answer)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("meeting"));
        }
        Ok(())
    }

    /// Record that a meeting took place (the first time only).
    pub async fn mark_meeting_met(&self, id: i64, now: Millis) -> Result<()> {
        sqlx::query("UPDATE session_meetings SET met_at = COALESCE(met_at, $2) WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many meetings of a session took place.
    pub async fn meetings_held(&self, session: i64) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM session_meetings WHERE session_id = $1 AND met_at IS NOT NULL",
        )
        .bind(session)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "n")
    }
}

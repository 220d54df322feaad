//! What the events' measures read: per session of a space, its registrations, attendance,
//! leads, conversions attributed through its embeds (`session/{id}`), and its cost; and the
//! reach and testimonials the standing figures count.

use crate::{Result, Store, int, opt_int, text};
use parvis_domain::Millis;

/// One session's counts, as the store holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionEventRow {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Millis,
    pub topic_id: i64,
    pub topic_name: String,
    pub closed: bool,
    pub registered: i64,
    pub confirmed: i64,
    pub attended_room: i64,
    pub attended_online: i64,
    pub attended: i64,
    pub leads: i64,
    /// Meetings between participants marked as held.
    pub meetings_held: i64,
    pub conversions: i64,
    pub value_cents: i64,
    pub cost_cents: Option<i64>,
}

impl Store {
    /// The space's sessions (newest first, at most 500) with what each counted. Leads are
    /// confirmed registrants whose consent to be contacted is in force now.
    pub async fn session_event_rows(&self, space_id: i64) -> Result<Vec<SessionEventRow>> {
        let rows = sqlx::query(
            // One grouped pass per source (registrations, attendance, conversions) joined to
            // the sessions, rather than a correlated count per figure and session.
            "SELECT s.id, s.title, s.starts_at, s.topic_id, tp.title AS topic_name,
                    CASE WHEN s.closed_at IS NULL THEN 0 ELSE 1 END AS closed,
                    COALESCE(r.registered, 0) AS registered,
                    COALESCE(r.confirmed, 0) AS confirmed,
                    COALESCE(r.leads, 0) AS leads,
                    COALESCE(a.room, 0) AS attended_room,
                    COALESCE(a.online, 0) AS attended_online,
                    COALESCE(a.people, 0) AS attended,
                    COALESCE(mt.held, 0) AS meetings_held,
                    COALESCE(cv.n, 0) AS conversions,
                    COALESCE(cv.value_cents, 0) AS value_cents,
                    sc.cost_cents
             FROM topic_sessions s
             JOIN topics tp ON tp.id = s.topic_id
             LEFT JOIN session_costs sc ON sc.session_id = s.id
             LEFT JOIN (SELECT session_id,
                          CAST(SUM(CASE WHEN status <> 'cancelled' THEN 1 ELSE 0 END) AS BIGINT) AS registered,
                          CAST(SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END) AS BIGINT) AS confirmed,
                          CAST(SUM(CASE WHEN status = 'confirmed' AND consent_contact = 1 THEN 1 ELSE 0 END) AS BIGINT) AS leads
                        FROM registrations
                        WHERE session_id IN (SELECT id FROM topic_sessions WHERE space_id = $1)
                        GROUP BY session_id) r ON r.session_id = s.id
             LEFT JOIN (SELECT session_id,
                          CAST(SUM(CASE WHEN channel = 'room' THEN 1 ELSE 0 END) AS BIGINT) AS room,
                          CAST(SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END) AS BIGINT) AS online,
                          COUNT(DISTINCT person) AS people
                        FROM session_attendance
                        WHERE session_id IN (SELECT id FROM topic_sessions WHERE space_id = $1)
                        GROUP BY session_id) a ON a.session_id = s.id
             LEFT JOIN (SELECT session_id, COUNT(*) AS held
                        FROM session_meetings
                        WHERE met_at IS NOT NULL
                          AND session_id IN (SELECT id FROM topic_sessions WHERE space_id = $1)
                        GROUP BY session_id) mt ON mt.session_id = s.id
             LEFT JOIN (SELECT k.embed_key, COUNT(*) AS n,
                          CAST(SUM(c.value_cents) AS BIGINT) AS value_cents
                        FROM embed_clicks k JOIN embed_conversions c
                          ON c.click_id = k.click_id AND c.space_id = k.space_id
                        WHERE k.space_id = $1 AND k.embed_key LIKE 'session/%'
                        GROUP BY k.embed_key) cv
               ON cv.embed_key = 'session/' || CAST(s.id AS TEXT)
             WHERE s.space_id = $1
             ORDER BY s.starts_at DESC, s.id DESC
             LIMIT 500",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionEventRow {
                    session_id: int(r, "id")?,
                    title: text(r, "title")?,
                    starts_at: int(r, "starts_at")?,
                    topic_id: int(r, "topic_id")?,
                    topic_name: text(r, "topic_name")?,
                    closed: int(r, "closed")? == 1,
                    registered: int(r, "registered")?,
                    confirmed: int(r, "confirmed")?,
                    attended_room: int(r, "attended_room")?,
                    attended_online: int(r, "attended_online")?,
                    attended: int(r, "attended")?,
                    leads: int(r, "leads")?,
                    meetings_held: int(r, "meetings_held")?,
                    conversions: int(r, "conversions")?,
                    value_cents: int(r, "value_cents")?,
                    cost_cents: opt_int(r, "cost_cents")?,
                })
            })
            .collect()
    }

    /// Set (or clear, with `None`) what a session of the space cost; false when the space
    /// has no such session.
    pub async fn set_session_cost(
        &self,
        space_id: i64,
        session_id: i64,
        cost_cents: Option<i64>,
        by: i64,
        now: Millis,
    ) -> Result<bool> {
        let found = sqlx::query("SELECT id FROM topic_sessions WHERE id = $1 AND space_id = $2")
            .bind(session_id)
            .bind(space_id)
            .fetch_optional(&self.pool)
            .await?;
        if found.is_none() {
            return Ok(false);
        }
        match cost_cents {
            Some(cost) => {
                sqlx::query(
                    "INSERT INTO session_costs (session_id, cost_cents, updated_by, updated_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (session_id) DO UPDATE SET cost_cents = excluded.cost_cents,
                       updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(session_id)
                .bind(cost)
                .bind(by)
                .bind(now)
                .execute(&self.pool)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM session_costs WHERE session_id = $1")
                    .bind(session_id)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(true)
    }

    /// Embed impressions in a space since `from` (one per visitor, embed, host page and day,
    /// as the cookieless counter records them).
    pub async fn measure_embed_impressions(&self, space_id: i64, from: Millis) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM embed_events
             WHERE space_id = $1 AND event = 'view' AND created_at >= $2",
        )
        .bind(space_id)
        .bind(from)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "n")
    }

    /// Testimonials and interviews given by members in a space, published since `from` and
    /// still published with their consent in force: `(member, week of publication, count)`,
    /// under the member an account was merged into. Read at each computation rather than
    /// added to the weekly aggregate, which only grows: a withdrawal unpublishes at once,
    /// and must stop counting at once.
    pub async fn measure_testimonials_given(
        &self,
        space_id: i64,
        from: Millis,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT COALESCE(m.merged_into, m.id) AS member_id,
                    t.published_at / 604800000 AS week, COUNT(*) AS n
             FROM testimonials t JOIN members m ON m.id = t.person_member_id
             WHERE t.space_id = $1 AND t.published_at IS NOT NULL AND t.published_at >= $2
               AND (SELECT c.withdrawn FROM testimonial_consents c
                     WHERE c.testimonial_id = t.id ORDER BY c.id DESC LIMIT 1) = 0
             GROUP BY COALESCE(m.merged_into, m.id), t.published_at / 604800000",
        )
        .bind(space_id)
        .bind(from)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((int(r, "member_id")?, int(r, "week")?, int(r, "n")?)))
            .collect()
    }

    /// Testimonials and interviews of a space that are published and whose consent in force
    /// (the newest record) is not withdrawn.
    pub async fn measure_testimonials(&self, space_id: i64) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM testimonials t
             WHERE t.space_id = $1 AND t.published_at IS NOT NULL
               AND (SELECT c.withdrawn FROM testimonial_consents c
                     WHERE c.testimonial_id = t.id ORDER BY c.id DESC LIMIT 1) = 0",
        )
        .bind(space_id)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "n")
    }
}

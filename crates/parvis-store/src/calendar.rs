//! What calendars and lead exports read: a member's private feed token, their registrations
//! with their sessions, and the latest consent of each registration of a session.

use crate::{Result, Store, int, text};
use parvis_domain::Millis;
use std::collections::HashMap;

/// The latest consent choice of a registration: (granted, wording, at).
pub type LatestConsent = (bool, String, Millis);

impl Store {
    /// Set (replace) a member's private calendar token hash.
    pub async fn set_calendar_token(&self, member: i64, hash: &str, now: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO calendar_tokens (member_id, token_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (member_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(member)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The member whose calendar token hashes to `hash`.
    pub async fn calendar_member(&self, hash: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT member_id FROM calendar_tokens WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| int(&r, "member_id")).transpose()
    }

    /// Whether a member has a calendar token (the page offers to create or replace it).
    pub async fn has_calendar_token(&self, member: i64) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM calendar_tokens WHERE member_id = $1")
            .bind(member)
            .fetch_one(&self.pool)
            .await?;
        Ok(int(&row, "n")? > 0)
    }

    /// The latest consent of each kind for every registration of a session, by
    /// (registration id, kind).
    pub async fn latest_consents(
        &self,
        session: i64,
    ) -> Result<HashMap<(i64, String), LatestConsent>> {
        let rows = sqlx::query(
            "SELECT c.registration_id, c.kind, c.granted, c.wording, c.at FROM registration_consents c
             JOIN registrations r ON r.id = c.registration_id
             WHERE r.session_id = $1 ORDER BY c.at, c.id",
        )
        .bind(session)
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::new();
        for r in &rows {
            out.insert(
                (int(r, "registration_id")?, text(r, "kind")?),
                (int(r, "granted")? != 0, text(r, "wording")?, int(r, "at")?),
            );
        }
        Ok(out)
    }
}

//! What a member's profile lists of their content: entries on challenges that are not
//! drafts, and the testimonials about them (the services decide which may be shown).

use crate::{Result, Store, TestimonialRow, int, text};
use parvis_domain::*;
use serde::Serialize;

/// An entry as a profile lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileEntry {
    pub entry_id: i64,
    pub title: String,
    pub challenge_id: i64,
    pub challenge_title: String,
    /// `ideas`, `solutions` or `job`.
    pub challenge_kind: String,
    /// `open`, `judging` or `closed`.
    pub challenge_state: String,
    pub shortlisted: bool,
    pub winner: bool,
    pub created_at: Millis,
}

impl Store {
    /// `member`'s entries on challenges that are not drafts, newest first.
    pub async fn entries_of_member(&self, member: MemberId) -> Result<Vec<ProfileEntry>> {
        sqlx::query(
            "SELECT e.id, e.title, e.challenge_id, c.title AS challenge_title, c.kind, c.state,
                    e.shortlisted, e.winner, e.created_at
             FROM challenge_entries e JOIN challenges c ON c.id = e.challenge_id
             WHERE e.member_id = $1 AND c.state <> 'draft'
             ORDER BY e.created_at DESC, e.id DESC LIMIT 200",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ProfileEntry {
                entry_id: int(r, "id")?,
                title: text(r, "title")?,
                challenge_id: int(r, "challenge_id")?,
                challenge_title: text(r, "challenge_title")?,
                challenge_kind: text(r, "kind")?,
                challenge_state: text(r, "state")?,
                shortlisted: int(r, "shortlisted")? != 0,
                winner: int(r, "winner")? != 0,
                created_at: int(r, "created_at")?,
            })
        })
        .collect()
    }

    /// Testimonials and interviews about `member`, newest first.
    pub async fn testimonials_about(&self, member: MemberId) -> Result<Vec<TestimonialRow>> {
        let sql = format!(
            "SELECT {} FROM testimonials WHERE person_member_id = $1 ORDER BY created_at DESC, id DESC",
            crate::testimonials::COLS
        );
        sqlx::query(&sql)
            .bind(member.0)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(crate::testimonials::row)
            .collect()
    }
}

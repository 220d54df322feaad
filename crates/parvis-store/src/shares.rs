//! Personal share links and the credits they earn their member.

use crate::members::{MEMBER_REF_COLS, member_ref};
use crate::{Result, Store, int, text};
use parvis_domain::{MemberRef, Millis};
use serde::Serialize;

/// A member's link and what it brought.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShareStats {
    pub code: String,
    /// The page shared (path on this site).
    pub path: String,
    pub created_at: Millis,
    pub visits: i64,
    pub registrations: i64,
    pub challenge_entries: i64,
    pub replies: i64,
    /// Reactions to messages (one a message per visitor) and challenge votes.
    pub reactions: i64,
    pub votes: i64,
    /// Conversions the organisation reported for calls to action followed by people who came
    /// through the link.
    pub conversions: i64,
}

/// A member's credits, all links together (the ambassadors' ranking, the measures).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShareCredits {
    pub member: MemberRef,
    pub links: i64,
    pub visits: i64,
    /// Registrations, challenge entries, replies and conversions brought.
    pub actions: i64,
}

const STATS: &str = "l.code, l.path, l.created_at,
  (SELECT COUNT(*) FROM share_credits c WHERE c.code = l.code AND c.action = 'visit') AS visits,
  (SELECT COUNT(*) FROM share_credits c WHERE c.code = l.code AND c.action = 'registration') AS registrations,
  (SELECT COUNT(*) FROM share_credits c WHERE c.code = l.code AND c.action = 'challenge_entry') AS challenge_entries,
  (SELECT COUNT(*) FROM share_credits c WHERE c.code = l.code AND c.action = 'reply') AS replies,
  (SELECT COUNT(*) FROM share_credits c WHERE c.code = l.code AND c.action = 'reaction') AS reactions,
  (SELECT COUNT(*) FROM share_credits c WHERE c.code = l.code AND c.action = 'vote') AS votes,
  (SELECT COUNT(*) FROM share_credits c WHERE c.code = l.code AND c.action = 'conversion') AS conversions";

/// Credits that are not actions brought: visits, the calls to action followed (kept to find
/// the link behind a later conversion), the widget sign-ins confirmed by someone carrying a
/// link's cookie (kept to find the link behind their later widget actions), and the light
/// engagement — reactions and votes — shown on "My shares" but weighing nothing toward the
/// ranking and the referrals (a like is not a person brought in).
pub const NOT_ACTIONS: &str = "('visit', 'cta_click', 'widget_sign_in', 'reaction', 'vote')";

/// Credits given once per visitor and target (a reaction taken back and given again, or of
/// another kind on the same message, is the same engagement).
const ONCE: [&str; 1] = ["reaction"];

fn stats(r: &sqlx::any::AnyRow) -> Result<ShareStats> {
    Ok(ShareStats {
        code: text(r, "code")?,
        path: text(r, "path")?,
        created_at: int(r, "created_at")?,
        visits: int(r, "visits")?,
        registrations: int(r, "registrations")?,
        challenge_entries: int(r, "challenge_entries")?,
        replies: int(r, "replies")?,
        reactions: int(r, "reactions")?,
        votes: int(r, "votes")?,
        conversions: int(r, "conversions")?,
    })
}

impl Store {
    /// The member's link for `path`, created with `code` if they had none; its code.
    pub async fn share_link(
        &self,
        member: i64,
        path: &str,
        code: &str,
        now: Millis,
    ) -> Result<String> {
        sqlx::query("INSERT INTO share_links (code, member_id, path, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (member_id, path) DO NOTHING")
            .bind(code)
            .bind(member)
            .bind(path)
            .bind(now)
            .execute(&self.pool)
            .await?;
        let r = sqlx::query("SELECT code FROM share_links WHERE member_id = $1 AND path = $2")
            .bind(member)
            .bind(path)
            .fetch_one(&self.pool)
            .await?;
        text(&r, "code")
    }

    /// Credit the owner of `code` with `action` (by `actor`, on `target`); false when the
    /// code is unknown (nobody is credited).
    pub async fn share_credit(
        &self,
        code: &str,
        action: &str,
        actor: Option<i64>,
        target: &str,
        now: Millis,
    ) -> Result<bool> {
        let once = if ONCE.contains(&action) {
            " AND NOT EXISTS (SELECT 1 FROM share_credits c WHERE c.target = $4 AND c.action = $2
                 AND c.code = l.code AND c.actor_id = $3)"
        } else {
            ""
        };
        let sql = format!(
            "INSERT INTO share_credits (code, member_id, action, actor_id, target, created_at)
             SELECT l.code, l.member_id, $2, $3, $4, $5 FROM share_links l WHERE l.code = $1
               AND ($3 IS NULL OR l.member_id <> $3){once}"
        );
        let done = sqlx::query(&sql)
            .bind(code)
            .bind(action)
            .bind(actor)
            .bind(target)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The share code whose visitor followed the call to action `click_id`, if one did.
    pub async fn share_code_of_click(&self, click_id: &str) -> Result<Option<String>> {
        let r = sqlx::query(
            "SELECT code FROM share_credits WHERE action = 'cta_click' AND target = $1 ORDER BY created_at LIMIT 1",
        )
        .bind(click_id)
        .fetch_optional(&self.pool)
        .await?;
        r.map(|r| text(&r, "code")).transpose()
    }

    /// The code of the newest `action` credit whose target is `target` since `since` (the link
    /// a widget's visitor came through, noted when they confirmed their sign-in).
    pub async fn share_code_of_target(
        &self,
        action: &str,
        target: &str,
        since: Millis,
    ) -> Result<Option<String>> {
        let r = sqlx::query(
            "SELECT code FROM share_credits WHERE action = $1 AND target = $2 AND created_at >= $3
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(action)
        .bind(target)
        .bind(since)
        .fetch_optional(&self.pool)
        .await?;
        r.map(|r| text(&r, "code")).transpose()
    }

    /// Whether a share code exists.
    pub async fn share_code_exists(&self, code: &str) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 AS one FROM share_links WHERE code = $1")
                .bind(code)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// A member's links with what each brought, newest first.
    pub async fn member_shares(&self, member: i64) -> Result<Vec<ShareStats>> {
        let sql = format!(
            "SELECT {STATS} FROM share_links l WHERE l.member_id = $1 ORDER BY l.created_at DESC, l.code"
        );
        sqlx::query(&sql)
            .bind(member)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(stats)
            .collect()
    }

    /// Every member's share credits, most actions then most visits first (the ambassadors).
    pub async fn share_credits_by_member(&self) -> Result<Vec<ShareCredits>> {
        let sql = format!(
            "SELECT {MEMBER_REF_COLS},
               (SELECT COUNT(*) FROM share_links l WHERE l.member_id = m.id) AS links,
               (SELECT COUNT(*) FROM share_credits c WHERE c.member_id = m.id AND c.action = 'visit') AS visits,
               (SELECT COUNT(*) FROM share_credits c WHERE c.member_id = m.id AND c.action NOT IN {NOT_ACTIONS}) AS actions
             FROM members m WHERE EXISTS (SELECT 1 FROM share_links l WHERE l.member_id = m.id)
             ORDER BY actions DESC, visits DESC, m.handle"
        );
        sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ShareCredits {
                    member: member_ref(r)?,
                    links: int(r, "links")?,
                    visits: int(r, "visits")?,
                    actions: int(r, "actions")?,
                })
            })
            .collect()
    }
}

//! Taking part from an embed: the posting rules of a space, widget sign-in attempts and
//! tokens, single sign-on secrets and used token ids, pseudonyms and the rate-limit log (the
//! held messages are in `embed_held`).

use crate::{Result, Store, int, opt_int, text};
use parvis_domain::{MemberId, Millis, SpaceId};

/// How people may post from a space's embeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostSettings {
    pub space_id: SpaceId,
    /// Hold the first message of a member in this space for a moderator.
    pub hold_first: bool,
    /// Posters may choose a pseudonym shown instead of their name.
    pub pseudonyms: bool,
    /// An unknown email (or SSO user) becomes a member.
    pub open_signup: bool,
    /// Words that make a message refused, lower case.
    pub banned_words: Vec<String>,
    /// Words that make a message held for a moderator, lower case.
    pub suspect_words: Vec<String>,
    pub updated_at: Millis,
}

impl PostSettings {
    /// The rules of a space that never set any: first posts held, no pseudonyms, sign-up open.
    pub fn defaults(space_id: SpaceId) -> Self {
        Self {
            space_id,
            hold_first: true,
            pseudonyms: false,
            open_signup: true,
            banned_words: Vec::new(),
            suspect_words: Vec::new(),
            updated_at: 0,
        }
    }
}

/// A widget sign-in to record.
#[derive(Debug, Clone)]
pub struct NewEmbedAttempt {
    pub attempt_hash: String,
    pub link_hash: String,
    pub space_id: SpaceId,
    pub email: String,
    pub host: String,
    pub lang: String,
    /// The share link's code the host page carried (`?ref=CODE`); empty when none.
    pub share_ref: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// A widget sign-in as the confirmation page sees it.
#[derive(Debug, Clone)]
pub struct EmbedAttempt {
    pub space_id: SpaceId,
    pub email: String,
    pub host: String,
    pub lang: String,
    /// The share link's code the host page carried (`?ref=CODE`); empty when none.
    pub share_ref: String,
    pub confirmed: bool,
}

/// Where a widget sign-in stands, as its poller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptState {
    /// Not confirmed yet.
    Pending,
    /// Confirmed just now for this poll: the caller issues the token (only once).
    Confirmed { member: MemberId, space: SpaceId },
    /// Unknown, expired, or its token was already handed out.
    Gone,
}

fn words(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

fn post_settings_row(r: &sqlx::any::AnyRow) -> Result<PostSettings> {
    Ok(PostSettings {
        space_id: SpaceId(int(r, "space_id")?),
        hold_first: int(r, "hold_first")? != 0,
        pseudonyms: int(r, "pseudonyms")? != 0,
        open_signup: int(r, "open_signup")? != 0,
        banned_words: words(&text(r, "banned_words")?),
        suspect_words: words(&text(r, "suspect_words")?),
        updated_at: int(r, "updated_at")?,
    })
}

impl Store {
    /// A space's posting rules (the defaults when it never set any).
    pub async fn post_settings(&self, space: SpaceId) -> Result<PostSettings> {
        let row = sqlx::query(
            "SELECT space_id, hold_first, pseudonyms, open_signup, banned_words, suspect_words, updated_at
             FROM embed_post_settings WHERE space_id = $1",
        )
        .bind(space.0)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => post_settings_row(&r),
            None => Ok(PostSettings::defaults(space)),
        }
    }

    /// Replace a space's posting rules.
    pub async fn put_post_settings(&self, s: &PostSettings) -> Result<()> {
        sqlx::query(
            "INSERT INTO embed_post_settings (space_id, hold_first, pseudonyms, open_signup, banned_words, suspect_words, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (space_id) DO UPDATE SET hold_first = excluded.hold_first, pseudonyms = excluded.pseudonyms,
               open_signup = excluded.open_signup, banned_words = excluded.banned_words,
               suspect_words = excluded.suspect_words, updated_at = excluded.updated_at",
        )
        .bind(s.space_id.0)
        .bind(i64::from(s.hold_first))
        .bind(i64::from(s.pseudonyms))
        .bind(i64::from(s.open_signup))
        .bind(s.banned_words.join("\n"))
        .bind(s.suspect_words.join("\n"))
        .bind(s.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Record a widget sign-in (expired ones are forgotten on the way).
    pub async fn create_embed_attempt(&self, a: &NewEmbedAttempt) -> Result<()> {
        sqlx::query("DELETE FROM embed_auth_attempts WHERE expires_at < $1")
            .bind(a.created_at - 86_400_000)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO embed_auth_attempts (attempt_hash, link_hash, space_id, email, host, lang, share_ref, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&a.attempt_hash)
        .bind(&a.link_hash)
        .bind(a.space_id.0)
        .bind(&a.email)
        .bind(&a.host)
        .bind(&a.lang)
        .bind(&a.share_ref)
        .bind(a.created_at)
        .bind(a.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The sign-in behind an emailed link, while it is valid.
    pub async fn embed_attempt_by_link(
        &self,
        link_hash: &str,
        now: Millis,
    ) -> Result<Option<EmbedAttempt>> {
        let row = sqlx::query(
            "SELECT space_id, email, host, lang, share_ref, confirmed_at FROM embed_auth_attempts
             WHERE link_hash = $1 AND expires_at > $2",
        )
        .bind(link_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(EmbedAttempt {
                space_id: SpaceId(int(&r, "space_id")?),
                email: text(&r, "email")?,
                host: text(&r, "host")?,
                lang: text(&r, "lang")?,
                share_ref: text(&r, "share_ref")?,
                confirmed: opt_int(&r, "confirmed_at")?.is_some(),
            })
        })
        .transpose()
    }

    /// Confirm a sign-in for `member`; false when it was already confirmed or has expired.
    pub async fn confirm_embed_attempt(
        &self,
        link_hash: &str,
        member: MemberId,
        now: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE embed_auth_attempts SET confirmed_at = $1, member_id = $2
             WHERE link_hash = $3 AND confirmed_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(member.0)
        .bind(link_hash)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Where a sign-in stands for its poller; a confirmed one is marked as handed out in the
    /// same statement, so two polls cannot both get a token.
    pub async fn take_embed_attempt(
        &self,
        attempt_hash: &str,
        now: Millis,
    ) -> Result<AttemptState> {
        let taken = sqlx::query(
            "UPDATE embed_auth_attempts SET issued_at = $1
             WHERE attempt_hash = $2 AND confirmed_at IS NOT NULL AND issued_at IS NULL AND expires_at > $1
             RETURNING member_id, space_id",
        )
        .bind(now)
        .bind(attempt_hash)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(r) = taken {
            return Ok(AttemptState::Confirmed {
                member: MemberId(int(&r, "member_id")?),
                space: SpaceId(int(&r, "space_id")?),
            });
        }
        let pending = sqlx::query(
            "SELECT 1 AS one FROM embed_auth_attempts
             WHERE attempt_hash = $1 AND confirmed_at IS NULL AND expires_at > $2",
        )
        .bind(attempt_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(if pending.is_some() {
            AttemptState::Pending
        } else {
            AttemptState::Gone
        })
    }

    /// Record a widget token (hash only).
    pub async fn create_embed_token(
        &self,
        token_hash: &str,
        member: MemberId,
        space: SpaceId,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()> {
        sqlx::query("DELETE FROM embed_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO embed_tokens (token_hash, member_id, space_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(member.0)
        .bind(space.0)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The member and space of a widget token still valid at `now`.
    pub async fn embed_token(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<(MemberId, SpaceId)>> {
        let row = sqlx::query(
            "SELECT member_id, space_id FROM embed_tokens WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok((
                MemberId(int(&r, "member_id")?),
                SpaceId(int(&r, "space_id")?),
            ))
        })
        .transpose()
    }

    /// Note where a member came from (the first origin stays).
    pub async fn set_member_origin(
        &self,
        member: MemberId,
        origin: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO member_origins (member_id, origin, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (member_id) DO NOTHING",
        )
        .bind(member.0)
        .bind(origin)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Where a member came from, when a widget created them.
    pub async fn member_origin(&self, member: MemberId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT origin FROM member_origins WHERE member_id = $1")
            .bind(member.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| text(&r, "origin")).transpose()
    }

    /// Where each of these members came from, for those a widget or a host's single sign-on
    /// created (`embed:<host>`, `sso:<kid>`); members who signed up on Parvis have none.
    /// One query over the ids' range: a page of the members table holds a few dozen ids.
    pub async fn member_origins(&self, members: &[MemberId]) -> Result<Vec<(MemberId, String)>> {
        let (Some(low), Some(high)) = (
            members.iter().map(|m| m.0).min(),
            members.iter().map(|m| m.0).max(),
        ) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT member_id, origin FROM member_origins WHERE member_id BETWEEN $1 AND $2",
        )
        .bind(low)
        .bind(high)
        .fetch_all(&self.pool)
        .await?;
        let mut origins = Vec::new();
        for r in rows {
            let id = MemberId(int(&r, "member_id")?);
            if members.contains(&id) {
                origins.push((id, text(&r, "origin")?));
            }
        }
        Ok(origins)
    }

    /// The author record a member posts under with a pseudonym in a space.
    pub async fn pseudonym_alias(
        &self,
        space: SpaceId,
        member: MemberId,
    ) -> Result<Option<MemberId>> {
        let row = sqlx::query(
            "SELECT alias_id FROM embed_pseudonyms WHERE space_id = $1 AND member_id = $2",
        )
        .bind(space.0)
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(MemberId(int(&r, "alias_id")?))).transpose()
    }

    /// Link a member to the author record of their pseudonym in a space.
    pub async fn put_pseudonym_alias(
        &self,
        space: SpaceId,
        member: MemberId,
        alias: MemberId,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO embed_pseudonyms (space_id, member_id, alias_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(space.0)
        .bind(member.0)
        .bind(alias.0)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Rename an author record (a pseudonym chosen again).
    pub async fn set_display_name(&self, member: MemberId, name: &str) -> Result<()> {
        sqlx::query("UPDATE members SET display_name = $1 WHERE id = $2")
            .bind(name)
            .bind(member.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A single sign-on secret of a space by its key id.
    pub async fn sso_secret(&self, space: SpaceId, kid: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT secret FROM sso_secrets WHERE space_id = $1 AND kid = $2")
            .bind(space.0)
            .bind(kid)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| text(&r, "secret")).transpose()
    }

    /// Add a single sign-on secret; `Conflict` when the key id is taken.
    pub async fn add_sso_secret(
        &self,
        space: SpaceId,
        kid: &str,
        secret: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sso_secrets (space_id, kid, secret, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(space.0)
        .bind(kid)
        .bind(secret)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(crate::conflict_as("kid"))?;
        Ok(())
    }

    /// Remove a single sign-on secret; false when there was none.
    pub async fn delete_sso_secret(&self, space: SpaceId, kid: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM sso_secrets WHERE space_id = $1 AND kid = $2")
            .bind(space.0)
            .bind(kid)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The key ids of a space's secrets with their creation times (never the secrets).
    pub async fn sso_kids(&self, space: SpaceId) -> Result<Vec<(String, Millis)>> {
        let rows = sqlx::query(
            "SELECT kid, created_at FROM sso_secrets WHERE space_id = $1 ORDER BY created_at, kid",
        )
        .bind(space.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((text(r, "kid")?, int(r, "created_at")?)))
            .collect()
    }

    /// Spend a token id: false when it was already used (a replay).
    pub async fn use_sso_jti(
        &self,
        space: SpaceId,
        jti: &str,
        expires_at: Millis,
        now: Millis,
    ) -> Result<bool> {
        sqlx::query("DELETE FROM sso_jtis WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        let done = sqlx::query(
            "INSERT INTO sso_jtis (space_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(space.0)
        .bind(jti)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The member linked to the host site's user (kid, sub).
    pub async fn sso_member(
        &self,
        space: SpaceId,
        kid: &str,
        sub: &str,
    ) -> Result<Option<MemberId>> {
        let row = sqlx::query(
            "SELECT member_id FROM sso_links WHERE space_id = $1 AND kid = $2 AND sub = $3",
        )
        .bind(space.0)
        .bind(kid)
        .bind(sub)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(MemberId(int(&r, "member_id")?))).transpose()
    }

    /// Link the host site's user (kid, sub) to a member.
    pub async fn link_sso(
        &self,
        space: SpaceId,
        kid: &str,
        sub: &str,
        member: MemberId,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sso_links (space_id, kid, sub, member_id, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (space_id, kid, sub) DO UPDATE SET member_id = excluded.member_id",
        )
        .bind(space.0)
        .bind(kid)
        .bind(sub)
        .bind(member.0)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Note a widget post and count the member's posts since each of `since` (oldest first
    /// in the answer's pairs: count, oldest time).
    pub async fn embed_posts_since(
        &self,
        member: MemberId,
        since: Millis,
    ) -> Result<(i64, Option<Millis>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM embed_post_log WHERE member_id = $1 AND at >= $2",
        )
        .bind(member.0)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok((int(&row, "n")?, opt_int(&row, "oldest")?))
    }

    /// Note one widget post (and forget those older than `forget_before`).
    pub async fn log_embed_post(
        &self,
        member: MemberId,
        now: Millis,
        forget_before: Millis,
    ) -> Result<()> {
        sqlx::query("DELETE FROM embed_post_log WHERE at < $1")
            .bind(forget_before)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO embed_post_log (member_id, at) VALUES ($1, $2)")
            .bind(member.0)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

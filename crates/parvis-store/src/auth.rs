//! Sessions, magic links, API tokens and sign-in attempts. Only hashes of secrets are stored:
//! a leaked database does not let anyone sign in.

use crate::members::{MEMBER_BY_ID_SQL, read_member};
use crate::read::{Arg, Reader};
use crate::{Result, Store, int, opt_int, text};
use parvis_domain::{Member, MemberId, Millis, TokenId};
use serde::Serialize;
use sqlx::Row;
use std::sync::atomic::Ordering;

/// The attempts noted under one key within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuthAttempts {
    pub count: i64,
    pub oldest: Option<Millis>,
    pub latest: Option<Millis>,
}

/// A live session: who, and the CSRF token bound to it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub member_id: MemberId,
    pub csrf_token: String,
    pub expires_at: Millis,
}

/// The unexpired session behind a token hash, within a read.
async fn read_session(r: &mut Reader<'_>, hash: &str, now: Millis) -> Result<Option<SessionInfo>> {
    r.opt(
        "SELECT member_id, csrf_token, expires_at FROM sessions
         WHERE token_hash = $1 AND expires_at > $2",
        &[Arg::Text(hash), Arg::Int(now)],
        |c| {
            Ok(SessionInfo {
                member_id: MemberId(c.int(0)?),
                csrf_token: c.text(1)?,
                expires_at: c.int(2)?,
            })
        },
    )
    .await
}

/// How precisely a token's last use is kept: a use within this long of the noted one is not
/// written again. Its owner sees the day.
pub(crate) const TOKEN_USE_PRECISION: Millis = 60_000;

/// An API token as listed to its owner (never the secret itself).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiTokenInfo {
    pub id: TokenId,
    pub name: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

impl Store {
    /// Store a new session.
    pub async fn create_session(
        &self,
        token_hash: &str,
        member: MemberId,
        csrf: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, member_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(member.0)
            .bind(csrf)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The session behind a token hash, if it has not expired.
    pub async fn session(&self, token_hash: &str, now: Millis) -> Result<Option<SessionInfo>> {
        let hash = token_hash.to_string();
        self.reads
            .run_short(move |r| Box::pin(async move { read_session(r, &hash, now).await }))
            .await
    }

    /// The session behind a token hash, if it has not expired, with its member (identities
    /// and consents included): what every signed-in request needs, in one read.
    pub async fn session_member(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<(SessionInfo, Member)>> {
        let hash = token_hash.to_string();
        self.reads
            .run_short(move |r| {
                Box::pin(async move {
                    let Some(session) = read_session(r, &hash, now).await? else {
                        return Ok(None);
                    };
                    let member =
                        read_member(r, MEMBER_BY_ID_SQL, Arg::Int(session.member_id.0)).await?;
                    Ok(member.map(|m| (session, m)))
                })
            })
            .await
    }

    /// End a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Store a one-time sign-in link.
    pub async fn create_magic_link(
        &self,
        token_hash: &str,
        member: MemberId,
        now: Millis,
        expires_at: Millis,
    ) -> Result<()> {
        sqlx::query("INSERT INTO magic_links (token_hash, member_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(member.0)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Use a sign-in link: returns its member once; a used or expired link returns `None`.
    pub async fn consume_magic_link(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<MemberId>> {
        let row = sqlx::query(
            "UPDATE magic_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING member_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(MemberId(int(&r, "member_id")?))).transpose()
    }

    /// Store a new API token.
    pub async fn create_api_token(
        &self,
        member: MemberId,
        name: &str,
        token_hash: &str,
        now: Millis,
    ) -> Result<TokenId> {
        let row = sqlx::query("INSERT INTO api_tokens (member_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(member.0)
            .bind(name)
            .bind(token_hash)
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        Ok(TokenId(row.try_get::<i64, _>(0)?))
    }

    /// The member behind an API token hash, noting when the token was used. The note is
    /// written at most once a minute per token ([`TOKEN_USE_PRECISION`]): writing it on every
    /// call made each API request a write, queued behind every other write on SQLite.
    pub async fn api_token_member(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<MemberId>> {
        let hash = token_hash.to_string();
        let found = self
            .reads
            .run_short(move |r| {
                Box::pin(async move {
                    r.opt(
                        "SELECT member_id, last_used_at FROM api_tokens WHERE token_hash = $1",
                        &[Arg::Text(&hash)],
                        |c| Ok((MemberId(c.int(0)?), c.opt_int(1)?)),
                    )
                    .await
                })
            })
            .await?;
        let Some((member, last_used)) = found else {
            return Ok(None);
        };
        if last_used.is_none_or(|at| now - at >= TOKEN_USE_PRECISION) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(member))
    }

    /// A member's API tokens.
    pub async fn list_api_tokens(&self, member: MemberId) -> Result<Vec<ApiTokenInfo>> {
        let rows = sqlx::query("SELECT id, name, created_at, last_used_at FROM api_tokens WHERE member_id = $1 ORDER BY id")
            .bind(member.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: TokenId(int(r, "id")?),
                    name: text(r, "name")?,
                    created_at: int(r, "created_at")?,
                    last_used_at: opt_int(r, "last_used_at")?,
                })
            })
            .collect()
    }

    /// Revoke one of a member's tokens; false if it was not theirs or did not exist.
    pub async fn revoke_api_token(&self, member: MemberId, id: TokenId) -> Result<bool> {
        let r = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND member_id = $2")
            .bind(id.0)
            .bind(member.0)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Note an attempt under `key` (a failed password sign-in, or a sign-in link sent, for an
    /// address, a client or both). Kept in the store so that several instances share the
    /// counts; rows older than `forget_before` are pruned as we go.
    pub async fn record_auth_attempt(
        &self,
        key: &str,
        now: Millis,
        forget_before: Millis,
    ) -> Result<()> {
        // On the native write path: a visitor's registration notes one (the mails to their
        // address). Old rows are pruned at most once a minute per process, not on each attempt:
        // counts only read the window, so a row a minute past it costs nothing, and the
        // attempt is then one statement (one round trip on PostgreSQL).
        let key = key.to_string();
        let prune = self
            .attempts_pruned_at
            .fetch_max(now / 60_000, Ordering::Relaxed)
            < now / 60_000;
        self.writes
            .run_alone(move |w| {
                Box::pin(async move {
                    w.exec(
                        "INSERT INTO auth_attempts (key, at) VALUES ($1, $2)",
                        &[Arg::Text(&key), Arg::Int(now)],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await?;
        if prune {
            self.writes
                .run_alone(move |w| {
                    Box::pin(async move {
                        w.exec(
                            "DELETE FROM auth_attempts WHERE at < $1",
                            &[Arg::Int(forget_before)],
                        )
                        .await?;
                        Ok(())
                    })
                })
                .await?;
        }
        Ok(())
    }

    /// The attempts noted under `key` since `since`: how many, the oldest and the latest.
    pub async fn auth_attempts(&self, key: &str, since: Millis) -> Result<AuthAttempts> {
        let key = key.to_string();
        self.reads
            .run_short(move |r| {
                Box::pin(async move {
                    r.opt(
                        "SELECT COUNT(*), MIN(at), MAX(at) FROM auth_attempts WHERE key = $1 AND at >= $2",
                        &[Arg::Text(&key), Arg::Int(since)],
                        |c| {
                            Ok(AuthAttempts {
                                count: c.int(0)?,
                                oldest: c.opt_int(1)?,
                                latest: c.opt_int(2)?,
                            })
                        },
                    )
                    .await
                })
            })
            .await
            .map(|a| a.unwrap_or_default())
    }

    /// Forget the attempts of a key (after a successful sign-in).
    pub async fn clear_auth_attempts(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM auth_attempts WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

//! What Parvis holds about one person, for their export (GDPR access and portability), the
//! erasure of an account, and the dated history of consents.

use crate::intros::IntroRequest;
use crate::{ApiTokenInfo, Result, Store, int, opt_int, text};
use parvis_domain::*;
use serde::Serialize;
use sqlx::Row;

/// One change of a consent, as it happened.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsentEvent {
    pub kind: String,
    pub granted: bool,
    pub at: Millis,
}

/// A message a member wrote, with where it is.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnMessage {
    pub id: i64,
    pub thread_id: i64,
    pub thread_title: String,
    pub space: String,
    pub parent_id: Option<i64>,
    pub channel: String,
    pub created_at: Millis,
    pub edited_at: Option<Millis>,
    pub body_md: String,
}

/// A reaction a member left.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnReaction {
    pub message_id: i64,
    pub kind: String,
    pub created_at: Millis,
}

/// A vote a member cast on a statement of an opinion map.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnVote {
    pub statement_id: i64,
    pub statement: String,
    /// +1 agree, -1 disagree, 0 pass.
    pub value: i64,
    pub created_at: Millis,
}

/// A statement a member submitted to an opinion map.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnStatement {
    pub id: i64,
    pub topic_id: i64,
    pub body: String,
    pub status: String,
    pub created_at: Millis,
}

/// A feed preference ("not interested" in a thread, a muted topic).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnFeedback {
    pub kind: String,
    pub target_id: i64,
    pub at: Millis,
}

/// Everything held about a member beyond their profile (which the caller has).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberRecords {
    pub messages: Vec<OwnMessage>,
    pub reactions: Vec<OwnReaction>,
    pub votes: Vec<OwnVote>,
    pub statements: Vec<OwnStatement>,
    pub consent_history: Vec<ConsentEvent>,
    pub api_tokens: Vec<ApiTokenInfo>,
    pub intro_requests: Vec<IntroRequest>,
    pub feed_feedback: Vec<OwnFeedback>,
    /// Threads read, with when (the feed uses them).
    pub threads_read: Vec<(i64, Millis)>,
    /// What they did in live rooms (questions, votes, poll answers, hands, turns) and the
    /// events that name them (the floor given to them, an invitation), as the room logged it.
    pub room_events: Vec<crate::OwnRoomEvent>,
}

/// What an erasure did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    /// Messages deleted (when deletion was chosen), for the search index to drop.
    pub deleted_messages: Vec<i64>,
    /// Messages kept, now shown under the erased account's neutral name.
    pub anonymised_messages: i64,
    /// Threads that only held the member's messages, deleted with them.
    pub deleted_threads: i64,
}

/// A reaction in a space export.
#[derive(Debug, Clone, Serialize)]
pub struct ReactionRecord {
    pub message_id: i64,
    pub member_id: i64,
    pub kind: String,
    pub created_at: Millis,
}

/// A consent's current state in a space export.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentRecord {
    pub member_id: i64,
    pub kind: String,
    pub granted: bool,
    pub updated_at: Millis,
}

/// A consent change in a space export.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentEventRecord {
    pub member_id: i64,
    pub kind: String,
    pub granted: bool,
    pub at: Millis,
}

/// The voter id of a member on opinion maps (as the services write it).
fn voter(member: MemberId) -> String {
    format!("m{}", member.0)
}

impl Store {
    /// The records of a space export that follow its threads (see `export_space`).
    pub(crate) async fn export_space_extras(
        &self,
        space: &Space,
        emit: &mut impl FnMut(crate::ExportRecord) -> std::io::Result<()>,
    ) -> Result<u64> {
        use crate::ExportRecord as R;
        let mut n = 0u64;
        for r in sqlx::query(
            "SELECT r.message_id, r.member_id, r.kind, r.created_at FROM reactions r
             JOIN messages msg ON msg.id = r.message_id JOIN threads t ON t.id = msg.thread_id
             WHERE t.space_id = $1 ORDER BY r.message_id, r.member_id, r.kind",
        )
        .bind(space.id.0)
        .fetch_all(&self.pool)
        .await?
        {
            emit(R::Reaction(ReactionRecord {
                message_id: int(&r, "message_id")?,
                member_id: int(&r, "member_id")?,
                kind: text(&r, "kind")?,
                created_at: int(&r, "created_at")?,
            }))?;
            n += 1;
        }
        for topic in self.list_topics(space.id).await? {
            for st in self.statements(topic.id, None).await? {
                emit(R::Statement(st))?;
                n += 1;
            }
            for v in self.topic_votes(topic.id).await? {
                emit(R::Vote(v))?;
                n += 1;
            }
        }
        // The consents of the members the export lists (those who wrote in the space).
        let members = "SELECT DISTINCT msg.author_id FROM messages msg JOIN threads t ON t.id = msg.thread_id WHERE t.space_id = $1";
        let sql = format!(
            "SELECT member_id, kind, granted, updated_at FROM consents WHERE member_id IN ({members}) ORDER BY member_id, kind"
        );
        for r in sqlx::query(&sql)
            .bind(space.id.0)
            .fetch_all(&self.pool)
            .await?
        {
            emit(R::Consent(ConsentRecord {
                member_id: int(&r, "member_id")?,
                kind: text(&r, "kind")?,
                granted: int(&r, "granted")? != 0,
                updated_at: int(&r, "updated_at")?,
            }))?;
            n += 1;
        }
        let sql = format!(
            "SELECT member_id, kind, granted, at FROM consent_events WHERE member_id IN ({members}) ORDER BY member_id, at, id"
        );
        for r in sqlx::query(&sql)
            .bind(space.id.0)
            .fetch_all(&self.pool)
            .await?
        {
            emit(R::ConsentEvent(ConsentEventRecord {
                member_id: int(&r, "member_id")?,
                kind: text(&r, "kind")?,
                granted: int(&r, "granted")? != 0,
                at: int(&r, "at")?,
            }))?;
            n += 1;
        }
        Ok(n)
    }

    /// The dated history of a member's consents, oldest first.
    pub async fn consent_events(&self, member: MemberId) -> Result<Vec<ConsentEvent>> {
        let rows = sqlx::query(
            "SELECT kind, granted, at FROM consent_events WHERE member_id = $1 ORDER BY at, id",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConsentEvent {
                    kind: text(r, "kind")?,
                    granted: int(r, "granted")? != 0,
                    at: int(r, "at")?,
                })
            })
            .collect()
    }

    /// Everything held about `member` besides the profile itself.
    pub async fn member_records(&self, member: MemberId) -> Result<MemberRecords> {
        let id = member.0;
        let messages = sqlx::query(
            "SELECT msg.id, msg.thread_id, t.title, s.slug, msg.parent_id, msg.channel, msg.created_at, msg.edited_at, msg.body_md
             FROM messages msg JOIN threads t ON t.id = msg.thread_id JOIN spaces s ON s.id = t.space_id
             WHERE msg.author_id = $1 ORDER BY msg.created_at, msg.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OwnMessage {
                id: int(r, "id")?,
                thread_id: int(r, "thread_id")?,
                thread_title: text(r, "title")?,
                space: text(r, "slug")?,
                parent_id: opt_int(r, "parent_id")?,
                channel: text(r, "channel")?,
                created_at: int(r, "created_at")?,
                edited_at: opt_int(r, "edited_at")?,
                body_md: text(r, "body_md")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let reactions = sqlx::query(
            "SELECT message_id, kind, created_at FROM reactions WHERE member_id = $1 ORDER BY created_at, message_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OwnReaction {
                message_id: int(r, "message_id")?,
                kind: text(r, "kind")?,
                created_at: int(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let votes = sqlx::query(
            "SELECT v.statement_id, s.body, v.value, v.created_at FROM statement_votes v
             JOIN statements s ON s.id = v.statement_id WHERE v.voter = $1 ORDER BY v.created_at, v.statement_id",
        )
        .bind(voter(member))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OwnVote {
                statement_id: int(r, "statement_id")?,
                statement: text(r, "body")?,
                value: int(r, "value")?,
                created_at: int(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let statements = sqlx::query(
            "SELECT id, topic_id, body, status, created_at FROM statements WHERE author_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OwnStatement {
                id: int(r, "id")?,
                topic_id: int(r, "topic_id")?,
                body: text(r, "body")?,
                status: text(r, "status")?,
                created_at: int(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let feed_feedback = sqlx::query(
            "SELECT kind, target_id, at FROM feed_feedback WHERE member_id = $1 ORDER BY at",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OwnFeedback {
                kind: text(r, "kind")?,
                target_id: int(r, "target_id")?,
                at: int(r, "at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let threads_read =
            sqlx::query("SELECT thread_id, at FROM thread_reads WHERE member_id = $1 ORDER BY at")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok((int(r, "thread_id")?, int(r, "at")?)))
                .collect::<Result<Vec<_>>>()?;
        Ok(MemberRecords {
            messages,
            reactions,
            votes,
            statements,
            consent_history: self.consent_events(member).await?,
            api_tokens: self.list_api_tokens(member).await?,
            intro_requests: self.intro_requests_involving(member).await?,
            feed_feedback,
            threads_read,
            room_events: self
                .room_events_naming(&format!("m:{id}"))
                .await?
                .into_iter()
                .map(|(room, e)| crate::OwnRoomEvent {
                    room_id: room.0,
                    seq: e.seq,
                    at: e.at,
                    action: e.action,
                    event: e.body,
                })
                .collect(),
        })
    }

    /// Every introduction request `member` is part of (as requester, intermediary or target).
    async fn intro_requests_involving(&self, member: MemberId) -> Result<Vec<IntroRequest>> {
        let rows = sqlx::query(
            "SELECT id, requester_id, intermediary_id, target_id, message, status, created_at, decided_at
             FROM intro_requests WHERE requester_id = $1 OR intermediary_id = $1 OR target_id = $1 ORDER BY id",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::intros::intro_row).collect()
    }

    /// Erase an account in one transaction: everything personal goes (profile, address,
    /// password, identities, consents and their history, sessions, sign-in links, API tokens,
    /// reactions, votes, feed preferences, introductions, merge records); the row stays,
    /// renamed `neutral_name`, so that kept messages still have an author. Messages are
    /// deleted (`delete_messages`) or kept under the neutral name; statements likewise.
    pub async fn erase_member(
        &self,
        member: MemberId,
        delete_messages: bool,
        neutral_name: &str,
        now: Millis,
    ) -> Result<Erasure> {
        let id = member.0;
        let mut out = Erasure::default();
        let mut tx = self.begin_write().await?;
        // Rows merged into this account are the same person: erased with it.
        let mut ids = vec![id];
        for r in sqlx::query("SELECT id FROM members WHERE merged_into = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
        {
            ids.push(int(&r, "id")?);
        }
        for &m in &ids {
            if delete_messages {
                let rows = sqlx::query("SELECT id, thread_id FROM messages WHERE author_id = $1")
                    .bind(m)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut threads = Vec::new();
                for r in &rows {
                    out.deleted_messages.push(int(r, "id")?);
                    threads.push(int(r, "thread_id")?);
                }
                threads.sort_unstable();
                threads.dedup();
                // Reactions and votes that go with what is deleted leave the measures too.
                let copy = crate::measure_taken_back::reactions("m.author_id = $1");
                crate::measure_taken_back::copy(&mut tx, &copy, m).await?;
                crate::measure_taken_back::erasing_messages(&mut tx, m).await?;
                crate::measure_taken_back::erasing_parents(&mut tx, m).await?;
                sqlx::query("DELETE FROM messages WHERE author_id = $1")
                    .bind(m)
                    .execute(&mut *tx)
                    .await?;
                for t in threads {
                    let left = sqlx::query(
                        "SELECT COUNT(*), MAX(created_at) FROM messages WHERE thread_id = $1",
                    )
                    .bind(t)
                    .fetch_one(&mut *tx)
                    .await?;
                    let count: i64 = left.try_get(0)?;
                    if count == 0 {
                        crate::measure_taken_back::erasing_thread(&mut tx, t).await?;
                        sqlx::query("DELETE FROM threads WHERE id = $1")
                            .bind(t)
                            .execute(&mut *tx)
                            .await?;
                        out.deleted_threads += 1;
                    } else {
                        let last: Option<i64> = left.try_get(1)?;
                        sqlx::query("UPDATE threads SET message_count = $1, last_activity_at = $2 WHERE id = $3")
                            .bind(count)
                            .bind(last.unwrap_or(now))
                            .bind(t)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                let copy = crate::measure_taken_back::statement_votes("st.author_id = $1");
                crate::measure_taken_back::copy(&mut tx, &copy, m).await?;
                sqlx::query("DELETE FROM statements WHERE author_id = $1")
                    .bind(m)
                    .execute(&mut *tx)
                    .await?;
            } else {
                let n = sqlx::query("SELECT COUNT(*) FROM messages WHERE author_id = $1")
                    .bind(m)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get::<i64, _>(0)?;
                out.anonymised_messages += n;
                sqlx::query("UPDATE statements SET author_id = NULL WHERE author_id = $1")
                    .bind(m)
                    .execute(&mut *tx)
                    .await?;
            }
            for sql in [
                &crate::measure_taken_back::statement_votes("v.voter = $1"),
                "DELETE FROM statement_votes WHERE voter = $1",
            ] {
                sqlx::query(sql)
                    .bind(voter(MemberId(m)))
                    .execute(&mut *tx)
                    .await?;
            }
            let copy = crate::measure_taken_back::reactions("r.member_id = $1");
            crate::measure_taken_back::copy(&mut tx, &copy, m).await?;
            for sql in [
                "DELETE FROM reactions WHERE member_id = $1",
                "DELETE FROM identities WHERE member_id = $1",
                "DELETE FROM consents WHERE member_id = $1",
                "DELETE FROM consent_events WHERE member_id = $1",
                "DELETE FROM sessions WHERE member_id = $1",
                "DELETE FROM magic_links WHERE member_id = $1",
                "DELETE FROM api_tokens WHERE member_id = $1",
                "DELETE FROM thread_reads WHERE member_id = $1",
                "DELETE FROM feed_feedback WHERE member_id = $1",
                "DELETE FROM intro_requests WHERE requester_id = $1 OR intermediary_id = $1 OR target_id = $1",
                "DELETE FROM merge_proposals WHERE member_a = $1 OR member_b = $1",
                "DELETE FROM merges WHERE kept_id = $1 OR merged_id = $1",
            ] {
                sqlx::query(sql).bind(m).execute(&mut *tx).await?;
            }
            crate::privacy_content::erase_content(&mut tx, m, delete_messages).await?;
            crate::measure_taken_back::erased_member(&mut tx, m, delete_messages).await?;
            sqlx::query(
                "UPDATE members SET handle = $1, display_name = $2, email = NULL, password_hash = NULL,
                 site_role = 'member', ecosystem_role = 'other', organisation = '', bio = '', erased_at = $3
                 WHERE id = $4",
            )
            .bind(format!("erased-{m}"))
            .bind(neutral_name)
            .bind(now)
            .bind(m)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }
}

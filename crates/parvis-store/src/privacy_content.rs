//! A member's part in challenges, testimonials and share links, for their export and their
//! erasure (the rest of both is in `privacy`).
//!
//! Erasure follows the rule of messages: what the member wrote for others to read (entries,
//! comments) is deleted when they choose deletion and otherwise kept under the erased
//! account's neutral name; their votes go (each entry's count drops with them); the scores
//! they gave as an evaluator stay, under the neutral name, because the ranking others were
//! told about rests on them; testimonials about them go entirely, consent records included
//! (consent given by a person who has left cannot be relied on); their share links and what
//! the links credited go, and credits naming them as the person who came stop naming them.

use crate::{Result, Store, int, opt_int, text};
use parvis_domain::*;
use serde::Serialize;
use sqlx::Row;

/// An entry the member submitted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnEntry {
    pub id: i64,
    pub challenge_id: i64,
    pub challenge_title: String,
    pub title: String,
    pub body_md: String,
    /// One link per line.
    pub links: String,
    pub rules_wording: String,
    pub rules_accepted_at: Millis,
    pub created_at: Millis,
    pub shortlisted: bool,
    pub winner: bool,
}

/// A vote the member gave an entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnEntryVote {
    pub entry_id: i64,
    pub challenge_id: i64,
    pub created_at: Millis,
}

/// A score the member gave as an evaluator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnScore {
    pub entry_id: i64,
    pub challenge_id: i64,
    pub criterion: String,
    pub score: i64,
    pub scored_at: Millis,
}

/// A comment the member wrote on an entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnEntryComment {
    pub id: i64,
    pub entry_id: i64,
    pub challenge_id: i64,
    pub body_md: String,
    pub created_at: Millis,
}

/// A testimonial or interview about the member, with every consent record they gave.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnTestimonial {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body_md: String,
    pub transcript: String,
    pub person_name: String,
    pub person_org: String,
    pub published_at: Option<Millis>,
    pub created_at: Millis,
    /// Oldest first, withdrawals included.
    pub consents: Vec<crate::ConsentRecord>,
}

/// A share link of the member and what it brought.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnShare {
    pub code: String,
    pub path: String,
    pub created_at: Millis,
    /// Credits by action.
    pub credits: Vec<OwnShareCredit>,
}

/// How many times a share link was credited with one action.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnShareCredit {
    /// `visit`, `registration`, `challenge_entry` or `reply`.
    pub action: String,
    pub count: i64,
}

/// Everything of a member in challenges, testimonials and share links.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ContentRecords {
    pub challenge_entries: Vec<OwnEntry>,
    pub challenge_votes: Vec<OwnEntryVote>,
    pub challenge_scores: Vec<OwnScore>,
    pub challenge_comments: Vec<OwnEntryComment>,
    pub testimonials: Vec<OwnTestimonial>,
    pub shares: Vec<OwnShare>,
}

impl Store {
    /// The member's records in challenges, testimonials and share links.
    pub async fn member_content_records(&self, member: MemberId) -> Result<ContentRecords> {
        let id = member.0;
        let mut out = ContentRecords::default();
        for r in sqlx::query(
            "SELECT e.id, e.challenge_id, c.title AS challenge_title, e.title, e.body_md, e.links,
                    e.rules_wording, e.rules_accepted_at, e.created_at, e.shortlisted, e.winner
             FROM challenge_entries e JOIN challenges c ON c.id = e.challenge_id
             WHERE e.member_id = $1 ORDER BY e.created_at, e.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            out.challenge_entries.push(OwnEntry {
                id: int(&r, "id")?,
                challenge_id: int(&r, "challenge_id")?,
                challenge_title: text(&r, "challenge_title")?,
                title: text(&r, "title")?,
                body_md: text(&r, "body_md")?,
                links: text(&r, "links")?,
                rules_wording: text(&r, "rules_wording")?,
                rules_accepted_at: int(&r, "rules_accepted_at")?,
                created_at: int(&r, "created_at")?,
                shortlisted: int(&r, "shortlisted")? != 0,
                winner: int(&r, "winner")? != 0,
            });
        }
        for r in sqlx::query(
            "SELECT entry_id, challenge_id, created_at FROM challenge_votes
             WHERE member_id = $1 ORDER BY created_at, entry_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            out.challenge_votes.push(OwnEntryVote {
                entry_id: int(&r, "entry_id")?,
                challenge_id: int(&r, "challenge_id")?,
                created_at: int(&r, "created_at")?,
            });
        }
        for r in sqlx::query(
            "SELECT s.entry_id, s.challenge_id, k.name, s.score, s.scored_at
             FROM challenge_scores s JOIN challenge_criteria k ON k.id = s.criterion_id
             WHERE s.evaluator_id = $1 ORDER BY s.scored_at, s.entry_id, k.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            out.challenge_scores.push(OwnScore {
                entry_id: int(&r, "entry_id")?,
                challenge_id: int(&r, "challenge_id")?,
                criterion: text(&r, "name")?,
                score: int(&r, "score")?,
                scored_at: int(&r, "scored_at")?,
            });
        }
        for r in sqlx::query(
            "SELECT id, entry_id, challenge_id, body_md, created_at FROM challenge_comments
             WHERE member_id = $1 ORDER BY created_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            out.challenge_comments.push(OwnEntryComment {
                id: int(&r, "id")?,
                entry_id: int(&r, "entry_id")?,
                challenge_id: int(&r, "challenge_id")?,
                body_md: text(&r, "body_md")?,
                created_at: int(&r, "created_at")?,
            });
        }
        for r in sqlx::query(
            "SELECT id, kind, title, body_md, transcript, person_name, person_org, published_at, created_at
             FROM testimonials WHERE person_member_id = $1 ORDER BY created_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let tid = int(&r, "id")?;
            out.testimonials.push(OwnTestimonial {
                id: tid,
                kind: text(&r, "kind")?,
                title: text(&r, "title")?,
                body_md: text(&r, "body_md")?,
                transcript: text(&r, "transcript")?,
                person_name: text(&r, "person_name")?,
                person_org: text(&r, "person_org")?,
                published_at: opt_int(&r, "published_at")?,
                created_at: int(&r, "created_at")?,
                consents: self.testimonial_consents(tid).await?,
            });
        }
        for r in sqlx::query(
            "SELECT code, path, created_at FROM share_links WHERE member_id = $1 ORDER BY created_at, code",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let code = text(&r, "code")?;
            let mut credits = Vec::new();
            for c in sqlx::query(
                "SELECT action, COUNT(*) AS n FROM share_credits WHERE code = $1 GROUP BY action ORDER BY action",
            )
            .bind(code.clone())
            .fetch_all(&self.pool)
            .await?
            {
                credits.push(OwnShareCredit {
                    action: text(&c, "action")?,
                    count: int(&c, "n")?,
                });
            }
            out.shares.push(OwnShare {
                code,
                path: text(&r, "path")?,
                created_at: int(&r, "created_at")?,
                credits,
            });
        }
        Ok(out)
    }
}

/// Erase member `m`'s part in challenges, testimonials and share links inside the erasure's
/// transaction (see the module's doc for what goes and what stays).
pub(crate) async fn erase_content(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    m: i64,
    delete_writing: bool,
) -> Result<()> {
    // Votes go, and the counts shown on entries with them (and the measures, see
    // `measure_taken_back`).
    let copy = crate::measure_taken_back::challenge_votes("v.member_id = $1");
    crate::measure_taken_back::copy(tx, &copy, m).await?;
    remove_and_recount(tx, m, "challenge_votes", "vote_count").await?;
    if delete_writing {
        remove_and_recount(tx, m, "challenge_comments", "comment_count").await?;
        // An entry's votes, comments and scores are about it: they go with it.
        let copy = crate::measure_taken_back::challenge_votes(
            "v.entry_id IN (SELECT id FROM challenge_entries WHERE member_id = $1)",
        );
        crate::measure_taken_back::copy(tx, &copy, m).await?;
        for sql in [
            "DELETE FROM challenge_votes WHERE entry_id IN (SELECT id FROM challenge_entries WHERE member_id = $1)",
            "DELETE FROM challenge_comments WHERE entry_id IN (SELECT id FROM challenge_entries WHERE member_id = $1)",
            "DELETE FROM challenge_scores WHERE entry_id IN (SELECT id FROM challenge_entries WHERE member_id = $1)",
            "DELETE FROM challenge_entries WHERE member_id = $1",
        ] {
            sqlx::query(sql).bind(m).execute(&mut **tx).await?;
        }
    }
    for sql in [
        "DELETE FROM interview_answers WHERE testimonial_id IN (SELECT id FROM testimonials WHERE person_member_id = $1)",
        "DELETE FROM testimonial_consents WHERE testimonial_id IN (SELECT id FROM testimonials WHERE person_member_id = $1)",
        "DELETE FROM testimonials WHERE person_member_id = $1",
        "DELETE FROM share_credits WHERE code IN (SELECT code FROM share_links WHERE member_id = $1)",
        "DELETE FROM share_credits WHERE member_id = $1",
        "DELETE FROM share_links WHERE member_id = $1",
        // The note of the link a widget sign-in came through names its member in `target`.
        "DELETE FROM share_credits WHERE action = 'widget_sign_in' AND actor_id = $1",
        "UPDATE share_credits SET actor_id = NULL WHERE actor_id = $1",
    ] {
        sqlx::query(sql).bind(m).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Delete a member's rows of `table` (challenge votes or comments) and recount `column` on the
/// entries they were on. `table` and `column` are literals of this file, never input.
async fn remove_and_recount(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    m: i64,
    table: &str,
    column: &str,
) -> Result<()> {
    let entries: Vec<i64> = sqlx::query(&format!(
        "SELECT DISTINCT entry_id FROM {table} WHERE member_id = $1"
    ))
    .bind(m)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.try_get::<i64, _>(0))
    .collect::<std::result::Result<_, _>>()?;
    sqlx::query(&format!("DELETE FROM {table} WHERE member_id = $1"))
        .bind(m)
        .execute(&mut **tx)
        .await?;
    for entry in entries {
        sqlx::query(&format!(
            "UPDATE challenge_entries SET {column} = (SELECT COUNT(*) FROM {table} WHERE entry_id = $1) WHERE id = $1"
        ))
        .bind(entry)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

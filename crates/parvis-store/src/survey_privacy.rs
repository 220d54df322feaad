//! What survey mailings hold about a person, for their export and their erasure.
//!
//! A recipient row keeps the address only until its mail goes out, then only a hash of it
//! (`email_hash`: one survey does not mail an address twice, and a person answers once); a
//! member who answered signed in leaves that hash as a marker (`survey_answered`). Answers
//! themselves are never tied to an address, so neither the export nor the erasure touches
//! them: the export lists the surveys whose mail to the person is still pending (title, when
//! queued), the erasure deletes those rows, gives the mailed ones a hash that is no address's
//! and no member marker (their counts stay) and deletes the person's markers, address and
//! member ones.

use crate::{Result, Store, int, text};
use parvis_domain::{MemberId, Millis};
use serde::Serialize;

/// A survey whose mail to the person has not gone out yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PendingSurvey {
    /// The space that sends it (slug).
    pub space: String,
    pub title: String,
    /// When the address was queued for the mail.
    pub queued_at: Millis,
}

impl Store {
    /// The addresses a person goes by: their account's, those of accounts merged into it, and
    /// their e-mail identities (as stored, not normalised).
    pub async fn person_addresses(&self, member: MemberId) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT email AS a FROM members
             WHERE (id = $1 OR merged_into = $1) AND email IS NOT NULL AND email <> ''
             UNION
             SELECT handle AS a FROM identities
             WHERE member_id IN (SELECT id FROM members WHERE id = $1 OR merged_into = $1)
               AND LOWER(network) IN ('email', 'mail')",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| text(r, "a")).collect()
    }

    /// The surveys whose mail to one of `addresses` (normalised) is still pending, oldest
    /// first.
    pub async fn pending_surveys(&self, addresses: &[String]) -> Result<Vec<PendingSurvey>> {
        let mut out = Vec::new();
        for a in addresses.iter().filter(|a| !a.is_empty()) {
            for r in sqlx::query(
                "SELECT sp.slug, s.title, r.created_at FROM survey_recipients r
                 JOIN surveys s ON s.id = r.survey_id JOIN spaces sp ON sp.id = s.space_id
                 WHERE r.email = $1 AND r.sent_at IS NULL ORDER BY r.created_at, r.id",
            )
            .bind(a)
            .fetch_all(&self.pool)
            .await?
            {
                out.push(PendingSurvey {
                    space: text(&r, "slug")?,
                    title: text(&r, "title")?,
                    queued_at: int(&r, "created_at")?,
                });
            }
        }
        out.sort_by_key(|p| p.queued_at);
        Ok(out)
    }

    /// Erasure: forget the addresses `(hash, normalised address)` and the member markers
    /// `members` in every survey mailing, in one transaction. Rows whose mail has not gone
    /// out are deleted, address and all (the mail is not sent); mailed rows get a hash that is
    /// no address's and lose their member marker, so the survey's counts and a link already
    /// mailed still work but nothing leads back to the address or the member; the markers of
    /// answers given signed in go. Returns how many pending mails were dropped.
    pub async fn forget_survey_addresses(
        &self,
        addresses: &[(String, String)],
        members: &[String],
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        for marker in members {
            for sql in [
                "UPDATE survey_recipients SET member_marker = NULL WHERE member_marker = $1",
                "DELETE FROM survey_answered WHERE marker = $1",
            ] {
                sqlx::query(sql).bind(marker).execute(&mut *tx).await?;
            }
        }
        let mut dropped = 0;
        for (hash, email) in addresses {
            dropped += sqlx::query(
                "DELETE FROM survey_recipients
                 WHERE sent_at IS NULL AND (email_hash = $1 OR (email <> '' AND email = $2))",
            )
            .bind(hash)
            .bind(email)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(
                "UPDATE survey_recipients SET email = '', email_hash = 'erased:' || CAST(id AS TEXT)
                 WHERE email_hash = $1 OR (email <> '' AND email = $2)",
            )
            .bind(hash)
            .bind(email)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM survey_answered WHERE marker = $1")
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(dropped)
    }
}

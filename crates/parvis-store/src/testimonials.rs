//! Testimonials and interviews, with their append-only consent records.
//!
//! The consent in force is the latest record (highest id). Publishing checks it inside the
//! same statement that sets `published_at`, so a withdrawal recorded a moment before wins
//! over a publication racing it.

use crate::{Result, Store, StoreError, int, opt_int, text};
use parvis_domain::Millis;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

/// A testimonial or an interview as stored (all of it: the services decide what is shown).
#[derive(Debug, Clone, Serialize)]
pub struct TestimonialRow {
    pub id: i64,
    pub space_id: i64,
    pub kind: String,
    pub title: String,
    pub topic: String,
    pub body_md: String,
    pub body_html: String,
    pub media_url: String,
    pub transcript: String,
    pub person_member_id: Option<i64>,
    pub person_name: String,
    pub person_org: String,
    pub photo_url: String,
    pub interviewer: String,
    pub prepared: bool,
    pub published_at: Option<Millis>,
    pub created_at: Millis,
}

/// A question and its answer in an interview.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QaPair {
    pub question: String,
    pub answer: String,
}

/// One consent record: what the person agreed to, when, and in what words.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema, PartialEq)]
pub struct ConsentRecord {
    /// Use inside the organisation (members' pages).
    pub internal_use: bool,
    /// Use in public (visitors, embeds, the public API).
    pub public_use: bool,
    /// `full` (name and organisation) or `initials`.
    pub name_shown: String,
    /// The photo may be shown.
    pub photo: bool,
    /// This record withdraws every consent.
    pub withdrawn: bool,
    /// The words the person agreed to.
    pub wording: String,
    pub recorded_at: Millis,
}

/// A new testimonial with its first consent.
#[derive(Debug, Clone)]
pub struct NewTestimonial {
    pub space_id: i64,
    pub kind: String,
    pub title: String,
    pub topic: String,
    pub body_md: String,
    pub body_html: String,
    pub media_url: String,
    pub transcript: String,
    pub person_member_id: Option<i64>,
    pub person_name: String,
    pub person_org: String,
    pub photo_url: String,
    pub interviewer: String,
    pub prepared: bool,
    pub qa: Vec<QaPair>,
    pub consent: ConsentRecord,
    pub created_by: Option<i64>,
    pub now: Millis,
}

pub(crate) const COLS: &str = "id, space_id, kind, title, topic, body_md, body_html, media_url, transcript, person_member_id, person_name, person_org, photo_url, interviewer, prepared, published_at, created_at";

pub(crate) fn row(r: &AnyRow) -> Result<TestimonialRow> {
    Ok(TestimonialRow {
        id: int(r, "id")?,
        space_id: int(r, "space_id")?,
        kind: text(r, "kind")?,
        title: text(r, "title")?,
        topic: text(r, "topic")?,
        body_md: text(r, "body_md")?,
        body_html: text(r, "body_html")?,
        media_url: text(r, "media_url")?,
        transcript: text(r, "transcript")?,
        person_member_id: opt_int(r, "person_member_id")?,
        person_name: text(r, "person_name")?,
        person_org: text(r, "person_org")?,
        photo_url: text(r, "photo_url")?,
        interviewer: text(r, "interviewer")?,
        prepared: int(r, "prepared")? != 0,
        published_at: opt_int(r, "published_at")?,
        created_at: int(r, "created_at")?,
    })
}

fn consent_row(r: &AnyRow) -> Result<ConsentRecord> {
    Ok(ConsentRecord {
        internal_use: int(r, "internal_use")? != 0,
        public_use: int(r, "public_use")? != 0,
        name_shown: text(r, "name_shown")?,
        photo: int(r, "photo")? != 0,
        withdrawn: int(r, "withdrawn")? != 0,
        wording: text(r, "wording")?,
        recorded_at: int(r, "recorded_at")?,
    })
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

async fn insert_consent(tx: &mut Tx, id: i64, c: &ConsentRecord, by: Option<i64>) -> Result<()> {
    sqlx::query("INSERT INTO testimonial_consents (testimonial_id, internal_use, public_use, name_shown, photo, withdrawn, wording, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(id)
        .bind(c.internal_use as i64)
        .bind(c.public_use as i64)
        .bind(&c.name_shown)
        .bind(c.photo as i64)
        .bind(c.withdrawn as i64)
        .bind(&c.wording)
        .bind(c.recorded_at)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Store a testimonial, its Q&A and its first consent; its id.
    pub async fn create_testimonial(&self, t: &NewTestimonial) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query("INSERT INTO testimonials (space_id, kind, title, topic, body_md, body_html, media_url, transcript, person_member_id, person_name, person_org, photo_url, interviewer, prepared, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id")
            .bind(t.space_id)
            .bind(&t.kind)
            .bind(&t.title)
            .bind(&t.topic)
            .bind(&t.body_md)
            .bind(&t.body_html)
            .bind(&t.media_url)
            .bind(&t.transcript)
            .bind(t.person_member_id)
            .bind(&t.person_name)
            .bind(&t.person_org)
            .bind(&t.photo_url)
            .bind(&t.interviewer)
            .bind(t.prepared as i64)
            .bind(t.created_by)
            .bind(t.now)
            .fetch_one(&mut *tx)
            .await?;
        let id = int(&r, "id")?;
        for (i, qa) in t.qa.iter().enumerate() {
            sqlx::query("INSERT INTO interview_answers (testimonial_id, position, question, answer) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(i as i64)
                .bind(&qa.question)
                .bind(&qa.answer)
                .execute(&mut *tx)
                .await?;
        }
        insert_consent(&mut tx, id, &t.consent, t.created_by).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One testimonial.
    pub async fn testimonial(&self, id: i64) -> Result<Option<TestimonialRow>> {
        let sql = format!("SELECT {COLS} FROM testimonials WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(row)
            .transpose()
    }

    /// A space's testimonials, newest first.
    pub async fn testimonials_of_space(&self, space: i64) -> Result<Vec<TestimonialRow>> {
        let sql = format!(
            "SELECT {COLS} FROM testimonials WHERE space_id = $1 ORDER BY created_at DESC, id DESC"
        );
        sqlx::query(&sql)
            .bind(space)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(row)
            .collect()
    }

    /// An interview's questions and answers, in order.
    pub async fn interview_answers(&self, id: i64) -> Result<Vec<QaPair>> {
        sqlx::query("SELECT question, answer FROM interview_answers WHERE testimonial_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(QaPair {
                    question: text(r, "question")?,
                    answer: text(r, "answer")?,
                })
            })
            .collect()
    }

    /// Every consent record of a testimonial, oldest first (the last one is in force).
    pub async fn testimonial_consents(&self, id: i64) -> Result<Vec<ConsentRecord>> {
        sqlx::query("SELECT internal_use, public_use, name_shown, photo, withdrawn, wording, recorded_at FROM testimonial_consents WHERE testimonial_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(consent_row)
            .collect()
    }

    /// Record a new consent (a change or a withdrawal); earlier records stay. A withdrawal
    /// also unpublishes, in the same transaction.
    pub async fn record_testimonial_consent(
        &self,
        id: i64,
        c: &ConsentRecord,
        by: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_consent(&mut tx, id, c, by).await?;
        if c.withdrawn {
            sqlx::query("UPDATE testimonials SET published_at = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Publish a testimonial, only if the consent in force (checked in the same statement)
    /// is not withdrawn and allows some use; false otherwise.
    pub async fn publish_testimonial(&self, id: i64, now: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE testimonials SET published_at = $1 WHERE id = $2 AND EXISTS (
               SELECT 1 FROM testimonial_consents c WHERE c.testimonial_id = $2
                 AND c.id = (SELECT MAX(id) FROM testimonial_consents WHERE testimonial_id = $2)
                 AND c.withdrawn = 0 AND (c.internal_use = 1 OR c.public_use = 1))",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 && self.testimonial(id).await?.is_none() {
            return Err(StoreError::NotFound("testimonial"));
        }
        Ok(done.rows_affected() == 1)
    }

    /// Keep the hash of a guest's new withdrawal link, replacing any earlier one.
    pub async fn set_testimonial_withdrawal_link(
        &self,
        id: i64,
        token_hash: &str,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO testimonial_withdrawal_links (testimonial_id, token_hash, created_at)
             VALUES ($1, $2, $3)
             ON CONFLICT (testimonial_id) DO UPDATE
               SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(id)
        .bind(token_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The testimonial a withdrawal link (by its hash) belongs to.
    pub async fn testimonial_by_withdrawal_link(
        &self,
        token_hash: &str,
    ) -> Result<Option<TestimonialRow>> {
        let sql = format!(
            "SELECT {} FROM testimonials WHERE id = (SELECT testimonial_id FROM testimonial_withdrawal_links WHERE token_hash = $1)",
            COLS
        );
        sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(row)
            .transpose()
    }
}

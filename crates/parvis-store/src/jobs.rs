//! Background jobs, for every capability: a reminder to send, a webhook to call, a digest.
//!
//! - A job has a `kind` (who runs it), a JSON `payload`, a time to run at, and a unique
//!   `dedup_key`: planning the same job twice is one job, so a reminder is never sent twice.
//! - A worker claims due jobs by leasing them (`locked_until`), in one statement. On PostgreSQL
//!   the candidates are picked `FOR UPDATE SKIP LOCKED`, so several instances share the queue
//!   without taking the same job; on SQLite there is one process and the write lock serialises
//!   claims. A job whose worker died is claimed again when its lease runs out: nothing is lost
//!   on a restart.
//! - A failed run records its error and is planned again later (the caller picks the back-off).

use crate::{Backend, Result, Store, int, opt_int, opt_text, text};
use parvis_domain::Millis;
use serde::Serialize;

/// A job as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub dedup_key: String,
    pub payload: String,
    pub run_at: Millis,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub done_at: Option<Millis>,
}

const JOB_COLS: &str = "id, kind, dedup_key, payload, run_at, attempts, last_error, done_at";

fn job_row(r: &sqlx::any::AnyRow) -> Result<Job> {
    Ok(Job {
        id: int(r, "id")?,
        kind: text(r, "kind")?,
        dedup_key: text(r, "dedup_key")?,
        payload: text(r, "payload")?,
        run_at: int(r, "run_at")?,
        attempts: int(r, "attempts")?,
        last_error: opt_text(r, "last_error")?,
        done_at: opt_int(r, "done_at")?,
    })
}

impl Store {
    /// Plan a job; false when a job with this key already exists (nothing changes).
    pub async fn enqueue_job(
        &self,
        kind: &str,
        dedup_key: &str,
        payload: &str,
        run_at: Millis,
        now: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO jobs (kind, dedup_key, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (dedup_key) DO NOTHING",
        )
        .bind(kind)
        .bind(dedup_key)
        .bind(payload)
        .bind(run_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Lease up to `limit` due jobs until `now + lease_ms` and count the attempt.
    pub async fn claim_jobs(&self, now: Millis, limit: i64, lease_ms: i64) -> Result<Vec<Job>> {
        let sql = match self.backend {
            Backend::Postgres => {
                "UPDATE jobs SET locked_until = $2, attempts = attempts + 1 WHERE id IN (
                   SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1
                     AND (locked_until IS NULL OR locked_until < $1)
                   ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
                 RETURNING id, kind, dedup_key, payload, run_at, attempts, last_error, done_at"
            }
            Backend::Sqlite => {
                "UPDATE jobs SET locked_until = $2, attempts = attempts + 1 WHERE id IN (
                   SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1
                     AND (locked_until IS NULL OR locked_until < $1)
                   ORDER BY run_at, id LIMIT $3)
                 RETURNING id, kind, dedup_key, payload, run_at, attempts, last_error, done_at"
            }
        };
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(sql)
            .bind(now)
            .bind(now + lease_ms)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut jobs = rows.iter().map(job_row).collect::<Result<Vec<_>>>()?;
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    /// Mark a job done (an error from an earlier attempt is cleared: it went through).
    pub async fn finish_job(&self, id: i64, now: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET done_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Mark the job planned under `dedup_key` done, if it is not already.
    pub async fn finish_job_by_key(&self, dedup_key: &str, now: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET done_at = $2, locked_until = NULL, last_error = NULL
             WHERE dedup_key = $1 AND done_at IS NULL",
        )
        .bind(dedup_key)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Record a failed run and plan the next one at `retry_at` (`None`: give up, done).
    pub async fn fail_job(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Millis>,
        now: Millis,
    ) -> Result<()> {
        match retry_at {
            Some(at) => sqlx::query(
                "UPDATE jobs SET last_error = $2, run_at = $3, locked_until = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(error)
            .bind(at)
            .execute(&self.pool)
            .await?,
            None => sqlx::query(
                "UPDATE jobs SET last_error = $2, done_at = $3, locked_until = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(error)
            .bind(now)
            .execute(&self.pool)
            .await?,
        };
        Ok(())
    }

    /// Jobs whose key starts with `prefix` (e.g. one session's mails), newest first.
    pub async fn jobs_with_prefix(&self, prefix: &str) -> Result<Vec<Job>> {
        let sql = format!(
            "SELECT {JOB_COLS} FROM jobs WHERE dedup_key LIKE $1 ORDER BY run_at DESC, id DESC LIMIT 500"
        );
        let like = format!("{}%", prefix.replace(['\\', '%'], "").replace('_', "\\_"));
        let sql = sql.replace("LIKE $1", "LIKE $1 ESCAPE '\\'");
        let rows = sqlx::query(&sql).bind(like).fetch_all(&self.pool).await?;
        rows.iter().map(job_row).collect()
    }
}

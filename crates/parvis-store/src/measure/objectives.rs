//! What an admin declares about a space's measures (settings, objectives) and the figures
//! recorded week by week.

use crate::{Result, Store, StoreError, int, opt_text, text};
use parvis_domain::Millis;

/// A stored objective.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveRow {
    pub id: i64,
    pub measure: String,
    pub target: String,
    pub baseline: Option<String>,
    pub due_at: Millis,
    pub segment: String,
    pub created_at: Millis,
}

impl Store {
    /// A space's measure settings (JSON), if set.
    pub async fn measure_settings(&self, space_id: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT settings FROM measure_settings WHERE space_id = $1")
            .bind(space_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| text(&r, "settings")).transpose()
    }

    /// Replace a space's measure settings.
    pub async fn set_measure_settings(&self, space_id: i64, json: &str, now: Millis) -> Result<()> {
        sqlx::query(
            "INSERT INTO measure_settings (space_id, settings, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (space_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        )
        .bind(space_id)
        .bind(json)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Declare an objective; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_objective(
        &self,
        space_id: i64,
        measure: &str,
        target: &str,
        baseline: Option<&str>,
        due_at: Millis,
        segment: &str,
        created_by: i64,
        now: Millis,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO objectives (space_id, measure, target, baseline, due_at, segment, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(space_id)
        .bind(measure)
        .bind(target)
        .bind(baseline)
        .bind(due_at)
        .bind(segment)
        .bind(created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        int(&row, "id")
    }

    /// A space's objectives, soonest due first.
    pub async fn objectives(&self, space_id: i64) -> Result<Vec<ObjectiveRow>> {
        let rows = sqlx::query(
            "SELECT id, measure, target, baseline, due_at, segment, created_at FROM objectives
             WHERE space_id = $1 ORDER BY due_at, id",
        )
        .bind(space_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ObjectiveRow {
                    id: int(r, "id")?,
                    measure: text(r, "measure")?,
                    target: text(r, "target")?,
                    baseline: opt_text(r, "baseline")?,
                    due_at: int(r, "due_at")?,
                    segment: text(r, "segment")?,
                    created_at: int(r, "created_at")?,
                })
            })
            .collect()
    }

    /// Delete an objective of a space.
    pub async fn delete_objective(&self, space_id: i64, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM objectives WHERE space_id = $1 AND id = $2")
            .bind(space_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("objective"));
        }
        Ok(())
    }

    /// Record a figure for a week (replacing that week's value).
    pub async fn record_figure(
        &self,
        space_id: i64,
        key: &str,
        week: i64,
        value: f64,
        formula_version: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO measure_figures (space_id, key, week, value, formula_version) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (space_id, key, week) DO UPDATE SET value = excluded.value, formula_version = excluded.formula_version",
        )
        .bind(space_id)
        .bind(key)
        .bind(week)
        .bind(value.to_string())
        .bind(formula_version)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A figure's history: (week, value, formula version), oldest first.
    pub async fn figures(&self, space_id: i64, key: &str) -> Result<Vec<(i64, f64, String)>> {
        let rows = sqlx::query(
            "SELECT week, value, formula_version FROM measure_figures WHERE space_id = $1 AND key = $2 ORDER BY week",
        )
        .bind(space_id)
        .bind(key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|r| {
                let v = text(r, "value").map(|v| v.parse::<f64>().ok());
                match v {
                    Ok(Some(v)) => {
                        Some(int(r, "week").and_then(|w| Ok((w, v, text(r, "formula_version")?))))
                    }
                    Ok(None) => None,
                    Err(e) => Some(Err(e)),
                }
            })
            .collect()
    }
}

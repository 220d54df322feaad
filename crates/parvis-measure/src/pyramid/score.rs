//! The decaying activity score per member and its weights.

use super::{DAY_MS, WEEK_MS, WeekActivity, week_start};
use crate::MeasureError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Weights of the decaying activity score, printed next to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScoreWeights {
    pub post: f64,
    pub answer: f64,
    pub reaction: f64,
    pub read: f64,
    pub referral: f64,
    /// Days after which an activity counts half.
    pub half_life_days: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights {
            post: 3.0,
            answer: 5.0,
            reaction: 1.0,
            read: 0.1,
            referral: 8.0,
            half_life_days: 30.0,
        }
    }
}

impl ScoreWeights {
    /// Weights must be finite and non-negative; the half-life positive.
    pub fn validate(&self) -> Result<(), MeasureError> {
        for (field, w) in [
            ("post", self.post),
            ("answer", self.answer),
            ("reaction", self.reaction),
            ("read", self.read),
            ("referral", self.referral),
        ] {
            if !w.is_finite() || w < 0.0 {
                return Err(MeasureError::new(
                    field,
                    "out_of_range",
                    "must be a number ≥ 0",
                ));
            }
        }
        if !self.half_life_days.is_finite()
            || self.half_life_days <= 0.0
            || self.half_life_days > 3650.0
        {
            return Err(MeasureError::new(
                "half_life_days",
                "out_of_range",
                "must be a number of days above 0 and at most 3650",
            ));
        }
        Ok(())
    }
}

/// Decaying activity score of one member's rows:
/// `Σ weight(activity) × 0.5^(age_days / half_life_days)`.
///
/// Each weekly row is dated at the middle of its week (so an activity's age is off by at most
/// 3.5 days); rows in the future count with age 0. Rows of other members are ignored by the
/// caller's choice of `rows`.
pub fn activity_score(rows: &[WeekActivity], now_ms: i64, w: &ScoreWeights) -> f64 {
    rows.iter()
        .map(|r| {
            let weight = w.post * f64::from(r.posts)
                + w.answer * f64::from(r.answers)
                + w.reaction * f64::from(r.reactions)
                + w.read * f64::from(r.reads)
                + w.referral * f64::from(r.referrals);
            weight * week_factor(r.week, now_ms, w.half_life_days)
        })
        .sum()
}

/// The decay of a week's activity at `now_ms`: `0.5^(age_days / half_life_days)`, the week
/// dated at its middle, the future counting as age 0. (The store sums weighted activity with
/// these factors when it ranks members by score, so the formula stays here.)
pub fn week_factor(week: i64, now_ms: i64, half_life_days: f64) -> f64 {
    let mid = week_start(week) + WEEK_MS / 2;
    let age_days = ((now_ms - mid) as f64 / DAY_MS as f64).max(0.0);
    0.5_f64.powf(age_days / half_life_days)
}

//! The engagement pyramid: audience → reactors → contributors → engaged → ambassadors, the
//! flows between levels from one period to the next, the people slipping away, and a decaying
//! activity score per member.
//!
//! Input is activity aggregated per (member, channel, week): a member merged across channels
//! (a mailing-list address and a Parvis account resolved to one member) has several rows with
//! the same `member`, and every measure here sums them first.

mod count;
mod model;
mod movement;
mod score;

pub use count::{
    LevelCount, level_of, levels, levels_from_totals, posts_by_channel, pyramid, totals,
};
pub use model::{Level, Period, Person, Thresholds, Totals, WeekActivity};
pub use movement::{Flow, Slipping, flows, slipping_away, slipping_from_totals};
pub use score::{ScoreWeights, activity_score, week_factor};

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;

/// The week a time (Unix ms) falls in: whole weeks since 1970-01-01 (a Thursday).
pub fn week_of(ms: i64) -> i64 {
    ms.div_euclid(WEEK_MS)
}

/// The first instant (Unix ms) of a week index.
pub fn week_start(week: i64) -> i64 {
    week.saturating_mul(WEEK_MS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

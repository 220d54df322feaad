//! The pyramid's vocabulary: activity rows and people (the input), the levels, the thresholds
//! that place people on them, periods of weeks, and a member's totals over a period.

use crate::MeasureError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What one member did on one channel in one week.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekActivity {
    pub member: i64,
    pub channel: String,
    pub week: i64,
    /// Messages written (threads opened and replies).
    pub posts: u32,
    /// Replies to a message written by somebody else.
    pub answers: u32,
    /// Reactions and votes given (challenge entries, opinion statements, live questions and
    /// polls).
    pub reactions: u32,
    /// Threads read (signed-in reads only).
    pub reads: u32,
    /// People brought in: introductions made and accepted, actions by people who came through
    /// the member's share links, testimonials given and published with consent.
    pub referrals: u32,
}

/// A person the space knows (registered, following, or seen in imported activity).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    pub member: i64,
    /// Marked staff or moderator by an admin (the organisation's own voice).
    pub staff: bool,
}

/// The levels, bottom to top.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Reads, follows or registered only.
    Audience,
    /// Reacted or voted, wrote nothing.
    Reactor,
    /// Wrote at least one message.
    Contributor,
    /// Wrote in at least `regular_weeks` distinct weeks and answered others at least `answers` times.
    Engaged,
    /// Contributed and brought in at least `referrals` people.
    Ambassador,
}

impl Level {
    /// Every level, bottom to top.
    pub const ALL: [Level; 5] = [
        Level::Audience,
        Level::Reactor,
        Level::Contributor,
        Level::Engaged,
        Level::Ambassador,
    ];

    /// The stable name used in the API, CSV and objectives.
    pub fn key(self) -> &'static str {
        match self {
            Level::Audience => "audience",
            Level::Reactor => "reactors",
            Level::Contributor => "contributors",
            Level::Engaged => "engaged",
            Level::Ambassador => "ambassadors",
        }
    }
}

/// The configurable thresholds, shown next to the pyramid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Thresholds {
    /// A period's length in weeks (the pyramid counts what happened in it).
    pub window_weeks: u32,
    /// "Regular": wrote in at least this many distinct weeks of the period.
    pub regular_weeks: u32,
    /// Answered messages of others at least this many times in the period.
    pub answers: u32,
    /// Brought in at least this many people in the period (ambassadors).
    pub referrals: u32,
    /// Leave staff and moderators out of the pyramid.
    pub exclude_staff: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            window_weeks: 13,
            regular_weeks: 3,
            answers: 2,
            referrals: 1,
            exclude_staff: true,
        }
    }
}

impl Thresholds {
    /// Refuse thresholds that make no sense, naming the field.
    pub fn validate(&self) -> Result<(), MeasureError> {
        if !(1..=520).contains(&self.window_weeks) {
            return Err(MeasureError::new(
                "window_weeks",
                "out_of_range",
                "must be between 1 and 520 weeks",
            ));
        }
        if self.regular_weeks == 0 || self.regular_weeks > self.window_weeks {
            return Err(MeasureError::new(
                "regular_weeks",
                "out_of_range",
                "must be at least 1 and at most window_weeks",
            ));
        }
        if self.answers == 0 {
            return Err(MeasureError::new(
                "answers",
                "out_of_range",
                "must be at least 1",
            ));
        }
        if self.referrals == 0 {
            return Err(MeasureError::new(
                "referrals",
                "out_of_range",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// Weeks `[from_week, to_week)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from_week: i64,
    pub to_week: i64,
}

impl Period {
    /// The `weeks` weeks that end with (and include) `last_week`.
    pub fn ending(last_week: i64, weeks: u32) -> Period {
        Period {
            from_week: last_week + 1 - i64::from(weeks),
            to_week: last_week + 1,
        }
    }

    /// The period of the same length just before this one.
    pub fn previous(self) -> Period {
        let len = self.to_week - self.from_week;
        Period {
            from_week: self.from_week - len,
            to_week: self.from_week,
        }
    }

    pub(super) fn contains(self, week: i64) -> bool {
        week >= self.from_week && week < self.to_week
    }
}

/// A member's activity summed over channels and the weeks of a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub posts: u32,
    pub answers: u32,
    pub reactions: u32,
    pub reads: u32,
    pub referrals: u32,
    /// Distinct weeks in which the member wrote.
    pub writing_weeks: u32,
    /// The last week with any activity.
    pub last_week: Option<i64>,
}

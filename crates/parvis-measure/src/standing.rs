//! Notoriety beside legitimacy — two structs, never one number. Notoriety says how many people
//! can hear the space; legitimacy says how many of them carry it.

use crate::pyramid::{Level, LevelCount};
use serde::Serialize;
use utoipa::ToSchema;

/// Audience size and reach.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Notoriety {
    /// Distinct signed-in readers in the period.
    pub readers: u64,
    /// Followers on other networks, from imported identities (people known by a handle there).
    pub imported_followers: u64,
    /// Embed impressions over the period: `None` = not measured (the caller has no embeds).
    pub embed_impressions: Option<u64>,
}

/// Who carries the space.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Legitimacy {
    /// People in the top two levels (engaged and ambassadors).
    pub top_two: u64,
    /// Their share of everyone in the pyramid, 0..1.
    pub top_two_share: f64,
    /// Answers given to others in the period.
    pub answers_to_others: u64,
    /// Published testimonials and interviews with consent in force: `None` = not measured.
    pub testimonials: Option<u64>,
}

/// Legitimacy from a pyramid and the period's answers.
pub fn legitimacy(pyramid: &[LevelCount], answers_to_others: u64) -> Legitimacy {
    let total: u64 = pyramid.iter().map(|c| c.count).sum();
    let top_two: u64 = pyramid
        .iter()
        .filter(|c| c.level >= Level::Engaged)
        .map(|c| c.count)
        .sum();
    Legitimacy {
        top_two,
        top_two_share: if total > 0 {
            top_two as f64 / total as f64
        } else {
            0.0
        },
        answers_to_others,
        testimonials: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pyramid::pyramid;
    use std::collections::BTreeMap;

    #[test]
    fn top_two_levels_and_their_share() {
        let l: BTreeMap<i64, Level> = [
            (1, Level::Audience),
            (2, Level::Audience),
            (3, Level::Engaged),
            (4, Level::Ambassador),
        ]
        .into();
        let g = legitimacy(&pyramid(&l), 7);
        assert_eq!(
            (g.top_two, g.top_two_share, g.answers_to_others),
            (2, 0.5, 7)
        );
        assert_eq!(legitimacy(&pyramid(&BTreeMap::new()), 0).top_two_share, 0.0);
    }
}

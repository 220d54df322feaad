//! Movement between two periods: the flows between levels and the people slipping away.

use super::{Level, Period, Totals, WeekActivity, totals};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Where the people who were at one level in the previous period are now.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Flow {
    /// Their level in the previous period (newcomers count as audience before).
    pub level: Level,
    pub moved_up: u64,
    pub held: u64,
    pub moved_down: u64,
}

/// Flows between two periods' levels, one row per level of the earlier period. Someone absent
/// from a period counts as audience in it (a newcomer "moves up" from audience).
pub fn flows(before: &BTreeMap<i64, Level>, after: &BTreeMap<i64, Level>) -> Vec<Flow> {
    let mut rows: Vec<Flow> = Level::ALL
        .iter()
        .map(|&level| Flow {
            level,
            moved_up: 0,
            held: 0,
            moved_down: 0,
        })
        .collect();
    let members: std::collections::BTreeSet<i64> =
        before.keys().chain(after.keys()).copied().collect();
    for m in members {
        let b = before.get(&m).copied().unwrap_or(Level::Audience);
        let a = after.get(&m).copied().unwrap_or(Level::Audience);
        if let Some(row) = rows.iter_mut().find(|r| r.level == b) {
            match a.cmp(&b) {
                std::cmp::Ordering::Greater => row.moved_up += 1,
                std::cmp::Ordering::Equal => row.held += 1,
                std::cmp::Ordering::Less => row.moved_down += 1,
            }
        }
    }
    rows
}

/// Someone who wrote in the previous period and writes no more.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Slipping {
    pub member: i64,
    pub level_before: Level,
    pub level_now: Level,
    pub posts_before: u32,
    /// The last week with any activity (`None` if none ever).
    pub last_active_week: Option<i64>,
}

/// People at contributor level or above in `before` and below contributor in `after`, most
/// active first (then by member id, so ties are stable).
pub fn slipping_away(
    activity: &[WeekActivity],
    before_period: Period,
    before: &BTreeMap<i64, Level>,
    after: &BTreeMap<i64, Level>,
) -> Vec<Slipping> {
    let mut last: BTreeMap<i64, i64> = BTreeMap::new();
    for a in activity {
        let e = last.entry(a.member).or_insert(a.week);
        *e = (*e).max(a.week);
    }
    slipping_from_totals(&totals(activity, before_period), &last, before, after)
}

/// The same from the previous period's totals and each member's last active week.
pub fn slipping_from_totals(
    before_totals: &BTreeMap<i64, Totals>,
    last: &BTreeMap<i64, i64>,
    before: &BTreeMap<i64, Level>,
    after: &BTreeMap<i64, Level>,
) -> Vec<Slipping> {
    let mut out: Vec<Slipping> = before
        .iter()
        .filter(|(_, l)| **l >= Level::Contributor)
        .filter_map(|(m, l)| {
            let now = after.get(m).copied().unwrap_or(Level::Audience);
            (now < Level::Contributor).then(|| Slipping {
                member: *m,
                level_before: *l,
                level_now: now,
                posts_before: before_totals.get(m).map(|t| t.posts).unwrap_or(0),
                last_active_week: last.get(m).copied(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.posts_before
            .cmp(&a.posts_before)
            .then(a.member.cmp(&b.member))
    });
    out
}

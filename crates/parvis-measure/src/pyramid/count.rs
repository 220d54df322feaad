//! Counting: each member's totals over a period, the level they reach, the pyramid's counts
//! per level, and messages per channel per week.

use super::{Level, Period, Person, Thresholds, Totals, WeekActivity};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Sum each member's rows within `period` (channels merged).
pub fn totals(activity: &[WeekActivity], period: Period) -> BTreeMap<i64, Totals> {
    let mut out: BTreeMap<i64, Totals> = BTreeMap::new();
    let mut weeks: BTreeMap<i64, std::collections::BTreeSet<i64>> = BTreeMap::new();
    for a in activity.iter().filter(|a| period.contains(a.week)) {
        let t = out.entry(a.member).or_default();
        t.posts += a.posts;
        t.answers += a.answers;
        t.reactions += a.reactions;
        t.reads += a.reads;
        t.referrals += a.referrals;
        t.last_week = t.last_week.max(Some(a.week));
        if a.posts > 0 {
            weeks.entry(a.member).or_default().insert(a.week);
        }
    }
    for (m, w) in weeks {
        if let Some(t) = out.get_mut(&m) {
            t.writing_weeks = w.len() as u32;
        }
    }
    out
}

/// The level a member's totals reach.
pub fn level_of(t: &Totals, th: &Thresholds) -> Level {
    if t.posts > 0 && t.referrals >= th.referrals {
        Level::Ambassador
    } else if t.writing_weeks >= th.regular_weeks && t.answers >= th.answers {
        Level::Engaged
    } else if t.posts > 0 {
        Level::Contributor
    } else if t.reactions > 0 {
        Level::Reactor
    } else {
        Level::Audience
    }
}

/// Every person's level in `period`: everyone in `people` (at least audience) and everyone seen
/// in the activity; staff left out when the thresholds say so.
pub fn levels(
    people: &[Person],
    activity: &[WeekActivity],
    period: Period,
    th: &Thresholds,
) -> BTreeMap<i64, Level> {
    levels_from_totals(people, &totals(activity, period), th)
}

/// The same from totals already summed per member (e.g. by the store, in SQL).
pub fn levels_from_totals(
    people: &[Person],
    totals: &BTreeMap<i64, Totals>,
    th: &Thresholds,
) -> BTreeMap<i64, Level> {
    let staff: std::collections::BTreeSet<i64> = people
        .iter()
        .filter(|p| p.staff)
        .map(|p| p.member)
        .collect();
    let excluded = |m: &i64| th.exclude_staff && staff.contains(m);
    let mut out: BTreeMap<i64, Level> = people
        .iter()
        .map(|p| p.member)
        .filter(|m| !excluded(m))
        .map(|m| (m, Level::Audience))
        .collect();
    for (m, t) in totals {
        if !excluded(m) {
            out.insert(*m, level_of(t, th));
        }
    }
    out
}

/// One step of the pyramid.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LevelCount {
    pub level: Level,
    pub count: u64,
    /// Share of everyone counted, 0..1 (0 when nobody is counted).
    pub share: f64,
}

/// Count people per level (bottom to top; every level present, zeros included).
pub fn pyramid(levels: &BTreeMap<i64, Level>) -> Vec<LevelCount> {
    let total = levels.len() as f64;
    Level::ALL
        .iter()
        .map(|&level| {
            let count = levels.values().filter(|&&l| l == level).count() as u64;
            LevelCount {
                level,
                count,
                share: if total > 0.0 {
                    count as f64 / total
                } else {
                    0.0
                },
            }
        })
        .collect()
}

/// Messages per channel per week over `period`: `(channels, weeks, counts[channel][week])`.
pub fn posts_by_channel(
    activity: &[WeekActivity],
    period: Period,
) -> (Vec<String>, Vec<i64>, Vec<Vec<u64>>) {
    let weeks: Vec<i64> = (period.from_week..period.to_week).collect();
    let mut by: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for a in activity
        .iter()
        .filter(|a| period.contains(a.week) && a.posts > 0)
    {
        let row = by
            .entry(a.channel.as_str())
            .or_insert_with(|| vec![0; weeks.len()]);
        if let Some(slot) = usize::try_from(a.week - period.from_week)
            .ok()
            .and_then(|i| row.get_mut(i))
        {
            *slot += u64::from(a.posts);
        }
    }
    let channels = by.keys().map(|c| c.to_string()).collect();
    (channels, weeks, by.into_values().collect())
}

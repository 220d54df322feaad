//! The engagement pyramid: audience → reactors → contributors → engaged → ambassadors, the
//! flows between levels from one period to the next, the people slipping away, and a decaying
//! activity score per member.
//!
//! Input is activity aggregated per (member, channel, week): a member merged across channels
//! (a mailing-list address and a Parvis account resolved to one member) has several rows with
//! the same `member`, and every measure here sums them first.

use crate::MeasureError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

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

    fn contains(self, week: i64) -> bool {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(member: i64, channel: &str, week: i64) -> WeekActivity {
        WeekActivity {
            member,
            channel: channel.into(),
            week,
            ..Default::default()
        }
    }

    const P: Period = Period {
        from_week: 10,
        to_week: 20,
    };

    #[test]
    fn empty_space_has_every_level_at_zero() {
        let l = levels(&[], &[], P, &Thresholds::default());
        let p = pyramid(&l);
        assert_eq!(p.len(), 5);
        assert!(p.iter().all(|c| c.count == 0 && c.share == 0.0));
        assert!(
            flows(&l, &l)
                .iter()
                .all(|f| f.moved_up + f.held + f.moved_down == 0)
        );
        assert!(slipping_away(&[], P.previous(), &l, &l).is_empty());
    }

    #[test]
    fn one_member_who_only_registered_is_audience() {
        let people = [Person {
            member: 7,
            staff: false,
        }];
        let p = pyramid(&levels(&people, &[], P, &Thresholds::default()));
        assert_eq!(p[0].count, 1);
        assert_eq!(p[0].share, 1.0);
    }

    #[test]
    fn levels_follow_the_thresholds() {
        let th = Thresholds::default(); // 3 writing weeks and 2 answers make "engaged"
        let mut a = vec![];
        // 1: reacted only
        a.push(WeekActivity {
            reactions: 4,
            ..row(1, "parvis", 10)
        });
        // 2: wrote in 2 weeks with 5 answers: contributor (not regular enough)
        a.push(WeekActivity {
            posts: 3,
            answers: 3,
            ..row(2, "parvis", 10)
        });
        a.push(WeekActivity {
            posts: 2,
            answers: 2,
            ..row(2, "parvis", 11)
        });
        // 3: wrote in exactly 3 weeks, answered exactly twice: engaged
        for w in [10, 12, 19] {
            a.push(WeekActivity {
                posts: 1,
                ..row(3, "parvis", w)
            });
        }
        a.push(WeekActivity {
            answers: 2,
            ..row(3, "parvis", 12)
        });
        // 4: wrote once and brought one person in: ambassador
        a.push(WeekActivity {
            posts: 1,
            referrals: 1,
            ..row(4, "parvis", 15)
        });
        // 5: wrote only outside the period: audience inside it
        a.push(WeekActivity {
            posts: 9,
            ..row(5, "parvis", 20)
        });
        let l = levels(&[], &a, P, &th);
        assert_eq!(l[&1], Level::Reactor);
        assert_eq!(l[&2], Level::Contributor);
        assert_eq!(l[&3], Level::Engaged);
        assert_eq!(l[&4], Level::Ambassador);
        assert!(
            !l.contains_key(&5),
            "activity outside the period is not seen"
        );
        let counts: Vec<u64> = pyramid(&l).iter().map(|c| c.count).collect();
        assert_eq!(counts, vec![0, 1, 1, 1, 1]);
    }

    #[test]
    fn a_member_merged_across_channels_is_counted_once_with_both_channels_summed() {
        // Two writing weeks on the mailing list, one on Parvis: three distinct weeks together.
        let a = vec![
            WeekActivity {
                posts: 1,
                answers: 1,
                ..row(1, "mail", 10)
            },
            WeekActivity {
                posts: 1,
                ..row(1, "mail", 11)
            },
            WeekActivity {
                posts: 1,
                answers: 1,
                ..row(1, "parvis", 12)
            },
            // The same week on two channels is one writing week.
            WeekActivity {
                posts: 1,
                ..row(1, "parvis", 11)
            },
        ];
        let l = levels(&[], &a, P, &Thresholds::default());
        assert_eq!(l.len(), 1);
        assert_eq!(l[&1], Level::Engaged);
        assert_eq!(totals(&a, P)[&1].writing_weeks, 3);
    }

    #[test]
    fn staff_are_left_out_when_asked() {
        let people = [
            Person {
                member: 1,
                staff: true,
            },
            Person {
                member: 2,
                staff: false,
            },
        ];
        let a = vec![WeekActivity {
            posts: 5,
            ..row(1, "parvis", 10)
        }];
        let th = Thresholds::default();
        assert_eq!(levels(&people, &a, P, &th).len(), 1);
        let with = Thresholds {
            exclude_staff: false,
            ..th
        };
        assert_eq!(levels(&people, &a, P, &with)[&1], Level::Contributor);
    }

    #[test]
    fn flows_count_up_held_down_per_earlier_level() {
        let before: BTreeMap<i64, Level> = [
            (1, Level::Contributor),
            (2, Level::Contributor),
            (3, Level::Contributor),
            (4, Level::Engaged),
        ]
        .into();
        // 1 up, 2 held, 3 down, 4 down (gone counts as audience), 5 newcomer up from audience.
        let after: BTreeMap<i64, Level> = [
            (1, Level::Engaged),
            (2, Level::Contributor),
            (3, Level::Reactor),
            (5, Level::Reactor),
        ]
        .into();
        let f = flows(&before, &after);
        let c = &f[2];
        assert_eq!(
            (c.level, c.moved_up, c.held, c.moved_down),
            (Level::Contributor, 1, 1, 1)
        );
        assert_eq!((f[3].moved_up, f[3].held, f[3].moved_down), (0, 0, 1));
        assert_eq!((f[0].moved_up, f[0].held, f[0].moved_down), (1, 0, 0));
    }

    #[test]
    fn slipping_away_lists_silent_writers_most_active_first_ties_by_id() {
        let prev = P.previous(); // weeks 0..10
        let a = vec![
            WeekActivity {
                posts: 2,
                ..row(9, "parvis", 3)
            },
            WeekActivity {
                posts: 2,
                ..row(8, "parvis", 4)
            },
            WeekActivity {
                posts: 5,
                ..row(7, "parvis", 5)
            },
            WeekActivity {
                reactions: 1,
                ..row(8, "parvis", 12)
            },
            WeekActivity {
                posts: 1,
                ..row(6, "parvis", 5)
            },
            WeekActivity {
                posts: 1,
                ..row(6, "parvis", 15)
            },
        ];
        let th = Thresholds::default();
        let before = levels(&[], &a, prev, &th);
        let after = levels(&[], &a, P, &th);
        let s = slipping_away(&a, prev, &before, &after);
        let ids: Vec<i64> = s.iter().map(|x| x.member).collect();
        assert_eq!(ids, vec![7, 8, 9], "6 still writes; 8 and 9 tie on 2 posts");
        assert_eq!(s[1].level_now, Level::Reactor);
        assert_eq!(s[1].last_active_week, Some(12));
    }

    #[test]
    fn score_halves_every_half_life() {
        let w = ScoreWeights {
            half_life_days: 7.0,
            ..Default::default()
        };
        let r = WeekActivity {
            posts: 1,
            answers: 1,
            ..row(1, "parvis", 100)
        };
        let mid = week_start(100) + WEEK_MS / 2;
        let now = activity_score(std::slice::from_ref(&r), mid, &w);
        assert!((now - 8.0).abs() < 1e-9, "3 + 5 at age 0");
        let later = activity_score(std::slice::from_ref(&r), mid + 14 * DAY_MS, &w);
        assert!((later - 2.0).abs() < 1e-9, "two half-lives: 8 / 4");
        assert_eq!(activity_score(&[], mid, &w), 0.0);
    }

    #[test]
    fn bad_thresholds_and_weights_name_the_field() {
        let t = Thresholds {
            regular_weeks: 20,
            ..Default::default()
        };
        assert_eq!(
            t.validate().err().map(|e| e.field),
            Some("regular_weeks".into())
        );
        let w = ScoreWeights {
            half_life_days: 0.0,
            ..Default::default()
        };
        assert_eq!(
            w.validate().err().map(|e| e.field),
            Some("half_life_days".into())
        );
        let w = ScoreWeights {
            reaction: f64::NAN,
            ..Default::default()
        };
        assert_eq!(w.validate().err().map(|e| e.field), Some("reaction".into()));
    }

    #[test]
    fn posts_by_channel_fills_every_week() {
        let a = vec![
            WeekActivity {
                posts: 2,
                ..row(1, "mail", 10)
            },
            WeekActivity {
                posts: 1,
                ..row(2, "mail", 12)
            },
            WeekActivity {
                posts: 4,
                ..row(2, "parvis", 12)
            },
        ];
        let p = Period {
            from_week: 10,
            to_week: 13,
        };
        let (ch, weeks, counts) = posts_by_channel(&a, p);
        assert_eq!(ch, vec!["mail", "parvis"]);
        assert_eq!(weeks, vec![10, 11, 12]);
        assert_eq!(counts, vec![vec![2, 0, 1], vec![0, 0, 4]]);
    }
}

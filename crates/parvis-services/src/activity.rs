//! Conversations by topic over time: messages per topic and channel, counted per week, month,
//! quarter or year over a period the reader picks.
//!
//! A space may hold three weeks of a new forum or thirteen years of an imported mailing list.
//! Counting per month drew 156 hair-thin bars for the second and three fat ones for the first,
//! so the bucket follows the period shown (about sixty bars at most, see [`Bucket::for_span`]),
//! and the period is relative to the space's *last* message: "the last twelve months" of an
//! archive from 2006 are its last twelve months, not an empty chart.

use crate::{Result, Services};
use parvis_domain::{Rule, Space, Topic, ValidationError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration, Month};

/// The width of one bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Week,
    Month,
    Quarter,
    Year,
}

/// Most bars a chart should have when the bucket is chosen for the reader.
const MAX_BARS: i64 = 60;

impl Bucket {
    /// `week`, `month`, `quarter` or `year`.
    pub fn parse(field: &str, s: &str) -> std::result::Result<Bucket, ValidationError> {
        match s {
            "week" => Ok(Bucket::Week),
            "month" => Ok(Bucket::Month),
            "quarter" => Ok(Bucket::Quarter),
            "year" => Ok(Bucket::Year),
            _ => Err(ValidationError::broke(
                field,
                Rule::Choice,
                "expected week, month, quarter or year",
            )),
        }
    }

    /// The bucket's name in queries and answers (`week`, `month`, `quarter`, `year`).
    pub fn code(self) -> &'static str {
        match self {
            Bucket::Week => "week",
            Bucket::Month => "month",
            Bucket::Quarter => "quarter",
            Bucket::Year => "year",
        }
    }

    /// The finest bucket that keeps a span of `days` within [`MAX_BARS`] bars.
    pub fn for_span(days: i64) -> Bucket {
        if days <= MAX_BARS * 7 / 3 {
            // Up to about four months: weeks (a month of a new space is four bars, not one).
            Bucket::Week
        } else if days <= MAX_BARS * 30 {
            Bucket::Month
        } else if days <= MAX_BARS * 91 {
            Bucket::Quarter
        } else {
            Bucket::Year
        }
    }

    /// The first day of the bucket holding `day`.
    fn start(self, day: Date) -> Date {
        match self {
            Bucket::Week => {
                day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
            }
            Bucket::Month => day.replace_day(1).unwrap_or(day),
            Bucket::Quarter => {
                let m = (u8::from(day.month()) - 1) / 3 * 3 + 1;
                Date::from_calendar_date(
                    day.year(),
                    Month::try_from(m).unwrap_or(Month::January),
                    1,
                )
                .unwrap_or(day)
            }
            Bucket::Year => Date::from_calendar_date(day.year(), Month::January, 1).unwrap_or(day),
        }
    }

    /// The first day of the bucket after the one starting at `start`.
    fn next(self, start: Date) -> Date {
        let months = |n: u8| {
            let m = u8::from(start.month()) - 1 + n;
            let (y, m) = (start.year() + i32::from(m / 12), m % 12 + 1);
            Date::from_calendar_date(y, Month::try_from(m).unwrap_or(Month::January), 1)
                .unwrap_or(start)
        };
        match self {
            Bucket::Week => start + Duration::days(7),
            Bucket::Month => months(1),
            Bucket::Quarter => months(3),
            Bucket::Year => {
                Date::from_calendar_date(start.year() + 1, Month::January, 1).unwrap_or(start)
            }
        }
    }

    /// A bar's label: `2026-03-02` (the Monday), `2026-03`, `2026-Q1` or `2026`.
    fn label(self, start: Date) -> String {
        match self {
            Bucket::Week => format!(
                "{:04}-{:02}-{:02}",
                start.year(),
                u8::from(start.month()),
                start.day()
            ),
            Bucket::Month => format!("{:04}-{:02}", start.year(), u8::from(start.month())),
            Bucket::Quarter => format!(
                "{:04}-Q{}",
                start.year(),
                (u8::from(start.month()) - 1) / 3 + 1
            ),
            Bucket::Year => format!("{:04}", start.year()),
        }
    }
}

/// Which stretch of the space's history to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// From the first message to the last.
    #[default]
    All,
    /// The last `n` days up to the last message.
    LastDays(i64),
    /// One calendar year.
    Year(i32),
}

impl Period {
    /// `all`, `90d`, `12m` (365 days) or a year such as `2019`.
    pub fn parse(field: &str, s: &str) -> std::result::Result<Period, ValidationError> {
        let bad = || {
            ValidationError::broke(
                field,
                Rule::Choice,
                format!("{s:?}: expected all, 90d, 12m or a year such as 2019"),
            )
        };
        match s {
            "" | "all" => Ok(Period::All),
            "90d" => Ok(Period::LastDays(90)),
            "12m" => Ok(Period::LastDays(365)),
            y if y.len() == 4 => y
                .parse::<i32>()
                .ok()
                .filter(|y| (1970..=9999).contains(y))
                .map(Period::Year)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// The period as a query value (`all`, `90d`, `12m`, `2019`).
    pub fn as_query(self) -> String {
        match self {
            Period::All => "all".into(),
            Period::LastDays(365) => "12m".into(),
            Period::LastDays(n) => format!("{n}d"),
            Period::Year(y) => y.to_string(),
        }
    }
}

/// For one declared topic: messages per bucket, per channel.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TopicChannels {
    pub topic: Topic,
    /// Channel → count per bucket (aligned with [`TopicActivityView::labels`]).
    pub channels: BTreeMap<String, Vec<i64>>,
    pub total: i64,
}

/// Which conversations touch which declared topic, per channel, over time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TopicActivityView {
    /// The width of one bar (chosen from the period unless asked for).
    pub bucket: Bucket,
    /// The period shown: `all`, `90d`, `12m` or a year.
    pub period: String,
    /// One label per bar, oldest first, every bucket of the period included (empty ones as 0):
    /// `2026-03-02` (week starting that Monday), `2026-03`, `2026-Q1` or `2026`.
    pub labels: Vec<String>,
    /// Years holding at least one message, oldest first (for choosing a year).
    pub years: Vec<i32>,
    pub topics: Vec<TopicChannels>,
}

fn date_of_day(day: i64) -> Option<Date> {
    Date::from_julian_day(i32::try_from(day + 2_440_588).ok()?).ok()
}

/// Count (topic, channel, day, count) rows per bucket over `period`; the bucket is
/// [`Bucket::for_span`] of the period unless `bucket` is given.
pub fn group_activity(
    topics: Vec<Topic>,
    rows: &[parvis_store::TopicActivity],
    period: Period,
    bucket: Option<Bucket>,
) -> TopicActivityView {
    let first_day = rows.iter().map(|r| r.day).min();
    let last_day = rows.iter().map(|r| r.day).max();
    let mut years: Vec<i32> = rows
        .iter()
        .filter_map(|r| date_of_day(r.day).map(|d| d.year()))
        .collect();
    years.sort_unstable();
    years.dedup();
    let range = match (first_day, last_day, period) {
        (Some(f), Some(l), Period::All) => Some((f, l)),
        (Some(f), Some(l), Period::LastDays(n)) => Some(((l - n + 1).max(f), l)),
        (Some(_), Some(_), Period::Year(y)) => {
            let day = |m, d| {
                Date::from_calendar_date(y, m, d)
                    .ok()
                    .map(|d| i64::from(d.to_julian_day()) - 2_440_588)
            };
            day(Month::January, 1).zip(day(Month::December, 31))
        }
        _ => None,
    };
    let bucket =
        bucket.unwrap_or_else(|| Bucket::for_span(range.map_or(0, |(from, to)| to - from + 1)));
    let mut labels = Vec::new();
    let mut starts: HashMap<Date, usize> = HashMap::new();
    if let Some((from, to)) = range
        && let (Some(from), Some(to)) = (date_of_day(from), date_of_day(to))
    {
        let mut at = bucket.start(from);
        // A long history at a fine bucket stays bounded (ten years of weeks is 522 bars).
        while at <= to && labels.len() < 1200 {
            starts.insert(at, labels.len());
            labels.push(bucket.label(at));
            at = bucket.next(at);
        }
    }
    let mut out: Vec<TopicChannels> = topics
        .into_iter()
        .map(|topic| TopicChannels {
            topic,
            channels: BTreeMap::new(),
            total: 0,
        })
        .collect();
    for r in rows {
        let Some(t) = out.iter_mut().find(|t| t.topic.id == r.topic_id) else {
            continue;
        };
        let Some(i) = range
            .filter(|(from, to)| (*from..=*to).contains(&r.day))
            .and_then(|_| date_of_day(r.day))
            .and_then(|d| starts.get(&bucket.start(d)).copied())
        else {
            continue;
        };
        let series = t
            .channels
            .entry(r.channel.clone())
            .or_insert_with(|| vec![0; labels.len()]);
        series[i] += r.messages;
        t.total += r.messages;
    }
    TopicActivityView {
        bucket,
        period: period.as_query(),
        labels,
        years,
        topics: out,
    }
}

impl Services {
    /// Which conversations touch which declared topic of a space, per channel, over `period`.
    pub async fn topic_activity(
        &self,
        space: &Space,
        period: Period,
        bucket: Option<Bucket>,
    ) -> Result<TopicActivityView> {
        let topics = self.topics(space).await?;
        let rows = self.store().topic_activity(space.id).await?;
        Ok(group_activity(topics, &rows, period, bucket))
    }
}

#[cfg(test)]
#[path = "activity_tests.rs"]
mod tests;

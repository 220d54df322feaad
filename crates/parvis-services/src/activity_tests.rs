use super::*;
use parvis_domain::{SpaceId, TopicId};

fn topic(id: i64) -> Topic {
    Topic {
        id: TopicId(id),
        space_id: SpaceId(1),
        slug: "t".into(),
        title: "T".into(),
        description: String::new(),
        keywords: vec![],
        thread_count: 0,
        archived_at: None,
    }
}

fn day(y: i32, m: u8, d: u8) -> i64 {
    let month = Month::try_from(m).unwrap();
    i64::from(
        Date::from_calendar_date(y, month, d)
            .unwrap()
            .to_julian_day(),
    ) - 2_440_588
}

fn row(t: i64, ch: &str, d: i64, n: i64) -> parvis_store::TopicActivity {
    parvis_store::TopicActivity {
        topic_id: TopicId(t),
        channel: ch.into(),
        day: d,
        messages: n,
    }
}

#[test]
fn months_are_filled_and_counts_land_in_their_month() {
    let v = group_activity(
        vec![topic(1), topic(2)],
        &[
            row(1, "email", day(2025, 11, 3), 2),
            row(1, "email", day(2025, 11, 20), 1),
            row(1, "rss", day(2026, 2, 1), 5),
        ],
        Period::All,
        Some(Bucket::Month),
    );
    assert_eq!(v.labels, vec!["2025-11", "2025-12", "2026-01", "2026-02"]);
    assert_eq!(v.topics[0].channels["email"], vec![3, 0, 0, 0]);
    assert_eq!(v.topics[0].channels["rss"], vec![0, 0, 0, 5]);
    assert_eq!(v.topics[0].total, 8);
    assert_eq!(v.topics[1].total, 0);
    assert_eq!(v.years, vec![2025, 2026]);
}

#[test]
fn the_bucket_follows_the_span_so_thirteen_years_are_not_156_thin_bars() {
    // Three weeks of a new forum: weeks, starting on Mondays.
    let v = group_activity(
        vec![topic(1)],
        &[
            row(1, "forum", day(2026, 3, 4), 1),
            row(1, "forum", day(2026, 3, 22), 2),
        ],
        Period::All,
        None,
    );
    assert_eq!(v.bucket, Bucket::Week);
    assert_eq!(v.labels, vec!["2026-03-02", "2026-03-09", "2026-03-16"]);
    assert_eq!(v.topics[0].channels["forum"], vec![1, 0, 2]);
    // Thirteen years of a mailing list: quarters, at most sixty bars.
    let v = group_activity(
        vec![topic(1)],
        &[
            row(1, "email", day(2006, 1, 10), 1),
            row(1, "email", day(2018, 12, 30), 1),
        ],
        Period::All,
        None,
    );
    assert_eq!(v.bucket, Bucket::Quarter);
    assert_eq!(v.labels.len(), 52);
    assert_eq!(v.labels[0], "2006-Q1");
    assert_eq!(v.labels[51], "2018-Q4");
    // Two years: months.
    let v = group_activity(
        vec![topic(1)],
        &[
            row(1, "email", day(2024, 1, 10), 1),
            row(1, "email", day(2025, 12, 30), 1),
        ],
        Period::All,
        None,
    );
    assert_eq!((v.bucket, v.labels.len()), (Bucket::Month, 24));
    // Forty years: years.
    let v = group_activity(
        vec![topic(1)],
        &[
            row(1, "email", day(1986, 1, 1), 1),
            row(1, "email", day(2025, 1, 1), 1),
        ],
        Period::All,
        None,
    );
    assert_eq!((v.bucket, v.labels.len()), (Bucket::Year, 40));
}

#[test]
fn a_period_counts_only_its_own_messages_relative_to_the_last_one() {
    let rows = [
        row(1, "email", day(2005, 6, 1), 4),
        row(1, "email", day(2006, 3, 15), 2),
        row(1, "email", day(2006, 11, 30), 3),
    ];
    // The last twelve months of an old archive end at its last message, not today.
    let v = group_activity(vec![topic(1)], &rows, Period::LastDays(365), None);
    assert_eq!(v.bucket, Bucket::Month);
    assert_eq!(v.labels.first().map(String::as_str), Some("2005-12"));
    assert_eq!(v.labels.last().map(String::as_str), Some("2006-11"));
    assert_eq!(v.topics[0].total, 5);
    // One calendar year: its twelve months, even where nothing was written.
    let v = group_activity(vec![topic(1)], &rows, Period::Year(2005), None);
    assert_eq!(v.labels.len(), 12);
    assert_eq!(v.topics[0].channels["email"][5], 4);
    assert_eq!(v.topics[0].total, 4);
    assert_eq!(v.period, "2005");
    // Nothing at all: no bars, no panic.
    let v = group_activity(vec![topic(1)], &[], Period::LastDays(90), None);
    assert!(v.labels.is_empty());
    assert_eq!(v.topics[0].total, 0);
}

#[test]
fn bad_periods_and_buckets_say_what_is_expected() {
    assert_eq!(Period::parse("period", "2019").unwrap(), Period::Year(2019));
    assert_eq!(
        Period::parse("period", "12m").unwrap(),
        Period::LastDays(365)
    );
    let e = Period::parse("period", "last-week").unwrap_err();
    assert_eq!(e.field, "period");
    assert!(e.message.contains("90d, 12m or a year"), "{}", e.message);
    let e = Bucket::parse("bucket", "day").unwrap_err();
    assert!(e.message.contains("week, month, quarter or year"));
}

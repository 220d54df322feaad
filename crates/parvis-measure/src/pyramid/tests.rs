//! Unit tests of the pyramid: levels, counts, flows, slipping away, the score, validation.

use super::*;
use std::collections::BTreeMap;

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

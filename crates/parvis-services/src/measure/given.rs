//! Testimonials given count as bringing others in, beside introductions and share-link
//! credits: a member whose testimonial or interview is published with their consent in force
//! has spoken for the space to people outside it, which is what the ambassador level is about.
//!
//! They are read at each computation (a handful of rows) and added to the per-member sums read
//! from the weekly aggregate, rather than written into that aggregate: the aggregate only
//! grows, and a testimonial whose consent is withdrawn must stop counting at once.

use parvis_measure::pyramid::Period;
use parvis_store::{MemberPeriods, PeriodSums};
use std::collections::HashMap;

/// `(member, week of publication, testimonials)`, as the store reads them.
pub(crate) type Given = [(i64, i64, i64)];

/// The weeks the sums were read over, and their decay factors (see `snapshot::Inputs`).
#[derive(Clone, Copy)]
pub(super) struct Window<'a> {
    pub period: Period,
    pub previous: Period,
    pub factors: &'a [(i64, f64)],
}

fn empty(member_id: i64) -> MemberPeriods {
    MemberPeriods {
        member_id,
        current: PeriodSums::default(),
        previous: PeriodSums::default(),
        decayed: [0.0; 5],
        elsewhere: false,
    }
}

/// Add `n` referrals in `week` to a member's sums: to the period the week falls in (none: left
/// out) and to the decayed sum with the week's factor, as the aggregate's referrals are.
fn add(row: &mut MemberPeriods, week: i64, n: i64, w: Window<'_>) {
    let sums = if (w.period.from_week..w.period.to_week).contains(&week) {
        &mut row.current
    } else if (w.previous.from_week..w.previous.to_week).contains(&week) {
        &mut row.previous
    } else {
        return;
    };
    sums.referrals += n;
    sums.last_week = sums.last_week.max(Some(week));
    let factor = w
        .factors
        .iter()
        .find(|(w, _)| *w == week)
        .map_or(0.0, |(_, k)| *k);
    row.decayed[4] += n as f64 * factor;
}

/// Add the testimonials given to the per-member sums (a member with no other activity gets a
/// row, as the audience of the space).
pub(super) fn add_given(rows: &mut Vec<MemberPeriods>, given: &Given, w: Window<'_>) {
    let mut at: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.member_id, i))
        .collect();
    for &(member, week, n) in given {
        let i = *at.entry(member).or_insert_with(|| {
            rows.push(empty(member));
            rows.len() - 1
        });
        add(&mut rows[i], week, n, w);
    }
}

/// The same for per-member-and-channel sums: testimonials are given on Parvis itself, like
/// introductions, so they count on the `parvis` channel (and as native activity).
pub(super) fn add_given_on_parvis(
    rows: &mut Vec<(String, MemberPeriods)>,
    given: &Given,
    w: Window<'_>,
) {
    let mut at: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| c == "parvis")
        .map(|(i, (_, r))| (r.member_id, i))
        .collect();
    for &(member, week, n) in given {
        let i = *at.entry(member).or_insert_with(|| {
            rows.push(("parvis".to_string(), empty(member)));
            rows.len() - 1
        });
        add(&mut rows[i].1, week, n, w);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn window() -> Window<'static> {
        Window {
            period: Period {
                from_week: 10,
                to_week: 14,
            },
            previous: Period {
                from_week: 6,
                to_week: 10,
            },
            factors: &[(12, 0.5), (7, 0.25)],
        }
    }

    #[test]
    fn testimonials_are_referrals_of_their_period() {
        let mut writer = empty(1);
        writer.current.posts = 3;
        writer.current.last_week = Some(11);
        let mut rows = vec![writer];
        // Member 1: one this period, one the previous; member 2 only gave one; one too old.
        add_given(
            &mut rows,
            &[(1, 12, 1), (1, 7, 2), (2, 13, 1), (1, 2, 5)],
            window(),
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].current.referrals, rows[0].previous.referrals),
            (1, 2)
        );
        assert_eq!(rows[0].current.last_week, Some(12));
        assert_eq!(rows[0].decayed[4], 0.5 + 2.0 * 0.25);
        assert_eq!(rows[1].member_id, 2);
        assert_eq!((rows[1].current.referrals, rows[1].current.posts), (1, 0));
    }

    #[test]
    fn on_channels_they_count_on_parvis_only() {
        let mut rows = vec![
            ("email".to_string(), empty(1)),
            ("parvis".to_string(), empty(2)),
        ];
        add_given_on_parvis(&mut rows, &[(1, 12, 1), (2, 12, 1)], window());
        assert_eq!(rows[0].1.current.referrals, 0, "email untouched");
        assert_eq!(rows[1].1.current.referrals, 1);
        assert_eq!(rows[2].0, "parvis");
        assert_eq!((rows[2].1.member_id, rows[2].1.current.referrals), (1, 1));
    }
}

//! The ranked scorecard of a challenge, as a pure function of its criteria and scores.
//!
//! An entry's score is the weighted mean, over the criteria it was scored on, of the mean of
//! its evaluators' scores on each criterion. A criterion nobody scored yet does not count as 0
//! (that would punish entries for the evaluators' backlog); the row says how many of the
//! expected scores are in (`scores_in` of `scores_expected`). Entries nobody scored come last,
//! unranked. Equal scores share a rank (1, 1, 3); among equals the most voted comes first,
//! then the oldest, so the order is stable from one reading to the next.

use parvis_store::{Criterion, ScoreRow, ScoreSum};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Two scores closer than this are equal (sums of integer scores divided by small weights).
const EPSILON: f64 = 1e-9;

/// What the ranking needs to know of an entry.
#[derive(Debug, Clone, Copy)]
pub struct Entrant {
    pub entry_id: i64,
    pub votes: i64,
    pub created_at: i64,
}

/// One line of the scorecard.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Ranked {
    pub entry_id: i64,
    /// 1 for the best; equal scores share a rank; absent when nobody scored the entry.
    pub rank: Option<usize>,
    /// Weighted mean on the challenge's scale; absent when nobody scored the entry.
    pub score: Option<f64>,
    /// Mean score per criterion, in the criteria's order (absent where nobody scored).
    pub by_criterion: Vec<Option<f64>>,
    /// Scores given, and scores expected (evaluators × criteria).
    pub scores_in: usize,
    pub scores_expected: usize,
}

/// Rank `entries` from `scores` on `criteria` (see the module doc); `evaluators` is how many
/// evaluators the challenge has, for the completeness count.
pub fn rank(
    criteria: &[Criterion],
    evaluators: usize,
    entries: &[Entrant],
    scores: &[ScoreRow],
) -> Vec<Ranked> {
    let mut sums: HashMap<(i64, i64), ScoreSum> = HashMap::new();
    for s in scores {
        let e = sums
            .entry((s.entry_id, s.criterion_id))
            .or_insert(ScoreSum {
                entry_id: s.entry_id,
                criterion_id: s.criterion_id,
                total: 0,
                count: 0,
            });
        e.total += s.score;
        e.count += 1;
    }
    let sums: Vec<ScoreSum> = sums.into_values().collect();
    rank_sums(criteria, evaluators, entries, &sums)
}

/// [`rank`] from scores already summed per (entry, criterion), as the store reads them for
/// the scorecard.
pub fn rank_sums(
    criteria: &[Criterion],
    evaluators: usize,
    entries: &[Entrant],
    sums: &[ScoreSum],
) -> Vec<Ranked> {
    // (entry, criterion) → (sum, count)
    let sums: HashMap<(i64, i64), (i64, usize)> = sums
        .iter()
        .filter(|s| s.count > 0)
        .map(|s| ((s.entry_id, s.criterion_id), (s.total, s.count as usize)))
        .collect();
    let mut rows: Vec<(Ranked, Entrant)> = entries
        .iter()
        .map(|en| {
            let by_criterion: Vec<Option<f64>> = criteria
                .iter()
                .map(|c| {
                    sums.get(&(en.entry_id, c.id))
                        .map(|(sum, n)| *sum as f64 / *n as f64)
                })
                .collect();
            let (mut weighted, mut weights) = (0.0, 0.0);
            for (c, mean) in criteria.iter().zip(&by_criterion) {
                if let Some(m) = mean {
                    weighted += c.weight as f64 * m;
                    weights += c.weight as f64;
                }
            }
            let scores_in = criteria
                .iter()
                .map(|c| sums.get(&(en.entry_id, c.id)).map_or(0, |s| s.1))
                .sum();
            let r = Ranked {
                entry_id: en.entry_id,
                rank: None,
                score: (weights > 0.0).then(|| weighted / weights),
                by_criterion,
                scores_in,
                scores_expected: criteria.len() * evaluators,
            };
            (r, *en)
        })
        .collect();
    rows.sort_by(|(a, ea), (b, eb)| {
        let by_score = match (a.score, b.score) {
            (Some(x), Some(y)) if (x - y).abs() > EPSILON => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            _ => std::cmp::Ordering::Equal,
        };
        by_score
            .then(eb.votes.cmp(&ea.votes))
            .then(ea.created_at.cmp(&eb.created_at))
            .then(ea.entry_id.cmp(&eb.entry_id))
    });
    let mut previous: Option<(f64, usize)> = None;
    for (i, (r, _)) in rows.iter_mut().enumerate() {
        if let Some(s) = r.score {
            let rank = match previous {
                Some((p, rank)) if (p - s).abs() <= EPSILON => rank,
                _ => i + 1,
            };
            r.rank = Some(rank);
            previous = Some((s, rank));
        }
    }
    rows.into_iter().map(|(r, _)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crit(id: i64, weight: i64) -> Criterion {
        Criterion {
            id,
            name: format!("c{id}"),
            weight,
        }
    }
    fn entrant(id: i64, votes: i64) -> Entrant {
        Entrant {
            entry_id: id,
            votes,
            created_at: id,
        }
    }
    fn s(entry: i64, evaluator: i64, criterion: i64, score: i64) -> ScoreRow {
        ScoreRow {
            entry_id: entry,
            evaluator_id: evaluator,
            criterion_id: criterion,
            score,
        }
    }

    #[test]
    fn weights_decide_between_evaluators_means() {
        // Impact weighs 3, feasibility 1. Entry 1: impact 8 (mean of 6 and 10), feasibility 2
        // → (3·8 + 2) / 4 = 6.5. Entry 2: impact 5, feasibility 10 → (15 + 10) / 4 = 6.25.
        let criteria = [crit(10, 3), crit(11, 1)];
        let scores = [
            s(1, 100, 10, 6),
            s(1, 101, 10, 10),
            s(1, 100, 11, 2),
            s(1, 101, 11, 2),
            s(2, 100, 10, 5),
            s(2, 101, 10, 5),
            s(2, 100, 11, 10),
            s(2, 101, 11, 10),
        ];
        let r = rank(&criteria, 2, &[entrant(2, 9), entrant(1, 0)], &scores);
        assert_eq!(r[0].entry_id, 1);
        assert_eq!(r[0].score, Some(6.5));
        assert_eq!(r[0].by_criterion, vec![Some(8.0), Some(2.0)]);
        assert_eq!((r[0].rank, r[1].rank), (Some(1), Some(2)));
        assert_eq!(r[1].score, Some(6.25));
        assert_eq!((r[0].scores_in, r[0].scores_expected), (4, 4));
    }

    #[test]
    fn ties_share_a_rank_and_votes_order_them() {
        let criteria = [crit(10, 1)];
        let scores = [s(1, 100, 10, 7), s(2, 100, 10, 7), s(3, 100, 10, 9)];
        let r = rank(
            &criteria,
            1,
            &[entrant(1, 1), entrant(2, 5), entrant(3, 0)],
            &scores,
        );
        let order: Vec<_> = r.iter().map(|x| (x.entry_id, x.rank)).collect();
        assert_eq!(order, vec![(3, Some(1)), (2, Some(2)), (1, Some(2))]);
    }

    #[test]
    fn unscored_entries_come_last_unranked_and_missing_criteria_do_not_count_as_zero() {
        let criteria = [crit(10, 1), crit(11, 1)];
        // Entry 1 scored only on the first criterion: its score is that mean, not half of it.
        let scores = [s(1, 100, 10, 4), s(2, 100, 10, 3), s(2, 100, 11, 3)];
        let r = rank(
            &criteria,
            1,
            &[entrant(3, 50), entrant(1, 0), entrant(2, 0)],
            &scores,
        );
        assert_eq!(r[0].entry_id, 1);
        assert_eq!(r[0].score, Some(4.0));
        assert_eq!((r[0].scores_in, r[0].scores_expected), (1, 2));
        assert_eq!(r[2].entry_id, 3);
        assert_eq!((r[2].rank, r[2].score), (None, None));
        assert_eq!(r[2].by_criterion, vec![None, None]);
    }

    #[test]
    fn no_entries_no_criteria_no_panic() {
        assert!(rank(&[], 0, &[], &[]).is_empty());
        let r = rank(&[], 3, &[entrant(1, 0)], &[]);
        assert_eq!((r[0].rank, r[0].scores_expected), (None, 0));
    }
}

#[cfg(test)]
mod sums_tests {
    use super::*;

    /// Summing in the store and summing here rank the same way.
    #[test]
    fn ranking_from_sums_matches_ranking_from_scores() {
        let criteria = vec![
            Criterion {
                id: 1,
                name: "a".into(),
                weight: 2,
            },
            Criterion {
                id: 2,
                name: "b".into(),
                weight: 1,
            },
        ];
        let entries: Vec<Entrant> = (1..=4)
            .map(|id| Entrant {
                entry_id: id,
                votes: 5 - id,
                created_at: id,
            })
            .collect();
        let mut scores = vec![];
        for (entry, evaluator, criterion, score) in [
            (1, 1, 1, 3),
            (1, 2, 1, 5),
            (1, 1, 2, 4),
            (2, 1, 1, 5),
            (2, 2, 2, 2),
            (3, 1, 1, 4),
            (3, 2, 1, 4),
            (3, 1, 2, 4),
            (3, 2, 2, 4),
        ] {
            scores.push(ScoreRow {
                entry_id: entry,
                evaluator_id: evaluator,
                criterion_id: criterion,
                score,
            });
        }
        let mut sums: HashMap<(i64, i64), ScoreSum> = HashMap::new();
        for s in &scores {
            let e = sums
                .entry((s.entry_id, s.criterion_id))
                .or_insert(ScoreSum {
                    entry_id: s.entry_id,
                    criterion_id: s.criterion_id,
                    total: 0,
                    count: 0,
                });
            e.total += s.score;
            e.count += 1;
        }
        let sums: Vec<ScoreSum> = sums.into_values().collect();
        let a = rank(&criteria, 2, &entries, &scores);
        let b = rank_sums(&criteria, 2, &entries, &sums);
        assert_eq!(a, b);
        // Entry 3 (4 everywhere) and entry 2 ((2·5 + 2)/3 = 4) tie; entry 4 is unscored, last.
        assert_eq!(b[3].entry_id, 4);
        assert_eq!(b[3].rank, None);
        assert_eq!(b[0].rank, Some(1));
    }
}

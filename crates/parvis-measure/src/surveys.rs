//! Survey scores by their standard definitions, each with its margin of error (95 %), and the
//! anonymity rules for employee surveys.

use crate::MeasureError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Below this many answers a score is flagged as a small sample (its margin is wide, and
/// the normal approximation behind it is rough).
pub const SMALL_SAMPLE: u64 = 30;
/// No score is shown for a group of fewer respondents than this (employee surveys).
pub const MIN_FOR_SCORE: u64 = 5;
/// No comment is shown for a group of fewer respondents than this (employee surveys).
pub const MIN_FOR_COMMENTS: u64 = 10;

/// What a survey asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Net Promoter Score: "how likely to recommend", 0–10.
    Nps,
    /// Employee NPS: the same question asked of employees, 0–10, anonymity rules apply.
    Enps,
    /// Customer satisfaction, 1–5.
    Csat,
    /// Customer effort (CES 2.0: "the organisation made it easy for me", 1 = strongly
    /// disagree … 7 = strongly agree; higher is better).
    Ces,
}

impl Kind {
    /// The accepted scale, inclusive.
    pub fn scale(self) -> (i64, i64) {
        match self {
            Kind::Nps | Kind::Enps => (0, 10),
            Kind::Csat => (1, 5),
            Kind::Ces => (1, 7),
        }
    }

    /// The stable name used in the API and the store.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Nps => "nps",
            Kind::Enps => "enps",
            Kind::Csat => "csat",
            Kind::Ces => "ces",
        }
    }

    /// Parse a stored or submitted kind; unknown names are refused naming `field`.
    pub fn parse(s: &str, field: &str) -> Result<Kind, MeasureError> {
        match s {
            "nps" => Ok(Kind::Nps),
            "enps" => Ok(Kind::Enps),
            "csat" => Ok(Kind::Csat),
            "ces" => Ok(Kind::Ces),
            _ => Err(MeasureError::new(
                field,
                "unknown_kind",
                "must be one of nps, enps, csat, ces",
            )),
        }
    }

    /// Employee surveys hide small groups.
    pub fn is_employee(self) -> bool {
        self == Kind::Enps
    }
}

/// Refuse a score outside the kind's scale, naming `field`.
pub fn check_score(kind: Kind, score: i64, field: &str) -> Result<(), MeasureError> {
    let (lo, hi) = kind.scale();
    if (lo..=hi).contains(&score) {
        Ok(())
    } else {
        Err(MeasureError::new(
            field,
            "out_of_scale",
            format!("must be a whole number from {lo} to {hi}"),
        ))
    }
}

/// A score with its sample and margin of error.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Score {
    pub kind: Kind,
    /// Number of answers.
    pub n: u64,
    /// NPS/eNPS: −100..100; CSAT: % satisfied 0..100; CES: mean 1..7. `None` with no answers.
    pub value: Option<f64>,
    /// Half-width of the 95 % interval, in the value's unit. `None` when it cannot be
    /// computed (no answers; CES with a single answer has no spread).
    pub margin: Option<f64>,
    /// Fewer than [`SMALL_SAMPLE`] answers.
    pub small_sample: bool,
    /// NPS: promoters (9–10), passives (7–8), detractors (0–6). CSAT: satisfied (4–5), 0, others.
    pub top: u64,
    pub middle: u64,
    pub bottom: u64,
}

/// Compute a score after checking every answer is on the scale (the first one off names its
/// index: `scores[3]`).
///
/// - NPS/eNPS = 100 × (p − d), p and d the shares of promoters (9–10) and detractors (0–6);
///   variance p + d − (p − d)²; margin ± 1.96 × 100 × √(variance / n).
/// - CSAT = 100 × share of 4 and 5 on the 1–5 scale; margin ± 1.96 × 100 × √(s(1 − s) / n).
/// - CES = mean on the 1–7 scale; margin ± 1.96 × sd / √n (sample standard deviation, n − 1).
pub fn score(kind: Kind, scores: &[i64]) -> Result<Score, MeasureError> {
    for (i, &s) in scores.iter().enumerate() {
        check_score(kind, s, &format!("scores[{i}]"))?;
    }
    let n = scores.len() as u64;
    let nf = n as f64;
    let mut out = Score {
        kind,
        n,
        value: None,
        margin: None,
        small_sample: n < SMALL_SAMPLE,
        top: 0,
        middle: 0,
        bottom: 0,
    };
    if n == 0 {
        return Ok(out);
    }
    match kind {
        Kind::Nps | Kind::Enps => {
            out.top = scores.iter().filter(|&&s| s >= 9).count() as u64;
            out.bottom = scores.iter().filter(|&&s| s <= 6).count() as u64;
            out.middle = n - out.top - out.bottom;
            let (p, d) = (out.top as f64 / nf, out.bottom as f64 / nf);
            // Never below 0, even by rounding (a square root follows).
            let variance = (p + d - (p - d).powi(2)).max(0.0);
            out.value = Some(100.0 * (p - d));
            out.margin = Some(1.96 * 100.0 * (variance / nf).sqrt());
        }
        Kind::Csat => {
            out.top = scores.iter().filter(|&&s| s >= 4).count() as u64;
            out.bottom = n - out.top;
            let s = out.top as f64 / nf;
            out.value = Some(100.0 * s);
            out.margin = Some(1.96 * 100.0 * (s * (1.0 - s) / nf).max(0.0).sqrt());
        }
        Kind::Ces => {
            let mean = scores.iter().map(|&s| s as f64).sum::<f64>() / nf;
            out.value = Some(mean);
            if n > 1 {
                let var = scores
                    .iter()
                    .map(|&s| (s as f64 - mean).powi(2))
                    .sum::<f64>()
                    / (nf - 1.0);
                out.margin = Some(1.96 * var.sqrt() / nf.sqrt());
            }
        }
    }
    Ok(out)
}

/// What may be shown of one group of an employee survey.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GroupVisibility {
    pub group: String,
    pub respondents: u64,
    pub show_score: bool,
    pub show_comments: bool,
}

/// Decide which groups of a partition (e.g. departments) may show their score and their
/// comments, so that no group of fewer than `MIN_FOR_SCORE` (scores) or `MIN_FOR_COMMENTS`
/// (comments) respondents can be read, directly or by subtraction.
///
/// A hidden group could be recovered as "the total minus every group shown". So whenever
/// groups are hidden, the hidden ones together must hold at least the threshold: if they do
/// not, the smallest shown groups are hidden too until they do (or all are hidden). The total
/// itself is shown only if it reaches the threshold.
pub fn anonymity(groups: &[(String, u64)]) -> (bool, bool, Vec<GroupVisibility>) {
    let total: u64 = groups.iter().map(|g| g.1).sum();
    let scores = suppress(groups, MIN_FOR_SCORE);
    let comments = suppress(groups, MIN_FOR_COMMENTS);
    let out = groups
        .iter()
        .enumerate()
        .map(|(i, (g, n))| GroupVisibility {
            group: g.clone(),
            respondents: *n,
            show_score: scores[i],
            show_comments: comments[i],
        })
        .collect();
    (total >= MIN_FOR_SCORE, total >= MIN_FOR_COMMENTS, out)
}

/// Which groups may be shown at `min`, with complementary suppression.
fn suppress(groups: &[(String, u64)], min: u64) -> Vec<bool> {
    let mut shown: Vec<bool> = groups.iter().map(|g| g.1 >= min).collect();
    loop {
        let hidden_sum: u64 = groups
            .iter()
            .zip(&shown)
            .filter(|(_, s)| !**s)
            .map(|(g, _)| g.1)
            .sum();
        let any_hidden = shown.iter().any(|s| !s);
        // Groups with nobody hide nothing; only respondents can be revealed.
        if !any_hidden || hidden_sum == 0 || hidden_sum >= min {
            return shown;
        }
        // Hide the smallest group still shown (ties: the first listed).
        let next = groups
            .iter()
            .enumerate()
            .filter(|(i, _)| shown[*i])
            .min_by_key(|(i, g)| (g.1, *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => shown[i] = false,
            None => return shown,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn nps_by_the_standard_definition_with_its_margin() {
        // 10 answers: 4 promoters (9, 9, 10, 10), 3 passives (7, 8, 8), 3 detractors (0, 5, 6).
        let s = score(Kind::Nps, &[9, 9, 10, 10, 7, 8, 8, 0, 5, 6]).unwrap();
        assert_eq!((s.top, s.middle, s.bottom), (4, 3, 3));
        assert!(close(s.value, 10.0));
        // variance = 0.4 + 0.3 − 0.1² = 0.69; margin = 196 × √0.069
        assert!(close(s.margin, 196.0 * 0.069_f64.sqrt()));
        assert!(s.small_sample);
    }

    #[test]
    fn a_survey_with_one_answer() {
        let s = score(Kind::Nps, &[10]).unwrap();
        assert!(close(s.value, 100.0));
        assert!(close(s.margin, 0.0), "p = 1, d = 0: variance 0");
        assert!(s.small_sample);
        let c = score(Kind::Ces, &[5]).unwrap();
        assert!(close(c.value, 5.0));
        assert_eq!(c.margin, None, "one answer has no spread");
        let e = score(Kind::Csat, &[3]).unwrap();
        assert!(close(e.value, 0.0));
    }

    #[test]
    fn no_answers_no_value() {
        let s = score(Kind::Enps, &[]).unwrap();
        assert_eq!((s.n, s.value, s.margin), (0, None, None));
    }

    #[test]
    fn csat_and_ces_by_their_definitions() {
        let s = score(Kind::Csat, &[5, 4, 3, 1]).unwrap();
        assert!(close(s.value, 50.0));
        assert!(close(s.margin, 196.0 * (0.25_f64 / 4.0).sqrt()));
        let c = score(Kind::Ces, &[7, 5, 6]).unwrap();
        assert!(close(c.value, 6.0));
        // sample sd = 1 → 1.96 / √3
        assert!(close(c.margin, 1.96 / 3.0_f64.sqrt()));
    }

    #[test]
    fn out_of_scale_is_refused_naming_the_answer() {
        let e = score(Kind::Nps, &[3, 11]).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("scores[1]", "out_of_scale"));
        assert!(score(Kind::Csat, &[0]).is_err());
        assert!(score(Kind::Ces, &[8]).is_err());
        assert!(score(Kind::Ces, &[1, 7]).is_ok());
        assert!(Kind::parse("nope", "kind").is_err());
    }

    #[test]
    fn small_sample_flag_stops_at_thirty() {
        assert!(score(Kind::Nps, &[8; 29]).unwrap().small_sample);
        assert!(!score(Kind::Nps, &[8; 30]).unwrap().small_sample);
    }

    #[test]
    fn thresholds_exactly_at_five_and_ten() {
        let g = |n: &[u64]| -> Vec<(String, u64)> {
            n.iter()
                .enumerate()
                .map(|(i, n)| (format!("g{i}"), *n))
                .collect()
        };
        let (_, _, v) = anonymity(&g(&[5, 10, 20]));
        assert!(v.iter().all(|x| x.show_score), "5 respondents show a score");
        assert!(!v[0].show_comments, "5 < 10: no comments");
        // g0's 5 are hidden for comments; alone they are fewer than 10, so the next smallest (10)
        // is hidden too, or its comments would come out as total − g2.
        assert!(!v[1].show_comments);
        assert!(v[2].show_comments);
        let (_, _, v) = anonymity(&g(&[4, 10, 20]));
        assert!(!v[0].show_score, "4 < 5: no score");
        assert!(
            !v[1].show_score,
            "complementary group hidden: total − others would reveal g0"
        );
        assert!(v[2].show_score);
    }

    #[test]
    fn no_group_is_revealed_by_subtraction() {
        // Hidden groups together reach 5: nothing more to hide.
        let groups: Vec<(String, u64)> = vec![
            ("a".into(), 3),
            ("b".into(), 2),
            ("c".into(), 40),
            ("d".into(), 8),
        ];
        let (total_score, _, v) = anonymity(&groups);
        assert!(total_score);
        let shown: Vec<bool> = v.iter().map(|x| x.show_score).collect();
        assert_eq!(shown, vec![false, false, true, true]);
        // For every hidden set, total − shown ≥ 5.
        let hidden: u64 = v
            .iter()
            .filter(|x| !x.show_score)
            .map(|x| x.respondents)
            .sum();
        assert!(hidden >= MIN_FOR_SCORE);
        // A total of 4: nothing at all.
        let (t, c, v) = anonymity(&[("a".into(), 4)]);
        assert!(!t && !c && !v[0].show_score);
    }
}

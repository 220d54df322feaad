//! Speaking-time fairness: pure arithmetic over turns.
//!
//! Who counts: the invited speakers plus everyone who took the floor, moderators excepted
//! (the moderator's time is reported apart, as their own share of all speaking time).
//! The discussion time `T` is the speaking time of those people; the fair share is `T / n`.
//!
//! Gini coefficient over those `n` people, those who never spoke counting as zero:
//! `G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ)` — the population form, **without** small-sample
//! correction; it is the figure shown. Because with few speakers `G` cannot exceed
//! `(n − 1) / n` (one voice holding all the time among 3 people gives 0.667), we also give
//! `G · n / (n − 1)`, which reaches 1 in that case, labelled as corrected.

use serde::Serialize;
use utoipa::ToSchema;

/// One turn at the floor as the fairness arithmetic reads it.
#[derive(Debug, Clone)]
pub struct TurnSpan<'a> {
    pub speaker: &'a str,
    pub start: i64,
    /// `None` while the turn runs (it counts until `now`).
    pub end: Option<i64>,
}

/// One person's figures.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct SpeakerShare {
    pub key: String,
    pub name: String,
    /// Total speaking time, in milliseconds.
    pub total_ms: i64,
    pub turns: u32,
    /// Share of the discussion time, 0–1 (0 when nobody spoke yet).
    pub share: f64,
    /// `total_ms` over the fair share (1.0 = exactly fair); 0 when nobody spoke yet.
    pub ratio_to_fair: f64,
    /// Over budget: more than `budget_factor` times the fair share.
    pub over_budget: bool,
}

/// The fairness panel.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Fairness {
    /// Speaking time of the people counted (moderators excepted), in milliseconds.
    pub discussion_ms: i64,
    /// `discussion_ms / n`.
    pub fair_share_ms: i64,
    /// Per person, most time first.
    pub speakers: Vec<SpeakerShare>,
    /// Population Gini (no small-sample correction), 0 = equal, `(n−1)/n` = one voice.
    pub gini: f64,
    /// `gini · n / (n − 1)` (equal to `gini` when n < 2).
    pub gini_corrected: f64,
    /// Moderators' speaking time, in milliseconds.
    pub moderator_ms: i64,
    /// Moderators' time over all speaking time (theirs included), 0–1.
    pub moderator_share: f64,
    /// The budget factor used for warnings (default 1.5).
    pub budget_factor: f64,
}

/// Population Gini coefficient of `xs` (0 for an empty list or when all are zero).
pub fn gini(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let sum: f64 = xs.iter().sum();
    if xs.is_empty() || sum <= 0.0 {
        return 0.0;
    }
    let mu = sum / n;
    // Sorting turns the double sum into a single pass: Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − n + 1) x₍ᵢ₎.
    let mut sorted = xs.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mut double_sum = 0.0;
    for (i, x) in sorted.iter().enumerate() {
        double_sum += 2.0 * (2.0 * i as f64 - n + 1.0) * x;
    }
    double_sum / (2.0 * n * n * mu)
}

/// The fairness figures at `now`.
///
/// `people` are the invited speakers and everyone who took the floor (key, name), in any
/// order and possibly repeated; `moderators` are the keys whose time is counted apart.
pub fn fairness(
    people: &[(&str, &str)],
    moderators: &[&str],
    turns: &[TurnSpan<'_>],
    now: i64,
    budget_factor: f64,
) -> Fairness {
    let mut rows: Vec<SpeakerShare> = Vec::new();
    let mut moderator_ms = 0;
    for (key, name) in people {
        if moderators.contains(key) || rows.iter().any(|r| r.key == *key) {
            continue;
        }
        rows.push(SpeakerShare {
            key: (*key).to_string(),
            name: (*name).to_string(),
            total_ms: 0,
            turns: 0,
            share: 0.0,
            ratio_to_fair: 0.0,
            over_budget: false,
        });
    }
    for t in turns {
        let len = (t.end.unwrap_or(now) - t.start).max(0);
        if moderators.contains(&t.speaker) {
            moderator_ms += len;
        } else if let Some(r) = rows.iter_mut().find(|r| r.key == t.speaker) {
            r.total_ms += len;
            r.turns += 1;
        }
    }
    let discussion_ms: i64 = rows.iter().map(|r| r.total_ms).sum();
    let n = rows.len();
    let fair = if n == 0 {
        0.0
    } else {
        discussion_ms as f64 / n as f64
    };
    for r in &mut rows {
        if discussion_ms > 0 {
            r.share = r.total_ms as f64 / discussion_ms as f64;
            r.ratio_to_fair = r.total_ms as f64 / fair;
            r.over_budget = r.ratio_to_fair > budget_factor;
        }
    }
    rows.sort_by(|a, b| b.total_ms.cmp(&a.total_ms).then(a.name.cmp(&b.name)));
    let xs: Vec<f64> = rows.iter().map(|r| r.total_ms as f64).collect();
    let g = gini(&xs);
    let all = discussion_ms + moderator_ms;
    Fairness {
        discussion_ms,
        fair_share_ms: fair.round() as i64,
        speakers: rows,
        gini: g,
        gini_corrected: if n >= 2 {
            g * n as f64 / (n as f64 - 1.0)
        } else {
            g
        },
        moderator_ms,
        moderator_share: if all > 0 {
            moderator_ms as f64 / all as f64
        } else {
            0.0
        },
        budget_factor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn gini_by_hand() {
        // Equal times: no inequality.
        assert!(close(gini(&[5.0, 5.0, 5.0]), 0.0));
        // One voice among three: ΣΣ|xi−xj| = 4·9 = 36; 2·9·3 = 54 → 2/3.
        assert!(close(gini(&[9.0, 0.0, 0.0]), 2.0 / 3.0));
        // 1, 2, 3: pairs |1−2|+|1−3|+|2−3| = 4, doubled 8; μ = 2; 8 / (2·9·2) = 2/9.
        assert!(close(gini(&[1.0, 2.0, 3.0]), 2.0 / 9.0));
        assert!(close(gini(&[]), 0.0));
        assert!(close(gini(&[0.0, 0.0]), 0.0));
    }

    #[test]
    fn shares_fair_share_budget_and_moderator() {
        // Ana speaks 60 s + 30 s, Bruno 30 s, Chloé (invited) never; the moderator 20 s.
        let people = [("a", "Ana"), ("b", "Bruno"), ("c", "Chloé"), ("a", "Ana")];
        let turns = [
            TurnSpan {
                speaker: "a",
                start: 0,
                end: Some(60_000),
            },
            TurnSpan {
                speaker: "m",
                start: 60_000,
                end: Some(80_000),
            },
            TurnSpan {
                speaker: "b",
                start: 80_000,
                end: Some(110_000),
            },
            TurnSpan {
                speaker: "a",
                start: 110_000,
                end: None,
            },
        ];
        let f = fairness(&people, &["m"], &turns, 140_000, 1.5);
        assert_eq!(f.discussion_ms, 120_000);
        assert_eq!(f.fair_share_ms, 40_000);
        assert_eq!(f.speakers.len(), 3);
        let ana = &f.speakers[0];
        assert_eq!(
            (ana.key.as_str(), ana.total_ms, ana.turns),
            ("a", 90_000, 2)
        );
        assert!(close(ana.share, 0.75));
        assert!(close(ana.ratio_to_fair, 2.25));
        assert!(
            ana.over_budget,
            "2.25× the fair share is over a 1.5× budget"
        );
        let bruno = &f.speakers[1];
        assert!(close(bruno.ratio_to_fair, 0.75) && !bruno.over_budget);
        assert_eq!(
            f.speakers[2].total_ms, 0,
            "Chloé never spoke and still counts"
        );
        // 90, 30, 0 (s): ΣΣ = 2·(60+90+30) = 360; 2·9·40 = 720 → 0.5; corrected ·3/2 = 0.75.
        assert!(close(f.gini, 0.5));
        assert!(close(f.gini_corrected, 0.75));
        assert_eq!(f.moderator_ms, 20_000);
        assert!(close(f.moderator_share, 20.0 / 140.0));
    }

    #[test]
    fn nobody_spoke_yet() {
        let f = fairness(&[("a", "Ana")], &[], &[], 10, 1.5);
        assert_eq!(f.discussion_ms, 0);
        assert!(close(f.gini, 0.0));
        assert!(!f.speakers[0].over_budget);
    }
}

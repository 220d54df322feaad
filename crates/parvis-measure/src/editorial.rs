//! The editorial scorecard of the organisation's own voice (accounts marked staff or
//! moderator): regularity, fidelity, coherence, readability, self-promotion.

use crate::readability::{self, Readability, TextLang};
use crate::{MeasureError, median};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const HOUR_MS: f64 = 3_600_000.0;
const WEEK_MS: f64 = 7.0 * 24.0 * HOUR_MS;

/// The 4-1-1 rule of thumb: one self-serving publication in six.
pub const SELF_PROMOTION_REFERENCE: f64 = 1.0 / 6.0;

/// One staff publication (a thread opened or a message written by a staff account).
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    pub at_ms: i64,
    /// Tagged with one of the declared topics.
    pub on_declared_topic: bool,
    pub text: String,
    pub lang: TextLang,
}

/// A question from the community (a thread opened by someone who is not staff).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Question {
    pub asked_at_ms: i64,
    /// The first reply by a staff account, if any.
    pub first_staff_answer_ms: Option<i64>,
}

/// What the organisation declared: its publishing plan and what it calls itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EditorialPlan {
    /// Publications per week the organisation committed to.
    pub per_week: f64,
    /// Its own names: organisation, products, events (matched as whole words, any case).
    pub own_names: Vec<String>,
}

impl Default for EditorialPlan {
    /// Two publications a week, no own names declared yet.
    fn default() -> Self {
        EditorialPlan {
            per_week: 2.0,
            own_names: vec![],
        }
    }
}

impl EditorialPlan {
    /// A plan must be a positive number of publications a week.
    pub fn validate(&self) -> Result<(), MeasureError> {
        if !self.per_week.is_finite() || self.per_week <= 0.0 || self.per_week > 1000.0 {
            return Err(MeasureError::new(
                "per_week",
                "out_of_range",
                "must be a number of publications per week above 0 and at most 1000",
            ));
        }
        if self.own_names.len() > 50 {
            return Err(MeasureError::new(
                "own_names",
                "too_many",
                "at most 50 names",
            ));
        }
        if let Some(i) = self.own_names.iter().position(|n| n.chars().count() > 100) {
            return Err(MeasureError::new(
                format!("own_names[{i}]"),
                "too_long",
                "at most 100 characters",
            ));
        }
        Ok(())
    }
}

/// The scorecard. Every `Option` is `None` when there is nothing to compute it from.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scorecard {
    pub publications: u64,
    pub weeks: f64,
    /// Publications per week over the period.
    pub per_week: f64,
    /// Declared plan per week.
    pub plan_per_week: f64,
    /// per_week / plan (1 = exactly as planned).
    pub plan_ratio: f64,
    /// Coefficient of variation of the gaps between consecutive publications (standard
    /// deviation / mean; 0 = perfectly even). Needs three publications.
    pub gap_irregularity: Option<f64>,
    pub questions: u64,
    pub questions_answered: u64,
    /// Share of community questions with a staff answer, 0..1.
    pub answer_share: Option<f64>,
    /// Median hours to the first staff answer (answered questions only).
    pub median_first_answer_hours: Option<f64>,
    /// Share of community questions with a staff answer within 48 hours, 0..1.
    pub answered_within_48h: Option<f64>,
    /// Share of publications on a declared topic, 0..1.
    pub coherence: Option<f64>,
    pub readability_en: Readability,
    pub readability_fr: Readability,
    /// Share of publications naming the organisation itself, 0..1.
    pub self_promotion: Option<f64>,
    /// The 4-1-1 reference (1/6).
    pub self_promotion_reference: f64,
}

fn mentions_own(text: &str, names: &[String]) -> bool {
    let lower = text.to_lowercase();
    names
        .iter()
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty())
        .any(|n| {
            lower.match_indices(&n).any(|(i, _)| {
                let before = lower[..i].chars().next_back();
                let after = lower[i + n.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
        })
}

/// Build the scorecard over a period of `weeks` weeks (> 0).
///
/// - regularity: publications / weeks, against the plan; gap irregularity = sd(gaps) / mean(gaps).
/// - fidelity: answered questions / questions; median of (first staff answer − question).
/// - coherence: publications on a declared topic / publications.
/// - readability: Flesch (English) and Kandel & Moles (French) over all publications.
/// - self-promotion: publications naming one of `own_names` / publications.
pub fn scorecard(
    pubs: &[Publication],
    questions: &[Question],
    plan: &EditorialPlan,
    weeks: f64,
) -> Scorecard {
    let n = pubs.len() as u64;
    let weeks = if weeks.is_finite() && weeks > 0.0 {
        weeks
    } else {
        1.0
    };
    let per_week = n as f64 / weeks;
    let mut times: Vec<i64> = pubs.iter().map(|p| p.at_ms).collect();
    times.sort_unstable();
    let gaps: Vec<f64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64 / WEEK_MS)
        .collect();
    let gap_irregularity = (gaps.len() >= 2)
        .then(|| {
            let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
            let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64;
            (mean > 0.0).then(|| var.sqrt() / mean)
        })
        .flatten();
    let answered: Vec<f64> = questions
        .iter()
        .filter_map(|q| {
            q.first_staff_answer_ms
                .map(|a| ((a - q.asked_at_ms).max(0)) as f64 / HOUR_MS)
        })
        .collect();
    let share = |k: usize| (n > 0).then(|| k as f64 / n as f64);
    let parts = |lang| -> Vec<Readability> {
        pubs.iter()
            .filter(|p| p.lang == lang)
            .map(|p| readability::counts(&p.text, lang))
            .collect()
    };
    Scorecard {
        publications: n,
        weeks,
        per_week,
        plan_per_week: plan.per_week,
        plan_ratio: if plan.per_week > 0.0 {
            per_week / plan.per_week
        } else {
            0.0
        },
        gap_irregularity,
        questions: questions.len() as u64,
        questions_answered: answered.len() as u64,
        answer_share: (!questions.is_empty())
            .then(|| answered.len() as f64 / questions.len() as f64),
        median_first_answer_hours: median(&answered),
        answered_within_48h: (!questions.is_empty()).then(|| {
            answered.iter().filter(|h| **h <= 48.0).count() as f64 / questions.len() as f64
        }),
        coherence: share(pubs.iter().filter(|p| p.on_declared_topic).count()),
        readability_en: readability::combine(&parts(TextLang::En), TextLang::En),
        readability_fr: readability::combine(&parts(TextLang::Fr), TextLang::Fr),
        self_promotion: share(
            pubs.iter()
                .filter(|p| mentions_own(&p.text, &plan.own_names))
                .count(),
        ),
        self_promotion_reference: SELF_PROMOTION_REFERENCE,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    const W: i64 = 7 * 24 * H;

    fn p(at: i64, on: bool, text: &str) -> Publication {
        Publication {
            at_ms: at,
            on_declared_topic: on,
            text: text.into(),
            lang: TextLang::En,
        }
    }

    fn plan() -> EditorialPlan {
        EditorialPlan {
            per_week: 2.0,
            own_names: vec!["Acme".into(), "AcmeConf".into()],
        }
    }

    #[test]
    fn empty_period() {
        let s = scorecard(&[], &[], &plan(), 4.0);
        assert_eq!(s.publications, 0);
        assert_eq!(s.per_week, 0.0);
        assert_eq!(
            (s.gap_irregularity, s.answer_share, s.coherence),
            (None, None, None)
        );
        assert_eq!(s.median_first_answer_hours, None);
        assert_eq!(s.self_promotion, None);
    }

    #[test]
    fn regularity_fidelity_coherence_promotion_by_hand() {
        // 4 publications in 2 weeks at even gaps: 2 a week, as planned, irregularity 0.
        let pubs = vec![
            p(0, true, "Welcome to the new season."),
            p(W / 2, true, "Acme ships version two."),
            p(W, false, "Weather is nice."),
            p(3 * W / 2, true, "Join AcmeConf! Tickets open."),
        ];
        let qs = vec![
            Question {
                asked_at_ms: 0,
                first_staff_answer_ms: Some(2 * H),
            },
            Question {
                asked_at_ms: 0,
                first_staff_answer_ms: Some(10 * H),
            },
            Question {
                asked_at_ms: 0,
                first_staff_answer_ms: Some(4 * H),
            },
            Question {
                asked_at_ms: 0,
                first_staff_answer_ms: None,
            },
        ];
        let s = scorecard(&pubs, &qs, &plan(), 2.0);
        assert_eq!(s.per_week, 2.0);
        assert_eq!(s.plan_ratio, 1.0);
        assert_eq!(s.gap_irregularity, Some(0.0));
        assert_eq!(s.answer_share, Some(0.75));
        assert_eq!(s.median_first_answer_hours, Some(4.0));
        assert_eq!(s.answered_within_48h, Some(0.75));
        assert_eq!(s.coherence, Some(0.75));
        assert_eq!(
            s.self_promotion,
            Some(0.5),
            "Acme and AcmeConf, not 'Acmeish'"
        );
        assert!(s.readability_en.score.is_some());
        assert_eq!(s.readability_fr.score, None);
    }

    #[test]
    fn uneven_gaps_are_irregular_and_ties_answer_at_once() {
        // gaps 1 week and 3 weeks: mean 2, sd 1 → 0.5
        let pubs = vec![p(0, true, "a"), p(W, true, "b"), p(4 * W, true, "c")];
        let s = scorecard(&pubs, &[], &plan(), 4.0);
        assert!(s.gap_irregularity.is_some_and(|g| (g - 0.5).abs() < 1e-9));
        // Two publications at the same instant are a gap of 0, not an error.
        let same = vec![p(0, true, "a"), p(0, true, "b"), p(0, true, "c")];
        assert_eq!(scorecard(&same, &[], &plan(), 1.0).gap_irregularity, None);
    }

    #[test]
    fn own_names_match_whole_words_only() {
        assert!(mentions_own("We at ACME think", &["Acme".into()]));
        assert!(!mentions_own("Acmeish things", &["Acme".into()]));
        assert!(!mentions_own("anything", &["  ".into()]));
    }

    #[test]
    fn a_plan_must_be_positive() {
        let bad = EditorialPlan {
            per_week: 0.0,
            own_names: vec![],
        };
        assert_eq!(bad.validate().unwrap_err().field, "per_week");
    }
}

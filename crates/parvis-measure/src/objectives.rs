//! Objectives first: an admin declares a measure, a target, a date and a segment; every
//! dashboard shows the progress against them.
//!
//! Progress is read against a straight line from the value when the objective was declared
//! (the baseline) to the target on the due date: an objective is **on track** when the share of
//! the way already covered is at least the share of the time already elapsed (less a grace of
//! [`GRACE`], so that an objective just declared is not at risk), **at risk** otherwise; **achieved** once the target is reached; **missed** when the date has passed
//! without it.

use crate::MeasureError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Slack on the straight line, as a share of the whole way.
pub const GRACE: f64 = 0.05;

/// A measure an objective can be set on: (key, lower is better).
pub const MEASURES: &[(&str, bool)] = &[
    ("audience", false),
    ("reactors", false),
    ("contributors", false),
    ("engaged", false),
    ("ambassadors", false),
    ("top_two_share", false),
    ("answer_share", false),
    ("answered_within_48h", false),
    ("median_first_answer_hours", true),
    ("publications_per_week", false),
    ("coherence", false),
    ("self_promotion", true),
    ("nps", false),
    ("enps", false),
    ("csat", false),
    ("ces", false),
    ("ipe", false),
    ("ipi", false),
    ("ip", false),
];

/// The measures an objective on a segment can be set on: the pyramid's levels and the share
/// of its top two levels, which the segment's own members give. The others (answer times,
/// publications, surveys, Presence…) are the space's: an objective on a segment would
/// compare the segment's target with the whole space's value.
pub const SEGMENT_MEASURES: &[&str] = &[
    "audience",
    "reactors",
    "contributors",
    "engaged",
    "ambassadors",
    "top_two_share",
];

/// Segments an objective can be restricted to: `""` (the whole space) or `kind:value`.
pub use crate::segment::SEGMENT_KINDS;

/// A declared objective, as parsed at the edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Objective {
    pub measure: String,
    pub target: f64,
    /// Due date, Unix ms.
    pub due_ms: i64,
    /// `""` for the whole space, else `kind:value` (e.g. `ecosystem_role:partner`).
    pub segment: String,
}

impl Objective {
    /// Refuse an unknown measure, a non-finite target, a due date before `now_ms`, an
    /// unknown segment kind or a segment on a measure that is only the whole space's
    /// ([`SEGMENT_MEASURES`]), naming the field.
    pub fn validate(&self, now_ms: i64) -> Result<(), MeasureError> {
        if !MEASURES.iter().any(|(k, _)| *k == self.measure) {
            return Err(MeasureError::new(
                "measure",
                "unknown_measure",
                format!(
                    "unknown measure; known: {}",
                    MEASURES.iter().map(|m| m.0).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if !self.target.is_finite() || self.target.abs() > 1e12 {
            return Err(MeasureError::new(
                "target",
                "not_a_number",
                "must be a number",
            ));
        }
        if self.due_ms <= now_ms {
            return Err(MeasureError::new(
                "due",
                "in_the_past",
                "must be a date in the future",
            ));
        }
        if crate::segment::Segment::parse(&self.segment)?.is_some()
            && !SEGMENT_MEASURES.contains(&self.measure.as_str())
        {
            return Err(MeasureError::new(
                "segment",
                "not_on_segment",
                format!(
                    "{} is measured on the whole space only: leave the segment empty, or choose \
                     one of {}",
                    self.measure,
                    SEGMENT_MEASURES.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Whether a lower value is better for this objective's measure.
    pub fn lower_is_better(&self) -> bool {
        MEASURES.iter().any(|(k, low)| *k == self.measure && *low)
    }
}

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Achieved,
    OnTrack,
    AtRisk,
    Missed,
    /// The measure has no value yet (e.g. no survey answered).
    NoData,
}

/// Progress against an objective.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Progress {
    pub status: Status,
    pub current: Option<f64>,
    /// Share of the way from baseline to target already covered (may exceed 0..1).
    pub covered: Option<f64>,
    /// Share of the time from declaration to due date already elapsed, 0..1.
    pub elapsed: f64,
}

/// Progress of `o`, declared at `created_ms` when the measure stood at `baseline`.
pub fn progress(
    o: &Objective,
    created_ms: i64,
    baseline: Option<f64>,
    current: Option<f64>,
    now_ms: i64,
) -> Progress {
    let span = (o.due_ms - created_ms).max(1) as f64;
    let elapsed = ((now_ms - created_ms) as f64 / span).clamp(0.0, 1.0);
    let Some(cur) = current else {
        return Progress {
            status: Status::NoData,
            current,
            covered: None,
            elapsed,
        };
    };
    let reached = if o.lower_is_better() {
        cur <= o.target
    } else {
        cur >= o.target
    };
    let covered = baseline.map(|b| {
        if (o.target - b).abs() < f64::EPSILON {
            if reached { 1.0 } else { 0.0 }
        } else {
            (cur - b) / (o.target - b)
        }
    });
    let status = if reached {
        Status::Achieved
    } else if now_ms >= o.due_ms {
        Status::Missed
    } else if covered.unwrap_or(0.0) >= elapsed - GRACE {
        Status::OnTrack
    } else {
        Status::AtRisk
    };
    Progress {
        status,
        current,
        covered,
        elapsed,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn obj(measure: &str, target: f64) -> Objective {
        Objective {
            measure: measure.into(),
            target,
            due_ms: 1000,
            segment: String::new(),
        }
    }

    #[test]
    fn unknown_measure_and_segment_are_refused_by_name() {
        assert_eq!(obj("fans", 10.0).validate(0).unwrap_err().field, "measure");
        assert_eq!(
            obj("engaged", f64::NAN).validate(0).unwrap_err().field,
            "target"
        );
        assert_eq!(
            obj("engaged", 40.0).validate(2000).unwrap_err().field,
            "due"
        );
        let mut o = obj("engaged", 40.0);
        o.segment = "colour:blue".into();
        assert_eq!(o.validate(0).unwrap_err().field, "segment");
        o.segment = "ecosystem_role:partner".into();
        assert!(o.validate(0).is_ok());
    }

    #[test]
    fn a_segment_only_on_measures_its_members_give() {
        let mut o = obj("answered_within_48h", 90.0);
        assert!(o.validate(0).is_ok(), "whole space");
        o.segment = "ecosystem_role:partner".into();
        let e = o.validate(0).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("segment", "not_on_segment"));
        assert!(e.message.contains("answered_within_48h"), "{}", e.message);
        for m in SEGMENT_MEASURES {
            o.measure = m.to_string();
            assert!(o.validate(0).is_ok(), "{m}");
        }
    }

    #[test]
    fn on_track_at_risk_achieved_missed() {
        // "40 engaged by the due date", from 20 at time 0; halfway through the time.
        let o = obj("engaged", 40.0);
        assert_eq!(
            progress(&o, 0, Some(20.0), Some(30.0), 500).status,
            Status::OnTrack
        );
        assert_eq!(
            progress(&o, 0, Some(20.0), Some(29.0), 500).status,
            Status::OnTrack,
            "within the grace"
        );
        assert_eq!(
            progress(&o, 0, Some(20.0), Some(28.0), 500).status,
            Status::AtRisk
        );
        assert_eq!(
            progress(&o, 0, Some(20.0), Some(40.0), 500).status,
            Status::Achieved
        );
        assert_eq!(
            progress(&o, 0, Some(20.0), Some(39.0), 1000).status,
            Status::Missed
        );
        assert_eq!(
            progress(&o, 0, Some(20.0), None, 500).status,
            Status::NoData
        );
        let p = progress(&o, 0, Some(20.0), Some(30.0), 500);
        assert_eq!((p.covered, p.elapsed), (Some(0.5), 0.5));
    }

    #[test]
    fn lower_is_better_for_answer_times() {
        // Median first answer from 60 h down to 24 h.
        let o = obj("median_first_answer_hours", 24.0);
        assert!(o.lower_is_better());
        assert_eq!(
            progress(&o, 0, Some(60.0), Some(40.0), 500).status,
            Status::OnTrack
        );
        assert_eq!(
            progress(&o, 0, Some(60.0), Some(50.0), 500).status,
            Status::AtRisk
        );
        assert_eq!(
            progress(&o, 0, Some(60.0), Some(20.0), 500).status,
            Status::Achieved
        );
    }
}

//! The Presence index: IPe (external, customer experience), IPi (internal, employee
//! experience) and IP, each on 0–100, from survey scores and behaviour, with a documented,
//! configurable weighting. Not a scientific instrument: a stated convention, versioned.
//!
//! Every component is first put on 0–100:
//! - NPS and eNPS (−100..100): (score + 100) / 2
//! - CSAT (% satisfied): as is
//! - CES (mean 1..7, higher = easier): (mean − 1) / 6 × 100
//! - responsiveness (share of customers' questions answered by staff): × 100
//! - sentiment of conversations about the organisation (compound −1..1): (s + 1) / 2 × 100
//! - employees' participation (share of staff accounts that wrote in the period): × 100
//!
//! IPe = Σ wᵢ·componentᵢ over the external components, IPi likewise over the internal ones,
//! IP = w_external·IPe + w_internal·IPi. Each group of weights must sum to 1. A component
//! without data is left out and the remaining weights of its group are scaled back to 1 (the
//! figure lists what was missing).

use crate::MeasureError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Stored with every figure: change it whenever the formula or the default weights change.
pub const FORMULA_VERSION: &str = "ip-1";

/// The weighting, shown with the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Weights {
    pub ipe_nps: f64,
    pub ipe_csat: f64,
    pub ipe_ces: f64,
    pub ipe_responsiveness: f64,
    pub ipe_sentiment: f64,
    pub ipi_enps: f64,
    pub ipi_participation: f64,
    pub ip_external: f64,
    pub ip_internal: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            ipe_nps: 0.3,
            ipe_csat: 0.2,
            ipe_ces: 0.15,
            ipe_responsiveness: 0.2,
            ipe_sentiment: 0.15,
            ipi_enps: 0.6,
            ipi_participation: 0.4,
            ip_external: 0.5,
            ip_internal: 0.5,
        }
    }
}

impl Weights {
    /// Every weight in 0..1 and each group summing to 1 (± 0.001), or the field is named:
    /// the weight itself, or `weights.ipe` / `weights.ipi` / `weights.ip` for a sum.
    pub fn validate(&self) -> Result<(), MeasureError> {
        let groups: [(&str, Vec<(&str, f64)>); 3] = [
            (
                "weights.ipe",
                vec![
                    ("ipe_nps", self.ipe_nps),
                    ("ipe_csat", self.ipe_csat),
                    ("ipe_ces", self.ipe_ces),
                    ("ipe_responsiveness", self.ipe_responsiveness),
                    ("ipe_sentiment", self.ipe_sentiment),
                ],
            ),
            (
                "weights.ipi",
                vec![
                    ("ipi_enps", self.ipi_enps),
                    ("ipi_participation", self.ipi_participation),
                ],
            ),
            (
                "weights.ip",
                vec![
                    ("ip_external", self.ip_external),
                    ("ip_internal", self.ip_internal),
                ],
            ),
        ];
        for (group, ws) in groups {
            for (field, w) in &ws {
                if !w.is_finite() || !(0.0..=1.0).contains(w) {
                    return Err(MeasureError::new(
                        *field,
                        "out_of_range",
                        "must be between 0 and 1",
                    ));
                }
            }
            let sum: f64 = ws.iter().map(|(_, w)| w).sum();
            if (sum - 1.0).abs() > 1e-3 {
                return Err(MeasureError::new(
                    group,
                    "weights_sum",
                    format!("the weights must sum to 1 (they sum to {sum:.3})"),
                ));
            }
        }
        Ok(())
    }
}

/// The raw components, each `None` when not measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Components {
    pub nps: Option<f64>,
    pub csat: Option<f64>,
    pub ces: Option<f64>,
    pub responsiveness: Option<f64>,
    pub sentiment: Option<f64>,
    pub enps: Option<f64>,
    pub participation: Option<f64>,
}

/// The index, with what it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Presence {
    pub ipe: Option<f64>,
    pub ipi: Option<f64>,
    pub ip: Option<f64>,
    /// Components left out for want of data.
    pub missing: Vec<String>,
    pub formula_version: String,
}

fn weighted(parts: &[(&str, f64, Option<f64>)], missing: &mut Vec<String>) -> Option<f64> {
    let mut sum = 0.0;
    let mut weight = 0.0;
    for (name, w, v) in parts {
        match v {
            Some(v) if v.is_finite() => {
                sum += w * v.clamp(0.0, 100.0);
                weight += w;
            }
            _ => missing.push((*name).to_string()),
        }
    }
    (weight > 0.0).then(|| sum / weight)
}

/// Compute IPe, IPi and IP (see the module doc for the formula).
pub fn presence(c: &Components, w: &Weights) -> Result<Presence, MeasureError> {
    w.validate()?;
    let mut missing = vec![];
    let nps100 = |v: Option<f64>| v.map(|v| (v + 100.0) / 2.0);
    let ipe = weighted(
        &[
            ("nps", w.ipe_nps, nps100(c.nps)),
            ("csat", w.ipe_csat, c.csat),
            ("ces", w.ipe_ces, c.ces.map(|m| (m - 1.0) / 6.0 * 100.0)),
            (
                "responsiveness",
                w.ipe_responsiveness,
                c.responsiveness.map(|s| s * 100.0),
            ),
            (
                "sentiment",
                w.ipe_sentiment,
                c.sentiment.map(|s| (s + 1.0) / 2.0 * 100.0),
            ),
        ],
        &mut missing,
    );
    let ipi = weighted(
        &[
            ("enps", w.ipi_enps, nps100(c.enps)),
            (
                "participation",
                w.ipi_participation,
                c.participation.map(|s| s * 100.0),
            ),
        ],
        &mut missing,
    );
    let ip = weighted(
        &[("ipe", w.ip_external, ipe), ("ipi", w.ip_internal, ipi)],
        &mut vec![],
    );
    Ok(Presence {
        ipe,
        ipi,
        ip,
        missing,
        formula_version: FORMULA_VERSION.to_string(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn weights_that_do_not_sum_to_one_are_refused_naming_the_group() {
        let w = Weights {
            ipe_nps: 0.5,
            ..Default::default()
        };
        let e = w.validate().unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("weights.ipe", "weights_sum"));
        let w = Weights {
            ip_external: 0.7,
            ip_internal: 0.4,
            ..Default::default()
        };
        assert_eq!(w.validate().unwrap_err().field, "weights.ip");
        let w = Weights {
            ipi_enps: -0.1,
            ipi_participation: 1.1,
            ..Default::default()
        };
        assert_eq!(w.validate().unwrap_err().field, "ipi_enps");
        assert!(Weights::default().validate().is_ok());
    }

    #[test]
    fn index_by_hand() {
        let c = Components {
            nps: Some(20.0),           // → 60
            csat: Some(80.0),          // → 80
            ces: Some(4.0),            // → 50
            responsiveness: Some(0.9), // → 90
            sentiment: Some(0.2),      // → 60
            enps: Some(0.0),           // → 50
            participation: Some(0.5),  // → 50
        };
        let p = presence(&c, &Weights::default()).unwrap();
        let ipe = 0.3 * 60.0 + 0.2 * 80.0 + 0.15 * 50.0 + 0.2 * 90.0 + 0.15 * 60.0;
        assert!(p.ipe.is_some_and(|v| (v - ipe).abs() < 1e-9));
        assert!(p.ipi.is_some_and(|v| (v - 50.0).abs() < 1e-9));
        assert!(p.ip.is_some_and(|v| (v - (ipe + 50.0) / 2.0).abs() < 1e-9));
        assert!(p.missing.is_empty());
        assert_eq!(p.formula_version, FORMULA_VERSION);
    }

    #[test]
    fn missing_components_rescale_their_group_and_are_listed() {
        let c = Components {
            nps: Some(100.0),
            csat: Some(50.0),
            ..Default::default()
        };
        let p = presence(&c, &Weights::default()).unwrap();
        // (0.3 × 100 + 0.2 × 50) / 0.5 = 80; no internal data: IP = IPe.
        assert!(p.ipe.is_some_and(|v| (v - 80.0).abs() < 1e-9));
        assert_eq!(p.ipi, None);
        assert_eq!(p.ip, p.ipe);
        assert!(p.missing.contains(&"enps".to_string()));
        let empty = presence(&Components::default(), &Weights::default()).unwrap();
        assert_eq!((empty.ipe, empty.ipi, empty.ip), (None, None, None));
    }
}

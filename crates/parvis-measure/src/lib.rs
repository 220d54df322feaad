//! Parvis measures: pure functions over plain structs, no I/O, no store types.
//!
//! Design decisions:
//! - **Every formula is written in the doc comment of the function that computes it**, and the
//!   same text is what the interface states next to the figure ([`formulas`]). Figures that a
//!   weighting produces carry a formula version ([`presence::FORMULA_VERSION`]) stored with them.
//! - **Inputs are what the store can aggregate cheaply** (activity per member, channel and week;
//!   questions with the time of their first staff answer; survey scores), so that the services
//!   layer can keep the aggregates current and a dashboard never walks a million messages.
//! - **Bad input is refused with the field named** ([`MeasureError`]): a score outside its scale,
//!   a weighting that does not sum to 1, an unknown measure. Nothing panics.
//! - **Notoriety and legitimacy are two structs**, never one number ([`standing`]).
//! - Figures whose source a space may not have (embed impressions where nothing is embedded,
//!   an event's value where no cost was entered) are `Option`s that say "not measured" rather
//!   than zeros.

pub mod editorial;
pub mod events;
pub mod formulas;
pub mod labels;
pub mod objectives;
pub mod presence;
pub mod pyramid;
pub mod readability;
pub mod segment;
pub mod sentiment;
pub mod standing;
pub mod surveys;

/// A refused input, naming the field and the rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct MeasureError {
    /// The input field at fault (e.g. `"score"`, `"weights.ipe"`, `"measure"`).
    pub field: String,
    /// What is wrong with it, in English (the web layer translates by `rule`).
    pub message: String,
    /// A stable code for the broken rule (`out_of_scale`, `weights_sum`, `unknown_measure`…).
    pub rule: &'static str,
}

impl MeasureError {
    pub(crate) fn new(
        field: impl Into<String>,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        MeasureError {
            field: field.into(),
            message: message.into(),
            rule,
        }
    }
}

/// The median of a list (the mean of the two middle values for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}

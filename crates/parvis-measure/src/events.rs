//! Events: what a session (and a series of sessions on one topic) brought, against what it
//! cost — registrations, attendance in the room and online, leads (registrants who consented
//! to be contacted), meetings held between participants, conversions attributed through the session's embeds and their value, and
//! ROI = (value − cost) / cost.
//!
//! ROI is left out (not zero) when no cost was entered or the cost is zero: a ratio to nothing
//! is not a figure. A series adds up its sessions; its ROI is computed over the sessions whose
//! cost is known (their value against their cost) and says how many those are, so a partial
//! ROI is never shown as a whole one.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What one session counted (from the store).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventCounts {
    /// Registrations not cancelled (confirmed, waiting, or awaiting a visitor's confirmation).
    pub registered: u64,
    /// Confirmed seats.
    pub confirmed: u64,
    /// People seen in the room (checked in).
    pub attended_room: u64,
    /// People seen online during the session.
    pub attended_online: u64,
    /// Distinct people seen, room and online together.
    pub attended: u64,
    /// Confirmed registrants who consented to be contacted (a withdrawn consent no longer counts).
    pub leads: u64,
    /// Meetings between participants that took place (Meet: marked "we met").
    #[serde(default)]
    pub meetings_held: u64,
    /// Conversions reported for clicks on the session's embeds.
    pub conversions: u64,
    /// Their total value, in cents.
    pub value_cents: i64,
    /// What the session cost, in cents (`None`: not entered).
    pub cost_cents: Option<i64>,
}

/// A session's or a series' counts and the rates drawn from them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EventFigures {
    #[serde(flatten)]
    pub counts: EventCounts,
    /// attended / confirmed (0..1; more than 1 when people came without a seat).
    pub attendance_rate: Option<f64>,
    /// leads / confirmed.
    pub lead_rate: Option<f64>,
    /// (value − cost) / cost; `None` without a positive cost.
    pub roi: Option<f64>,
    /// Sessions added up (1 for a session).
    pub sessions: u64,
    /// Of them, how many have a cost entered.
    pub sessions_with_cost: u64,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// ROI = (value − cost) / cost, when the cost is positive.
pub fn roi(value_cents: i64, cost_cents: Option<i64>) -> Option<f64> {
    match cost_cents {
        Some(cost) if cost > 0 => Some((value_cents - cost) as f64 / cost as f64),
        _ => None,
    }
}

/// The figures of one session.
pub fn figures(c: &EventCounts) -> EventFigures {
    series(std::slice::from_ref(c))
}

/// The figures of several sessions added up (a series, or every session of a space).
pub fn series(items: &[EventCounts]) -> EventFigures {
    let mut sum = EventCounts::default();
    let (mut with_cost, mut value_with_cost) = (0, 0);
    for c in items {
        sum.registered += c.registered;
        sum.confirmed += c.confirmed;
        sum.attended_room += c.attended_room;
        sum.attended_online += c.attended_online;
        sum.attended += c.attended;
        sum.leads += c.leads;
        sum.meetings_held += c.meetings_held;
        sum.conversions += c.conversions;
        sum.value_cents += c.value_cents;
        if let Some(cost) = c.cost_cents {
            sum.cost_cents = Some(sum.cost_cents.unwrap_or(0) + cost);
            with_cost += 1;
            value_with_cost += c.value_cents;
        }
    }
    EventFigures {
        attendance_rate: ratio(sum.attended, sum.confirmed),
        lead_rate: ratio(sum.leads, sum.confirmed),
        roi: roi(value_with_cost, sum.cost_cents),
        counts: sum,
        sessions: items.len() as u64,
        sessions_with_cost: with_cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(
        confirmed: u64,
        attended: u64,
        leads: u64,
        value: i64,
        cost: Option<i64>,
    ) -> EventCounts {
        EventCounts {
            registered: confirmed + 2,
            confirmed,
            attended_room: attended / 2,
            attended_online: attended - attended / 2,
            attended,
            leads,
            meetings_held: leads / 2,
            conversions: u64::from(value > 0),
            value_cents: value,
            cost_cents: cost,
        }
    }

    #[test]
    fn roi_is_value_less_cost_over_cost() {
        // 3,000 € brought for 1,200 € spent: (3000 − 1200) / 1200 = 1.5.
        assert_eq!(roi(300_000, Some(120_000)), Some(1.5));
        assert_eq!(
            roi(0, Some(50_000)),
            Some(-1.0),
            "nothing brought: all lost"
        );
        assert_eq!(roi(10_000, None), None, "no cost entered");
        assert_eq!(roi(10_000, Some(0)), None, "a free session has no ratio");
    }

    #[test]
    fn a_session_gives_its_rates() {
        let f = figures(&session(40, 30, 10, 300_000, Some(120_000)));
        assert_eq!(f.attendance_rate, Some(0.75));
        assert_eq!(f.lead_rate, Some(0.25));
        assert_eq!(f.roi, Some(1.5));
        assert_eq!((f.sessions, f.sessions_with_cost), (1, 1));
        let empty = figures(&EventCounts::default());
        assert_eq!(
            (empty.attendance_rate, empty.lead_rate, empty.roi),
            (None, None, None)
        );
    }

    #[test]
    fn a_series_adds_up_and_says_which_costs_are_known() {
        let f = series(&[
            session(40, 30, 10, 300_000, Some(120_000)),
            session(60, 45, 20, 0, Some(80_000)),
            session(20, 10, 5, 50_000, None),
        ]);
        assert_eq!(f.counts.confirmed, 120);
        assert_eq!(f.counts.attended, 85);
        assert_eq!(f.counts.leads, 35);
        assert_eq!(f.counts.value_cents, 350_000);
        assert_eq!(f.counts.cost_cents, Some(200_000));
        // Over the two sessions whose cost is known: (3,000 + 0 − 2,000) / 2,000 = 0.5.
        assert_eq!(f.roi, Some(0.5));
        assert_eq!((f.sessions, f.sessions_with_cost), (3, 2));
        assert_eq!(series(&[]).counts, EventCounts::default());
    }
}

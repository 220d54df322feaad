//! Events in the measures: each session of a space and each series (the sessions of one
//! topic) with registrations, attendance, leads, attributed conversions, cost and ROI
//! (`parvis_measure::events`), and the cost an admin enters per session.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::{Rule, ValidationError, now_millis};
use parvis_measure::events::{self, EventCounts, EventFigures};
use serde::Serialize;
use utoipa::ToSchema;

/// The largest cost accepted (ten billion, in cents).
const MAX_COST_CENTS: i64 = 1_000_000_000_000;

/// One session's line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionEvent {
    pub session_id: i64,
    pub title: String,
    pub starts_at: i64,
    pub topic: String,
    pub closed: bool,
    #[serde(flatten)]
    pub figures: EventFigures,
}

/// One series' line (the sessions of a topic, added up).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesEvent {
    pub topic: String,
    #[serde(flatten)]
    pub figures: EventFigures,
}

/// The events of a space: sessions (newest first), series, and everything added up.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct EventReport {
    pub sessions: Vec<SessionEvent>,
    pub series: Vec<SeriesEvent>,
    pub total: Option<EventFigures>,
}

fn counts(r: &parvis_store::SessionEventRow) -> EventCounts {
    let n = |v: i64| v.max(0) as u64;
    EventCounts {
        registered: n(r.registered),
        confirmed: n(r.confirmed),
        attended_room: n(r.attended_room),
        attended_online: n(r.attended_online),
        attended: n(r.attended),
        leads: n(r.leads),
        meetings_held: n(r.meetings_held),
        conversions: n(r.conversions),
        value_cents: r.value_cents,
        cost_cents: r.cost_cents,
    }
}

/// A cost as typed (`1200`, `1 200,50`, `1200.5` — euros or the organisation's currency):
/// cents, `None` for an empty field (clears the cost), or the field's error.
pub fn parse_cost(typed: &str) -> Result<Option<i64>> {
    let cleaned: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '€')
        .collect::<String>()
        .replace(',', ".");
    if cleaned.is_empty() {
        return Ok(None);
    }
    let bad = || {
        ServiceError::Validation(ValidationError::broke(
            "cost",
            Rule::Range,
            "a cost is a positive amount such as 1200 or 1200,50 (at most two decimals)",
        ))
    };
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
    {
        return Err(bad());
    }
    let units: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let total = units
        .checked_mul(100)
        .and_then(|v| v.checked_add(cents))
        .filter(|v| *v <= MAX_COST_CENTS)
        .ok_or_else(bad)?;
    Ok(Some(total))
}

impl Services {
    /// The events report of a space (computed with the dashboard).
    pub(crate) async fn event_report(&self, space_id: i64) -> Result<EventReport> {
        let rows = self.store().session_event_rows(space_id).await?;
        if rows.is_empty() {
            return Ok(EventReport::default());
        }
        let sessions: Vec<SessionEvent> = rows
            .iter()
            .map(|r| SessionEvent {
                session_id: r.session_id,
                title: r.title.clone(),
                starts_at: r.starts_at,
                topic: r.topic_name.clone(),
                closed: r.closed,
                figures: events::figures(&counts(r)),
            })
            .collect();
        let mut by_topic: Vec<(i64, String, Vec<EventCounts>)> = Vec::new();
        for r in &rows {
            match by_topic.iter_mut().find(|(id, _, _)| *id == r.topic_id) {
                Some((_, _, list)) => list.push(counts(r)),
                None => by_topic.push((r.topic_id, r.topic_name.clone(), vec![counts(r)])),
            }
        }
        let series = by_topic
            .iter()
            .map(|(_, topic, list)| SeriesEvent {
                topic: topic.clone(),
                figures: events::series(list),
            })
            .collect();
        let all: Vec<EventCounts> = rows.iter().map(counts).collect();
        Ok(EventReport {
            sessions,
            series,
            total: Some(events::series(&all)),
        })
    }

    /// Enter (or clear, with an empty field) what a session cost, as typed in the form:
    /// admins only.
    pub async fn set_session_cost(
        &self,
        actor: &Actor,
        slug: &str,
        session_id: i64,
        typed: &str,
    ) -> Result<()> {
        actor.require_admin()?;
        let cost = parse_cost(typed)?;
        self.set_session_cost_cents(actor, slug, session_id, cost)
            .await
    }

    /// Enter (or clear, with `None`) what a session cost, in cents: admins only.
    pub async fn set_session_cost_cents(
        &self,
        actor: &Actor,
        slug: &str,
        session_id: i64,
        cost_cents: Option<i64>,
    ) -> Result<()> {
        actor.require_admin()?;
        if cost_cents.is_some_and(|c| !(0..=MAX_COST_CENTS).contains(&c)) {
            return Err(ServiceError::Validation(ValidationError::broke(
                "cost_cents",
                Rule::Range,
                format!("a cost is between 0 and {MAX_COST_CENTS} cents"),
            )));
        }
        let space = self.space(slug).await?;
        let found = self
            .store()
            .set_session_cost(
                space.id.0,
                session_id,
                cost_cents,
                actor.member.id.0,
                now_millis(),
            )
            .await?;
        if !found {
            return Err(ServiceError::NotFound(format!(
                "session {session_id} in space {slug:?}"
            )));
        }
        self.forget_dashboard(space.id.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_are_read_as_people_type_them() {
        assert_eq!(parse_cost("1200").unwrap(), Some(120_000));
        assert_eq!(parse_cost("1 200,50 €").unwrap(), Some(120_050));
        assert_eq!(parse_cost("99.5").unwrap(), Some(9_950));
        assert_eq!(parse_cost("  ").unwrap(), None, "empty clears the cost");
        for bad in ["-5", "12,345", "douze", "1e9", ".", "99999999999999"] {
            assert!(
                matches!(parse_cost(bad), Err(ServiceError::Validation(ref v)) if v.field == "cost"),
                "{bad}"
            );
        }
    }
}

//! Events in the measures dashboard: the sessions' and series' figures as CSV and as a funnel
//! chart, the cost form (admins) and its API.

use super::{errors_for, show_dashboard, text};
use crate::charts::{PALETTE, esc};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::forms::{failed, unprocessable};
use crate::pages::{PageResult, fail, fail_api, money, percent};
use crate::{AppState, Ctx};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::{Form, Json};
use parvis_domain::Lang;
use parvis_measure::events::EventFigures;
use parvis_services::measure::Dashboard;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use utoipa::ToSchema;

/// Cents as an amount with two decimals (`1200.50`), for CSV.
fn amount(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, (cents % 100).abs())
}

fn row(
    kind: &str,
    id: String,
    title: &str,
    when: String,
    topic: &str,
    f: &EventFigures,
) -> Vec<String> {
    let c = &f.counts;
    vec![
        kind.into(),
        id,
        title.into(),
        when,
        topic.into(),
        c.registered.to_string(),
        c.confirmed.to_string(),
        c.attended_room.to_string(),
        c.attended_online.to_string(),
        c.attended.to_string(),
        c.leads.to_string(),
        c.conversions.to_string(),
        amount(c.value_cents),
        c.cost_cents.map(amount).unwrap_or_default(),
        f.roi.map(|r| format!("{r:.4}")).unwrap_or_default(),
        format!("{}/{}", f.sessions_with_cost, f.sessions),
        c.meetings_held.to_string(),
    ]
}

/// ROI as a percentage in the reader's typography, signed: "+150 %" / "−40 %" in French
/// (no-break space), "+150%" / "−40%" in English; no sign once it rounds to nothing.
fn roi(lang: Lang, r: f64) -> String {
    let p = percent(lang, r);
    match p.strip_prefix('-') {
        Some(rest) => format!("\u{2212}{rest}"),
        // `percent` rounds to tenths of a percent: sign what is still there after rounding.
        None if (r * 1000.0).round() > 0.0 => format!("+{p}"),
        None => p,
    }
}

/// One table line as the page shows it.
fn line(lang: Lang, f: &EventFigures) -> minijinja::Value {
    let c = &f.counts;
    minijinja::context! {
        registered => c.registered,
        confirmed => c.confirmed,
        room => c.attended_room,
        online => c.attended_online,
        attended => c.attended,
        leads => c.leads,
        meetings => c.meetings_held,
        conversions => c.conversions,
        value => money(lang, c.value_cents),
        cost => c.cost_cents.map(|v| money(lang, v)),
        cost_input => c.cost_cents.map(|v| amount(v).replace('.', if lang == Lang::Fr { "," } else { "." })),
        roi => f.roi.map(|r| roi(lang, r)),
        sessions => f.sessions,
        with_cost => f.sessions_with_cost,
    }
}

/// The events table's rows for the template: sessions, series, total.
pub(super) fn context(d: &Dashboard, lang: Lang) -> minijinja::Value {
    let e = &d.events;
    minijinja::context! {
        sessions => e.sessions.iter().map(|s| minijinja::context! {
            id => s.session_id,
            title => s.title,
            date => super::date(s.starts_at),
            topic => s.topic,
            f => line(lang, &s.figures),
        }).collect::<Vec<_>>(),
        series => e.series.iter().map(|s| minijinja::context! {
            topic => s.topic,
            f => line(lang, &s.figures),
        }).collect::<Vec<_>>(),
        total => e.total.as_ref().map(|t| line(lang, t)),
    }
}

/// The events as CSV: one line per session, per series and for the whole space.
pub(super) fn csv(d: &Dashboard) -> Vec<Vec<String>> {
    let e = &d.events;
    let mut rows: Vec<Vec<String>> = e
        .sessions
        .iter()
        .map(|s| {
            row(
                "session",
                s.session_id.to_string(),
                &s.title,
                super::date(s.starts_at),
                &s.topic,
                &s.figures,
            )
        })
        .collect();
    rows.extend(e.series.iter().map(|s| {
        row(
            "series",
            String::new(),
            "",
            String::new(),
            &s.topic,
            &s.figures,
        )
    }));
    if let Some(t) = &e.total {
        rows.push(row("total", String::new(), "", String::new(), "", t));
    }
    rows
}

/// The CSV's header line.
pub(super) const CSV_HEADER: &[&str] = &[
    "kind",
    "session_id",
    "title",
    "date",
    "topic",
    "registered",
    "confirmed",
    "attended_room",
    "attended_online",
    "attended",
    "leads",
    "conversions",
    "value",
    "cost",
    "roi",
    "sessions_with_cost",
    "meetings_held",
];

/// The funnel of every session added up: registered → confirmed → attended → leads →
/// conversions, one bar per stage with its count.
pub(super) fn svg(d: &Dashboard, lang: Lang) -> String {
    let c = d
        .events
        .total
        .as_ref()
        .map(|t| t.counts)
        .unwrap_or_default();
    let stages = [
        ("m_ev_registered", c.registered),
        ("m_ev_confirmed", c.confirmed),
        ("m_ev_attended", c.attended),
        ("m_ev_leads", c.leads),
        ("m_ev_conversions", c.conversions),
    ];
    let (w, row) = (640.0_f64, 30.0_f64);
    let max = stages.iter().map(|s| s.1).max().unwrap_or(0).max(1) as f64;
    let h = row * stages.len() as f64 + 10.0;
    let title = text(lang, "m_events_title");
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{0}" xmlns="http://www.w3.org/2000/svg"><title>{0}</title>"#,
        esc(title)
    );
    for (i, (key, n)) in stages.iter().enumerate() {
        let label = text(lang, key);
        let bw = ((w - 260.0) * *n as f64 / max).max(2.0);
        let y = 5.0 + row * i as f64;
        let _ = write!(
            svg,
            r##"<text x="150" y="{:.1}" font-size="12" text-anchor="end" fill="#1d2330">{}</text><rect x="160" y="{y:.1}" width="{bw:.1}" height="{:.1}" fill="{}"><title>{} : {n}</title></rect><text x="{:.1}" y="{:.1}" font-size="12" fill="#1d2330">{n}</text>"##,
            y + row / 2.0 + 4.0,
            esc(label),
            row - 8.0,
            PALETTE[i % PALETTE.len()],
            esc(label),
            168.0 + bw,
            y + row / 2.0 + 4.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Deserialize, Serialize)]
pub(super) struct CostForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cost: String,
}

/// What was typed in a session's cost field, to show it again.
#[derive(Serialize)]
struct Typed<'a> {
    cost: &'a str,
    session: i64,
}

/// `POST /s/{space}/measures/events/{session}/cost` (admins): back to the events table, or
/// the dashboard again with the typed cost and the error next to it.
pub(super) async fn set_cost(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, session)): Path<(String, i64)>,
    Form(f): Form<CostForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    match st
        .services
        .set_session_cost(actor, &space, session, &f.cost)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/s/{space}/measures#events")).into_response()),
        Err(e) => match errors_for(ctx.lang, &e, None) {
            Some(errors) => {
                let typed = Typed {
                    cost: &f.cost,
                    session,
                };
                let extra = minijinja::context! { failed => failed("cost", &typed, errors) };
                unprocessable(show_dashboard(&st, &ctx, &space, extra).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

/// What a session cost.
#[derive(Deserialize, ToSchema)]
pub(super) struct SessionCost {
    /// In cents of the organisation's currency; `null` clears it.
    cost_cents: Option<i64>,
}

/// The events of a space after the change.
#[derive(Serialize, ToSchema)]
pub(super) struct CostSaved {
    session_id: i64,
    cost_cents: Option<i64>,
}

/// Enter or clear what a session cost, for its ROI (admins)
#[utoipa::path(put, path = "/spaces/{space}/sessions/{session}/cost", tag = "measures",
    params(("space" = String, Path, description = "space slug"), ("session" = i64, Path, description = "session id")),
    request_body = SessionCost,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the cost now in force", body = CostSaved)))]
pub(super) async fn put_cost(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, session)): ApiPath<(String, i64)>,
    ApiJson(b): ApiJson<SessionCost>,
) -> Result<(StatusCode, Json<CostSaved>), ApiError> {
    st.services
        .set_session_cost_cents(ctx.actor()?, &space, session, b.cost_cents)
        .await?;
    Ok((
        StatusCode::OK,
        Json(CostSaved {
            session_id: session,
            cost_cents: b.cost_cents,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_cents() {
        assert_eq!(amount(120_050), "1200.50");
        assert_eq!(amount(5), "0.05");
        assert_eq!(roi(Lang::Fr, 1.5), "+150\u{a0}%");
        assert_eq!(roi(Lang::En, 1.5), "+150%");
        assert_eq!(roi(Lang::Fr, -0.4), "\u{2212}40\u{a0}%");
        assert_eq!(roi(Lang::En, -0.125), "\u{2212}12.5%");
        assert_eq!(roi(Lang::En, 0.0), "0%");
        assert_eq!(roi(Lang::Fr, 0.004), "+0,4\u{a0}%");
    }
}

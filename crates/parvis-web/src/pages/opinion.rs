//! A topic's opinion map: the page, its JSON, CSV and SVG, and the forms that submit,
//! vote on and moderate statements.

/// This area's JSON API handlers, under `/api/v1`.
pub(crate) mod api;

use super::{PageResult, fail, fail_api, render, safe_next, see_other};
use crate::AppState;
use crate::context::Ctx;
use crate::error::PageError;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_domain::*;
use parvis_services::ServiceError;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{space}/t/{topic}/opinion", get(opinion_page))
        .route("/s/{space}/t/{topic}/opinion.json", get(opinion_json))
        .route("/s/{space}/t/{topic}/opinion.csv", get(opinion_csv))
        .route("/s/{space}/t/{topic}/opinion/map.svg", get(opinion_svg))
        .route(
            "/s/{space}/t/{topic}/opinion/statements",
            post(submit_statement),
        )
        .route("/statements/{id}/vote", post(vote))
        .route("/statements/{id}/moderate", post(moderate))
}

const LETTERS: [&str; 26] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T", "U", "V", "W", "X", "Y", "Z",
];

/// The map as SVG: every participant, group letters at the centres, "me" ringed.
fn map_svg(
    report: &parvis_opinion::Report,
    title: &str,
    me: Option<&parvis_services::opinion::MyPosition>,
) -> String {
    let groups: std::collections::HashMap<&str, Option<usize>> = report
        .participants
        .iter()
        .map(|p| (p.id.as_str(), p.group))
        .collect();
    let points: Vec<crate::charts::Point> = report
        .projections
        .iter()
        .map(|p| crate::charts::Point {
            x: p.x,
            y: p.y,
            group: groups.get(p.id.as_str()).copied().flatten(),
        })
        .collect();
    let centres: Vec<(usize, f64, f64)> = report
        .groups
        .iter()
        .map(|g| (g.id, g.center[0], g.center[1]))
        .collect();
    crate::charts::opinion_scatter(title, &points, &centres, me.map(|m| (m.x, m.y)))
}

async fn opinion_topic(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    topic: &str,
) -> Result<(Space, Topic), PageError> {
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    let topic = st
        .services
        .topic(&space, topic)
        .await
        .map_err(fail(st, ctx))?;
    Ok((space, topic))
}

async fn opinion_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (space, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    let base = format!("/s/{}/t/{}/opinion", space.slug, topic.slug);
    let (report, map_error) = match st.services.opinion_map(&topic).await {
        Ok(r) if r.n_participants >= 2 => (Some(r), None),
        Ok(_) => (None, None),
        // Too few votes yet is the normal state of a young topic: the page says when the map
        // appears, in the reader's language, rather than the engine's English reason.
        Err(ServiceError::Validation(v)) if v.field == "conversation" => (None, None),
        Err(e) => {
            tracing::warn!(topic = %topic.slug, error = %e, "opinion map failed");
            (None, Some(true))
        }
    };
    let me_pos = match (&ctx.actor, &report) {
        (Some(a), Some(r)) => st
            .services
            .my_position(a, &topic, r)
            .await
            .map_err(fail(&st, &ctx))?,
        _ => None,
    };
    let next = match &ctx.actor {
        Some(a) => st
            .services
            .next_statement(a, &topic)
            .await
            .map_err(fail(&st, &ctx))?,
        None => None,
    };
    // Accepted statements (and pending ones for moderators): with none, the vote card invites
    // the first one instead of saying the reader voted on everything.
    let (pending, any_accepted) = match &ctx.actor {
        Some(a) => {
            let all = st
                .services
                .statements(Some(a), &topic)
                .await
                .map_err(fail(&st, &ctx))?;
            let any_accepted = all.iter().any(|s| s.status == "accepted");
            let pending: Vec<_> = all.into_iter().filter(|s| s.status == "pending").collect();
            (pending, any_accepted)
        }
        None => (Vec::new(), false),
    };
    let text = |id: u64| {
        report
            .as_ref()
            .and_then(|r| r.statements.iter().find(|s| s.id == id))
            .map(|s| s.text.clone())
            .unwrap_or_default()
    };
    let pct = |p: f64| p.round() as i64; // the report gives percentages already
    let (groups, consensus, divisive, svg) = match &report {
        Some(r) => (
            r.groups
                .iter()
                .map(|g| context! {
                    id => g.id, size => g.members.len(),
                    representative => g.representative.iter().map(|x| context! {
                        text => text(x.statement),
                        agree => matches!(x.repful_for, parvis_opinion::Repful::Agree),
                        percent => pct(x.percent),
                    }).collect::<Vec<_>>(),
                })
                .collect::<Vec<_>>(),
            r.consensus
                .agree
                .iter()
                .map(|c| (c, true))
                .chain(r.consensus.disagree.iter().map(|c| (c, false)))
                .map(|(c, agree)| context! { text => text(c.statement), agree => agree, percent => pct(c.percent) })
                .collect::<Vec<_>>(),
            r.divisive.iter().take(5).map(|d| context! { text => text(d.statement) }).collect::<Vec<_>>(),
            map_svg(r, &topic.title, me_pos.as_ref()),
        ),
        None => (Vec::new(), Vec::new(), Vec::new(), String::new()),
    };
    render(
        &st,
        &ctx,
        "opinion.html",
        context! {
            space => Value::from_serialize(&space), topic => Value::from_serialize(&topic), base => base.clone(),
            page_path => base, report => report.as_ref().map(|r| context! { n_participants => r.n_participants, n_statements => r.n_statements, n_votes => r.n_votes }),
            map_error => map_error, groups => groups, consensus => consensus, divisive => divisive,
            map_svg => Value::from_safe_string(svg), me_pos => me_pos.as_ref().map(Value::from_serialize),
            next => next.as_ref().map(Value::from_serialize), any_accepted => any_accepted, pending => Value::from_serialize(&pending), letters => LETTERS,
        },
    )
}

async fn opinion_json(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (_, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    let report = st
        .services
        .opinion_map(&topic)
        .await
        .map_err(fail(&st, &ctx))?;
    // Per-participant data only for moderators, under opaque ids (docs/PRIVACY.md).
    Ok(axum::Json(parvis_services::privacy::report_for(
        ctx.actor.as_ref(),
        &report,
    ))
    .into_response())
}

async fn opinion_csv(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (_, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    let report = st
        .services
        .opinion_map(&topic)
        .await
        .map_err(fail(&st, &ctx))?;
    let disposition = format!("attachment; filename=\"opinion-{}.csv\"", topic.slug);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        parvis_opinion::report_csv(&report),
    )
        .into_response())
}

async fn opinion_svg(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (_, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    let headers = || {
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ]
    };
    // A young topic has no map yet: its widget and its page still show the frame, saying
    // when the map appears, rather than a broken image (as the opinion page does).
    let waiting = || {
        let note = crate::i18n::get(ctx.lang, "map_not_yet");
        (
            headers(),
            crate::charts::opinion_waiting(&topic.title, note),
        )
            .into_response()
    };
    let report = match st.services.opinion_map(&topic).await {
        Ok(r) if r.n_participants >= 2 => r,
        Ok(_) => return Ok(waiting()),
        Err(ServiceError::Validation(v)) if v.field == "conversation" => return Ok(waiting()),
        Err(e) => return Err(fail(&st, &ctx)(e)),
    };
    let me = match &ctx.actor {
        Some(a) => st
            .services
            .my_position(a, &topic, &report)
            .await
            .map_err(fail(&st, &ctx))?,
        None => None,
    };
    Ok((headers(), map_svg(&report, &topic.title, me.as_ref())).into_response())
}

#[derive(Deserialize)]
struct StatementForm {
    csrf: String,
    body: String,
}

async fn submit_statement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    Form(f): Form<StatementForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let (space, topic) = opinion_topic(&st, &ctx, &space, &topic).await?;
    st.services
        .submit_statement(actor, &topic, &f.body)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/s/{}/t/{}/opinion",
        space.slug, topic.slug
    )))
}

#[derive(Deserialize)]
struct VoteForm {
    csrf: String,
    value: String,
    #[serde(default)]
    back: Option<String>,
}

async fn vote(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<VoteForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .vote(actor, id, &f.value)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("{}#vote", safe_next(f.back.as_deref()))))
}

#[derive(Deserialize)]
struct ModerateForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    back: Option<String>,
}

async fn moderate(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ModerateForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .moderate_statement(actor, id, f.decision == "accept")
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&safe_next(f.back.as_deref())))
}

//! The evaluators' scoring sheet and the ranked scorecard with its shortlist and announcement.

use super::entries::entry_challenge;
use super::parse::{form_values, number};
use super::{OkQuery, id_of, notice};
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::extract::{Form, Path, Query, State};
use minijinja::{Value, context};
use parvis_services::challenges::ScoreInput;
use serde::Deserialize;
use std::collections::HashMap;

async fn score_view(st: &AppState, ctx: &Ctx, id: i64, ok: bool, failed: Value) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let s = st
        .services
        .score_sheet(actor, id)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "challenge_score.html",
        context! { s => Value::from_serialize(&s), ok => ok, failed => failed },
    )
}

pub(super) async fn score_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    score_view(
        &st,
        &ctx,
        id,
        q.ok.as_deref() == Some("scored"),
        Value::UNDEFINED,
    )
    .await
}

/// The scoring form: `csrf` and one `c<criterion id>` field per criterion.
pub(super) async fn score(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(entry): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    ctx.check_form_csrf(f.get("csrf").map(String::as_str).unwrap_or(""))
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let entry = id_of(&st, &ctx, "entry", &entry)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let id = entry_challenge(&st, &ctx, entry).await?;
    let mut scores = Vec::new();
    let mut outcome = Ok(());
    for (k, v) in &f {
        let Some(criterion) = k.strip_prefix('c').and_then(|c| c.parse().ok()) else {
            continue;
        };
        match number("scores", v) {
            Ok(Some(score)) => scores.push(ScoreInput {
                criterion_id: criterion,
                score,
            }),
            Ok(None) => {}
            Err(e) => outcome = Err(e),
        }
    }
    let outcome = match outcome {
        Ok(()) => st.services.score_entry(actor, entry, &scores).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/challenges/{id}/score?ok=scored#score-{entry}"
        ))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                score_view(
                    &st,
                    &ctx,
                    id,
                    false,
                    failed(&format!("score-{entry}"), &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn scorecard_view(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    ok: Option<String>,
    failed: Value,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let s = st
        .services
        .scorecard(actor, id)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "challenge_scorecard.html",
        context! { s => Value::from_serialize(&s), ok => notice(ok), failed => failed },
    )
}

pub(super) async fn scorecard_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    scorecard_view(&st, &ctx, id, q.ok, Value::UNDEFINED).await
}

#[derive(Deserialize)]
pub(super) struct OnQuery {
    on: Option<String>,
}

pub(super) async fn shortlist(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(entry): Path<String>,
    Query(q): Query<OnQuery>,
    body: bytes::Bytes,
) -> PageResult {
    let csrf = form_values(&body, "csrf")
        .into_iter()
        .next()
        .unwrap_or_default();
    ctx.check_form_csrf(&csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let entry = id_of(&st, &ctx, "entry", &entry)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let on = q.on.as_deref() != Some("0");
    let e = st
        .services
        .shortlist_entry(actor, entry, on)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/challenges/{}/scorecard?ok=shortlisted",
        e.challenge_id
    )))
}

pub(super) async fn announce(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: bytes::Bytes,
) -> PageResult {
    let csrf = form_values(&body, "csrf")
        .into_iter()
        .next()
        .unwrap_or_default();
    ctx.check_form_csrf(&csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let winners: Vec<i64> = form_values(&body, "winner")
        .iter()
        .filter_map(|w| w.parse().ok())
        .collect();
    match st.services.announce_winners(actor, id, &winners).await {
        Ok(_) => Ok(see_other(&format!("/challenges/{id}?ok=announced"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                scorecard_view(&st, &ctx, id, None, failed("announce", &winners, errors)).await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

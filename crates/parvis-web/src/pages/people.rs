//! Pages about people: the members list and a member's profile, asking for an introduction
//! and deciding on one, and the "for you" feed with the peers it suggests.

/// This area's JSON API handlers, under `/api/v1`.
pub(crate) mod api;

use super::{ListQuery, PageResult, fail, fail_api, render, see_other};
use crate::AppState;
use crate::context::Ctx;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_domain::*;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/members", get(members_page))
        .route("/members/{handle}", get(member_page))
        .route("/feed", get(feed_redirect))
        .route("/members/{handle}/intro", post(request_intro))
        .route("/intro-requests/{id}/decide", post(decide_intro))
        .route("/s/{space}/feed", get(feed_page))
        .route("/s/{space}/feed/feedback", post(feed_feedback))
}

async fn members_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let query = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let members = st
        .services
        .members(
            ctx.actor.as_ref(),
            query,
            PageRequest::new(q.page, Some(24), 24),
        )
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "members.html",
        context! { members => Value::from_serialize(&members), q => query, has_next => members.has_next() },
    )
}

async fn member_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
) -> PageResult {
    let member = st
        .services
        .member(ctx.actor.as_ref(), &handle)
        .await
        .map_err(fail(&st, &ctx))?;
    let intro_paths = match &ctx.actor {
        Some(a) if a.member.id != member.id => st
            .services
            .intro_paths(a, &member.handle, 3)
            .await
            .map_err(fail(&st, &ctx))?,
        _ => Vec::new(),
    };
    let content = st
        .services
        .member_content(ctx.actor.as_ref(), member.id)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "member.html",
        context! { member => Value::from_serialize(&member), intro_paths => Value::from_serialize(&intro_paths),
        content => Value::from_serialize(&content) },
    )
}

#[derive(Deserialize)]
struct IntroForm {
    csrf: String,
    intermediary: String,
    message: String,
}

async fn request_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    Form(f): Form<IntroForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .request_intro(actor, &handle, &f.intermediary, &f.message)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/me#intros"))
}

#[derive(Deserialize)]
struct DecideForm {
    csrf: String,
    decision: String,
}

async fn decide_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .decide_intro(actor, id, f.decision == "accept")
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/me#intros"))
}

/// "Pour vous" without a space: the first space's feed.
async fn feed_redirect(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    let spaces = st.services.spaces().await.map_err(fail(&st, &ctx))?;
    match spaces.first() {
        Some(s) => Ok(see_other(&format!("/s/{}/feed", s.slug))),
        None => Ok(see_other("/")),
    }
}

async fn feed_page(State(st): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> PageResult {
    let Some(actor) = ctx.actor.clone() else {
        return Ok(see_other(&format!("/signin?next=/s/{space}/feed")));
    };
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let feed = st
        .services
        .feed(&actor, &space, 20)
        .await
        .map_err(fail(&st, &ctx))?;
    let peers = st
        .services
        .peers(&actor, &space, 8)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "feed.html",
        context! { space => Value::from_serialize(&space), feed => Value::from_serialize(&feed), peers => Value::from_serialize(&peers) },
    )
}

#[derive(Deserialize)]
struct FeedbackForm {
    csrf: String,
    kind: String,
    target: i64,
    /// `false` undoes (shows a muted topic again); absent: give the feedback.
    on: Option<bool>,
}

async fn feed_feedback(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<FeedbackForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    st.services
        .feed_feedback(actor, &space, &f.kind, f.target, f.on.unwrap_or(true))
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("/s/{}/feed", space.slug)))
}

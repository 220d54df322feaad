//! What moderators see of widget posts (one queue per space, page and API), and the page
//! behind a widget's emailed sign-in link (a button: a plain GET signs nobody in, since mail
//! scanners open links).

use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::pages::{PageResult, fail, fail_api, render, see_other};
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use minijinja::{Value, context};
use parvis_domain::*;
use parvis_services::ServiceError;
use parvis_services::embeds::live_queue::HeldQuestion;
use parvis_store::HeldMessage;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, Default)]
pub(crate) struct OkQuery {
    ok: Option<String>,
}

/// `/s/{space}/moderation`: everything held in the space, oldest first.
pub(crate) async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let held = st
        .services
        .moderation_queue(actor, Some(&space))
        .await
        .map_err(fail(&st, &ctx))?;
    let live = st
        .services
        .held_live_questions(actor, &space)
        .await
        .map_err(fail(&st, &ctx))?;
    let count = held.len() + live.len();
    render(
        &st,
        &ctx,
        "moderation.html",
        context! {
            space => Value::from_serialize(&space),
            held => Value::from_serialize(&held),
            live => Value::from_serialize(&live),
            count => count,
            ok => q.ok,
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct DecisionForm {
    csrf: String,
    /// `approve` or `reject`.
    decision: String,
}

fn approve_of(decision: &str) -> Result<bool, ServiceError> {
    match decision {
        "approve" => Ok(true),
        "reject" => Ok(false),
        _ => Err(
            ValidationError::broke("decision", Rule::Choice, "must be approve or reject").into(),
        ),
    }
}

/// The queue's approve / reject buttons.
pub(crate) async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, id)): Path<(String, i64)>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let approve = approve_of(&f.decision).map_err(fail(&st, &ctx))?;
    st.services
        .moderate(actor, &space, id, approve)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/s/{}/moderation?ok={}",
        space.slug,
        if approve { "approved" } else { "rejected" }
    )))
}

/// A space's moderation queue.
#[derive(Serialize, ToSchema)]
pub(crate) struct Queue {
    /// How many messages are held.
    held: usize,
    items: Vec<HeldMessage>,
    /// Live rooms' questions waiting for approval (rooms that require it).
    live_questions: Vec<HeldQuestion>,
}

/// Everything held for moderation in a space (moderators; emails only for admins)
#[utoipa::path(get, path = "/spaces/{space}/moderation", tag = "embeds",
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the queue", body = Queue)))]
pub(crate) async fn api_queue(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
) -> Result<Json<Queue>, ApiError> {
    let space = st.services.space(&space).await?;
    let items = st
        .services
        .moderation_queue(ctx.actor()?, Some(&space))
        .await?;
    let live_questions = st
        .services
        .held_live_questions(ctx.actor()?, &space)
        .await?;
    Ok(Json(Queue {
        held: items.len(),
        items,
        live_questions,
    }))
}

/// A moderator's decision.
#[derive(Deserialize, ToSchema)]
pub(crate) struct DecisionBody {
    /// `approve` (publish it now) or `reject`.
    decision: String,
}

/// What a decision did.
#[derive(Serialize, ToSchema)]
pub(crate) struct Decided {
    /// `approved` or `rejected`.
    status: &'static str,
    /// The published message, when approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<i64>,
}

/// Approve (publish; `message.created` fires then) or reject a held message (moderators)
#[utoipa::path(post, path = "/spaces/{space}/moderation/{id}", tag = "embeds", request_body = DecisionBody,
    params(("space" = String, Path, description = "space slug"), ("id" = i64, Path, description = "held message id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "decided", body = Decided)))]
pub(crate) async fn api_decide(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, id)): ApiPath<(String, i64)>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<Json<Decided>, ApiError> {
    let space = st.services.space(&space).await?;
    let approve = approve_of(&b.decision)?;
    let message = st
        .services
        .moderate(ctx.actor()?, &space, id, approve)
        .await?;
    Ok(Json(Decided {
        status: if approve { "approved" } else { "rejected" },
        message_id: message.map(|m| m.0),
    }))
}

/// `/auth/widget/{link}`: what the link is for, and the button that confirms it.
pub(crate) async fn confirm_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(link): Path<String>,
) -> PageResult {
    let attempt = st.services.widget_attempt(&link).await;
    render(
        &st,
        &ctx,
        "widget_confirm.html",
        context! {
            token => link,
            host => attempt.as_ref().map(|a| a.host.clone()).unwrap_or_default(),
            invalid => attempt.as_ref().map(|a| a.confirmed).unwrap_or(true),
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

/// The confirmation button: the widget that asked is signed in at its next poll.
///
/// This page is the widget's one first-party step: a share link's cookie, which the widget
/// never sends, comes with it and is noted for the member's widget actions; without one, the
/// code the host page's address carried when the widget asked (kept with the attempt) is.
pub(crate) async fn confirm(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path(link): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let (member, host_ref) = st
        .services
        .widget_confirm(&link)
        .await
        .map_err(fail(&st, &ctx))?;
    crate::content::note_widget_share(&st, &headers, member, host_ref.as_deref()).await;
    render(&st, &ctx, "widget_confirm.html", context! { done => true })
}

/// The queue's approve / hide buttons for a live room's question.
pub(crate) async fn decide_live(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, room, question)): Path<(String, i64, u64)>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let approve = approve_of(&f.decision).map_err(fail(&st, &ctx))?;
    st.services
        .moderate_live_question(actor, &space, RoomId(room), question, approve)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/s/{}/moderation?ok={}",
        space.slug,
        if approve { "approved" } else { "rejected" }
    )))
}

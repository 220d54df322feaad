//! The live room's JSON API: read a room's state, send it any command (the same commands as
//! the WebSocket), list and open a space's rooms.

use super::live_problem;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{AppState, Ctx};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_domain::RoomId;
use parvis_live::view::{Audience, Snapshot};
use parvis_live::{Command, QuestionSort};
use parvis_services::live::{Ack, RoomForm};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// API routes (nested under `/api/v1`).
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(room_state))
        .routes(routes!(room_action))
        .routes(routes!(list_rooms, open_room))
}

/// A room.
#[derive(Serialize, ToSchema)]
pub(crate) struct RoomInfo {
    id: i64,
    space_id: i64,
    topic_id: Option<i64>,
    /// The session it runs for, once linked.
    session_id: Option<i64>,
    title: String,
    anonymous_questions: bool,
    approval_required: bool,
    budget_factor: f64,
    created_at: i64,
    /// The participant page (and the WebSocket at `…/ws`).
    url: String,
}

fn info(r: parvis_store::RoomRow) -> RoomInfo {
    RoomInfo {
        url: format!("/live/{}", r.id.0),
        id: r.id.0,
        space_id: r.space_id.0,
        topic_id: r.topic_id.map(|t| t.0),
        session_id: r.session_id,
        title: r.title,
        anonymous_questions: r.anonymous_questions,
        approval_required: r.approval_required,
        budget_factor: r.budget_permille as f64 / 1000.0,
        created_at: r.created_at,
    }
}

fn room_id(id: i64) -> Result<RoomId, ApiError> {
    if id > 0 {
        Ok(RoomId(id))
    } else {
        Err(ApiError::not_found(format!("there is no room {id}")))
    }
}

/// How the room's questions are listed.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SortParam {
    /// `votes` (the default, as on the room's pages): pinned questions first, then most votes,
    /// the older first on equal votes; `time`: pinned questions first, then the newest first.
    /// Anything else is a 422 naming `sort`.
    sort: Option<String>,
}

/// A room's current state
///
/// What a WebSocket client gets as its first message: moderators see everything (questions
/// awaiting approval, hidden ones, results before closing, the fairness panel). Questions
/// come pinned first, then in the order `sort` asks for.
#[utoipa::path(get, path = "/rooms/{room}", tag = "live",
    params(("room" = i64, Path, description = "room id"), SortParam),
    responses((status = 200, description = "the room's state", body = Snapshot),
        (status = 403, description = "a webcast's room before its access code was given"),
        (status = 404, description = "no such room"),
        (status = 422, description = "`sort` is neither `votes` nor `time`")))]
async fn room_state(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ApiPath(room): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SortParam>,
) -> Result<Response, ApiError> {
    let sort = QuestionSort::parse("sort", q.sort.as_deref())
        .map_err(parvis_services::ServiceError::from)?;
    let id = room_id(room)?;
    let row = st.services.room(id).await?;
    super::room_gate(&st, &ctx, &headers, &row).await?;
    let actor = super::room_actor(&st, &ctx, &headers, &row).await?;
    let audience = if actor.as_ref().is_some_and(|a| a.moderator) {
        Audience::Moderator
    } else {
        Audience::Participant
    };
    let me = actor.map(|a| a.key).unwrap_or_default();
    let json = st
        .services
        .live()
        .snapshot(id, audience, &me, sort)
        .await
        .map_err(live_problem)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// Act in a room
///
/// Ask, vote, answer a poll, raise a hand; moderators also approve, pin, reply, hide, merge,
/// launch and close polls, give and take back the floor, and take notes only moderators see.
/// The answer comes once the event is in the store. Refusals say why (`code`:
/// `already_voted`, `poll_closed`, `not_moderator`…; see docs/LIVE.md).
#[utoipa::path(post, path = "/rooms/{room}/actions", tag = "live", request_body = Command,
    params(("room" = i64, Path, description = "room id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "accepted and stored", body = Ack),
        (status = 403, description = "only a moderator can do this"),
        (status = 404, description = "no such room, question or poll"),
        (status = 409, description = "refused by the room's state (already voted, poll closed…)"),
        (status = 422, description = "bad text or answer")))]
async fn room_action(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ApiPath(room): ApiPath<i64>,
    ApiJson(command): ApiJson<Command>,
) -> Result<Json<Ack>, ApiError> {
    let id = room_id(room)?;
    ctx.actor()?;
    let row = st.services.room(id).await?;
    super::room_gate(&st, &ctx, &headers, &row).await?;
    let actor = super::room_actor(&st, &ctx, &headers, &row)
        .await?
        .ok_or(parvis_services::ServiceError::Unauthenticated)?;
    Ok(Json(
        st.services
            .live()
            .command(id, actor, command)
            .await
            .map_err(live_problem)?,
    ))
}

/// A space's live rooms, newest first
#[utoipa::path(get, path = "/spaces/{space}/rooms", tag = "live",
    params(("space" = String, Path, description = "space slug")),
    responses((status = 200, description = "the rooms", body = Vec<RoomInfo>)))]
async fn list_rooms(
    State(st): State<AppState>,
    ApiPath(space): ApiPath<String>,
) -> Result<Json<Vec<RoomInfo>>, ApiError> {
    let rooms = st.services.rooms_of_space(&space).await?;
    Ok(Json(rooms.into_iter().map(info).collect()))
}

/// Open a live room (moderators)
#[utoipa::path(post, path = "/spaces/{space}/rooms", tag = "live", request_body = RoomForm,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "opened", body = RoomInfo),
        (status = 403, description = "moderators only"),
        (status = 422, description = "bad title, topic or budget factor")))]
async fn open_room(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(form): ApiJson<RoomForm>,
) -> Result<(StatusCode, Json<RoomInfo>), ApiError> {
    let room = st.services.create_room(ctx.actor()?, &space, &form).await?;
    Ok((StatusCode::CREATED, Json(info(room))))
}

//! The sessions' actions that began as pages, in the JSON API too: a session's live room
//! (read it, or open it as its moderator), room check-in (by a moderator, or with the printed
//! QR code's key), a visitor cancelling with their mailed token, and a webcast's access code.
//! Same rules and refusals as the pages (`room.rs`, `links.rs`, `mod.rs`), from the same
//! service calls.

use super::webcast_cookie;
use crate::AppState;
use crate::context::{Ctx, cookie};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_domain::{Rule, ValidationError, now_millis};
use parvis_services::ServiceError;
use parvis_services::checkin::{ROOM_OPENS_BEFORE_MS, Scanner, room_open_at};
use parvis_services::reports::Attendance;
use parvis_store::{Registration, RoomRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<T, ApiError>;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session_room, open_session_room))
        .routes(routes!(check_in))
        .routes(routes!(cancel_by_token))
        .routes(routes!(unlock_webcast))
}

/// A session's live room, with where to go.
#[derive(Serialize, ToSchema)]
struct SessionRoom {
    /// The room's id (the one "join the live room" on the session page leads to).
    id: i64,
    session_id: i64,
    title: String,
    /// `upcoming` (participants may join from half an hour before the start), `open`,
    /// `ended` or `closed`. The session's moderators may enter at any time.
    state: String,
    /// A webcast's room the caller may enter only after giving its access code
    /// (`POST /api/v1/sessions/{id}/webcast/unlock`).
    locked: bool,
    /// The participant page.
    url: String,
    /// The room's WebSocket.
    ws_url: String,
    /// The room's state and actions in this API.
    api_url: String,
    /// The moderators' console.
    console_url: String,
    /// The big screen for the projector.
    screen_url: String,
}

async fn room_body(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    session: i64,
    room: RoomRow,
) -> ApiResult<SessionRoom> {
    let row = st
        .services
        .session_view(ctx.actor.as_ref(), session)
        .await?;
    let now = now_millis();
    let state = if row.session.closed_at.is_some() {
        "closed"
    } else if room_open_at(&row.session, now) {
        "open"
    } else if now < row.session.starts_at - ROOM_OPENS_BEFORE_MS {
        "upcoming"
    } else {
        "ended"
    };
    let locked = crate::live::room_locked(st, ctx, headers, &room)
        .await?
        .is_some();
    let id = room.id.0;
    Ok(SessionRoom {
        id,
        session_id: session,
        title: room.title,
        state: state.into(),
        locked,
        url: format!("/live/{id}"),
        ws_url: format!("/live/{id}/ws"),
        api_url: format!("/api/v1/rooms/{id}"),
        console_url: format!("/live/{id}/console"),
        screen_url: format!("/live/{id}/screen"),
    })
}

/// A session's live room
#[utoipa::path(get, path = "/sessions/{id}/room", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, description = "the room (made on first need once the session is open to the caller, as the page's \"join the live room\" does)", body = SessionRoom),
        (status = 404, description = "no such session, or its room was not opened yet and the session is not open (it opens 30 minutes before the start)")))]
async fn session_room(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SessionRoom>> {
    let room = match st.services.existing_session_room(id).await? {
        Some(room) => room,
        // As the page's "join the live room": once the session is open to the caller, its
        // room is made on first need, whoever asks first.
        None if super::room::live_open(
            &st.services.session_view(ctx.actor.as_ref(), id).await?,
        ) =>
        {
            st.services.session_room(id).await?
        }
        None => {
            return Err(ApiError::not_found(format!(
                "session {id} has no live room yet: it opens 30 minutes before the start"
            ))
            .with_field("id"));
        }
    };
    Ok(Json(room_body(&st, &ctx, &headers, id, room).await?))
}

/// Open a session's live room (its moderators, site moderators, admins); opening it again
/// gives the same room
#[utoipa::path(post, path = "/sessions/{id}/room", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "opened now", body = SessionRoom),
        (status = 200, description = "already open", body = SessionRoom),
        (status = 403, description = "only the session's moderators"),
        (status = 422, description = "the session is closed")))]
async fn open_session_room(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<SessionRoom>)> {
    let (room, created) = st.services.open_session_room(ctx.actor()?, id).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(room_body(&st, &ctx, &headers, id, room).await?),
    ))
}

/// Who to check in: one registration (a moderator at the door), or the caller themselves
/// with the printed QR code's key.
#[derive(Deserialize, ToSchema)]
struct CheckInBody {
    /// A registration of this session (the session's moderators).
    #[serde(default)]
    registration: Option<i64>,
    /// The key of the check-in address in the printed QR code (`/sessions/{id}/checkin/{key}`):
    /// checks in the signed-in caller, or the visitor whose `token` is given.
    #[serde(default)]
    key: Option<String>,
    /// With `key`, for a visitor without an account: the token of their mailed link.
    #[serde(default)]
    token: Option<String>,
}

/// Check a registrant in the room
///
/// From an hour before the start until the end, for sessions with a room (not online only).
#[utoipa::path(post, path = "/sessions/{id}/checkin", tag = "sessions", request_body = CheckInBody,
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = []), ()),
    responses((status = 200, description = "checked in; the session's attendance now", body = Attendance),
        (status = 401, description = "with a key: nobody signed in and no token"),
        (status = 403, description = "with a registration: only the session's moderators"),
        (status = 404, description = "no such session or registration, or a wrong key"),
        (status = 422, description = "outside the check-in window, online only, cancelled registration")))]
async fn check_in(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CheckInBody>,
) -> ApiResult<Json<Attendance>> {
    match (b.registration, b.key.as_deref()) {
        (Some(reg), None) => {
            st.services
                .check_in_registration(ctx.actor()?, id, reg)
                .await?
        }
        (None, Some(key)) => {
            let who = match (&ctx.actor, b.token.as_deref()) {
                (Some(a), _) => Scanner::Member(a),
                (None, Some(token)) => Scanner::Visitor(token),
                (None, None) => Scanner::Unknown,
            };
            if !st.services.check_in(id, key, who).await? {
                return Err(match (&ctx.actor, &b.token) {
                    (None, Some(_)) => refused(
                        "token",
                        Rule::Other,
                        "this link's registration is for another session or was cancelled",
                    ),
                    _ => ServiceError::Unauthenticated.into(),
                });
            }
        }
        (Some(_), Some(_)) => {
            return Err(refused(
                "key",
                Rule::Other,
                "give either a registration or the check-in key, not both",
            ));
        }
        (None, None) => {
            return Err(refused(
                "registration",
                Rule::Required,
                "give the registration to check in, or the check-in key",
            ));
        }
    }
    Ok(Json(st.services.attendance(id).await?))
}

/// Bad input, the field named.
fn refused(field: &str, rule: Rule, message: &str) -> ApiError {
    ServiceError::from(ValidationError::broke(field, rule, message)).into()
}

/// The token of a visitor's mailed link.
#[derive(Deserialize, ToSchema)]
struct TokenBody {
    token: String,
}

/// Cancel a visitor's registration with the token of their mailed link (no account needed);
/// the seat goes to the first on the waiting list
#[utoipa::path(post, path = "/registrations/cancel", tag = "sessions", request_body = TokenBody,
    responses((status = 200, description = "cancelled", body = Registration),
        (status = 401, description = "unknown link")))]
async fn cancel_by_token(
    State(st): State<AppState>,
    ApiJson(b): ApiJson<TokenBody>,
) -> ApiResult<Json<Registration>> {
    Ok(Json(st.services.cancel_by_manage_token(&b.token).await?))
}

/// A webcast's access code.
#[derive(Deserialize, ToSchema)]
struct CodeBody {
    #[serde(default)]
    code: String,
}

/// What the access code opens.
#[derive(Serialize, ToSchema)]
struct WebcastAccess {
    /// The stream link.
    online_url: String,
    /// Kept by the client: sent back as the `parvis_webcast_{id}` cookie (set by this
    /// answer), it opens the session's live room.
    key: String,
}

/// Give a webcast's access code
///
/// Wrong codes are limited per client and per session, as on the session page.
#[utoipa::path(post, path = "/sessions/{id}/webcast/unlock", tag = "sessions", request_body = CodeBody,
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, description = "the stream link, and the key the cookie keeps", body = WebcastAccess),
        (status = 422, description = "wrong access code"),
        (status = 429, description = "too many wrong codes")))]
async fn unlock_webcast(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CodeBody>,
) -> ApiResult<Response> {
    let key = st.services.unlock_webcast(id, &b.code, &ctx.client).await?;
    let view = st
        .services
        .session_view_unlocked(ctx.actor.as_ref(), id, true)
        .await?;
    let mut res = Json(WebcastAccess {
        online_url: view.session.online_url,
        key: key.clone(),
    })
    .into_response();
    if !key.is_empty() {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie(
                &webcast_cookie(id),
                &key,
                Some(60 * 60 * 24 * 30),
                ctx.secure_cookies,
            ),
        );
    }
    Ok(res)
}

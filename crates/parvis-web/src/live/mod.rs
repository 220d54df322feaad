//! The live debate room, pages and API together: the participant room (`/live/{room}`), the
//! moderator console (`/live/{room}/console`), the big screen (`/live/{room}/screen`), the
//! WebSocket (`/live/{room}/ws`, protocol in `docs/LIVE.md`), a space's rooms
//! (`/s/{space}/live`) and the JSON API under `/api/v1/rooms`. The room's rules are in
//! `parvis-live`, the hub in `parvis_services::live`; these handlers extract and map.

mod api;
mod start;
mod ws;

pub(crate) use api::api_routes;

use crate::context::{cookie, read_cookie};
use crate::error::ApiError;
use crate::pages::{fail, fail_api, render};
use crate::{AppState, Ctx};
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::{Value, context};
use parvis_domain::{Lang, RoomId};
use parvis_live::Actor;
use parvis_services::ServiceError;
use parvis_services::live::{RoomForm, member_actor, visitor_actor};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde::Deserialize;

/// The cookie of a registered visitor: `<random token>.<name, percent-encoded>`.
pub(crate) const VISITOR_COOKIE: &str = "parvis_visitor";

/// The live pages' templates.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "live_rooms.html",
        include_str!("../../templates/live_rooms.html"),
    ),
    (
        "live_room.html",
        include_str!("../../templates/live_room.html"),
    ),
    (
        "live_console.html",
        include_str!("../../templates/live_console.html"),
    ),
    (
        "live_screen.html",
        include_str!("../../templates/live_screen.html"),
    ),
];

/// Page routes (merged at the root).
pub(crate) fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/s/{space}/live", get(rooms_page).post(create_room))
        .route("/live/{room}", get(room_page))
        .route("/live/{room}/join", axum::routing::post(join))
        .route("/live/{room}/console", get(console_page))
        .route("/live/{room}/screen", get(screen_page))
        .route("/live/{room}/ws", get(ws::upgrade))
}

/// The person behind a request: a signed-in member, else a registered visitor, else nobody
/// (who may still watch).
pub(crate) fn live_actor(ctx: &Ctx, headers: &HeaderMap) -> Option<Actor> {
    if let Some(a) = &ctx.actor {
        return Some(member_actor(&a.member));
    }
    let raw = read_cookie(headers, VISITOR_COOKIE)?;
    let (token, name) = raw.split_once('.')?;
    let name = percent_decode_str(name).decode_utf8().ok()?;
    let name = visitor_name(&name).ok()?;
    (token.len() >= 32).then(|| visitor_actor(token, &name))
}

/// The person behind a request in `room`: as [`live_actor`], a member moderating when they
/// moderate this room (a session's room: the session's moderators).
pub(crate) async fn room_actor(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    room: &parvis_store::RoomRow,
) -> Result<Option<Actor>, ServiceError> {
    let mut actor = live_actor(ctx, headers);
    if let (Some(a), Some(_)) = (actor.as_mut(), ctx.actor.as_ref()) {
        a.moderator = st.services.moderates_room(room, ctx.actor.as_ref()).await?;
    }
    Ok(actor)
}

/// The session whose access code the reader must give before entering `room`, if any.
pub(crate) async fn room_locked(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    room: &parvis_store::RoomRow,
) -> Result<Option<i64>, ServiceError> {
    let key = room
        .session_id
        .and_then(|s| read_cookie(headers, &crate::sessions::webcast_cookie(s)));
    st.services
        .room_locked(room, ctx.actor.as_ref(), key.as_deref())
        .await
}

/// As [`room_locked`], refused with a message that says where the code goes (API, socket).
pub(crate) async fn room_gate(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    room: &parvis_store::RoomRow,
) -> Result<(), ServiceError> {
    match room_locked(st, ctx, headers, room).await? {
        Some(s) => Err(ServiceError::Forbidden(format!(
            "this webcast's room opens with its access code: enter it on /sessions/{s}"
        ))),
        None => Ok(()),
    }
}

/// A visitor's name: 1–60 characters, no control characters.
fn visitor_name(s: &str) -> Result<String, parvis_domain::ValidationError> {
    let n = parvis_domain::required_text("name", s, 60)?;
    parvis_domain::hygiene::check("name", &n)?;
    Ok(n)
}

fn room_id(raw: &str) -> Result<RoomId, ServiceError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(RoomId)
        .ok_or_else(|| ServiceError::NotFound(format!("room {raw:?}")))
}

/// The strings the room's script shows, in the reader's language.
fn script_strings(lang: Lang) -> Value {
    let map = crate::i18n::with_prefix(lang, "js_");
    // Inside <script type="application/json">: `<`, `>` and `&` escaped so no text can end it.
    let json = serde_json::to_string(&map)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    Value::from_safe_string(json)
}

/// Everything the three room pages share; `Err` is the answer to send instead (an error
/// page, or a webcast's session page asking for its access code).
async fn room_context(
    st: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    raw: &str,
) -> Result<(Value, parvis_store::RoomRow), Response> {
    let page = |e| fail(st, ctx)(e).into_response();
    let id = room_id(raw).map_err(page)?;
    let room = st.services.room(id).await.map_err(page)?;
    if let Some(s) = room_locked(st, ctx, headers, &room).await.map_err(page)? {
        return Err(Redirect::to(&format!("/sessions/{s}?ok=code_needed")).into_response());
    }
    let space = st
        .services
        .spaces()
        .await
        .map_err(page)?
        .into_iter()
        .find(|s| s.id == room.space_id);
    let join_url = format!(
        "{}/live/{}",
        st.services.config().public_url.trim_end_matches('/'),
        room.id.0
    );
    let starts_at = st.services.room_starts_at(&room).await.map_err(page)?;
    let v = context! {
        starts => start::page_value(ctx.lang, starts_at, parvis_domain::now_millis()),
        room => context! { id => room.id.0, title => room.title.clone(), session_id => room.session_id,
            anonymous_questions => room.anonymous_questions, approval_required => room.approval_required },
        space => space.map(|s| context! { slug => s.slug, name => s.name }),
        join_url => join_url,
        js => script_strings(ctx.lang),
    };
    Ok((v, room))
}

/// What the console of a session's room offers: the agenda, the registrants to give the
/// floor to, and the polls of the session it repeats, to ask again.
async fn console_session(
    st: &AppState,
    ctx: &Ctx,
    room: &parvis_store::RoomRow,
) -> Result<Value, ServiceError> {
    if room.session_id.is_none() {
        return Ok(Value::UNDEFINED);
    }
    let agenda = st.services.room_agenda(room).await?;
    let registrants = st
        .services
        .room_registrants(room, ctx.actor.as_ref())
        .await?;
    let polls = st.services.prepared_polls(room).await?;
    Ok(context! {
        id => room.session_id,
        agenda => agenda.iter().map(|a| context! { title => a.title.clone(), minutes => a.minutes }).collect::<Vec<_>>(),
        registrants => registrants.iter().map(|(n, o)| if o.is_empty() { n.clone() } else { format!("{n} ({o})") }).collect::<Vec<_>>(),
        polls => polls.iter().map(|p| context! {
            title => p.title.clone(),
            json => serde_json::json!({"title": p.title, "kind": p.kind, "hide_results": p.hide_results}).to_string(),
        }).collect::<Vec<_>>(),
    })
}

async fn room_page(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, crate::PageError> {
    let (v, room) = match room_context(&st, &ctx, &headers, &raw).await {
        Ok(x) => x,
        Err(res) => return Ok(res),
    };
    let actor = room_actor(&st, &ctx, &headers, &room)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "live_room.html",
        context! { ..v, ..context! {
            participant => actor.as_ref().map(|a| context! { name => a.name.clone(), moderator => a.moderator }),
        }},
    )
}

async fn console_page(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, crate::PageError> {
    let (v, room) = match room_context(&st, &ctx, &headers, &raw).await {
        Ok(x) => x,
        Err(res) => return Ok(res),
    };
    let moderator = room_actor(&st, &ctx, &headers, &room)
        .await
        .map_err(fail(&st, &ctx))?
        .is_some_and(|a| a.moderator);
    if !moderator {
        let e = if ctx.actor.is_none() {
            ServiceError::Unauthenticated
        } else {
            ServiceError::Forbidden("the console is for moderators".into())
        };
        return Err(fail(&st, &ctx)(e));
    }
    let session = console_session(&st, &ctx, &room)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "live_console.html",
        context! { ..v, ..context! { session => session } },
    )
}

async fn screen_page(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, crate::PageError> {
    let (v, room) = match room_context(&st, &ctx, &headers, &raw).await {
        Ok(x) => x,
        Err(res) => return Ok(res),
    };
    let join_url = format!(
        "{}/live/{}",
        st.services.config().public_url.trim_end_matches('/'),
        room.id.0
    );
    // The room's check-in code beside the join code, labelled, when the screen is opened by
    // one of the session's moderators (they run the big screen): anyone else reaching this
    // page from afar must not get the code that says "I am in the room".
    let checkin = match (room.session_id, ctx.actor.as_ref()) {
        (Some(session), Some(actor)) => {
            st.services
                .checkin_key(actor, session)
                .await
                .ok()
                .map(|key| {
                    format!(
                        "{}/sessions/{session}/checkin/{key}",
                        st.services.config().public_url.trim_end_matches('/')
                    )
                })
        }
        _ => None,
    };
    let checkin_qr = checkin
        .as_deref()
        .map(|u| Value::from_safe_string(qr_svg(u)));
    render(
        &st,
        &ctx,
        "live_screen.html",
        context! { ..v, ..context! { qr => Value::from_safe_string(qr_svg(&join_url)), checkin_qr => checkin_qr, checkin_url => checkin } },
    )
}

/// The QR code of `url` as an SVG element (dark on light, quiet zone included).
pub(crate) fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .dark_color(qrcode::render::svg::Color("#111111"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build()
            // The renderer writes an XML declaration first; inside HTML it is noise.
            .split_once("?>")
            .map(|(_, svg)| svg.trim().to_string())
            .unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "QR code not drawn");
            String::new()
        }
    }
}

#[derive(Deserialize)]
struct JoinForm {
    csrf: String,
    name: String,
}

/// A visitor gives a name to take part: kept in a cookie with a random token.
async fn join(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<JoinForm>,
) -> Result<Response, crate::PageError> {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = room_id(&raw).map_err(fail(&st, &ctx))?;
    let room = st.services.room(id).await.map_err(fail(&st, &ctx))?;
    room_gate(&st, &ctx, &headers, &room)
        .await
        .map_err(fail(&st, &ctx))?;
    let name = visitor_name(&f.name).map_err(|e| fail(&st, &ctx)(e.into()))?;
    let value = format!(
        "{}.{}",
        parvis_services::random_token(),
        utf8_percent_encode(&name, NON_ALPHANUMERIC)
    );
    let mut res = Redirect::to(&format!("/live/{}", id.0)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(
            VISITOR_COOKIE,
            &value,
            Some(60 * 60 * 24 * 30),
            ctx.secure_cookies,
        ),
    );
    Ok(res)
}

async fn rooms_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
) -> Result<Response, crate::PageError> {
    rooms_page_with(&st, &ctx, &space, None, StatusCode::OK).await
}

async fn rooms_page_with(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    error: Option<(String, String)>,
    status: StatusCode,
) -> Result<Response, crate::PageError> {
    let sp = st.services.space(space).await.map_err(fail(st, ctx))?;
    let rooms = st
        .services
        .rooms_of_space(space)
        .await
        .map_err(fail(st, ctx))?;
    let topics = st.services.topics(&sp).await.map_err(fail(st, ctx))?;
    let can_open = ctx
        .actor
        .as_ref()
        .is_some_and(|a| a.member.site_role.can_moderate());
    let mut res = render(
        st,
        ctx,
        "live_rooms.html",
        context! {
            space => context! { slug => sp.slug, name => sp.name },
            rooms => rooms.iter().map(|r| context! {
                id => r.id.0, title => r.title.clone(),
                topic => r.topic_id.and_then(|t| topics.iter().find(|x| x.id == t)).map(|t| t.title.clone()),
            }).collect::<Vec<_>>(),
            topics => topics.iter().map(|t| context! { id => t.id.0, title => t.title.clone() }).collect::<Vec<_>>(),
            can_open => can_open,
            error_field => error.as_ref().map(|e| e.0.clone()),
            error => error.map(|e| e.1),
        },
    )?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Deserialize)]
struct CreateForm {
    csrf: String,
    title: String,
    #[serde(default)]
    topic_id: String,
    #[serde(default)]
    anonymous_questions: Option<String>,
    #[serde(default)]
    approval_required: Option<String>,
    #[serde(default)]
    budget_factor: String,
}

/// A moderator opens a room, then lands on its console.
async fn create_room(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<CreateForm>,
) -> Result<Response, crate::PageError> {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let bad = |field: &str, msg: &str| (field.to_string(), msg.to_string());
    let topic_id = match f.topic_id.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let e = bad("topic_id", crate::i18n::get(ctx.lang, "live_bad_topic"));
                return rooms_page_with(
                    &st,
                    &ctx,
                    &space,
                    Some(e),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
    };
    let budget_factor = match f.budget_factor.trim().replace(',', ".") {
        s if s.is_empty() => None,
        s => match s.parse::<f64>() {
            Ok(x) => Some(x),
            Err(_) => {
                let e = bad(
                    "budget_factor",
                    crate::i18n::get(ctx.lang, "live_bad_budget"),
                );
                return rooms_page_with(
                    &st,
                    &ctx,
                    &space,
                    Some(e),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
    };
    let form = RoomForm {
        title: f.title,
        topic_id,
        anonymous_questions: f.anonymous_questions.is_some(),
        approval_required: f.approval_required.is_some(),
        budget_factor,
    };
    match st.services.create_room(actor, &space, &form).await {
        Ok(room) => Ok(Redirect::to(&format!("/live/{}/console", room.id.0)).into_response()),
        Err(ServiceError::Validation(v)) => {
            let said = crate::forms::field_errors(ctx.lang, &ServiceError::Validation(v.clone()))
                .and_then(|m| m.into_values().next())
                .unwrap_or_else(|| v.to_string());
            rooms_page_with(
                &st,
                &ctx,
                &space,
                Some((v.field.clone(), said)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(fail(&st, &ctx)(e)),
    }
}

/// A refusal or failure as a problem (the API's and the socket's shared mapping).
pub(crate) fn live_problem(e: parvis_services::live::LiveError) -> ApiError {
    use parvis_services::live::LiveError as L;
    match e {
        L::Refused(r) => {
            let status = match r.code() {
                "not_moderator" => StatusCode::FORBIDDEN,
                "no_such_question" | "no_such_poll" => StatusCode::NOT_FOUND,
                "bad_text" | "bad_answer" | "bad_poll" => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            let mut p = ApiError::new(status, r.code(), "Refused by the room", r.to_string());
            p.field = r.field().map(str::to_string);
            p
        }
        L::NoSuchRoom(id) => ApiError::not_found(format!("there is no room {id}")),
        L::Unavailable(why) => {
            tracing::error!(error = %why, "live room unavailable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "room_unavailable",
                "Room unavailable",
                "the room could not reach the store; try again",
            )
        }
    }
}

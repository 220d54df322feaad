//! A session's live room and room check-in: "join the live room" from the session page
//! (`/sessions/{id}/live`), the printable check-in QR code (`/sessions/{id}/qr`) and the
//! address it holds (`/sessions/{id}/checkin/{key}`). Rules in
//! `parvis_services::{session_room, checkin}`.

use super::{id_of, webcast_cookie};
use crate::context::read_cookie;
use crate::pages::{PageResult, fail, render, see_other};
use crate::{AppState, Ctx};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use minijinja::{Value, context};
use parvis_services::checkin::{Scanner, room_open_at};

/// The cookie that remembers a visitor's registration (the secret of their emailed link) so
/// that scanning the room's QR code recognises them.
pub(crate) fn registrant_cookie(session: i64) -> String {
    format!("parvis_registrant_{session}")
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/live", get(join_live))
        .route("/sessions/{id}/qr", get(qr_page))
        .route("/sessions/{id}/checkin/{key}", get(check_in))
}

/// Whether the viewer may follow "join the live room" now (the session page's button).
pub(super) fn live_open(s: &parvis_services::sessions::SessionView) -> bool {
    s.session.closed_at.is_none()
        && (s.can_manage || room_open_at(&s.session, parvis_domain::now_millis()))
}

/// "Join the live room": the session's room (made on first need), once open and, for a
/// webcast, once its access code was given.
async fn join_live(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let id = id_of(&st, &ctx, &id)?;
    let key = read_cookie(&headers, &webcast_cookie(id));
    let s = st
        .services
        .session_view_with_key(ctx.actor.as_ref(), id, key.as_deref())
        .await
        .map_err(fail(&st, &ctx))?;
    if !live_open(&s) {
        return Ok(see_other(&format!("/sessions/{id}?ok=live_not_open")));
    }
    let room = st
        .services
        .session_room(id)
        .await
        .map_err(fail(&st, &ctx))?;
    let locked = crate::live::room_locked(&st, &ctx, &headers, &room)
        .await
        .map_err(fail(&st, &ctx))?;
    if locked.is_some() {
        return Ok(see_other(&format!("/sessions/{id}?ok=code_needed")));
    }
    Ok(see_other(&format!("/live/{}", room.id.0)))
}

/// The printable page with the check-in QR code (the session's moderators).
async fn qr_page(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = id_of(&st, &ctx, &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let key = st
        .services
        .checkin_key(actor, id)
        .await
        .map_err(fail(&st, &ctx))?;
    let s = st
        .services
        .session_view(Some(actor), id)
        .await
        .map_err(fail(&st, &ctx))?;
    let url = format!(
        "{}/sessions/{id}/checkin/{key}",
        st.services.config().public_url.trim_end_matches('/')
    );
    render(
        &st,
        &ctx,
        "session_qr.html",
        context! {
            s => Value::from_serialize(&s),
            url => url.clone(),
            qr => Value::from_safe_string(crate::live::qr_svg(&url)),
        },
    )
}

/// The address in the QR code: marks the scanner present in the room, then shows the
/// session page (which offers the live room). Someone unknown is asked to sign in or
/// register, and nothing is recorded.
async fn check_in(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
) -> PageResult {
    let id = id_of(&st, &ctx, &id)?;
    let visitor = read_cookie(&headers, &registrant_cookie(id));
    let who = match (&ctx.actor, &visitor) {
        (Some(a), _) => Scanner::Member(a),
        (None, Some(token)) => Scanner::Visitor(token),
        (None, None) => Scanner::Unknown,
    };
    let done = st
        .services
        .check_in(id, &key, who)
        .await
        .map_err(fail(&st, &ctx))?;
    if done {
        return Ok(see_other(&format!("/sessions/{id}?ok=checked_in")));
    }
    let next = format!("/sessions/{id}/checkin/{key}");
    render(
        &st,
        &ctx,
        "session_link.html",
        context! {
            title => crate::i18n::get(ctx.lang, "checkin_title"),
            message => crate::i18n::get(ctx.lang, "checkin_who"),
            session_id => id,
            signin_next => next,
        },
    )
}

//! The sessions' JSON API (nested under `/api/v1`, documented by `#[utoipa::path]`).

use crate::AppState;
use crate::api::Items;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use parvis_services::calendar::{Lead, MySession};
use parvis_services::registrations::{RegistrationConsents, VisitorRegistration};
use parvis_services::session_mails::SessionMailLine;
use parvis_services::sessions::{SessionInput, SessionView};
use parvis_store::{Registration, SessionRow};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<T, ApiError>;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sessions, create_session))
        .routes(routes!(get_session, update_session))
        .routes(routes!(session_counts))
        .routes(routes!(repeat_session))
        .routes(routes!(register, cancel_registration))
        .routes(routes!(list_registrations))
        .routes(routes!(confirm_registration))
        .routes(routes!(session_mails))
        .routes(routes!(session_leads))
        .routes(routes!(my_sessions))
        .routes(routes!(set_consents))
        .routes(routes!(calendar_link))
}

/// A topic's sessions, oldest first (its series)
#[utoipa::path(get, path = "/spaces/{space}/topics/{topic}/sessions", tag = "sessions",
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug")),
    responses((status = 200, description = "the series", body = Items<SessionRow>)))]
async fn list_sessions(
    State(st): State<AppState>,
    ApiPath((space, topic)): ApiPath<(String, String)>,
) -> ApiResult<Json<Items<SessionRow>>> {
    let space = st.services.space(&space).await?;
    let topic = st.services.topic(&space, &topic).await?;
    Ok(Json(Items {
        items: st.services.topic_series(&topic).await?,
    }))
}

/// Schedule a session of a topic (moderators and admins)
#[utoipa::path(post, path = "/spaces/{space}/topics/{topic}/sessions", tag = "sessions", request_body = SessionInput,
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "scheduled", body = SessionView)))]
async fn create_session(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, topic)): ApiPath<(String, String)>,
    ApiJson(b): ApiJson<SessionInput>,
) -> ApiResult<(StatusCode, Json<SessionView>)> {
    let actor = ctx.actor()?;
    let space = st.services.space(&space).await?;
    let topic = st.services.topic(&space, &topic).await?;
    let v = st
        .services
        .create_session(actor, &space, &topic, &b)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A session, with the caller's own registration
#[utoipa::path(get, path = "/sessions/{id}", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, description = "the session", body = SessionView)))]
async fn get_session(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SessionView>> {
    Ok(Json(
        st.services.session_view(ctx.actor.as_ref(), id).await?,
    ))
}

/// A session's counts as its page shows them, numbers and the reader's wording.
#[derive(serde::Serialize, ToSchema)]
struct SessionCounts {
    /// `upcoming`, `live`, `ended` or `closed`.
    state: String,
    /// Confirmed seats.
    confirmed: i64,
    /// On the waiting list.
    waiting: i64,
    /// Seats in all; absent for no limit.
    capacity: Option<i64>,
    /// People checked in in the room.
    room: i64,
    /// People who joined online.
    online: i64,
    /// The most people present at once.
    peak: i64,
    /// The same, written in the reader's language as on the page: `registered`
    /// ("12 / 30 places · 3 en liste d'attente"), `room`, `online`, `peak`.
    texts: std::collections::BTreeMap<&'static str, String>,
}

/// The registration line of a session's page: "12 / 30 places", "12 inscrits", and the
/// waiting list when there is one.
pub(crate) fn registered_text(lang: parvis_domain::Lang, s: &SessionRow) -> String {
    let mut text = match s.capacity {
        Some(cap) => format!(
            "{} / {}",
            lang.number(s.confirmed),
            crate::i18n::get_n(lang, "n_seats", cap)
        ),
        None => crate::i18n::get_n(lang, "n_registered", s.confirmed),
    };
    if s.waiting > 0 {
        text.push_str(&format!(
            " · {} {}",
            lang.number(s.waiting),
            crate::i18n::get(lang, "on_waiting_list")
        ));
    }
    text
}

/// A session's live counts (registered, waiting, checked in, online, peak); its page polls
/// them every 15 seconds
#[utoipa::path(get, path = "/sessions/{id}/counts", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, description = "the counts", body = SessionCounts)))]
async fn session_counts(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SessionCounts>> {
    let v = st.services.session_view(ctx.actor.as_ref(), id).await?;
    let a = st.services.attendance(id).await?;
    let lang = ctx.lang;
    let texts = [
        ("registered", registered_text(lang, &v.session)),
        ("room", lang.number(a.room)),
        ("online", lang.number(a.online)),
        ("peak", lang.number(a.peak)),
    ]
    .into();
    Ok(Json(SessionCounts {
        state: v.state,
        confirmed: v.session.confirmed,
        waiting: v.session.waiting,
        capacity: v.session.capacity,
        room: a.room,
        online: a.online,
        peak: a.peak,
        texts,
    }))
}

/// Edit a session (its moderators, site moderators, admins)
#[utoipa::path(put, path = "/sessions/{id}", tag = "sessions", request_body = SessionInput,
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "edited", body = SessionView)))]
async fn update_session(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SessionInput>,
) -> ApiResult<Json<SessionView>> {
    Ok(Json(
        st.services.update_session(ctx.actor()?, id, &b).await?,
    ))
}

/// When the repeated session starts.
#[derive(Deserialize, ToSchema)]
struct RepeatBody {
    /// Local start in the session's zone, `YYYY-MM-DDTHH:MM`.
    starts_at: String,
}

/// Schedule the next session of the series (same agenda and people)
#[utoipa::path(post, path = "/sessions/{id}/repeat", tag = "sessions", request_body = RepeatBody,
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "the new session", body = SessionView)))]
async fn repeat_session(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RepeatBody>,
) -> ApiResult<(StatusCode, Json<SessionView>)> {
    let v = st
        .services
        .repeat_session(ctx.actor()?, id, &b.starts_at)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A registration: members send only the consents; visitors add name, email, organisation.
#[derive(Deserialize, ToSchema)]
struct RegisterBody {
    /// Visitors only.
    #[serde(default)]
    name: Option<String>,
    /// Visitors only: the confirmation link is sent there.
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    organisation: Option<String>,
    /// The organisation may contact me (never assumed).
    #[serde(default)]
    contact: bool,
    /// Share my contact with the session's partners (never assumed).
    #[serde(default)]
    share: bool,
    /// Propose me meetings with other participants (never assumed).
    #[serde(default)]
    meet: bool,
}

/// Register to a session (a member at once; a visitor confirms by the emailed link)
#[utoipa::path(post, path = "/sessions/{id}/registration", tag = "sessions", request_body = RegisterBody,
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, description = "the registration: confirmed, waiting (full) or pending (visitor, link sent)", body = Registration)))]
async fn register(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RegisterBody>,
) -> ApiResult<Json<Registration>> {
    let consents = RegistrationConsents {
        contact: b.contact,
        share: b.share,
        meet: b.meet,
    };
    let reg = match &ctx.actor {
        Some(actor) => st.services.register_member(actor, id, consents).await?,
        None => {
            let form = VisitorRegistration {
                name: b.name.unwrap_or_default(),
                email: b.email.unwrap_or_default(),
                organisation: b.organisation.unwrap_or_default(),
                contact: b.contact,
                share: b.share,
                meet: b.meet,
            };
            let reg = st.services.register_visitor(id, &form, ctx.lang).await?;
            // A visitor is told only what they sent and that a link is on its way: never
            // whether (or as whom) this email was registered before.
            Registration {
                id: 0,
                person: String::new(),
                member_id: None,
                name: form.name,
                email: form.email,
                organisation: form.organisation,
                status: "pending".into(),
                consent_contact: b.contact,
                consent_share: b.share,
                consent_meet: b.meet,
                confirmed_at: None,
                cancelled_at: None,
                ..reg
            }
        }
    };
    Ok(Json(reg))
}

/// Cancel one's registration (the seat goes to the first on the waiting list)
#[utoipa::path(delete, path = "/sessions/{id}/registration", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "cancelled", body = Registration)))]
async fn cancel_registration(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Registration>> {
    Ok(Json(
        st.services
            .cancel_member_registration(ctx.actor()?, id)
            .await?,
    ))
}

/// A session's registrations (its moderators, site moderators, admins)
#[utoipa::path(get, path = "/sessions/{id}/registrations", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the registrations", body = Items<Registration>)))]
async fn list_registrations(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Items<Registration>>> {
    Ok(Json(Items {
        items: st.services.session_registrations(ctx.actor()?, id).await?,
    }))
}

/// The token of an emailed confirmation link.
#[derive(Deserialize, ToSchema)]
struct ConfirmBody {
    token: String,
}

/// Confirm a visitor's registration with the emailed token
#[utoipa::path(post, path = "/registrations/confirm", tag = "sessions", request_body = ConfirmBody,
    responses((status = 200, description = "confirmed or on the waiting list", body = Registration), (status = 401, description = "unknown or used link")))]
async fn confirm_registration(
    State(st): State<AppState>,
    ApiJson(b): ApiJson<ConfirmBody>,
) -> ApiResult<Json<Registration>> {
    Ok(Json(st.services.confirm_registration(&b.token).await?))
}

/// A session's mails: sent, planned or failed, whom each is for, and why a failed one failed
/// (its moderators; an address only with its registrant's consent to be contacted)
#[utoipa::path(get, path = "/sessions/{id}/mails", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the session's mails, oldest planned first", body = Items<SessionMailLine>)))]
async fn session_mails(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Items<SessionMailLine>>> {
    Ok(Json(Items {
        items: st.services.session_mail_lines(ctx.actor()?, id).await?,
    }))
}

/// `?partner=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LeadsQuery {
    /// One of the session's named partners: only those who consented to share with them.
    partner: Option<String>,
}

/// A session's leads: contact details only with consent; a partner's only those who
/// consented to share (its moderators, site moderators, admins)
#[utoipa::path(get, path = "/sessions/{id}/leads", tag = "sessions",
    params(("id" = i64, Path, description = "session id"), LeadsQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the leads, each consent with its date and wording", body = Items<Lead>)))]
async fn session_leads(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<LeadsQuery>,
) -> ApiResult<Json<Items<Lead>>> {
    let partner = q.partner.as_deref().filter(|p| !p.trim().is_empty());
    Ok(Json(Items {
        items: st.services.session_leads(ctx.actor()?, id, partner).await?,
    }))
}

/// The sessions the member registered to, soonest first
#[utoipa::path(get, path = "/me/sessions", tag = "sessions",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the member's sessions", body = Items<MySession>)))]
async fn my_sessions(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<Items<MySession>>> {
    Ok(Json(Items {
        items: st.services.my_sessions(ctx.actor()?).await?,
    }))
}

/// Give or withdraw one's consents on a registration (each change dated)
#[utoipa::path(put, path = "/sessions/{id}/registration/consents", tag = "sessions", request_body = RegistrationConsents,
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the registration", body = Registration)))]
async fn set_consents(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RegistrationConsents>,
) -> ApiResult<Json<Registration>> {
    Ok(Json(
        st.services
            .set_member_registration_consents(ctx.actor()?, id, b)
            .await?,
    ))
}

/// The private calendar address.
#[derive(serde::Serialize, ToSchema)]
struct CalendarLink {
    /// An iCalendar feed of the member's sessions; secret, shown once.
    url: String,
}

/// Create (or replace) the member's private calendar feed address
#[utoipa::path(post, path = "/me/calendar-link", tag = "sessions",
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "the new address (the previous one stops working)", body = CalendarLink)))]
async fn calendar_link(
    State(st): State<AppState>,
    ctx: Ctx,
) -> ApiResult<(StatusCode, Json<CalendarLink>)> {
    let url = st.services.new_calendar_link(ctx.actor()?).await?;
    Ok((StatusCode::CREATED, Json(CalendarLink { url })))
}

//! Sessions of a topic, pages and API together: the session page (`/sessions/{id}`) with its
//! registration form, the moderators' create/edit/repeat forms and registrations list, the
//! visitors' emailed links (`/sessions/confirm/{token}`, `/sessions/manage/{token}`), and the
//! JSON API in `api.rs`. The rules live in `parvis_services::{sessions, registrations}`.

mod actions_api;
mod api;
mod calendar;
mod links;
mod meet;
mod report;
mod room;

/// API routes (nested under `/api/v1`).
pub(crate) fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::routes()
        .merge(actions_api::routes())
        .merge(report::api_routes())
        .merge(meet::api_routes())
}

use crate::context::{cookie, read_cookie};
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{CsrfOnly, PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_services::registrations::{RegistrationConsents, VisitorRegistration, consent_wording};
use parvis_services::sessions::{MODES, SessionInput, SessionView, SpeakerInput};
use parvis_store::AgendaItem;
use serde::{Deserialize, Serialize};

/// The templates of this area.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("session.html", include_str!("../../templates/session.html")),
    (
        "session_form.html",
        include_str!("../../templates/session_form.html"),
    ),
    (
        "session_link.html",
        include_str!("../../templates/session_link.html"),
    ),
    (
        "my_sessions.html",
        include_str!("../../templates/my_sessions.html"),
    ),
    (
        "session_close.html",
        include_str!("../../templates/session_close.html"),
    ),
    (
        "session_report.html",
        include_str!("../../templates/session_report.html"),
    ),
    (
        "synthesis.html",
        include_str!("../../templates/synthesis.html"),
    ),
    (
        "session_room_report.html",
        include_str!("../../templates/session_room_report.html"),
    ),
    (
        "session_qr.html",
        include_str!("../../templates/session_qr.html"),
    ),
    (
        "session_registrations.html",
        include_str!("../../templates/session_registrations.html"),
    ),
    (
        "session_meetings.html",
        include_str!("../../templates/session_meetings.html"),
    ),
    (
        "session_my_meetings.html",
        include_str!("../../templates/session_my_meetings.html"),
    ),
];

/// Page routes (merged at the root).
pub(crate) fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/s/{space}/t/{topic}/sessions/new", get(new_page))
        .route("/s/{space}/t/{topic}/sessions", post(create))
        .route("/sessions/{id}", get(session_page))
        .route("/sessions/{id}/edit", get(edit_page).post(edit))
        .route("/sessions/{id}/repeat", post(repeat))
        .route("/sessions/{id}/register", post(register))
        .route("/sessions/{id}/cancel", post(cancel))
        .route("/sessions/{id}/code", post(unlock))
        .route("/sessions/{id}/registrations", get(registrations_page))
        .route(
            "/sessions/confirm/{token}",
            get(links::confirm_page).post(links::confirm),
        )
        .route(
            "/sessions/manage/{token}",
            get(links::manage_page).post(links::manage_cancel),
        )
        .merge(calendar::routes())
        .merge(report::routes())
        .merge(room::routes())
        .merge(meet::routes())
}

fn id_of(st: &AppState, ctx: &Ctx, id: &str) -> Result<i64, crate::PageError> {
    id.parse().map_err(|_| {
        fail_api(
            st,
            ctx,
            crate::ApiError::not_found(format!("session {id:?}")),
        )
    })
}

pub(crate) fn webcast_cookie(id: i64) -> String {
    format!("parvis_webcast_{id}")
}

#[derive(Deserialize, Default)]
struct OkQuery {
    ok: Option<String>,
    /// The click on the session's embedded card that led here (`/r/{click}`), carried by the
    /// registration form so that the registration counts for that embed.
    parvis_click: Option<String>,
}

/// The session page; `failed` is a form of it shown again with its errors, `click` the
/// embed click the registration form carries.
async fn session_view(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    key: Option<String>,
    ok: Option<String>,
    failed: Value,
    click: Option<&str>,
) -> PageResult {
    let (s, mut attendance) = st
        .services
        .session_page_with_key(ctx.actor.as_ref(), id, key.as_deref())
        .await
        .map_err(fail(st, ctx))?;
    // Opening the page while the session is under way counts the member online, in the
    // counts they see too.
    let noted = st
        .services
        .note_online_at(ctx.actor.as_ref(), &s.session)
        .await
        .map_err(fail(st, ctx))?;
    if noted {
        attendance = st.services.attendance(id).await.map_err(fail(st, ctx))?;
    }
    let meet = meet::member_meetings(st, ctx, id).await;
    let ok = ok.filter(|o| {
        [
            "registered",
            "waiting",
            "pending",
            "cancelled",
            "created",
            "saved",
            "unlocked",
            "checked_in",
            "code_needed",
            "live_not_open",
            "meet_answered",
            "meet_met",
        ]
        .contains(&o.as_str())
    });
    render(
        st,
        ctx,
        "session.html",
        context! {
            s => Value::from_serialize(&s),
            ok => ok,
            failed => failed,
            click => click.filter(|c| parvis_services::embeds::track::is_click_id(c)),
            consent_contact => consent_wording("contact", ctx.lang, &s.session.partners),
            consent_share => consent_wording("share", ctx.lang, &s.session.partners),
            consent_meet => consent_wording("meet", ctx.lang, &s.session.partners),
            attendance => Value::from_serialize(&attendance),
            registered_text => api::registered_text(ctx.lang, &s.session),
            live_open => room::live_open(&s),
            meet => meet.map(|m| meet::block(&m, format!("/sessions/{id}/meetings"))),
        },
    )
}

async fn session_page(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let id = id_of(&st, &ctx, &id)?;
    let key = read_cookie(&headers, &webcast_cookie(id));
    let click = q.parvis_click.as_deref();
    session_view(&st, &ctx, id, key, q.ok, Value::UNDEFINED, click).await
}

/// The session form as typed (text fields; lists one per line).
#[derive(Deserialize, Serialize, Default, Clone)]
struct SessionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    duration_min: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    online_url: String,
    #[serde(default, skip_serializing)]
    access_code: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    partners: String,
    #[serde(default)]
    moderators: String,
    /// One per line: `@handle`, or `Name — Organisation`.
    #[serde(default)]
    speakers: String,
    /// One per line: `Title | minutes`.
    #[serde(default)]
    agenda: String,
}

fn number(field: &str, s: &str) -> Result<Option<i64>, parvis_services::ServiceError> {
    let s = s.trim().replace([' ', '\u{202f}', '\u{a0}'], "");
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        parvis_domain::ValidationError::broke(
            field,
            parvis_domain::Rule::Range,
            "expected a whole number",
        )
        .into()
    })
}

impl SessionForm {
    /// The form as the services take it; a number that does not parse names its field.
    fn input(&self) -> Result<SessionInput, parvis_services::ServiceError> {
        let duration = number("duration_min", &self.duration_min)?.unwrap_or(0);
        let capacity = number("capacity", &self.capacity)?;
        let speakers = self
            .speakers
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| match l.strip_prefix('@') {
                Some(h) => SpeakerInput {
                    handle: Some(h.to_string()),
                    ..Default::default()
                },
                None => {
                    let (name, org) = l
                        .split_once(" — ")
                        .or_else(|| l.split_once(" - "))
                        .unwrap_or((l, ""));
                    SpeakerInput {
                        handle: None,
                        name: name.trim().into(),
                        organisation: org.trim().into(),
                    }
                }
            })
            .collect();
        let mut agenda = Vec::new();
        for l in self.agenda.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (title, minutes) = l.rsplit_once('|').unwrap_or((l, ""));
            agenda.push(AgendaItem {
                title: title.trim().into(),
                minutes: number("agenda", minutes)?.unwrap_or(0),
            });
        }
        Ok(SessionInput {
            title: self.title.clone(),
            description: self.description.clone(),
            starts_at: self.starts_at.clone(),
            duration_min: duration,
            time_zone: Some(self.time_zone.clone()),
            mode: self.mode.clone(),
            place: self.place.clone(),
            online_url: self.online_url.clone(),
            // On edit, an empty field keeps the code; "-" removes it.
            access_code: match self.access_code.trim() {
                "" => None,
                "-" => Some(String::new()),
                c => Some(c.to_string()),
            },
            capacity,
            partners: self.partners.clone(),
            moderators: self
                .moderators
                .split([',', ' '])
                .map(|h| h.trim().trim_start_matches('@').to_string())
                .filter(|h| !h.is_empty())
                .collect(),
            speakers,
            agenda,
        })
    }

    fn from_view(s: &SessionView) -> Self {
        let ss = &s.session;
        SessionForm {
            title: ss.title.clone(),
            description: ss.description.clone(),
            starts_at: s.starts_local.clone(),
            duration_min: ss.duration_min.to_string(),
            time_zone: ss.time_zone.clone(),
            mode: ss.mode.clone(),
            place: ss.place.clone(),
            online_url: ss.online_url.clone(),
            capacity: ss.capacity.map(|c| c.to_string()).unwrap_or_default(),
            partners: ss.partners.clone(),
            moderators: s
                .moderators
                .iter()
                .filter_map(|p| p.handle.clone())
                .collect::<Vec<_>>()
                .join(", "),
            speakers: s
                .speakers
                .iter()
                .map(|p| match &p.handle {
                    Some(h) => format!("@{h}"),
                    None if p.organisation.is_empty() => p.name.clone(),
                    None => format!("{} — {}", p.name, p.organisation),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            agenda: s
                .agenda
                .iter()
                .map(|a| format!("{} | {}", a.title, a.minutes))
                .collect::<Vec<_>>()
                .join("\n"),
            ..Default::default()
        }
    }
}

async fn form_view(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    topic: &str,
    session_id: Option<i64>,
    values: SessionForm,
    failed: Value,
) -> PageResult {
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    let topic = st
        .services
        .topic(&space, topic)
        .await
        .map_err(fail(st, ctx))?;
    let mut values = values;
    // A new form (or one left blank) shows the space's zone, the one used when none is given.
    if values.time_zone.trim().is_empty() {
        values.time_zone = space.time_zone.clone();
    }
    render(
        st,
        ctx,
        "session_form.html",
        context! {
            space => Value::from_serialize(&space),
            topic => Value::from_serialize(&topic),
            session_id => session_id,
            values => Value::from_serialize(&values),
            modes => MODES.to_vec(),
            failed => failed,
        },
    )
}

async fn new_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    ctx.actor()
        .map_err(fail(&st, &ctx))?
        .require_moderator()
        .map_err(fail(&st, &ctx))?;
    let values = SessionForm {
        duration_min: "90".into(),
        mode: "in_person".into(),
        ..Default::default()
    };
    form_view(&st, &ctx, &space, &topic, None, values, Value::UNDEFINED).await
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space_slug, topic_slug)): Path<(String, String)>,
    Form(f): Form<SessionForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st
        .services
        .space(&space_slug)
        .await
        .map_err(fail(&st, &ctx))?;
    let topic = st
        .services
        .topic(&space, &topic_slug)
        .await
        .map_err(fail(&st, &ctx))?;
    let outcome = match f.input() {
        Ok(input) => {
            st.services
                .create_session(actor, &space, &topic, &input)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(s) => Ok(see_other(&format!("/sessions/{}?ok=created", s.session.id))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                form_view(
                    &st,
                    &ctx,
                    &space_slug,
                    &topic_slug,
                    None,
                    f.clone(),
                    failed("session", &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn edit_page(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = id_of(&st, &ctx, &id)?;
    let s = st
        .services
        .session_view(ctx.actor.as_ref(), id)
        .await
        .map_err(fail(&st, &ctx))?;
    if !s.can_manage {
        return Err(fail(&st, &ctx)(parvis_services::ServiceError::Forbidden(
            "only the session's moderators may edit it".into(),
        )));
    }
    form_view(
        &st,
        &ctx,
        &s.space,
        &s.topic,
        Some(id),
        SessionForm::from_view(&s),
        Value::UNDEFINED,
    )
    .await
}

async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<SessionForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let outcome = match f.input() {
        Ok(input) => st.services.update_session(actor, id, &input).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/sessions/{id}?ok=saved"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => {
                let s = st
                    .services
                    .session_view(Some(actor), id)
                    .await
                    .map_err(fail(&st, &ctx))?;
                unprocessable(
                    form_view(
                        &st,
                        &ctx,
                        &s.space,
                        &s.topic,
                        Some(id),
                        f.clone(),
                        failed("session", &f, errors),
                    )
                    .await,
                )
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize, Serialize)]
struct RepeatForm {
    csrf: String,
    #[serde(default)]
    starts_at: String,
}

async fn repeat(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<RepeatForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    match st.services.repeat_session(actor, id, &f.starts_at).await {
        Ok(s) => Ok(see_other(&format!("/sessions/{}?ok=created", s.session.id))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                session_view(
                    &st,
                    &ctx,
                    id,
                    read_cookie(&headers, &webcast_cookie(id)),
                    None,
                    failed("repeat", &f, errors),
                    None,
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize, Serialize)]
struct RegisterForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: String,
    #[serde(default, skip_serializing)]
    contact: Option<String>,
    #[serde(default, skip_serializing)]
    share: Option<String>,
    #[serde(default, skip_serializing)]
    meet: Option<String>,
    /// The embed click that led here (see `OkQuery`).
    #[serde(default, skip_serializing)]
    parvis_click: String,
}

async fn register(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<RegisterForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, &id)?;
    let consents = RegistrationConsents {
        contact: f.contact.is_some(),
        share: f.share.is_some(),
        meet: f.meet.is_some(),
    };
    let outcome = match &ctx.actor {
        Some(actor) => st.services.register_member(actor, id, consents).await,
        None => {
            let form = VisitorRegistration {
                name: f.name.clone(),
                email: f.email.clone(),
                organisation: f.organisation.clone(),
                contact: consents.contact,
                share: consents.share,
                meet: consents.meet,
            };
            // A visitor always reads "check your mail": whether the address was already
            // registered is nobody else's business.
            st.services.register_visitor(id, &form, ctx.lang).await
        }
    };
    match outcome {
        Ok(reg) => {
            // Reached from the session's embedded card: the registration is that click's
            // conversion (a visitor's once confirmed). Never a reason to fail the registration.
            if !f.parvis_click.is_empty()
                && let Err(e) = st
                    .services
                    .registration_from_click(id, &reg, &f.parvis_click)
                    .await
            {
                tracing::warn!(error = %e, "registration not counted for its embed");
            }
            let ok = match reg.status.as_str() {
                _ if ctx.actor.is_none() => "pending",
                "confirmed" => "registered",
                other => other,
            };
            Ok(see_other(&format!("/sessions/{id}?ok={ok}")))
        }
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                session_view(
                    &st,
                    &ctx,
                    id,
                    read_cookie(&headers, &webcast_cookie(id)),
                    None,
                    failed("register", &f, errors),
                    Some(f.parvis_click.as_str()),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn cancel(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .cancel_member_registration(actor, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("/sessions/{id}?ok=cancelled")))
}

#[derive(Deserialize, Serialize)]
struct CodeForm {
    csrf: String,
    #[serde(default, skip_serializing)]
    code: String,
}

async fn unlock(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CodeForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, &id)?;
    match st.services.unlock_webcast(id, &f.code, &ctx.client).await {
        Ok(key) => {
            let mut res = see_other(&format!("/sessions/{id}?ok=unlocked"));
            res.headers_mut().append(
                header::SET_COOKIE,
                cookie(
                    &webcast_cookie(id),
                    &key,
                    Some(60 * 60 * 24 * 30),
                    ctx.secure_cookies,
                ),
            );
            Ok(res)
        }
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                session_view(&st, &ctx, id, None, None, failed("code", &f, errors), None).await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn registrations_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = id_of(&st, &ctx, &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let regs = st
        .services
        .session_registrations(actor, id)
        .await
        .map_err(fail(&st, &ctx))?;
    let mails = st
        .services
        .session_mail_lines(actor, id)
        .await
        .map_err(fail(&st, &ctx))?;
    let s = st
        .services
        .session_view(Some(actor), id)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "session_registrations.html",
        context! {
            partners => s.session.partners.split(',').map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>(),
            s => Value::from_serialize(&s),
            regs => Value::from_serialize(&regs),
            mails => Value::from_serialize(&mails),
        },
    )
}

//! Calendars, "my sessions", consents by the manage link, and lead exports (pages).

use crate::pages::{CsrfOnly, PageResult, fail, fail_api, render, see_other};
use crate::{ApiError, AppState, Ctx};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_services::calendar::leads_csv;
use parvis_services::registrations::{RegistrationConsents, consent_wording};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{space}/t/{topic}/sessions.ics", get(topic_ics))
        .route("/calendar/{file}", get(member_ics))
        .route("/me/sessions", get(my_sessions))
        .route("/me/sessions/calendar", post(new_link))
        .route("/sessions/manage/{token}/consents", post(manage_consents))
        .route("/sessions/{id}/leads.csv", get(leads_csv_file))
        .route("/sessions/{id}/leads.json", get(leads_json_file))
}

fn ics(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn topic_ics(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let topic = st
        .services
        .topic(&space, &topic)
        .await
        .map_err(fail(&st, &ctx))?;
    let body = st
        .services
        .topic_calendar(&topic)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(ics(body, &format!("{}.ics", topic.slug)))
}

async fn member_ics(State(st): State<AppState>, ctx: Ctx, Path(file): Path<String>) -> PageResult {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let body = st
        .services
        .member_calendar(token)
        .await
        .map_err(fail(&st, &ctx))?;
    let mut res = ics(body, "parvis.ics");
    // A private address: never kept by a shared cache.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

async fn my_sessions_view(st: &AppState, ctx: &Ctx, new_link: Option<String>) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let mine = st
        .services
        .my_sessions(actor)
        .await
        .map_err(fail(st, ctx))?;
    let has_link = st
        .services
        .has_calendar_link(actor)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "my_sessions.html",
        context! { mine => Value::from_serialize(&mine), has_link => has_link, new_link => new_link },
    )
}

async fn my_sessions(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    my_sessions_view(&st, &ctx, None).await
}

async fn new_link(State(st): State<AppState>, ctx: Ctx, Form(f): Form<CsrfOnly>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let link = st
        .services
        .new_calendar_link(actor)
        .await
        .map_err(fail(&st, &ctx))?;
    my_sessions_view(&st, &ctx, Some(link)).await
}

#[derive(Deserialize)]
struct ConsentsForm {
    csrf: String,
    contact: Option<String>,
    share: Option<String>,
    meet: Option<String>,
}

/// The manage page's consent boxes (a visitor withdraws or gives a consent).
pub(crate) fn consents_block(
    token: &str,
    reg: &parvis_store::Registration,
    partners: &str,
) -> Value {
    let lang = parvis_domain::Lang::from_code(&reg.lang).unwrap_or_default();
    context! {
        action => format!("/sessions/manage/{}/consents", percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC)),
        contact => reg.consent_contact,
        share => reg.consent_share,
        contact_wording => consent_wording("contact", lang, partners),
        share_wording => consent_wording("share", lang, partners),
        meet => reg.consent_meet,
        meet_wording => consent_wording("meet", lang, partners),
    }
}

async fn manage_consents(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<ConsentsForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .set_consents_by_manage_token(
            &token,
            RegistrationConsents {
                contact: f.contact.is_some(),
                share: f.share.is_some(),
                meet: f.meet.is_some(),
            },
        )
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/sessions/manage/{}?ok=saved",
        percent_encoding::utf8_percent_encode(&token, percent_encoding::NON_ALPHANUMERIC)
    )))
}

#[derive(Deserialize, Default)]
struct PartnerQuery {
    partner: Option<String>,
}

async fn leads(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    partner: Option<&str>,
) -> Result<Vec<parvis_services::calendar::Lead>, crate::PageError> {
    let id: i64 = id
        .parse()
        .map_err(|_| fail_api(st, ctx, ApiError::not_found(format!("session {id:?}"))))?;
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    st.services
        .session_leads(actor, id, partner.filter(|p| !p.trim().is_empty()))
        .await
        .map_err(fail(st, ctx))
}

fn attachment(body: Vec<u8>, content_type: &str, name: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

async fn leads_csv_file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PartnerQuery>,
) -> PageResult {
    let l = leads(&st, &ctx, &id, q.partner.as_deref()).await?;
    Ok(attachment(
        leads_csv(&l).into_bytes(),
        "text/csv; charset=utf-8",
        &format!("session-{id}-leads.csv"),
    ))
}

async fn leads_json_file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PartnerQuery>,
) -> PageResult {
    let l = leads(&st, &ctx, &id, q.partner.as_deref()).await?;
    Ok(attachment(
        serde_json::to_vec_pretty(&l).unwrap_or_default(),
        "application/json",
        &format!("session-{id}-leads.json"),
    ))
}

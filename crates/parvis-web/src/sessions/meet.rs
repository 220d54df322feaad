//! Meet, pages and API together: the moderators' plan page (`/sessions/{id}/meetings`, with
//! its CSV), the participants' answers and "we met" (members from the session page, visitors
//! from their emailed manage link), and the JSON API. The rules live in
//! `parvis_services::meet`.

use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{CsrfOnly, PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::{Value, context};
use parvis_services::meet::{MeetPlanInput, MeetPlanView, MyMeetings, meet_plan_csv};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/meetings", get(plan_page).post(plan))
        .route("/sessions/{id}/meetings.csv", get(plan_csv))
        .route("/sessions/{id}/meetings/{meeting}/answer", post(answer))
        .route("/sessions/{id}/meetings/{meeting}/met", post(met))
        .route(
            "/sessions/manage/{token}/meetings/{meeting}/answer",
            post(visitor_answer),
        )
        .route(
            "/sessions/manage/{token}/meetings/{meeting}/met",
            post(visitor_met),
        )
}

pub(super) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api_my_meetings))
        .routes(routes!(api_plan, api_generate))
        .routes(routes!(api_answer))
        .routes(routes!(api_met))
}

fn ids(st: &AppState, ctx: &Ctx, id: &str, meeting: &str) -> Result<(i64, i64), crate::PageError> {
    let id = super::id_of(st, ctx, id)?;
    let meeting = meeting
        .parse()
        .map_err(|_| fail_api(st, ctx, ApiError::not_found(format!("meeting {meeting:?}"))))?;
    Ok((id, meeting))
}

/// The viewer's meetings for the session page (members registered to it); nothing otherwise.
pub(super) async fn member_meetings(st: &AppState, ctx: &Ctx, id: i64) -> Option<MyMeetings> {
    let actor = ctx.actor.as_ref()?;
    st.services.my_meetings(actor, id).await.ok()
}

/// What the "your meetings" block of a page shows; `action` is where its forms post (the
/// meeting's id and `/answer` or `/met` are added).
pub(super) fn block(m: &MyMeetings, action: String) -> Value {
    context! {
        opted_in => m.opted_in,
        meetings => Value::from_serialize(&m.meetings),
        session_id => m.session_id,
        action => action,
    }
}

/// The plan form as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
struct PlanForm {
    #[serde(default, skip_serializing)]
    csrf: String,
    #[serde(default)]
    slots: String,
    #[serde(default)]
    slot_minutes: String,
    #[serde(default)]
    first_slot: String,
}

impl PlanForm {
    fn input(&self) -> Result<MeetPlanInput, parvis_services::ServiceError> {
        Ok(MeetPlanInput {
            slots: super::number("slots", &self.slots)?.unwrap_or(0),
            slot_minutes: super::number("slot_minutes", &self.slot_minutes)?.unwrap_or(0),
            first_slot: Some(self.first_slot.clone()),
        })
    }
}

async fn plan_view(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    values: PlanForm,
    failed: Value,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let plan = st
        .services
        .meet_plan(actor, id)
        .await
        .map_err(fail(st, ctx))?;
    let s = st
        .services
        .session_view(Some(actor), id)
        .await
        .map_err(fail(st, ctx))?;
    let values = if values.slots.is_empty() {
        PlanForm {
            slots: plan.slots.unwrap_or(3).to_string(),
            slot_minutes: plan.slot_minutes.unwrap_or(15).to_string(),
            first_slot: plan
                .first_slot_local
                .clone()
                .unwrap_or_else(|| s.starts_local.clone()),
            ..values
        }
    } else {
        values
    };
    render(
        st,
        ctx,
        "session_meetings.html",
        context! {
            s => Value::from_serialize(&s),
            plan => Value::from_serialize(&plan),
            values => Value::from_serialize(&values),
            failed => failed,
        },
    )
}

async fn plan_page(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = super::id_of(&st, &ctx, &id)?;
    plan_view(&st, &ctx, id, PlanForm::default(), Value::UNDEFINED).await
}

async fn plan(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<PlanForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = super::id_of(&st, &ctx, &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let outcome = match f.input() {
        Ok(input) => st.services.generate_meet_plan(actor, id, &input).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/sessions/{id}/meetings"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => {
                unprocessable(plan_view(&st, &ctx, id, f.clone(), failed("plan", &f, errors)).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn plan_csv(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = super::id_of(&st, &ctx, &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let plan = st
        .services
        .meet_plan(actor, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"session-{id}-meetings.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        meet_plan_csv(&plan),
    )
        .into_response())
}

/// An answer from a form: `accept` is `1` (accept) or anything else (decline).
#[derive(Deserialize, Serialize)]
struct AnswerForm {
    #[serde(default, skip_serializing)]
    csrf: String,
    #[serde(default)]
    accept: String,
}

async fn answer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, meeting)): Path<(String, String)>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let (id, meeting) = ids(&st, &ctx, &id, &meeting)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .answer_meeting(actor, id, meeting, f.accept == "1")
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/sessions/{id}?ok=meet_answered#my-meetings"
    )))
}

async fn met(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, meeting)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let (id, meeting) = ids(&st, &ctx, &id, &meeting)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .mark_meeting_met(actor, id, meeting)
        .await
        .map_err(fail(&st, &ctx))?;
    // A moderator marks from the plan, a participant from the session page.
    let can_manage = st.services.meet_plan(actor, id).await.is_ok();
    Ok(see_other(&if can_manage {
        format!("/sessions/{id}/meetings")
    } else {
        format!("/sessions/{id}?ok=meet_met#my-meetings")
    }))
}

fn manage_url(token: &str) -> String {
    format!(
        "/sessions/manage/{}",
        percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC)
    )
}

async fn visitor_session(st: &AppState, ctx: &Ctx, token: &str) -> Result<i64, crate::PageError> {
    Ok(st
        .services
        .registration_by_manage_token(token)
        .await
        .map_err(fail(st, ctx))?
        .session_id)
}

async fn visitor_answer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((token, meeting)): Path<(String, String)>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = visitor_session(&st, &ctx, &token).await?;
    let (_, meeting) = ids(&st, &ctx, &id.to_string(), &meeting)?;
    st.services
        .answer_meeting_by_token(id, &token, meeting, f.accept == "1")
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "{}?ok=1#my-meetings",
        manage_url(&token)
    )))
}

async fn visitor_met(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((token, meeting)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = visitor_session(&st, &ctx, &token).await?;
    let (_, meeting) = ids(&st, &ctx, &id.to_string(), &meeting)?;
    st.services
        .mark_meeting_met_by_token(id, &token, meeting)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "{}?ok=1#my-meetings",
        manage_url(&token)
    )))
}

type ApiResult<T> = Result<T, ApiError>;

/// One's meeting proposals at a session, per slot: whom, their organisation, why (registrants)
#[utoipa::path(get, path = "/sessions/{id}/meetings", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the caller's proposals (never another's email)", body = MyMeetings),
        (status = 403, description = "not registered to the session")))]
async fn api_my_meetings(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MyMeetings>> {
    Ok(Json(st.services.my_meetings(ctx.actor()?, id).await?))
}

/// A session's whole meeting plan (its moderators, site moderators, admins)
#[utoipa::path(get, path = "/sessions/{id}/meetings/plan", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the plan", body = MeetPlanView)))]
async fn api_plan(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MeetPlanView>> {
    Ok(Json(st.services.meet_plan(ctx.actor()?, id).await?))
}

/// Generate or regenerate a session's meeting plan among the confirmed registrants who asked
/// for meetings: no pair twice, nobody twice per slot, never two who met before; accepted and
/// held meetings are kept (its moderators, site moderators, admins)
#[utoipa::path(post, path = "/sessions/{id}/meetings/plan", tag = "sessions", request_body = MeetPlanInput,
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the new plan", body = MeetPlanView)))]
async fn api_generate(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MeetPlanInput>,
) -> ApiResult<Json<MeetPlanView>> {
    Ok(Json(
        st.services.generate_meet_plan(ctx.actor()?, id, &b).await?,
    ))
}

/// An answer to a meeting proposal.
#[derive(Deserialize, ToSchema)]
struct AnswerBody {
    /// True to accept, false to decline (a decline frees both people for a re-plan).
    accept: bool,
}

/// Accept or decline one of one's meeting proposals
#[utoipa::path(post, path = "/sessions/{id}/meetings/{meeting}/answer", tag = "sessions", request_body = AnswerBody,
    params(("id" = i64, Path, description = "session id"), ("meeting" = i64, Path, description = "meeting id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the caller's proposals", body = MyMeetings)))]
async fn api_answer(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((id, meeting)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> ApiResult<Json<MyMeetings>> {
    Ok(Json(
        st.services
            .answer_meeting(ctx.actor()?, id, meeting, b.accept)
            .await?,
    ))
}

/// "We met": record that a meeting took place (either party or a moderator, once the session
/// has begun); the two are not proposed to each other again
#[utoipa::path(post, path = "/sessions/{id}/meetings/{meeting}/met", tag = "sessions",
    params(("id" = i64, Path, description = "session id"), ("meeting" = i64, Path, description = "meeting id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "recorded")))]
async fn api_met(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((id, meeting)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    st.services
        .mark_meeting_met(ctx.actor()?, id, meeting)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

//! The measures API: every figure as JSON (the whole dashboard) and as CSV, objectives,
//! surveys and their answers, the settings. Documented by `#[utoipa::path]`.

use super::{figures, parse_date};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{AppState, Ctx};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_measure::objectives::Objective;
use parvis_services::ServiceError;
use parvis_services::measure::{ClosedSurvey, Dashboard, MeasureSettings, SURVEY_CLOSED};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<T, ApiError>;

/// API routes (nested under `/api/v1`).
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(dashboard))
        .routes(routes!(figure_csv))
        .routes(routes!(put_settings))
        .routes(routes!(create_objective))
        .routes(routes!(delete_objective))
        .routes(routes!(create_survey))
        .routes(routes!(answer_survey))
        .routes(routes!(send_survey))
        .routes(routes!(close_survey))
        .routes(routes!(super::events::put_cost))
        .routes(routes!(set_staff))
}

/// Which part of the space the pyramid, flows, slipping and scores are restricted to.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub(crate) struct SegmentParam {
    /// `ecosystem_role:partner`, `organisation:Novéa`, `channel:email`, `topic:SLUG`,
    /// `origin:native` or `origin:imported`; absent or empty for the whole space.
    #[serde(default)]
    pub segment: String,
}

/// Every figure of a space's measures, with the settings and formula version used (admins
/// and moderators)
#[utoipa::path(get, path = "/spaces/{space}/measures", tag = "measures",
    params(("space" = String, Path, description = "space slug"), SegmentParam),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the dashboard", body = Dashboard)))]
async fn dashboard(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiQuery(q): ApiQuery<SegmentParam>,
) -> ApiResult<Json<Dashboard>> {
    let d = st
        .services
        .measures_in(ctx.actor()?, &space, &q.segment)
        .await?;
    Ok(Json(d.as_ref().clone()))
}

/// A figure that can be exported as CSV.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Figure {
    Pyramid,
    Flows,
    Channels,
    Scorecard,
    /// IP, IPe and IPi week by week.
    Presence,
    /// IP, IPe, IPi and the sentiment now, with the formula version.
    PresenceIndex,
    Notoriety,
    Legitimacy,
    Surveys,
    Objectives,
    Slipping,
    Scores,
    Events,
}

impl Figure {
    fn name(self) -> &'static str {
        match self {
            Figure::Pyramid => "pyramid",
            Figure::Flows => "flows",
            Figure::Channels => "channels",
            Figure::Scorecard => "scorecard",
            Figure::Presence => "presence",
            Figure::PresenceIndex => "presence_index",
            Figure::Notoriety => "notoriety",
            Figure::Legitimacy => "legitimacy",
            Figure::Surveys => "surveys",
            Figure::Objectives => "objectives",
            Figure::Slipping => "slipping",
            Figure::Scores => "scores",
            Figure::Events => "events",
        }
    }
}

/// One figure as CSV (admins and moderators)
#[utoipa::path(get, path = "/spaces/{space}/measures/{figure}", tag = "measures",
    params(("space" = String, Path, description = "space slug"), ("figure" = inline(Figure), Path, description = "which figure"), SegmentParam),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the figure as CSV (a header line, then one line per row)", body = String, content_type = "text/csv")))]
async fn figure_csv(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, figure)): ApiPath<(String, Figure)>,
    ApiQuery(q): ApiQuery<SegmentParam>,
) -> ApiResult<Response> {
    let d = st
        .services
        .measures_in(ctx.actor()?, &space, &q.segment)
        .await?;
    let body =
        figures::csv(&d, figure.name()).ok_or_else(|| ApiError::not_found("no such figure"))?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}

/// Replace the measures' settings: thresholds, score weights, Presence weights (each group
/// summing to 1), editorial plan (admins)
#[utoipa::path(put, path = "/spaces/{space}/measures/settings", tag = "measures",
    params(("space" = String, Path, description = "space slug")),
    request_body = MeasureSettings,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the settings now in force", body = MeasureSettings)))]
async fn put_settings(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<MeasureSettings>,
) -> ApiResult<Json<MeasureSettings>> {
    st.services
        .set_measure_settings(ctx.actor()?, &space, &b)
        .await?;
    Ok(Json(b))
}

/// A new objective.
#[derive(Deserialize, Serialize, ToSchema)]
struct NewObjective {
    /// One of the measures (`engaged`, `answered_within_48h`, `nps`, `ip`…).
    measure: String,
    target: f64,
    /// Due date, `YYYY-MM-DD` (UTC), in the future.
    due: String,
    /// Empty for the whole space, or `channel:…`, `ecosystem_role:…`, `organisation:…`,
    /// `topic:…`, `origin:native|imported`; only for the pyramid's levels and
    /// `top_two_share` (the other measures are the whole space's).
    #[serde(default)]
    segment: String,
}

/// An id.
#[derive(Serialize, ToSchema)]
struct CreatedId {
    id: i64,
}

/// Declare an objective (admins); its baseline is the measure's value today
#[utoipa::path(post, path = "/spaces/{space}/objectives", tag = "measures",
    params(("space" = String, Path, description = "space slug")),
    request_body = NewObjective,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "declared", body = CreatedId)))]
async fn create_objective(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<NewObjective>,
) -> ApiResult<(StatusCode, Json<CreatedId>)> {
    let actor = ctx.actor()?;
    let due_ms = parse_date("due", &b.due)?;
    let o = Objective {
        measure: b.measure,
        target: b.target,
        due_ms,
        segment: b.segment,
    };
    let id = st.services.create_objective(actor, &space, &o).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id })))
}

/// Delete an objective (admins)
#[utoipa::path(delete, path = "/spaces/{space}/objectives/{id}", tag = "measures",
    params(("space" = String, Path, description = "space slug"), ("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "deleted")))]
async fn delete_objective(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, id)): ApiPath<(String, i64)>,
) -> ApiResult<StatusCode> {
    st.services
        .delete_objective(ctx.actor()?, &space, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new survey.
#[derive(Deserialize, ToSchema)]
struct NewSurvey {
    /// `nps`, `enps`, `csat` or `ces`.
    kind: String,
    title: String,
}

/// The survey's link, to send by email or embed.
#[derive(Serialize, ToSchema)]
struct CreatedSurvey {
    token: String,
    /// The answer page's path.
    link: String,
}

/// Create a survey (admins)
#[utoipa::path(post, path = "/spaces/{space}/surveys", tag = "measures",
    params(("space" = String, Path, description = "space slug")),
    request_body = NewSurvey,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "created", body = CreatedSurvey)))]
async fn create_survey(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<NewSurvey>,
) -> ApiResult<(StatusCode, Json<CreatedSurvey>)> {
    let token = st
        .services
        .create_survey(ctx.actor()?, &space, &b.kind, &b.title)
        .await?;
    let link = format!("/surveys/{token}");
    Ok((StatusCode::CREATED, Json(CreatedSurvey { token, link })))
}

/// An answer.
#[derive(Deserialize, ToSchema)]
struct NewAnswer {
    /// On the survey's scale: NPS/eNPS 0–10, CSAT 1–5, CES 1–7.
    score: i64,
    #[serde(default)]
    comment: String,
    /// Team or department (employee surveys; used for anonymity thresholds).
    #[serde(default)]
    group: String,
    /// The `r` of a personal link mailed by `POST /spaces/{space}/surveys/{id}/sendings`:
    /// answers without an account, once per link.
    #[serde(default)]
    recipient: Option<String>,
}

/// A refused answer, as a problem: a second one naming what was used twice, or a closed
/// survey.
pub(crate) fn answered_twice(e: ServiceError) -> ApiError {
    match e {
        ServiceError::Forbidden(why) if why == SURVEY_CLOSED => closed_problem(),
        ServiceError::Conflict(what) if what == "person" => ApiError::new(
            StatusCode::CONFLICT,
            "already_answered",
            "Already answered",
            "the person this link was mailed to already answered while signed in: one answer per person and survey",
        )
        .with_field("recipient"),
        ServiceError::Conflict(what) if what == "link" => ApiError::new(
            StatusCode::CONFLICT,
            "link_used",
            "Link already used",
            "this personal link already answered the survey: one answer per link",
        )
        .with_field("recipient"),
        ServiceError::Conflict(_) => ApiError::new(
            StatusCode::CONFLICT,
            "already_answered",
            "Already answered",
            "one answer per person and survey",
        )
        .with_field("score"),
        ServiceError::BadLink => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_link",
            "Unknown personal link",
            "this personal link is not one of this survey's (mistyped, or replaced by a newer mail)",
        )
        .with_field("recipient"),
        other => other.into(),
    }
}

/// The problem a closed survey answers with.
fn closed_problem() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "survey_closed",
        "Survey closed",
        "this survey is closed: it takes no more answers",
    )
}

/// Answer a survey, once per person (signed in) or once per personal link (`recipient`,
/// no account needed)
///
/// One answer per person across both: a member who answered signed in cannot answer again
/// through a link mailed to their address, nor the other way round (409 `already_answered`,
/// naming `score` signed in, `recipient` by link). A closed survey answers 409
/// `survey_closed`.
#[utoipa::path(post, path = "/surveys/{token}/answers", tag = "measures",
    params(("token" = String, Path, description = "the survey link's token")),
    request_body = NewAnswer,
    security((), ("bearer" = []), ("session" = [])),
    responses((status = 201, description = "recorded"),
        (status = 409, description = "this person, or this personal link, already answered (`already_answered`, `link_used`), or the survey is closed (`survey_closed`)", body = crate::error::Problem, content_type = "application/problem+json")))]
async fn answer_survey(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(token): ApiPath<String>,
    ApiJson(b): ApiJson<NewAnswer>,
) -> ApiResult<StatusCode> {
    match b.recipient.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(r) => {
            st.services
                .answer_survey_by_link(&token, r, b.score, &b.comment, &b.group)
                .await
        }
        None => {
            st.services
                .answer_survey(ctx.actor()?, &token, b.score, &b.comment, &b.group)
                .await
        }
    }
    .map_err(answered_twice)?;
    Ok(StatusCode::CREATED)
}

/// Send a survey by email (admins)
///
/// Each address gets, in the background, a mail with a personal link that answers once
/// without an account (in the member's language when the address is a member's, else in the
/// caller's). An address is mailed once per survey; at most 5,000 addresses per sending
/// (422 naming `emails`), 10 sendings per space per quarter hour (429). The dashboard's
/// survey shows how many were mailed (`sent`) and answered by link (`answered_by_mail`):
/// counts only, never who.
#[utoipa::path(post, path = "/spaces/{space}/surveys/{id}/sendings", tag = "measures",
    params(("space" = String, Path, description = "space slug"), ("id" = i64, Path, description = "survey id")),
    request_body = parvis_services::measure::survey_mail::SendSurvey,
    security(("bearer" = []), ("session" = [])),
    responses((status = 202, description = "queued", body = parvis_services::measure::survey_mail::SurveySending)))]
async fn send_survey(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, id)): ApiPath<(String, i64)>,
    ApiJson(b): ApiJson<parvis_services::measure::survey_mail::SendSurvey>,
) -> ApiResult<(
    StatusCode,
    Json<parvis_services::measure::survey_mail::SurveySending>,
)> {
    let actor = ctx.actor()?;
    // Addresses that are no member's read the mail in the sender's own language.
    let lang = parvis_domain::Lang::from_code(&actor.member.lang).unwrap_or(ctx.lang);
    let out = st
        .services
        .send_survey(actor, &space, id, &b, lang)
        .await
        .map_err(|e| match e {
            ServiceError::Forbidden(why) if why == SURVEY_CLOSED => closed_problem(),
            other => other.into(),
        })?;
    Ok((StatusCode::ACCEPTED, Json(out)))
}

/// Close a survey (admins)
///
/// From then on every path refuses answers (page, API, widget, mailed links: 409
/// `survey_closed`), and the mails not sent yet are dropped with their addresses (`dropped`
/// says how many). The answers and the figures stay. Closing a closed survey changes nothing;
/// a survey is not reopened.
#[utoipa::path(post, path = "/spaces/{space}/surveys/{id}/close", tag = "measures",
    params(("space" = String, Path, description = "space slug"), ("id" = i64, Path, description = "survey id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "closed", body = ClosedSurvey)))]
async fn close_survey(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, id)): ApiPath<(String, i64)>,
) -> ApiResult<Json<ClosedSurvey>> {
    Ok(Json(
        st.services.close_survey(ctx.actor()?, &space, id).await?,
    ))
}

/// Whether a member is staff.
#[derive(Deserialize, Serialize, ToSchema)]
struct StaffMark {
    /// `true`: the account speaks for the organisation (counted in the editorial scorecard,
    /// left out of the pyramid when the thresholds say so). Admins and moderators are staff
    /// whatever this says.
    staff: bool,
}

/// Mark a member as staff, or not (admins)
#[utoipa::path(put, path = "/members/{handle}/staff", tag = "measures",
    params(("handle" = String, Path, description = "the member's handle")),
    request_body = StaffMark,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the mark now in force", body = StaffMark)))]
async fn set_staff(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(b): ApiJson<StaffMark>,
) -> ApiResult<Json<StaffMark>> {
    let staff = st
        .services
        .set_staff(ctx.actor()?, &handle, b.staff)
        .await?;
    Ok(Json(StaffMark { staff }))
}

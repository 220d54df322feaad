//! The opinion area's JSON API: a topic's opinion map, its statements, votes and their
//! moderation. The rules every API handler follows are in `crate::api`.

use crate::AppState;
use crate::api::{ApiResult, Items, items};
use crate::context::Ctx;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parvis_domain::*;
use parvis_store::StatementRow;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This area's API routes, merged by `crate::api::routes` and served under `/api/v1`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(opinion_report))
        .routes(routes!(list_statements, add_statement))
        .routes(routes!(next_statement))
        .routes(routes!(vote))
        .routes(routes!(moderate))
}

async fn space_topic(st: &AppState, space: &str, topic: &str) -> ApiResult<Topic> {
    let space = st.services.space(space).await?;
    Ok(st.services.topic(&space, topic).await?)
}

/// A topic's opinion map
///
/// Visitors and members see the aggregates; moderators also see each participant, under
/// opaque ids (docs/PRIVACY.md).
#[utoipa::path(get, path = "/spaces/{space}/topics/{topic}/opinion", tag = "opinion",
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug")),
    security((), ("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the report (see the parvis-opinion crate)", body = parvis_services::privacy::ReportView)))]
async fn opinion_report(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, topic)): ApiPath<(String, String)>,
) -> ApiResult<Json<parvis_services::privacy::ReportView>> {
    let topic = space_topic(&st, &space, &topic).await?;
    let report = st.services.opinion_map(&topic).await?;
    // Per-participant data only for moderators, under opaque ids (docs/PRIVACY.md).
    Ok(Json(parvis_services::privacy::report_for(
        ctx.actor.as_ref(),
        &report,
    )))
}

/// A topic's statements (moderators also see pending ones)
#[utoipa::path(get, path = "/spaces/{space}/topics/{topic}/statements", tag = "opinion",
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug")),
    security((), ("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the statements", body = Items<StatementRow>)))]
async fn list_statements(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, topic)): ApiPath<(String, String)>,
) -> ApiResult<Json<Items<StatementRow>>> {
    let topic = space_topic(&st, &space, &topic).await?;
    Ok(items(
        st.services.statements(ctx.actor.as_ref(), &topic).await?,
    ))
}

/// A new statement.
#[derive(Deserialize, ToSchema)]
struct NewStatement {
    /// At most 280 characters once leading and trailing spaces and control characters are
    /// trimmed (the raw text may be longer, so no `maxLength` here: the fuzzer holds the
    /// document to what the server accepts).
    body: String,
}

/// Submit a statement
#[utoipa::path(post, path = "/spaces/{space}/topics/{topic}/statements", tag = "opinion", request_body = NewStatement,
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "submitted", body = StatementRow)))]
async fn add_statement(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, topic)): ApiPath<(String, String)>,
    ApiJson(b): ApiJson<NewStatement>,
) -> ApiResult<(StatusCode, Json<StatementRow>)> {
    let topic = space_topic(&st, &space, &topic).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .submit_statement(ctx.actor()?, &topic, &b.body)
                .await?,
        ),
    ))
}

/// The next statement for the member to vote on
#[utoipa::path(get, path = "/spaces/{space}/topics/{topic}/next-statement", tag = "opinion",
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "a statement", body = StatementRow), (status = 204, description = "nothing left to vote on")))]
async fn next_statement(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, topic)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let topic = space_topic(&st, &space, &topic).await?;
    Ok(
        match st.services.next_statement(ctx.actor()?, &topic).await? {
            Some(s) => Json(s).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// A vote.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum VoteValue {
    Agree,
    Disagree,
    Pass,
}

/// A vote on a statement.
#[derive(Deserialize, ToSchema)]
struct NewVote {
    value: VoteValue,
}

/// Vote on a statement
#[utoipa::path(post, path = "/statements/{id}/votes", tag = "opinion", request_body = NewVote,
    params(("id" = i64, Path, description = "statement id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "counted")))]
async fn vote(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NewVote>,
) -> ApiResult<StatusCode> {
    let value = match b.value {
        VoteValue::Agree => "agree",
        VoteValue::Disagree => "disagree",
        VoteValue::Pass => "pass",
    };
    st.services.vote(ctx.actor()?, id, value).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A moderation decision.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Decision {
    Accepted,
    Rejected,
}

/// A statement's new status.
#[derive(Deserialize, ToSchema)]
struct StatementStatus {
    status: Decision,
}

/// Accept or reject a statement (moderators)
#[utoipa::path(put, path = "/statements/{id}/status", tag = "opinion", request_body = StatementStatus,
    params(("id" = i64, Path, description = "statement id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the statement", body = StatementRow)))]
async fn moderate(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StatementStatus>,
) -> ApiResult<Json<StatementRow>> {
    let accept = matches!(b.status, Decision::Accepted);
    Ok(Json(
        st.services
            .moderate_statement(ctx.actor()?, id, accept)
            .await?,
    ))
}

//! The people area's JSON API: members (list, profile, site role, invitations), the feed and
//! the peers it suggests, introductions, and matchmaking. The rules every API handler follows
//! are in `crate::api`.

use crate::AppState;
use crate::api::{ApiResult, Items, bounded, items, paging};
use crate::context::Ctx;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use parvis_domain::*;
use parvis_services::intros::{IntroPathView, IntroRequestView};
use parvis_services::relevance::{FeedView, MatchmakingRequest, PeerView, SlotView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This area's API routes, merged by `crate::api::routes` and served under `/api/v1`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members))
        .routes(routes!(get_member))
        .routes(routes!(set_role))
        .routes(routes!(invite))
        .routes(routes!(feed))
        .routes(routes!(feed_feedback))
        .routes(routes!(peers))
        .routes(routes!(matchmaking))
        .routes(routes!(intro_paths))
        .routes(routes!(create_intro))
        .routes(routes!(my_intros))
        .routes(routes!(accept_intro))
        .routes(routes!(decline_intro))
}

/// `?q=&page=&per_page=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct MembersQuery {
    /// Words of a name, handle or organisation.
    q: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
    page: Option<i32>,
    /// Items per page.
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i32>,
}

/// List members (paged; `?q=` searches)
#[utoipa::path(get, path = "/members", tag = "members", params(MembersQuery),
    security((), ("bearer" = []), ("session" = [])),
    responses((status = 200, description = "a page of members", body = Page<Member>)))]
async fn list_members(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<MembersQuery>,
) -> ApiResult<Json<Page<Member>>> {
    let page = paging(q.page, q.per_page, 50)?;
    Ok(Json(
        st.services
            .members(ctx.actor.as_ref(), q.q.as_deref(), page)
            .await?,
    ))
}

/// Get a member
#[utoipa::path(get, path = "/members/{handle}", tag = "members",
    params(("handle" = String, Path)),
    security((), ("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the member", body = Member)))]
async fn get_member(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> ApiResult<Json<Member>> {
    Ok(Json(st.services.member(ctx.actor.as_ref(), &handle).await?))
}

/// A site role change.
#[derive(Deserialize, ToSchema)]
struct RoleChange {
    role: SiteRole,
}

/// Change a member's site role (admin)
#[utoipa::path(put, path = "/members/{handle}/role", tag = "members", request_body = RoleChange,
    params(("handle" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the member", body = Member)))]
async fn set_role(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiJson(b): ApiJson<RoleChange>,
) -> ApiResult<Json<Member>> {
    Ok(Json(
        st.services
            .set_role(ctx.actor()?, &handle, b.role.as_str())
            .await?,
    ))
}

/// An invitation.
#[derive(Deserialize, ToSchema)]
struct Invitation {
    email: String,
    display_name: String,
    #[serde(default = "default_member")]
    #[schema(default = "member")]
    site_role: SiteRole,
    #[serde(default = "default_other")]
    #[schema(default = "other")]
    ecosystem_role: EcosystemRole,
    #[serde(default)]
    organisation: String,
}

fn default_member() -> SiteRole {
    SiteRole::Member
}
fn default_other() -> EcosystemRole {
    EcosystemRole::Other
}

/// Invite someone by e-mail (admin)
#[utoipa::path(post, path = "/invitations", tag = "members", request_body = Invitation,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "invited", body = Member), (status = 409, description = "already a member"),
        (status = 502, description = "the mail server refused the invitation", body = crate::error::Problem, content_type = "application/problem+json")))]
async fn invite(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<Invitation>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let m = st
        .services
        .invite(
            ctx.actor()?,
            &b.email,
            &b.display_name,
            b.site_role.as_str(),
            b.ecosystem_role.as_str(),
            &b.organisation,
            ctx.lang,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// `?size=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SizeQuery {
    /// How many items.
    #[param(minimum = 1, maximum = 50)]
    size: Option<usize>,
}

/// The signed-in member's feed in a space, each item with its reasons
#[utoipa::path(get, path = "/spaces/{space}/feed", tag = "feed",
    params(("space" = String, Path, description = "space slug"), SizeQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the feed", body = FeedView)))]
async fn feed(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiQuery(q): ApiQuery<SizeQuery>,
) -> ApiResult<Json<FeedView>> {
    let size = bounded("size", q.size, 20, 50)?;
    let space = st.services.space(&space).await?;
    Ok(Json(st.services.feed(ctx.actor()?, &space, size).await?))
}

/// What a feedback is about.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum FeedbackKind {
    /// `target` is a thread id.
    NotInterested,
    /// `target` is a topic id.
    MuteTopic,
}

/// Feedback on the feed.
#[derive(Deserialize, ToSchema)]
struct FeedFeedback {
    kind: FeedbackKind,
    target: i64,
    /// False takes the feedback back.
    #[serde(default = "yes")]
    #[schema(default = true)]
    on: bool,
}

fn yes() -> bool {
    true
}

/// Tell the feed what is not of interest
#[utoipa::path(post, path = "/spaces/{space}/feed/feedback", tag = "feed", request_body = FeedFeedback,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "taken into account")))]
async fn feed_feedback(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<FeedFeedback>,
) -> ApiResult<StatusCode> {
    let kind = match b.kind {
        FeedbackKind::NotInterested => "not_interested",
        FeedbackKind::MuteTopic => "mute_topic",
    };
    let space = st.services.space(&space).await?;
    st.services
        .feed_feedback(ctx.actor()?, &space, kind, b.target, b.on)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The members whose current concerns are closest to the signed-in member's
#[utoipa::path(get, path = "/spaces/{space}/peers", tag = "feed",
    params(("space" = String, Path, description = "space slug"), SizeQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the peers", body = Items<PeerView>)))]
async fn peers(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiQuery(q): ApiQuery<SizeQuery>,
) -> ApiResult<Json<Items<PeerView>>> {
    let size = bounded("size", q.size, 10, 50)?;
    let space = st.services.space(&space).await?;
    Ok(items(st.services.peers(ctx.actor()?, &space, size).await?))
}

/// Chains of people through whom the member could be introduced to another
#[utoipa::path(get, path = "/members/{handle}/intro-paths", tag = "introductions",
    params(("handle" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the paths, strongest first", body = Items<IntroPathView>)))]
async fn intro_paths(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> ApiResult<Json<Items<IntroPathView>>> {
    Ok(items(
        st.services.intro_paths(ctx.actor()?, &handle, 5).await?,
    ))
}

/// An introduction request.
#[derive(Deserialize, ToSchema)]
struct NewIntroRequest {
    /// Handle of the person to meet.
    target: String,
    /// Handle of the person asked to introduce.
    intermediary: String,
    message: String,
}

/// Ask someone for an introduction
#[utoipa::path(post, path = "/intro-requests", tag = "introductions", request_body = NewIntroRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "asked", body = IntroRequestView)))]
async fn create_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<NewIntroRequest>,
) -> ApiResult<(StatusCode, Json<IntroRequestView>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .request_intro(ctx.actor()?, &b.target, &b.intermediary, &b.message)
                .await?,
        ),
    ))
}

/// The introduction requests the member made or was asked
#[utoipa::path(get, path = "/me/intro-requests", tag = "introductions",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the requests", body = Items<IntroRequestView>)))]
async fn my_intros(
    State(st): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Items<IntroRequestView>>> {
    Ok(items(st.services.intro_requests(ctx.actor()?).await?))
}

/// Accept to make an introduction
#[utoipa::path(post, path = "/intro-requests/{id}/accept", tag = "introductions",
    params(("id" = i64, Path, description = "request id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "accepted", body = IntroRequestView)))]
async fn accept_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<IntroRequestView>> {
    Ok(Json(
        st.services.decide_intro(ctx.actor()?, id, true).await?,
    ))
}

/// Decline to make an introduction
#[utoipa::path(post, path = "/intro-requests/{id}/decline", tag = "introductions",
    params(("id" = i64, Path, description = "request id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "declined", body = IntroRequestView)))]
async fn decline_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<IntroRequestView>> {
    Ok(Json(
        st.services.decide_intro(ctx.actor()?, id, false).await?,
    ))
}

/// The meeting slots proposed.
#[derive(Serialize, ToSchema)]
struct MatchmakingPlan {
    slots: Vec<SlotView>,
}

/// Propose meetings for an event session's participants (moderators)
#[utoipa::path(post, path = "/spaces/{space}/matchmaking", tag = "feed", request_body = MatchmakingRequest,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the plan", body = MatchmakingPlan)))]
async fn matchmaking(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<MatchmakingRequest>,
) -> ApiResult<Json<MatchmakingPlan>> {
    let space = st.services.space(&space).await?;
    Ok(Json(MatchmakingPlan {
        slots: st.services.matchmaking(ctx.actor()?, &space, &b).await?,
    }))
}

//! The threads area's JSON API: spaces, their topics and threads, replies, reactions, and a
//! space's activity over time. The rules every API handler follows are in `crate::api`.

use crate::AppState;
use crate::api::{ApiResult, Items, Paging, items, paging};
use crate::context::Ctx;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_domain::*;
use parvis_services::activity::{Bucket, Period, TopicActivityView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This area's API routes, merged by `crate::api::routes` and served under `/api/v1`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_spaces, create_space))
        .routes(routes!(get_space, update_space))
        .routes(routes!(list_topics, create_topic))
        .routes(routes!(list_threads, create_thread))
        .routes(routes!(get_thread))
        .routes(routes!(reply))
        .routes(routes!(react))
        .routes(routes!(unreact))
        .routes(routes!(activity))
}

/// `?topic=&page=&per_page=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ThreadsQuery {
    /// Only this topic's threads (topic slug).
    topic: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
    page: Option<i32>,
    /// Items per page.
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i32>,
}

/// List spaces
#[utoipa::path(get, path = "/spaces", tag = "spaces",
    responses((status = 200, description = "every space", body = Items<Space>)))]
async fn list_spaces(State(st): State<AppState>) -> ApiResult<Json<Items<Space>>> {
    Ok(items(st.services.spaces().await?))
}

/// A new space.
#[derive(Deserialize, ToSchema)]
struct NewSpace {
    /// Lowercase letters, digits and dashes, 2–64 characters.
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
    /// IANA time zone of its sessions and deadlines; Europe/Paris when absent.
    #[serde(default)]
    #[schema(example = "Europe/Paris")]
    time_zone: Option<String>,
}

/// Create a space (admin)
#[utoipa::path(post, path = "/spaces", tag = "spaces", request_body = NewSpace,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "created", body = Space), (status = 409, description = "the slug is taken")))]
async fn create_space(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<NewSpace>,
) -> ApiResult<(StatusCode, Json<Space>)> {
    let s = st
        .services
        .create_space_in_zone(
            ctx.actor()?,
            &b.slug,
            &b.name,
            &b.description,
            b.time_zone.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// Get a space
#[utoipa::path(get, path = "/spaces/{space}", tag = "spaces",
    params(("space" = String, Path, description = "space slug")),
    responses((status = 200, description = "the space", body = Space)))]
async fn get_space(
    State(st): State<AppState>,
    ApiPath(space): ApiPath<String>,
) -> ApiResult<Json<Space>> {
    Ok(Json(st.services.space(&space).await?))
}

/// A space's settings; what is absent stays as it is.
#[derive(Deserialize, ToSchema)]
struct SpaceSettings {
    name: Option<String>,
    description: Option<String>,
    /// IANA time zone in which new sessions and challenge deadlines are entered and shown.
    #[schema(example = "America/Montreal")]
    time_zone: Option<String>,
}

/// Change a space's settings (admin)
#[utoipa::path(put, path = "/spaces/{space}", tag = "spaces", request_body = SpaceSettings,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the space as saved", body = Space),
        (status = 422, description = "a field is invalid (an unknown time zone names `time_zone`)")))]
async fn update_space(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<SpaceSettings>,
) -> ApiResult<Json<Space>> {
    let actor = ctx.actor()?;
    let space = st.services.space(&space).await?;
    let name = b.name.as_deref().unwrap_or(&space.name);
    let description = b.description.as_deref().unwrap_or(&space.description);
    let s = st
        .services
        .update_space(actor, &space, name, description, b.time_zone.as_deref())
        .await?;
    Ok(Json(s))
}

/// List a space's topics
#[utoipa::path(get, path = "/spaces/{space}/topics", tag = "topics",
    params(("space" = String, Path, description = "space slug")),
    responses((status = 200, description = "the topics", body = Items<Topic>)))]
async fn list_topics(
    State(st): State<AppState>,
    ApiPath(space): ApiPath<String>,
) -> ApiResult<Json<Items<Topic>>> {
    let space = st.services.space(&space).await?;
    Ok(items(st.services.topics(&space).await?))
}

/// A new topic.
#[derive(Deserialize, ToSchema)]
struct NewTopic {
    /// Derived from the title when absent.
    slug: Option<String>,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    keywords: Vec<String>,
}

/// Create a topic (admin)
#[utoipa::path(post, path = "/spaces/{space}/topics", tag = "topics", request_body = NewTopic,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "created", body = Topic), (status = 409, description = "the slug is taken")))]
async fn create_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<NewTopic>,
) -> ApiResult<(StatusCode, Json<Topic>)> {
    let space = st.services.space(&space).await?;
    let t = st
        .services
        .create_topic(
            ctx.actor()?,
            &space,
            b.slug.as_deref(),
            &b.title,
            &b.description,
            &b.keywords,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// List a space's threads, most recently active first
#[utoipa::path(get, path = "/spaces/{space}/threads", tag = "threads",
    params(("space" = String, Path, description = "space slug"), ThreadsQuery),
    responses((status = 200, description = "a page of threads", body = Page<ThreadSummary>)))]
async fn list_threads(
    State(st): State<AppState>,
    ApiPath(space): ApiPath<String>,
    ApiQuery(q): ApiQuery<ThreadsQuery>,
) -> ApiResult<Json<Page<ThreadSummary>>> {
    let page = paging(q.page, q.per_page, 20)?;
    let space = st.services.space(&space).await?;
    let topic = match &q.topic {
        Some(t) => Some(st.services.topic(&space, t).await?),
        None => None,
    };
    Ok(Json(
        st.services.threads(&space, topic.as_ref(), page).await?,
    ))
}

/// A new thread.
#[derive(Deserialize, ToSchema)]
struct NewThread {
    title: String,
    /// Markdown.
    body: String,
    /// Topic slug.
    topic: Option<String>,
}

/// Start a thread
#[utoipa::path(post, path = "/spaces/{space}/threads", tag = "threads", request_body = NewThread,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "created", body = ThreadSummary)))]
async fn create_thread(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<NewThread>,
) -> ApiResult<(StatusCode, Json<ThreadSummary>)> {
    let actor = ctx.actor()?;
    let space = st.services.space(&space).await?;
    let topic = match &b.topic {
        Some(t) => Some(st.services.topic(&space, t).await?),
        None => None,
    };
    let t = st
        .services
        .create_thread(actor, &space, topic.as_ref(), &b.title, &b.body)
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// What `GET /threads/{id}` answers. The services serialise it straight from their records
/// (and cache the bytes); this type only describes it, and the CI fuzzer checks every answer
/// against it.
#[derive(Serialize, ToSchema)]
pub(crate) struct ThreadWithMessages {
    thread: ThreadSummary,
    messages: Page<Message>,
}

/// Get a thread and a page of its messages
#[utoipa::path(get, path = "/threads/{id}", tag = "threads",
    params(("id" = i64, Path, description = "thread id"), Paging),
    responses((status = 200, description = "the thread", body = ThreadWithMessages)))]
async fn get_thread(
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<Paging>,
) -> ApiResult<Response> {
    let page = paging(q.page, q.per_page, parvis_services::MESSAGES_PER_PAGE)?;
    let bytes = st.services.thread_page_json(ThreadId(id), page).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// A reply.
#[derive(Deserialize, ToSchema)]
struct NewReply {
    /// Markdown.
    body: String,
    /// The message answered, in the same thread.
    parent_id: Option<i64>,
}

/// The new message's id.
#[derive(Serialize, ToSchema)]
struct Created {
    id: MessageId,
    thread_id: ThreadId,
}

/// Reply in a thread
#[utoipa::path(post, path = "/threads/{id}/messages", tag = "threads", request_body = NewReply,
    params(("id" = i64, Path, description = "thread id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "created", body = Created)))]
async fn reply(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NewReply>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = ThreadId(id);
    let mid = st
        .services
        .reply(ctx.actor()?, id, b.parent_id.map(MessageId), &b.body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: mid,
            thread_id: id,
        }),
    ))
}

/// A reaction.
#[derive(Deserialize, ToSchema)]
struct NewReaction {
    kind: ReactionKind,
}

/// React to a message
#[utoipa::path(post, path = "/messages/{id}/reactions", tag = "threads", request_body = NewReaction,
    params(("id" = i64, Path, description = "message id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "done")))]
async fn react(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NewReaction>,
) -> ApiResult<StatusCode> {
    st.services
        .react(ctx.actor()?, MessageId(id), b.kind, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a reaction back
#[utoipa::path(delete, path = "/messages/{id}/reactions/{kind}", tag = "threads",
    params(("id" = i64, Path, description = "message id"), ("kind" = ReactionKind, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "done")))]
async fn unreact(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
) -> ApiResult<StatusCode> {
    let kind = ReactionKind::parse("kind", &kind).map_err(parvis_services::ServiceError::from)?;
    st.services
        .react(ctx.actor()?, MessageId(id), kind, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?period=&bucket=` of the activity over time.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub(crate) struct ActivityQuery {
    /// `all` (default), `90d`, `12m` (both up to the space's last message) or a year (`2019`).
    pub(crate) period: Option<String>,
    /// `week`, `month`, `quarter` or `year`; by default the finest that keeps the period
    /// within about sixty bars.
    pub(crate) bucket: Option<String>,
}

impl ActivityQuery {
    /// The period and bucket asked for, or the field that is wrong.
    pub(crate) fn parse(&self) -> Result<(Period, Option<Bucket>), parvis_domain::ValidationError> {
        let period = Period::parse("period", self.period.as_deref().unwrap_or("all"))?;
        let bucket = match self.bucket.as_deref() {
            None | Some("") | Some("auto") => None,
            Some(b) => Some(Bucket::parse("bucket", b)?),
        };
        Ok((period, bucket))
    }
}

/// Which conversations touch which topic, per channel, over time
#[utoipa::path(get, path = "/spaces/{space}/activity", tag = "topics",
    params(("space" = String, Path, description = "space slug"), ActivityQuery),
    responses((status = 200, description = "activity per topic", body = TopicActivityView),
        (status = 422, description = "unknown period or bucket", body = crate::error::Problem, content_type = "application/problem+json")))]
async fn activity(
    State(st): State<AppState>,
    ApiPath(space): ApiPath<String>,
    ApiQuery(q): ApiQuery<ActivityQuery>,
) -> ApiResult<Json<TopicActivityView>> {
    let (period, bucket) = q
        .parse()
        .map_err(parvis_services::ServiceError::Validation)?;
    let space = st.services.space(&space).await?;
    Ok(Json(
        st.services.topic_activity(&space, period, bucket).await?,
    ))
}

//! The JSON API, under `/api/v1`. Every list is paged (`?page=&per_page=`), every error is
//! `application/problem+json`.
//!
//! Every route is registered with `routes!(handler)` on an `OpenApiRouter`, and every handler
//! carries its `#[utoipa::path]`: the OpenAPI document is built from these and from the types
//! the handlers take and return, so it cannot drift from what the server does. A test refuses
//! a plain `.route(` in this module. Extract with `ApiJson`/`ApiQuery`/`ApiPath` (never axum's
//! own extractors): their rejections are problems too.

use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_domain::*;
use parvis_services::activity::{Bucket, Period, TopicActivityView};
use parvis_services::import::{ImportSummary, ProposalView};
use parvis_services::intros::{IntroPathView, IntroRequestView};
use parvis_services::relevance::{FeedView, MatchmakingRequest, PeerView, SlotView};
use parvis_store::{ApiTokenInfo, MergeInfo, StatementRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
        .routes(routes!(list_members))
        .routes(routes!(get_member))
        .routes(routes!(set_role))
        .routes(routes!(invite))
        .routes(routes!(me, update_me))
        .routes(routes!(set_consent))
        .routes(routes!(add_identity))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(sign_in_password))
        .routes(routes!(request_link))
        .routes(routes!(sign_out))
        .routes(routes!(activity))
        .routes(routes!(search))
        .routes(routes!(feed))
        .routes(routes!(feed_feedback))
        .routes(routes!(peers))
        .routes(routes!(matchmaking))
        .routes(routes!(intro_paths))
        .routes(routes!(create_intro))
        .routes(routes!(my_intros))
        .routes(routes!(accept_intro))
        .routes(routes!(decline_intro))
        .routes(routes!(import_upload))
        .routes(routes!(opinion_report))
        .routes(routes!(list_statements, add_statement))
        .routes(routes!(next_statement))
        .routes(routes!(vote))
        .routes(routes!(moderate))
        .routes(routes!(list_proposals))
        .routes(routes!(accept_proposal))
        .routes(routes!(reject_proposal))
        .routes(routes!(list_merges))
        .routes(routes!(undo_merge))
}

type ApiResult<T> = Result<T, ApiError>;

/// A list answer: `{"items": [...]}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Items<T> {
    pub items: Vec<T>,
}

fn items<T>(items: Vec<T>) -> Json<Items<T>> {
    Json(Items { items })
}

/// Refuse paging outside what the document promises (page ≥ 1, 1 ≤ per_page ≤ 200) rather
/// than silently answer another page than the one asked for.
pub(crate) fn paging(
    page: Option<i32>,
    per_page: Option<i32>,
    default: u32,
) -> ApiResult<PageRequest> {
    if page.is_some_and(|p| p < 1) {
        return Err(
            ApiError::bad_request("query parameter `page`: must be 1 or more").with_field("page"),
        );
    }
    if let Some(n) = per_page
        && !(1..=PageRequest::MAX_PER_PAGE as i32).contains(&n)
    {
        return Err(ApiError::bad_request(format!(
            "query parameter `per_page`: must be between 1 and {}",
            PageRequest::MAX_PER_PAGE
        ))
        .with_field("per_page"));
    }
    // Both are positive here; the document types them int32 so larger values do not parse.
    let positive = |v: Option<i32>| v.and_then(|v| u32::try_from(v).ok());
    Ok(PageRequest::new(
        positive(page),
        positive(per_page),
        default,
    ))
}

/// A bounded size (`?size=`): refused outside `1..=max` rather than clamped in silence.
fn bounded(name: &str, value: Option<usize>, default: usize, max: usize) -> ApiResult<usize> {
    match value {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::bad_request(format!(
            "query parameter `{name}`: must be between 1 and {max}"
        ))
        .with_field(name.to_string())),
    }
}

/// `?page=&per_page=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Paging {
    /// Page number, from 1.
    #[param(minimum = 1)]
    pub(crate) page: Option<i32>,
    /// Items per page.
    #[param(minimum = 1, maximum = 200)]
    pub(crate) per_page: Option<i32>,
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

/// `GET /healthz`: 200 when the store answers, 503 otherwise.
pub(crate) async fn healthz(State(st): State<AppState>) -> Response {
    match st.services.store().ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(
                serde_json::json!({"status": "ok", "store": st.services.store().backend().name()}),
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
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
    let page = paging(q.page, q.per_page, 50)?;
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

/// The signed-in member
#[utoipa::path(get, path = "/me", tag = "me",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the member", body = Member)))]
async fn me(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<Member>> {
    let actor = ctx.actor()?;
    Ok(Json(
        st.services
            .member(Some(actor), &actor.member.handle)
            .await?,
    ))
}

/// A profile change: only the fields given change, the others are kept.
#[derive(Deserialize, ToSchema)]
struct ProfileUpdate {
    display_name: Option<String>,
    ecosystem_role: Option<EcosystemRole>,
    organisation: Option<String>,
    bio: Option<String>,
}

/// Change one's profile (partial: fields not given are kept)
#[utoipa::path(patch, path = "/me", tag = "me", request_body = ProfileUpdate,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the member", body = Member)))]
async fn update_me(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ProfileUpdate>,
) -> ApiResult<Json<Member>> {
    let actor = ctx.actor()?;
    let current = st
        .services
        .member(Some(actor), &actor.member.handle)
        .await?;
    Ok(Json(
        st.services
            .update_profile(
                actor,
                b.display_name.as_deref().unwrap_or(&current.display_name),
                b.ecosystem_role.unwrap_or(current.ecosystem_role).as_str(),
                b.organisation.as_deref().unwrap_or(&current.organisation),
                b.bio.as_deref().unwrap_or(&current.bio),
            )
            .await?,
    ))
}

/// A consent given or withdrawn.
#[derive(Deserialize, ToSchema)]
struct ConsentChange {
    kind: ConsentKind,
    granted: bool,
}

/// Give or withdraw a consent
#[utoipa::path(put, path = "/me/consents", tag = "me", request_body = ConsentChange,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the member", body = Member)))]
async fn set_consent(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ConsentChange>,
) -> ApiResult<Json<Member>> {
    Ok(Json(
        st.services
            .set_consent(ctx.actor()?, b.kind.as_str(), b.granted)
            .await?,
    ))
}

/// An identity on another network.
#[derive(Deserialize, ToSchema)]
struct NewIdentity {
    network: String,
    handle: String,
}

/// Add an identity on another network
#[utoipa::path(post, path = "/me/identities", tag = "me", request_body = NewIdentity,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "added", body = Member), (status = 409, description = "someone already has it")))]
async fn add_identity(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<NewIdentity>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .add_identity(ctx.actor()?, &b.network, &b.handle)
                .await?,
        ),
    ))
}

/// List one's API tokens
#[utoipa::path(get, path = "/me/tokens", tag = "me",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the tokens (never their secrets)", body = Items<ApiTokenInfo>)))]
async fn list_tokens(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<Items<ApiTokenInfo>>> {
    Ok(items(st.services.api_tokens(ctx.actor()?).await?))
}

/// A new API token.
#[derive(Deserialize, ToSchema)]
struct NewToken {
    name: String,
}

/// A new API token and its secret, shown once.
#[derive(Serialize, ToSchema)]
struct CreatedToken {
    token: ApiTokenInfo,
    /// Send as `Authorization: Bearer <secret>`; it is not shown again.
    secret: String,
}

/// Create an API token
#[utoipa::path(post, path = "/me/tokens", tag = "me", request_body = NewToken,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "created", body = CreatedToken)))]
async fn create_token(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let (token, secret) = st.services.create_api_token(ctx.actor()?, &b.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

/// Revoke an API token
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "me",
    params(("id" = i64, Path, description = "token id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "revoked")))]
async fn revoke_token(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    st.services
        .revoke_api_token(ctx.actor()?, TokenId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Password sign-in.
#[derive(Deserialize, ToSchema)]
struct PasswordSignIn {
    email: String,
    password: String,
}

/// Signed in: the member and the CSRF token.
#[derive(Serialize, ToSchema)]
struct SignedIn {
    member: Member,
    /// Send as `X-CSRF-Token` on writes authenticated by the session cookie.
    csrf_token: String,
}

/// Sign in with a password (sets the session cookie)
///
/// Integrators should prefer API tokens. Failed attempts are limited per address and
/// client; a magic link still works when passwords are locked.
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = PasswordSignIn,
    responses((status = 200, description = "signed in", body = SignedIn),
        (status = 401, description = "wrong address or password", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many failed attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json")))]
async fn sign_in_password(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<PasswordSignIn>,
) -> ApiResult<Response> {
    let signed = st
        .services
        .sign_in_password(&b.email, &b.password, &ctx.client)
        .await?;
    let mut res = Json(SignedIn {
        member: signed.member,
        csrf_token: ctx.csrf.clone(),
    })
    .into_response();
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        crate::context::cookie(
            crate::context::SESSION_COOKIE,
            &signed.session_token,
            Some(signed.max_age_secs),
            ctx.secure_cookies,
        ),
    );
    if let Some(c) = ctx.csrf_cookie() {
        h.append(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// A sign-in link request.
#[derive(Deserialize, ToSchema)]
struct LinkRequest {
    email: String,
}

/// Send a sign-in link by e-mail
///
/// Answers 202 whether or not the address is known (no account discovery).
#[utoipa::path(post, path = "/auth/link", tag = "auth", request_body = LinkRequest,
    responses((status = 202, description = "sent when the address is a member's"),
        (status = 429, description = "too many links asked; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 502, description = "the mail server refused the message", body = crate::error::Problem, content_type = "application/problem+json")))]
async fn request_link(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<LinkRequest>,
) -> ApiResult<StatusCode> {
    st.services
        .request_magic_link(&b.email, &ctx.client, ctx.lang)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sign out (ends the cookie session)
#[utoipa::path(post, path = "/auth/signout", tag = "auth",
    security((), ("bearer" = []), ("session" = [])),
    responses((status = 204, description = "signed out")))]
async fn sign_out(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Response> {
    if let Some(t) = &ctx.session_token {
        st.services.sign_out(t).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        crate::context::cookie(
            crate::context::SESSION_COOKIE,
            "gone",
            Some(0),
            ctx.secure_cookies,
        ),
    );
    Ok(res)
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

/// `?format=&dry_run=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// The export's format: `mbox`, `slack`, `discourse`, `wxr`, `rss`, `jsonl`…
    format: String,
    /// Count what would be imported without writing anything.
    #[serde(default)]
    dry_run: bool,
}

/// Import an export into a space (admin)
///
/// The export is the body, streamed to disk (up to 512 MiB).
#[utoipa::path(post, path = "/spaces/{space}/imports", tag = "imports",
    params(("space" = String, Path, description = "space slug"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "what was imported", body = ImportSummary)))]
async fn import_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<Json<ImportSummary>> {
    use futures_util::StreamExt;
    let actor = ctx.actor()?;
    actor.require_admin()?;
    let format: parvis_import::Format =
        q.format.parse().map_err(|e: parvis_import::ImportError| {
            ApiError::bad_request(e.to_string()).with_field("format")
        })?;
    // The server's temporary paths stay out of every answer: the errors name `upload.FORMAT`.
    let stored = |e: std::io::Error| {
        tracing::error!(error = %e, "cannot store an import upload");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "upload_not_stored",
            "Upload not stored",
            "the server could not store the upload; try again later",
        )
    };
    let dir = tempfile::tempdir().map_err(stored)?;
    let path = dir.path().join(format!("upload.{}", format.name()));
    let mut out = tokio::fs::File::create(&path).await.map_err(stored)?;
    let mut stream = body.into_data_stream();
    let mut received = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("upload: {e}")))?;
        // A raw body has no limit of its own: count, and refuse past the import limit.
        received += chunk.len();
        if received > crate::pages::IMPORT_MAX_BYTES {
            return Err(crate::extract::payload_too_large());
        }
        tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
            .await
            .map_err(stored)?;
    }
    tokio::io::AsyncWriteExt::flush(&mut out)
        .await
        .map_err(stored)?;
    let opts = parvis_services::import::ImportOptions {
        space,
        dry_run: q.dry_run,
        hide_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let summary = st
        .services
        .import(format, vec![path], &opts, |_| {})
        .await?;
    if summary.outcome == parvis_services::import::ImportOutcome::Nothing {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_imported",
            "Nothing imported",
            format!(
                "nothing imported: {} items read, {} unreadable{}",
                summary.items_seen,
                summary.errors,
                summary
                    .error_examples
                    .first()
                    .map(|e| format!("; first: {e}"))
                    .unwrap_or_default()
            ),
        ));
    }
    Ok(Json(summary))
}

/// Open merge proposals (admin)
#[utoipa::path(get, path = "/admin/merge-proposals", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the proposals", body = Items<ProposalView>)))]
async fn list_proposals(
    State(st): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Items<ProposalView>>> {
    Ok(items(st.services.merge_proposals(ctx.actor()?).await?))
}

/// The merge done.
#[derive(Serialize, ToSchema)]
struct MergeDone {
    merge_id: i64,
}

/// Accept a merge proposal (admin)
#[utoipa::path(post, path = "/admin/merge-proposals/{id}/accept", tag = "admin",
    params(("id" = i64, Path, description = "proposal id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "merged", body = MergeDone)))]
async fn accept_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MergeDone>> {
    let merge_id = st.services.accept_proposal(ctx.actor()?, id).await?;
    Ok(Json(MergeDone { merge_id }))
}

/// Reject a merge proposal (admin)
#[utoipa::path(post, path = "/admin/merge-proposals/{id}/reject", tag = "admin",
    params(("id" = i64, Path, description = "proposal id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "rejected")))]
async fn reject_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    st.services.reject_proposal(ctx.actor()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Merges done, newest first (admin)
#[utoipa::path(get, path = "/admin/merges", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the merges", body = Items<MergeInfo>)))]
async fn list_merges(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<Items<MergeInfo>>> {
    ctx.actor()?.require_admin()?;
    Ok(items(
        st.services
            .store()
            .merges()
            .await
            .map_err(parvis_services::ServiceError::from)?,
    ))
}

/// Undo a merge (admin)
#[utoipa::path(post, path = "/admin/merges/{id}/undo", tag = "admin",
    params(("id" = i64, Path, description = "merge id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "undone")))]
async fn undo_merge(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    st.services.unmerge(ctx.actor()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
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

/// `?q=&channel=&author=&topic=&from=&to=&page=&per_page=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Words, `"a phrase"`, `-excluded`, `word*`.
    #[serde(default)]
    q: String,
    /// Only this channel (`forum`, `email`, `slack`…).
    channel: Option<String>,
    /// Only this author (handle).
    author: Option<String>,
    /// Only this topic (slug).
    topic: Option<String>,
    /// From this day, `YYYY-MM-DD`, inclusive.
    from: Option<String>,
    /// To this day, `YYYY-MM-DD`, inclusive.
    to: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1)]
    page: Option<i32>,
    /// Items per page.
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i32>,
}

/// Search a space's messages, one hit per thread, and the challenges, job offers, testimonials and interviews the caller may see
///
/// Both follow the same filters. Content is written in Parvis, so `channel` keeps it only as
/// `parvis`; `author` finds a challenge by the admin who posed it and a testimonial by the
/// member who gave it when their name is shown in full; `topic` finds a testimonial by its
/// topic or any content whose text names the topic; `from`/`to` go by its creation day.
/// `content` is paged alongside the threads, ten a page whatever `per_page`: page 2 holds
/// the 11th to the 20th best, a page past the last holds none; `content_total` counts them all.
#[utoipa::path(get, path = "/spaces/{space}/search", tag = "search",
    params(("space" = String, Path, description = "space slug"), SearchQuery),
    responses((status = 200, description = "a page of results", body = parvis_search::SearchResults)))]
async fn search(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiQuery(p): ApiQuery<SearchQuery>,
) -> ApiResult<Json<parvis_search::SearchResults>> {
    let page = paging(p.page, p.per_page, 20)?;
    let space = st.services.space(&space).await?;
    let req = parvis_services::search::SearchRequest {
        q: p.q,
        channel: p.channel,
        author: p.author,
        topic: p.topic,
        from: p.from,
        to: p.to,
        page,
    };
    Ok(Json(
        st.services
            .search_as(ctx.actor.as_ref(), &space, &req)
            .await?,
    ))
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

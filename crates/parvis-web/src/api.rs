//! The JSON API, under `/api/v1`. Every list is paged (`?page=&per_page=`), every error is
//! `application/problem+json`. `openapi.rs` describes each route; a test checks that the two
//! agree.

use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use parvis_domain::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/spaces", get(list_spaces).post(create_space))
        .route("/spaces/{space}", get(get_space))
        .route(
            "/spaces/{space}/topics",
            get(list_topics).post(create_topic),
        )
        .route(
            "/spaces/{space}/threads",
            get(list_threads).post(create_thread),
        )
        .route("/threads/{id}", get(get_thread))
        .route("/threads/{id}/messages", post(reply))
        .route("/messages/{id}/reactions", post(react))
        .route("/messages/{id}/reactions/{kind}", delete(unreact))
        .route("/members", get(list_members))
        .route("/members/{handle}", get(get_member))
        .route("/members/{handle}/role", put(set_role))
        .route("/invitations", post(invite))
        .route("/me", get(me).patch(update_me))
        .route("/me/consents", put(set_consent))
        .route("/me/identities", post(add_identity))
        .route("/me/tokens", get(list_tokens).post(create_token))
        .route("/me/tokens/{id}", delete(revoke_token))
        .route("/auth/password", post(sign_in_password))
        .route("/auth/link", post(request_link))
        .route("/auth/signout", post(sign_out))
        .route("/spaces/{space}/activity", get(activity))
        .route("/spaces/{space}/search", get(search))
        .route("/spaces/{space}/feed", get(feed))
        .route("/spaces/{space}/feed/feedback", post(feed_feedback))
        .route("/spaces/{space}/peers", get(peers))
        .route("/spaces/{space}/matchmaking", post(matchmaking))
        .route("/members/{handle}/intro-paths", get(intro_paths))
        .route("/intro-requests", post(create_intro))
        .route("/me/intro-requests", get(my_intros))
        .route("/intro-requests/{id}/accept", post(accept_intro))
        .route("/intro-requests/{id}/decline", post(decline_intro))
        .route(
            "/spaces/{space}/imports",
            post(import_upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::pages::IMPORT_MAX_BYTES,
            )),
        )
        .route(
            "/spaces/{space}/topics/{topic}/opinion",
            get(opinion_report),
        )
        .route(
            "/spaces/{space}/topics/{topic}/statements",
            get(list_statements).post(add_statement),
        )
        .route(
            "/spaces/{space}/topics/{topic}/next-statement",
            get(next_statement),
        )
        .route("/statements/{id}/votes", post(vote))
        .route("/statements/{id}/status", put(moderate))
        .route("/admin/merge-proposals", get(list_proposals))
        .route("/admin/merge-proposals/{id}/accept", post(accept_proposal))
        .route("/admin/merge-proposals/{id}/reject", post(reject_proposal))
        .route("/admin/merges", get(list_merges))
        .route("/admin/merges/{id}/undo", post(undo_merge))
        .fallback(|| async { ApiError::not_found("no such API route; see /api/openapi.json") })
}

/// A JSON body whose errors name the field at fault (`title: invalid type: integer…`).
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "JSON expected",
                "send the body as Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let field = if path == "." || path.is_empty() {
                    missing_field(&inner.to_string())
                } else {
                    Some(path)
                };
                let detail = match &field {
                    Some(f) => format!("field `{f}`: {inner}"),
                    None => format!("the body is not valid JSON: {inner}"),
                };
                let mut err = ApiError::bad_request(detail);
                err.field = field;
                err
            })
    }
}

fn missing_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

type ApiResult<T> = Result<T, ApiError>;

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    topic: Option<String>,
    q: Option<String>,
}

impl PageQuery {
    fn page(&self, default: u32) -> PageRequest {
        PageRequest::new(self.page, self.per_page, default)
    }
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

async fn list_spaces(State(st): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let spaces = st.services.spaces().await?;
    Ok(Json(serde_json::json!({ "items": spaces })))
}

#[derive(Deserialize)]
struct NewSpace {
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
}

async fn create_space(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<NewSpace>,
) -> ApiResult<(StatusCode, Json<Space>)> {
    let s = st
        .services
        .create_space(ctx.actor()?, &b.slug, &b.name, &b.description)
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

async fn get_space(
    State(st): State<AppState>,
    Path(space): Path<String>,
) -> ApiResult<Json<Space>> {
    Ok(Json(st.services.space(&space).await?))
}

async fn list_topics(
    State(st): State<AppState>,
    Path(space): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let space = st.services.space(&space).await?;
    Ok(Json(
        serde_json::json!({ "items": st.services.topics(&space).await? }),
    ))
}

#[derive(Deserialize)]
struct NewTopic {
    slug: Option<String>,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    keywords: Vec<String>,
}

async fn create_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
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

async fn list_threads(
    State(st): State<AppState>,
    Path(space): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Page<ThreadSummary>>> {
    let space = st.services.space(&space).await?;
    let topic = match &q.topic {
        Some(t) => Some(st.services.topic(&space, t).await?),
        None => None,
    };
    Ok(Json(
        st.services
            .threads(&space, topic.as_ref(), q.page(20))
            .await?,
    ))
}

#[derive(Deserialize)]
struct NewThreadBody {
    title: String,
    body: String,
    topic: Option<String>,
}

async fn create_thread(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    ApiJson(b): ApiJson<NewThreadBody>,
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

fn id_from(raw: &str, what: &str) -> ApiResult<i64> {
    raw.parse::<i64>().map_err(|_| {
        ApiError::bad_request(format!("{what} must be a number, got {raw:?}"))
            .with_field(what.to_string())
    })
}

/// `GET /threads/{id}`: the thread and a page of its messages (served from the cache).
async fn get_thread(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Response> {
    let id = ThreadId(id_from(&id, "id")?);
    let bytes = st.services.thread_page_json(id, q.page(50)).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

#[derive(Deserialize)]
struct ReplyBody {
    body: String,
    parent_id: Option<i64>,
}

async fn reply(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReplyBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = ThreadId(id_from(&id, "id")?);
    let mid = st
        .services
        .reply(ctx.actor()?, id, b.parent_id.map(MessageId), &b.body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": mid, "thread_id": id })),
    ))
}

#[derive(Deserialize)]
struct ReactBody {
    kind: String,
}

async fn react(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReactBody>,
) -> ApiResult<StatusCode> {
    let kind = ReactionKind::parse("kind", &b.kind).map_err(parvis_services::ServiceError::from)?;
    st.services
        .react(ctx.actor()?, MessageId(id_from(&id, "id")?), kind, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unreact(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, kind)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let kind = ReactionKind::parse("kind", &kind).map_err(parvis_services::ServiceError::from)?;
    st.services
        .react(ctx.actor()?, MessageId(id_from(&id, "id")?), kind, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_members(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Page<Member>>> {
    Ok(Json(
        st.services
            .members(ctx.actor.as_ref(), q.q.as_deref(), q.page(50))
            .await?,
    ))
}

async fn get_member(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
) -> ApiResult<Json<Member>> {
    Ok(Json(st.services.member(ctx.actor.as_ref(), &handle).await?))
}

#[derive(Deserialize)]
struct RoleBody {
    role: String,
}

async fn set_role(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    ApiJson(b): ApiJson<RoleBody>,
) -> ApiResult<Json<Member>> {
    Ok(Json(
        st.services.set_role(ctx.actor()?, &handle, &b.role).await?,
    ))
}

#[derive(Deserialize)]
struct InviteBody {
    email: String,
    display_name: String,
    #[serde(default = "default_member")]
    site_role: String,
    #[serde(default = "default_other")]
    ecosystem_role: String,
    #[serde(default)]
    organisation: String,
}

fn default_member() -> String {
    "member".into()
}
fn default_other() -> String {
    "other".into()
}

async fn invite(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<InviteBody>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let m = st
        .services
        .invite(
            ctx.actor()?,
            &b.email,
            &b.display_name,
            &b.site_role,
            &b.ecosystem_role,
            &b.organisation,
            ctx.lang,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

async fn me(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<Member>> {
    let actor = ctx.actor()?;
    Ok(Json(
        st.services
            .member(Some(actor), &actor.member.handle)
            .await?,
    ))
}

#[derive(Deserialize)]
struct ProfileBody {
    display_name: String,
    ecosystem_role: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    bio: String,
}

async fn update_me(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ProfileBody>,
) -> ApiResult<Json<Member>> {
    Ok(Json(
        st.services
            .update_profile(
                ctx.actor()?,
                &b.display_name,
                &b.ecosystem_role,
                &b.organisation,
                &b.bio,
            )
            .await?,
    ))
}

#[derive(Deserialize)]
struct ConsentBody {
    kind: String,
    granted: bool,
}

async fn set_consent(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ConsentBody>,
) -> ApiResult<Json<Member>> {
    Ok(Json(
        st.services
            .set_consent(ctx.actor()?, &b.kind, b.granted)
            .await?,
    ))
}

#[derive(Deserialize)]
struct IdentityBody {
    network: String,
    handle: String,
}

async fn add_identity(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<IdentityBody>,
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

async fn list_tokens(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "items": st.services.api_tokens(ctx.actor()?).await? }),
    ))
}

#[derive(Deserialize)]
struct TokenBody {
    name: String,
}

async fn create_token(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<TokenBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let (info, secret) = st.services.create_api_token(ctx.actor()?, &b.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "token": info, "secret": secret })),
    ))
}

async fn revoke_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    st.services
        .revoke_api_token(ctx.actor()?, TokenId(id_from(&id, "id")?))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct PasswordBody {
    email: String,
    password: String,
}

/// Password sign-in over the API: sets the session cookie and returns the CSRF token that
/// cookie-authenticated writes must echo. Integrators should prefer API tokens.
async fn sign_in_password(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<PasswordBody>,
) -> ApiResult<Response> {
    let signed = st
        .services
        .sign_in_password(&b.email, &b.password, &ctx.client)
        .await?;
    let mut res = Json(serde_json::json!({ "member": signed.member, "csrf_token": ctx.csrf }))
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

#[derive(Deserialize)]
struct LinkBody {
    email: String,
}

async fn request_link(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<LinkBody>,
) -> ApiResult<StatusCode> {
    st.services
        .request_magic_link(&b.email, &ctx.client, ctx.lang)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

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

async fn activity(
    State(st): State<AppState>,
    Path(space): Path<String>,
) -> ApiResult<Json<parvis_services::import::TopicActivityView>> {
    let space = st.services.space(&space).await?;
    Ok(Json(st.services.topic_activity(&space).await?))
}

#[derive(Deserialize)]
struct ImportQuery {
    format: String,
    #[serde(default)]
    dry_run: bool,
}

/// `POST /spaces/{space}/imports?format=mbox&dry_run=false` with the export as the body.
async fn import_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<Json<parvis_services::import::ImportSummary>> {
    use futures_util::StreamExt;
    let actor = ctx.actor()?;
    actor.require_admin()?;
    let format: parvis_import::Format =
        q.format.parse().map_err(|e: parvis_import::ImportError| {
            ApiError::bad_request(e.to_string()).with_field("format")
        })?;
    let dir = tempfile::tempdir().map_err(|e| ApiError::bad_request(e.to_string()))?;
    let path = dir.path().join(format!("upload.{}", format.name()));
    let mut out = tokio::fs::File::create(&path)
        .await
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("upload: {e}")))?;
        tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
            .await
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    tokio::io::AsyncWriteExt::flush(&mut out)
        .await
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let opts = parvis_services::import::ImportOptions {
        space,
        dry_run: q.dry_run,
        ..Default::default()
    };
    Ok(Json(
        st.services
            .import(format, vec![path], &opts, |_| {})
            .await?,
    ))
}

async fn list_proposals(
    State(st): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "items": st.services.merge_proposals(ctx.actor()?).await? }),
    ))
}

async fn accept_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let merge = st
        .services
        .accept_proposal(ctx.actor()?, id_from(&id, "id")?)
        .await?;
    Ok(Json(serde_json::json!({ "merge_id": merge })))
}

async fn reject_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    st.services
        .reject_proposal(ctx.actor()?, id_from(&id, "id")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_merges(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<serde_json::Value>> {
    ctx.actor()?.require_admin()?;
    Ok(Json(
        serde_json::json!({ "items": st.services.store().merges().await.map_err(parvis_services::ServiceError::from)? }),
    ))
}

async fn undo_merge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    st.services
        .unmerge(ctx.actor()?, id_from(&id, "id")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn space_topic(st: &AppState, space: &str, topic: &str) -> ApiResult<Topic> {
    let space = st.services.space(space).await?;
    Ok(st.services.topic(&space, topic).await?)
}

async fn opinion_report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> ApiResult<Json<parvis_services::privacy::ReportView>> {
    let topic = space_topic(&st, &space, &topic).await?;
    let report = st.services.opinion_map(&topic).await?;
    // Per-participant data only for moderators, under opaque ids (docs/PRIVACY.md).
    Ok(Json(parvis_services::privacy::report_for(
        ctx.actor.as_ref(),
        &report,
    )))
}

async fn list_statements(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let topic = space_topic(&st, &space, &topic).await?;
    Ok(Json(
        serde_json::json!({ "items": st.services.statements(ctx.actor.as_ref(), &topic).await? }),
    ))
}

#[derive(Deserialize)]
struct StatementBody {
    body: String,
}

async fn add_statement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    ApiJson(b): ApiJson<StatementBody>,
) -> ApiResult<(StatusCode, Json<parvis_store::StatementRow>)> {
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

async fn next_statement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> ApiResult<Response> {
    let topic = space_topic(&st, &space, &topic).await?;
    Ok(
        match st.services.next_statement(ctx.actor()?, &topic).await? {
            Some(s) => Json(s).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

#[derive(Deserialize)]
struct VoteBody {
    value: String,
}

async fn vote(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<VoteBody>,
) -> ApiResult<StatusCode> {
    st.services
        .vote(ctx.actor()?, id_from(&id, "id")?, &b.value)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct StatusBody {
    status: String,
}

async fn moderate(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StatusBody>,
) -> ApiResult<Json<parvis_store::StatementRow>> {
    let accept = match b.status.as_str() {
        "accepted" => true,
        "rejected" => false,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "Invalid field",
                "status must be accepted or rejected",
            )
            .with_field("status"));
        }
    };
    Ok(Json(
        st.services
            .moderate_statement(ctx.actor()?, id_from(&id, "id")?, accept)
            .await?,
    ))
}

/// `GET /spaces/{space}/search?q=…&channel=&author=&topic=&from=&to=&page=&per_page=`.
async fn search(
    State(st): State<AppState>,
    Path(space): Path<String>,
    Query(p): Query<crate::pages::SearchParams>,
) -> ApiResult<Json<parvis_search::SearchResults>> {
    let space = st.services.space(&space).await?;
    Ok(Json(st.services.search(&space, &p.request()).await?))
}

#[derive(Deserialize)]
struct SizeQuery {
    size: Option<usize>,
}

/// The signed-in member's feed in a space ("Pour vous"), each item with its reasons.
async fn feed(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<SizeQuery>,
) -> ApiResult<Json<parvis_services::relevance::FeedView>> {
    let space = st.services.space(&space).await?;
    Ok(Json(
        st.services
            .feed(ctx.actor()?, &space, q.size.unwrap_or(20))
            .await?,
    ))
}

#[derive(Deserialize)]
struct FeedbackBody {
    kind: String,
    target: i64,
    #[serde(default = "yes")]
    on: bool,
}

fn yes() -> bool {
    true
}

async fn feed_feedback(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    ApiJson(b): ApiJson<FeedbackBody>,
) -> ApiResult<StatusCode> {
    let space = st.services.space(&space).await?;
    st.services
        .feed_feedback(ctx.actor()?, &space, &b.kind, b.target, b.on)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The members whose current concerns are closest to the signed-in member's.
async fn peers(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<SizeQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let space = st.services.space(&space).await?;
    Ok(Json(
        serde_json::json!({ "items": st.services.peers(ctx.actor()?, &space, q.size.unwrap_or(10)).await? }),
    ))
}

async fn intro_paths(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "items": st.services.intro_paths(ctx.actor()?, &handle, 5).await? }),
    ))
}

#[derive(Deserialize)]
struct IntroBody {
    target: String,
    intermediary: String,
    message: String,
}

async fn create_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<IntroBody>,
) -> ApiResult<(StatusCode, Json<parvis_services::intros::IntroRequestView>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .request_intro(ctx.actor()?, &b.target, &b.intermediary, &b.message)
                .await?,
        ),
    ))
}

async fn my_intros(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        serde_json::json!({ "items": st.services.intro_requests(ctx.actor()?).await? }),
    ))
}

async fn accept_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<parvis_services::intros::IntroRequestView>> {
    Ok(Json(
        st.services
            .decide_intro(ctx.actor()?, id_from(&id, "id")?, true)
            .await?,
    ))
}

async fn decline_intro(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<parvis_services::intros::IntroRequestView>> {
    Ok(Json(
        st.services
            .decide_intro(ctx.actor()?, id_from(&id, "id")?, false)
            .await?,
    ))
}

/// Meeting proposals for an event session's participants (moderators).
async fn matchmaking(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    ApiJson(b): ApiJson<parvis_services::relevance::MatchmakingRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let space = st.services.space(&space).await?;
    Ok(Json(
        serde_json::json!({ "slots": st.services.matchmaking(ctx.actor()?, &space, &b).await? }),
    ))
}

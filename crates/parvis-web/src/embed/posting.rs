//! The widget's write API: sign-in by emailed link (start, then poll) and single sign-on
//! (each with the share link's code the host page carried, if any), and, with the widget token,
//! posting, reacting and reading one's held messages.
//!
//! No cookie and no `Ctx` here: the widget is a third-party iframe, so it authenticates with
//! `Authorization: Bearer pvw_…`, which a browser never sends on its own — no CSRF is
//! possible, and none is checked. These routes send no CORS headers either: only our own
//! iframe (same origin as the API) can call them from a browser, so a host page's script
//! cannot; the host page's origin, as the iframe learnt it, comes in `X-Parvis-Host` and must
//! be one the space allows (a cross-site `Origin`, when a browser sends one, wins over it).

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_domain::*;
use parvis_services::embeds::EmbedTarget;
use parvis_services::embeds::posting::{PostOutcome, WidgetActor, WidgetSession};
use parvis_store::HeldMessage;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The page embedding the widget: the browser's `Origin` when it is another site's, else
/// what our iframe says in `X-Parvis-Host`.
pub(crate) fn embedder(st: &AppState, headers: &HeaderMap) -> Option<String> {
    let own = url::Url::parse(&super::public_base(st))
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null");
    match origin {
        Some(o) if o != own => Some(o.to_string()),
        _ => headers
            .get("x-parvis-host")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or(origin.map(str::to_string)),
    }
}

fn not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
        "Site not allowed",
        "this space's embeds may not run on the calling site; its admins list the allowed sites",
    )
}

/// Refuse a widget call from a site the space does not allow.
pub(crate) async fn check_origin(
    st: &AppState,
    space: SpaceId,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let settings = st.services.embed_settings(space).await?;
    let from = embedder(st, headers);
    if st.services.embed_allowed(&settings, from.as_deref()) {
        Ok(())
    } else {
        tracing::info!(
            origin = from.as_deref().unwrap_or(""),
            space = space.0,
            "widget write refused to a site not allowed"
        );
        Err(not_allowed())
    }
}

/// The member a widget token acts for (`Authorization: Bearer pvw_…`), on an allowed site.
pub(crate) struct Widget(pub WidgetActor);

impl FromRequestParts<AppState> for Widget {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with("pvw_"));
        let refused = |detail: &str| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_widget_token",
                "Sign in again",
                detail,
            )
        };
        let Some(token) = token else {
            return Err(refused(
                "send the widget's token as `Authorization: Bearer pvw_…` (from /embed/auth/poll or /embed/auth/sso)",
            ));
        };
        let Some(w) = st.services.widget_actor(token).await? else {
            return Err(refused(
                "the widget's token is unknown or has expired; sign in again",
            ));
        };
        check_origin(st, w.space, &parts.headers).await?;
        Ok(Widget(w))
    }
}

/// Who acts from a widget and on which host page, to count the action in the embed funnel as
/// the frame's beacon counted the view: same visitor hash, same host page (`X-Parvis-Page`,
/// which our frame sends; else the embedding site).
pub(crate) struct Seen(pub SeenBy);

pub(crate) struct SeenBy {
    viewer: parvis_services::embeds::track::Viewer,
    host: Option<String>,
}

impl SeenBy {
    /// Count `event` for `target`; a failure is logged and never fails the action.
    pub(super) async fn engaged(&self, st: &AppState, target: EmbedTarget, event: &str) {
        if let Err(e) = st
            .services
            .record_widget_engagement(&target, self.host.as_deref(), event, &self.viewer)
            .await
        {
            tracing::warn!(error = %e, event, "widget engagement not counted");
        }
    }
}

impl FromRequestParts<AppState> for Seen {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        let host = parts
            .headers
            .get("x-parvis-page")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .or_else(|| embedder(st, &parts.headers));
        Ok(Seen(SeenBy {
            viewer: super::track::viewer(st, peer, &parts.headers),
            host,
        }))
    }
}

/// The caller's address, for the sign-in rate limit (behind a trusted proxy: the client's).
pub(crate) struct Client(pub String);

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        Ok(Client(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| {
                    st.config
                        .trusted_proxies
                        .client(c.0.ip(), &parts.headers)
                        .to_string()
                })
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// Start a widget sign-in.
#[derive(Deserialize, ToSchema)]
pub(crate) struct StartBody {
    /// The embed the visitor is in (`thread/12`).
    embed: String,
    email: String,
    /// `fr` or `en`: the language of the emailed link (default: the browser's).
    #[serde(default)]
    lang: Option<String>,
    /// The host page's address, shown in the mail and recorded as the new member's origin.
    #[serde(default)]
    host: Option<String>,
    /// The share link's code the host page's address carried (`?ref=CODE`; the frame reads
    /// it there), kept with the attempt: once the link is confirmed, the visitor's widget
    /// entries and replies are credited to the link's owner (a share cookie on the
    /// confirmation page wins over it). A code that is not a share link's, or the visitor's
    /// own, credits no one and never stops the sign-in.
    #[serde(default, rename = "ref")]
    share_ref: Option<String>,
}

/// The attempt id to poll with (kept in the widget's memory only).
#[derive(Serialize, ToSchema)]
pub(crate) struct Started {
    attempt: String,
    /// Poll every this many milliseconds.
    poll_ms: u32,
}

/// The space an embed key belongs to.
async fn embed_space(st: &AppState, key: &str) -> Result<SpaceId, ApiError> {
    let target = EmbedTarget::parse_key(key).ok_or_else(|| {
        ApiError::from(parvis_services::ServiceError::from(ValidationError::new(
            "embed",
            "not an embed key such as thread/12",
        )))
    })?;
    Ok(st.services.embed_card(&target).await?.space_id)
}

/// Start a widget sign-in: mails a one-time link and returns the attempt id to poll with
#[utoipa::path(post, path = "/embed/auth/start", tag = "embeds", request_body = StartBody,
    responses((status = 202, description = "the link was mailed (or the email is unknown: same answer)", body = Started),
        (status = 403, description = "the space does not allow embeds on the calling site")))]
pub(crate) async fn start(
    State(st): State<AppState>,
    headers: HeaderMap,
    Client(client): Client,
    ApiJson(b): ApiJson<StartBody>,
) -> Result<Response, ApiError> {
    let space = embed_space(&st, &b.embed).await?;
    check_origin(&st, space, &headers).await?;
    let lang = super::frame_lang(b.lang.as_deref(), &headers);
    let host = b
        .host
        .or_else(|| embedder(&st, &headers))
        .unwrap_or_default();
    let attempt = st
        .services
        .widget_sign_in_start(
            space,
            &b.email,
            &host,
            b.share_ref.as_deref(),
            &client,
            lang,
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Started {
            attempt,
            poll_ms: 2000,
        }),
    )
        .into_response())
}

/// Poll a widget sign-in.
#[derive(Deserialize, ToSchema)]
pub(crate) struct PollBody {
    attempt: String,
}

/// Not confirmed yet.
#[derive(Serialize, ToSchema)]
pub(crate) struct Pending {
    /// `pending`
    status: &'static str,
}

/// Poll a widget sign-in: 202 while the emailed link is not confirmed, then the token (once)
#[utoipa::path(post, path = "/embed/auth/poll", tag = "embeds", request_body = PollBody,
    responses((status = 200, description = "confirmed: the widget token", body = WidgetSession),
        (status = 202, description = "not confirmed yet", body = Pending),
        (status = 401, description = "unknown, expired or already collected attempt (`bad_link`): start again", body = crate::error::Problem, content_type = "application/problem+json")))]
pub(crate) async fn poll(
    State(st): State<AppState>,
    ApiJson(b): ApiJson<PollBody>,
) -> Result<Response, ApiError> {
    Ok(match st.services.widget_poll(&b.attempt).await? {
        Some(session) => Json(session).into_response(),
        None => (StatusCode::ACCEPTED, Json(Pending { status: "pending" })).into_response(),
    })
}

/// A message from a widget.
#[derive(Deserialize, ToSchema)]
pub(crate) struct PostBody {
    /// Markdown, sanitised like every message.
    body: String,
    /// The message answered, in the same thread.
    #[serde(default)]
    parent_id: Option<i64>,
    /// A name to show instead of the poster's, where the space allows pseudonyms.
    #[serde(default)]
    pseudonym: Option<String>,
}

/// What became of a widget post.
#[derive(Serialize, ToSchema)]
pub(crate) struct Posted {
    /// `published` or `held` (waiting for a moderator; only its author sees it meanwhile).
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    held_id: Option<i64>,
    /// Why it was held (`first_post`, `suspect_word:…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// Reply in a thread from a widget (widget token)
#[utoipa::path(post, path = "/embed/threads/{id}/messages", tag = "embeds", request_body = PostBody,
    params(("id" = i64, Path, description = "thread id")),
    security(("bearer" = [])),
    responses((status = 201, description = "published", body = Posted),
        (status = 202, description = "held for a moderator", body = Posted),
        (status = 429, description = "over the visitor's posting budget (5 a minute, 30 an hour); see Retry-After")))]
pub(crate) async fn post(
    State(st): State<AppState>,
    Widget(w): Widget,
    Seen(seen): Seen,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PostBody>,
) -> Result<Response, ApiError> {
    let out = st
        .services
        .widget_post(
            &w,
            ThreadId(id),
            b.parent_id.map(MessageId),
            &b.body,
            b.pseudonym.as_deref(),
        )
        .await?;
    // Held or published, the visitor took part: that is engagement.
    seen.engaged(&st, EmbedTarget::Thread(ThreadId(id)), "post")
        .await;
    Ok(match out {
        PostOutcome::Published(m) => (
            StatusCode::CREATED,
            Json(Posted {
                status: "published",
                message_id: Some(m.0),
                held_id: None,
                reason: None,
            }),
        )
            .into_response(),
        PostOutcome::Held { id, reason } => (
            StatusCode::ACCEPTED,
            Json(Posted {
                status: "held",
                message_id: None,
                held_id: Some(id),
                reason: Some(reason),
            }),
        )
            .into_response(),
    })
}

/// One's own messages waiting for a moderator in a thread (widget token)
#[utoipa::path(get, path = "/embed/threads/{id}/held", tag = "embeds",
    params(("id" = i64, Path, description = "thread id")),
    security(("bearer" = [])),
    responses((status = 200, description = "the caller's held messages", body = Vec<HeldMessage>)))]
pub(crate) async fn held(
    State(st): State<AppState>,
    Widget(w): Widget,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<HeldMessage>>, ApiError> {
    Ok(Json(st.services.widget_held(&w, ThreadId(id)).await?))
}

/// One of the caller's own reactions.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyReaction {
    message_id: i64,
    /// `like`, `insightful`, `agree` or `question`.
    kind: String,
}

/// The caller's own reactions in a thread (widget token), to show them as given
#[utoipa::path(get, path = "/embed/threads/{id}/reactions", tag = "embeds",
    params(("id" = i64, Path, description = "thread id")),
    security(("bearer" = [])),
    responses((status = 200, description = "the caller's reactions in the thread", body = Vec<MyReaction>)))]
pub(crate) async fn my_reactions(
    State(st): State<AppState>,
    Widget(w): Widget,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<MyReaction>>, ApiError> {
    let mine = st.services.widget_reactions(&w, ThreadId(id)).await?;
    Ok(Json(
        mine.into_iter()
            .map(|(m, k)| MyReaction {
                message_id: m.0,
                kind: k.as_str().to_string(),
            })
            .collect(),
    ))
}

/// A reaction (a like, or another kind) to leave or take back.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ReactBody {
    /// `like`, `insightful`, `agree` or `question`.
    kind: String,
    /// True to leave it, false to take it back.
    on: bool,
}

/// React to a message from a widget (widget token)
#[utoipa::path(post, path = "/embed/messages/{id}/reactions", tag = "embeds", operation_id = "embed_react", request_body = ReactBody,
    params(("id" = i64, Path, description = "message id")),
    security(("bearer" = [])),
    responses((status = 204, description = "done"),
        (status = 429, description = "over the visitor's budget of likes, votes and answers (60 a minute); see Retry-After")))]
pub(crate) async fn react(
    State(st): State<AppState>,
    Widget(w): Widget,
    Seen(seen): Seen,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReactBody>,
) -> Result<StatusCode, ApiError> {
    let kind = ReactionKind::parse("kind", &b.kind).map_err(parvis_services::ServiceError::from)?;
    let thread = st
        .services
        .widget_react(&w, MessageId(id), kind, b.on)
        .await?;
    // Taking a reaction back is not engagement; leaving one is.
    if b.on {
        seen.engaged(&st, EmbedTarget::Thread(thread), "react")
            .await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A host site's signed token to trade.
#[derive(Deserialize, ToSchema)]
pub(crate) struct SsoBody {
    /// The embed the visitor is in (`thread/12`).
    embed: String,
    /// The HS256 JWT the host site signed (claims sub, email, name, exp, jti; `kid` header).
    token: String,
    /// The share link's code the host page's address carried (`?ref=CODE`; the frame reads
    /// it there): the visitor's widget entries and replies are then credited to the link's
    /// owner. A code that is not a share link's, or the visitor's own, credits no one and
    /// never stops the sign-in.
    #[serde(default, rename = "ref")]
    share_ref: Option<String>,
}

/// Sign a widget in with the host site's signed token (single sign-on)
///
/// Refusals say why, with a stable code: `sso_expired`, `sso_bad_signature`,
/// `sso_unknown_kid`, `sso_replayed`, `sso_missing_email`, `sso_malformed`, `sso_privileged`.
#[utoipa::path(post, path = "/embed/auth/sso", tag = "embeds", request_body = SsoBody,
    responses((status = 200, description = "the widget token", body = WidgetSession),
        (status = 401, description = "the token was refused (`code` says why)")))]
pub(crate) async fn sso(
    State(st): State<AppState>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SsoBody>,
) -> Result<Json<WidgetSession>, ApiError> {
    let space = embed_space(&st, &b.embed).await?;
    check_origin(&st, space, &headers).await?;
    let session = st.services.widget_sso(space, &b.token).await?;
    // No first-party step carries our cookie here: the code the host page's address carried
    // is noted as the emailed sign-in's cookie is, for the member's later widget actions.
    if let Some(code) = b.share_ref.as_deref().map(str::trim).filter(|c| !c.is_empty())
        // The session was just made: failing to read it back only loses the note.
        && let Ok(Some(w)) = st.services.widget_actor(&session.token).await
    {
        crate::content::note_widget_share_code(&st, code, w.actor.member.id).await;
    }
    Ok(Json(session))
}

/// Submit an entry to an open challenge from a widget (widget token)
///
/// The same rules as on the challenge's page: the challenge open and before its deadline,
/// the rules accepted (their wording is kept with the entry); the widget's sign-in must be
/// for the challenge's space.
#[utoipa::path(post, path = "/embed/challenges/{id}/entries", tag = "embeds", operation_id = "embed_submit_entry",
    request_body = parvis_services::challenges::EntryInput,
    params(("id" = i64, Path, description = "challenge id")),
    security(("bearer" = [])),
    responses((status = 201, description = "submitted", body = parvis_store::EntryRow),
        (status = 429, description = "over the visitor's posting budget (5 a minute, 30 an hour); see Retry-After")))]
pub(crate) async fn submit_entry(
    State(st): State<AppState>,
    Widget(w): Widget,
    Seen(seen): Seen,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<parvis_services::challenges::EntryInput>,
) -> Result<(StatusCode, Json<parvis_store::EntryRow>), ApiError> {
    let entry = st.services.widget_submit_entry(&w, id, &b).await?;
    seen.engaged(&st, EmbedTarget::Challenge(id), "entry").await;
    Ok((StatusCode::CREATED, Json(entry)))
}

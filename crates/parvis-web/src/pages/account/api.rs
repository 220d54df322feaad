//! The account area's JSON API: the signed-in member (profile, consents, identities, API
//! tokens) and signing in and out. The rules every API handler follows are in `crate::api`.

use crate::AppState;
use crate::api::{ApiResult, Items, items};
use crate::context::Ctx;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_domain::*;
use parvis_store::ApiTokenInfo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This area's API routes, merged by `crate::api::routes` and served under `/api/v1`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        .routes(routes!(set_consent))
        .routes(routes!(add_identity))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(sign_in_password))
        .routes(routes!(request_link))
        .routes(routes!(sign_out))
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

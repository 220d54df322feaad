//! The admin side of taking part from widgets: a space's posting rules (held first posts,
//! pseudonyms, sign-up, banned and suspect words) and its single sign-on secrets, as a section
//! of the embeds page and as API.

use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::pages::{PageResult, fail, fail_api, see_other};
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use parvis_services::embeds::posting::PostSettingsInput;
use parvis_store::PostSettings;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A space's posting rules, as its admins see them.
#[derive(Serialize, ToSchema)]
pub(crate) struct PostSettingsView {
    hold_first: bool,
    pseudonyms: bool,
    open_signup: bool,
    banned_words: Vec<String>,
    suspect_words: Vec<String>,
}

impl From<PostSettings> for PostSettingsView {
    fn from(s: PostSettings) -> Self {
        Self {
            hold_first: s.hold_first,
            pseudonyms: s.pseudonyms,
            open_signup: s.open_signup,
            banned_words: s.banned_words,
            suspect_words: s.suspect_words,
        }
    }
}

/// How people may post from a space's widgets (admin)
#[utoipa::path(get, path = "/spaces/{space}/embed/posting", tag = "embeds", operation_id = "get_embed_posting_settings",
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the rules", body = PostSettingsView)))]
pub(crate) async fn api_get(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
) -> Result<Json<PostSettingsView>, ApiError> {
    ctx.actor()?.require_admin()?;
    let space = st.services.space(&space).await?;
    Ok(Json(st.services.post_settings(space.id).await?.into()))
}

/// Set how people may post from a space's widgets (admin)
#[utoipa::path(put, path = "/spaces/{space}/embed/posting", tag = "embeds", operation_id = "put_embed_posting_settings", request_body = PostSettingsInput,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the rules saved", body = PostSettingsView)))]
pub(crate) async fn api_put(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<PostSettingsInput>,
) -> Result<Json<PostSettingsView>, ApiError> {
    let space = st.services.space(&space).await?;
    Ok(Json(
        st.services
            .update_post_settings(ctx.actor()?, &space, &b)
            .await?
            .into(),
    ))
}

/// A single sign-on key of a space (never its secret, except once at creation).
#[derive(Serialize, ToSchema)]
pub(crate) struct SsoKey {
    kid: String,
    created_at: i64,
    /// Only in the answer that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

/// A new single sign-on key.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewSsoKey {
    /// The key id the host puts in the JWT header (`kid`): letters, digits, - or _.
    kid: String,
}

/// A space's single sign-on keys (admin)
#[utoipa::path(get, path = "/spaces/{space}/embed/sso-keys", tag = "embeds",
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the keys, without their secrets", body = Vec<SsoKey>)))]
pub(crate) async fn sso_list(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
) -> Result<Json<Vec<SsoKey>>, ApiError> {
    let space = st.services.space(&space).await?;
    let keys = st.services.sso_keys(ctx.actor()?, &space).await?;
    Ok(Json(
        keys.into_iter()
            .map(|(kid, created_at)| SsoKey {
                kid,
                created_at,
                secret: None,
            })
            .collect(),
    ))
}

/// Create a single sign-on key; its secret is in this answer only (admin)
#[utoipa::path(post, path = "/spaces/{space}/embed/sso-keys", tag = "embeds", request_body = NewSsoKey,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "the key and its secret", body = SsoKey)))]
pub(crate) async fn sso_add(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<NewSsoKey>,
) -> Result<(StatusCode, Json<SsoKey>), ApiError> {
    let space = st.services.space(&space).await?;
    let secret = st
        .services
        .add_sso_secret(ctx.actor()?, &space, &b.kid)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SsoKey {
            kid: b.kid.trim().to_string(),
            created_at: parvis_domain::now_millis(),
            secret: Some(secret),
        }),
    ))
}

/// Delete a single sign-on key: tokens signed with it are refused from now (admin)
#[utoipa::path(delete, path = "/spaces/{space}/embed/sso-keys/{kid}", tag = "embeds",
    params(("space" = String, Path, description = "space slug"), ("kid" = String, Path, description = "key id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "deleted")))]
pub(crate) async fn sso_delete(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath((space, kid)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let space = st.services.space(&space).await?;
    st.services
        .delete_sso_secret(ctx.actor()?, &space, &kid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The posting rules' form on the embeds page.
#[derive(Deserialize)]
pub(crate) struct PostingForm {
    csrf: String,
    #[serde(default)]
    hold_first: Option<String>,
    #[serde(default)]
    pseudonyms: Option<String>,
    #[serde(default)]
    open_signup: Option<String>,
    #[serde(default)]
    banned_words: String,
    #[serde(default)]
    suspect_words: String,
}

pub(crate) async fn save(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<PostingForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let input = PostSettingsInput {
        hold_first: f.hold_first.is_some(),
        pseudonyms: f.pseudonyms.is_some(),
        open_signup: f.open_signup.is_some(),
        banned_words: f.banned_words,
        suspect_words: f.suspect_words,
    };
    st.services
        .update_post_settings(actor, &space, &input)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/admin/spaces/{}/embeds?ok=saved#posting",
        space.slug
    )))
}

#[derive(Deserialize)]
pub(crate) struct SsoForm {
    csrf: String,
    #[serde(default)]
    kid: String,
}

/// Create a key from the page: its secret is shown on the answer, once.
pub(crate) async fn sso_add_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<SsoForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let secret = st
        .services
        .add_sso_secret(actor, &space, &f.kid)
        .await
        .map_err(fail(&st, &ctx))?;
    super::admin::page_with_sso_secret(&st, &ctx, &space, f.kid.trim(), secret).await
}

pub(crate) async fn sso_delete_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, kid)): Path<(String, String)>,
    Form(f): Form<SsoForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    st.services
        .delete_sso_secret(actor, &space, &kid)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/admin/spaces/{}/embeds?ok=saved#sso",
        space.slug
    )))
}

//! A member's own data (GDPR access, portability and erasure), pages and API together:
//! `/me/export` and `/me/delete` for the member, `/members/{handle}/export` and
//! `/members/{handle}/delete` for an admin acting on a member's request, and the same under
//! `/api/v1`. The rule (who may) is in the services (`privacy::export_member`,
//! `privacy::erase_member`); these handlers only extract and map.

use crate::context::{SESSION_COOKIE, cookie};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::pages::{fail, fail_api, render, render_status};
use crate::{AppState, Ctx};
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use minijinja::{Value, context};
use parvis_services::privacy::MemberExport;
use parvis_store::Erasure;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The page that explains and confirms a deletion.
pub(crate) const TEMPLATE: (&str, &str) = ("erase.html", include_str!("../templates/erase.html"));

/// Page routes (merged at the root).
pub(crate) fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/me/export", get(my_export_download))
        .route("/me/delete", get(my_delete_page).post(my_delete))
        .route("/members/{handle}/export", get(member_export_download))
        .route(
            "/members/{handle}/delete",
            get(member_delete_page).post(member_delete),
        )
}

/// API routes (nested under `/api/v1`; documented by their `#[utoipa::path]`).
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api_my_export))
        .routes(routes!(api_delete_me))
        .routes(routes!(api_member_export))
        .routes(routes!(api_delete_member))
}

// ----- API ----------------------------------------------------------------------------------

/// Everything Parvis holds about the signed-in member (GDPR access; docs/PRIVACY.md)
#[utoipa::path(get, path = "/me/export", tag = "me",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the member's data", body = MemberExport)))]
async fn api_my_export(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Json<MemberExport>, ApiError> {
    let actor = ctx.actor()?;
    Ok(Json(
        st.services
            .export_member(actor, &actor.member.handle)
            .await?,
    ))
}

/// Everything Parvis holds about a member (the member or an admin)
#[utoipa::path(get, path = "/members/{handle}/export", tag = "members",
    params(("handle" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the member's data", body = MemberExport)))]
async fn api_member_export(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<MemberExport>, ApiError> {
    Ok(Json(
        st.services.export_member(ctx.actor()?, &handle).await?,
    ))
}

/// `?messages=anonymise|delete`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EraseQuery {
    /// `anonymise`: messages are kept under a neutral name; `delete`: they are removed
    /// (with the threads that held nothing else). Required; anything else is a 422.
    messages: Option<String>,
}

/// Delete one's account
#[utoipa::path(delete, path = "/me", tag = "me", params(EraseQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "what the deletion did", body = Erasure)))]
async fn api_delete_me(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<EraseQuery>,
) -> Result<Json<Erasure>, ApiError> {
    let actor = ctx.actor()?;
    Ok(Json(
        st.services
            .erase_member(
                actor,
                &actor.member.handle,
                q.messages.as_deref().unwrap_or(""),
            )
            .await?,
    ))
}

/// Delete a member's account at their request (admin)
#[utoipa::path(delete, path = "/members/{handle}", tag = "members",
    params(("handle" = String, Path), EraseQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "what the deletion did", body = Erasure)))]
async fn api_delete_member(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(handle): ApiPath<String>,
    ApiQuery(q): ApiQuery<EraseQuery>,
) -> Result<Json<Erasure>, ApiError> {
    Ok(Json(
        st.services
            .erase_member(ctx.actor()?, &handle, q.messages.as_deref().unwrap_or(""))
            .await?,
    ))
}

// ----- pages --------------------------------------------------------------------------------

/// The export as a file to keep (`parvis-<handle>-data.json`).
fn download(export: &MemberExport) -> Response {
    let body = serde_json::to_vec_pretty(export).unwrap_or_default();
    let name = format!(
        "attachment; filename=\"parvis-{}-data.json\"",
        export.profile.handle
    );
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

async fn my_export_download(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Response, crate::PageError> {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let export = st
        .services
        .export_member(actor, &actor.member.handle)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(download(&export))
}

async fn member_export_download(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
) -> Result<Response, crate::PageError> {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let export = st
        .services
        .export_member(actor, &handle)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(download(&export))
}

/// The confirmation page, for oneself (`subject` None) or for a member an admin acts for.
async fn delete_page(
    st: &AppState,
    ctx: &Ctx,
    handle: Option<&str>,
) -> Result<Response, crate::PageError> {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let handle = handle.unwrap_or(&actor.member.handle);
    // Counting through the export also checks the right to act on this member's data.
    let export = st
        .services
        .export_member(actor, handle)
        .await
        .map_err(fail(st, ctx))?;
    let own = export.profile.id == actor.member.id;
    let action = if own {
        "/me/delete".to_string()
    } else {
        format!("/members/{}/delete", export.profile.handle)
    };
    render(
        st,
        ctx,
        "erase.html",
        context! {
            subject => Value::from_serialize(&export.profile), own => own, action => action,
            n_messages => export.records.messages.len(),
            n_votes => export.records.votes.len(),
            n_reactions => export.records.reactions.len(),
        },
    )
}

async fn my_delete_page(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Response, crate::PageError> {
    delete_page(&st, &ctx, None).await
}

async fn member_delete_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
) -> Result<Response, crate::PageError> {
    delete_page(&st, &ctx, Some(&handle)).await
}

#[derive(Deserialize)]
struct DeleteForm {
    csrf: String,
    #[serde(default)]
    messages: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn delete(
    st: &AppState,
    ctx: &Ctx,
    handle: Option<&str>,
    f: DeleteForm,
) -> Result<Response, crate::PageError> {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(st, ctx, e))?;
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    if f.confirm.is_none() {
        return Err(fail_api(
            st,
            ctx,
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Confirmation missing",
                "tick the box that confirms the deletion",
            )
            .with_field("confirm"),
        ));
    }
    let own = handle.is_none();
    let handle = handle.unwrap_or(&actor.member.handle).to_string();
    let out = st
        .services
        .erase_member(actor, &handle, &f.messages)
        .await
        .map_err(fail(st, ctx))?;
    // One's own account is gone, and with it the session: the page says so to a visitor.
    let mut done_ctx = ctx.clone();
    if own {
        done_ctx.actor = None;
    }
    let mut res = render_status(
        st,
        &done_ctx,
        "erase.html",
        context! {
            done => true, own => own, handle => handle,
            deleted => out.deleted_messages.len(), anonymised => out.anonymised_messages,
        },
        StatusCode::OK,
    )?;
    if own {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookie(SESSION_COOKIE, "", Some(0), ctx.secure_cookies),
        );
    }
    Ok(res)
}

async fn my_delete(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<DeleteForm>,
) -> Result<Response, crate::PageError> {
    delete(&st, &ctx, None, f).await
}

async fn member_delete(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, crate::PageError> {
    delete(&st, &ctx, Some(&handle), f).await
}

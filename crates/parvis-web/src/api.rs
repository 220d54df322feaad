//! The JSON API, under `/api/v1`. Every list is paged (`?page=&per_page=`), every error is
//! `application/problem+json`.
//!
//! Every route is registered with `routes!(handler)` on an `OpenApiRouter`, and every handler
//! carries its `#[utoipa::path]`: the OpenAPI document is built from these and from the types
//! the handlers take and return, so it cannot drift from what the server does. A test refuses
//! a plain `.route(` in an API module. Extract with `ApiJson`/`ApiQuery`/`ApiPath` (never
//! axum's own extractors): their rejections are problems too.
//!
//! Each area's handlers sit beside its pages, in its `api` module (`pages::threads::api`,
//! `sessions::api`…); this module holds what every area shares: paging, list answers, the
//! health check, and the router of the areas whose pages are in `pages`.

use crate::AppState;
use crate::error::ApiError;
use crate::pages;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parvis_domain::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;

/// Read by the embed module, which answers a thread in the same shape.
pub(crate) use pages::threads::api::ThreadWithMessages;

/// The API of the areas whose pages are in `pages`; the other areas mount their own in
/// `lib.rs`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(pages::threads::api::routes())
        .merge(pages::people::api::routes())
        .merge(pages::account::api::routes())
        .merge(pages::search::api::routes())
        .merge(pages::opinion::api::routes())
        .merge(pages::import::api::routes())
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// A list answer: `{"items": [...]}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Items<T> {
    pub items: Vec<T>,
}

pub(crate) fn items<T>(items: Vec<T>) -> Json<Items<T>> {
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
pub(crate) fn bounded(
    name: &str,
    value: Option<usize>,
    default: usize,
    max: usize,
) -> ApiResult<usize> {
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

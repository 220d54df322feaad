//! The embed's data endpoint: a thread page as JSON for widgets and single-page apps that
//! draw it themselves, refused to sites the space does not allow (the browser's `Origin`).

use crate::AppState;
use crate::api::{Paging, ThreadWithMessages, paging};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_domain::ThreadId;

/// A thread and a page of its messages, for an embed
///
/// The same JSON as `GET /threads/{id}`, served from the same cache. A browser calling from
/// another site sends its `Origin`: when the thread's space lists allowed sites and this is
/// not one of them, the answer is 403 `origin_not_allowed`; otherwise CORS lets it read.
#[utoipa::path(get, path = "/embed/threads/{id}", tag = "embeds",
    params(("id" = i64, Path, description = "thread id"), Paging),
    responses((status = 200, description = "the thread", body = ThreadWithMessages),
        (status = 403, description = "the space does not allow embeds on the calling site")))]
pub(crate) async fn thread(
    State(st): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Response, ApiError> {
    let page = paging(q.page, q.per_page, parvis_services::MESSAGES_PER_PAGE)?;
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null");
    match st
        .services
        .embed_thread_json(ThreadId(id), page, origin)
        .await?
    {
        Some(bytes) => {
            let mut res = ([(header::CONTENT_TYPE, "application/json")], bytes).into_response();
            let h = res.headers_mut();
            let allow = origin
                .and_then(|o| HeaderValue::from_str(o).ok())
                .unwrap_or(HeaderValue::from_static("*"));
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
            Ok(res)
        }
        None => {
            tracing::info!(
                origin = origin.unwrap_or(""),
                thread = id,
                "embed data refused to a site not allowed"
            );
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "Site not allowed",
                "this space's embeds may not run on the calling site; its admins list the allowed sites",
            ))
        }
    }
}

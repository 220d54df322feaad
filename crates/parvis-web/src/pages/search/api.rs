//! The search area's JSON API: a space's search. The rules every API handler follows are in
//! `crate::api`.

use crate::AppState;
use crate::api::{ApiResult, paging};
use crate::context::Ctx;
use crate::extract::{ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This area's API routes, merged by `crate::api::routes` and served under `/api/v1`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
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

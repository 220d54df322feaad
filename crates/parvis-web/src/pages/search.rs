//! A space's search page.

/// This area's JSON API handlers, under `/api/v1`.
pub(crate) mod api;

use super::{PageResult, fail, render};
use crate::AppState;
use crate::context::Ctx;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use minijinja::{Value, context};
use parvis_domain::*;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/s/{space}/search", get(search_page))
}

#[derive(Deserialize, Default, serde::Serialize)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub channel: Option<String>,
    pub author: Option<String>,
    pub topic: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl SearchParams {
    pub(crate) fn request(&self) -> parvis_services::search::SearchRequest {
        parvis_services::search::SearchRequest {
            q: self.q.clone(),
            channel: self.channel.clone(),
            author: self.author.clone(),
            topic: self.topic.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            page: PageRequest::new(self.page, self.per_page, 20),
        }
    }
}

async fn search_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(p): Query<SearchParams>,
) -> PageResult {
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let topics = st.services.topics(&space).await.map_err(fail(&st, &ctx))?;
    let req = p.request();
    let results = if p.q.trim().is_empty() {
        None
    } else {
        Some(
            st.services
                .search_as(ctx.actor.as_ref(), &space, &req)
                .await
                .map_err(fail(&st, &ctx))?,
        )
    };
    let next_query = {
        let mut next = SearchParams {
            page: Some(req.page.page + 1),
            ..SearchParams::default()
        };
        next.q = p.q.clone();
        next.channel = p.channel.clone();
        next.author = p.author.clone();
        next.topic = p.topic.clone();
        next.from = p.from.clone();
        next.to = p.to.clone();
        serde_urlencoded_pairs(&next)
    };
    let filtered = [&p.channel, &p.author, &p.topic, &p.from, &p.to]
        .iter()
        .any(|f| f.as_deref().is_some_and(|v| !v.is_empty()));
    render(
        &st,
        &ctx,
        "search.html",
        context! {
            space => Value::from_serialize(&space), topics => Value::from_serialize(&topics),
            q => p.q.clone(), channel => p.channel.clone(), author => p.author.clone(), topic => p.topic.clone(),
            from => p.from.clone(), to => p.to.clone(), filtered => filtered,
            notice => results.as_ref().filter(|r| !r.notices.is_empty()).map(|r| {
                r.notices.iter().map(|n| crate::i18n::search_notice(ctx.lang, *n)).collect::<Vec<_>>().join(" ; ")
            }),
            results => results.as_ref().map(Value::from_serialize), page => req.page.page, per_page => req.page.per_page,
            next_query => next_query, content_per_page => parvis_services::content_reach::SEARCH_CONTENT_PER_PAGE,
        },
    )
}

/// Query-string encoding of search parameters (for the "next page" link).
fn serde_urlencoded_pairs(p: &SearchParams) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let mut parts = vec![format!("q={}", enc(&p.q))];
    for (k, v) in [
        ("channel", &p.channel),
        ("author", &p.author),
        ("topic", &p.topic),
        ("from", &p.from),
        ("to", &p.to),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", enc(v)));
        }
    }
    if let Some(page) = p.page {
        parts.push(format!("page={page}"));
    }
    parts.join("&")
}

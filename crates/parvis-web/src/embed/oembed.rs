//! `/oembed` (oEmbed 1.0, JSON only): what a consumer needs to embed a Parvis page.
//!
//! The `html` is a `<blockquote>` linking to the page followed by an `<iframe>`: WordPress
//! keeps exactly that from a provider it does not know (anything else is stripped), shows
//! the quote until the frame reports its height, and sandboxes the frame.

use super::public_base;
use crate::AppState;
use crate::charts::esc;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parvis_services::ServiceError;
use parvis_services::embeds::{Resolved, resolve_url};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub(crate) struct OembedQuery {
    url: Option<String>,
    maxwidth: Option<String>,
    maxheight: Option<String>,
    format: Option<String>,
}

/// The oEmbed answer (type `rich`).
#[derive(Serialize)]
pub(crate) struct Oembed {
    #[serde(rename = "type")]
    type_: &'static str,
    version: &'static str,
    title: String,
    author_name: String,
    author_url: Option<String>,
    provider_name: String,
    provider_url: String,
    cache_age: u32,
    width: u32,
    height: u32,
    html: String,
}

const WIDTH: u32 = 600;
const HEIGHT: u32 = 480;

/// A positive size limit, or a 400 naming the parameter.
fn limit(field: &str, value: Option<&str>) -> Result<Option<u32>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(ApiError::bad_request(format!(
                "query parameter `{field}`: expected a positive number of pixels, got {v:?}"
            ))
            .with_field(field)),
        },
    }
}

pub(crate) async fn oembed(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<OembedQuery>,
) -> Result<Response, ApiError> {
    match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => {}
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                "format_not_implemented",
                "Format not implemented",
                format!("only format=json is served, not {other:?}"),
            )
            .with_field("format"));
        }
    }
    let maxwidth = limit("maxwidth", q.maxwidth.as_deref())?;
    let maxheight = limit("maxheight", q.maxheight.as_deref())?;
    let Some(url) = q.url.filter(|u| !u.trim().is_empty()) else {
        return Err(ApiError::bad_request(
            "query parameter `url`: the address of the Parvis page to embed is required",
        )
        .with_field("url"));
    };
    let base = public_base(&st);
    let target = match resolve_url(&base, &url) {
        Resolved::Embeddable(t) => t,
        Resolved::Private => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "private",
                "Private page",
                "this page is visible only to its member or to administrators; it cannot be embedded",
            )
            .with_field("url"));
        }
        Resolved::Unknown => {
            return Err(ApiError::not_found(
                "this address is not an embeddable page of this Parvis (a thread, a topic or an opinion map)",
            )
            .with_field("url"));
        }
    };
    let card = st.services.embed_card(&target).await.map_err(|e| match e {
        ServiceError::NotFound(what) => {
            ApiError::not_found(format!("{what} does not exist")).with_field("url")
        }
        other => ApiError::from(other),
    })?;
    let width = maxwidth.map_or(WIDTH, |m| m.min(WIDTH));
    let height = maxheight.map_or(HEIGHT, |m| m.min(HEIGHT));
    let page_url = format!("{base}{}", card.page_path);
    let frame_url = format!("{base}{}", target.frame_path());
    let html = format!(
        r#"<blockquote><a href="{page}">{title}</a></blockquote><iframe src="{frame}" width="{width}" height="{height}" frameborder="0" marginwidth="0" marginheight="0" scrolling="no" title="{title}"></iframe>"#,
        page = esc(&page_url),
        frame = esc(&frame_url),
        title = esc(&card.title),
    );
    let body = Oembed {
        type_: "rich",
        version: "1.0",
        title: card.title,
        author_name: card.author_name,
        author_url: card.author_path.map(|p| format!("{base}{p}")),
        provider_name: st.config.site_name.clone(),
        provider_url: format!("{base}/"),
        cache_age: 3600,
        width,
        height,
        html,
    };
    let mut res = Json(body).into_response();
    // Consumers fetch from their servers; a browser-side one (a preview) may read it too.
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(res)
}

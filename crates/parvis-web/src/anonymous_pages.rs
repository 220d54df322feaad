//! Pages as an anonymous visitor sees them, kept in memory while the store's content does not
//! change.
//!
//! Why: most readers of a community's pages are not signed in (visitors, search engines, links
//! shared elsewhere), and for them a page depends only on its address, their language and the
//! store's content; drawing it again for each of them was 250 µs of CPU a space page, most of
//! it in the template engine, for the same bytes. A kept page is exact, not merely fresh enough:
//! it is served only while `parvis_meta.content_version` is the one it was drawn at, and that
//! version is read from the store on every request, so instances sharing a store (each with
//! its own copy) never serve a page older than the last write any of them made. The store's
//! triggers move the version with every change a listed page shows (schema version 34).
//!
//! What a page shows may also depend on the clock (a debate session moves from "upcoming" to
//! "past" when it ends): such a page is kept with the moment it stops being true.
//!
//! Signed-in members are never served a kept page (their pages carry their name, their CSRF
//! token, their forms). The per-visitor parts of an anonymous answer (a new CSRF cookie) are
//! headers, added to each answer. The copies are kept by the services
//! (`Services::anonymous_pages`, 4 MB at most), which forget them after an erasure.

use crate::AppState;
use crate::context::Ctx;
use crate::error::PageError;
use crate::pages::{PageResult, draw, page_answer};
use axum::http::StatusCode;
use bytes::Bytes;
use minijinja::Value;
use parvis_domain::{Millis, now_millis};
use std::future::Future;

/// Page `template` for a signed-in member, drawn for them from what `read` finds; for an
/// anonymous visitor, the page kept for everyone at the store's current content, or else
/// drawn and kept. `read` gives the template's values and the moment the page stops being
/// true whatever the store does (`None`: never).
pub(crate) async fn kept_or_drawn<Fut>(
    st: &AppState,
    ctx: &Ctx,
    template: &str,
    read: impl FnOnce() -> Fut,
) -> PageResult
where
    Fut: Future<Output = Result<(Value, Option<Millis>), PageError>>,
{
    // Read before the page: a page drawn after it shows at least every write it counts. If
    // it cannot be read, the page is drawn and not kept.
    let version = match ctx.actor {
        Some(_) => None,
        None => st.services.store().current_content_version().await.ok(),
    };
    let key = (ctx.lang, ctx.path.clone());
    if let Some(html) =
        version.and_then(|v| st.services.anonymous_pages().get(&key, v, now_millis()))
    {
        return Ok(page_answer(ctx, StatusCode::OK, html));
    }
    let (extra, until) = read().await?;
    let html = Bytes::from(draw(st, ctx, template, extra, StatusCode::OK)?);
    if let Some(v) = version {
        st.services
            .anonymous_pages()
            .keep(key, v, until, html.clone());
    }
    Ok(page_answer(ctx, StatusCode::OK, html))
}

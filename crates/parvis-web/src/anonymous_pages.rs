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
//! headers, added to each answer.

use crate::AppState;
use crate::context::Ctx;
use crate::error::PageError;
use crate::pages::{PageResult, draw, page_answer};
use axum::http::StatusCode;
use bytes::Bytes;
use minijinja::Value;
use parvis_domain::{Lang, Millis, now_millis};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

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
    if let Some(html) =
        version.and_then(|v| st.anonymous_pages.get(ctx.lang, &ctx.path, v, now_millis()))
    {
        return Ok(page_answer(ctx, StatusCode::OK, html));
    }
    let (extra, until) = read().await?;
    let html = Bytes::from(draw(st, ctx, template, extra, StatusCode::OK)?);
    if let Some(v) = version {
        st.anonymous_pages
            .keep(ctx.lang, &ctx.path, v, until, html.clone());
    }
    Ok(page_answer(ctx, StatusCode::OK, html))
}

/// At most this many bytes of pages kept (a space page is about 12 kB): a crawler walking every
/// page of every space takes a few megabytes, not the server's memory.
const BUDGET_BYTES: usize = 4 << 20;

/// The pages kept, by language and address (path and query).
#[derive(Default)]
pub(crate) struct AnonymousPages {
    inner: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    pages: HashMap<(Lang, String), KeptPage>,
    bytes: usize,
}

struct KeptPage {
    /// The content version the page was drawn at.
    version: i64,
    /// When the page stops being true whatever the store does (`None`: never).
    until: Option<Millis>,
    body: Bytes,
}

impl AnonymousPages {
    /// The page kept for this address and language if it was drawn at `version` and is still
    /// true at `now`.
    pub(crate) fn get(&self, lang: Lang, path: &str, version: i64, now: Millis) -> Option<Bytes> {
        let kept = self.inner.lock().ok()?;
        let page = kept.pages.get(&(lang, path.to_string()))?;
        (page.version == version && page.until.is_none_or(|u| now < u)).then(|| page.body.clone())
    }

    /// Keep `body` for this address and language, drawn at `version`; an older page is
    /// replaced, a newer one kept. Over the budget, pages of older versions go first, then
    /// all.
    pub(crate) fn keep(
        &self,
        lang: Lang,
        path: &str,
        version: i64,
        until: Option<Millis>,
        body: Bytes,
    ) {
        if body.len() > BUDGET_BYTES / 8 {
            return;
        }
        let Ok(mut kept) = self.inner.lock() else {
            return;
        };
        let key = (lang, path.to_string());
        if kept
            .pages
            .get(&key)
            .is_some_and(|old| old.version > version)
        {
            return;
        }
        if kept.bytes + body.len() > BUDGET_BYTES {
            kept.pages.retain(|_, p| p.version >= version);
            kept.bytes = kept.pages.values().map(|p| p.body.len()).sum();
            if kept.bytes + body.len() > BUDGET_BYTES {
                kept.pages.clear();
                kept.bytes = 0;
            }
        }
        kept.bytes += body.len();
        if let Some(old) = kept.pages.insert(
            key,
            KeptPage {
                version,
                until,
                body,
            },
        ) {
            kept.bytes -= old.body.len();
        }
    }

    /// How many bytes are kept (for the tests).
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.inner.lock().map(|k| k.bytes).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n])
    }

    #[test]
    fn a_page_is_served_only_at_its_version_and_before_its_end() {
        let pages = AnonymousPages::default();
        pages.keep(Lang::Fr, "/s/a", 7, Some(1_000), page(10));
        assert_eq!(
            pages.get(Lang::Fr, "/s/a", 7, 999).map(|b| b.len()),
            Some(10)
        );
        assert!(
            pages.get(Lang::Fr, "/s/a", 8, 999).is_none(),
            "content changed"
        );
        assert!(
            pages.get(Lang::Fr, "/s/a", 7, 1_000).is_none(),
            "the page ended"
        );
        assert!(
            pages.get(Lang::En, "/s/a", 7, 999).is_none(),
            "another language"
        );
        assert!(
            pages.get(Lang::Fr, "/s/a?page=2", 7, 999).is_none(),
            "another address"
        );
    }

    #[test]
    fn a_newer_page_is_not_replaced_by_an_older_one() {
        let pages = AnonymousPages::default();
        pages.keep(Lang::Fr, "/s/a", 8, None, page(20));
        pages.keep(Lang::Fr, "/s/a", 7, None, page(10));
        assert_eq!(pages.get(Lang::Fr, "/s/a", 8, 0).map(|b| b.len()), Some(20));
        pages.keep(Lang::Fr, "/s/a", 9, None, page(30));
        assert_eq!(pages.get(Lang::Fr, "/s/a", 9, 0).map(|b| b.len()), Some(30));
        assert_eq!(
            pages.bytes(),
            30,
            "the replaced page's bytes are given back"
        );
    }

    #[test]
    fn the_budget_holds_however_many_addresses_are_asked() {
        let pages = AnonymousPages::default();
        let size = 12 * 1024;
        for i in 0..2_000 {
            pages.keep(Lang::En, &format!("/s/a?page={i}"), 1, None, page(size));
            assert!(pages.bytes() <= BUDGET_BYTES);
        }
        // The last one drawn is there.
        assert!(pages.get(Lang::En, "/s/a?page=1999", 1, 0).is_some());
        // Pages of an older version go first.
        pages.keep(Lang::En, "/s/b", 2, None, page(size));
        assert!(pages.bytes() <= BUDGET_BYTES);
        assert!(pages.get(Lang::En, "/s/b", 2, 0).is_some());
    }
}

//! The one read answered in front of the router: `GET /api/v1/threads/{id}` with no query,
//! when the thread cache already holds the page.
//!
//! Why: it is the most read answer (every visit of a thread from an app or an embed), and
//! once the page is kept, serving it is handing out ready bytes. Through the router, that
//! costs the route match, the `/api/v1` prefix stripped, the path and query extracted, and
//! each middleware's boxed future — a third of the server's own CPU per answer, measured
//! under load (BENCHMARKS.md, "Pages that read the store", 2026-12-08). Here it is a string
//! check and a hash-map read.
//!
//! What makes it safe: the answer is the very bytes the handler would send (the same cache,
//! filled by the handler on the first read and emptied by every write), with the same
//! headers (`AnswerHeaders` is what the router's layers add too). Anything else — a query
//! (`?page=`, `?ref=` of a shared link), another method, a page not kept, the cache turned
//! off — goes to the router unchanged. The thread API is public and the same for every
//! reader, so no session is looked at on either path. One difference, on purpose: these
//! answers are not traced at `debug` (the request span is the router's).

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use futures_util::future::{Either, Ready, ready};
use parvis_domain::ThreadId;
use parvis_services::Services;
use tower::Service;

/// The router, with the cached thread read answered before it.
#[derive(Clone)]
pub(crate) struct HotReads {
    services: Services,
    headers: std::sync::Arc<[(HeaderName, HeaderValue)]>,
    router: Router,
}

impl HotReads {
    pub(crate) fn new(services: Services, headers: &crate::AnswerHeaders, router: Router) -> Self {
        Self {
            services,
            headers: headers.all().cloned().collect(),
            router,
        }
    }

    /// The kept page when `req` asks for it exactly, else `None`.
    fn kept_answer(&self, req: &Request) -> Option<Response> {
        if req.method() != Method::GET || req.uri().query().is_some() {
            return None;
        }
        let id = thread_id_of(req.uri().path())?;
        let bytes = self.services.cached_thread_page(id)?;
        let mut res = Response::new(Body::from(bytes));
        let headers = res.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in self.headers.iter() {
            headers.insert(name.clone(), value.clone());
        }
        Some(res)
    }
}

/// The thread id in `/api/v1/threads/{id}`, written as the router's `i64` path parameter
/// accepts it (digits only here: a sign or anything else goes to the router, which answers
/// or refuses it as it always did).
fn thread_id_of(path: &str) -> Option<ThreadId> {
    let digits = path.strip_prefix("/api/v1/threads/")?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Empty or past `i64::MAX`: no id.
    digits.parse().ok().map(ThreadId)
}

impl Service<Request> for HotReads {
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, <Router as Service<Request>>::Future>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The router is always ready (axum's `Router` answers `Ready` here).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match self.kept_answer(&req) {
            Some(res) => Either::Left(ready(Ok(res))),
            None => Either::Right(self.router.call(req)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::thread_id_of;
    use parvis_domain::ThreadId;

    #[test]
    fn only_a_plain_thread_path_is_answered_in_front() {
        assert_eq!(thread_id_of("/api/v1/threads/31"), Some(ThreadId(31)));
        assert_eq!(thread_id_of("/api/v1/threads/0"), Some(ThreadId(0)));
        for other in [
            "/api/v1/threads/",
            "/api/v1/threads/31/messages",
            "/api/v1/threads/-1",
            "/api/v1/threads/+1",
            "/api/v1/threads/3a",
            "/api/v1/threads/99999999999999999999",
            "/api/v1/embed/threads/31",
            "/threads/31",
        ] {
            assert_eq!(thread_id_of(other), None, "{other}");
        }
    }
}

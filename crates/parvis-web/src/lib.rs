#![recursion_limit = "512"]
//! Parvis web layer: the JSON API (described by OpenAPI), the server-rendered bilingual pages
//! and their assets, all embedded in the binary.
//!
//! Design decisions:
//! - Handlers are thin: extract (the signed-in member is an extractor), call one service
//!   method, map the result to JSON or a page. No SQL and no business rule here.
//! - Pages work without JavaScript. The one small script only enhances (confirmations,
//!   copy buttons); forms post and redirect (POST/redirect/GET).
//! - `build` returns the router and `serve` runs it on a listener: the binary and the tests
//!   use the same two entry points, so tests exercise exactly what users run.
//! - Security by default: sanitized HTML (done when bodies are stored), CSRF tokens on every
//!   form and on cookie-authenticated API writes, HttpOnly SameSite cookies, a strict
//!   Content-Security-Policy, rate-limited sign-in (in the services).

mod admin;
mod anonymous_pages;
mod api;
mod assets;
mod charts;
mod client_ip;
mod content;
mod context;
mod embed;
mod error;
mod extract;
mod forms;
mod hot_reads;
mod i18n;
mod live;
mod measures;
mod openapi;
mod pages;
mod privacy;
mod sessions;

pub use client_ip::TrustedProxies;
pub use context::Ctx;
pub use error::{ApiError, PageError};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use parvis_services::Services;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Whether cookies get the `Secure` flag (true when the public URL is https).
    pub secure_cookies: bool,
    /// The instance's display name in the header.
    pub site_name: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the sign-in limits).
    pub trusted_proxies: TrustedProxies,
    /// A live room's socket from which nothing came for this long (not even the answer to
    /// our pings, sent every third of it) is closed: a phone that lost the network leaves no
    /// ghost in the room's counts and no queue growing for it.
    pub live_idle_timeout: std::time::Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            site_name: "Parvis".into(),
            trusted_proxies: TrustedProxies::default(),
            live_idle_timeout: std::time::Duration::from_secs(75),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    /// Shared: the state is cloned for every request (each `State` extractor, each
    /// middleware with state), and the settings hold strings.
    pub config: Arc<WebConfig>,
    pub(crate) templates: Arc<minijinja::Environment<'static>>,
}

/// Build the application: routes, middleware, templates.
pub fn build(services: Services, config: WebConfig) -> Router {
    let state = AppState {
        services,
        config: Arc::new(config),
        templates: Arc::new(pages::templates()),
    };
    let hsts = state.config.secure_cookies;
    let (api_router, api_doc) = api_parts();
    // Serialised once: as a `Value` tree the document held 5 MB for its 380 kB of JSON, and
    // cloning it for each request left as much again in the allocator.
    let doc =
        bytes::Bytes::from(serde_json::to_vec(&openapi::document(api_doc)).unwrap_or_default());
    let api_router = api_router
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], doc) }
            }),
        )
        // Unknown paths under /api/ answer a problem too (the pages' 404 is HTML).
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async {
                ApiError::not_found("no such API route; see /api/openapi.json for the routes")
            }),
        )
        .layer(axum::middleware::map_response(extract::problems_only));
    let app = Router::new()
        .merge(pages::routes())
        .merge(admin::routes())
        .merge(embed::admin_routes())
        .merge(privacy::page_routes())
        .merge(measures::routes())
        .merge(live::page_routes())
        .merge(sessions::page_routes())
        .merge(content::page_routes())
        .merge(api_router)
        .route("/healthz", axum::routing::get(api::healthz))
        .route("/assets/{file}", axum::routing::get(assets::serve))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024));
    let headers = AnswerHeaders::new(hsts);
    let app = with_headers(with_headers(app, &headers.every_route), &headers.no_framing)
        // Embeds are meant to be framed by other sites: merged after the no-framing layers,
        // they set their own `frame-ancestors` (see `embed`).
        .merge(with_headers(embed::routes(), &headers.every_route))
        // Share links (`?ref=`) are counted around every route, pages and API alike.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            content::track_shares,
        ))
        .layer(TraceLayer::new_for_http());
    let router = with_headers(app, &headers.https_only).with_state(state.clone());
    Router::new().fallback_service(hot_reads::HotReads::new(state.services, &headers, router))
}

/// The headers answers carry unless their handler set their own. One set for the router's
/// layers and for the answers given in front of it (`hot_reads`), so the two cannot drift
/// apart.
pub(crate) struct AnswerHeaders {
    /// On every route, embeds included.
    pub(crate) every_route: Vec<(HeaderName, HeaderValue)>,
    /// On every route but the embeds' (they are framed by other sites).
    pub(crate) no_framing: Vec<(HeaderName, HeaderValue)>,
    /// HSTS, when the instance is served over https; empty on plain http, where the header
    /// would lock a test or LAN instance out of its own address.
    pub(crate) https_only: Vec<(HeaderName, HeaderValue)>,
}

impl AnswerHeaders {
    pub(crate) fn new(hsts: bool) -> Self {
        let every_route = vec![
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ),
        ];
        let no_framing = vec![
            // img-src: no remote image, ever — posts show them as links (tracking pixels,
            // docs/PRIVACY.md).
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; \
                     script-src 'self'; object-src 'none'; base-uri 'none'; \
                     frame-ancestors 'none'; form-action 'self'",
                ),
            ),
            (
                HeaderName::from_static("x-frame-options"),
                HeaderValue::from_static("DENY"),
            ),
        ];
        let https_only = hsts
            .then(|| {
                (
                    header::STRICT_TRANSPORT_SECURITY,
                    HeaderValue::from_static("max-age=31536000"),
                )
            })
            .into_iter()
            .collect();
        Self {
            every_route,
            no_framing,
            https_only,
        }
    }

    /// Every header a route other than the embeds' adds, in the order its layers add them.
    pub(crate) fn all(&self) -> impl Iterator<Item = &(HeaderName, HeaderValue)> {
        self.every_route
            .iter()
            .chain(&self.no_framing)
            .chain(&self.https_only)
    }
}

/// `router` with each of `headers` added to its answers that lack it.
fn with_headers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    headers: &[(HeaderName, HeaderValue)],
) -> Router<S> {
    headers.iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name.clone(),
            value.clone(),
        ))
    })
}

/// The API's routes under `/api/v1` and the OpenAPI operations collected from them.
fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    utoipa_axum::router::OpenApiRouter::new()
        .nest(
            "/api/v1",
            api::routes()
                .merge(privacy::api_routes())
                .merge(measures::api::routes())
                .merge(live::api_routes())
                .merge(embed::api_routes())
                .merge(sessions::api_routes())
                .merge(content::api_routes()),
        )
        .split_for_parts()
}

/// The OpenAPI document, as `/api/openapi.json` serves it.
pub fn api_document() -> serde_json::Value {
    openapi::document(api_parts().1)
}

/// Serve `app` on `listener` until `shutdown` resolves, then finish in-flight requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Answers go out whole at once: without TCP_NODELAY the kernel holds the last partial
    // segment of a large answer (a 72 kB thread is two segments on loopback) until the
    // client acknowledges the first — an extra round trip per answer on a kept-alive
    // connection. nginx sets it too (`tcp_nodelay on`, its default).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

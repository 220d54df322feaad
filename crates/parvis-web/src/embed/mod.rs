//! Embeds: Parvis conversations shown on other sites.
//!
//! - `/oembed` answers oEmbed 1.0 consumers (WordPress and others): a `<blockquote>` linking to
//!   the page, then an `<iframe>` on `/embed/{key}`.
//! - `/embed/{key}` is the iframe's page: a read-mostly card, no cookie read or set, no
//!   storage, so it works in a sandbox with an opaque origin. It speaks WordPress's
//!   postMessage protocol (`height`, `link`, with the `#?secret=` the host put in its URL),
//!   which the two-line snippet's loader (`/assets/embed.js`) speaks too.
//!
//! Why an iframe rather than Shadow DOM: isolation holds both ways for styles *and* scripts —
//! a host's `* { … !important }` or a global `font-size` cannot reach into a frame, while
//! they do pierce a shadow root through inheritance; the host's CSP governs only the frame's
//! address (`frame-src`), not our scripts and styles; and the card runs with our own CSP.
//! The cost — no third-party cookies in the frame — is what makes it safe in a sandbox.

mod admin;
mod admin_posting;
mod data;
mod frame;
mod moderation;
mod oembed;
mod posting;
mod survey;
mod track;
mod voting;

use crate::AppState;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::routing::get;
use parvis_domain::Lang;

/// The embed routes. They carry their own framing headers (any ancestor may frame the card,
/// unless the space restricts it), so `lib.rs` merges them outside the site-wide
/// `frame-ancestors 'none'` / `X-Frame-Options: DENY` layers.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/oembed", get(oembed::oembed))
        .route("/embed/{*key}", get(frame::frame))
        .route("/embed/e", axum::routing::post(track::beacon))
        .route("/embed/c.gif", get(track::pixel))
        .route("/r/{click_id}", get(track::click))
}

/// The embeds' API routes (under `/api/v1`).
pub(crate) fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(track::report_conversion))
        .routes(utoipa_axum::routes!(admin::api_get, admin::api_put))
        .routes(utoipa_axum::routes!(admin::api_funnel))
        .routes(utoipa_axum::routes!(data::thread))
        .routes(utoipa_axum::routes!(posting::start))
        .routes(utoipa_axum::routes!(posting::poll))
        .routes(utoipa_axum::routes!(posting::post))
        .routes(utoipa_axum::routes!(posting::held))
        .routes(utoipa_axum::routes!(posting::react))
        .routes(utoipa_axum::routes!(posting::submit_entry))
        .routes(utoipa_axum::routes!(posting::my_reactions))
        .routes(utoipa_axum::routes!(survey::answer))
        .routes(utoipa_axum::routes!(
            voting::vote_entry,
            voting::withdraw_entry_vote
        ))
        .routes(utoipa_axum::routes!(voting::my_entry_votes))
        .routes(utoipa_axum::routes!(voting::next_statement))
        .routes(utoipa_axum::routes!(voting::vote_statement))
        .routes(utoipa_axum::routes!(moderation::api_queue))
        .routes(utoipa_axum::routes!(moderation::api_decide))
        .routes(utoipa_axum::routes!(posting::sso))
        .routes(utoipa_axum::routes!(
            admin_posting::api_get,
            admin_posting::api_put
        ))
        .routes(utoipa_axum::routes!(
            admin_posting::sso_list,
            admin_posting::sso_add
        ))
        .routes(utoipa_axum::routes!(admin_posting::sso_delete))
}

/// The templates of taking part from a widget (chained into `pages::templates`).
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "moderation.html",
        include_str!("../../templates/moderation.html"),
    ),
    (
        "widget_confirm.html",
        include_str!("../../templates/widget_confirm.html"),
    ),
];

/// The admin pages of embeds: ordinary pages, never framable (merged with the site's pages).
pub(crate) fn admin_routes() -> Router<AppState> {
    use axum::routing::post;
    Router::new()
        .route(
            "/admin/spaces/{space}/embeds",
            get(admin::page).post(admin::save),
        )
        .route("/admin/spaces/{space}/embeds.csv", get(admin::csv))
        .route("/admin/spaces/{space}/embeds/rotate", post(admin::rotate))
        .route(
            "/admin/spaces/{space}/embeds/webhooks",
            post(admin::add_webhook),
        )
        .route(
            "/admin/spaces/{space}/embeds/webhooks/{id}/delete",
            post(admin::delete_webhook),
        )
        .route(
            "/admin/spaces/{space}/embeds/deliveries/{id}/replay",
            post(admin::replay),
        )
        .route(
            "/admin/spaces/{space}/embeds/posting",
            post(admin_posting::save),
        )
        .route(
            "/admin/spaces/{space}/embeds/sso",
            post(admin_posting::sso_add_form),
        )
        .route(
            "/admin/spaces/{space}/embeds/sso/{kid}/delete",
            post(admin_posting::sso_delete_form),
        )
        .route("/s/{space}/moderation", get(moderation::page))
        .route("/s/{space}/moderation/{id}", post(moderation::decide))
        .route(
            "/s/{space}/moderation/live/{room}/{question}",
            post(moderation::decide_live),
        )
        .route(
            "/auth/widget/{link}",
            get(moderation::confirm_page).post(moderation::confirm),
        )
}

/// The oEmbed discovery URL for a page of this instance, when the page can be embedded
/// (for the `<link rel="alternate">` in the page's head).
pub(crate) fn discovery_url(st: &AppState, path: &str) -> Option<String> {
    use parvis_services::embeds::{EmbedTarget, Resolved};
    let Resolved::Embeddable(target) = EmbedTarget::resolve_path(path) else {
        return None;
    };
    if path.starts_with("/embed/") {
        return None;
    }
    let base = public_base(st);
    let page = format!("{base}{}", target.page_path());
    Some(format!(
        "{base}/oembed?format=json&url={}",
        percent_encoding::utf8_percent_encode(&page, URL_PARAM)
    ))
}

/// What the Embed box of an embeddable page shows: the key, this instance's URL (for the
/// snippet) and the preview's path.
pub(crate) fn snippet(st: &AppState, path: &str) -> Option<minijinja::Value> {
    use parvis_services::embeds::{EmbedTarget, Resolved};
    match EmbedTarget::resolve_path(path) {
        Resolved::Embeddable(t) if !path.starts_with("/embed/") => Some(minijinja::context! {
            key => t.key(),
            base => public_base(st),
            frame => t.frame_path(),
        }),
        _ => None,
    }
}

/// What a URL parameter must escape: all but RFC 3986's unreserved characters.
pub(crate) const URL_PARAM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// This instance's public URL, without a trailing slash.
pub(crate) fn public_base(st: &AppState) -> String {
    st.services
        .config()
        .public_url
        .trim_end_matches('/')
        .to_string()
}

/// The card's language: `?lang=` from the snippet (the host page's `<html lang>`), else the
/// browser's `Accept-Language`. Never a cookie: the frame has none.
pub(crate) fn frame_lang(asked: Option<&str>, headers: &HeaderMap) -> Lang {
    asked
        .and_then(|l| Lang::from_code(l.get(..2).unwrap_or(l)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::negotiate)
        })
        .unwrap_or_default()
}

/// The content security policy of an embed answer: the site's strict policy, but framable
/// by `ancestors`.
pub(crate) fn frame_csp(ancestors: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("frame-ancestors 'none'"))
}

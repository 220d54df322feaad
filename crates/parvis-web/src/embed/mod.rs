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

mod frame;
mod oembed;

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
const URL_PARAM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
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

/// Strings of the embed pages (key, français, English), chained into `i18n::table`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("embed", "Intégrer", "Embed"),
    (
        "embed_intro",
        "Copiez ces deux lignes dans une page de votre site : la conversation s'y affichera, à jour.",
        "Paste these two lines into a page of your site: the conversation shows there, always up to date.",
    ),
    (
        "embed_oembed_hint",
        "WordPress et les autres consommateurs oEmbed : collez simplement l'adresse de cette page.",
        "WordPress and other oEmbed consumers: just paste this page's address.",
    ),
    ("embed_preview", "Aperçu", "Preview"),
    ("embed_copy", "Copier", "Copy"),
    ("embed_copied", "Copié", "Copied"),
    ("embed_snippet", "Code à intégrer", "Code to embed"),
    (
        "embed_read_all",
        "Lire toute la discussion",
        "Read the whole thread",
    ),
    ("embed_open_topic", "Ouvrir le sujet", "Open the topic"),
    (
        "embed_open_map",
        "Voir la carte des opinions",
        "See the opinion map",
    ),
    ("embed_join", "Participer sur", "Join in on"),
    ("embed_more_messages", "Messages suivants", "Next messages"),
    (
        "embed_prev_messages",
        "Messages précédents",
        "Previous messages",
    ),
    (
        "embed_empty_topic",
        "Aucune discussion dans ce sujet pour l'instant.",
        "No thread in this topic yet.",
    ),
    ("embed_map_alt", "Carte des opinions", "Opinion map"),
    ("embed_conversation", "Conversation", "Conversation"),
    (
        "embed_missing",
        "Cette conversation n'existe pas, ou plus.",
        "This conversation does not exist, or no longer does.",
    ),
    (
        "embed_unavailable",
        "La conversation est momentanément indisponible. Réessayez dans un instant.",
        "The conversation is unavailable for a moment. Try again shortly.",
    ),
    ("embed_in_reply_to", "en réponse à", "in reply to"),
    (
        "embed_not_allowed",
        "Cette conversation ne peut pas être affichée sur ce site. Vous pouvez la lire sur",
        "This conversation cannot be shown on this site. You can read it on",
    ),
];

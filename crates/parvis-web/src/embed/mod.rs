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
mod strings;
mod track;

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

/// The strings of taking part from a widget (chained into `i18n::table`).
pub(crate) use strings::STRINGS as POSTING_STRINGS;

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

/// Strings of the embed pages (key, français, English), chained into `i18n::table`.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("embed", "Intégrer", "Embed"),
    ("embed_admin", "Intégrations", "Embeds"),
    (
        "embed_admin_intro",
        "Où les conversations de cet espace peuvent s'afficher, l'appel à l'action qu'elles portent, et ce qu'elles rapportent.",
        "Where this space's conversations may be shown, the call to action they carry, and what they bring.",
    ),
    (
        "embed_settings",
        "Sites et appel à l'action",
        "Sites and call to action",
    ),
    ("embed_origins", "Sites autorisés", "Allowed sites"),
    (
        "embed_origins_hint",
        "Une origine par ligne (https://www.exemple.fr). Vide : partout.",
        "One origin per line (https://www.example.org). Empty: anywhere.",
    ),
    (
        "embed_cta_label",
        "Libellé de l'appel à l'action",
        "Call-to-action label",
    ),
    (
        "embed_cta_url",
        "Adresse de l'appel à l'action",
        "Call-to-action address",
    ),
    (
        "embed_cta_hint",
        "Par défaut pour toutes les intégrations de l'espace. Le clic passe par Parvis, qui ajoute parvis_click=… à l'adresse.",
        "The default for every embed of the space. The click goes through Parvis, which appends parvis_click=… to the address.",
    ),
    (
        "embed_cta_one",
        "Appel à l'action d'une intégration",
        "Call to action of one embed",
    ),
    ("embed_key", "Intégration", "Embed"),
    (
        "embed_cta_one_hint",
        "Libellé vide : l'intégration reprend l'appel à l'action de l'espace.",
        "Empty label: the embed goes back to the space's call to action.",
    ),
    (
        "embed_secret",
        "Secret de signature des conversions",
        "Conversion signing secret",
    ),
    (
        "embed_secret_hint",
        "Votre serveur signe chaque conversion avec ce secret (HMAC-SHA256). Le pixel, lui, n'est pas signé : il ne compte qu'un clic connu de moins de 30 jours, une fois par transaction.",
        "Your server signs each conversion with this secret (HMAC-SHA256). The pixel is not signed: it only counts a known click under 30 days old, once per transaction.",
    ),
    (
        "embed_secret_none",
        "Aucun secret encore : enregistrez les réglages ci-dessus pour en créer un.",
        "No secret yet: save the settings above to create one.",
    ),
    ("embed_rotate", "Changer de secret", "Rotate the secret"),
    (
        "embed_rotate_confirm",
        "Créer un nouveau secret ? L'ancien reste accepté jusqu'au prochain changement.",
        "Create a new secret? The old one stays accepted until the next rotation.",
    ),
    ("embed_funnel", "Entonnoir", "Funnel"),
    ("embed_from", "Du", "From"),
    ("embed_to", "au", "to"),
    ("embed_show", "Afficher", "Show"),
    ("embed_csv", "Exporter en CSV", "Export as CSV"),
    ("embed_host", "Page hôte", "Host page"),
    ("embed_impressions", "Affichages", "Impressions"),
    ("embed_engagements", "Lectures complètes", "Engagements"),
    ("embed_clicks", "Clics", "Clicks"),
    ("embed_conversions", "Conversions", "Conversions"),
    ("embed_visitors", "Visiteurs", "Visitors"),
    ("embed_value", "Valeur", "Value"),
    ("embed_total", "Total", "Total"),
    (
        "embed_no_data",
        "Rien sur cette période.",
        "Nothing over this period.",
    ),
    (
        "embed_counting_hint",
        "Sans cookie : un visiteur est une empreinte du jour (sel quotidien, adresse IP, navigateur, site hôte), jamais son adresse ; le signal « ne pas me pister » (DNT) du navigateur est respecté. Affichages et lectures : visiteurs distincts par jour.",
        "Without cookies: a visitor is a daily fingerprint (daily salt, IP address, browser, host site), never their address; Do Not Track is honoured. Impressions and engagements: distinct visitors per day.",
    ),
    ("webhooks", "Webhooks signés", "Signed webhooks"),
    (
        "webhooks_hint",
        "Parvis prévient vos systèmes des nouveaux messages, inscriptions et conversions, signés comme Standard Webhooks le définit (webhook-id, webhook-timestamp, webhook-signature), et réessaie en cas d'échec.",
        "Parvis tells your systems about new messages, registrations and conversions, signed as Standard Webhooks defines (webhook-id, webhook-timestamp, webhook-signature), and retries on failure.",
    ),
    ("webhooks_none", "Aucun point de réception.", "No endpoint."),
    ("webhook_url", "Adresse de réception", "Endpoint address"),
    ("webhook_events", "Événements", "Events"),
    ("webhook_add", "Ajouter", "Add"),
    ("webhook_delete", "Supprimer", "Delete"),
    (
        "webhook_delete_confirm",
        "Supprimer ce point de réception et son journal ?",
        "Delete this endpoint and its log?",
    ),
    (
        "webhook_secret_once",
        "Secret du nouveau point de réception — copiez-le maintenant, il ne sera plus affiché :",
        "The new endpoint's secret — copy it now, it will not be shown again:",
    ),
    ("webhook_log", "Journal des envois", "Delivery log"),
    (
        "webhook_log_empty",
        "Aucun envoi pour l'instant.",
        "No delivery yet.",
    ),
    ("webhook_event", "Événement", "Event"),
    ("webhook_status", "État", "Status"),
    ("webhook_attempts", "Essais", "Attempts"),
    ("webhook_last", "Dernière réponse", "Last answer"),
    ("webhook_replay", "Renvoyer", "Send again"),
    ("webhook_pending", "En attente", "Pending"),
    ("webhook_delivered", "Remis", "Delivered"),
    ("webhook_failed", "Abandonné", "Given up"),
    (
        "err_url",
        "Indiquez une adresse complète commençant par https:// (ou http://).",
        "Enter a full address starting with https:// (or http://).",
    ),
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
    ("embed_register", "S'inscrire", "Register"),
    (
        "embed_seats_open",
        "Inscriptions ouvertes",
        "Registration open",
    ),
    (
        "embed_full",
        "Complet : liste d'attente",
        "Full: waiting list",
    ),
    ("embed_seat_left_one", "place restante", "seat left"),
    ("embed_seats_left", "places restantes", "seats left"),
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

//! What the organisation puts out into its ecosystem, pages and API together: challenges
//! (ideas, solutions, job offers) in `challenges.rs`, testimonials and interviews with their
//! consent records in `showcase.rs` (a guest's private consent page in `consent.rs`), share links and their credits in `shares.rs`, the JSON
//! API in `api.rs` (and `shares.rs`). The rules
//! live in `parvis_services::challenges`.

mod api;
mod challenges;
mod consent;
mod shares;
mod showcase;

pub(crate) use shares::{
    note_widget_share, note_widget_share_code, ref_of_page, track as track_shares,
};

use crate::AppState;
use axum::Router;

/// The templates of this area.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "challenges.html",
        include_str!("../../templates/challenges.html"),
    ),
    (
        "challenge.html",
        include_str!("../../templates/challenge.html"),
    ),
    (
        "challenge_form.html",
        include_str!("../../templates/challenge_form.html"),
    ),
    (
        "challenge_score.html",
        include_str!("../../templates/challenge_score.html"),
    ),
    (
        "challenge_scorecard.html",
        include_str!("../../templates/challenge_scorecard.html"),
    ),
    (
        "testimonials.html",
        include_str!("../../templates/testimonials.html"),
    ),
    (
        "testimonial.html",
        include_str!("../../templates/testimonial.html"),
    ),
    (
        "testimonial_consent.html",
        include_str!("../../templates/testimonial_consent.html"),
    ),
    (
        "testimonial_form.html",
        include_str!("../../templates/testimonial_form.html"),
    ),
    ("share.html", include_str!("../../templates/share.html")),
    (
        "my_shares.html",
        include_str!("../../templates/my_shares.html"),
    ),
    (
        "ambassadors.html",
        include_str!("../../templates/ambassadors.html"),
    ),
];

/// Page routes (merged at the root).
pub(crate) fn page_routes() -> Router<AppState> {
    challenges::routes()
        .merge(showcase::routes())
        .merge(consent::routes())
        .merge(shares::routes())
}

/// API routes (nested under `/api/v1`).
pub(crate) fn api_routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::routes().merge(shares::api_routes())
}

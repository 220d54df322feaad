//! Challenge pages: the list of a space's challenges, the challenge page (brief, call to
//! action, entries with votes and comments, the entry form), the admin's create/edit form,
//! the evaluators' scoring sheet, the ranked scorecard with shortlist and announcement, and
//! the exports.
//!
//! The router, the challenge and entry ids, and the notices live here; each concern has its
//! own module.

mod admin;
mod entries;
mod export;
mod pages;
mod parse;
mod scoring;

use crate::pages::fail_api;
use crate::{AppState, Ctx};
use admin::{create, edit, edit_page, new_page, set_state};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use entries::{comment, submit, vote, withdraw_vote};
use export::{export_csv, export_json};
use pages::{challenge_page, list_page};
use scoring::{announce, score, score_page, scorecard_page, shortlist};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{space}/challenges", get(list_page).post(create))
        .route("/s/{space}/challenges/new", get(new_page))
        .route("/challenges/{id}", get(challenge_page))
        .route("/challenges/{id}/edit", get(edit_page).post(edit))
        .route("/challenges/{id}/state", post(set_state))
        .route("/challenges/{id}/entries", post(submit))
        .route("/challenges/{id}/score", get(score_page))
        .route("/challenges/{id}/scorecard", get(scorecard_page))
        .route("/challenges/{id}/announce", post(announce))
        .route("/challenges/{id}/export.csv", get(export_csv))
        .route("/challenges/{id}/export.json", get(export_json))
        .route("/challenges/entries/{entry}/vote", post(vote))
        .route(
            "/challenges/entries/{entry}/vote/withdraw",
            post(withdraw_vote),
        )
        .route("/challenges/entries/{entry}/comments", post(comment))
        .route("/challenges/entries/{entry}/scores", post(score))
        .route("/challenges/entries/{entry}/shortlist", post(shortlist))
}

fn id_of(st: &AppState, ctx: &Ctx, what: &str, id: &str) -> Result<i64, crate::PageError> {
    id.parse().map_err(|_| {
        fail_api(
            st,
            ctx,
            crate::ApiError::not_found(format!("{what} {id:?}")),
        )
    })
}

/// Only the notices this area knows are shown.
const NOTICES: [&str; 11] = [
    "created",
    "saved",
    "submitted",
    "voted",
    "unvoted",
    "already_unvoted",
    "commented",
    "scored",
    "state",
    "shortlisted",
    "announced",
];

#[derive(Deserialize, Default)]
struct OkQuery {
    ok: Option<String>,
    /// The entry a notice is about, shown beside it (`already_unvoted`).
    entry: Option<String>,
}

fn notice(ok: Option<String>) -> Option<String> {
    ok.filter(|o| NOTICES.contains(&o.as_str()))
}

pub(super) fn attachment(body: Vec<u8>, content_type: &str, name: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

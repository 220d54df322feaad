//! Voting from a widget (widget token): for a challenge's entries, and on an opinion map's
//! statements. The token, the calling site and the counting in the embed funnel go as for a
//! like (`posting::react`); the rules are the page's, in the services.

use super::posting::{Seen, Widget};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parvis_services::embeds::EmbedTarget;
use parvis_services::embeds::voting::{MyEntryVotes, WidgetStatement};
use serde::Deserialize;
use utoipa::ToSchema;

/// Vote for a challenge's entry from its widget (widget token)
///
/// The challenge page's rules: while the challenge is open and before its deadline (else 422
/// naming `vote`), once per person and entry (a second vote is 409 and counts nothing), never
/// for one's own entry (403). The widget's sign-in must be for the challenge's space.
#[utoipa::path(post, path = "/embed/challenge-entries/{entry}/vote", tag = "embeds",
    params(("entry" = i64, Path, description = "entry id")),
    security(("bearer" = [])),
    responses((status = 204, description = "counted"),
        (status = 403, description = "one's own entry, another space's widget, or a site not allowed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "already voted for this entry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "votes are closed (field `vote`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "over the visitor's budget of likes, votes and answers (60 a minute); see Retry-After")))]
pub(crate) async fn vote_entry(
    State(st): State<AppState>,
    Widget(w): Widget,
    Seen(seen): Seen,
    ApiPath(entry): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let challenge = st.services.widget_vote_for_entry(&w, entry).await?;
    seen.engaged(&st, EmbedTarget::Challenge(challenge), "vote")
        .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw one's vote for a challenge's entry from its widget (widget token)
///
/// While the challenge is open, as on its page; the vote can be given again.
#[utoipa::path(delete, path = "/embed/challenge-entries/{entry}/vote", tag = "embeds",
    params(("entry" = i64, Path, description = "entry id")),
    security(("bearer" = [])),
    responses((status = 204, description = "withdrawn: no longer counted"),
        (status = 404, description = "no vote of yours for this entry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "votes are closed (field `vote`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "over the visitor's budget of likes, votes and answers (60 a minute); see Retry-After")))]
pub(crate) async fn withdraw_entry_vote(
    State(st): State<AppState>,
    Widget(w): Widget,
    ApiPath(entry): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    // Taking a vote back is not engagement, as taking a like back is not.
    st.services
        .widget_withdraw_vote_for_entry(&w, entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own votes and entries in a challenge (widget token), to show them as given
#[utoipa::path(get, path = "/embed/challenges/{id}/votes", tag = "embeds",
    params(("id" = i64, Path, description = "challenge id")),
    security(("bearer" = [])),
    responses((status = 200, description = "the entries the caller voted for, and their own", body = MyEntryVotes)))]
pub(crate) async fn my_entry_votes(
    State(st): State<AppState>,
    Widget(w): Widget,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MyEntryVotes>, ApiError> {
    Ok(Json(st.services.widget_entry_votes(&w, id).await?))
}

/// The next statement of an opinion map for the caller to vote on (widget token)
///
/// Chosen as on the topic's page: among the accepted statements the caller has not voted on,
/// the one the map needs most.
#[utoipa::path(get, path = "/embed/opinion/{space}/{topic}/next-statement", tag = "embeds",
    operation_id = "widget_next_statement",
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug")),
    security(("bearer" = [])),
    responses((status = 200, description = "a statement", body = WidgetStatement),
        (status = 204, description = "nothing left to vote on")))]
pub(crate) async fn next_statement(
    State(st): State<AppState>,
    Widget(w): Widget,
    ApiPath((space, topic)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(
        match st
            .services
            .widget_next_statement(&w, &space, &topic)
            .await?
        {
            Some(s) => Json(s).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// A vote on a statement.
#[derive(Deserialize, ToSchema)]
pub(crate) struct StatementVote {
    /// `agree`, `disagree` or `pass`.
    value: String,
}

/// Vote on an opinion map's statement from its widget (widget token)
///
/// Counted in the map as a member's vote on the topic's page; a later vote on the same
/// statement replaces the earlier one. Nobody else sees who voted what, only the map.
#[utoipa::path(post, path = "/embed/opinion/{space}/{topic}/statements/{id}/votes", tag = "embeds",
    request_body = StatementVote,
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug"),
        ("id" = i64, Path, description = "statement id")),
    security(("bearer" = [])),
    responses((status = 204, description = "counted"),
        (status = 404, description = "no such statement in this map", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`value` is not agree, disagree or pass", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "over the visitor's budget of likes, votes and answers (60 a minute); see Retry-After")))]
pub(crate) async fn vote_statement(
    State(st): State<AppState>,
    Widget(w): Widget,
    Seen(seen): Seen,
    ApiPath((space, topic, id)): ApiPath<(String, String, i64)>,
    ApiJson(b): ApiJson<StatementVote>,
) -> Result<StatusCode, ApiError> {
    st.services
        .widget_vote_statement(&w, &space, &topic, id, &b.value)
        .await?;
    seen.engaged(&st, EmbedTarget::Opinion { space, topic }, "vote")
        .await;
    Ok(StatusCode::NO_CONTENT)
}

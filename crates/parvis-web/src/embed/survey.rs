//! Answering a survey from its widget: the widget's emailed-link sign-in (or single sign-on)
//! gives a member, who answers once, as on the survey's page.

use super::posting::{Seen, Widget};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use axum::extract::State;
use axum::http::StatusCode;
use parvis_services::embeds::EmbedTarget;
use serde::Deserialize;
use utoipa::ToSchema;

/// An answer from a widget.
#[derive(Deserialize, ToSchema)]
pub(crate) struct WidgetAnswer {
    /// On the survey's scale: NPS/eNPS 0–10, CSAT 1–5, CES 1–7.
    score: i64,
    #[serde(default)]
    comment: String,
    /// Team or department (employee surveys; used for anonymity thresholds).
    #[serde(default)]
    group: String,
}

/// Answer a survey from its widget, once per person (widget token)
///
/// The widget's sign-in must be for the survey's space. A second answer from the same person
/// (here, on the page, or through a link mailed to their address) is 409 `already_answered`;
/// a closed survey 409 `survey_closed`; a score outside the scale is 422 naming `score`.
#[utoipa::path(post, path = "/embed/surveys/{token}/answers", tag = "embeds",
    request_body = WidgetAnswer,
    params(("token" = String, Path, description = "the survey link's token")),
    security(("bearer" = [])),
    responses((status = 201, description = "recorded"),
        (status = 409, description = "this person already answered (`already_answered`), or the survey is closed (`survey_closed`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "over the visitor's budget of likes, votes and answers (60 a minute); see Retry-After")))]
pub(crate) async fn answer(
    State(st): State<AppState>,
    Widget(w): Widget,
    Seen(seen): Seen,
    ApiPath(token): ApiPath<String>,
    ApiJson(b): ApiJson<WidgetAnswer>,
) -> Result<StatusCode, ApiError> {
    st.services
        .widget_answer_survey(&w, &token, b.score, &b.comment, &b.group)
        .await
        .map_err(crate::measures::api::answered_twice)?;
    // An answer is engagement in the embed funnel, as a post or an entry is.
    seen.engaged(&st, EmbedTarget::Survey(token), "answer")
        .await;
    Ok(StatusCode::CREATED)
}

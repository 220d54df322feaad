//! The challenges' JSON API (nested under `/api/v1`, documented by `#[utoipa::path]`).

use crate::AppState;
use crate::api::Items;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use parvis_services::challenges::{
    ChallengeExport, ChallengeInput, ChallengePage, ChallengeView, EntryInput, ScoreInput,
    Scorecard,
};
use parvis_services::testimonials::{ConsentInput, TestimonialInput, TestimonialView};
use parvis_store::EntryRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type ApiResult<T> = Result<T, ApiError>;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_challenges, create_challenge))
        .routes(routes!(get_challenge, update_challenge))
        .routes(routes!(set_state))
        .routes(routes!(submit_entry))
        .routes(routes!(vote, withdraw_vote))
        .routes(routes!(comment))
        .routes(routes!(score))
        .routes(routes!(shortlist))
        .routes(routes!(scorecard))
        .routes(routes!(announce))
        .routes(routes!(export))
        .routes(routes!(list_testimonials, create_testimonial))
        .routes(routes!(get_testimonial))
        .routes(routes!(publish_testimonial))
        .routes(routes!(testimonial_consent))
        .routes(routes!(withdrawal_link))
        .routes(routes!(export_testimonials))
}

/// A space's challenges, newest first (drafts only for moderators and admins)
#[utoipa::path(get, path = "/spaces/{space}/challenges", tag = "challenges",
    params(("space" = String, Path, description = "space slug")),
    responses((status = 200, description = "the challenges", body = Items<ChallengeView>)))]
async fn list_challenges(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
) -> ApiResult<Json<Items<ChallengeView>>> {
    let space = st.services.space(&space).await?;
    Ok(Json(Items {
        items: st
            .services
            .space_challenges(ctx.actor.as_ref(), &space)
            .await?,
    }))
}

/// Pose a challenge in a space, as a draft (moderators and admins)
#[utoipa::path(post, path = "/spaces/{space}/challenges", tag = "challenges", request_body = ChallengeInput,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "posed (draft)", body = ChallengeView)))]
async fn create_challenge(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<ChallengeInput>,
) -> ApiResult<(StatusCode, Json<ChallengeView>)> {
    let actor = ctx.actor()?;
    let space = st.services.space(&space).await?;
    let v = st.services.create_challenge(actor, &space, &b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A challenge with its entries and their comments (vote counts absent while hidden)
#[utoipa::path(get, path = "/challenges/{id}", tag = "challenges",
    params(("id" = i64, Path, description = "challenge id")),
    responses((status = 200, description = "the challenge", body = ChallengePage)))]
async fn get_challenge(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ChallengePage>> {
    Ok(Json(
        st.services.challenge_page(ctx.actor.as_ref(), id).await?,
    ))
}

/// Edit a challenge (moderators and admins; not once closed)
#[utoipa::path(put, path = "/challenges/{id}", tag = "challenges", request_body = ChallengeInput,
    params(("id" = i64, Path, description = "challenge id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "edited", body = ChallengeView)))]
async fn update_challenge(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ChallengeInput>,
) -> ApiResult<Json<ChallengeView>> {
    Ok(Json(
        st.services.update_challenge(ctx.actor()?, id, &b).await?,
    ))
}

/// The state to move a challenge to.
#[derive(Deserialize, ToSchema)]
struct StateBody {
    /// `open` (from draft) or `judging` (from open); `closed` comes by announcing.
    state: String,
}

/// Move a challenge to its next state (moderators and admins)
#[utoipa::path(post, path = "/challenges/{id}/state", tag = "challenges", request_body = StateBody,
    params(("id" = i64, Path, description = "challenge id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "moved", body = ChallengeView)))]
async fn set_state(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StateBody>,
) -> ApiResult<Json<ChallengeView>> {
    Ok(Json(
        st.services
            .set_challenge_state(ctx.actor()?, id, &b.state)
            .await?,
    ))
}

/// Submit an entry (members; the challenge open, before its deadline, rules accepted)
#[utoipa::path(post, path = "/challenges/{id}/entries", tag = "challenges", request_body = EntryInput,
    params(("id" = i64, Path, description = "challenge id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "submitted", body = EntryRow)))]
async fn submit_entry(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<EntryInput>,
) -> ApiResult<(StatusCode, Json<EntryRow>)> {
    let e = st.services.submit_entry(ctx.actor()?, id, &b).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// Vote for an entry (once; not one's own; while the challenge is open)
#[utoipa::path(post, path = "/challenge-entries/{entry}/vote", tag = "challenges", operation_id = "vote_for_entry",
    params(("entry" = i64, Path, description = "entry id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "counted"), (status = 409, description = "already voted")))]
async fn vote(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(entry): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    st.services.vote_for_entry(ctx.actor()?, entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw one's vote for an entry (while the challenge is open; it can be given again)
#[utoipa::path(delete, path = "/challenge-entries/{entry}/vote", tag = "challenges",
    params(("entry" = i64, Path, description = "entry id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "withdrawn: no longer counted"),
        (status = 404, description = "no vote of yours for this entry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "votes are closed (field `vote`)", body = crate::error::Problem, content_type = "application/problem+json")))]
async fn withdraw_vote(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(entry): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    st.services
        .withdraw_vote_for_entry(ctx.actor()?, entry)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A comment on an entry (Markdown).
#[derive(Deserialize, ToSchema)]
struct CommentBody {
    body: String,
}

/// The id of what was created.
#[derive(Serialize, ToSchema)]
struct Created {
    id: i64,
}

/// Comment on an entry (members; while the challenge is open or judged)
#[utoipa::path(post, path = "/challenge-entries/{entry}/comments", tag = "challenges", request_body = CommentBody,
    params(("entry" = i64, Path, description = "entry id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "posted", body = Created)))]
async fn comment(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(entry): ApiPath<i64>,
    ApiJson(b): ApiJson<CommentBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = st
        .services
        .comment_entry(ctx.actor()?, entry, &b.body)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// An evaluator's scores of an entry.
#[derive(Deserialize, ToSchema)]
struct ScoresBody {
    /// One score per criterion (0 to the challenge's scale); a new score replaces the old.
    scores: Vec<ScoreInput>,
}

/// Score an entry (the challenge's evaluators)
#[utoipa::path(put, path = "/challenge-entries/{entry}/scores", tag = "challenges", request_body = ScoresBody,
    params(("entry" = i64, Path, description = "entry id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "recorded")))]
async fn score(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(entry): ApiPath<i64>,
    ApiJson(b): ApiJson<ScoresBody>,
) -> ApiResult<StatusCode> {
    st.services
        .score_entry(ctx.actor()?, entry, &b.scores)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// On the shortlist or off it.
#[derive(Deserialize, ToSchema)]
struct ShortlistBody {
    shortlisted: bool,
}

/// Shortlist an entry or take it off (moderators and admins)
#[utoipa::path(put, path = "/challenge-entries/{entry}/shortlist", tag = "challenges", request_body = ShortlistBody,
    params(("entry" = i64, Path, description = "entry id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the entry", body = EntryRow)))]
async fn shortlist(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(entry): ApiPath<i64>,
    ApiJson(b): ApiJson<ShortlistBody>,
) -> ApiResult<Json<EntryRow>> {
    Ok(Json(
        st.services
            .shortlist_entry(ctx.actor()?, entry, b.shortlisted)
            .await?,
    ))
}

/// The ranked scorecard (moderators and admins)
#[utoipa::path(get, path = "/challenges/{id}/scorecard", tag = "challenges",
    params(("id" = i64, Path, description = "challenge id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "entries ranked by weighted score", body = Scorecard)))]
async fn scorecard(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Scorecard>> {
    Ok(Json(st.services.scorecard(ctx.actor()?, id).await?))
}

/// The winning entries.
#[derive(Deserialize, ToSchema)]
struct AnnounceBody {
    winners: Vec<i64>,
}

/// Announce the winners: the challenge closes and every entrant is mailed (moderators and admins)
#[utoipa::path(post, path = "/challenges/{id}/announce", tag = "challenges", request_body = AnnounceBody,
    params(("id" = i64, Path, description = "challenge id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "announced", body = ChallengeView)))]
async fn announce(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AnnounceBody>,
) -> ApiResult<Json<ChallengeView>> {
    Ok(Json(
        st.services
            .announce_winners(ctx.actor()?, id, &b.winners)
            .await?,
    ))
}

/// Everything about a challenge, entries ranked with scores and comments (moderators and
/// admins; CSV at `/challenges/{id}/export.csv`)
#[utoipa::path(get, path = "/challenges/{id}/export", tag = "challenges",
    params(("id" = i64, Path, description = "challenge id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the export", body = ChallengeExport)))]
async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ChallengeExport>> {
    Ok(Json(st.services.challenge_export(ctx.actor()?, id).await?))
}

/// A space's testimonials and interviews the caller may see (visitors: published with
/// public consent; members: internal too; moderators: all, withdrawn ones without content)
#[utoipa::path(get, path = "/spaces/{space}/testimonials", tag = "testimonials",
    params(("space" = String, Path, description = "space slug")),
    responses((status = 200, description = "what the consents allow", body = Items<TestimonialView>)))]
async fn list_testimonials(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
) -> ApiResult<Json<Items<TestimonialView>>> {
    let space = st.services.space(&space).await?;
    Ok(Json(Items {
        items: st
            .services
            .space_testimonials(ctx.actor.as_ref(), &space)
            .await?,
    }))
}

/// Record a testimonial or interview with the person's consent (moderators and admins)
#[utoipa::path(post, path = "/spaces/{space}/testimonials", tag = "testimonials", request_body = TestimonialInput,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "recorded", body = TestimonialView)))]
async fn create_testimonial(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<TestimonialInput>,
) -> ApiResult<(StatusCode, Json<TestimonialView>)> {
    let actor = ctx.actor()?;
    let space = st.services.space(&space).await?;
    let v = st.services.create_testimonial(actor, &space, &b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A testimonial or interview, as far as its consent allows (404 when nothing may be shown)
#[utoipa::path(get, path = "/testimonials/{id}", tag = "testimonials",
    params(("id" = i64, Path, description = "testimonial id")),
    responses((status = 200, description = "the testimonial", body = TestimonialView)))]
async fn get_testimonial(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TestimonialView>> {
    Ok(Json(
        st.services.testimonial_view(ctx.actor.as_ref(), id).await?,
    ))
}

/// Publish (moderators and admins; refused once consent is withdrawn)
#[utoipa::path(post, path = "/testimonials/{id}/publish", tag = "testimonials",
    params(("id" = i64, Path, description = "testimonial id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "published", body = TestimonialView)))]
async fn publish_testimonial(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TestimonialView>> {
    Ok(Json(
        st.services.publish_testimonial(ctx.actor()?, id).await?,
    ))
}

/// Record a new consent or a withdrawal (the person, moderators, admins); earlier records stay
#[utoipa::path(post, path = "/testimonials/{id}/consent", tag = "testimonials", request_body = ConsentInput,
    params(("id" = i64, Path, description = "testimonial id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "recorded", body = TestimonialView)))]
async fn testimonial_consent(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ConsentInput>,
) -> ApiResult<Json<TestimonialView>> {
    Ok(Json(
        st.services
            .set_testimonial_consent(ctx.actor()?, id, &b)
            .await?,
    ))
}

/// What a new withdrawal link is sent to.
#[derive(Debug, Deserialize, ToSchema)]
struct LinkInput {
    /// The guest's email address, to mail them the link (optional; not kept).
    #[serde(default)]
    email: Option<String>,
}

/// A new private withdrawal link for a guest's testimonial or interview (moderators and
/// admins): returned this once and mailed when `email` is given; the earlier link stops
/// working. The guest opens it, sees what they agreed to, and confirms to withdraw.
#[utoipa::path(post, path = "/testimonials/{id}/withdrawal-link", tag = "testimonials", request_body = LinkInput,
    params(("id" = i64, Path, description = "testimonial id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "the new link", body = parvis_services::testimonial_links::WithdrawalLink)))]
async fn withdrawal_link(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LinkInput>,
) -> ApiResult<(
    StatusCode,
    Json<parvis_services::testimonial_links::WithdrawalLink>,
)> {
    let link = st
        .services
        .issue_withdrawal_link(ctx.actor()?, id, b.email.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(link)))
}

/// Every testimonial of a space with its consent records (moderators and admins; withdrawn
/// ones without content; CSV at `/s/{space}/testimonials/export.csv`)
#[utoipa::path(get, path = "/spaces/{space}/testimonials/export", tag = "testimonials",
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the export", body = Items<TestimonialView>)))]
async fn export_testimonials(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
) -> ApiResult<Json<Items<TestimonialView>>> {
    let space = st.services.space(&space).await?;
    Ok(Json(Items {
        items: st
            .services
            .testimonials_export(ctx.actor()?, &space)
            .await?,
    }))
}

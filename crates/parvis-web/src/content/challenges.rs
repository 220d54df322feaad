//! Challenge pages: the list of a space's challenges, the challenge page (brief, call to
//! action, entries with votes and comments, the entry form), the admin's create/edit form,
//! the evaluators' scoring sheet, the ranked scorecard with shortlist and announcement, and
//! the exports.

use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{CsrfOnly, PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_services::ServiceError;
use parvis_services::challenges::{
    ChallengeInput, ChallengeView, CriterionInput, EntryInput, KINDS, ScoreInput, challenge_csv,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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

async fn list_page(State(st): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> PageResult {
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let items = st
        .services
        .space_challenges(ctx.actor.as_ref(), &space)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "challenges.html",
        context! {
            space => Value::from_serialize(&space),
            items => Value::from_serialize(&items),
            can_manage => ctx.actor.as_ref().is_some_and(|a| a.member.site_role.can_moderate()),
        },
    )
}

/// The challenge page; `failed` is one of its forms shown again with its errors.
async fn page_view(st: &AppState, ctx: &Ctx, id: i64, ok: OkQuery, failed: Value) -> PageResult {
    let p = st
        .services
        .challenge_page(ctx.actor.as_ref(), id)
        .await
        .map_err(fail(st, ctx))?;
    // A malformed entry id only loses the notice's place, not the page.
    let ok_entry = ok.entry.and_then(|e| e.parse::<i64>().ok());
    render(
        st,
        ctx,
        "challenge.html",
        context! { p => Value::from_serialize(&p), ok => notice(ok.ok), ok_entry => ok_entry, failed => failed },
    )
}

async fn challenge_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    page_view(&st, &ctx, id, q, Value::UNDEFINED).await
}

/// The challenge form as typed (criteria one per line `Name | weight`).
#[derive(Deserialize, Serialize, Default, Clone)]
struct ChallengeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    brief: String,
    #[serde(default)]
    rules: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    award: String,
    #[serde(default)]
    cta_label: String,
    #[serde(default)]
    cta_url: String,
    #[serde(default)]
    scale_max: String,
    #[serde(default)]
    criteria: String,
    #[serde(default)]
    evaluators: String,
    #[serde(default)]
    votes_hidden: Option<String>,
}

fn number(field: &str, s: &str) -> Result<Option<i64>, ServiceError> {
    let s = s.trim().replace([' ', '\u{202f}', '\u{a0}'], "");
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        parvis_domain::ValidationError::broke(
            field,
            parvis_domain::Rule::Range,
            "expected a whole number",
        )
        .into()
    })
}

impl ChallengeForm {
    fn input(&self) -> Result<ChallengeInput, ServiceError> {
        let mut criteria = Vec::new();
        for l in self
            .criteria
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let (name, weight) = l.rsplit_once('|').unwrap_or((l, "1"));
            criteria.push(CriterionInput {
                name: name.trim().into(),
                weight: number("criteria", weight)?.unwrap_or(1),
            });
        }
        Ok(ChallengeInput {
            title: self.title.clone(),
            kind: self.kind.clone(),
            brief: self.brief.clone(),
            rules: self.rules.clone(),
            deadline: self.deadline.clone(),
            time_zone: Some(self.time_zone.clone()),
            award: self.award.clone(),
            cta_label: self.cta_label.clone(),
            cta_url: self.cta_url.clone(),
            votes_hidden: self.votes_hidden.is_some(),
            scale_max: number("scale_max", &self.scale_max)?,
            criteria,
            evaluators: self
                .evaluators
                .split([',', ' '])
                .map(|h| h.trim().trim_start_matches('@').to_string())
                .filter(|h| !h.is_empty())
                .collect(),
        })
    }

    fn from_view(v: &ChallengeView) -> Self {
        let c = &v.challenge;
        ChallengeForm {
            title: c.title.clone(),
            kind: c.kind.clone(),
            brief: c.brief_md.clone(),
            rules: c.rules.clone(),
            deadline: v.deadline_local.clone(),
            time_zone: c.time_zone.clone(),
            award: c.award.clone(),
            cta_label: c.cta_label.clone(),
            cta_url: c.cta_url.clone(),
            scale_max: c.scale_max.to_string(),
            criteria: v
                .criteria
                .iter()
                .map(|k| format!("{} | {}", k.name, k.weight))
                .collect::<Vec<_>>()
                .join("\n"),
            evaluators: v
                .evaluators
                .iter()
                .map(|m| m.handle.clone())
                .collect::<Vec<_>>()
                .join(", "),
            votes_hidden: c.votes_hidden.then(|| "1".into()),
            ..Default::default()
        }
    }
}

async fn form_view(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    challenge_id: Option<i64>,
    values: ChallengeForm,
    failed: Value,
) -> PageResult {
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    let mut values = values;
    // A new form (or one left blank) shows the space's zone, the one used when none is given.
    if values.time_zone.trim().is_empty() {
        values.time_zone = space.time_zone.clone();
    }
    render(
        st,
        ctx,
        "challenge_form.html",
        context! {
            space => Value::from_serialize(&space),
            challenge_id => challenge_id,
            values => Value::from_serialize(&values),
            kinds => KINDS.to_vec(),
            failed => failed,
        },
    )
}

async fn new_page(State(st): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> PageResult {
    ctx.actor()
        .map_err(fail(&st, &ctx))?
        .require_moderator()
        .map_err(fail(&st, &ctx))?;
    let values = ChallengeForm {
        kind: "ideas".into(),
        scale_max: parvis_services::challenges::DEFAULT_SCALE.to_string(),
        ..Default::default()
    };
    form_view(&st, &ctx, &space, None, values, Value::UNDEFINED).await
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space_slug): Path<String>,
    Form(f): Form<ChallengeForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st
        .services
        .space(&space_slug)
        .await
        .map_err(fail(&st, &ctx))?;
    let outcome = match f.input() {
        Ok(input) => st.services.create_challenge(actor, &space, &input).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(v) => Ok(see_other(&format!(
            "/challenges/{}?ok=created",
            v.challenge.id
        ))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                form_view(
                    &st,
                    &ctx,
                    &space_slug,
                    None,
                    f.clone(),
                    failed("challenge", &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn edit_page(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let v = st
        .services
        .challenge_view(ctx.actor.as_ref(), id)
        .await
        .map_err(fail(&st, &ctx))?;
    if !v.can_manage {
        return Err(fail(&st, &ctx)(ServiceError::Forbidden(
            "only moderators and admins edit a challenge".into(),
        )));
    }
    form_view(
        &st,
        &ctx,
        &v.space,
        Some(id),
        ChallengeForm::from_view(&v),
        Value::UNDEFINED,
    )
    .await
}

async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ChallengeForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let outcome = match f.input() {
        Ok(input) => st.services.update_challenge(actor, id, &input).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/challenges/{id}?ok=saved"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => {
                let v = st
                    .services
                    .challenge_view(Some(actor), id)
                    .await
                    .map_err(fail(&st, &ctx))?;
                unprocessable(
                    form_view(
                        &st,
                        &ctx,
                        &v.space,
                        Some(id),
                        f.clone(),
                        failed("challenge", &f, errors),
                    )
                    .await,
                )
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

/// A form's outcome on the challenge page: back to it with a notice, or shown again with the
/// error next to what was typed.
async fn back_to_page<T: Serialize>(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    outcome: Result<&str, ServiceError>,
    form: &str,
    values: &T,
) -> PageResult {
    match outcome {
        Ok(ok) => Ok(see_other(&format!("/challenges/{id}?ok={ok}"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => {
                let none = OkQuery::default();
                unprocessable(page_view(st, ctx, id, none, failed(form, values, errors)).await)
            }
            None => Err(fail(st, ctx)(e)),
        },
    }
}

#[derive(Deserialize, Serialize)]
struct StateForm {
    csrf: String,
    #[serde(default)]
    state: String,
}

async fn set_state(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StateForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let outcome = st
        .services
        .set_challenge_state(actor, id, &f.state)
        .await
        .map(|_| "state");
    back_to_page(&st, &ctx, id, outcome, "state", &f).await
}

#[derive(Deserialize, Serialize)]
struct EntryForm {
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    links: String,
    #[serde(default, skip_serializing)]
    accept_rules: Option<String>,
}

async fn submit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<EntryForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let input = EntryInput {
        title: f.title.clone(),
        body: f.body.clone(),
        links: f.links.lines().map(str::to_string).collect(),
        accept_rules: f.accept_rules.is_some(),
    };
    let outcome = st
        .services
        .submit_entry(actor, id, &input)
        .await
        .map(|_| "submitted");
    back_to_page(&st, &ctx, id, outcome, "entry", &f).await
}

async fn entry_challenge(st: &AppState, ctx: &Ctx, entry: i64) -> Result<i64, crate::PageError> {
    st.services
        .entry_challenge_id(entry)
        .await
        .map_err(fail(st, ctx))
}

async fn vote(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(entry): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let entry = id_of(&st, &ctx, "entry", &entry)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let id = entry_challenge(&st, &ctx, entry).await?;
    let outcome = st
        .services
        .vote_for_entry(actor, entry)
        .await
        .map(|_| "voted");
    back_to_page(&st, &ctx, id, outcome, "vote", &context! { entry => entry }).await
}

/// The vote button's other side: "Withdraw my vote" (same CSRF form).
async fn withdraw_vote(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(entry): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let entry = id_of(&st, &ctx, "entry", &entry)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let id = entry_challenge(&st, &ctx, entry).await?;
    let outcome = st
        .services
        .withdraw_vote_for_entry_if_any(actor, entry)
        .await;
    if let Ok(false) = outcome {
        // Already withdrawn (the form sent twice): done; the page says so beside the entry.
        return Ok(see_other(&format!(
            "/challenges/{id}?ok=already_unvoted&entry={entry}#entry-{entry}"
        )));
    }
    let outcome = outcome.map(|_| "unvoted");
    back_to_page(&st, &ctx, id, outcome, "vote", &context! { entry => entry }).await
}

#[derive(Deserialize, Serialize)]
struct CommentForm {
    csrf: String,
    #[serde(default)]
    body: String,
}

async fn comment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(entry): Path<String>,
    Form(f): Form<CommentForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let entry = id_of(&st, &ctx, "entry", &entry)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let id = entry_challenge(&st, &ctx, entry).await?;
    let outcome = st
        .services
        .comment_entry(actor, entry, &f.body)
        .await
        .map(|_| "commented");
    back_to_page(&st, &ctx, id, outcome, &format!("comment-{entry}"), &f).await
}

async fn score_view(st: &AppState, ctx: &Ctx, id: i64, ok: bool, failed: Value) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let s = st
        .services
        .score_sheet(actor, id)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "challenge_score.html",
        context! { s => Value::from_serialize(&s), ok => ok, failed => failed },
    )
}

async fn score_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    score_view(
        &st,
        &ctx,
        id,
        q.ok.as_deref() == Some("scored"),
        Value::UNDEFINED,
    )
    .await
}

/// The scoring form: `csrf` and one `c<criterion id>` field per criterion.
async fn score(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(entry): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    ctx.check_form_csrf(f.get("csrf").map(String::as_str).unwrap_or(""))
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let entry = id_of(&st, &ctx, "entry", &entry)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let id = entry_challenge(&st, &ctx, entry).await?;
    let mut scores = Vec::new();
    let mut outcome = Ok(());
    for (k, v) in &f {
        let Some(criterion) = k.strip_prefix('c').and_then(|c| c.parse().ok()) else {
            continue;
        };
        match number("scores", v) {
            Ok(Some(score)) => scores.push(ScoreInput {
                criterion_id: criterion,
                score,
            }),
            Ok(None) => {}
            Err(e) => outcome = Err(e),
        }
    }
    let outcome = match outcome {
        Ok(()) => st.services.score_entry(actor, entry, &scores).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/challenges/{id}/score?ok=scored#score-{entry}"
        ))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                score_view(
                    &st,
                    &ctx,
                    id,
                    false,
                    failed(&format!("score-{entry}"), &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn scorecard_view(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    ok: Option<String>,
    failed: Value,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let s = st
        .services
        .scorecard(actor, id)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "challenge_scorecard.html",
        context! { s => Value::from_serialize(&s), ok => notice(ok), failed => failed },
    )
}

async fn scorecard_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    scorecard_view(&st, &ctx, id, q.ok, Value::UNDEFINED).await
}

#[derive(Deserialize)]
struct OnQuery {
    on: Option<String>,
}

async fn shortlist(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(entry): Path<String>,
    Query(q): Query<OnQuery>,
    body: bytes::Bytes,
) -> PageResult {
    let csrf = form_values(&body, "csrf")
        .into_iter()
        .next()
        .unwrap_or_default();
    ctx.check_form_csrf(&csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let entry = id_of(&st, &ctx, "entry", &entry)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let on = q.on.as_deref() != Some("0");
    let e = st
        .services
        .shortlist_entry(actor, entry, on)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/challenges/{}/scorecard?ok=shortlisted",
        e.challenge_id
    )))
}

/// Every value of a repeated field of a URL-encoded form (`winner=1&winner=4`).
fn form_values(body: &[u8], name: &str) -> Vec<String> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

async fn announce(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: bytes::Bytes,
) -> PageResult {
    let csrf = form_values(&body, "csrf")
        .into_iter()
        .next()
        .unwrap_or_default();
    ctx.check_form_csrf(&csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let winners: Vec<i64> = form_values(&body, "winner")
        .iter()
        .filter_map(|w| w.parse().ok())
        .collect();
    match st.services.announce_winners(actor, id, &winners).await {
        Ok(_) => Ok(see_other(&format!("/challenges/{id}?ok=announced"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                scorecard_view(&st, &ctx, id, None, failed("announce", &winners, errors)).await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
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

async fn export_csv(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let x = st
        .services
        .challenge_export(actor, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(attachment(
        challenge_csv(&x).into_bytes(),
        "text/csv; charset=utf-8",
        &format!("challenge-{id}.csv"),
    ))
}

async fn export_json(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let x = st
        .services
        .challenge_export(actor, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(attachment(
        serde_json::to_vec_pretty(&x).unwrap_or_default(),
        "application/json",
        &format!("challenge-{id}.json"),
    ))
}

//! Entries: submitting one, voting and withdrawing the vote, commenting.

use super::id_of;
use super::pages::back_to_page;
use crate::pages::{CsrfOnly, PageResult, fail, fail_api, see_other};
use crate::{AppState, Ctx};
use axum::extract::{Form, Path, State};
use minijinja::context;
use parvis_services::challenges::EntryInput;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
pub(super) struct EntryForm {
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

pub(super) async fn submit(
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

pub(super) async fn entry_challenge(
    st: &AppState,
    ctx: &Ctx,
    entry: i64,
) -> Result<i64, crate::PageError> {
    st.services
        .entry_challenge_id(entry)
        .await
        .map_err(fail(st, ctx))
}

pub(super) async fn vote(
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
pub(super) async fn withdraw_vote(
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
pub(super) struct CommentForm {
    csrf: String,
    #[serde(default)]
    body: String,
}

pub(super) async fn comment(
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

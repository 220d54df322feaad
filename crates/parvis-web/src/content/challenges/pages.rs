//! The public pages: a space's list of challenges and the challenge page, which every form
//! posted from it comes back to.

use super::{OkQuery, id_of, notice};
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{PageResult, fail, render, see_other};
use crate::{AppState, Ctx};
use axum::extract::{Path, Query, State};
use minijinja::{Value, context};
use parvis_services::ServiceError;
use serde::Serialize;

pub(super) async fn list_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
) -> PageResult {
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

pub(super) async fn challenge_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    page_view(&st, &ctx, id, q, Value::UNDEFINED).await
}

/// A form's outcome on the challenge page: back to it with a notice, or shown again with the
/// error next to what was typed.
pub(super) async fn back_to_page<T: Serialize>(
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

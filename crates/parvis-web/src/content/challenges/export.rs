//! The challenge's exports, as CSV and as JSON.

use super::{attachment, id_of};
use crate::pages::{PageResult, fail};
use crate::{AppState, Ctx};
use axum::extract::{Path, State};
use parvis_services::challenges::challenge_csv;

pub(super) async fn export_csv(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
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

pub(super) async fn export_json(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
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

//! The import area's JSON API: uploading an export into a space, and the identity merges
//! it proposes (accept, reject, list, undo). The rules every API handler follows are in
//! `crate::api`.

use crate::AppState;
use crate::api::{ApiResult, Items, items};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use parvis_services::import::{ImportSummary, ProposalView};
use parvis_store::MergeInfo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This area's API routes, merged by `crate::api::routes` and served under `/api/v1`.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_upload))
        .routes(routes!(list_proposals))
        .routes(routes!(accept_proposal))
        .routes(routes!(reject_proposal))
        .routes(routes!(list_merges))
        .routes(routes!(undo_merge))
}

/// `?format=&dry_run=`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// The export's format: `mbox`, `slack`, `discourse`, `wxr`, `rss`, `jsonl`…
    format: String,
    /// Count what would be imported without writing anything.
    #[serde(default)]
    dry_run: bool,
}

/// Import an export into a space (admin)
///
/// The export is the body, streamed to disk (up to 512 MiB).
#[utoipa::path(post, path = "/spaces/{space}/imports", tag = "imports",
    params(("space" = String, Path, description = "space slug"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "what was imported", body = ImportSummary)))]
async fn import_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<Json<ImportSummary>> {
    use futures_util::StreamExt;
    let actor = ctx.actor()?;
    actor.require_admin()?;
    let format: parvis_import::Format =
        q.format.parse().map_err(|e: parvis_import::ImportError| {
            ApiError::bad_request(e.to_string()).with_field("format")
        })?;
    // The server's temporary paths stay out of every answer: the errors name `upload.FORMAT`.
    let stored = |e: std::io::Error| {
        tracing::error!(error = %e, "cannot store an import upload");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "upload_not_stored",
            "Upload not stored",
            "the server could not store the upload; try again later",
        )
    };
    let dir = tempfile::tempdir().map_err(stored)?;
    let path = dir.path().join(format!("upload.{}", format.name()));
    let mut out = tokio::fs::File::create(&path).await.map_err(stored)?;
    let mut stream = body.into_data_stream();
    let mut received = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("upload: {e}")))?;
        // A raw body has no limit of its own: count, and refuse past the import limit.
        received += chunk.len();
        if received > crate::pages::IMPORT_MAX_BYTES {
            return Err(crate::extract::payload_too_large());
        }
        tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
            .await
            .map_err(stored)?;
    }
    tokio::io::AsyncWriteExt::flush(&mut out)
        .await
        .map_err(stored)?;
    let opts = parvis_services::import::ImportOptions {
        space,
        dry_run: q.dry_run,
        hide_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let summary = st
        .services
        .import(format, vec![path], &opts, |_| {})
        .await?;
    if summary.outcome == parvis_services::import::ImportOutcome::Nothing {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_imported",
            "Nothing imported",
            format!(
                "nothing imported: {} items read, {} unreadable{}",
                summary.items_seen,
                summary.errors,
                summary
                    .error_examples
                    .first()
                    .map(|e| format!("; first: {e}"))
                    .unwrap_or_default()
            ),
        ));
    }
    Ok(Json(summary))
}

/// Open merge proposals (admin)
#[utoipa::path(get, path = "/admin/merge-proposals", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the proposals", body = Items<ProposalView>)))]
async fn list_proposals(
    State(st): State<AppState>,
    ctx: Ctx,
) -> ApiResult<Json<Items<ProposalView>>> {
    Ok(items(st.services.merge_proposals(ctx.actor()?).await?))
}

/// The merge done.
#[derive(Serialize, ToSchema)]
struct MergeDone {
    merge_id: i64,
}

/// Accept a merge proposal (admin)
#[utoipa::path(post, path = "/admin/merge-proposals/{id}/accept", tag = "admin",
    params(("id" = i64, Path, description = "proposal id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "merged", body = MergeDone)))]
async fn accept_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MergeDone>> {
    let merge_id = st.services.accept_proposal(ctx.actor()?, id).await?;
    Ok(Json(MergeDone { merge_id }))
}

/// Reject a merge proposal (admin)
#[utoipa::path(post, path = "/admin/merge-proposals/{id}/reject", tag = "admin",
    params(("id" = i64, Path, description = "proposal id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "rejected")))]
async fn reject_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    st.services.reject_proposal(ctx.actor()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Merges done, newest first (admin)
#[utoipa::path(get, path = "/admin/merges", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the merges", body = Items<MergeInfo>)))]
async fn list_merges(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<Items<MergeInfo>>> {
    ctx.actor()?.require_admin()?;
    Ok(items(
        st.services
            .store()
            .merges()
            .await
            .map_err(parvis_services::ServiceError::from)?,
    ))
}

/// Undo a merge (admin)
#[utoipa::path(post, path = "/admin/merges/{id}/undo", tag = "admin",
    params(("id" = i64, Path, description = "merge id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 204, description = "undone")))]
async fn undo_merge(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    st.services.unmerge(ctx.actor()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

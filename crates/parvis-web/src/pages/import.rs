//! Admin pages for members who come from other networks: the import form, and the identity
//! merges it proposes (accept, reject, undo).

/// This area's JSON API handlers, under `/api/v1`.
pub(crate) mod api;

use super::{CsrfOnly, ListQuery, PageResult, fail, fail_api, render, see_other};
use crate::AppState;
use crate::context::Ctx;
use crate::error::ApiError;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_domain::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/identities", get(identities_page))
        .route("/admin/proposals/{id}/accept", post(accept_proposal))
        .route("/admin/proposals/{id}/reject", post(reject_proposal))
        .route("/admin/merges/{id}/undo", post(undo_merge))
        .route(
            "/admin/import",
            get(import_page)
                .post(import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(IMPORT_MAX_BYTES)),
        )
}

/// The largest upload the import form accepts.
pub(crate) const IMPORT_MAX_BYTES: usize = 512 * 1024 * 1024;

async fn identities_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = crate::admin::admin!(st, ctx);
    let proposals = st
        .services
        .merge_proposals(actor)
        .await
        .map_err(fail(&st, &ctx))?;
    let merges = st
        .services
        .store()
        .merges()
        .await
        .map_err(|e| fail(&st, &ctx)(e.into()))?;
    let mut merge_rows = Vec::new();
    for m in merges.iter().take(50) {
        let kept = st
            .services
            .store()
            .member_by_id(m.kept_id)
            .await
            .map_err(|e| fail(&st, &ctx)(e.into()))?;
        let merged = st
            .services
            .store()
            .member_by_id(m.merged_id)
            .await
            .map_err(|e| fail(&st, &ctx)(e.into()))?;
        merge_rows.push(context! { merge => Value::from_serialize(m), kept => kept.map(|k| Value::from_serialize(&k)), merged => merged.map(|k| Value::from_serialize(&k)) });
    }
    render(
        &st,
        &ctx,
        "identities.html",
        context! { proposals => Value::from_serialize(&proposals), merges => merge_rows, ok => q.ok },
    )
}

async fn accept_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .accept_proposal(ctx.actor().map_err(fail(&st, &ctx))?, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/admin/identities?ok=merged"))
}

async fn reject_proposal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .reject_proposal(ctx.actor().map_err(fail(&st, &ctx))?, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/admin/identities?ok=rejected"))
}

async fn undo_merge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .unmerge(ctx.actor().map_err(fail(&st, &ctx))?, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/admin/identities?ok=undone"))
}

fn import_formats(lang: Lang) -> Vec<Value> {
    parvis_import::Format::all()
        .iter()
        .map(|(f, _)| context! { name => f.name(), what => crate::i18n::import_format_label(lang, *f) })
        .collect()
}

async fn import_page(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    crate::admin::admin!(st, ctx);
    let spaces = st.services.spaces().await.map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "import.html",
        context! { spaces => Value::from_serialize(&spaces), formats => import_formats(ctx.lang), summary => () },
    )
}

/// The import form: fields `csrf`, `space`, `format`, `dry_run`, then the `file` itself, which
/// is streamed to a temporary file (never held whole in memory).
async fn import_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    mut form: axum::extract::Multipart,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?.clone();
    actor.require_admin().map_err(fail(&st, &ctx))?;
    let bad = |msg: String| fail_api(&st, &ctx, ApiError::bad_request(msg));
    let (mut csrf, mut space, mut format, mut dry_run) =
        (String::new(), String::new(), String::new(), false);
    // The server's temporary paths stay out of the page.
    let stored = |e: std::io::Error| {
        tracing::error!(error = %e, "cannot store an import upload");
        bad("the server could not store the upload; try again later".into())
    };
    let dir = tempfile::tempdir().map_err(stored)?;
    let mut file_path = None;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("upload: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            ctx.check_form_csrf(&csrf)
                .map_err(|e| fail_api(&st, &ctx, e))?;
            let fname = field
                .file_name()
                .unwrap_or("upload")
                .replace(['/', '\\'], "_");
            let path = dir.path().join(if fname.is_empty() {
                "upload".to_string()
            } else {
                fname
            });
            let mut out = tokio::fs::File::create(&path).await.map_err(stored)?;
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| bad(format!("upload: {e}")))?
            {
                tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
                    .await
                    .map_err(stored)?;
            }
            file_path = Some(path);
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| bad(format!("field {name}: {e}")))?;
            match name.as_str() {
                "csrf" => csrf = text,
                "space" => space = text,
                "format" => format = text,
                "dry_run" => dry_run = !text.is_empty(),
                _ => {}
            }
        }
    }
    let path = file_path.ok_or_else(|| bad("choose a file to import".into()))?;
    let format: parvis_import::Format = format
        .parse()
        .map_err(|e: parvis_import::ImportError| bad(e.to_string()))?;
    let opts = parvis_services::import::ImportOptions {
        space,
        dry_run,
        hide_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let summary = st
        .services
        .import(format, vec![path], &opts, |_| {})
        .await
        .map_err(fail(&st, &ctx))?;
    let spaces = st.services.spaces().await.map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "import.html",
        context! { spaces => Value::from_serialize(&spaces), formats => import_formats(ctx.lang), summary => Value::from_serialize(&summary) },
    )
}

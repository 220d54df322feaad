//! A guest's private consent page, `/consent/{token}`: what they agreed to, and a Confirm
//! button that withdraws it (a POST with the CSRF token: opening the link alone, as a mail
//! scanner does, changes nothing). The rules live in `parvis_services::testimonial_links`.

use crate::pages::{CsrfOnly, PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::routing::get;
use minijinja::{Value, context};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/consent/{token}", get(page).post(withdraw))
        // The token is the page's only key: never sent on to another site, never cached.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

#[derive(Deserialize, Default)]
struct OkQuery {
    ok: Option<String>,
}

async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    let g = st
        .services
        .guest_consent(&token)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "testimonial_consent.html",
        context! {
            g => Value::from_serialize(&g),
            token => token,
            ok => q.ok.filter(|o| o == "withdrawn"),
        },
    )
}

async fn withdraw(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    st.services
        .withdraw_by_link(&token)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("/consent/{token}?ok=withdrawn")))
}

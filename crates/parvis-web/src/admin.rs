//! The admin area: spaces, topics, invitations and roles, as pages. Every page here is for
//! admins only; a visitor who is not signed in is sent to the sign-in page and brought back
//! (`next`), a signed-in member who is not an admin gets a plain "forbidden" page.

use crate::AppState;
use crate::context::Ctx;
use crate::pages::{ListQuery, PageResult, fail, fail_api, render, see_other};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_domain::*;
use parvis_services::Actor;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_page))
        .route("/admin/spaces", post(admin_space))
        .route("/admin/topics", post(admin_topic))
        .route("/admin/invite", post(admin_invite))
        .route("/admin/roles", post(admin_role))
}

/// The sign-in page, with a way back to `path` once signed in.
pub(crate) fn to_sign_in(path: &str) -> Response {
    let next = percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC);
    see_other(&format!("/signin?next={next}"))
}

/// The signed-in admin, or what to answer instead: the sign-in page for a visitor (who comes
/// back here afterwards), a "forbidden" page in their language for a member.
pub(crate) fn gate<'a>(st: &AppState, ctx: &'a Ctx) -> Result<&'a Actor, Response> {
    let Some(actor) = ctx.actor.as_ref() else {
        return Err(to_sign_in(&ctx.path));
    };
    actor
        .require_admin()
        .map_err(|e| fail(st, ctx)(e).into_response())?;
    Ok(actor)
}

/// `let actor = admin!(st, ctx);` — the admin, or return the sign-in redirect / 403 page.
macro_rules! admin {
    ($st:expr, $ctx:expr) => {
        match $crate::admin::gate(&$st, &$ctx) {
            Ok(a) => a,
            Err(res) => return Ok(res),
        }
    };
}
pub(crate) use admin;

async fn admin_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = admin!(st, ctx);
    let spaces = st.services.spaces().await.map_err(fail(&st, &ctx))?;
    let members = st
        .services
        .members(Some(actor), None, PageRequest::new(q.page, Some(50), 50))
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "admin.html",
        context! {
            spaces => Value::from_serialize(&spaces),
            members => Value::from_serialize(&members),
            has_next => members.has_next(),
            ok => q.ok,
        },
    )
}

#[derive(Deserialize)]
struct SpaceForm {
    csrf: String,
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
}

async fn admin_space(State(st): State<AppState>, ctx: Ctx, Form(f): Form<SpaceForm>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let s = st
        .services
        .create_space(
            ctx.actor().map_err(fail(&st, &ctx))?,
            &f.slug,
            &f.name,
            &f.description,
        )
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("/s/{}", s.slug)))
}

#[derive(Deserialize)]
struct TopicForm {
    csrf: String,
    space: String,
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    keywords: String,
}

async fn admin_topic(State(st): State<AppState>, ctx: Ctx, Form(f): Form<TopicForm>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&f.space).await.map_err(fail(&st, &ctx))?;
    let keywords: Vec<String> = f.keywords.split(',').map(str::to_string).collect();
    let t = st
        .services
        .create_topic(
            actor,
            &space,
            Some(&f.slug),
            &f.title,
            &f.description,
            &keywords,
        )
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("/s/{}/t/{}", space.slug, t.slug)))
}

#[derive(Deserialize)]
struct InviteForm {
    csrf: String,
    email: String,
    display_name: String,
    site_role: String,
    ecosystem_role: String,
    #[serde(default)]
    organisation: String,
}

async fn admin_invite(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<InviteForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .invite(
            actor,
            &f.email,
            &f.display_name,
            &f.site_role,
            &f.ecosystem_role,
            &f.organisation,
            ctx.lang,
        )
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/admin?ok=invited"))
}

#[derive(Deserialize)]
struct RoleForm {
    csrf: String,
    handle: String,
    role: String,
}

async fn admin_role(State(st): State<AppState>, ctx: Ctx, Form(f): Form<RoleForm>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .set_role(actor, &f.handle, &f.role)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other("/admin?ok=saved"))
}

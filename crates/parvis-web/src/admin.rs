//! The admin area: spaces, topics, invitations and roles, as pages. Every page here is for
//! admins only; a visitor who is not signed in is sent to the sign-in page and brought back
//! (`next`), a signed-in member who is not an admin gets a plain "forbidden" page.

use crate::AppState;
use crate::context::Ctx;
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{ListQuery, PageResult, fail, fail_api, render, see_other};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_domain::*;
use parvis_services::Actor;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_page))
        .route("/admin/members", get(members_page))
        .route("/admin/spaces", post(create_space))
        .route("/admin/topics", post(create_topic))
        .route("/admin/invite", post(invite))
        .route("/admin/roles", post(set_role))
        .route("/admin/staff", post(set_staff))
        .route("/admin/spaces/{space}", get(space_page).post(edit_space))
        .route("/admin/spaces/{space}/archive", post(archive_space))
        .route("/admin/spaces/{space}/delete", post(delete_space))
        .route(
            "/admin/spaces/{space}/t/{topic}",
            get(topic_page).post(edit_topic),
        )
        .route(
            "/admin/spaces/{space}/t/{topic}/archive",
            post(archive_topic),
        )
        .route("/admin/spaces/{space}/t/{topic}/delete", post(delete_topic))
}

/// The sign-in page, with a way back to `path` once signed in.
pub(crate) fn to_sign_in(path: &str) -> Response {
    let next = percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC);
    see_other(&format!("/signin?next={next}"))
}

/// The signed-in admin, or what to answer instead: the sign-in page for a visitor (who comes
/// back here afterwards), a "forbidden" page in their language for a member. The answer is
/// boxed: a response is large, the admin the common case.
pub(crate) fn gate<'a>(st: &AppState, ctx: &'a Ctx) -> Result<&'a Actor, Box<Response>> {
    let Some(actor) = ctx.actor.as_ref() else {
        return Err(Box::new(to_sign_in(&ctx.path)));
    };
    actor
        .require_admin()
        .map_err(|e| Box::new(fail(st, ctx)(e).into_response()))?;
    Ok(actor)
}

/// `let actor = admin!(st, ctx);` — the admin, or return the sign-in redirect / 403 page.
macro_rules! admin {
    ($st:expr, $ctx:expr) => {
        match $crate::admin::gate(&$st, &$ctx) {
            Ok(a) => a,
            Err(res) => return Ok(*res),
        }
    };
}
pub(crate) use admin;

// ----- the overview -----------------------------------------------------------------------

async fn admin_view(st: &AppState, ctx: &Ctx, ok: Option<String>, failed: Value) -> PageResult {
    let spaces = st.services.spaces().await.map_err(fail(st, ctx))?;
    let mut rows = Vec::new();
    for s in &spaces {
        let topics = st.services.topics(s).await.map_err(fail(st, ctx))?;
        rows.push(context! { space => Value::from_serialize(s), topics => topics.len() });
    }
    render(
        st,
        ctx,
        "admin.html",
        context! { spaces => Value::from_serialize(&spaces), rows => rows, ok => ok, failed => failed },
    )
}

async fn admin_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    admin!(st, ctx);
    admin_view(&st, &ctx, q.ok, Value::UNDEFINED).await
}

#[derive(Deserialize, Serialize)]
struct SpaceForm {
    csrf: String,
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
    /// IANA name; empty means Europe/Paris.
    #[serde(default)]
    time_zone: String,
    /// Which page the form is on (`home` or the admin page), to show it again there.
    #[serde(default)]
    back: String,
}

async fn create_space(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SpaceForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let created = st
        .services
        .create_space_in_zone(
            actor,
            &f.slug,
            &f.name,
            &f.description,
            Some(f.time_zone.trim()).filter(|z| !z.is_empty()),
        )
        .await;
    match created {
        Ok(s) => Ok(see_other(&format!("/s/{}", s.slug))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) if f.back == "home" => {
                unprocessable(crate::pages::home_view(&st, &ctx, failed("space", &f, errors)).await)
            }
            Some(errors) => {
                unprocessable(admin_view(&st, &ctx, None, failed("space", &f, errors)).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize, Serialize)]
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
    /// `space` when the form is on the space's admin page.
    #[serde(default)]
    back: String,
}

fn keyword_list(s: &str) -> Vec<String> {
    s.split(',').map(str::to_string).collect()
}

async fn create_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TopicForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&f.space).await.map_err(fail(&st, &ctx))?;
    let keywords = keyword_list(&f.keywords);
    let created = st
        .services
        .create_topic(
            actor,
            &space,
            Some(&f.slug),
            &f.title,
            &f.description,
            &keywords,
        )
        .await;
    match created {
        Ok(t) => Ok(see_other(&format!("/s/{}/t/{}", space.slug, t.slug))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) if f.back == "space" => unprocessable(
                space_view(&st, &ctx, &space, None, failed("topic", &f, errors)).await,
            ),
            Some(errors) => {
                unprocessable(admin_view(&st, &ctx, None, failed("topic", &f, errors)).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize, Serialize)]
struct InviteForm {
    csrf: String,
    email: String,
    display_name: String,
    site_role: String,
    ecosystem_role: String,
    #[serde(default)]
    organisation: String,
}

async fn invite(State(st): State<AppState>, ctx: Ctx, Form(f): Form<InviteForm>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let sent = st
        .services
        .invite(
            actor,
            &f.email,
            &f.display_name,
            &f.site_role,
            &f.ecosystem_role,
            &f.organisation,
            ctx.lang,
        )
        .await;
    match sent {
        Ok(_) => Ok(see_other("/admin?ok=invited")),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => {
                unprocessable(admin_view(&st, &ctx, None, failed("invite", &f, errors)).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

// ----- members and roles ------------------------------------------------------------------

/// Rows of the roles table per page.
const MEMBERS_PER_PAGE: u32 = 25;

async fn members_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = admin!(st, ctx);
    let query = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let members = st
        .services
        .admin_members(
            actor,
            query,
            PageRequest::new(q.page, Some(MEMBERS_PER_PAGE), MEMBERS_PER_PAGE),
        )
        .await
        .map_err(fail(&st, &ctx))?;
    let staff = st
        .services
        .marked_staff(actor)
        .await
        .map_err(fail(&st, &ctx))?;
    let ids: Vec<MemberId> = members.items.iter().map(|m| m.id).collect();
    // Members a widget or a host's single sign-on created: `embed:<host>` or `sso:<kid>`.
    let origins: BTreeMap<String, Value> = st
        .services
        .member_origins(actor, &ids)
        .await
        .map_err(fail(&st, &ctx))?
        .into_iter()
        .filter_map(|(id, origin)| {
            let (kind, value) = origin.split_once(':')?;
            Some((id.0.to_string(), context! { kind => kind, value => value }))
        })
        .collect();
    let base = match query {
        Some(q) => format!(
            "?q={}&",
            percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
        ),
        None => "?".into(),
    };
    render(
        &st,
        &ctx,
        "admin_members.html",
        context! {
            members => Value::from_serialize(&members), has_next => members.has_next(),
            q => query, base => base, ok => q.ok, me_id => actor.member.id.0, staff => staff,
            origins => origins,
        },
    )
}

#[derive(Deserialize)]
struct RoleForm {
    csrf: String,
    handle: String,
    role: String,
    /// The search and page the table was on, to come back to them.
    #[serde(default)]
    back: Option<String>,
}

async fn set_role(State(st): State<AppState>, ctx: Ctx, Form(f): Form<RoleForm>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .set_role(actor, &f.handle, &f.role)
        .await
        .map_err(fail(&st, &ctx))?;
    let back = crate::pages::safe_next(f.back.as_deref());
    let back = if back.starts_with("/admin/members") {
        back
    } else {
        "/admin/members".into()
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{back}{sep}ok=saved")))
}

#[derive(Deserialize)]
struct StaffForm {
    csrf: String,
    handle: String,
    /// `"1"` marks as staff, anything else unmarks.
    staff: String,
    #[serde(default)]
    back: Option<String>,
}

/// Mark or unmark a member as staff (the measures' "organisation's own voice").
async fn set_staff(State(st): State<AppState>, ctx: Ctx, Form(f): Form<StaffForm>) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .set_staff(actor, &f.handle, f.staff == "1")
        .await
        .map_err(fail(&st, &ctx))?;
    let back = crate::pages::safe_next(f.back.as_deref());
    let back = if back.starts_with("/admin/members") {
        back
    } else {
        "/admin/members".into()
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{back}{sep}ok=saved")))
}

// ----- one space --------------------------------------------------------------------------

async fn space_view(
    st: &AppState,
    ctx: &Ctx,
    space: &Space,
    ok: Option<String>,
    failed: Value,
) -> PageResult {
    let topics = st.services.topics(space).await.map_err(fail(st, ctx))?;
    let contents = st
        .services
        .space_contents(space)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "admin_space.html",
        context! {
            space => Value::from_serialize(space), topics => Value::from_serialize(&topics),
            contents => Value::from_serialize(contents), ok => ok, failed => failed,
        },
    )
}

async fn space_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    admin!(st, ctx);
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    space_view(&st, &ctx, &space, q.ok, Value::UNDEFINED).await
}

#[derive(Deserialize, Serialize)]
struct EditSpaceForm {
    csrf: String,
    name: String,
    #[serde(default)]
    description: String,
    /// Absent from older forms: the zone stays as it is.
    #[serde(default)]
    time_zone: Option<String>,
}

async fn edit_space(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<EditSpaceForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    match st
        .services
        .update_space(
            actor,
            &space,
            &f.name,
            &f.description,
            f.time_zone.as_deref(),
        )
        .await
    {
        Ok(s) => Ok(see_other(&format!("/admin/spaces/{}?ok=saved", s.slug))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => {
                unprocessable(space_view(&st, &ctx, &space, None, failed("edit", &f, errors)).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize)]
struct ArchiveForm {
    csrf: String,
    /// `1` to archive, `0` to bring back.
    archived: String,
}

async fn archive_space(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<ArchiveForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let archived = f.archived == "1";
    st.services
        .archive_space(actor, &space, archived)
        .await
        .map_err(fail(&st, &ctx))?;
    let ok = if archived { "archived" } else { "restored" };
    Ok(see_other(&format!("/admin/spaces/{}?ok={ok}", space.slug)))
}

#[derive(Deserialize, Serialize)]
struct DeleteForm {
    csrf: String,
    #[serde(default)]
    confirm: String,
}

async fn delete_space(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<DeleteForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    match st.services.delete_space(actor, &space, &f.confirm).await {
        Ok(()) => Ok(see_other("/admin?ok=deleted")),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                space_view(&st, &ctx, &space, None, failed("delete", &f, errors)).await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

// ----- one topic --------------------------------------------------------------------------

async fn topic_view(
    st: &AppState,
    ctx: &Ctx,
    space: &Space,
    topic: &Topic,
    ok: Option<String>,
    failed: Value,
) -> PageResult {
    let contents = st
        .services
        .topic_contents(topic)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "admin_topic.html",
        context! {
            space => Value::from_serialize(space), topic => Value::from_serialize(topic),
            keywords => topic.keywords.join(", "),
            contents => Value::from_serialize(contents), ok => ok, failed => failed,
        },
    )
}

async fn find_topic(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    topic: &str,
) -> Result<(Space, Topic), crate::PageError> {
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    let topic = st
        .services
        .topic(&space, topic)
        .await
        .map_err(fail(st, ctx))?;
    Ok((space, topic))
}

async fn topic_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    admin!(st, ctx);
    let (space, topic) = find_topic(&st, &ctx, &space, &topic).await?;
    topic_view(&st, &ctx, &space, &topic, q.ok, Value::UNDEFINED).await
}

#[derive(Deserialize, Serialize)]
struct EditTopicForm {
    csrf: String,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    keywords: String,
}

async fn edit_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    Form(f): Form<EditTopicForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let (space, topic) = find_topic(&st, &ctx, &space, &topic).await?;
    let keywords = keyword_list(&f.keywords);
    match st
        .services
        .update_topic(actor, &space, &topic, &f.title, &f.description, &keywords)
        .await
    {
        Ok(t) => Ok(see_other(&format!(
            "/admin/spaces/{}/t/{}?ok=saved",
            space.slug, t.slug
        ))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                topic_view(&st, &ctx, &space, &topic, None, failed("edit", &f, errors)).await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn archive_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    Form(f): Form<ArchiveForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let (space, topic) = find_topic(&st, &ctx, &space, &topic).await?;
    let archived = f.archived == "1";
    st.services
        .archive_topic(actor, &space, &topic, archived)
        .await
        .map_err(fail(&st, &ctx))?;
    let ok = if archived { "archived" } else { "restored" };
    Ok(see_other(&format!(
        "/admin/spaces/{}/t/{}?ok={ok}",
        space.slug, topic.slug
    )))
}

async fn delete_topic(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    Form(f): Form<DeleteForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let (space, topic) = find_topic(&st, &ctx, &space, &topic).await?;
    match st.services.delete_topic(actor, &topic, &f.confirm).await {
        Ok(()) => Ok(see_other(&format!(
            "/admin/spaces/{}?ok=deleted",
            space.slug
        ))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                topic_view(
                    &st,
                    &ctx,
                    &space,
                    &topic,
                    None,
                    failed("delete", &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

//! The pages people read and write in: home, a space and its topics, a thread, the forms that
//! start a thread or reply to one, reactions, and a space's activity charts.

/// This area's JSON API handlers, under `/api/v1`.
pub(crate) mod api;

use super::{ListQuery, PageResult, fail, fail_api, quoted, render, see_other};
use crate::AppState;
use crate::anonymous_pages::kept_or_drawn;
use crate::context::Ctx;
use crate::error::{ApiError, PageError};
use crate::forms::{failed, field_errors, unprocessable};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_domain::*;
use parvis_services::ServiceError;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/s/{space}", get(space_page))
        .route("/s/{space}/t/{topic}", get(topic_page))
        .route("/s/{space}/threads", post(new_thread))
        .route("/threads/{id}", get(thread_page))
        .route("/threads/{id}/reply", post(reply))
        .route("/messages/{id}/react", post(react))
        .route("/s/{space}/activity", get(activity_page))
}

async fn home(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    kept_or_drawn(&st, &ctx, "home.html", || async {
        Ok((home_context(&st, &ctx, Value::UNDEFINED).await?, None))
    })
    .await
}

/// The home page; `failed` is the create-a-space form shown again with its errors.
pub(crate) async fn home_view(st: &AppState, ctx: &Ctx, failed: Value) -> PageResult {
    let extra = home_context(st, ctx, failed).await?;
    render(st, ctx, "home.html", extra)
}

/// What the home page shows: the spaces, each with its topics and latest threads.
async fn home_context(st: &AppState, ctx: &Ctx, failed: Value) -> Result<Value, PageError> {
    // Archived spaces and topics leave the home page (they stay readable at their address).
    let spaces: Vec<Space> = st
        .services
        .spaces()
        .await
        .map_err(fail(st, ctx))?
        .into_iter()
        .filter(|s| s.archived_at.is_none())
        .collect();
    let mut cards = Vec::new();
    for s in &spaces {
        let mut topics = st.services.topics(s).await.map_err(fail(st, ctx))?;
        topics.retain(|t| t.archived_at.is_none());
        let recent = st
            .services
            .threads(s, None, PageRequest::new(Some(1), Some(4), 4))
            .await
            .map_err(fail(st, ctx))?;
        cards.push(context! { space => Value::from_serialize(s), topics => Value::from_serialize(&topics), recent => Value::from_serialize(&recent.items), thread_total => recent.total });
    }
    Ok(context! { cards => cards, failed => failed })
}

/// A space's page, or one of its topics', as `ctx`'s visitor sees it; `failed` is the
/// new-thread form shown again with its errors.
async fn space_view(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    topic: Option<&str>,
    page: Option<u32>,
    failed: Value,
) -> PageResult {
    let (extra, _) = space_context(st, ctx, slug, topic, page, failed).await?;
    render(st, ctx, "space.html", extra)
}

/// What the space page shows, and the moment it stops being true whatever the store does
/// (the end of the next debate session: it then moves from upcoming to past).
async fn space_context(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    topic: Option<&str>,
    page: Option<u32>,
    failed: Value,
) -> Result<(Value, Option<Millis>), PageError> {
    let parvis_store::SpacePage {
        space,
        mut topics,
        current,
        threads,
    } = st
        .services
        .space_page(slug, topic, PageRequest::new(page, None, 20))
        .await
        .map_err(fail(st, ctx))?;
    topics.retain(|t| t.archived_at.is_none() || topic == Some(t.slug.as_str()));
    // A topic's sessions: upcoming soonest first, past newest first.
    let (mut upcoming, mut past, mut until) = (Vec::new(), Vec::new(), None::<Millis>);
    if let Some(t) = &current {
        let now = now_millis();
        for s in st.services.topic_series(t).await.map_err(fail(st, ctx))? {
            let local = parvis_services::sessions::millis_to_local(s.starts_at, &s.time_zone);
            let item =
                context! { s => Value::from_serialize(&s), local => local.replace('T', " ") };
            let ends = s.starts_at + s.duration_min * 60_000;
            if s.closed_at.is_none() && ends > now {
                upcoming.push(item);
                until = Some(until.map_or(ends, |u| u.min(ends)));
            } else {
                past.push(item);
            }
        }
        past.reverse();
    }
    let can_schedule = ctx
        .actor
        .as_ref()
        .is_some_and(|a| a.member.site_role.can_moderate());
    let extra = context! {
        sessions_upcoming => upcoming,
        sessions_past => past,
        can_schedule => can_schedule,
        space => Value::from_serialize(&space),
        topics => Value::from_serialize(&topics),
        topic => current.as_ref().map(Value::from_serialize),
        threads => Value::from_serialize(&threads),
        has_next => threads.has_next(),
        failed => failed,
    };
    Ok((extra, until))
}

async fn space_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    kept_or_drawn(&st, &ctx, "space.html", || {
        space_context(&st, &ctx, &space, None, q.page, Value::UNDEFINED)
    })
    .await
}

async fn topic_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    kept_or_drawn(&st, &ctx, "space.html", || {
        space_context(&st, &ctx, &space, Some(&topic), q.page, Value::UNDEFINED)
    })
    .await
}

#[derive(Deserialize, serde::Serialize)]
struct NewThreadForm {
    csrf: String,
    title: String,
    body: String,
    #[serde(default)]
    topic: String,
}

async fn new_thread(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<NewThreadForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let topic = match f.topic.trim() {
        "" => None,
        t => Some(
            st.services
                .topic(&space, t)
                .await
                .map_err(fail(&st, &ctx))?,
        ),
    };
    match st
        .services
        .create_thread(actor, &space, topic.as_ref(), &f.title, &f.body)
        .await
    {
        Ok(thread) => Ok(see_other(&format!("/threads/{}", thread.id))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                space_view(
                    &st,
                    &ctx,
                    &space.slug,
                    topic.as_ref().map(|t| t.slug.as_str()),
                    None,
                    failed("thread", &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn thread_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let id = ThreadId(
        id.parse()
            .map_err(|_| fail_api(&st, &ctx, ApiError::not_found(format!("thread {id:?}"))))?,
    );
    kept_or_drawn(&st, &ctx, "thread.html", || async {
        Ok((
            thread_context(&st, &ctx, id, q.page, Value::UNDEFINED).await?,
            None,
        ))
    })
    .await
}

/// A page of a thread; `failed` is a reply form shown again with its errors.
async fn thread_view(
    st: &AppState,
    ctx: &Ctx,
    id: ThreadId,
    page: Option<u32>,
    failed: Value,
) -> PageResult {
    let extra = thread_context(st, ctx, id, page, failed).await?;
    render(st, ctx, "thread.html", extra)
}

/// What a page of a thread shows.
async fn thread_context(
    st: &AppState,
    ctx: &Ctx,
    id: ThreadId,
    page: Option<u32>,
    failed: Value,
) -> Result<Value, PageError> {
    let thread = st.services.thread(id).await.map_err(fail(st, ctx))?;
    let space = st
        .services
        .store()
        .space_by_id(thread.space_id)
        .await
        .map_err(|e| fail(st, ctx)(e.into()))?;
    let mut messages = st
        .services
        .messages(id, PageRequest::new(page, None, 50))
        .await
        .map_err(fail(st, ctx))?;
    // Remote images (tracking pixels) become links naming their host; the CSP blocks any
    // that would slip through.
    let t = crate::i18n::table(ctx.lang);
    for m in &mut messages.items {
        m.body_html = parvis_domain::markdown::defer_remote_images(&m.body_html, |host, alt| {
            let alt = if alt.is_empty() {
                String::new()
            } else {
                format!("{} · ", quoted(ctx.lang, alt))
            };
            format!(
                "{alt}{} {host} — {}",
                t["remote_image"], t["remote_image_open"]
            )
        });
    }
    Ok(context! {
        thread => Value::from_serialize(&thread),
        space => space.as_ref().map(Value::from_serialize),
        messages => Value::from_serialize(&messages),
        has_next => messages.has_next(),
        failed => failed,
    })
}

#[derive(Deserialize, serde::Serialize)]
struct ReplyForm {
    csrf: String,
    body: String,
    #[serde(default)]
    parent_id: String,
}

async fn reply(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReplyForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let parent = f.parent_id.trim().parse::<i64>().ok().map(MessageId);
    let mid = match st
        .services
        .reply(actor, ThreadId(id), parent, &f.body)
        .await
    {
        Ok(mid) => mid,
        Err(e) => {
            return match field_errors(ctx.lang, &e) {
                // Shown again on the thread's last page, where the reply form is.
                Some(errors) => {
                    let last = st
                        .services
                        .thread(ThreadId(id))
                        .await
                        .map(|t| ((t.message_count + 49) / 50).max(1) as u32)
                        .unwrap_or(1);
                    unprocessable(
                        thread_view(
                            &st,
                            &ctx,
                            ThreadId(id),
                            Some(last),
                            failed("reply", &f, errors),
                        )
                        .await,
                    )
                }
                None => Err(fail(&st, &ctx)(e)),
            };
        }
    };
    // Land on the last page, where the new message is.
    let total = st
        .services
        .thread(ThreadId(id))
        .await
        .map(|t| t.message_count)
        .unwrap_or(1);
    let page = (total + 49) / 50;
    Ok(see_other(&format!("/threads/{id}?page={page}#m{mid}")))
}

#[derive(Deserialize)]
struct ReactForm {
    csrf: String,
    kind: String,
    #[serde(default)]
    page: Option<u32>,
}

async fn react(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReactForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let kind = ReactionKind::parse("kind", &f.kind).map_err(|e| fail(&st, &ctx)(e.into()))?;
    let thread = st
        .services
        .react(actor, MessageId(id), kind, true)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/threads/{thread}?page={}#m{id}",
        f.page.unwrap_or(1)
    )))
}

async fn activity_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<api::ActivityQuery>,
) -> PageResult {
    let (period, bucket) = q
        .parse()
        .map_err(|e| fail(&st, &ctx)(ServiceError::Validation(e)))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let view = st
        .services
        .topic_activity(&space, period, bucket)
        .await
        .map_err(fail(&st, &ctx))?;
    // Quarters read "T1 2026" in French and "Q1 2026" in English; other labels are dates.
    let quarter = if ctx.lang == Lang::Fr { "T" } else { "Q" };
    let labels: Vec<String> = view
        .labels
        .iter()
        .map(|l| match l.split_once("-Q") {
            Some((year, q)) => format!("{quarter}{q} {year}"),
            None => l.clone(),
        })
        .collect();
    let charts: Vec<Value> = view
        .topics
        .iter()
        .map(|t| {
            let series: Vec<crate::charts::Series<'_>> =
                t.channels.iter().map(|(ch, v)| crate::charts::Series { label: ch, values: v.clone() }).collect();
            context! {
                topic => Value::from_serialize(&t.topic),
                total => t.total,
                channels => t.channels.iter().map(|(ch, v)| context!{ channel => ch, count => v.iter().sum::<i64>() }).collect::<Vec<_>>(),
                svg => Value::from_safe_string(crate::charts::stacked_bars(&t.topic.title, &labels, &series)),
            }
        })
        .collect();
    render(
        &st,
        &ctx,
        "activity.html",
        context! {
            space => Value::from_serialize(&space), charts => charts, bars => labels.len(),
            period => view.period, bucket => view.bucket.code(),
            bucket_asked => bucket.map(|b| b.code()), years => view.years,
        },
    )
}

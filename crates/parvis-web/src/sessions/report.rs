//! Closing a session and its report; the topic's layered synthesis (page, Markdown, JSON);
//! pages and API together.

use crate::api::Items;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::extract::{Form, Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use minijinja::{Value, context};
use parvis_services::reports::{CloseInput, SessionReport, SynthesisLayer, synthesis_markdown};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/close", get(close_page).post(close))
        .route("/sessions/{id}/report", get(report_page))
        .route("/s/{space}/t/{topic}/synthesis", get(synthesis_page))
        .route("/s/{space}/t/{topic}/synthesis.md", get(synthesis_md))
        .route("/s/{space}/t/{topic}/synthesis.json", get(synthesis_json))
}

pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api_report))
        .routes(routes!(api_close))
        .routes(routes!(api_synthesis))
}

fn id_of(st: &AppState, ctx: &Ctx, id: &str) -> Result<i64, crate::PageError> {
    id.parse()
        .map_err(|_| fail_api(st, ctx, ApiError::not_found(format!("session {id:?}"))))
}

/// The close form as typed (lists one per line).
#[derive(Deserialize, Serialize, Default, Clone)]
struct CloseForm {
    #[serde(default, skip_serializing)]
    csrf: String,
    #[serde(default)]
    conclusions_md: String,
    #[serde(default)]
    key_questions: String,
    #[serde(default)]
    recording_links: String,
}

impl CloseForm {
    fn input(&self) -> CloseInput {
        let list = |s: &str| {
            s.lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect()
        };
        CloseInput {
            conclusions_md: self.conclusions_md.clone(),
            key_questions: list(&self.key_questions),
            recording_links: list(&self.recording_links),
        }
    }
}

/// A decimal in the reader's language (1,35 in French, 1.35 in English).
fn decimal(lang: parvis_domain::Lang, x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    if lang == parvis_domain::Lang::Fr {
        s.replace('.', ",")
    } else {
        s
    }
}

/// What the session's live room adds to a report page, formatted for the reader: top
/// questions, poll results, and the speaking-time fairness table and chart.
fn room_view(lang: parvis_domain::Lang, r: &SessionReport) -> Value {
    let Some(l) = &r.live else {
        return Value::UNDEFINED;
    };
    let f = &l.fairness;
    let mmss = |ms: i64| format!("{}:{:02}", ms / 60_000, (ms / 1000) % 60);
    // Whole percentages, as the polls' are, in the reader's typography ("33 %" / "33%").
    let pct = |x: f64| crate::pages::percent(lang, (x * 100.0).round() / 100.0);
    let chart = (!f.speakers.is_empty()).then(|| {
        let t = |k| crate::i18n::get(lang, k);
        Value::from_safe_string(crate::charts::fairness_bars(
            t("speaking_time"),
            &f.speakers
                .iter()
                .map(|s| (s.name.clone(), s.total_ms / 1000, s.over_budget))
                .collect::<Vec<_>>(),
            f.fair_share_ms / 1000,
            (f.fair_share_ms as f64 * f.budget_factor / 1000.0).round() as i64,
            t("fair_share"),
            t("speaking_budget"),
        ))
    });
    context! {
        top_questions => Value::from_serialize(&l.top_questions),
        polls => Value::from_serialize(&l.polls),
        notes => Value::from_serialize(&l.notes),
        speakers => f.speakers.iter().map(|s| context! {
            name => s.name.clone(), time => mmss(s.total_ms), turns => s.turns,
            share => pct(s.share), ratio => decimal(lang, s.ratio_to_fair, 2), over => s.over_budget,
        }).collect::<Vec<_>>(),
        discussion => mmss(f.discussion_ms),
        fair_share => mmss(f.fair_share_ms),
        gini => decimal(lang, f.gini, 2),
        gini_corrected => decimal(lang, f.gini_corrected, 2),
        moderator_time => mmss(f.moderator_ms),
        moderator_share => pct(f.moderator_share),
        budget_factor => decimal(lang, f.budget_factor, 1),
        chart => chart,
    }
}

/// The draft's conclusions, followed by the moderators' notes from the room under a heading in
/// the reader's language, for them to keep, edit or drop (a closed report has no notes).
fn with_notes(lang: parvis_domain::Lang, r: &SessionReport) -> String {
    let notes = r.live.as_ref().map(|l| l.notes.as_slice()).unwrap_or(&[]);
    if notes.is_empty() {
        return r.conclusions_md.clone();
    }
    let mut md = r.conclusions_md.trim_end().to_string();
    if !md.is_empty() {
        md.push_str("\n\n");
    }
    md.push_str("## ");
    md.push_str(crate::i18n::get(lang, "room_notes"));
    md.push('\n');
    for n in notes {
        md.push_str("\n- ");
        md.push_str(&n.text.replace('\n', " "));
    }
    md
}

async fn close_view(st: &AppState, ctx: &Ctx, id: i64, failed: Value) -> PageResult {
    let r = st
        .services
        .session_report(ctx.actor.as_ref(), id)
        .await
        .map_err(fail(st, ctx))?;
    let s = st
        .services
        .session_view(ctx.actor.as_ref(), id)
        .await
        .map_err(fail(st, ctx))?;
    if !s.can_manage {
        return Err(fail(st, ctx)(parvis_services::ServiceError::Forbidden(
            "only the session's moderators may close it".into(),
        )));
    }
    let draft = CloseForm {
        conclusions_md: with_notes(ctx.lang, &r),
        key_questions: r.key_questions.join("\n"),
        recording_links: r.recording_links.join("\n"),
        ..Default::default()
    };
    render(
        st,
        ctx,
        "session_close.html",
        context! { room => room_view(ctx.lang, &r), r => Value::from_serialize(&r), draft => Value::from_serialize(&draft), failed => failed },
    )
}

async fn close_page(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = id_of(&st, &ctx, &id)?;
    close_view(&st, &ctx, id, Value::UNDEFINED).await
}

async fn close(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    match st.services.close_session(actor, id, &f.input()).await {
        Ok(_) => Ok(see_other(&format!("/sessions/{id}/report"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => {
                unprocessable(close_view(&st, &ctx, id, failed("close", &f, errors)).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn report_page(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = id_of(&st, &ctx, &id)?;
    let r = st
        .services
        .session_report(ctx.actor.as_ref(), id)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "session_report.html",
        context! { room => room_view(ctx.lang, &r), r => Value::from_serialize(&r) },
    )
}

async fn synthesis_of(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    topic: &str,
) -> Result<
    (
        parvis_domain::Space,
        parvis_domain::Topic,
        Vec<SynthesisLayer>,
    ),
    crate::PageError,
> {
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    let topic = st
        .services
        .topic(&space, topic)
        .await
        .map_err(fail(st, ctx))?;
    let layers = st
        .services
        .topic_synthesis(&topic)
        .await
        .map_err(fail(st, ctx))?;
    Ok((space, topic, layers))
}

async fn synthesis_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (space, topic, layers) = synthesis_of(&st, &ctx, &space, &topic).await?;
    render(
        &st,
        &ctx,
        "synthesis.html",
        context! { space => Value::from_serialize(&space), topic => Value::from_serialize(&topic), layers => Value::from_serialize(&layers) },
    )
}

async fn synthesis_md(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (_, topic, layers) = synthesis_of(&st, &ctx, &space, &topic).await?;
    let body = synthesis_markdown(&topic, &layers, ctx.lang);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}-synthesis.md\"", topic.slug),
            ),
        ],
        body,
    )
        .into_response())
}

async fn synthesis_json(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, topic)): Path<(String, String)>,
) -> PageResult {
    let (_, _, layers) = synthesis_of(&st, &ctx, &space, &topic).await?;
    Ok(Json(Items { items: layers }).into_response())
}

/// A session's closing report (public once closed; the draft for its moderators before)
#[utoipa::path(get, path = "/sessions/{id}/report", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, description = "the report or its draft", body = SessionReport)))]
async fn api_report(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SessionReport>, ApiError> {
    Ok(Json(
        st.services.session_report(ctx.actor.as_ref(), id).await?,
    ))
}

/// Close a session with its report (its moderators, site moderators, admins)
#[utoipa::path(post, path = "/sessions/{id}/close", tag = "sessions", request_body = CloseInput,
    params(("id" = i64, Path, description = "session id")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "closed; the report", body = SessionReport)))]
async fn api_close(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CloseInput>,
) -> Result<Json<SessionReport>, ApiError> {
    Ok(Json(st.services.close_session(ctx.actor()?, id, &b).await?))
}

/// A topic's layered synthesis: one layer per closed session, newest first, with what changed
#[utoipa::path(get, path = "/spaces/{space}/topics/{topic}/synthesis", tag = "sessions",
    params(("space" = String, Path, description = "space slug"), ("topic" = String, Path, description = "topic slug")),
    responses((status = 200, description = "the layers", body = Items<SynthesisLayer>)))]
async fn api_synthesis(
    State(st): State<AppState>,
    ApiPath((space, topic)): ApiPath<(String, String)>,
) -> Result<Json<Items<SynthesisLayer>>, ApiError> {
    let space = st.services.space(&space).await?;
    let topic = st.services.topic(&space, &topic).await?;
    Ok(Json(Items {
        items: st.services.topic_synthesis(&topic).await?,
    }))
}

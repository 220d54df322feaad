//! The admin side of embeds: a space's allowed sites, call to action, signing secret,
//! funnel (page, CSV, API) and webhooks with their delivery log.

use crate::AppState;
use crate::admin::admin;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{PageResult, fail, fail_api, render, see_other};
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use minijinja::{Value, context};
use parvis_domain::*;
use parvis_services::embeds::EmbedTarget;
use parvis_services::embeds::settings::EmbedSettingsInput;
use parvis_services::embeds::track::{day_string, funnel_totals, parse_day, today};
use parvis_services::embeds::webhooks::EVENTS;
use parvis_store::{EmbedSettings, FunnelRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A period, as typed (`2026-12-05`); default: the last 30 days.
#[derive(Deserialize, Default)]
pub(crate) struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
    ok: Option<String>,
}

fn period(q: &PeriodQuery) -> Result<(i64, i64), ValidationError> {
    let to = match q.to.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_day("to", s)?,
        None => today(),
    };
    let from = match q.from.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_day("from", s)?,
        None => to - 29,
    };
    if from > to {
        return Err(ValidationError::new(
            "from",
            "the period starts after it ends",
        ));
    }
    Ok((from, to))
}

/// A rate as a share, none when there is nothing to divide by; the page writes it in the
/// reader's typography (`pct` filter).
fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole != 0).then(|| part as f64 / whole as f64)
}

/// The funnel as the page shows it: money in the reader's typography ("59,90" / "59.90");
/// the CSV export keeps its own machine-readable amounts.
fn funnel_value(lang: Lang, rows: &[FunnelRow]) -> Value {
    let with_rates = |r: &FunnelRow| {
        context! {
            row => Value::from_serialize(r),
            engagement_rate => pct(r.engagements, r.impressions),
            click_rate => pct(r.clicks, r.impressions),
            conversion_rate => pct(r.conversions, r.clicks),
            value => crate::pages::money(lang, r.value_cents),
        }
    };
    context! {
        rows => rows.iter().map(with_rates).collect::<Vec<_>>(),
        totals => with_rates(&funnel_totals(rows)),
    }
}

async fn view(
    st: &AppState,
    ctx: &Ctx,
    space: &Space,
    q: &PeriodQuery,
    failed: Value,
    new_secret: Option<String>,
) -> PageResult {
    view_full(st, ctx, space, q, failed, new_secret, None).await
}

/// The page again, showing a new single sign-on key's secret (once).
pub(crate) async fn page_with_sso_secret(
    st: &AppState,
    ctx: &Ctx,
    space: &Space,
    kid: &str,
    secret: String,
) -> PageResult {
    let sso = context! { kid => kid, secret => secret };
    view_full(
        st,
        ctx,
        space,
        &PeriodQuery::default(),
        Value::UNDEFINED,
        None,
        Some(sso),
    )
    .await
}

async fn view_full(
    st: &AppState,
    ctx: &Ctx,
    space: &Space,
    q: &PeriodQuery,
    failed: Value,
    new_secret: Option<String>,
    new_sso: Option<Value>,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let (from, to) = period(q).map_err(|e| fail(st, ctx)(e.into()))?;
    let settings = st
        .services
        .embed_settings(space.id)
        .await
        .map_err(fail(st, ctx))?;
    let rows = st
        .services
        .embed_funnel(actor, space, from, to)
        .await
        .map_err(fail(st, ctx))?;
    let totals = funnel_totals(&rows);
    let t = crate::i18n::table(ctx.lang);
    let chart = crate::charts::stacked_bars(
        t["embed_funnel"],
        &[
            t["embed_impressions"],
            t["embed_engagements"],
            t["embed_clicks"],
            t["embed_conversions"],
        ]
        .map(String::from),
        &[crate::charts::Series {
            label: t["embed_visitors"],
            values: vec![
                totals.impressions,
                totals.engagements,
                totals.clicks,
                totals.conversions,
            ],
        }],
    );
    let (endpoints, deliveries) = st
        .services
        .webhooks(actor, space)
        .await
        .map_err(fail(st, ctx))?;
    let posting = st
        .services
        .post_settings(space.id)
        .await
        .map_err(fail(st, ctx))?;
    let sso_keys = st
        .services
        .sso_keys(actor, space)
        .await
        .map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "admin_embeds.html",
        context! {
            posting => context! {
                hold_first => posting.hold_first, pseudonyms => posting.pseudonyms,
                open_signup => posting.open_signup,
                banned_words => posting.banned_words.join("\n"),
                suspect_words => posting.suspect_words.join("\n"),
            },
            sso_keys => sso_keys.iter().map(|(kid, at)| context! { kid => kid, created_at => at }).collect::<Vec<_>>(),
            new_sso => new_sso,
            space => Value::from_serialize(space),
            origins => settings.origins.join("\n"),
            settings => context! { cta_label => settings.cta_label, cta_url => settings.cta_url, secret => settings.secret },
            from => day_string(from), to => day_string(to),
            funnel => funnel_value(ctx.lang, &rows),
            chart => chart,
            endpoints => Value::from_serialize(&endpoints),
            deliveries => Value::from_serialize(&deliveries),
            events => EVENTS,
            new_secret => new_secret,
            ok => q.ok.clone(),
            failed => failed,
            base => super::public_base(st),
        },
    )
}

pub(crate) async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    admin!(st, ctx);
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    view(&st, &ctx, &space, &q, Value::UNDEFINED, None).await
}

#[derive(Deserialize, Serialize)]
pub(crate) struct SettingsForm {
    csrf: String,
    #[serde(default)]
    origins: String,
    #[serde(default)]
    cta_label: String,
    #[serde(default)]
    cta_url: String,
    /// Set for one embed's own call to action (`thread/12`); empty for the space's.
    #[serde(default)]
    embed: String,
}

pub(crate) async fn save(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<SettingsForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let done = if f.embed.trim().is_empty() {
        let input = EmbedSettingsInput {
            origins: f.origins.clone(),
            cta_label: f.cta_label.clone(),
            cta_url: f.cta_url.clone(),
        };
        st.services
            .update_embed_settings(actor, &space, &input)
            .await
            .map(|_| ())
    } else {
        match EmbedTarget::parse_key(f.embed.trim()) {
            Some(target) => {
                st.services
                    .set_embed_cta(actor, &target, &f.cta_label, &f.cta_url)
                    .await
            }
            None => Err(ValidationError::new("embed", "not an embed such as thread/12").into()),
        }
    };
    let form = if f.embed.trim().is_empty() {
        "settings"
    } else {
        "cta"
    };
    match done {
        Ok(()) => Ok(see_other(&format!(
            "/admin/spaces/{}/embeds?ok=saved",
            space.slug
        ))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                view(
                    &st,
                    &ctx,
                    &space,
                    &PeriodQuery::default(),
                    failed(form, &f, errors),
                    None,
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    csrf: String,
}

pub(crate) async fn rotate(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    st.services
        .rotate_embed_secret(actor, &space)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/admin/spaces/{}/embeds?ok=saved#secret",
        space.slug
    )))
}

#[derive(Deserialize, Serialize)]
pub(crate) struct WebhookForm {
    csrf: String,
    url: String,
    /// Checked events (the form sends one `events` per box; serde_urlencoded keeps the last,
    /// so the boxes are named `ev_<event>`).
    #[serde(default, rename = "ev_message.created")]
    ev_message: Option<String>,
    #[serde(default, rename = "ev_conversion.created")]
    ev_conversion: Option<String>,
    #[serde(default, rename = "ev_registration.created")]
    ev_registration: Option<String>,
    #[serde(default, rename = "ev_submission.created")]
    ev_submission: Option<String>,
}

pub(crate) async fn add_webhook(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<WebhookForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let events: Vec<String> = [
        (&f.ev_message, "message.created"),
        (&f.ev_conversion, "conversion.created"),
        (&f.ev_registration, "registration.created"),
        (&f.ev_submission, "submission.created"),
    ]
    .iter()
    .filter(|(on, _)| on.is_some())
    .map(|(_, e)| e.to_string())
    .collect();
    match st
        .services
        .add_webhook(actor, &space, &f.url, &events)
        .await
    {
        // The secret is shown once, on this answer; it is never shown again.
        Ok((_, secret)) => {
            view(
                &st,
                &ctx,
                &space,
                &PeriodQuery::default(),
                Value::UNDEFINED,
                Some(secret),
            )
            .await
        }
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                view(
                    &st,
                    &ctx,
                    &space,
                    &PeriodQuery::default(),
                    failed("webhook", &f, errors),
                    None,
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

pub(crate) async fn delete_webhook(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, id)): Path<(String, i64)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    st.services
        .delete_webhook(actor, &space, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/admin/spaces/{}/embeds?ok=saved#webhooks",
        space.slug
    )))
}

pub(crate) async fn replay(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, id)): Path<(String, i64)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    st.services
        .replay_webhook(actor, &space, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!(
        "/admin/spaces/{}/embeds?ok=saved#deliveries",
        space.slug
    )))
}

fn csv_field(s: &str) -> String {
    // Formula injection: a cell starting with = + - @ is read as a formula by spreadsheets.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub(crate) async fn csv(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let actor = admin!(st, ctx);
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let (from, to) = period(&q).map_err(|e| fail(&st, &ctx)(e.into()))?;
    let rows = st
        .services
        .embed_funnel(actor, &space, from, to)
        .await
        .map_err(fail(&st, &ctx))?;
    let mut out = String::from("embed,host,impressions,engagements,clicks,conversions,value\n");
    for r in &rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{:.2}\n",
            csv_field(&r.embed),
            csv_field(&r.host),
            r.impressions,
            r.engagements,
            r.clicks,
            r.conversions,
            r.value_cents as f64 / 100.0
        ));
    }
    let mut res = out.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"embeds-{}-{}-{}.csv\"",
        space.slug,
        day_string(from),
        day_string(to)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

// ----- API ----------------------------------------------------------------------------------

/// A space's embed settings, as its admins see them.
#[derive(Serialize, ToSchema)]
pub(crate) struct EmbedSettingsView {
    /// Sites allowed to embed; empty: anywhere.
    origins: Vec<String>,
    cta_label: String,
    cta_url: String,
    /// Signs conversion reports (empty until the settings are first saved).
    secret: String,
}

impl From<EmbedSettings> for EmbedSettingsView {
    fn from(s: EmbedSettings) -> Self {
        Self {
            origins: s.origins,
            cta_label: s.cta_label,
            cta_url: s.cta_url,
            secret: s.secret,
        }
    }
}

/// A space's embed settings (admin)
#[utoipa::path(get, path = "/spaces/{space}/embed", tag = "embeds", operation_id = "get_embed_settings",
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the settings", body = EmbedSettingsView)))]
pub(crate) async fn api_get(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
) -> Result<Json<EmbedSettingsView>, ApiError> {
    ctx.actor()?.require_admin()?;
    let space = st.services.space(&space).await?;
    Ok(Json(st.services.embed_settings(space.id).await?.into()))
}

/// Set a space's allowed sites and call to action (admin)
#[utoipa::path(put, path = "/spaces/{space}/embed", tag = "embeds", operation_id = "put_embed_settings", request_body = EmbedSettingsInput,
    params(("space" = String, Path, description = "space slug")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the settings saved", body = EmbedSettingsView)))]
pub(crate) async fn api_put(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiJson(b): ApiJson<EmbedSettingsInput>,
) -> Result<Json<EmbedSettingsView>, ApiError> {
    let space = st.services.space(&space).await?;
    Ok(Json(
        st.services
            .update_embed_settings(ctx.actor()?, &space, &b)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct FunnelParams {
    /// First day, `2026-11-05` (default: 29 days before `to`).
    from: Option<String>,
    /// Last day, `2026-12-05` (default: today, UTC).
    to: Option<String>,
}

/// The funnel over a period: per embed and host page, and its totals.
#[derive(Serialize, ToSchema)]
pub(crate) struct FunnelView {
    from: String,
    to: String,
    totals: FunnelRow,
    rows: Vec<FunnelRow>,
}

/// Impressions → engagement → clicks → conversions of a space's embeds (admin)
#[utoipa::path(get, path = "/spaces/{space}/embed/funnel", tag = "embeds",
    params(("space" = String, Path, description = "space slug"), FunnelParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "the funnel", body = FunnelView)))]
pub(crate) async fn api_funnel(
    State(st): State<AppState>,
    ctx: Ctx,
    ApiPath(space): ApiPath<String>,
    ApiQuery(p): ApiQuery<FunnelParams>,
) -> Result<Json<FunnelView>, ApiError> {
    let actor = ctx.actor()?;
    let space = st.services.space(&space).await?;
    let q = PeriodQuery {
        from: p.from,
        to: p.to,
        ok: None,
    };
    let (from, to) =
        period(&q).map_err(|e| ApiError::from(parvis_services::ServiceError::from(e)))?;
    let rows = st.services.embed_funnel(actor, &space, from, to).await?;
    Ok(Json(FunnelView {
        from: day_string(from),
        to: day_string(to),
        totals: funnel_totals(&rows),
        rows,
    }))
}

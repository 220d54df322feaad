//! Measures, pages and API together: `/s/{space}/measures` (the dashboards, for admins and
//! moderators), each figure at `/s/{space}/measures/{figure}.svg|.csv`, objectives and
//! surveys declared from the page, and the survey answer page `/surveys/{token}`. The API
//! side is in [`api`]. The rules (who may, what is valid) are in the services.

pub(crate) mod api;
mod events;
mod figures;
mod png;
mod survey_pages;

use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{PageResult, fail, fail_api, render};
use crate::{AppState, Ctx};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_domain::{Lang, ValidationError};
use parvis_measure::objectives::{MEASURES, Objective};
use parvis_measure::pyramid::Level;
use parvis_services::ServiceError;
use parvis_services::measure::Dashboard;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The area's templates.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "measures.html",
        include_str!("../../templates/measures.html"),
    ),
    ("survey.html", include_str!("../../templates/survey.html")),
];

/// Page routes (merged at the root).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{space}/measures", get(dashboard_page))
        .route("/s/{space}/measures/objectives", post(add_objective))
        .route(
            "/s/{space}/measures/objectives/{id}/delete",
            post(delete_objective),
        )
        .route("/s/{space}/measures/surveys", post(add_survey))
        .route(
            "/s/{space}/measures/surveys/{id}/send",
            post(survey_pages::send),
        )
        .route(
            "/s/{space}/measures/surveys/{id}/close",
            post(survey_pages::close),
        )
        .route(
            "/s/{space}/measures/events/{session}/cost",
            post(events::set_cost),
        )
        .route("/s/{space}/measures/{file}", get(figure_file))
        .route(
            "/surveys/{token}",
            get(survey_pages::survey_page).post(survey_pages::answer),
        )
}

/// One string of the area in `lang`.
pub(crate) fn text(lang: Lang, key: &str) -> &'static str {
    crate::i18n::lookup(lang, key).unwrap_or("")
}

/// A refused input in the reader's language, naming the field (the services say it in
/// English; some of this area's rules have no general wording).
pub(super) fn errors_for(
    lang: Lang,
    e: &ServiceError,
    scale: Option<(i64, i64)>,
) -> Option<BTreeMap<String, String>> {
    let mut errors = field_errors(lang, e)?;
    if let ServiceError::Validation(ValidationError { field, rule, .. }) = e {
        let own = match field.as_str() {
            "score" => scale.map(|(lo, hi)| {
                crate::i18n::get_with(lang, "m_err_score", &[("lo", lo.into()), ("hi", hi.into())])
            }),
            f if f.starts_with("weights.") => Some(text(lang, "m_err_weights").into()),
            "due" => Some(text(lang, "m_err_due").into()),
            "target" => Some(text(lang, "m_err_target").into()),
            "measure" => Some(text(lang, "m_err_measure").into()),
            // A well-formed segment on a measure that is only the whole space's.
            "segment" if *rule == parvis_domain::Rule::Other => {
                Some(text(lang, "m_err_segment_measure").into())
            }
            "segment" => Some(text(lang, "m_err_segment").into()),
            "cost" | "cost_cents" => Some(text(lang, "m_err_cost").into()),
            _ => None,
        };
        if let Some(own) = own {
            errors.insert(field.clone(), own);
        }
    }
    if let ServiceError::Conflict(what) = e
        && what == "answer"
    {
        errors = BTreeMap::from([(
            "score".to_string(),
            text(lang, "m_err_answer_twice").to_string(),
        )]);
    }
    Some(errors)
}

fn date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|d| d.date().to_string())
        .unwrap_or_default()
}

/// `YYYY-MM-DD` → Unix ms at midnight UTC, or a validation error on `field`.
pub(crate) fn parse_date(field: &str, s: &str) -> Result<i64, ServiceError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt)
        .map(|d| d.midnight().assume_utc().unix_timestamp() * 1000)
        .map_err(|_| {
            ServiceError::Validation(ValidationError::new(field, "expected a date as YYYY-MM-DD"))
        })
}

fn thresholds_line(lang: Lang, d: &Dashboard) -> String {
    let th = &d.settings.thresholds;
    let pl = |n: u32, key: &str| crate::i18n::get_n(lang, key, i64::from(n));
    format!(
        "{} : {} · {} : {} · {} : {} · {} {}",
        text(lang, "m_th_regular"),
        pl(th.regular_weeks, "m_th_n_weeks"),
        text(lang, "m_th_answers"),
        pl(th.answers, "m_th_n_answers"),
        text(lang, "m_th_referrals"),
        pl(th.referrals, "m_th_n_people"),
        text(lang, "m_th_staff"),
        text(
            lang,
            if th.exclude_staff {
                "m_staff_excluded"
            } else {
                "m_staff_included"
            }
        ),
    )
    .replace(" : ", if lang == Lang::Fr { " : " } else { ": " })
}

fn weights_line(lang: Lang, d: &Dashboard) -> String {
    let w = &d.settings.score;
    let n = |v: f64| {
        let s = format!("{v}");
        if lang == Lang::Fr {
            s.replace('.', ",")
        } else {
            s
        }
    };
    let args = [
        ("post", n(w.post)),
        ("answer", n(w.answer)),
        ("reaction", n(w.reaction)),
        ("read", n(w.read)),
        ("referral", n(w.referral)),
        ("half", n(w.half_life_days)),
    ]
    .map(|(k, v)| (k, v.into()));
    crate::i18n::get_with(lang, "m_weights_text", &args)
}

/// The dashboard's template context.
fn dashboard_context(lang: Lang, d: &Dashboard, space: &parvis_domain::Space) -> Value {
    let charts: BTreeMap<&str, Value> = figures::CHARTED
        .iter()
        .filter_map(|f| figures::svg(d, f, lang).map(|s| (*f, Value::from_safe_string(s))))
        .collect();
    let measures: Vec<Value> = MEASURES
        .iter()
        .map(|(k, _)| context! { key => k, label => text(lang, &format!("m_measure_{k}")) })
        .collect();
    let levels: Vec<Value> = Level::ALL
        .iter()
        .map(|l| context! { key => l.key(), label => figures::level_label(lang, *l) })
        .collect();
    context! {
        space => Value::from_serialize(space),
        d => Value::from_serialize(d),
        charts => charts,
        measures => measures,
        levels => levels,
        period_from => date(parvis_measure::pyramid::week_start(d.period_from_week)),
        period_to => date(parvis_measure::pyramid::week_start(d.period_to_week) - 1),
        thresholds => thresholds_line(lang, d),
        weights => weights_line(lang, d),
        due_dates => d.objectives.iter().map(|o| date(o.due_at)).collect::<Vec<_>>(),
        figures => figures::FIGURES,
        charted => figures::CHARTED,
        events => events::context(d, lang),
    }
}

pub(super) async fn show_dashboard(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    extra: Value,
) -> PageResult {
    show_segment(st, ctx, slug, "", extra).await
}

/// The dashboard, its pyramid restricted to `segment` (`""`: the whole space).
async fn show_segment(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    segment: &str,
    extra: Value,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let d = st
        .services
        .measures_in(actor, slug, segment)
        .await
        .map_err(fail(st, ctx))?;
    let space = st.services.space(slug).await.map_err(fail(st, ctx))?;
    let choices = st
        .services
        .segment_choices(&d, slug)
        .await
        .map_err(fail(st, ctx))?;
    let segments: Vec<Value> = choices
        .iter()
        .map(|c| {
            let label = match c.kind.as_str() {
                "ecosystem_role" => {
                    crate::i18n::get(ctx.lang, &format!("eco_{}", c.label)).to_string()
                }
                "origin" => text(ctx.lang, &format!("m_origin_{}", c.label)).to_string(),
                _ => c.label.clone(),
            };
            context! { key => c.key, kind => c.kind, label => label }
        })
        .collect();
    let query = match &d.segment {
        Some(s) => format!(
            "?segment={}",
            percent_encoding::utf8_percent_encode(s, SEGMENT_ENCODE)
        ),
        None => String::new(),
    };
    let base = dashboard_context(ctx.lang, &d, &space);
    render(
        st,
        ctx,
        "measures.html",
        context! { ..extra, ..context! { segments => segments, segment_query => query }, ..base },
    )
}

/// What a segment's `kind:value` escapes in a link (letters, digits, `_`, `-`, `.` stay).
const SEGMENT_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'-')
    .remove(b'.');

async fn dashboard_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(q): Query<api::SegmentParam>,
    Query(sent): Query<survey_pages::SentParam>,
) -> PageResult {
    let extra = survey_pages::sent_notice(ctx.lang, &sent);
    show_segment(&st, &ctx, &space, &q.segment, extra).await
}

/// `pyramid.svg`, `flows.csv`…
async fn figure_file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, file)): Path<(String, String)>,
    Query(q): Query<api::SegmentParam>,
) -> PageResult {
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let not_found = || fail(&st, &ctx)(ServiceError::NotFound(format!("figure {file:?}")));
    let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    if !figures::FIGURES.contains(&name) {
        return Err(not_found());
    }
    let d = st
        .services
        .measures_in(actor, &space, &q.segment)
        .await
        .map_err(fail(&st, &ctx))?;
    let (body, mime): (Option<Vec<u8>>, &str) = match ext {
        "csv" => (
            figures::csv(&d, name).map(String::into_bytes),
            "text/csv; charset=utf-8",
        ),
        "svg" => (
            figures::svg(&d, name, ctx.lang).map(String::into_bytes),
            "image/svg+xml",
        ),
        "png" => match figures::svg(&d, name, ctx.lang) {
            // Drawing takes milliseconds of CPU: off the request threads.
            Some(svg) => match tokio::task::spawn_blocking(move || png::png(&svg))
                .await
                .map_err(|e| e.to_string())
                .and_then(|drawn| drawn)
            {
                Ok(bytes) => (Some(bytes), "image/png"),
                Err(e) => {
                    tracing::warn!(figure = name, error = %e, "chart not drawn as PNG");
                    (None, "")
                }
            },
            None => (None, ""),
        },
        _ => (None, ""),
    };
    let body = body.ok_or_else(not_found)?;
    let disposition = format!("attachment; filename=\"{space}-{name}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, Serialize)]
struct ObjectiveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    segment: String,
}

async fn add_objective(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<ObjectiveForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let result = async {
        let target = f
            .target
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .map_err(|_| {
                ServiceError::Validation(ValidationError::new("target", "expected a number"))
            })?;
        let due_ms = parse_date("due", &f.due)?;
        let o = Objective {
            measure: f.measure.clone(),
            target,
            due_ms,
            segment: f.segment.clone(),
        };
        st.services.create_objective(actor, &space, &o).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/s/{space}/measures#objectives")).into_response()),
        Err(e) => match errors_for(ctx.lang, &e, None) {
            Some(errors) => {
                let extra = context! { failed => failed("objective", &f, errors) };
                unprocessable(show_dashboard(&st, &ctx, &space, extra).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn delete_objective(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, id)): Path<(String, i64)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    st.services
        .delete_objective(actor, &space, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(Redirect::to(&format!("/s/{space}/measures#objectives")).into_response())
}

#[derive(Deserialize, Serialize)]
struct SurveyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
}

async fn add_survey(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(f): Form<SurveyForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    match st
        .services
        .create_survey(actor, &space, &f.kind, &f.title)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/s/{space}/measures#surveys")).into_response()),
        Err(e) => match errors_for(ctx.lang, &e, None) {
            Some(errors) => {
                let extra = context! { failed => failed("survey", &f, errors) };
                unprocessable(show_dashboard(&st, &ctx, &space, extra).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

/// Keep `i18n` honest: every key this area's templates use exists in both languages.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn area_strings_are_unique_and_in_both_languages() {
        for (k, _) in MEASURES {
            let key = format!("m_measure_{k}");
            assert!(!text(Lang::Fr, &key).is_empty(), "{k}");
        }
        assert_eq!(crate::i18n::get(Lang::En, "m_title"), "Measures");
    }

    #[test]
    fn dates_parse_or_name_the_field() {
        assert_eq!(parse_date("due", "1970-01-02").unwrap(), 86_400_000);
        assert!(
            matches!(parse_date("due", "tomorrow"), Err(ServiceError::Validation(v)) if v.field == "due")
        );
    }
}

//! The survey answer page `/surveys/{token}` — for a signed-in member, or for anyone through
//! a personal mailed link (`?r=…`, once, no account) — and sending a survey by email from
//! the measures page.

use super::{errors_for, show_dashboard, text};
use crate::forms::{failed, unprocessable};
use crate::pages::{PageResult, fail, fail_api, render};
use crate::{AppState, Ctx};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use parvis_domain::{Lang, Rule, ValidationError};
use parvis_services::measure::SURVEY_CLOSED;
use parvis_services::measure::survey_mail::{
    AddressListError, LinkState, MAX_RECIPIENTS, SendSurvey, parse_addresses,
};
use parvis_services::{ServiceError, Services};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `?sent=N` after a sending: how many addresses were queued; `?closed=N` after closing a
/// survey: how many pending mails were dropped.
#[derive(Deserialize, Default)]
pub(super) struct SentParam {
    #[serde(default)]
    sent: Option<u64>,
    #[serde(default)]
    closed: Option<u64>,
}

/// The notice a sending or a closing leaves on the measures page.
pub(super) fn sent_notice(lang: Lang, q: &SentParam) -> Value {
    let n = |n: u64| n.min(i64::MAX as u64) as i64;
    match (q.sent, q.closed) {
        (Some(s), _) => context! {
            sent_notice => crate::i18n::get_n(lang, "m_sent_notice", n(s))
        },
        (None, Some(c)) => context! {
            sent_notice => crate::i18n::get_n(lang, "m_closed_notice", n(c))
        },
        (None, None) => context! {},
    }
}

/// `?r=` of a personal link.
#[derive(Deserialize, Default)]
pub(super) struct LinkParam {
    #[serde(default)]
    r: String,
}

async fn survey_view(st: &AppState, ctx: &Ctx, token: &str, r: &str, extra: Value) -> PageResult {
    let (s, answered, link) = if r.trim().is_empty() {
        let (s, answered) = st
            .services
            .survey_for_answer(token, ctx.actor.as_ref())
            .await
            .map_err(fail(st, ctx))?;
        (s, answered, None)
    } else {
        let (s, state) = st
            .services
            .survey_for_link(token, r)
            .await
            .map_err(fail(st, ctx))?;
        (s, false, Some(state))
    };
    let kind = Services::survey_kind(&s);
    let (lo, hi) = kind.map(|k| k.scale()).unwrap_or((0, 10));
    render(
        st,
        ctx,
        "survey.html",
        context! {
            ..extra,
            ..context! {
                survey => context! { title => s.title, kind => s.kind, token => s.token, closed => s.closed_at.is_some() },
                question => text(ctx.lang, &format!("m_survey_question_{}", kind.map(|k| k.key()).unwrap_or("nps"))),
                scale => (lo..=hi).collect::<Vec<_>>(),
                answered => answered,
                employee => kind.is_some_and(|k| k.is_employee()),
                by_link => link.is_some(),
                link_open => link == Some(LinkState::Open),
                link_used => link == Some(LinkState::Used),
                link_unknown => link == Some(LinkState::Unknown),
                link_person_answered => link == Some(LinkState::PersonAnswered),
                r => r.trim(),
            }
        },
    )
}

pub(super) async fn survey_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<LinkParam>,
) -> PageResult {
    survey_view(&st, &ctx, &token, &q.r, context! {}).await
}

#[derive(Deserialize, Serialize)]
pub(super) struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    group: String,
    /// The personal link's secret, when answering by a mailed link.
    #[serde(default)]
    r: String,
}

pub(super) async fn answer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let by_link = !f.r.trim().is_empty();
    let (s, _) = if by_link {
        st.services
            .survey_for_link(&token, &f.r)
            .await
            .map(|(s, st)| (s, st == LinkState::Used))
    } else {
        let actor = ctx.actor().map_err(fail(&st, &ctx))?;
        st.services.survey_for_answer(&token, Some(actor)).await
    }
    .map_err(fail(&st, &ctx))?;
    let scale = Services::survey_kind(&s).map(|k| k.scale());
    let score = f.score.trim().parse::<i64>().map_err(|_| {
        ServiceError::Validation(ValidationError::new("score", "expected a whole number"))
    });
    let result = match score {
        Ok(score) if by_link => {
            st.services
                .answer_survey_by_link(&token, &f.r, score, &f.comment, &f.group)
                .await
        }
        Ok(score) => match ctx.actor() {
            Ok(actor) => {
                st.services
                    .answer_survey(actor, &token, score, &f.comment, &f.group)
                    .await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => survey_view(&st, &ctx, &token, &f.r, context! { thanks => true }).await,
        // Closed since the page was opened: the page says so, as an alert.
        Err(ServiceError::Forbidden(why)) if why == SURVEY_CLOSED => {
            survey_view(&st, &ctx, &token, &f.r, context! { refused => true })
                .await
                .map(|mut res| {
                    *res.status_mut() = StatusCode::CONFLICT;
                    res
                })
        }
        // The link's state says it on the page: used, its person answered signed in, or not
        // a link of this survey.
        Err(ServiceError::Conflict(what)) if what == "link" || what == "person" => unprocessable(
            survey_view(&st, &ctx, &token, &f.r, context! { link_refused => true }).await,
        ),
        Err(ServiceError::BadLink) => {
            unprocessable(survey_view(&st, &ctx, &token, &f.r, context! {}).await)
        }
        Err(e) => match errors_for(ctx.lang, &e, scale) {
            Some(errors) => {
                let extra = context! { failed => failed("answer", &f, errors), refused => true };
                unprocessable(survey_view(&st, &ctx, &token, &f.r, extra).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize, Serialize)]
pub(super) struct SendForm {
    #[serde(default)]
    csrf: String,
    /// Pasted addresses, one per line.
    #[serde(default)]
    emails: String,
    #[serde(default)]
    audience: String,
}

/// The page's wording of a refused address list.
fn list_error(lang: Lang, f: &SendForm, e: &ServiceError) -> Option<String> {
    let ServiceError::Validation(ValidationError { field, rule, .. }) = e else {
        return None;
    };
    if field != "emails" {
        return None;
    }
    let lines: Vec<String> = f.emails.lines().map(str::to_string).collect();
    Some(match parse_addresses(&lines) {
        Err(AddressListError::Bad { line, entry }) => crate::i18n::get_with(
            lang,
            "m_err_emails_line",
            &[("line", (line as i64).into()), ("entry", entry.into())],
        ),
        // Too many pasted, or too many once the members are added.
        Err(AddressListError::TooMany { .. }) => too_many(lang),
        Ok(_) if *rule == Rule::Range => too_many(lang),
        Ok(_) => text(lang, "m_err_emails_required").to_string(),
    })
}

fn too_many(lang: Lang) -> String {
    crate::i18n::get_with(
        lang,
        "m_err_emails_too_many",
        &[("max", (MAX_RECIPIENTS as i64).into())],
    )
}

/// Send a survey by email from the measures page (admins).
pub(super) async fn send(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, id)): Path<(String, i64)>,
    Form(f): Form<SendForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let input = SendSurvey {
        emails: f.emails.lines().map(str::to_string).collect(),
        audience: f.audience.clone(),
    };
    match st
        .services
        .send_survey(actor, &space, id, &input, ctx.lang)
        .await
    {
        Ok(out) => Ok(
            Redirect::to(&format!("/s/{space}/measures?sent={}#surveys", out.queued))
                .into_response(),
        ),
        Err(e) => match errors_for(ctx.lang, &e, None) {
            Some(mut errors) => {
                if let Some(own) = list_error(ctx.lang, &f, &e) {
                    errors = BTreeMap::from([("emails".to_string(), own)]);
                }
                let extra = context! { failed => failed(&format!("send-{id}"), &f, errors) };
                unprocessable(show_dashboard(&st, &ctx, &space, extra).await)
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize)]
pub(super) struct CloseForm {
    #[serde(default)]
    csrf: String,
}

/// Close a survey from the measures page (admins); the page then says how many pending
/// mails were dropped.
pub(super) async fn close(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((space, id)): Path<(String, i64)>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let out = st
        .services
        .close_survey(actor, &space, id)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(Redirect::to(&format!(
        "/s/{space}/measures?closed={}#surveys",
        out.dropped
    ))
    .into_response())
}

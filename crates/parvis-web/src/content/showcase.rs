//! Testimonial and interview pages: a space's list, the page (what the consent allows, the
//! consent records for managers and the person, publish and withdraw), the admin's form that
//! records the consent, and the exports.

use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{CsrfOnly, PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::routing::{get, post};
use minijinja::{Value, context};
use parvis_services::testimonials::{ConsentInput, TestimonialInput, testimonials_csv};
use parvis_store::QaPair;
use serde::{Deserialize, Serialize};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{space}/testimonials", get(list_page).post(create))
        .route("/s/{space}/testimonials/new", get(new_page))
        .route("/s/{space}/testimonials/export.csv", get(export_csv))
        .route("/s/{space}/testimonials/export.json", get(export_json))
        .route("/testimonials/{id}", get(page))
        .route("/testimonials/{id}/publish", post(publish))
        .route("/testimonials/{id}/withdraw", post(withdraw))
        .route("/testimonials/{id}/withdrawal-link", post(withdrawal_link))
}

const NOTICES: [&str; 3] = ["created", "published", "withdrawn"];

#[derive(Deserialize, Default)]
struct OkQuery {
    ok: Option<String>,
}

async fn list_page(State(st): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> PageResult {
    let space = st.services.space(&space).await.map_err(fail(&st, &ctx))?;
    let items = st
        .services
        .space_testimonials(ctx.actor.as_ref(), &space)
        .await
        .map_err(fail(&st, &ctx))?;
    render(
        &st,
        &ctx,
        "testimonials.html",
        context! {
            space => Value::from_serialize(&space),
            items => Value::from_serialize(&items),
            can_manage => ctx.actor.as_ref().is_some_and(|a| a.member.site_role.can_moderate()),
        },
    )
}

async fn page_view(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    ok: Option<String>,
    failed: Value,
    issued: Value,
) -> PageResult {
    let id: i64 = id.parse().map_err(|_| {
        fail_api(
            st,
            ctx,
            crate::ApiError::not_found(format!("testimonial {id:?}")),
        )
    })?;
    let v = st
        .services
        .testimonial_view(ctx.actor.as_ref(), id)
        .await
        .map_err(fail(st, ctx))?;
    let ok = ok.filter(|o| NOTICES.contains(&o.as_str()));
    render(
        st,
        ctx,
        "testimonial.html",
        context! { v => Value::from_serialize(&v), ok => ok, failed => failed, issued => issued },
    )
}

async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> PageResult {
    page_view(&st, &ctx, &id, q.ok, Value::UNDEFINED, Value::UNDEFINED).await
}

/// The form as typed; Q&A as lines `Q: …` / `R: …` (or `A: …`).
#[derive(Deserialize, Serialize, Default, Clone)]
struct TestimonialForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    media_url: String,
    #[serde(default)]
    transcript: String,
    #[serde(default)]
    person_handle: String,
    #[serde(default)]
    person_name: String,
    #[serde(default)]
    person_organisation: String,
    #[serde(default)]
    person_email: String,
    #[serde(default)]
    photo_url: String,
    #[serde(default)]
    interviewer: String,
    #[serde(default)]
    prepared: Option<String>,
    #[serde(default)]
    qa: String,
    #[serde(default)]
    internal_use: Option<String>,
    #[serde(default)]
    public_use: Option<String>,
    #[serde(default)]
    name_shown: String,
    #[serde(default)]
    photo: Option<String>,
    #[serde(default)]
    consent_wording: String,
    #[serde(default)]
    publish: Option<String>,
}

/// Q&A lines: a `Q:` line opens a pair, `R:`/`A:` lines (and what follows) answer it.
fn parse_qa(text: &str) -> Vec<QaPair> {
    let mut out: Vec<QaPair> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let lower = line.to_lowercase();
        if let Some(q) = lower
            .strip_prefix("q:")
            .map(|_| line.get(2..).unwrap_or("").trim())
        {
            out.push(QaPair {
                question: q.into(),
                answer: String::new(),
            });
        } else if let Some(a) = (lower.starts_with("r:") || lower.starts_with("a:"))
            .then(|| line.get(2..).unwrap_or("").trim())
        {
            match out.last_mut() {
                Some(p) if p.answer.is_empty() => p.answer = a.into(),
                _ => out.push(QaPair {
                    question: String::new(),
                    answer: a.into(),
                }),
            }
        } else if let Some(p) = out.last_mut() {
            let target = if p.answer.is_empty() {
                &mut p.question
            } else {
                &mut p.answer
            };
            target.push(' ');
            target.push_str(line);
        }
    }
    out
}

impl TestimonialForm {
    fn input(&self) -> TestimonialInput {
        TestimonialInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            topic: self.topic.clone(),
            body: self.body.clone(),
            media_url: self.media_url.clone(),
            transcript: self.transcript.clone(),
            person_handle: Some(self.person_handle.clone()),
            person_name: self.person_name.clone(),
            person_organisation: self.person_organisation.clone(),
            person_email: self.person_email.clone(),
            photo_url: self.photo_url.clone(),
            interviewer: self.interviewer.clone(),
            prepared: self.prepared.is_some(),
            qa: parse_qa(&self.qa),
            consent: Some(ConsentInput {
                internal_use: self.internal_use.is_some(),
                public_use: self.public_use.is_some(),
                name_shown: self.name_shown.clone(),
                photo: self.photo.is_some(),
                wording: self.consent_wording.clone(),
                withdrawn: false,
            }),
            publish: self.publish.is_some(),
        }
    }
}

async fn form_view(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    values: TestimonialForm,
    failed: Value,
) -> PageResult {
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    render(
        st,
        ctx,
        "testimonial_form.html",
        context! { space => Value::from_serialize(&space), values => Value::from_serialize(&values), failed => failed },
    )
}

async fn new_page(State(st): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> PageResult {
    ctx.actor()
        .map_err(fail(&st, &ctx))?
        .require_moderator()
        .map_err(fail(&st, &ctx))?;
    let values = TestimonialForm {
        kind: "testimonial".into(),
        name_shown: "initials".into(),
        ..Default::default()
    };
    form_view(&st, &ctx, &space, values, Value::UNDEFINED).await
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space_slug): Path<String>,
    Form(f): Form<TestimonialForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st
        .services
        .space(&space_slug)
        .await
        .map_err(fail(&st, &ctx))?;
    match st
        .services
        .create_testimonial(actor, &space, &f.input())
        .await
    {
        Ok(v) => Ok(see_other(&format!("/testimonials/{}?ok=created", v.id))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                form_view(
                    &st,
                    &ctx,
                    &space_slug,
                    f.clone(),
                    failed("testimonial", &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn publish(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let n: i64 = id.parse().unwrap_or(-1);
    match st.services.publish_testimonial(actor, n).await {
        Ok(_) => Ok(see_other(&format!("/testimonials/{n}?ok=published"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                page_view(
                    &st,
                    &ctx,
                    &id,
                    None,
                    failed("publish", &context! {}, errors),
                    Value::UNDEFINED,
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn withdraw(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let n: i64 = id.parse().unwrap_or(-1);
    let withdraw = ConsentInput {
        withdrawn: true,
        ..Default::default()
    };
    st.services
        .set_testimonial_consent(actor, n, &withdraw)
        .await
        .map_err(fail(&st, &ctx))?;
    Ok(see_other(&format!("/testimonials/{n}?ok=withdrawn")))
}

#[derive(Deserialize, Default)]
struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// A new withdrawal link for a guest, shown on the page this once (and mailed if asked).
async fn withdrawal_link(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<LinkForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let n: i64 = id.parse().unwrap_or(-1);
    match st
        .services
        .issue_withdrawal_link(actor, n, Some(&f.email))
        .await
    {
        Ok(link) => {
            page_view(
                &st,
                &ctx,
                &id,
                None,
                Value::UNDEFINED,
                Value::from_serialize(&link),
            )
            .await
        }
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                page_view(
                    &st,
                    &ctx,
                    &id,
                    None,
                    failed("withdrawal-link", &context! { email => f.email }, errors),
                    Value::UNDEFINED,
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

async fn export(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
) -> Result<Vec<parvis_services::testimonials::TestimonialView>, crate::PageError> {
    let actor = ctx.actor().map_err(fail(st, ctx))?;
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    st.services
        .testimonials_export(actor, &space)
        .await
        .map_err(fail(st, ctx))
}

async fn export_csv(State(st): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> PageResult {
    let items = export(&st, &ctx, &space).await?;
    Ok(super::challenges::attachment(
        testimonials_csv(&items).into_bytes(),
        "text/csv; charset=utf-8",
        &format!("{space}-testimonials.csv"),
    ))
}

async fn export_json(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
) -> PageResult {
    let items = export(&st, &ctx, &space).await?;
    Ok(super::challenges::attachment(
        serde_json::to_vec_pretty(&items).unwrap_or_default(),
        "application/json",
        &format!("{space}-testimonials.json"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_and_answers_read_from_lines() {
        let qa = parse_qa("Q: Pourquoi ?\nR: Parce que.\nEt voilà.\nq: Et ensuite ?\nA: Rien");
        assert_eq!(qa.len(), 2);
        assert_eq!(qa[0].answer, "Parce que. Et voilà.");
        assert_eq!(
            (qa[1].question.as_str(), qa[1].answer.as_str()),
            ("Et ensuite ?", "Rien")
        );
    }
}

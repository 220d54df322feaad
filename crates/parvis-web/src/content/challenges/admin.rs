//! The admin's side: the create/edit form (as typed, to the service's input and back) and the
//! challenge's state change.

use super::id_of;
use super::pages::back_to_page;
use super::parse::number;
use crate::forms::{failed, field_errors, unprocessable};
use crate::pages::{PageResult, fail, fail_api, render, see_other};
use crate::{AppState, Ctx};
use axum::extract::{Form, Path, State};
use minijinja::{Value, context};
use parvis_services::ServiceError;
use parvis_services::challenges::{ChallengeInput, ChallengeView, CriterionInput, KINDS};
use serde::{Deserialize, Serialize};

/// The challenge form as typed (criteria one per line `Name | weight`).
#[derive(Deserialize, Serialize, Default, Clone)]
pub(super) struct ChallengeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    brief: String,
    #[serde(default)]
    rules: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    award: String,
    #[serde(default)]
    cta_label: String,
    #[serde(default)]
    cta_url: String,
    #[serde(default)]
    scale_max: String,
    #[serde(default)]
    criteria: String,
    #[serde(default)]
    evaluators: String,
    #[serde(default)]
    votes_hidden: Option<String>,
}

impl ChallengeForm {
    fn input(&self) -> Result<ChallengeInput, ServiceError> {
        let mut criteria = Vec::new();
        for l in self
            .criteria
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let (name, weight) = l.rsplit_once('|').unwrap_or((l, "1"));
            criteria.push(CriterionInput {
                name: name.trim().into(),
                weight: number("criteria", weight)?.unwrap_or(1),
            });
        }
        Ok(ChallengeInput {
            title: self.title.clone(),
            kind: self.kind.clone(),
            brief: self.brief.clone(),
            rules: self.rules.clone(),
            deadline: self.deadline.clone(),
            time_zone: Some(self.time_zone.clone()),
            award: self.award.clone(),
            cta_label: self.cta_label.clone(),
            cta_url: self.cta_url.clone(),
            votes_hidden: self.votes_hidden.is_some(),
            scale_max: number("scale_max", &self.scale_max)?,
            criteria,
            evaluators: self
                .evaluators
                .split([',', ' '])
                .map(|h| h.trim().trim_start_matches('@').to_string())
                .filter(|h| !h.is_empty())
                .collect(),
        })
    }

    fn from_view(v: &ChallengeView) -> Self {
        let c = &v.challenge;
        ChallengeForm {
            title: c.title.clone(),
            kind: c.kind.clone(),
            brief: c.brief_md.clone(),
            rules: c.rules.clone(),
            deadline: v.deadline_local.clone(),
            time_zone: c.time_zone.clone(),
            award: c.award.clone(),
            cta_label: c.cta_label.clone(),
            cta_url: c.cta_url.clone(),
            scale_max: c.scale_max.to_string(),
            criteria: v
                .criteria
                .iter()
                .map(|k| format!("{} | {}", k.name, k.weight))
                .collect::<Vec<_>>()
                .join("\n"),
            evaluators: v
                .evaluators
                .iter()
                .map(|m| m.handle.clone())
                .collect::<Vec<_>>()
                .join(", "),
            votes_hidden: c.votes_hidden.then(|| "1".into()),
            ..Default::default()
        }
    }
}

async fn form_view(
    st: &AppState,
    ctx: &Ctx,
    space: &str,
    challenge_id: Option<i64>,
    values: ChallengeForm,
    failed: Value,
) -> PageResult {
    let space = st.services.space(space).await.map_err(fail(st, ctx))?;
    let mut values = values;
    // A new form (or one left blank) shows the space's zone, the one used when none is given.
    if values.time_zone.trim().is_empty() {
        values.time_zone = space.time_zone.clone();
    }
    render(
        st,
        ctx,
        "challenge_form.html",
        context! {
            space => Value::from_serialize(&space),
            challenge_id => challenge_id,
            values => Value::from_serialize(&values),
            kinds => KINDS.to_vec(),
            failed => failed,
        },
    )
}

pub(super) async fn new_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
) -> PageResult {
    ctx.actor()
        .map_err(fail(&st, &ctx))?
        .require_moderator()
        .map_err(fail(&st, &ctx))?;
    let values = ChallengeForm {
        kind: "ideas".into(),
        scale_max: parvis_services::challenges::DEFAULT_SCALE.to_string(),
        ..Default::default()
    };
    form_view(&st, &ctx, &space, None, values, Value::UNDEFINED).await
}

pub(super) async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(space_slug): Path<String>,
    Form(f): Form<ChallengeForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let space = st
        .services
        .space(&space_slug)
        .await
        .map_err(fail(&st, &ctx))?;
    let outcome = match f.input() {
        Ok(input) => st.services.create_challenge(actor, &space, &input).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(v) => Ok(see_other(&format!(
            "/challenges/{}?ok=created",
            v.challenge.id
        ))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => unprocessable(
                form_view(
                    &st,
                    &ctx,
                    &space_slug,
                    None,
                    f.clone(),
                    failed("challenge", &f, errors),
                )
                .await,
            ),
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

pub(super) async fn edit_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let v = st
        .services
        .challenge_view(ctx.actor.as_ref(), id)
        .await
        .map_err(fail(&st, &ctx))?;
    if !v.can_manage {
        return Err(fail(&st, &ctx)(ServiceError::Forbidden(
            "only moderators and admins edit a challenge".into(),
        )));
    }
    form_view(
        &st,
        &ctx,
        &v.space,
        Some(id),
        ChallengeForm::from_view(&v),
        Value::UNDEFINED,
    )
    .await
}

pub(super) async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ChallengeForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let outcome = match f.input() {
        Ok(input) => st.services.update_challenge(actor, id, &input).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/challenges/{id}?ok=saved"))),
        Err(e) => match field_errors(ctx.lang, &e) {
            Some(errors) => {
                let v = st
                    .services
                    .challenge_view(Some(actor), id)
                    .await
                    .map_err(fail(&st, &ctx))?;
                unprocessable(
                    form_view(
                        &st,
                        &ctx,
                        &v.space,
                        Some(id),
                        f.clone(),
                        failed("challenge", &f, errors),
                    )
                    .await,
                )
            }
            None => Err(fail(&st, &ctx)(e)),
        },
    }
}

#[derive(Deserialize, Serialize)]
pub(super) struct StateForm {
    csrf: String,
    #[serde(default)]
    state: String,
}

pub(super) async fn set_state(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StateForm>,
) -> PageResult {
    ctx.check_form_csrf(&f.csrf)
        .map_err(|e| fail_api(&st, &ctx, e))?;
    let id = id_of(&st, &ctx, "challenge", &id)?;
    let actor = ctx.actor().map_err(fail(&st, &ctx))?;
    let outcome = st
        .services
        .set_challenge_state(actor, id, &f.state)
        .await
        .map(|_| "state");
    back_to_page(&st, &ctx, id, outcome, "state", &f).await
}

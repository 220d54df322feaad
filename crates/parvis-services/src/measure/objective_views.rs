//! Objectives first: an admin declares a measure, a target, a date and a segment; each
//! dashboard shows the progress against them. An objective on a segment takes its baseline
//! and its current value from the same segment's members.

use super::{Dashboard, MeasureSettings, ObjectiveView, refused, snapshot};
use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::now_millis;
use parvis_measure::objectives::{self, Objective};
use parvis_measure::pyramid::{self, Level};

impl Services {
    /// Every objective of the space with its progress on the dashboard `d`.
    pub(super) async fn objective_views(
        &self,
        slug: &str,
        inputs: &snapshot::Inputs,
        d: &Dashboard,
    ) -> Result<Vec<ObjectiveView>> {
        let now = inputs.now;
        let mut out = vec![];
        for o in self.store().objectives(inputs.space_id).await? {
            // A target that does not read as a number was not written by Parvis: skip it
            // rather than show a NaN.
            let Ok(target) = o.target.parse::<f64>() else {
                continue;
            };
            let obj = Objective {
                measure: o.measure.clone(),
                target,
                due_ms: o.due_at,
                segment: o.segment.clone(),
            };
            let current = if o.segment.is_empty() {
                d.value_of(&o.measure)
            } else {
                self.segment_value(slug, inputs, &o.measure, &o.segment, d)
                    .await?
            };
            let baseline = o.baseline.as_deref().and_then(|b| b.parse().ok());
            out.push(ObjectiveView {
                id: o.id,
                measure: o.measure,
                target,
                baseline,
                due_at: o.due_at,
                segment: o.segment,
                created_at: o.created_at,
                progress: objectives::progress(&obj, o.created_at, baseline, current, now),
            });
        }
        Ok(out)
    }

    /// An objective's measure within a segment, for an objective already declared: `None`
    /// when it cannot be measured there any more (a topic deleted since), or for a measure
    /// that is the whole space's (objectives declared before those were refused).
    async fn segment_value(
        &self,
        slug: &str,
        inputs: &snapshot::Inputs,
        measure: &str,
        segment: &str,
        d: &Dashboard,
    ) -> Result<Option<f64>> {
        let Ok(Some(seg)) = parvis_measure::segment::Segment::parse(segment) else {
            return Ok(None);
        };
        match self
            .segment_measure(slug, inputs, measure, &seg, &d.settings)
            .await
        {
            Err(ServiceError::Validation(_)) => Ok(None),
            other => other,
        }
    }

    /// A measure of [`objectives::SEGMENT_MEASURES`] over a segment's members: a pyramid
    /// level's count, or the top two levels' share (%). An unknown topic is refused with the
    /// `segment` field named; other measures are `None`.
    async fn segment_measure(
        &self,
        slug: &str,
        inputs: &snapshot::Inputs,
        measure: &str,
        seg: &parvis_measure::segment::Segment,
        settings: &MeasureSettings,
    ) -> Result<Option<f64>> {
        let level = Level::ALL.iter().copied().find(|l| l.key() == measure);
        if level.is_none() && measure != "top_two_share" {
            return Ok(None);
        }
        let levels = self.segment_levels(slug, inputs, seg, settings).await?;
        Ok(Some(match level {
            Some(level) => levels.now.values().filter(|l| **l == level).count() as f64,
            None => {
                let pyr = pyramid::pyramid(&levels.now);
                parvis_measure::standing::legitimacy(&pyr, 0).top_two_share * 100.0
            }
        }))
    }

    /// Declare an objective (admins); the measure's current value is kept as its baseline,
    /// taken where the objective is measured: on its segment when it has one (so that the
    /// progress compares the segment with itself).
    pub async fn create_objective(
        &self,
        actor: &Actor,
        slug: &str,
        objective: &Objective,
    ) -> Result<i64> {
        actor.require_admin()?;
        let now = now_millis();
        objective.validate(now).map_err(refused)?;
        let snap = self.snapshot_for(actor, slug).await?;
        let space = self.space(slug).await?;
        let baseline =
            match parvis_measure::segment::Segment::parse(&objective.segment).map_err(refused)? {
                None => snap.dashboard.value_of(&objective.measure),
                Some(seg) => {
                    let settings = &snap.dashboard.settings;
                    self.segment_measure(
                        &space.slug,
                        &snap.inputs,
                        &objective.measure,
                        &seg,
                        settings,
                    )
                    .await?
                }
            };
        let baseline = baseline.map(|v| v.to_string());
        let id = self
            .store()
            .create_objective(
                space.id.0,
                &objective.measure,
                &objective.target.to_string(),
                baseline.as_deref(),
                objective.due_ms,
                objective.segment.trim(),
                actor.member.id.0,
                now,
            )
            .await?;
        self.reassemble_dashboard(&space.slug, space.id.0).await?;
        Ok(id)
    }

    /// Delete an objective (admins).
    pub async fn delete_objective(&self, actor: &Actor, slug: &str, id: i64) -> Result<()> {
        actor.require_admin()?;
        let space = self.space(slug).await?;
        self.store().delete_objective(space.id.0, id).await?;
        self.reassemble_dashboard(&space.slug, space.id.0).await
    }
}

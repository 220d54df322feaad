//! The pyramid of one segment of a space (an ecosystem role, an organisation, a channel, a
//! topic, imported or native activity), and the accounts an admin marks as staff.
//!
//! A segment view starts from the space's dashboard snapshot (so it costs what the whole-space
//! view costs, plus one aggregate read): the pyramid, the previous period's pyramid, the flows
//! between levels, the people slipping away and the top scores are recomputed over the
//! segment's members; everything else (scorecard, notoriety, Presence…) stays the space's.

use super::{Dashboard, Named, ScoreItem, drop_idle_staff, split_totals};
use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::{EcosystemRole, now_millis};
use parvis_measure::pyramid::{self, Level, Period, Person};
use parvis_measure::segment::{Origin, Segment};
use parvis_store::{MemberPeriods, PeriodsQuery};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use utoipa::ToSchema;

/// Organisations offered as segments (the most represented first).
const ORGANISATION_CHOICES: i64 = 50;

/// A segment the dashboard offers, with what to show for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SegmentChoice {
    /// `kind:value`, as the `segment` parameter takes it.
    pub key: String,
    pub kind: String,
    /// The value as people read it (a topic's title, an organisation's name…).
    pub label: String,
}

/// Levels of a segment's members now and in the previous period, and their sums.
pub(super) struct SegmentLevels {
    pub now: BTreeMap<i64, Level>,
    pub before: BTreeMap<i64, Level>,
    pub sums: Vec<MemberPeriods>,
}

impl Services {
    /// The dashboard restricted to a segment (`""`: the whole space). Refuses an unknown
    /// segment kind or topic with the `segment` field named.
    ///
    /// Served like the whole space's (see [`Services::measures`]): a segment's view is kept
    /// with the whole-space snapshot it was derived from; once that snapshot moves on, the
    /// kept view is still served at once while one background task recomputes it (at a
    /// million messages a segment's pyramid takes one to two seconds to compute). Only the
    /// first view of a segment is computed while the reader waits.
    pub async fn measures_in(
        &self,
        actor: &Actor,
        slug: &str,
        segment: &str,
    ) -> Result<Arc<Dashboard>> {
        let whole = self.measures(actor, slug).await?;
        let Some(seg) = Segment::parse(segment).map_err(super::refused)? else {
            return Ok(whole);
        };
        let space = self.space(slug).await?;
        let key = (space.id.0, seg.key());
        let kept = self
            .inner
            .measures
            .segments
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned());
        if let Some((base, view)) = kept {
            if !Arc::ptr_eq(&base, &whole) {
                self.refresh_segment_in_background(key, seg, whole);
            }
            return Ok(view);
        }
        let view = self.compute_segment(space.id.0, &seg, &whole).await?;
        if let Ok(mut m) = self.inner.measures.segments.lock() {
            m.insert(key, (whole, view.clone()));
        }
        Ok(view)
    }

    /// Recompute a kept segment view from a newer whole-space snapshot, unless under way.
    fn refresh_segment_in_background(
        &self,
        key: (i64, String),
        seg: Segment,
        whole: Arc<Dashboard>,
    ) {
        let started = self
            .inner
            .measures
            .segments_refreshing
            .lock()
            .map(|mut r| r.insert(key.clone()))
            .unwrap_or(false);
        if !started {
            return;
        }
        let services = self.clone();
        tokio::spawn(async move {
            match services.compute_segment(key.0, &seg, &whole).await {
                Ok(view) => {
                    if let Ok(mut m) = services.inner.measures.segments.lock() {
                        m.insert(key.clone(), (whole, view));
                    }
                }
                Err(e) => {
                    tracing::warn!(segment = %key.1, error = %e, "measures: segment recomputation failed")
                }
            }
            if let Ok(mut r) = services.inner.measures.segments_refreshing.lock() {
                r.remove(&key);
            }
        });
    }

    /// A segment's view computed from the whole-space snapshot `whole`.
    async fn compute_segment(
        &self,
        space_id: i64,
        seg: &Segment,
        whole: &Arc<Dashboard>,
    ) -> Result<Arc<Dashboard>> {
        let levels = self
            .segment_levels(space_id, seg, whole, &self.period_query_of(whole))
            .await?;
        let mut d = (**whole).clone();
        d.segment = Some(seg.key());
        d.pyramid = pyramid::pyramid(&levels.now);
        d.previous_pyramid = pyramid::pyramid(&levels.before);
        d.flows = pyramid::flows(&levels.before, &levels.now);
        let (_, prev, last) = split_totals(&levels.sums);
        let slipping = pyramid::slipping_from_totals(&prev, &last, &levels.before, &levels.now);
        let mut scores: Vec<(i64, f64)> = levels
            .sums
            .iter()
            .filter(|r| {
                levels.now.contains_key(&r.member_id) || levels.before.contains_key(&r.member_id)
            })
            .map(|r| (r.member_id, r.score))
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scores.truncate(20);
        let slipping: Vec<_> = slipping.into_iter().take(20).collect();
        let ids: Vec<i64> = slipping
            .iter()
            .map(|s| s.member)
            .chain(scores.iter().map(|s| s.0))
            .collect();
        let names: BTreeMap<i64, (String, String)> = self
            .store()
            .member_names(&ids)
            .await?
            .into_iter()
            .map(|(id, h, n)| (id, (h, n)))
            .collect();
        let named = |id: i64| names.get(&id).cloned().unwrap_or_default();
        d.slipping_away = slipping
            .into_iter()
            .map(|s| {
                let (handle, display_name) = named(s.member);
                Named {
                    member_id: s.member,
                    handle,
                    display_name,
                    item: s,
                }
            })
            .collect();
        d.top_scores = scores
            .into_iter()
            .map(|(m, score)| {
                let (handle, display_name) = named(m);
                Named {
                    member_id: m,
                    handle,
                    display_name,
                    item: ScoreItem {
                        score,
                        level: levels.now.get(&m).copied().unwrap_or(Level::Audience),
                    },
                }
            })
            .collect();
        Ok(Arc::new(d))
    }

    /// The aggregate query of a dashboard's two periods (same weeks, decay and weights).
    fn period_query_of(&self, d: &Dashboard) -> (Vec<(i64, f64)>, Period, Period) {
        let th = &d.settings.thresholds;
        let period = Period::ending(pyramid::week_of(d.generated_at), th.window_weeks);
        let previous = period.previous();
        let factors = (previous.from_week..period.to_week)
            .map(|week| {
                (
                    week,
                    pyramid::week_factor(week, d.generated_at, d.settings.score.half_life_days),
                )
            })
            .collect();
        (factors, period, previous)
    }

    /// The levels of the members of a segment, now and in the previous period.
    pub(super) async fn segment_levels(
        &self,
        space_id: i64,
        seg: &Segment,
        d: &Dashboard,
        (factors, period, previous): &(Vec<(i64, f64)>, Period, Period),
    ) -> Result<SegmentLevels> {
        let w = &d.settings.score;
        let query = |channel: &'static str| PeriodsQuery {
            prev_from: previous.from_week,
            from: period.from_week,
            to: period.to_week,
            channel,
            factors,
            weights: [w.post, w.answer, w.reaction, w.read, w.referral],
        };
        let store = self.store();
        let sums: Vec<MemberPeriods> = match seg {
            Segment::Channel(c) => {
                let q = PeriodsQuery {
                    channel: c.as_str(),
                    ..query("")
                };
                store.measure_period_totals(space_id, &q).await?
            }
            Segment::Origin(o) => {
                let channel = match o {
                    Origin::Native => "parvis",
                    Origin::Imported => "*imported",
                };
                store
                    .measure_period_totals(space_id, &query(channel))
                    .await?
            }
            Segment::EcosystemRole(_) | Segment::Organisation(_) | Segment::Topic(_) => {
                let members: HashSet<i64> = match seg {
                    Segment::Topic(slug) => {
                        let space = self.space(&d.space).await?;
                        let topic = self
                            .topics(&space)
                            .await?
                            .into_iter()
                            .find(|t| t.slug == *slug)
                            .ok_or_else(|| {
                                ServiceError::Validation(parvis_domain::ValidationError::broke(
                                    "segment",
                                    parvis_domain::Rule::Choice,
                                    format!("no topic \"{slug}\" in this space"),
                                ))
                            })?;
                        let since = pyramid::week_start(previous.from_week);
                        store.members_in_topic(space_id, topic.id.0, since).await?
                    }
                    Segment::EcosystemRole(v) => {
                        store.members_in_segment("ecosystem_role", v).await?
                    }
                    Segment::Organisation(v) => store.members_in_segment("organisation", v).await?,
                    _ => vec![],
                }
                .into_iter()
                .collect();
                store
                    .measure_period_totals(space_id, &query(""))
                    .await?
                    .into_iter()
                    .filter(|r| members.contains(&r.member_id))
                    .collect()
            }
        };
        let staff = store.measure_staff().await?;
        let people: Vec<Person> = staff
            .iter()
            .map(|&member| Person {
                member,
                staff: true,
            })
            .collect();
        let th = &d.settings.thresholds;
        let (cur, prev, _) = split_totals(&sums);
        let now = drop_idle_staff(pyramid::levels_from_totals(&people, &cur, th), &staff, &cur);
        let before = drop_idle_staff(
            pyramid::levels_from_totals(&people, &prev, th),
            &staff,
            &prev,
        );
        Ok(SegmentLevels { now, before, sums })
    }

    /// The segments a space's dashboard offers: ecosystem roles, the organisations with the
    /// most members, the channels with activity, the space's topics, native and imported.
    pub async fn segment_choices(&self, d: &Dashboard, slug: &str) -> Result<Vec<SegmentChoice>> {
        let choice = |kind: &str, value: &str, label: &str| SegmentChoice {
            key: format!("{kind}:{value}"),
            kind: kind.to_string(),
            label: label.to_string(),
        };
        let mut out: Vec<SegmentChoice> = EcosystemRole::ALL
            .iter()
            .map(|r| choice("ecosystem_role", r.as_str(), r.as_str()))
            .collect();
        for o in self
            .store()
            .measure_organisations(ORGANISATION_CHOICES)
            .await?
        {
            out.push(choice("organisation", &o, &o));
        }
        for c in &d.channels.channels {
            out.push(choice("channel", c, c));
        }
        let space = self.space(slug).await?;
        for t in self.topics(&space).await? {
            out.push(choice("topic", &t.slug, &t.title));
        }
        out.push(choice("origin", "native", "native"));
        out.push(choice("origin", "imported", "imported"));
        Ok(out)
    }

    /// Mark a member as staff or not (admins). Admins and moderators are staff anyway: for
    /// them the mark changes nothing until their role does.
    pub async fn set_staff(&self, actor: &Actor, handle: &str, staff: bool) -> Result<bool> {
        actor.require_admin()?;
        let target = self.member(Some(actor), handle).await?;
        self.store()
            .set_staff(target.id.0, staff, actor.member.id.0, now_millis())
            .await?;
        self.forget_all_dashboards();
        Ok(staff)
    }

    /// Members an admin marked as staff (admins).
    pub async fn marked_staff(&self, actor: &Actor) -> Result<Vec<i64>> {
        actor.require_admin()?;
        Ok(self.store().marked_staff().await?)
    }

    fn forget_all_dashboards(&self) {
        if let Ok(mut m) = self.inner.measures.entries.lock() {
            m.clear();
        }
        if let Ok(mut m) = self.inner.measures.segments.lock() {
            m.clear();
        }
    }
}

//! The pyramid of one segment of a space (an ecosystem role, an organisation, a channel, a
//! topic, imported or native activity), and the accounts an admin marks as staff.
//!
//! A segment view starts from the space's dashboard snapshot: the pyramid, the previous
//! period's pyramid, the flows between levels, the people slipping away and the top scores are
//! recomputed over the segment's members; everything else (scorecard, notoriety, Presence…)
//! stays the space's.
//!
//! Every segment offered in the picker is derived from one [`SegmentBase`], read once per
//! snapshot: the per-member sums by channel and of imported activity, every member's role and
//! organisation, and each topic's writers (four reads, plus one per topic). After the space's
//! snapshot is computed (at start-up and after each background refresh) the offered segments
//! are all computed from it in the background, so that the first view of a segment is served
//! from memory rather than computed while the reader waits (one to two seconds each at a
//! million messages when each read the aggregate itself).

use super::snapshot::{Inputs, staff_people, top_scores, weights};
use super::{Dashboard, Snapshot, drop_idle_staff, split_totals};
use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::{EcosystemRole, now_millis};
use parvis_measure::pyramid::{self, Level};
use parvis_measure::segment::{Origin, Segment};
use parvis_store::MemberPeriods;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
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
    pub split: super::Split,
}

/// What every segment's pyramid is derived from, read once for a snapshot's inputs.
pub(crate) struct SegmentBase {
    /// Per member and channel, the two periods' sums.
    by_channel: Vec<(String, MemberPeriods)>,
    /// Per member, the sums of every channel but Parvis's own (read apart: distinct writing
    /// weeks do not add up across channels).
    imported: Vec<MemberPeriods>,
    /// Member → (ecosystem role, organisation in lower case).
    attributes: HashMap<i64, (String, String)>,
    /// Topic slug → the members who wrote in it during the two periods.
    topics: HashMap<String, HashSet<i64>>,
}

impl SegmentBase {
    /// The per-member sums of a segment's members (a topic unknown to the space is refused
    /// with the `segment` field named).
    fn sums(&self, inputs: &Inputs, seg: &Segment) -> Result<Vec<MemberPeriods>> {
        let of_members = |keep: &dyn Fn(i64) -> bool| -> Vec<MemberPeriods> {
            inputs
                .sums
                .iter()
                .filter(|r| keep(r.member_id))
                .copied()
                .collect()
        };
        let of_channel = |keep: &dyn Fn(&str) -> bool| -> Vec<MemberPeriods> {
            self.by_channel
                .iter()
                .filter(|(c, _)| keep(c))
                .map(|(_, r)| *r)
                .collect()
        };
        Ok(match seg {
            Segment::Channel(c) => of_channel(&|ch| ch == c),
            Segment::Origin(Origin::Native) => of_channel(&|ch| ch == "parvis"),
            Segment::Origin(Origin::Imported) => self.imported.clone(),
            Segment::EcosystemRole(v) => {
                of_members(&|m| self.attributes.get(&m).is_some_and(|a| a.0 == *v))
            }
            Segment::Organisation(v) => {
                let v = v.to_lowercase();
                of_members(&|m| self.attributes.get(&m).is_some_and(|a| a.1 == v))
            }
            Segment::Topic(slug) => {
                let members = self.topics.get(slug).ok_or_else(|| {
                    ServiceError::Validation(parvis_domain::ValidationError::broke(
                        "segment",
                        parvis_domain::Rule::Choice,
                        format!("no topic \"{slug}\" in this space"),
                    ))
                })?;
                of_members(&|m| members.contains(&m))
            }
        })
    }
}

impl Services {
    /// The dashboard restricted to a segment (`""`: the whole space). Refuses an unknown
    /// segment kind or topic with the `segment` field named.
    ///
    /// Served like the whole space's (see [`Services::measures`]): a segment's view is kept
    /// with the whole-space snapshot it was derived from; once that snapshot moves on, the
    /// kept view is still served at once while one background task recomputes it. The offered
    /// segments are computed in the background after each snapshot (see the module doc); a
    /// segment not yet computed is derived while the reader waits, from memory once the
    /// snapshot's segment base is read.
    pub async fn measures_in(
        &self,
        actor: &Actor,
        slug: &str,
        segment: &str,
    ) -> Result<Arc<Dashboard>> {
        let snap = self.snapshot_for(actor, slug).await?;
        let Some(seg) = Segment::parse(segment).map_err(super::refused)? else {
            return Ok(snap.dashboard);
        };
        let key = (snap.inputs.space_id, seg.key());
        let kept = self
            .inner
            .measures
            .segments
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned());
        if let Some((base, view)) = kept {
            if Arc::ptr_eq(&base, &snap.dashboard) {
                return Ok(view);
            }
            // The counts moved on: the kept view is served while it is recomputed. Same
            // counts but other settings (or objectives): the kept view would show the old
            // classification, so the view is derived now, from memory.
            if base.generated_at != snap.dashboard.generated_at {
                self.refresh_segment_in_background(key, seg, snap);
                return Ok(view);
            }
        }
        let view = self.compute_segment(&seg, &snap).await?;
        self.keep_segment(key, &snap, view.clone());
        Ok(view)
    }

    fn keep_segment(&self, key: (i64, String), snap: &Snapshot, view: Arc<Dashboard>) {
        if let Ok(mut m) = self.inner.measures.segments.lock() {
            m.insert(key, (snap.dashboard.clone(), view));
        }
    }

    /// Recompute a kept segment view from a newer whole-space snapshot, unless under way.
    fn refresh_segment_in_background(&self, key: (i64, String), seg: Segment, snap: Snapshot) {
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
            match services.compute_segment(&seg, &snap).await {
                Ok(view) => services.keep_segment(key.clone(), &snap, view),
                Err(e) => {
                    tracing::warn!(segment = %key.1, error = %e, "measures: segment recomputation failed")
                }
            }
            if let Ok(mut r) = services.inner.measures.segments_refreshing.lock() {
                r.remove(&key);
            }
        });
    }

    /// Compute every offered segment's view of the space's current snapshot and keep them
    /// (see the module doc); stops early when the snapshot moves on meanwhile, since the
    /// views would be stale. Returns how many views were computed.
    pub(super) async fn precompute_segments(&self, slug: &str, space_id: i64) -> Result<usize> {
        let started = self
            .inner
            .measures
            .precomputing
            .lock()
            .map(|mut r| r.insert(space_id))
            .unwrap_or(false);
        if !started {
            return Ok(0);
        }
        // A snapshot replaced meanwhile (its caller found this one under way) is done too.
        let mut outcome = Ok(0);
        let mut last: Option<Arc<Dashboard>> = None;
        while let Some(snap) = self.snapshot(space_id) {
            if last
                .as_ref()
                .is_some_and(|l| Arc::ptr_eq(l, &snap.dashboard))
            {
                break;
            }
            last = Some(snap.dashboard.clone());
            outcome = self.precompute_segments_of(slug, space_id, &snap).await;
            if outcome.is_err() {
                break;
            }
        }
        if let Ok(mut r) = self.inner.measures.precomputing.lock() {
            r.remove(&space_id);
        }
        outcome
    }

    async fn precompute_segments_of(
        &self,
        slug: &str,
        space_id: i64,
        snap: &Snapshot,
    ) -> Result<usize> {
        let clock = std::time::Instant::now();
        let mut done = 0;
        for choice in self.segment_choices(&snap.dashboard, slug).await? {
            let current = self
                .snapshot(space_id)
                .is_some_and(|s| Arc::ptr_eq(&s.dashboard, &snap.dashboard));
            if !current {
                break;
            }
            let Ok(Some(seg)) = Segment::parse(&choice.key) else {
                continue;
            };
            let view = self.compute_segment(&seg, snap).await?;
            self.keep_segment((space_id, seg.key()), snap, view);
            done += 1;
        }
        tracing::info!(
            space = slug,
            segments = done,
            ms = clock.elapsed().as_millis() as u64,
            "measures: segment views computed"
        );
        Ok(done)
    }

    /// Spawn [`Services::precompute_segments`].
    pub(super) fn precompute_segments_in_background(&self, slug: String, space_id: i64) {
        let services = self.clone();
        tokio::spawn(async move {
            if let Err(e) = services.precompute_segments(&slug, space_id).await {
                tracing::warn!(space = %slug, error = %e, "measures: segment views not computed");
            }
        });
    }

    /// A segment's view of the snapshot `snap`.
    async fn compute_segment(&self, seg: &Segment, snap: &Snapshot) -> Result<Arc<Dashboard>> {
        let base = self
            .segment_base(&snap.dashboard.space, &snap.inputs)
            .await?;
        let (inputs, whole, seg) = (snap.inputs.clone(), snap.dashboard.clone(), seg.clone());
        // Classifying up to every member of the space is CPU work without a pause (hundreds
        // of milliseconds in a debug build): off the async workers, so that the readers'
        // requests served meanwhile do not wait behind the segments computed in the background.
        let (mut d, (slipping, scores, levels)) =
            tokio::task::spawn_blocking(move || segment_dashboard(&base, &inputs, &seg, &whole))
                .await
                .map_err(|_| {
                    ServiceError::Store(parvis_store::StoreError::Read(
                        "measures: a segment's computation stopped",
                    ))
                })??;
        let (slipping_away, top) = self.name_lists(slipping, &scores, &levels).await?;
        d.slipping_away = slipping_away;
        d.top_scores = top;
        Ok(Arc::new(d))
    }

    /// The segment base of `inputs`: kept from an earlier call for the same inputs, or read.
    async fn segment_base(&self, slug: &str, inputs: &Inputs) -> Result<Arc<SegmentBase>> {
        let kept = self
            .inner
            .measures
            .bases
            .lock()
            .ok()
            .and_then(|m| m.get(&inputs.space_id).cloned())
            .filter(|(at, _)| *at == inputs.now)
            .map(|(_, b)| b);
        if let Some(base) = kept {
            return Ok(base);
        }
        let store = self.store();
        let space_id = inputs.space_id;
        let mut by_channel = store
            .measure_period_totals_by_channel(space_id, &inputs.query(""))
            .await?;
        super::given::add_given_on_parvis(
            &mut by_channel,
            &inputs.testimonials_given,
            inputs.window(),
        );
        let imported = store
            .measure_period_totals(space_id, &inputs.query("*imported"))
            .await?;
        let attributes = store
            .measure_member_attributes()
            .await?
            .into_iter()
            .map(|(id, role, org)| (id, (role, org.to_lowercase())))
            .collect();
        let mut topics = HashMap::new();
        let space = self.space(slug).await?;
        let since = pyramid::week_start(inputs.previous.from_week);
        for t in self.topics(&space).await? {
            let members = store.members_in_topic(space_id, t.id.0, since).await?;
            topics.insert(t.slug, members.into_iter().collect());
        }
        let base = Arc::new(SegmentBase {
            by_channel,
            imported,
            attributes,
            topics,
        });
        if let Ok(mut m) = self.inner.measures.bases.lock() {
            m.insert(space_id, (inputs.now, base.clone()));
        }
        Ok(base)
    }

    /// The levels of the members of a segment, now and in the previous period, with
    /// `settings`' thresholds.
    pub(super) async fn segment_levels(
        &self,
        slug: &str,
        inputs: &Inputs,
        seg: &Segment,
        settings: &super::MeasureSettings,
    ) -> Result<SegmentLevels> {
        let base = self.segment_base(slug, inputs).await?;
        segment_levels_of(&base, inputs, seg, settings)
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

/// A segment's levels from the base, with `settings`' thresholds (pure computation).
fn segment_levels_of(
    base: &SegmentBase,
    inputs: &Inputs,
    seg: &Segment,
    settings: &super::MeasureSettings,
) -> Result<SegmentLevels> {
    let sums = base.sums(inputs, seg)?;
    let staff = &inputs.staff;
    let people = staff_people(staff);
    let th = &settings.thresholds;
    let split = split_totals(&sums);
    let (cur, prev, _) = &split;
    let now = drop_idle_staff(pyramid::levels_from_totals(&people, cur, th), staff, cur);
    let before = drop_idle_staff(pyramid::levels_from_totals(&people, prev, th), staff, prev);
    Ok(SegmentLevels {
        now,
        before,
        sums,
        split,
    })
}

/// A segment's people slipping away and top scores, with the scored members' levels.
type Lists = (
    Vec<pyramid::Slipping>,
    Vec<(i64, f64)>,
    BTreeMap<i64, Level>,
);

/// The whole-space dashboard `whole` restricted to a segment, but for the names of the
/// people in its two lists (returned apart: naming them reads the store).
fn segment_dashboard(
    base: &SegmentBase,
    inputs: &Inputs,
    seg: &Segment,
    whole: &Dashboard,
) -> Result<(Dashboard, Lists)> {
    let levels = segment_levels_of(base, inputs, seg, &whole.settings)?;
    let mut d = whole.clone();
    d.segment = Some(seg.key());
    d.pyramid = pyramid::pyramid(&levels.now);
    d.previous_pyramid = pyramid::pyramid(&levels.before);
    d.flows = pyramid::flows(&levels.before, &levels.now);
    let (_, prev, last) = &levels.split;
    let slipping = pyramid::slipping_from_totals(prev, last, &levels.before, &levels.now);
    let scores = top_scores(
        &levels.sums,
        &levels.now,
        &levels.before,
        weights(&whole.settings),
    );
    let scored = scores
        .iter()
        .filter_map(|(m, _)| levels.now.get(m).map(|l| (*m, *l)))
        .collect();
    Ok((d, (slipping.into_iter().take(20).collect(), scores, scored)))
}

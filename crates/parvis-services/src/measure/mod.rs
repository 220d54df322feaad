//! Measures of a space for its admins and moderators: the services feed the pure functions of
//! `parvis-measure` from the store's pre-aggregated activity and keep it current.
//!
//! Cost model (the goal: every dashboard under 1 s at 1 M messages): a computation first
//! refreshes the aggregate incrementally (only messages, reactions and reads that arrived since
//! the last refresh are read), then reads the per-member sums of the last two periods and the
//! per-channel weekly totals, plus bounded samples (the latest staff publications and community
//! messages): the [`snapshot`] inputs. A computed dashboard is kept in memory as the space's
//! snapshot, with its inputs: views cost one lookup, and once the content changed (or a minute
//! passed) the next view still gets the snapshot at once while one background task recomputes
//! it (see [`Services::measures`]), then the views of every segment the picker offers
//! ([`segments`]). A settings change re-classifies the kept inputs instead of reading them
//! again. The weekly digest mail is in [`digest`].

pub mod digest;
pub mod events;
mod given;
mod objective_views;
mod plausibility;
mod segments;
mod snapshot;
pub mod survey_mail;
mod survey_privacy;
mod surveys;

pub use plausibility::{Answerer, Plausibility};
pub use segments::SegmentChoice;
pub use surveys::{ClosedSurvey, SURVEY_CLOSED, SurveyView, SurveysSummary};

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::{Rule, ValidationError, now_millis};
use parvis_measure::MeasureError;
use parvis_measure::editorial::{EditorialPlan, Scorecard};
use parvis_measure::objectives::Progress;
use parvis_measure::presence::{self, Presence};
use parvis_measure::pyramid::{
    self, Flow, Level, LevelCount, Period, ScoreWeights, Slipping, Thresholds, Totals, WeekActivity,
};
use parvis_measure::readability::TextLang;
use parvis_measure::standing::{Legitimacy, Notoriety};
use parvis_store::{MemberPeriods, PeriodSums};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// A computed dashboard is reused this long if nothing was written meanwhile.
const CACHE_TTL: Duration = Duration::from_secs(60);

/// A space's measure settings (stored as JSON; every field has a default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct MeasureSettings {
    pub thresholds: Thresholds,
    pub score: ScoreWeights,
    pub presence: presence::Weights,
    pub plan: EditorialPlan,
}

/// A member in a list (slipping away, top scores).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named<T> {
    pub member_id: i64,
    pub handle: String,
    pub display_name: String,
    #[serde(flatten)]
    pub item: T,
}

/// One member's decaying activity score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreItem {
    pub score: f64,
    pub level: Level,
}

/// Messages per channel per week.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ChannelSeries {
    /// Week indexes (weeks since 1970-01-01); `week_starts` gives their first day (Unix ms).
    pub weeks: Vec<i64>,
    pub week_starts: Vec<i64>,
    pub channels: Vec<String>,
    /// `counts[c][w]`: messages on channel `c` in week `w`.
    pub counts: Vec<Vec<u64>>,
}

/// An objective with its progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObjectiveView {
    pub id: i64,
    pub measure: String,
    pub target: f64,
    pub baseline: Option<f64>,
    pub due_at: i64,
    pub segment: String,
    pub created_at: i64,
    pub progress: Progress,
}

/// A value over time with the formula version that produced it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPoint {
    pub week: i64,
    pub value: f64,
    pub formula_version: String,
}

/// Everything the dashboards show for one space.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub space: String,
    pub generated_at: i64,
    /// The current period (weeks `[from_week, to_week)`) and the previous one.
    pub period_from_week: i64,
    pub period_to_week: i64,
    pub settings: MeasureSettings,
    pub pyramid: Vec<LevelCount>,
    pub previous_pyramid: Vec<LevelCount>,
    pub flows: Vec<Flow>,
    pub slipping_away: Vec<Named<Slipping>>,
    pub top_scores: Vec<Named<ScoreItem>>,
    pub notoriety: Notoriety,
    pub legitimacy: Legitimacy,
    pub channels: ChannelSeries,
    pub scorecard: Scorecard,
    pub surveys: SurveysSummary,
    /// Sentiment of recent community messages (compound −1..1), `None` without messages.
    pub sentiment: Option<f64>,
    pub presence: Presence,
    /// Weekly history of NPS, eNPS, IPe, IPi and IP.
    pub trends: BTreeMap<String, Vec<TrendPoint>>,
    pub objectives: Vec<ObjectiveView>,
    /// Sessions and series with registrations, attendance, leads, conversions, cost and ROI.
    pub events: events::EventReport,
    /// The segment (`kind:value`) the pyramid, flows, slipping and scores are restricted to;
    /// absent for the whole space.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The settings just changed what is counted (the period length or the half-life): these
    /// figures still follow the previous settings (shown in `settings`) while the dashboard
    /// is recomputed in the background; a view a few seconds later has the new ones.
    pub recomputing: bool,
}

impl Dashboard {
    /// The current value of an objective's measure (whole space).
    pub fn value_of(&self, measure: &str) -> Option<f64> {
        let level = |l: Level| {
            self.pyramid
                .iter()
                .find(|c| c.level == l)
                .map(|c| c.count as f64)
        };
        let pct = |v: Option<f64>| v.map(|v| v * 100.0);
        match measure {
            "audience" => level(Level::Audience),
            "reactors" => level(Level::Reactor),
            "contributors" => level(Level::Contributor),
            "engaged" => level(Level::Engaged),
            "ambassadors" => level(Level::Ambassador),
            "top_two_share" => Some(self.legitimacy.top_two_share * 100.0),
            "answer_share" => pct(self.scorecard.answer_share),
            "answered_within_48h" => pct(self.scorecard.answered_within_48h),
            "median_first_answer_hours" => self.scorecard.median_first_answer_hours,
            "publications_per_week" => Some(self.scorecard.per_week),
            "coherence" => pct(self.scorecard.coherence),
            "self_promotion" => pct(self.scorecard.self_promotion),
            "nps" => self.surveys.nps.as_ref().and_then(|s| s.value),
            "enps" => self.surveys.enps.as_ref().and_then(|s| s.value),
            "csat" => self.surveys.csat.as_ref().and_then(|s| s.value),
            "ces" => self.surveys.ces.as_ref().and_then(|s| s.value),
            "ipe" => self.presence.ipe,
            "ipi" => self.presence.ipi,
            "ip" => self.presence.ip,
            _ => None,
        }
    }
}

/// A space's computed dashboard: when, at which content version, and the inputs it was
/// assembled from (kept to re-assemble it after a settings change, see [`snapshot`]).
#[derive(Clone)]
pub(crate) struct Snapshot {
    at: Instant,
    version: i64,
    dashboard: Arc<Dashboard>,
    inputs: Arc<snapshot::Inputs>,
}

/// A segment view: the whole-space dashboard it was derived from, and the view.
type SegmentView = (Arc<Dashboard>, Arc<Dashboard>);

/// Computed dashboards, per space, and the spaces whose dashboard is being recomputed in
/// the background (at most one recomputation per space at a time).
#[derive(Default)]
pub(crate) struct MeasureCache {
    entries: Mutex<HashMap<i64, Snapshot>>,
    refreshing: Mutex<HashSet<i64>>,
    /// Segment views, per (space, segment): the whole-space snapshot each was derived from,
    /// and the view (see [`segments`]).
    segments: Mutex<HashMap<(i64, String), SegmentView>>,
    segments_refreshing: Mutex<HashSet<(i64, String)>>,
    /// Spaces whose segment views are being computed.
    precomputing: Mutex<HashSet<i64>>,
    /// Per space, the segment base read for the inputs read at a given time.
    bases: Mutex<HashMap<i64, (i64, Arc<segments::SegmentBase>)>>,
}

/// A refused measure input as a validation error naming its field.
pub(crate) fn refused(e: MeasureError) -> ServiceError {
    let rule =
        if e.rule == "unknown_measure" || e.rule == "unknown_kind" || e.rule == "unknown_segment" {
            Rule::Choice
        } else {
            Rule::Other
        };
    ServiceError::Validation(ValidationError::broke(e.field, rule, e.message))
}

fn to_activity(r: &parvis_store::ActivityRow) -> WeekActivity {
    let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
    WeekActivity {
        member: r.member_id,
        channel: r.channel.clone(),
        week: r.week,
        posts: n(r.posts),
        answers: n(r.answers),
        reactions: n(r.reactions),
        reads: n(r.reads),
        referrals: n(r.referrals),
    }
}

impl Services {
    /// A space's measure settings (defaults when never set).
    pub async fn measure_settings(&self, space_id: i64) -> Result<MeasureSettings> {
        Ok(match self.store().measure_settings(space_id).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => MeasureSettings::default(),
        })
    }

    /// Replace a space's measure settings (admins), after checking every part.
    pub async fn set_measure_settings(
        &self,
        actor: &Actor,
        slug: &str,
        settings: &MeasureSettings,
    ) -> Result<()> {
        actor.require_admin()?;
        let space = self.space(slug).await?;
        settings.thresholds.validate().map_err(refused)?;
        settings.score.validate().map_err(refused)?;
        settings.presence.validate().map_err(refused)?;
        settings.plan.validate().map_err(refused)?;
        let json = serde_json::to_string(settings).map_err(|e| {
            ServiceError::Validation(ValidationError::new("settings", e.to_string()))
        })?;
        self.store()
            .set_measure_settings(space.id.0, &json, now_millis())
            .await?;
        self.reassemble_dashboard(&space.slug, space.id.0).await
    }

    /// After a change that leaves the counts as they are (settings, objectives): assemble
    /// the space's dashboard again from its snapshot's inputs, in milliseconds, when they fit
    /// the space's settings. Segment views are derived again in the background (from memory:
    /// the segment base is kept). When the settings change what is counted, the snapshot is
    /// kept, marked [`Dashboard::recomputing`], and served while a background task computes
    /// the new one (seconds at a million messages) rather than making the admin wait.
    async fn reassemble_dashboard(&self, slug: &str, space_id: i64) -> Result<()> {
        let settings = self.measure_settings(space_id).await?;
        let snap = self.snapshot(space_id);
        self.forget_dashboard(space_id);
        let Some(snap) = snap else {
            return Ok(());
        };
        if !snap.inputs.fits(&settings) {
            let mut stale = (*snap.dashboard).clone();
            stale.recomputing = true;
            if let Ok(mut m) = self.inner.measures.entries.lock() {
                // No content version matches: every view asks for the recomputation.
                m.insert(
                    space_id,
                    Snapshot {
                        dashboard: Arc::new(stale),
                        version: i64::MIN,
                        ..snap
                    },
                );
            }
            self.refresh_dashboard_in_background(slug.to_string(), space_id);
            return Ok(());
        }
        let dashboard = Arc::new(self.assemble(slug, &snap.inputs, &settings).await?);
        if let Ok(mut m) = self.inner.measures.entries.lock() {
            m.insert(space_id, Snapshot { dashboard, ..snap });
        }
        self.precompute_segments_in_background(slug.to_string(), space_id);
        Ok(())
    }

    /// The space's current snapshot, if any.
    fn snapshot(&self, space_id: i64) -> Option<Snapshot> {
        self.inner
            .measures
            .entries
            .lock()
            .ok()
            .and_then(|m| m.get(&space_id).cloned())
    }

    pub(crate) fn forget_dashboard(&self, space_id: i64) {
        if let Ok(mut m) = self.inner.measures.entries.lock() {
            m.remove(&space_id);
        }
        if let Ok(mut m) = self.inner.measures.segments.lock() {
            m.retain(|(space, _), _| *space != space_id);
        }
    }

    /// The dashboard of a space (admins and moderators).
    ///
    /// Served from the cache when still current. When activity has arrived since (or the
    /// snapshot is older than a minute), the last snapshot is served at once — it says when
    /// it was computed — while one background task recomputes it: at a million messages a
    /// recomputation takes about a second, and a moderator opening the page right after a
    /// new message should not wait for it. Only a space with no snapshot yet (first view,
    /// or settings, objectives or surveys just changed) is computed while the reader waits.
    pub async fn measures(&self, actor: &Actor, slug: &str) -> Result<Arc<Dashboard>> {
        Ok(self.snapshot_for(actor, slug).await?.dashboard)
    }

    /// [`Services::measures`] with the inputs the dashboard came from. A snapshot computed
    /// while the reader waits has its segment views computed in the background.
    pub(crate) async fn snapshot_for(&self, actor: &Actor, slug: &str) -> Result<Snapshot> {
        actor.require_moderator()?;
        let space = self.space(slug).await?;
        let version = self.store().content_version().await?;
        if let Some(snap) = self.snapshot(space.id.0) {
            if snap.version != version || snap.at.elapsed() >= CACHE_TTL {
                self.refresh_dashboard_in_background(space.slug.clone(), space.id.0);
            }
            return Ok(snap);
        }
        let snap = self
            .recompute_dashboard(&space.slug, space.id.0, version)
            .await?;
        self.precompute_segments_in_background(space.slug.clone(), space.id.0);
        Ok(snap)
    }

    /// Compute every space's dashboard once and keep it, then the views of the segments its
    /// picker offers, so that the first view after a start, of the whole space or of a
    /// segment, does not wait for a computation (seconds at a million messages). The server
    /// runs this in the background at start-up; returns how many spaces were computed.
    pub async fn warm_dashboards(&self) -> Result<usize> {
        let mut done = 0;
        for space in self.spaces().await? {
            let version = self.store().content_version().await?;
            self.recompute_dashboard(&space.slug, space.id.0, version)
                .await?;
            self.precompute_segments(&space.slug, space.id.0).await?;
            done += 1;
        }
        Ok(done)
    }

    /// Compute a space's dashboard and keep it as the space's snapshot.
    async fn recompute_dashboard(
        &self,
        slug: &str,
        space_id: i64,
        version: i64,
    ) -> Result<Snapshot> {
        let mut settings = self.measure_settings(space_id).await?;
        let mut inputs = Arc::new(self.load_inputs(space_id, &settings, now_millis()).await?);
        let mut dashboard = self.assemble(slug, &inputs, &settings).await?;
        // Settings saved during the computation would be lost under its result: apply them
        // (a second read only when they change what is counted).
        for _ in 0..3 {
            let latest = self.measure_settings(space_id).await?;
            if latest == settings {
                break;
            }
            settings = latest;
            if !inputs.fits(&settings) {
                inputs = Arc::new(self.load_inputs(space_id, &settings, now_millis()).await?);
            }
            dashboard = self.assemble(slug, &inputs, &settings).await?;
        }
        let snap = Snapshot {
            at: Instant::now(),
            version,
            dashboard: Arc::new(dashboard),
            inputs,
        };
        if let Ok(mut m) = self.inner.measures.entries.lock() {
            m.insert(space_id, snap.clone());
        }
        Ok(snap)
    }

    /// Start recomputing a space's dashboard unless that is already under way.
    fn refresh_dashboard_in_background(&self, slug: String, space_id: i64) {
        let started = self
            .inner
            .measures
            .refreshing
            .lock()
            .map(|mut r| r.insert(space_id))
            .unwrap_or(false);
        if !started {
            return;
        }
        let services = self.clone();
        tokio::spawn(async move {
            // The version is read before computing: activity that lands during the
            // computation leaves the snapshot marked older, so the next view refreshes again.
            let outcome = match services.store().content_version().await {
                Ok(version) => services
                    .recompute_dashboard(&slug, space_id, version)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e.into()),
            };
            // Then the segment views of the new snapshot, so that none is computed while a
            // reader waits.
            let outcome = match outcome {
                Ok(()) => services
                    .precompute_segments(&slug, space_id)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            };
            if let Err(e) = outcome {
                tracing::warn!(space = %slug, error = %e, "measures: background recomputation failed");
            }
            if let Ok(mut r) = services.inner.measures.refreshing.lock() {
                r.remove(&space_id);
            }
        });
    }

    /// Compute a space's dashboard at `now` (no cache). Public for the CLI and the benchmark.
    pub async fn compute_dashboard(
        &self,
        slug: &str,
        space_id: i64,
        now: i64,
    ) -> Result<Dashboard> {
        let settings = self.measure_settings(space_id).await?;
        let inputs = self.load_inputs(space_id, &settings, now).await?;
        self.assemble(slug, &inputs, &settings).await
    }
}

/// The store's per-member sums as the measures crate's totals: current period, previous
/// period, and each member's last active week.
pub(crate) type Split = (
    BTreeMap<i64, Totals>,
    BTreeMap<i64, Totals>,
    BTreeMap<i64, i64>,
);

pub(super) fn split_totals(rows: &[MemberPeriods]) -> Split {
    let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
    let totals = |s: &PeriodSums| Totals {
        posts: n(s.posts),
        answers: n(s.answers),
        reactions: n(s.reactions),
        reads: n(s.reads),
        referrals: n(s.referrals),
        writing_weeks: n(s.writing_weeks),
        last_week: s.last_week,
    };
    let (mut cur, mut prev, mut last) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for r in rows {
        if r.current.last_week.is_some() {
            cur.insert(r.member_id, totals(&r.current));
        }
        if r.previous.last_week.is_some() {
            prev.insert(r.member_id, totals(&r.previous));
        }
        if let Some(w) = r.current.last_week.max(r.previous.last_week) {
            last.insert(r.member_id, w);
        }
    }
    (cur, prev, last)
}

/// Messages per channel per week from the store's (channel, week, count) rows.
fn channel_series(rows: &[(String, i64, i64)], period: Period) -> ChannelSeries {
    let weeks: Vec<i64> = (period.from_week..period.to_week).collect();
    let mut by: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (channel, week, n) in rows {
        let row = by
            .entry(channel.as_str())
            .or_insert_with(|| vec![0; weeks.len()]);
        if let Some(slot) = usize::try_from(week - period.from_week)
            .ok()
            .and_then(|i| row.get_mut(i))
        {
            *slot += (*n).max(0) as u64;
        }
    }
    ChannelSeries {
        week_starts: weeks.iter().map(|w| pyramid::week_start(*w)).collect(),
        weeks,
        channels: by.keys().map(|c| c.to_string()).collect(),
        counts: by.into_values().collect(),
    }
}

/// `levels` lists every staff member as audience so that it can leave them out; when staff are
/// included, those who did nothing in the period are not part of the space's audience either.
pub(super) fn drop_idle_staff(
    mut levels: BTreeMap<i64, Level>,
    staff: &[i64],
    totals: &BTreeMap<i64, Totals>,
) -> BTreeMap<i64, Level> {
    for s in staff {
        if !totals.contains_key(s) {
            levels.remove(s);
        }
    }
    levels
}

fn mentions_any(text: &str, names: &[String]) -> bool {
    let names: Vec<String> = names
        .iter()
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return true; // no declared names: the whole conversation is about the space
    }
    let lower = text.to_lowercase();
    names.iter().any(|n| lower.contains(n.as_str()))
}

/// French or English, by counting a few frequent function words of each.
pub fn guess_lang(text: &str) -> TextLang {
    const FR: [&str; 12] = [
        "le", "la", "les", "des", "est", "et", "une", "pour", "que", "dans", "nous", "vous",
    ];
    const EN: [&str; 12] = [
        "the", "is", "and", "of", "to", "for", "that", "in", "we", "you", "with", "this",
    ];
    let (mut fr, mut en) = (0, 0);
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(400)
    {
        let w = w.to_lowercase();
        fr += usize::from(FR.contains(&w.as_str()));
        en += usize::from(EN.contains(&w.as_str()));
    }
    if en > fr { TextLang::En } else { TextLang::Fr }
}

//! Measures of a space for its admins and moderators: the services feed the pure functions of
//! `parvis-measure` from the store's pre-aggregated activity and keep it current.
//!
//! Cost model (the goal: every dashboard under 1 s at 1 M messages): each request first
//! refreshes the aggregate incrementally (only messages, reactions and reads that arrived since
//! the last refresh are read), then reads the aggregate's rows of the last two periods and the
//! per-channel weekly totals, plus bounded samples (the latest staff publications and community
//! messages). A computed dashboard is kept in memory as the space's snapshot: views cost one
//! lookup, and once the content changed (or a minute passed) the next view still gets the
//! snapshot at once while one background task recomputes it (see [`Services::measures`]).
//! The weekly digest mail is in [`digest`].

pub mod digest;
pub mod events;
mod plausibility;
mod segments;
mod surveys;

pub use plausibility::{Answerer, Plausibility};
pub use segments::SegmentChoice;
pub use surveys::{SurveyView, SurveysSummary};

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::{Rule, ValidationError, now_millis};
use parvis_measure::editorial::{self, EditorialPlan, Publication, Question, Scorecard};
use parvis_measure::objectives::{self, Objective, Progress};
use parvis_measure::presence::{self, Components, Presence};
use parvis_measure::pyramid::{
    self, Flow, Level, LevelCount, Period, Person, ScoreWeights, Slipping, Thresholds, Totals,
    WeekActivity,
};
use parvis_measure::readability::TextLang;
use parvis_measure::standing::{Legitimacy, Notoriety};
use parvis_measure::{MeasureError, sentiment};
use parvis_store::{MemberPeriods, PeriodSums, PeriodsQuery};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// Staff publications read for the scorecard (newest first).
const PUBLICATIONS_SAMPLE: i64 = 500;
/// Community messages read for the sentiment (newest first).
const SENTIMENT_SAMPLE: i64 = 1000;
/// Weeks of per-channel history shown (two years).
const HISTORY_WEEKS: i64 = 104;
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
#[derive(Debug, Clone, Serialize, ToSchema)]
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

/// A computed dashboard: when, at which content version.
type Cached = (Instant, i64, Arc<Dashboard>);

/// Computed dashboards, per space, and the spaces whose dashboard is being recomputed in
/// the background (at most one recomputation per space at a time).
#[derive(Default)]
pub(crate) struct MeasureCache {
    entries: Mutex<HashMap<i64, Cached>>,
    refreshing: Mutex<std::collections::HashSet<i64>>,
    /// Segment views, per (space, segment): the whole-space snapshot each was derived from,
    /// and the view (see [`segments`]).
    segments: Mutex<HashMap<(i64, String), (Arc<Dashboard>, Arc<Dashboard>)>>,
    segments_refreshing: Mutex<std::collections::HashSet<(i64, String)>>,
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
        self.forget_dashboard(space.id.0);
        Ok(())
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
        actor.require_moderator()?;
        let space = self.space(slug).await?;
        let version = self.store().content_version().await?;
        let snapshot = self
            .inner
            .measures
            .entries
            .lock()
            .ok()
            .and_then(|m| m.get(&space.id.0).cloned());
        if let Some((at, v, d)) = snapshot {
            if v != version || at.elapsed() >= CACHE_TTL {
                self.refresh_dashboard_in_background(space.slug.clone(), space.id.0);
            }
            return Ok(d);
        }
        self.recompute_dashboard(&space.slug, space.id.0, version)
            .await
    }

    /// Compute every space's dashboard once and keep it, so that the first view after a
    /// start does not wait for a computation (seconds at a million messages). The server
    /// runs this in the background at start-up; returns how many spaces were computed.
    pub async fn warm_dashboards(&self) -> Result<usize> {
        let mut done = 0;
        for space in self.spaces().await? {
            let version = self.store().content_version().await?;
            self.recompute_dashboard(&space.slug, space.id.0, version)
                .await?;
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
    ) -> Result<Arc<Dashboard>> {
        let d = Arc::new(self.compute_dashboard(slug, space_id, now_millis()).await?);
        if let Ok(mut m) = self.inner.measures.entries.lock() {
            m.insert(space_id, (Instant::now(), version, d.clone()));
        }
        Ok(d)
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
        let store = self.store();
        let started = Instant::now();
        let refresh = store.measure_refresh(space_id, now).await?;
        let settings = self.measure_settings(space_id).await?;
        let th = &settings.thresholds;
        let this_week = pyramid::week_of(now);
        let period = Period::ending(this_week, th.window_weeks);
        let previous = period.previous();
        // Decay factors of the last two periods' weeks (older weeks weigh little at the default
        // half-life); the store sums weighted activity with them in the same pass.
        let w = &settings.score;
        let factors: Vec<(i64, f64)> = (previous.from_week..period.to_week)
            .map(|week| (week, pyramid::week_factor(week, now, w.half_life_days)))
            .collect();
        let query = PeriodsQuery {
            prev_from: previous.from_week,
            from: period.from_week,
            to: period.to_week,
            channel: "",
            factors: &factors,
            weights: [w.post, w.answer, w.reaction, w.read, w.referral],
        };
        let sums = store.measure_period_totals(space_id, &query).await?;
        let (cur_totals, prev_totals, last_active) = split_totals(&sums);
        let staff = store.measure_staff().await?;
        let people: Vec<Person> = staff
            .iter()
            .map(|&member| Person {
                member,
                staff: true,
            })
            .collect();
        // Staff only count when included, and then only if active: `levels` lists every
        // person given as audience at least.
        let now_levels = drop_idle_staff(
            pyramid::levels_from_totals(&people, &cur_totals, th),
            &staff,
            &cur_totals,
        );
        let before_levels = drop_idle_staff(
            pyramid::levels_from_totals(&people, &prev_totals, th),
            &staff,
            &prev_totals,
        );
        let pyr = pyramid::pyramid(&now_levels);
        let slipping =
            pyramid::slipping_from_totals(&prev_totals, &last_active, &before_levels, &now_levels);
        let answers: u64 = cur_totals
            .iter()
            .filter(|(m, _)| now_levels.contains_key(m))
            .map(|(_, t)| u64::from(t.answers))
            .sum();

        let mut scores: Vec<(i64, f64)> = sums
            .iter()
            .filter(|r| {
                now_levels.contains_key(&r.member_id) || before_levels.contains_key(&r.member_id)
            })
            .map(|r| (r.member_id, r.score))
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scores.truncate(20);

        let notoriety = Notoriety {
            readers: cur_totals.values().filter(|t| t.reads > 0).count() as u64,
            imported_followers: sums.iter().filter(|r| r.elsewhere).count() as u64,
            embed_impressions: Some(
                store
                    .measure_embed_impressions(space_id, pyramid::week_start(period.from_week))
                    .await?
                    .max(0) as u64,
            ),
        };
        let mut legitimacy = parvis_measure::standing::legitimacy(&pyr, answers);
        legitimacy.testimonials = Some(store.measure_testimonials(space_id).await?.max(0) as u64);

        let history = Period::ending(this_week, HISTORY_WEEKS as u32);
        let channels = channel_series(
            &store
                .measure_posts_by_channel(space_id, history.from_week)
                .await?,
            history,
        );

        let from_ms = pyramid::week_start(period.from_week);
        let questions: Vec<Question> = store
            .measure_questions(space_id, from_ms)
            .await?
            .into_iter()
            .map(|q| Question {
                asked_at_ms: q.asked_at,
                first_staff_answer_ms: q.first_staff_answer_at,
            })
            .collect();
        let pubs: Vec<Publication> = store
            .measure_staff_publications(space_id, from_ms, PUBLICATIONS_SAMPLE)
            .await?
            .into_iter()
            .map(|p| Publication {
                at_ms: p.at,
                on_declared_topic: p.on_declared_topic,
                lang: guess_lang(&p.body_md),
                text: p.body_md,
            })
            .collect();
        let scorecard = editorial::scorecard(
            &pubs,
            &questions,
            &settings.plan,
            f64::from(th.window_weeks),
        );
        let texts = store
            .measure_community_texts(space_id, from_ms, SENTIMENT_SAMPLE)
            .await?;
        let about: Vec<(&str, TextLang)> = texts
            .iter()
            .filter(|t| mentions_any(t, &settings.plan.own_names))
            .map(|t| (t.as_str(), guess_lang(t)))
            .collect();
        let sentiment = sentiment::mean_compound(&about);

        let surveys = self.surveys_summary(space_id).await?;
        let employees_writing = staff
            .iter()
            .filter(|m| cur_totals.get(m).is_some_and(|t| t.posts > 0))
            .count();
        let components = Components {
            nps: surveys.nps.as_ref().and_then(|s| s.value),
            csat: surveys.csat.as_ref().and_then(|s| s.value),
            ces: surveys.ces.as_ref().and_then(|s| s.value),
            responsiveness: scorecard.answer_share,
            sentiment,
            enps: surveys.enps.as_ref().and_then(|s| s.value),
            participation: (!staff.is_empty())
                .then(|| employees_writing as f64 / staff.len() as f64),
        };
        let presence = presence::presence(&components, &settings.presence).map_err(refused)?;
        for (key, value) in [
            ("nps", components.nps),
            ("enps", components.enps),
            ("ipe", presence.ipe),
            ("ipi", presence.ipi),
            ("ip", presence.ip),
        ] {
            if let Some(v) = value {
                store
                    .record_figure(space_id, key, this_week, v, presence::FORMULA_VERSION)
                    .await?;
            }
        }
        let mut trends = BTreeMap::new();
        for key in ["nps", "enps", "ipe", "ipi", "ip"] {
            let points = store
                .figures(space_id, key)
                .await?
                .into_iter()
                .map(|(week, value, formula_version)| TrendPoint {
                    week,
                    value,
                    formula_version,
                })
                .collect();
            trends.insert(key.to_string(), points);
        }

        let names = |ids: Vec<i64>| async move { store.member_names(&ids).await };
        let slipping_names = names(slipping.iter().take(20).map(|s| s.member).collect()).await?;
        let score_names = names(scores.iter().map(|s| s.0).collect()).await?;
        let named = |list: &[(i64, String, String)], id: i64| {
            list.iter()
                .find(|n| n.0 == id)
                .map(|n| (n.1.clone(), n.2.clone()))
                .unwrap_or_default()
        };
        let slipping_away = slipping
            .into_iter()
            .take(20)
            .map(|s| {
                let (handle, display_name) = named(&slipping_names, s.member);
                Named {
                    member_id: s.member,
                    handle,
                    display_name,
                    item: s,
                }
            })
            .collect();
        let top_scores = scores
            .iter()
            .map(|(m, score)| {
                let (handle, display_name) = named(&score_names, *m);
                Named {
                    member_id: *m,
                    handle,
                    display_name,
                    item: ScoreItem {
                        score: *score,
                        level: now_levels.get(m).copied().unwrap_or(Level::Audience),
                    },
                }
            })
            .collect();

        let mut d = Dashboard {
            space: slug.to_string(),
            generated_at: now,
            period_from_week: period.from_week,
            period_to_week: period.to_week,
            previous_pyramid: pyramid::pyramid(&before_levels),
            flows: pyramid::flows(&before_levels, &now_levels),
            pyramid: pyr,
            settings: settings.clone(),
            slipping_away,
            top_scores,
            notoriety,
            legitimacy,
            channels,
            scorecard,
            surveys,
            sentiment,
            presence,
            trends,
            objectives: vec![],
            events: self.event_report(space_id).await?,
            segment: None,
        };
        d.objectives = self.objective_views(space_id, &d, &query, now).await?;
        tracing::info!(
            space = slug,
            rebuilt = refresh.rebuilt,
            new_messages = refresh.messages,
            members = sums.len(),
            ms = started.elapsed().as_millis() as u64,
            "measures computed"
        );
        Ok(d)
    }

    async fn objective_views(
        &self,
        space_id: i64,
        d: &Dashboard,
        query: &PeriodsQuery<'_>,
        now: i64,
    ) -> Result<Vec<ObjectiveView>> {
        let mut out = vec![];
        for o in self.store().objectives(space_id).await? {
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
                self.segment_value(space_id, &o.measure, &o.segment, d, query)
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

    /// A pyramid level count within a segment (any segment kind); other measures are not
    /// measured per segment (`None`).
    async fn segment_value(
        &self,
        space_id: i64,
        measure: &str,
        segment: &str,
        d: &Dashboard,
        query: &PeriodsQuery<'_>,
    ) -> Result<Option<f64>> {
        let Ok(Some(seg)) = parvis_measure::segment::Segment::parse(segment) else {
            return Ok(None);
        };
        let Some(level) = Level::ALL.iter().copied().find(|l| l.key() == measure) else {
            return Ok(None);
        };
        let period = Period {
            from_week: query.from,
            to_week: query.to,
        };
        let previous = Period {
            from_week: query.prev_from,
            to_week: query.from,
        };
        let parts = (query.factors.to_vec(), period, previous);
        let levels = match self.segment_levels(space_id, &seg, d, &parts).await {
            Ok(l) => l,
            // A topic deleted since the objective was declared: not measured.
            Err(ServiceError::Validation(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(
            levels.now.values().filter(|l| **l == level).count() as f64
        ))
    }

    /// Declare an objective (admins); the measure's current value is kept as its baseline.
    pub async fn create_objective(
        &self,
        actor: &Actor,
        slug: &str,
        objective: &Objective,
    ) -> Result<i64> {
        actor.require_admin()?;
        let now = now_millis();
        objective.validate(now).map_err(refused)?;
        let d = self.measures(actor, slug).await?;
        let space = self.space(slug).await?;
        let baseline = d.value_of(&objective.measure).map(|v| v.to_string());
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
        self.forget_dashboard(space.id.0);
        Ok(id)
    }

    /// Delete an objective (admins).
    pub async fn delete_objective(&self, actor: &Actor, slug: &str, id: i64) -> Result<()> {
        actor.require_admin()?;
        let space = self.space(slug).await?;
        self.store().delete_objective(space.id.0, id).await?;
        self.forget_dashboard(space.id.0);
        Ok(())
    }
}

/// The store's per-member sums as the measures crate's totals: current period, previous
/// period, and each member's last active week.
type Split = (
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

//! One dashboard computation in two steps: [`Services::load_inputs`] reads everything the
//! dashboard needs from the store (the per-member sums of the two periods, the staff, the
//! scorecard's samples, surveys, events…), and [`Services::assemble`] turns those inputs and
//! the space's settings into a [`Dashboard`].
//!
//! The split is what makes a settings change cheap: the inputs are kept with the space's
//! snapshot, and most settings (the level thresholds, staff exclusion, the score weights, the
//! Presence weighting, the editorial plan) only change how the same counts are classified and
//! weighed. Those are re-assembled from the kept inputs in milliseconds instead of reading a
//! million messages' aggregate again (seconds). Only the period length and the half-life change
//! what is read (the weeks, the decay factors); see [`Inputs::fits`].

use super::{
    Dashboard, MeasureSettings, Named, ScoreItem, TrendPoint, channel_series, drop_idle_staff,
    guess_lang, mentions_any, refused, split_totals,
};
use crate::{Result, Services};
use parvis_measure::editorial::{self, Publication, Question};
use parvis_measure::presence::{self, Components};
use parvis_measure::pyramid::{self, Level, Period, Person};
use parvis_measure::sentiment;
use parvis_measure::standing::Notoriety;
use parvis_store::{MemberPeriods, PeriodsQuery};
use std::collections::BTreeMap;
use std::time::Instant;

/// Staff publications read for the scorecard (newest first).
const PUBLICATIONS_SAMPLE: i64 = 500;
/// Community messages read for the sentiment (newest first).
const SENTIMENT_SAMPLE: i64 = 1000;
/// Weeks of per-channel history shown (two years).
const HISTORY_WEEKS: i64 = 104;

/// Everything a dashboard reads from the store, at one moment.
pub(crate) struct Inputs {
    pub space_id: i64,
    /// When the inputs were read (the dashboard's `generated_at`).
    pub now: i64,
    /// The settings the reads depended on: the period length and the score's half-life.
    pub window_weeks: u32,
    pub half_life_days: f64,
    pub period: Period,
    pub previous: Period,
    /// Decay factor of each week of the two periods.
    pub factors: Vec<(i64, f64)>,
    /// Per-member sums of both periods (one row per member active in either).
    pub sums: Vec<MemberPeriods>,
    /// The same as the measures crate's totals: current period, previous period, last active
    /// week (kept: they do not depend on the settings, and building them is most of the work
    /// of classifying 100,000 members).
    pub split: super::Split,
    pub staff: Vec<i64>,
    /// Testimonials given per member and week of the two periods, already counted in `sums`
    /// as referrals (see [`super::given`]); segments add them to their own sums.
    pub testimonials_given: Vec<(i64, i64, i64)>,
    pub embed_impressions: u64,
    pub testimonials: u64,
    pub channels: super::ChannelSeries,
    pub questions: Vec<Question>,
    pub publications: Vec<Publication>,
    /// Recent community messages with their sentiment (compound −1..1), scored once: which
    /// of them are about the organisation depends on the settings (its declared names).
    pub community_texts: Vec<(String, f64)>,
    pub surveys: super::SurveysSummary,
    pub events: super::events::EventReport,
}

impl Inputs {
    /// Whether these inputs hold what a dashboard with `settings` needs: same period length
    /// and half-life (everything else only changes how the same counts are classified).
    pub fn fits(&self, settings: &MeasureSettings) -> bool {
        self.window_weeks == settings.thresholds.window_weeks
            && self.half_life_days == settings.score.half_life_days
    }

    /// The weeks the sums cover and their decay factors.
    pub(super) fn window(&self) -> super::given::Window<'_> {
        super::given::Window {
            period: self.period,
            previous: self.previous,
            factors: &self.factors,
        }
    }

    /// The aggregate query these inputs were read with, on `channel` (`""`: all).
    pub fn query<'a>(&'a self, channel: &'a str) -> PeriodsQuery<'a> {
        PeriodsQuery {
            prev_from: self.previous.from_week,
            from: self.period.from_week,
            to: self.period.to_week,
            channel,
            factors: &self.factors,
        }
    }
}

/// Score weights in the store's order: post, answer, reaction, read, referral.
pub(super) fn weights(settings: &MeasureSettings) -> [f64; 5] {
    let w = &settings.score;
    [w.post, w.answer, w.reaction, w.read, w.referral]
}

/// The staff as people the pyramid lists (as audience at least, until left out).
pub(super) fn staff_people(staff: &[i64]) -> Vec<Person> {
    staff
        .iter()
        .map(|&member| Person {
            member,
            staff: true,
        })
        .collect()
}

/// The top 20 scores among the members with a level now or before, best first.
pub(super) fn top_scores(
    sums: &[MemberPeriods],
    now: &BTreeMap<i64, Level>,
    before: &BTreeMap<i64, Level>,
    weights: [f64; 5],
) -> Vec<(i64, f64)> {
    let mut scores: Vec<(i64, f64)> = sums
        .iter()
        .filter(|r| now.contains_key(&r.member_id) || before.contains_key(&r.member_id))
        .map(|r| (r.member_id, r.score(weights)))
        .collect();
    scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scores.truncate(20);
    scores
}

impl Services {
    /// Read what a space's dashboard needs at `now`, after bringing the aggregate up to date.
    pub(crate) async fn load_inputs(
        &self,
        space_id: i64,
        settings: &MeasureSettings,
        now: i64,
    ) -> Result<Inputs> {
        let store = self.store();
        let started = Instant::now();
        let refresh = store.measure_refresh(space_id, now).await?;
        let th = &settings.thresholds;
        let this_week = pyramid::week_of(now);
        let period = Period::ending(this_week, th.window_weeks);
        let previous = period.previous();
        // Decay factors of the last two periods' weeks (older weeks weigh little at the default
        // half-life); the store sums decayed activity with them in the same pass.
        let half_life_days = settings.score.half_life_days;
        let factors: Vec<(i64, f64)> = (previous.from_week..period.to_week)
            .map(|week| (week, pyramid::week_factor(week, now, half_life_days)))
            .collect();
        let mut inputs = Inputs {
            space_id,
            now,
            window_weeks: th.window_weeks,
            half_life_days,
            period,
            previous,
            factors,
            sums: vec![],
            split: Default::default(),
            staff: store.measure_staff().await?,
            testimonials_given: store
                .measure_testimonials_given(space_id, pyramid::week_start(previous.from_week))
                .await?,
            embed_impressions: store
                .measure_embed_impressions(space_id, pyramid::week_start(period.from_week))
                .await?
                .max(0) as u64,
            testimonials: store.measure_testimonials(space_id).await?.max(0) as u64,
            channels: super::ChannelSeries::default(),
            questions: vec![],
            publications: vec![],
            community_texts: vec![],
            surveys: self.surveys_summary(space_id).await?,
            events: self.event_report(space_id).await?,
        };
        inputs.sums = store
            .measure_period_totals(space_id, &inputs.query(""))
            .await?;
        let mut sums = std::mem::take(&mut inputs.sums);
        super::given::add_given(&mut sums, &inputs.testimonials_given, inputs.window());
        inputs.sums = sums;
        inputs.split = split_totals(&inputs.sums);
        let history = Period::ending(this_week, HISTORY_WEEKS as u32);
        inputs.channels = channel_series(
            &store
                .measure_posts_by_channel(space_id, history.from_week)
                .await?,
            history,
        );
        let from_ms = pyramid::week_start(period.from_week);
        inputs.questions = store
            .measure_questions(space_id, from_ms)
            .await?
            .into_iter()
            .map(|q| Question {
                asked_at_ms: q.asked_at,
                first_staff_answer_ms: q.first_staff_answer_at,
            })
            .collect();
        inputs.publications = store
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
        inputs.community_texts = store
            .measure_community_texts(space_id, from_ms, SENTIMENT_SAMPLE)
            .await?
            .into_iter()
            .map(|t| {
                let score = sentiment::compound(&t, guess_lang(&t));
                (t, score)
            })
            .collect();
        tracing::info!(
            space_id,
            rebuilt = refresh.rebuilt,
            new_messages = refresh.messages,
            members = inputs.sums.len(),
            ms = started.elapsed().as_millis() as u64,
            "measures read"
        );
        Ok(inputs)
    }

    /// The dashboard of `inputs` with `settings` (which must [`Inputs::fits`]): classification
    /// and weighting in memory, then the member names of the two lists, the week's Presence
    /// figures and the objectives (a few small reads and writes).
    pub(crate) async fn assemble(
        &self,
        slug: &str,
        inputs: &Inputs,
        settings: &MeasureSettings,
    ) -> Result<Dashboard> {
        let store = self.store();
        let started = Instant::now();
        let th = &settings.thresholds;
        let (cur_totals, prev_totals, last_active) = &inputs.split;
        let staff = &inputs.staff;
        let people = staff_people(staff);
        // Staff only count when included, and then only if active: `levels` lists every
        // person given as audience at least.
        let now_levels = drop_idle_staff(
            pyramid::levels_from_totals(&people, cur_totals, th),
            staff,
            cur_totals,
        );
        let before_levels = drop_idle_staff(
            pyramid::levels_from_totals(&people, prev_totals, th),
            staff,
            prev_totals,
        );
        let pyr = pyramid::pyramid(&now_levels);
        let slipping =
            pyramid::slipping_from_totals(prev_totals, last_active, &before_levels, &now_levels);
        let answers: u64 = cur_totals
            .iter()
            .filter(|(m, _)| now_levels.contains_key(m))
            .map(|(_, t)| u64::from(t.answers))
            .sum();
        let scores = top_scores(&inputs.sums, &now_levels, &before_levels, weights(settings));

        let notoriety = Notoriety {
            readers: cur_totals.values().filter(|t| t.reads > 0).count() as u64,
            imported_followers: inputs.sums.iter().filter(|r| r.elsewhere).count() as u64,
            embed_impressions: Some(inputs.embed_impressions),
        };
        let mut legitimacy = parvis_measure::standing::legitimacy(&pyr, answers);
        legitimacy.testimonials = Some(inputs.testimonials);

        let scorecard = editorial::scorecard(
            &inputs.publications,
            &inputs.questions,
            &settings.plan,
            f64::from(th.window_weeks),
        );
        // The mean compound of the messages about the organisation (as
        // `sentiment::mean_compound`, from the scores kept with the inputs).
        let about: Vec<f64> = inputs
            .community_texts
            .iter()
            .filter(|(t, _)| mentions_any(t, &settings.plan.own_names))
            .map(|(_, score)| *score)
            .collect();
        let sentiment = (!about.is_empty()).then(|| about.iter().sum::<f64>() / about.len() as f64);

        let surveys = inputs.surveys.clone();
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
        let this_week = pyramid::week_of(inputs.now);
        let space_id = inputs.space_id;
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

        let slipping: Vec<_> = slipping.into_iter().take(20).collect();
        let (slipping_away, top_scores) = self.name_lists(slipping, &scores, &now_levels).await?;
        let mut d = Dashboard {
            space: slug.to_string(),
            generated_at: inputs.now,
            period_from_week: inputs.period.from_week,
            period_to_week: inputs.period.to_week,
            previous_pyramid: pyramid::pyramid(&before_levels),
            flows: pyramid::flows(&before_levels, &now_levels),
            pyramid: pyr,
            settings: settings.clone(),
            slipping_away,
            top_scores,
            notoriety,
            legitimacy,
            channels: inputs.channels.clone(),
            scorecard,
            surveys,
            sentiment,
            presence,
            trends,
            objectives: vec![],
            events: inputs.events.clone(),
            segment: None,
            recomputing: false,
        };
        d.objectives = self.objective_views(slug, inputs, &d).await?;
        tracing::debug!(
            space = slug,
            ms = started.elapsed().as_millis() as u64,
            "measures assembled"
        );
        Ok(d)
    }

    /// The slipping-away and top-score lists with each member's handle and name (one read).
    pub(super) async fn name_lists(
        &self,
        slipping: Vec<pyramid::Slipping>,
        scores: &[(i64, f64)],
        now_levels: &BTreeMap<i64, Level>,
    ) -> Result<(Vec<Named<pyramid::Slipping>>, Vec<Named<ScoreItem>>)> {
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
        let slipping = slipping
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
        let scores = scores
            .iter()
            .map(|&(m, score)| {
                let (handle, display_name) = named(m);
                Named {
                    member_id: m,
                    handle,
                    display_name,
                    item: ScoreItem {
                        score,
                        level: now_levels.get(&m).copied().unwrap_or(Level::Audience),
                    },
                }
            })
            .collect();
        Ok((slipping, scores))
    }
}

//! A plausibility report for a space, meant for imported corpora (mailing-list archives): the
//! pyramid at the corpus's last message, the share of threads answered by someone else and the
//! median time to that first answer, and the most active answerers with their answer rate and
//! median answer time. Reads every message of the space: a CLI check, not a dashboard.

use super::to_activity;
use crate::{Result, ServiceError, Services};
use parvis_measure::median;
use parvis_measure::pyramid::{self, LevelCount, Period, Thresholds, WeekActivity};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

const HOUR_MS: f64 = 3_600_000.0;

/// One of the most active answerers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Answerer {
    pub handle: String,
    pub display_name: String,
    /// Messages answering somebody else.
    pub answers: u64,
    /// All their messages in the space.
    pub posts: u64,
    /// answers / posts.
    pub answer_rate: f64,
    /// Median hours between the message answered and their answer.
    pub median_answer_hours: Option<f64>,
}

/// The report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plausibility {
    pub space: String,
    /// The instant the pyramid is read at (the last message, unless given).
    pub at: i64,
    pub thresholds: Thresholds,
    pub pyramid: Vec<LevelCount>,
    pub threads: u64,
    /// Threads with a reply from someone other than their opener.
    pub threads_answered: u64,
    pub answer_share: Option<f64>,
    pub median_first_answer_hours: Option<f64>,
    pub top_answerers: Vec<Answerer>,
}

impl Services {
    /// The plausibility report of a space at `at` (default: its last message), with the
    /// pyramid over `thresholds.window_weeks` weeks ending then and the `top` answerers.
    /// Operator only (the CLI): no actor.
    pub async fn plausibility(
        &self,
        slug: &str,
        at: Option<i64>,
        thresholds: &Thresholds,
        top: usize,
    ) -> Result<Plausibility> {
        thresholds.validate().map_err(super::refused)?;
        let space = self.space(slug).await?;
        let store = self.store();
        let at = match at {
            Some(at) => at,
            None => store
                .last_message_at(space.id.0)
                .await?
                .ok_or_else(|| ServiceError::NotFound(format!("messages in space {slug:?}")))?,
        };
        store
            .measure_refresh(space.id.0, parvis_domain::now_millis())
            .await?;
        let period = Period::ending(pyramid::week_of(at), thresholds.window_weeks);
        let rows: Vec<WeekActivity> = store
            .measure_activity(space.id.0, period.from_week)
            .await?
            .iter()
            .map(to_activity)
            .collect();
        let levels = pyramid::levels(&[], &rows, period, thresholds);
        let pyramid = pyramid::pyramid(&levels);

        let threads = store.measure_first_replies(space.id.0).await?;
        let first: Vec<f64> = threads
            .iter()
            .filter_map(|t| {
                t.first_staff_answer_at
                    .map(|a| (a - t.asked_at).max(0) as f64 / HOUR_MS)
            })
            .collect();

        let all_rows: Vec<WeekActivity> = store
            .measure_activity(space.id.0, i64::MIN)
            .await?
            .iter()
            .map(to_activity)
            .collect();
        let mut posts: HashMap<i64, u64> = HashMap::new();
        for r in &all_rows {
            *posts.entry(r.member).or_default() += u64::from(r.posts);
        }
        let mut delays: HashMap<i64, Vec<f64>> = HashMap::new();
        for d in store.measure_reply_delays(space.id.0).await? {
            delays
                .entry(d.member_id)
                .or_default()
                .push(d.delay_ms.max(0) as f64 / HOUR_MS);
        }
        let mut ranked: Vec<(i64, usize)> = delays.iter().map(|(m, d)| (*m, d.len())).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(top);
        let ids: Vec<i64> = ranked.iter().map(|r| r.0).collect();
        let names = store.member_names(&ids).await?;
        let top_answerers = ranked
            .iter()
            .map(|(m, answers)| {
                let (handle, display_name) = names
                    .iter()
                    .find(|n| n.0 == *m)
                    .map(|n| (n.1.clone(), n.2.clone()))
                    .unwrap_or_default();
                let p = posts.get(m).copied().unwrap_or(0).max(*answers as u64);
                Answerer {
                    handle,
                    display_name,
                    answers: *answers as u64,
                    posts: p,
                    answer_rate: if p > 0 {
                        *answers as f64 / p as f64
                    } else {
                        0.0
                    },
                    median_answer_hours: delays.get(m).and_then(|d| median(d)),
                }
            })
            .collect();
        Ok(Plausibility {
            space: space.slug,
            at,
            thresholds: thresholds.clone(),
            pyramid,
            threads: threads.len() as u64,
            threads_answered: first.len() as u64,
            answer_share: (!threads.is_empty()).then(|| first.len() as f64 / threads.len() as f64),
            median_first_answer_hours: median(&first),
            top_answerers,
        })
    }
}

//! The measures' per-member sums over a dashboard's two periods, read from the weekly
//! aggregate in one SQL pass (one row per member, or per member and channel), and the member
//! facts segments need (ecosystem role, organisation, names).
//!
//! The decaying score is returned as one decayed sum per kind of activity rather than as one
//! weighted number: the weights are applied by the caller, so that an admin changing them
//! re-weights the rows already read instead of reading the aggregate again.

use crate::import_batch::Sql;
use crate::{Backend, Result, Store, int, opt_int, text};
use sqlx::Row;

/// One member's sums over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PeriodSums {
    pub posts: i64,
    pub answers: i64,
    pub reactions: i64,
    pub reads: i64,
    pub referrals: i64,
    /// Distinct weeks with at least one message.
    pub writing_weeks: i64,
    /// The last week with any activity in the period.
    pub last_week: Option<i64>,
}

/// A member's sums over the current and the previous period (one row per member active in
/// either).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberPeriods {
    pub member_id: i64,
    pub current: PeriodSums,
    pub previous: PeriodSums,
    /// Posts, answers, reactions, reads and referrals of both periods, each multiplied by its
    /// week's decay factor and summed (see [`MemberPeriods::score`]).
    pub decayed: [f64; 5],
    /// Wrote on a channel other than Parvis in the current period.
    pub elsewhere: bool,
}

impl MemberPeriods {
    /// The decaying activity score with weights for post, answer, reaction, read, referral.
    pub fn score(&self, weights: [f64; 5]) -> f64 {
        self.decayed.iter().zip(weights).map(|(d, w)| d * w).sum()
    }
}

/// The per-member sums of one period (`$2`..`$3` current, `$4`..`$2` previous), one column set
/// per period, each member's decayed sums (`f` holds the weeks' decay factors), on one
/// channel when `$5` is not empty; per member and channel when `by_channel`.
fn period_totals_sql(factors: usize, by_channel: bool) -> String {
    let sums = |p: &str, cond: &str| {
        let mut out = String::new();
        for col in ["posts", "answers", "reactions", "reads", "referrals"] {
            out.push_str(&format!(
                "CAST(SUM(CASE WHEN {cond} THEN a.{col} ELSE 0 END) AS BIGINT) AS {p}_{col},\n"
            ));
        }
        out.push_str(&format!(
            "COUNT(DISTINCT CASE WHEN {cond} AND a.posts > 0 THEN a.week END) AS {p}_weeks,\n\
             MAX(CASE WHEN {cond} THEN a.week END) AS {p}_last,\n"
        ));
        out
    };
    let mut decayed = String::new();
    for col in ["posts", "answers", "reactions", "reads", "referrals"] {
        decayed.push_str(&format!(
            ",\n CAST(SUM(a.{col} * COALESCE(f.k, 0)) AS DOUBLE PRECISION) AS k_{col}"
        ));
    }
    // Placeholders only ($6… for the factors); every value is bound.
    let mut values = Vec::with_capacity(factors);
    for i in 0..factors {
        values.push(format!(
            "(${}, CAST(${} AS DOUBLE PRECISION))",
            6 + 2 * i,
            7 + 2 * i
        ));
    }
    let (channel_col, channel_group) = if by_channel {
        ("a.channel AS channel,", ", a.channel")
    } else {
        ("", "")
    };
    format!(
        "WITH f(week, k) AS (VALUES {values})
         SELECT a.member_id AS member_id, {channel_col}
         {cur}{prev}
         COUNT(CASE WHEN a.week >= $2 AND a.week < $3 AND a.channel <> 'parvis' AND a.posts > 0 THEN 1 END) AS c_elsewhere
         {decayed}
         FROM measure_activity a LEFT JOIN f ON f.week = a.week
         WHERE a.space_id = $1 AND a.week >= $4 AND a.week < $3 AND ($5 = '' OR a.channel = $5 OR ($5 = '*imported' AND a.channel <> 'parvis'))
         GROUP BY a.member_id{channel_group}",
        values = if values.is_empty() {
            "(0, 0.0)".to_string()
        } else {
            values.join(", ")
        },
        cur = sums("c", "a.week >= $2 AND a.week < $3"),
        prev = sums("p", "a.week < $2"),
    )
}

/// What [`Store::measure_period_totals`] sums over.
#[derive(Debug, Clone, Copy)]
pub struct PeriodsQuery<'a> {
    /// Previous period `[prev_from, from)`, current `[from, to)` (weeks).
    pub prev_from: i64,
    pub from: i64,
    pub to: i64,
    /// One channel only, `"*imported"` for every channel but Parvis's own, or `""` for all.
    pub channel: &'a str,
    /// Decay factor per week for the score (weeks not listed count 0).
    pub factors: &'a [(i64, f64)],
}

impl Store {
    /// Per-member sums over the current and the previous period, with each member's decayed
    /// sums, summed in SQL so that a dashboard reads one row per active member.
    pub async fn measure_period_totals(
        &self,
        space_id: i64,
        q: &PeriodsQuery<'_>,
    ) -> Result<Vec<MemberPeriods>> {
        let rows = self.period_rows(space_id, q, false).await?;
        rows.iter().map(member_periods).collect()
    }

    /// The same per member *and channel* (all channels): one read from which every channel's
    /// and Parvis's own (native) pyramid are derived without reading the aggregate again.
    pub async fn measure_period_totals_by_channel(
        &self,
        space_id: i64,
        q: &PeriodsQuery<'_>,
    ) -> Result<Vec<(String, MemberPeriods)>> {
        let q = PeriodsQuery { channel: "", ..*q };
        let rows = self.period_rows(space_id, &q, true).await?;
        rows.iter()
            .map(|r| Ok((text(r, "channel")?, member_periods(r)?)))
            .collect()
    }

    async fn period_rows(
        &self,
        space_id: i64,
        q: &PeriodsQuery<'_>,
        by_channel: bool,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let sql = period_totals_sql(q.factors.len(), by_channel);
        let mut query = sqlx::query(&sql)
            .bind(space_id)
            .bind(q.from)
            .bind(q.to)
            .bind(q.prev_from)
            .bind(q.channel);
        for (week, k) in q.factors {
            query = query.bind(*week).bind(*k);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Every member's ecosystem role and organisation (merged accounts left out): one read
    /// from which the role and organisation segments are all derived.
    pub async fn measure_member_attributes(&self) -> Result<Vec<(i64, String, String)>> {
        let rows = sqlx::query(
            "SELECT id, ecosystem_role, organisation FROM members WHERE merged_into IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    int(r, "id")?,
                    text(r, "ecosystem_role")?,
                    text(r, "organisation")?,
                ))
            })
            .collect()
    }

    /// Handles and display names of some members, in one statement per thousand ids (a
    /// dashboard names its slipping and top members: forty, for each segment).
    pub async fn member_names(&self, ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
        let mut out = Vec::with_capacity(ids.len());
        let mut conn = self.pool.acquire().await?;
        for chunk in ids.chunks(1000) {
            let mut q = Sql::new(
                "SELECT id, handle, display_name FROM members WHERE id IN (",
                self.backend == Backend::Postgres,
            );
            for (n, id) in chunk.iter().enumerate() {
                if n > 0 {
                    q.push(", ");
                }
                q.bind(*id);
            }
            q.push(")");
            for r in q.fetch_all(&mut conn).await? {
                out.push((
                    int(&r, "id")?,
                    text(&r, "handle")?,
                    text(&r, "display_name")?,
                ));
            }
        }
        // Callers get the ids they asked for in their order (a list shows members ranked).
        let pos = |id: i64| ids.iter().position(|i| *i == id).unwrap_or(usize::MAX);
        out.sort_by_key(|n| pos(n.0));
        Ok(out)
    }
}

fn member_periods(r: &sqlx::any::AnyRow) -> Result<MemberPeriods> {
    let sums = |p: &str| -> Result<PeriodSums> {
        Ok(PeriodSums {
            posts: int(r, &format!("{p}_posts"))?,
            answers: int(r, &format!("{p}_answers"))?,
            reactions: int(r, &format!("{p}_reactions"))?,
            reads: int(r, &format!("{p}_reads"))?,
            referrals: int(r, &format!("{p}_referrals"))?,
            writing_weeks: int(r, &format!("{p}_weeks"))?,
            last_week: opt_int(r, &format!("{p}_last"))?,
        })
    };
    let k = |col: &str| r.try_get::<f64, _>(col);
    Ok(MemberPeriods {
        member_id: int(r, "member_id")?,
        current: sums("c")?,
        previous: sums("p")?,
        decayed: [
            k("k_posts")?,
            k("k_answers")?,
            k("k_reactions")?,
            k("k_reads")?,
            k("k_referrals")?,
        ],
        elsewhere: int(r, "c_elsewhere")? > 0,
    })
}

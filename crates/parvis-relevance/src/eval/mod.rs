//! Offline evaluation of the feed on a mailing-list archive.
//!
//! ## Protocol
//!
//! 1. **Timeline.** Every message of the mbox folder, deduplicated by
//!    Message-ID, sorted by time. Person = the e-mail address under an
//!    obfuscation-insensitive key ([`person_key`]; the handle when there is
//!    no address). Thread = the importer's `thread_source_id`, repaired as a
//!    mail reader would ([`rethread`]): pipermail often drops `References`,
//!    so a message joins its parent's thread and, failing that, the previous
//!    message with the same subject within 30 days.
//! 2. **Cut-offs.** The first cut-off `T₀` is the time of the message at
//!    `cutoff_fraction` (85 %) of the timeline. Mailing-list threads live for
//!    days, so one cut-off yields only a handful of "new thread joined"
//!    events (12 on r-sig-geo); the evaluation therefore *rolls*: a further
//!    cut-off every `step_days` (7) until the end of the archive, each
//!    evaluated exactly like the first. `step_days: None` gives the single
//!    cut-off protocol.
//! 3. **Hidden future.** At a cut-off `T`, only messages with `at < T` are
//!    known. The engine and the baselines' counters are fed in time order and
//!    queried *before* any message at or after `T` is added.
//! 4. **Users** at `T` = people who posted in the `active_window_days` (180)
//!    before `T` and have at least one relevant thread (nDCG is undefined
//!    without one).
//! 5. **Candidates** for a user = threads with a message before `T` in which
//!    the user had *not* posted before `T`. A thread started after `T`
//!    cannot be known at `T`, so it is never a candidate.
//! 6. **Relevant** = candidates the user posts in during `[T, T + horizon)`
//!    (`horizon_days` = 7, so consecutive cut-offs never count one post
//!    twice; `None`: any time after `T`).
//! 7. **Rankings**: Parvis ([`Engine::feed`](crate::engine::Engine::feed) as of `T`, `exclude_posted`,
//!    diversified, page of 20, with the product's [`Config::default`](crate::engine::Config::default): its
//!    scorer is learned ([`crate::learn`]) from the joins the engine saw
//!    before `T`, refitted every 250 new joins), `most_recent` (last message
//!    before `T`, newest first), `most_active` (messages before `T`, most
//!    first, ties by recency) and `hot` (`Σ 2^(−age/h)` over the thread's
//!    messages, [`HOT_HALF_LIFE_HOURS`], ties by recency), all over the same
//!    candidates.
//! 8. **Metrics**, averaged over (cut-off, user) cases: nDCG@10 with binary
//!    gains, and recall@20 = relevant in the top 20 / relevant. Parvis is
//!    judged against the best baseline (`best_baseline`, `ratio_to_best`).
//!
//! Variants: [`Protocol::AtJoin`] asks the feed just before every post that
//! joins an existing thread (relevant: that thread), the live reading of
//! "the thread they joined next"; [`EvalOptions::eras`] replays consecutive
//! periods of the archive at once as the communities of one busy space
//! ([`mix_eras`]), where a space-wide "latest" list is no longer personal.
//!
//! Leakage: [`run_cases`] adds to the known state only messages strictly
//! before the cut-off, assigns internal ids in arrival order, and reads the
//! future only to pick users and relevant threads. A test rewrites
//! everything after a cut-off and checks that the rankings at that cut-off
//! are identical.

mod cases;
mod corpus;
mod known;
mod metrics;
mod options;
mod report;

pub use cases::{
    Case, FeatureCase, cutoff_time, cutoffs, feature_cases, run_cases, run_cases_with_fit,
};
pub use corpus::{
    EvalMessage, clean_title, load_mbox, load_mbox_folder, load_mbox_paths, mix_eras, own_text,
    person_key, rethread,
};
pub use metrics::{ndcg_at, recall_at};
pub use options::{EvalOptions, HOT_HALF_LIFE_HOURS, Method, Protocol};
pub use report::{EvalReport, MethodScore};

use std::collections::BTreeSet;
use std::path::Path;

use crate::RelevanceError;

/// Evaluates the feed on the mbox folder `dir` with default options.
pub fn evaluate_feed(dir: &Path) -> Result<EvalReport, RelevanceError> {
    evaluate_feed_with(dir, &EvalOptions::default())
}

/// Evaluates the feed on the mbox folder `dir`.
pub fn evaluate_feed_with(dir: &Path, opts: &EvalOptions) -> Result<EvalReport, RelevanceError> {
    let (msgs, other) = load_mbox_folder(dir)?;
    let mut report = evaluate_messages(&msgs, opts)?;
    report.files_left_out = other.iter().map(|p| p.display().to_string()).collect();
    Ok(report)
}

/// Evaluates the feed on a timeline (see the module doc for the protocol).
pub fn evaluate_messages(
    msgs: &[EvalMessage],
    opts: &EvalOptions,
) -> Result<EvalReport, RelevanceError> {
    let mixed;
    let msgs = if opts.eras > 1 {
        mixed = mix_eras(msgs, opts.eras);
        &mixed[..]
    } else {
        msgs
    };
    let cuts = cutoffs(msgs, opts);
    let (Some(&first), Some(&last)) = (cuts.first(), cuts.last()) else {
        return Err(RelevanceError::NotEnoughData(
            "the mbox files hold no message with an author; the evaluation needs a \
             mailing-list archive where people reply in each other's threads"
                .into(),
        ));
    };
    let (cases, fit) = run_cases_with_fit(msgs, opts);
    if cases.is_empty() {
        let threads: BTreeSet<&str> = msgs.iter().map(|m| m.thread.as_str()).collect();
        let people: BTreeSet<&str> = msgs.iter().map(|m| m.person.as_str()).collect();
        return Err(RelevanceError::NotEnoughData(format!(
            "found {} message{} in {} thread{} by {} {}, but after the first cut-off ({}) nobody \
             active in the {} days before it posted in a thread that already existed; the \
             evaluation needs such joins (a list with a few hundred messages where people \
             answer each other, or an earlier --cutoff)",
            msgs.len(),
            if msgs.len() == 1 { "" } else { "s" },
            threads.len(),
            if threads.len() == 1 { "" } else { "s" },
            people.len(),
            if people.len() == 1 {
                "person"
            } else {
                "people"
            },
            iso_utc(first),
            opts.active_window_days
        )));
    }
    let k = cases.len() as f64;
    let score = |j: usize| -> MethodScore {
        let n: f64 = cases
            .iter()
            .map(|c| ndcg_at(&c.rankings[j], &c.relevant, 10))
            .fold(0.0, |a, b| a + b); // not `sum`: it starts at -0.0
        let r: f64 = cases
            .iter()
            .map(|c| recall_at(&c.rankings[j], &c.relevant, 20))
            .fold(0.0, |a, b| a + b); // not `sum`: it starts at -0.0
        MethodScore {
            ndcg_at_10: n / k,
            recall_at_20: r / k,
        }
    };
    let users: BTreeSet<&str> = cases.iter().map(|c| c.user.as_str()).collect();
    let evaluated: BTreeSet<i64> = cases.iter().map(|c| c.cutoff).collect();
    let (parvis, most_recent, most_active, hot) = (score(0), score(1), score(2), score(3));
    let (best_baseline, best) = [
        ("most_recent", most_recent),
        ("most_active", most_active),
        ("hot", hot),
    ]
    .into_iter()
    .fold(("most_recent", most_recent), |b, e| {
        if e.1.ndcg_at_10 > b.1.ndcg_at_10 {
            e
        } else {
            b
        }
    });
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    Ok(EvalReport {
        parvis,
        most_recent,
        most_active,
        hot,
        best_baseline: best_baseline.to_string(),
        ratio_to_best: ratio(parvis.ndcg_at_10, best.ndcg_at_10),
        recall_ratio_to_best: ratio(parvis.recall_at_20, best.recall_at_20),
        hot_half_life_hours: opts.hot_half_life_hours,
        users: users.len(),
        cases: cases.len(),
        cutoff: iso_utc(first),
        last_cutoff: iso_utc(last),
        cutoffs: evaluated.len(),
        messages: msgs.len(),
        messages_before: msgs.iter().filter(|m| m.at < first).count(),
        relevant_per_case: cases.iter().map(|c| c.relevant.len() as f64).sum::<f64>() / k,
        protocol: opts.protocol,
        eras: opts.eras.max(1),
        files_left_out: Vec::new(),
        signals_at_prior: fit
            .iter()
            .flat_map(|f| f.at_prior.iter())
            .map(|&j| crate::engine::FEATURE_NAMES[j].to_string())
            .collect(),
        learned_weights: fit.map(|f| {
            crate::engine::FEATURE_NAMES
                .iter()
                .zip(f.weights)
                .map(|(n, w)| (n.to_string(), w))
                .collect()
        }),
    })
}

/// Unix ms → `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, days-from-civil inverse).
pub fn iso_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}

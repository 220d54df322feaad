//! What an evaluation gives back: [`MethodScore`] per method and the [`EvalReport`] with its
//! printed summary.

use std::collections::BTreeMap;

use super::Protocol;

/// Scores of one ranking method.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MethodScore {
    /// Mean nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean recall@20.
    pub recall_at_20: f64,
}

/// Result of [`evaluate_feed`](super::evaluate_feed).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EvalReport {
    /// Parvis's feed.
    pub parvis: MethodScore,
    /// Baseline: most recently active first.
    pub most_recent: MethodScore,
    /// Baseline: most messages first.
    pub most_active: MethodScore,
    /// Baseline: recent activity with exponential time decay (Hacker News
    /// style): `Σ 2^(−age / half-life)` over the thread's messages.
    pub hot: MethodScore,
    /// The baseline with the best nDCG@10 (`most_recent`, `most_active` or `hot`).
    pub best_baseline: String,
    /// Parvis's nDCG@10 over the best baseline's (the goal's ratio).
    pub ratio_to_best: f64,
    /// Parvis's recall@20 over the best baseline's.
    pub recall_ratio_to_best: f64,
    /// Half-life of `hot`, in hours.
    pub hot_half_life_hours: f64,
    /// Distinct users evaluated (over all cut-offs).
    pub users: usize,
    /// Evaluated (cut-off, user) pairs; the scores are means over them.
    pub cases: usize,
    /// First cut-off (the one at `cutoff_fraction`), ISO 8601 UTC.
    pub cutoff: String,
    /// Last cut-off, ISO 8601 UTC.
    pub last_cutoff: String,
    /// Cut-offs that produced at least one case.
    pub cutoffs: usize,
    /// Messages in the timeline.
    pub messages: usize,
    /// Messages before the first cut-off.
    pub messages_before: usize,
    /// Mean relevant threads per case.
    pub relevant_per_case: f64,
    /// The protocol run.
    pub protocol: Protocol,
    /// Periods replayed at once ([`EvalOptions::eras`](super::EvalOptions::eras)).
    pub eras: usize,
    /// The scorer Parvis ranked with at the last cut-off: the weights it
    /// learned from the history before it, by signal name, or `None` when
    /// the hand-tuned formula was used.
    pub learned_weights: Option<BTreeMap<String, f32>>,
    /// Signals the history never exercised (reads, reactions, dismissals on
    /// an archive): their weight in `learned_weights` is a prior, not learned.
    pub signals_at_prior: Vec<String>,
    /// Files of the folder that are not mbox and were not read (`index.html` beside the
    /// months of a downloaded archive); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files_left_out: Vec<String>,
}

impl EvalReport {
    /// The report in words and a table, as `parvis eval feed` prints it.
    pub fn summary(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        if let Some(first) = self.files_left_out.first() {
            let n = self.files_left_out.len();
            let _ = writeln!(
                out,
                "left out {n} file{} that {} not mbox: {first}{}",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
                if n > 1 {
                    format!(" and {} more", n - 1)
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(
            out,
            "{} people in {} cases (mean {:.2} relevant threads per case), {} of {} messages before the first cut-off",
            self.users, self.cases, self.relevant_per_case, self.messages_before, self.messages
        );
        let _ = writeln!(
            out,
            "cut-offs {} .. {} ({} with cases), protocol {:?}, {} period(s) at once",
            self.cutoff, self.last_cutoff, self.cutoffs, self.protocol, self.eras
        );
        let _ = writeln!(out, "{:<12} {:>9} {:>10}", "method", "nDCG@10", "recall@20");
        for (name, s) in [
            ("parvis", self.parvis),
            ("most_recent", self.most_recent),
            ("most_active", self.most_active),
            ("hot", self.hot),
        ] {
            let _ = writeln!(
                out,
                "{name:<12} {:>9.4} {:>10.4}",
                s.ndcg_at_10, s.recall_at_20
            );
        }
        let _ = writeln!(
            out,
            "parvis / best baseline ({}): nDCG@10 {:.2}x, recall@20 {:.2}x",
            self.best_baseline, self.ratio_to_best, self.recall_ratio_to_best
        );
        match &self.learned_weights {
            Some(w) => {
                let mut w: Vec<_> = w
                    .iter()
                    .filter(|(n, _)| *n != "bias" && !self.signals_at_prior.contains(n))
                    .collect();
                w.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
                let top: Vec<String> = w
                    .iter()
                    .take(6)
                    .map(|(n, v)| format!("{n} {v:+.2}"))
                    .collect();
                let _ = writeln!(
                    out,
                    "scorer learned from the history; heaviest signals: {}",
                    top.join(", ")
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "scorer: the built-in formula (too little history to learn from)"
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(left_out: &[&str]) -> EvalReport {
        EvalReport {
            parvis: MethodScore::default(),
            most_recent: MethodScore::default(),
            most_active: MethodScore::default(),
            hot: MethodScore::default(),
            best_baseline: "hot".into(),
            ratio_to_best: 1.0,
            recall_ratio_to_best: 1.0,
            hot_half_life_hours: 0.25,
            users: 1,
            cases: 1,
            cutoff: "2004-11-09T18:37:23Z".into(),
            last_cutoff: "2004-11-09T18:37:23Z".into(),
            cutoffs: 1,
            messages: 10,
            messages_before: 8,
            relevant_per_case: 1.0,
            protocol: Protocol::AtJoin,
            eras: 1,
            learned_weights: None,
            signals_at_prior: Vec::new(),
            files_left_out: left_out.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_summary_names_the_files_left_out_in_good_english() {
        assert!(!report(&[]).summary().contains("left out"));
        assert!(
            report(&["a/index.html"])
                .summary()
                .starts_with("left out 1 file that is not mbox: a/index.html\n")
        );
        assert!(
            report(&["a/index.html", "a/thread.html", "a/date.html"])
                .summary()
                .starts_with("left out 3 files that are not mbox: a/index.html and 2 more\n")
        );
    }
}

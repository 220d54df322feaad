//! `parvis eval`: measure how well the feed predicts what people join next, on an archive.

use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub(crate) enum EvalCommand {
    /// On a folder of mbox files: at weekly cut-offs, hide what comes after, rank the threads
    /// each active person had not joined using only what came before, and score the ranking
    /// against the threads they did join next (nDCG@10, recall@20), with the baselines
    /// `most_recent`, `most_active` and `hot` (recent activity decaying with a 15-minute
    /// half-life) ranked from the same data, and Parvis's ratio to the best of them. Parvis
    /// ranks as the app does: with the scorer it learns from the history before each cut-off.
    Feed {
        /// A folder of mbox files (a mailing-list archive), gzipped or not; other files in it
        /// (a downloaded archive's index pages) are left out and named.
        dir: PathBuf,
        /// Print the result as one JSON object (keys `parvis`, `most_recent`, `most_active`,
        /// `hot`, `best_baseline`, `ratio_to_best`).
        #[arg(long)]
        json: bool,
        /// Where the first cut-off falls in the archive (fraction of its messages).
        #[arg(long, default_value_t = 0.85, value_parser = fraction)]
        cutoff: f64,
        /// Stop the weekly cut-offs at this fraction of the archive (default: its end).
        #[arg(long, value_parser = fraction)]
        until: Option<f64>,
        /// Ask the feed just before each post that joins an existing thread, instead of at
        /// weekly cut-offs (relevant: that thread).
        #[arg(long)]
        at_join: bool,
        /// Replay this many consecutive periods of the archive at once, as the communities of
        /// one busy space (people are kept apart per period, so nothing leaks across time).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=12))]
        eras: u16,
    },
}

/// A `clap` parser for a fraction of the archive, in `0..=1`.
fn fraction(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("expected a fraction between 0 and 1, got {s:?}")),
    }
}

/// Runs the evaluation off the async runtime and prints its summary or its JSON.
pub(crate) async fn run(command: EvalCommand) -> Result<()> {
    let EvalCommand::Feed {
        dir,
        json,
        cutoff,
        until,
        at_join,
        eras,
    } = command;
    let opts = parvis_relevance::EvalOptions {
        cutoff_fraction: cutoff,
        until_fraction: until,
        protocol: if at_join {
            parvis_relevance::eval::Protocol::AtJoin
        } else {
            parvis_relevance::eval::Protocol::Cutoffs
        },
        eras: usize::from(eras),
        ..Default::default()
    };
    let report = tokio::task::spawn_blocking(move || {
        parvis_relevance::eval::evaluate_feed_with(&dir, &opts)
    })
    .await??;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.summary());
    }
    Ok(())
}

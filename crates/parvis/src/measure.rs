//! `parvis measure`: the measures from the shell — a plausibility report on a space of the
//! store, or on a mailing-list archive imported into a throw-away store.

use anyhow::{Context, Result};
use clap::Subcommand;
use parvis_measure::pyramid::Thresholds;
use parvis_services::measure::Plausibility;
use parvis_services::{Mailer, ServiceConfig, Services};
use parvis_store::Store;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub(crate) enum MeasureCommand {
    /// Print a space's pyramid (at its last message, over --weeks weeks), the share of threads
    /// answered by someone else with the median time to that answer, and the most active
    /// answerers with their answer rate and median answer time.
    Report {
        /// The space's slug.
        #[arg(long)]
        space: String,
        #[command(flatten)]
        opts: ReportOpts,
    },
    /// Import a mailing-list archive (a folder of mbox files) into a temporary store and print
    /// the same report: a plausibility check of the measures on real conversations.
    Corpus {
        /// A folder of mbox / pipermail .txt files.
        dir: PathBuf,
        #[command(flatten)]
        opts: ReportOpts,
    },
}

#[derive(clap::Args, Debug)]
pub(crate) struct ReportOpts {
    /// The period the pyramid counts, in weeks, ending at the last message.
    #[arg(long, default_value_t = 13)]
    weeks: u32,
    /// "Regular": wrote in at least this many distinct weeks of the period.
    #[arg(long, default_value_t = 3)]
    regular_weeks: u32,
    /// Answers to others needed to be "engaged".
    #[arg(long, default_value_t = 2)]
    answers: u32,
    /// Read the pyramid at this date (YYYY-MM-DD) instead of the last message.
    #[arg(long)]
    at: Option<String>,
    /// How many answerers to list.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

impl ReportOpts {
    fn at(&self) -> Result<Option<i64>> {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        self.at
            .as_deref()
            .map(|s| {
                time::Date::parse(s, &fmt)
                    .map(|d| d.midnight().assume_utc().unix_timestamp() * 1000)
                    .with_context(|| format!("--at {s:?}: expected a date as YYYY-MM-DD"))
            })
            .transpose()
    }

    fn thresholds(&self) -> Thresholds {
        Thresholds {
            window_weeks: self.weeks,
            regular_weeks: self.regular_weeks,
            answers: self.answers,
            ..Thresholds::default()
        }
    }
}

pub(crate) async fn run(store: Option<Store>, command: MeasureCommand) -> Result<()> {
    match command {
        MeasureCommand::Report { space, opts } => {
            let store = store.context("no store")?;
            crate::setup::require_space(&store, &space).await?;
            let services = Services::new(store, Mailer::Log, ServiceConfig::default());
            let r = services
                .plausibility(&space, opts.at()?, &opts.thresholds(), opts.top)
                .await?;
            print(&r, opts.json)
        }
        MeasureCommand::Corpus { dir, opts } => {
            anyhow::ensure!(
                dir.is_dir(),
                "{} is not a folder of mbox files",
                dir.display()
            );
            let tmp = tempfile::tempdir()?;
            let store =
                Store::open(&format!("sqlite://{}/corpus.db", tmp.path().display())).await?;
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "corpus".into());
            store
                .create_space("corpus", &name, "", parvis_domain::now_millis())
                .await?;
            let services = Services::new(store, Mailer::Log, ServiceConfig::default());
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            let started = std::time::Instant::now();
            let sum = services
                .import(
                    parvis_import::Format::Mbox,
                    files,
                    &parvis_services::import::ImportOptions {
                        space: "corpus".into(),
                        ..Default::default()
                    },
                    |_| {},
                )
                .await?;
            eprintln!(
                "imported {} messages from {} in {:.1} s",
                sum.messages_created,
                dir.display(),
                started.elapsed().as_secs_f64()
            );
            let r = services
                .plausibility("corpus", opts.at()?, &opts.thresholds(), opts.top)
                .await?;
            print(&r, opts.json)
        }
    }
}

fn print(r: &Plausibility, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(r)?);
        return Ok(());
    }
    let day = |ms: i64| {
        time::OffsetDateTime::from_unix_timestamp(ms / 1000)
            .map(|d| d.date().to_string())
            .unwrap_or_default()
    };
    println!(
        "Pyramid of {} over the {} weeks ending {} (regular: {} writing weeks, engaged: {} answers to others)",
        r.space,
        r.thresholds.window_weeks,
        day(r.at),
        r.thresholds.regular_weeks,
        r.thresholds.answers
    );
    for c in r.pyramid.iter().rev() {
        println!(
            "  {:<13} {:>7}  {:>5.1} %",
            c.level.key(),
            c.count,
            c.share * 100.0
        );
    }
    let pct = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.1} %", v * 100.0));
    let hours = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.1} h"));
    println!(
        "Threads: {}, answered by someone else: {} ({}), median time to first answer: {}",
        r.threads,
        r.threads_answered,
        pct(r.answer_share),
        hours(r.median_first_answer_hours)
    );
    println!("Most active answerers (answers / messages = answer rate, median answer time):");
    for a in &r.top_answerers {
        println!(
            "  {:<32} {:>5} / {:<5} = {:>5.1} %  {}",
            a.display_name,
            a.answers,
            a.posts,
            a.answer_rate * 100.0,
            hours(a.median_answer_hours)
        );
    }
    Ok(())
}

//! `cargo run --release -p parvis-relevance --example eval_feed -- DIR [--json] [--cutoff F] [--until F] [--single | --step DAYS] [--at-join] [--eras K] [--hot-half-life HOURS] [--no-diversify] [--config FILE.json]`
//!
//! Evaluates the feed on a folder of mbox files (see `parvis_relevance::eval`
//! for the protocol) and prints Parvis against the two baselines.

use std::path::PathBuf;
use std::process::ExitCode;

use parvis_relevance::eval::{EvalOptions, evaluate_feed_with};

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut json = false;
    let mut opts = EvalOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--eras" => match args.next().and_then(|v| v.parse().ok()) {
                Some(k) => opts.eras = k,
                None => return usage("--eras needs a count"),
            },
            "--hot-half-life" => match args.next().and_then(|v| v.parse().ok()) {
                Some(h) => opts.hot_half_life_hours = h,
                None => return usage("--hot-half-life needs a number of hours"),
            },
            "--no-diversify" => opts.diversify = false,
            "--at-join" => opts.protocol = parvis_relevance::eval::Protocol::AtJoin,
            "--single" => {
                opts.step_days = None;
                opts.horizon_days = None;
            }
            "--step" => match args.next().and_then(|v| v.parse().ok()) {
                Some(d) => {
                    opts.step_days = Some(d);
                    opts.horizon_days = Some(d);
                }
                None => return usage("--step needs a number of days"),
            },
            "--until" => match args.next().and_then(|v| v.parse().ok()) {
                Some(f) => opts.until_fraction = Some(f),
                None => return usage("--until needs a fraction, e.g. 0.85"),
            },
            "--cutoff" => match args.next().and_then(|v| v.parse().ok()) {
                Some(f) => opts.cutoff_fraction = f,
                None => return usage("--cutoff needs a fraction, e.g. 0.85"),
            },
            "--config" => {
                let parsed = args
                    .next()
                    .and_then(|f| std::fs::read_to_string(f).ok())
                    .and_then(|s| serde_json::from_str(&s).ok());
                match parsed {
                    Some(c) => opts.config = c,
                    None => return usage("--config needs a readable JSON file of engine settings"),
                }
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => return usage(&format!("unexpected argument {a}")),
        }
    }
    let Some(dir) = dir else {
        return usage("missing DIR");
    };
    let report = match evaluate_feed_with(&dir, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        println!("corpus {}", dir.display());
        print!("{}", report.summary());
    }
    ExitCode::SUCCESS
}

fn usage(msg: &str) -> ExitCode {
    eprintln!(
        "error: {msg}\nusage: eval_feed DIR [--json] [--cutoff F] [--until F] [--single | --step DAYS] [--at-join] [--eras K] [--hot-half-life HOURS] [--no-diversify] [--config FILE.json]"
    );
    ExitCode::from(2)
}

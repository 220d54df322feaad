//! `cargo run --release -p parvis-relevance --example feature_dump -- DIR [--at-join] [--cutoff F] > cases.jsonl`
//!
//! Writes one JSON line per evaluation case with the candidates' signals
//! (`parvis_relevance::eval::feature_cases`), for studying the scorer
//! outside Rust.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use parvis_relevance::eval::{self, EvalOptions, Protocol};

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut opts = EvalOptions::default();
    let mut eras = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--at-join" => opts.protocol = Protocol::AtJoin,
            "--eras" => match args.next().and_then(|v| v.parse().ok()) {
                Some(k) => eras = k,
                None => return fail("--eras needs a count"),
            },
            "--cutoff" => match args.next().and_then(|v| v.parse().ok()) {
                Some(f) => opts.cutoff_fraction = f,
                None => return fail("--cutoff needs a fraction"),
            },
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let Some(dir) = dir else {
        return fail("missing DIR");
    };
    let msgs = match eval::load_mbox(&dir) {
        Ok(m) => eval::mix_eras(&m, eras),
        Err(e) => return fail(&e.to_string()),
    };
    let n = msgs.len() as f64;
    let cases = eval::feature_cases(&msgs, &opts, 60);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for c in cases {
        let frac = msgs.partition_point(|m| m.at < c.now) as f64 / n;
        let line = serde_json::json!({
            "now": c.now, "frac": frac, "user": c.user,
            "joined": c.joined, "x": c.features, "ut": c.user_threads, "threads": c.threads,
        });
        if writeln!(out, "{line}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::FAILURE
}

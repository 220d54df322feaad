//! Benchmarks for the opinion map. Run through `bench/opinion/run.sh`.
//!
//! ```text
//! opinion_bench polis <export-dir>... [--runs N]   full recompute per Pol.is export (compat)
//! opinion_bench scale [P C V]                        synthetic P×C with V votes (default mode)
//! opinion_bench incremental [V] [--updates N]        one new vote on a V-vote conversation
//! ```
//! Every figure is a median over runs; output lines start with `RESULT` for the script.

use std::path::Path;
use std::time::Instant;

use parvis_opinion::{Conversation, Mode, OpinionState, Options, VoteValue, analyze};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Synthetic conversation: 3 latent opinion groups, each statement with its own agree
/// probability per group, 20 % passes, `votes / participants` distinct statements per voter.
fn synthetic(participants: u64, statements: u64, votes: u64, seed: u64) -> Conversation {
    let mut rng = Rng(seed);
    let mut conv = Conversation::new();
    for s in 0..statements {
        if conv
            .add_statement(s, format!("synthetic statement {s}"), false)
            .is_err()
        {
            unreachable!("ids are distinct");
        }
    }
    let p_agree: Vec<[f64; 3]> = (0..statements)
        .map(|_| {
            let mut q = [0.0; 3];
            for x in &mut q {
                *x = if rng.unit() < 0.5 {
                    0.15 + 0.2 * rng.unit()
                } else {
                    0.65 + 0.2 * rng.unit()
                };
            }
            q
        })
        .collect();
    let per = votes / participants;
    let mut t = 0i64;
    for p in 0..participants {
        let g = (p % 3) as usize;
        let start = rng.below(statements);
        // A step coprime with the statement count visits distinct statements.
        let mut step = 1 + rng.below(statements - 1);
        while gcd(step, statements) != 1 {
            step += 1;
        }
        let id = p.to_string();
        for i in 0..per.min(statements) {
            let s = (start + i * step) % statements;
            let u = rng.unit();
            let v = if u < 0.2 {
                VoteValue::Pass
            } else if rng.unit() < p_agree[s as usize][g] {
                VoteValue::Agree
            } else {
                VoteValue::Disagree
            };
            t += 1;
            if conv.add_vote(id.clone(), s, v, t).is_err() {
                unreachable!("statement exists");
            }
        }
    }
    conv
}

/// Process CPU time (user + system, all threads) in ms, from /proc (Linux; None elsewhere).
/// Wall time on a shared machine depends on the load; CPU time shows the work itself.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    // Clock ticks: 100 per second on Linux (USER_HZ).
    Some((utime + stime) * 10.0)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn arg_after(args: &[String], flag: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().map(String::as_str).unwrap_or("");
    let threads = rayon::current_num_threads();
    match cmd {
        "polis" => {
            let runs = arg_after(&args, "--runs", 7);
            let dirs: Vec<&String> = args[1..]
                .iter()
                .filter(|a| !a.starts_with("--") && a.parse::<usize>().is_err())
                .collect();
            for d in dirs {
                let dir = Path::new(d);
                let mut total = Vec::new();
                let mut compute = Vec::new();
                let mut info = String::new();
                for _ in 0..runs {
                    let t0 = Instant::now();
                    let conv = match Conversation::from_polis_export_dir(dir) {
                        Ok(c) => c,
                        Err(e) => {
                            eprintln!("{e}");
                            std::process::exit(1);
                        }
                    };
                    let t1 = Instant::now();
                    let r = match analyze(&conv, &Options::compat()) {
                        Ok(r) => r,
                        Err(e) => {
                            eprintln!("{e}");
                            std::process::exit(1);
                        }
                    };
                    total.push(t0.elapsed().as_secs_f64());
                    compute.push(t1.elapsed().as_secs_f64());
                    info = format!(
                        "ptpts={} cmts={} votes={} k={}",
                        r.n_participants,
                        r.n_statements,
                        r.n_votes,
                        r.groups.len()
                    );
                }
                let name = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                println!(
                    "RESULT polis {name} rust_total_ms={:.3} rust_compute_ms={:.3} runs={runs} threads={threads} {info}",
                    median(total) * 1e3,
                    median(compute) * 1e3
                );
            }
        }
        "scale" => {
            let nums: Vec<u64> = args[1..].iter().filter_map(|a| a.parse().ok()).collect();
            let (p, c, v) = match nums.as_slice() {
                [p, c, v, ..] => (*p, *c, *v),
                _ => (100_000, 10_000, 10_000_000),
            };
            let runs = arg_after(&args, "--runs", 3);
            let t = Instant::now();
            let conv = synthetic(p, c, v, 1);
            eprintln!(
                "generated {} votes in {:.1} s",
                conv.votes().len(),
                t.elapsed().as_secs_f64()
            );
            let mut times = Vec::new();
            for _ in 0..runs {
                let t = Instant::now();
                let r = match analyze(
                    &conv,
                    &Options {
                        mode: Mode::Default,
                        seed: 1,
                        ..Default::default()
                    },
                ) {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("{e}");
                        std::process::exit(1);
                    }
                };
                let s = t.elapsed().as_secs_f64();
                eprintln!(
                    "  run: {s:.2} s, {} participants, {} statements, {} votes, {} PCA products, {} base clusters, groups {:?}",
                    r.n_participants,
                    r.n_statements,
                    r.n_votes,
                    r.pca.iterations,
                    r.base_clusters.len(),
                    r.groups.iter().map(|g| g.members.len()).collect::<Vec<_>>()
                );
                times.push(s);
            }
            println!(
                "RESULT scale participants={p} statements={c} votes={v} median_s={:.3} runs={runs} threads={threads}",
                median(times)
            );
        }
        "incremental" => {
            let v = args
                .get(1)
                .and_then(|a| a.parse().ok())
                .unwrap_or(1_000_000u64);
            let updates = arg_after(&args, "--updates", 31);
            let (p, c) = (v / 50, (v / 500).max(10));
            let conv = synthetic(p, c, v, 2);
            let modes: Vec<Mode> = match args
                .iter()
                .position(|a| a == "--mode")
                .and_then(|i| args.get(i + 1))
            {
                Some(m) if m == "default" => vec![Mode::Default],
                Some(m) if m == "compat" => vec![Mode::Compat],
                _ => vec![Mode::Default, Mode::Compat],
            };
            for mode in modes {
                let t = Instant::now();
                let mut st = match OpinionState::new(
                    &conv,
                    Options {
                        mode,
                        ..Default::default()
                    },
                ) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("{e}");
                        std::process::exit(1);
                    }
                };
                let cold = t.elapsed().as_secs_f64();
                let mut rng = Rng(99);
                let mut times = Vec::new();
                let mut report_times = Vec::new();
                let mut products = Vec::new();
                for i in 0..updates {
                    // Mostly existing voters, sometimes a newcomer.
                    let who = if i % 5 == 4 {
                        format!("new{i}")
                    } else {
                        rng.below(p).to_string()
                    };
                    let s = rng.below(c);
                    let val = [VoteValue::Agree, VoteValue::Disagree, VoteValue::Pass]
                        [(rng.below(3)) as usize];
                    let t = Instant::now();
                    if let Err(e) = st.add_vote(&who, s, val) {
                        eprintln!("{e}");
                        std::process::exit(1);
                    }
                    times.push(t.elapsed().as_secs_f64() * 1e3);
                    // Building the full report (ids, texts, lists) is timed apart: callers that
                    // only need positions and groups skip it.
                    let t = Instant::now();
                    if let Some(r) = st.report() {
                        products.push(r.pca.iterations as f64);
                    }
                    report_times.push(t.elapsed().as_secs_f64() * 1e3);
                }
                // CPU time per add_vote, over a second batch without report building.
                let cpu0 = cpu_ms();
                let batch = updates.max(1);
                for i in 0..batch {
                    let who = rng.below(p).to_string();
                    let s = rng.below(c);
                    let val = [VoteValue::Agree, VoteValue::Disagree][(i % 2) as usize];
                    if let Err(e) = st.add_vote(&who, s, val) {
                        eprintln!("{e}");
                        std::process::exit(1);
                    }
                }
                let cpu_per_vote = match (cpu0, cpu_ms()) {
                    (Some(a), Some(b)) => (b - a) / batch as f64,
                    _ => f64::NAN,
                };
                let mut sorted = times.clone();
                sorted.sort_by(f64::total_cmp);
                println!(
                    "RESULT incremental mode={mode:?} votes={v} participants={p} statements={c} cold_s={cold:.3} median_ms={:.2} max_ms={:.2} report_median_ms={:.2} cpu_ms_per_vote={cpu_per_vote:.1} median_pca_products={} updates={updates} threads={threads}",
                    median(times),
                    sorted.last().copied().unwrap_or(0.0),
                    median(report_times),
                    median(products)
                );
            }
        }
        _ => {
            eprintln!(
                "usage: opinion_bench polis <dir>... [--runs N] | scale [P C V] | incremental [V]"
            );
            std::process::exit(2);
        }
    }
}

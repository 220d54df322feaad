//! Parses an export and prints counts and throughput.
//!
//! `cargo run --release -p parvis-import --example count -- <format> <path>...`
//! Add `-v` before the format to print every error and skip reason, `-d` to
//! print every record as JSON (one per line) on standard output.

use std::path::PathBuf;
use std::time::Instant;

use parvis_import::{Format, Record, Tally};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut verbose = false;
    let mut dump = false;
    while let Some(flag) = args.first().filter(|a| a.starts_with('-')).cloned() {
        args.remove(0);
        match flag.as_str() {
            "-v" => verbose = true,
            "-d" => dump = true,
            _ => {}
        }
    }
    if args.len() < 2 {
        eprintln!("usage: count [-v] [-d] <format> <path>...\nformats:");
        for (f, what) in Format::all() {
            eprintln!("  {:<10} {what}", f.name());
        }
        std::process::exit(2);
    }
    let format: Format = match args[0].parse() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let paths: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
    let start = Instant::now();
    let records = match parvis_import::open(format, &paths) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let mut tally = Tally::default();
    let mut threads = std::collections::HashSet::new();
    let mut authors = std::collections::HashSet::new();
    let mut replies = 0u64;
    for item in records {
        tally.add(&item);
        if dump {
            let line = match &item {
                Ok(r) => serde_json::to_string(r),
                Err(e) => serde_json::to_string(e),
            };
            println!("{}", line.unwrap_or_default());
        }
        match &item {
            Ok(Record::Message(m)) => {
                threads.insert(m.thread_source_id.clone());
                authors.insert(m.author.handle.clone());
                if m.parent_source_id.is_some() {
                    replies += 1;
                }
            }
            Ok(Record::Skipped(s)) if verbose => eprintln!(
                "skipped: {}: {}: {}",
                s.file.display(),
                s.position,
                s.reason
            ),
            Err(e) if verbose => eprintln!("error: {e}"),
            _ => {}
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "format={format} messages={} replies={replies} threads={} authors={} people={} skipped={} errors={} fatal={} total={} time={secs:.3}s rate={:.0} msgs/s",
        tally.messages,
        threads.len(),
        authors.len(),
        tally.people,
        tally.skipped,
        tally.errors,
        tally.fatal,
        tally.total(),
        tally.messages as f64 / secs.max(1e-9)
    );
}

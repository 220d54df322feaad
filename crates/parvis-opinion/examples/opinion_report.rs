//! Prints the opinion map of a Pol.is export folder.
//!
//! `cargo run --release -p parvis-opinion --example opinion_report -- <dir> [compat|default] [text|json|csv]`

use std::path::Path;

use parvis_opinion::{Conversation, Mode, Options, analyze, render_text, report_csv};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: opinion_report <export-dir> [compat|default] [text|json|csv]");
        std::process::exit(2);
    };
    let mode = match args.get(1).map(String::as_str) {
        Some("compat") => Mode::Compat,
        _ => Mode::Default,
    };
    let result = Conversation::from_polis_export_dir(Path::new(dir)).and_then(|c| {
        analyze(
            &c,
            &Options {
                mode,
                ..Default::default()
            },
        )
    });
    match result {
        Ok(r) => {
            let out = match args.get(2).map(String::as_str) {
                Some("json") => serde_json::to_string_pretty(&r).unwrap_or_default(),
                Some("csv") => report_csv(&r),
                _ => render_text(&r),
            };
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

//! `parvis import`: import another channel's export into a space, with its progress bar,
//! its summary and its exit status (0, 2 or 1).

use crate::config::StoreArgs;
use crate::setup;
use anyhow::Result;
use parvis_services::{Mailer, ServiceConfig, Services};
use std::path::PathBuf;

/// What `parvis import --help` prints after the options: formats, exit status, limits.
pub(crate) const IMPORT_HELP: &str = "Formats:
  wxr        WordPress export (WXR 1.0-1.2): posts and threaded comments
  disqus     Disqus XML export
  rss        RSS 2.0 / Atom feed (with comments when the feed carries them)
  mbox       mbox mailbox or Mailman archive, gzipped or not (threads from Message-ID /
             In-Reply-To / References)
  maildir    Maildir folder
  mastodon   Mastodon / ActivityPub archive (outbox.json, actor.json)
  discourse  Discourse topic JSON
  slack      Slack export (zip or folder)
  twitter    X / Twitter archive (tweets.js)
  linkedin   LinkedIn export CSVs (Shares.csv, Comments.csv)
  jsonl      Parvis generic JSON Lines (see crates/parvis-import/FORMAT-jsonl.md)

Exit status: 0 when everything was imported (or deliberately skipped: spam, notices,
duplicates); 2 when only part was (unreadable items, or a file abandoned midway: what came
before the damage is kept); 1 when nothing was (an empty file, the wrong format, an error
before the import started). The counts are printed either way.

Limits: messages longer than a post (50,000 characters, or 256 KiB of HTML) are cut and
counted as such; XML nested deeper than 512 elements, a zip entry inflating past 256 MiB
(or an export past 2 GiB, or 100 times its size), a gzipped mbox inflating past 50 times its
size (and 256 MiB), and a JSON Lines line over 64 MiB are errors that name the file and place.

People are matched across channels on exact signals (same email, same handle on the same
network, a link between profiles); likely matches are proposed for an admin to review, never
merged silently.";

/// Imports `paths` (in the export format named `format`) into the space `space`, then prints
/// the summary and turns what was taken in into the exit status.
pub(crate) async fn run(
    store_args: &StoreArgs,
    format: String,
    paths: Vec<PathBuf>,
    space: String,
    dry_run: bool,
    json: bool,
) -> Result<()> {
    let format: parvis_import::Format = format
        .parse()
        .map_err(|e| anyhow::anyhow!("{e} (see `parvis import --help`)"))?;
    let store = crate::open_configured_store(store_args).await?;
    setup::require_space(&store, &space).await?;
    let services = Services::new(store, Mailer::Log, ServiceConfig::default());
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) && !json {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} {pos} items ({per_sec}) {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(bar)
    } else {
        None
    };
    let opts = parvis_services::import::ImportOptions {
        space,
        dry_run,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let sum = services
        .import(format, paths, &opts, |s| {
            if let Some(b) = &bar {
                b.set_position(s.items_seen);
                b.set_message(format!(
                    "{} messages, {} people",
                    s.messages_created + s.messages_updated + s.messages_unchanged,
                    s.people_created + s.people_matched
                ));
            }
        })
        .await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if json {
        println!("{}", serde_json::to_string(&sum)?);
    } else {
        print_import_summary(&sum, started.elapsed());
    }
    import_outcome(&sum)
}

/// An import that did not take in all it was given: `parvis import` exits with `code`.
#[derive(Debug)]
pub(crate) struct ImportIncomplete {
    /// 1: nothing was imported; 2: only part of it.
    pub(crate) code: u8,
    message: String,
}

impl std::fmt::Display for ImportIncomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ImportIncomplete {}

/// Exit code 0, 2 or 1 from what the import took in, with the counts on standard error (a
/// script that only checks the status must not mistake an empty or half-read import for one
/// that went through).
fn import_outcome(s: &parvis_services::import::ImportSummary) -> Result<()> {
    use parvis_services::import::ImportOutcome;
    let n = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let abandoned = match s.files_abandoned {
        0 => String::new(),
        k => format!(", {} midway", n(k, "file abandoned", "files abandoned")),
    };
    let (code, message) = match s.outcome {
        ImportOutcome::Complete => return Ok(()),
        ImportOutcome::Partial => (
            2,
            format!(
                "import incomplete: {} imported, {} unreadable{abandoned} (the lines marked ! \
                 above say where)",
                n(s.messages(), "message", "messages"),
                n(s.errors, "item", "items"),
            ),
        ),
        ImportOutcome::Nothing => (
            1,
            format!(
                "nothing imported: {} read, {} unreadable{abandoned}, {} skipped{}",
                n(s.items_seen, "item", "items"),
                s.errors,
                s.skipped - s.errors,
                if s.items_seen == 0 {
                    " (is the file empty?)"
                } else if s.errors == s.items_seen {
                    " (the lines marked ! above say why; is it the format given?)"
                } else {
                    ""
                }
            ),
        ),
    };
    Err(ImportIncomplete { code, message }.into())
}

fn print_import_summary(s: &parvis_services::import::ImportSummary, took: std::time::Duration) {
    let total = s.messages_created + s.messages_updated + s.messages_unchanged;
    println!(
        "{}import finished in {:.1} s ({:.0} messages/s)",
        if s.dry_run {
            "dry run: nothing written; "
        } else {
            ""
        },
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64().max(1e-9)
    );
    println!("  threads:  {} created", s.threads_created);
    println!(
        "  messages: {} created, {} updated, {} unchanged",
        s.messages_created, s.messages_updated, s.messages_unchanged
    );
    if s.truncated > 0 {
        println!(
            "            {} cut to the length of a post ({} characters)",
            s.truncated,
            parvis_services::import::MAX_IMPORTED_TEXT_CHARS
        );
    }
    println!(
        "  people:   {} created, {} matched, {} merges proposed (review them under Administration)",
        s.people_created, s.people_matched, s.merges_proposed
    );
    println!("  skipped:  {} ({} unreadable)", s.skipped, s.errors);
    for (code, n) in &s.skipped_reasons {
        let reason =
            parvis_import::SkipKind::from_code(code).map_or(code.as_str(), |k| k.describe());
        println!("            {n} × {reason}");
    }
    for f in &s.files_left_out {
        println!("            left out: {f}");
    }
    for e in &s.error_examples {
        println!("  ! {e}");
    }
}

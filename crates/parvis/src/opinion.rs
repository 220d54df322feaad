//! `parvis opinion`: the opinion map of a Pol.is export, printed or imported as a topic.

use crate::config::StoreArgs;
use crate::setup;
use anyhow::Result;
use clap::Subcommand;
use parvis_services::{Mailer, ServiceConfig, Services};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub(crate) enum OpinionCommand {
    /// Print the opinion map of a Pol.is export folder (comments.csv, votes.csv) without a
    /// server: opinion groups, their representative statements, consensus, divisive
    /// statements.
    Report {
        /// The export folder.
        dir: PathBuf,
        /// Print the whole report as JSON (with `participants`: voter id and group).
        #[arg(long)]
        json: bool,
        /// Print the statements with their group statistics as CSV.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// `polis` reproduces Pol.is's own computation exactly (its quirks included); the
        /// default mode corrects them (see the parvis-opinion crate documentation).
        #[arg(long, value_name = "MODE")]
        compat: Option<String>,
        /// Seed of the default mode (same seed, same map).
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Import a Pol.is export folder (comments.csv, votes.csv) as a topic of a space, with
    /// its statements and votes; its map then shows under the topic's "Opinion map".
    Import {
        /// The export folder.
        dir: PathBuf,
        /// The space to import into.
        #[arg(long)]
        space: String,
        /// The topic's URL name (default: polis-<folder name>).
        #[arg(long)]
        topic: Option<String>,
    },
}

/// Prints a Pol.is export's map (no store needed), or imports it into the configured store.
pub(crate) async fn run(store_args: &StoreArgs, command: OpinionCommand) -> Result<()> {
    match command {
        OpinionCommand::Report {
            dir,
            json,
            csv,
            compat,
            seed,
        } => {
            let mode = match compat.as_deref() {
                None => parvis_opinion::Mode::Default,
                Some("polis") => parvis_opinion::Mode::Compat,
                Some(other) => anyhow::bail!("--compat takes `polis`, not {other:?}"),
            };
            let conv = parvis_opinion::Conversation::from_polis_export_dir(&dir)?;
            let opts = if mode == parvis_opinion::Mode::Compat {
                parvis_opinion::Options::compat()
            } else {
                parvis_opinion::Options {
                    mode,
                    seed,
                    ..Default::default()
                }
            };
            let report = parvis_opinion::analyze(&conv, &opts)?;
            if json {
                // Pol.is voter ids are numbers: give them back as numbers, as in the export.
                let mut value = serde_json::to_value(&report)?;
                if let Some(list) = value.get_mut("participants").and_then(|p| p.as_array_mut()) {
                    for p in list {
                        if let Some(n) = p
                            .get("id")
                            .and_then(|id| id.as_str())
                            .and_then(|id| id.parse::<i64>().ok())
                        {
                            p["id"] = serde_json::Value::from(n);
                        }
                    }
                }
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else if csv {
                print!("{}", parvis_opinion::report_csv(&report));
            } else {
                print!("{}", parvis_opinion::render_text(&report));
            }
            Ok(())
        }
        OpinionCommand::Import { dir, space, topic } => {
            let store = crate::open_configured_store(store_args).await?;
            setup::require_space(&store, &space).await?;
            let services = Services::new(store, Mailer::Log, ServiceConfig::default());
            let (topic, statements, votes) = services
                .import_polis(&dir, &space, topic.as_deref())
                .await?;
            println!(
                "imported {statements} statements and {votes} votes into topic {:?} of space {space:?}",
                topic.slug
            );
            println!("  its map: /s/{space}/t/{}/opinion", topic.slug);
            Ok(())
        }
    }
}

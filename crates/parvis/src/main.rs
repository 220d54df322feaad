//! `parvis`: the one binary. It only wires: parse the command line, resolve the
//! configuration, open the store, and hand over to the services, the web layer or a CLI
//! command. Nothing here is logic a test would want to reach.
//!
//! This file keeps the command line's shape (`Cli`, `Command`) and the dispatch; each
//! sub-command's wiring lives in its own module (`serve`, `export`, `import`, `opinion`, `eval`,
//! `follow`, `admin`, `setup` for spaces and topics, `measure`).

mod admin;
mod config;
mod eval;
mod export;
mod follow;
mod heap;
mod import;
mod measure;
mod opinion;
mod serve;
mod setup;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use config::{Config, ServerArgs, StoreArgs};
use parvis_services::{Mailer, ServiceConfig, Services};
use parvis_store::Store;
use std::path::PathBuf;

/// Parvis hosts the living conversation of your ecosystem — customers, prospects, partners,
/// employees — and turns it into relationships and measurable trust.
///
/// Quick start: `parvis demo` runs a demo ecosystem on http://127.0.0.1:8080.
/// Every option can also be set with a PARVIS_* environment variable or in a TOML file
/// given with --config; flags win over the environment, which wins over the file.
#[derive(Parser, Debug)]
#[command(name = "parvis", version, about, long_about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    store: StoreArgs,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "PARVIS_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// Log filter, e.g. `info`, `debug`, `parvis_web=debug,info`.
    #[arg(long, env = "PARVIS_LOG", global = true, default_value = "info")]
    log: String,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the Parvis server (web pages, JSON API) on the configured store.
    Serve {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Run the server with the demo ecosystem loaded (SQLite file parvis-data/demo.db by
    /// default). Prints the URL and the demo admin's sign-in.
    Demo {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Write a space as JSON Lines: the space, its topics, the members who wrote in it,
    /// each thread followed by its messages, then reactions, opinion statements and votes, and
    /// the members' consents with their dated history. One JSON object per line, with a
    /// "type". Addresses, identities and sign-in secrets are not in it (docs/PRIVACY.md).
    Export {
        /// The space's slug (see `parvis spaces`).
        #[arg(long)]
        space: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Make a consistent copy of a live SQLite store (safe while the server runs).
    Backup {
        /// The new file to write (must not exist).
        path: PathBuf,
    },
    /// List the spaces of the store (same as `parvis space list`).
    Spaces,
    /// Create and list spaces from the shell (the way to start before anyone signs in).
    Space {
        #[command(subcommand)]
        command: setup::SpaceCommand,
    },
    /// Create and list a space's topics.
    Topic {
        #[command(subcommand)]
        command: setup::TopicCommand,
    },
    /// Import conversations from another channel's export into a space. Re-importing the same
    /// or a newer overlapping export creates no duplicates and updates what changed.
    #[command(after_help = import::IMPORT_HELP)]
    Import {
        /// The export's format (see below).
        format: String,
        /// Files or folders to import (several allowed).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The space to import into.
        #[arg(long)]
        space: String,
        /// Show what would be done, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Opinion maps (Pol.is-class): analyse a conversation's agree/disagree votes.
    Opinion {
        #[command(subcommand)]
        command: opinion::OpinionCommand,
    },
    /// Measure how well Parvis's feed predicts what people join next.
    Eval {
        #[command(subcommand)]
        command: eval::EvalCommand,
    },
    /// Follow feeds live: `parvis serve` polls them and imports new items.
    Follow {
        #[command(subcommand)]
        command: follow::FollowCommand,
    },
    /// Measures from the shell: a space's pyramid, answer rate and answerers, or the same
    /// on a mailing-list archive (plausibility check).
    Measure {
        #[command(subcommand)]
        command: measure::MeasureCommand,
    },
    /// Administration from the command line.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
}

fn init_logs(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour codes only for a person at a terminal: a log file or a collector gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.compact().init(),
    }
}

fn main() -> std::process::ExitCode {
    heap::tune();
    // Before any thread or connection: SQLite reads its process-wide settings once.
    if !parvis_store::configure_sqlite_for_server() {
        eprintln!("notice: SQLite was initialised before its settings could be applied");
    }
    let cli = Cli::parse();
    init_logs(cli.log_format, &cli.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<import::ImportIncomplete>().is_some() => {
            eprintln!("{e}");
            e.downcast_ref::<import::ImportIncomplete>()
                .map_or(std::process::ExitCode::FAILURE, |i| i.code.into())
        }
        Err(e) => {
            eprintln!("error: {}", said_once(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes, each said once: several of our errors already put their cause in
/// their own message (`cannot read the corpus: /x: no such file or folder`), and anyhow's `{:#}`
/// would repeat it after them.
fn said_once(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

async fn open_store(url: &str) -> Result<Store> {
    Store::open(url).await.map_err(anyhow::Error::from)
}

/// The store the CLI commands other than `serve`/`demo` work on: flags, environment and the
/// configuration file, else the default SQLite file.
async fn open_configured_store(args: &StoreArgs) -> Result<Store> {
    let config = Config::resolve(args, &ServerArgs::default(), DEFAULT_DATABASE_URL)?;
    eprintln!("{}", setup::describe_store(&config.database_url));
    let store = open_store(&config.database_url).await?;
    setup::hint_if_demo_elsewhere(&store, &config.database_url).await;
    Ok(store)
}

/// The store `serve` and the CLI commands use when none is configured.
pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://parvis-data/parvis.db";

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { server } => {
            let config = Config::resolve(&cli.store, &server, DEFAULT_DATABASE_URL)?;
            serve::run(config, false).await
        }
        Command::Demo { server } => {
            let config = Config::resolve(&cli.store, &server, "sqlite://parvis-data/demo.db")?;
            serve::run(config, true).await
        }
        Command::Export { space, output } => export::run(&cli.store, space, output).await,
        Command::Backup { path } => {
            let store = open_configured_store(&cli.store).await?;
            store.backup_to(&path).await?;
            eprintln!("backup written to {}", path.display());
            Ok(())
        }
        Command::Spaces => {
            let store = open_configured_store(&cli.store).await?;
            let services = Services::new(store, Mailer::Log, ServiceConfig::default());
            setup::space(&services, setup::SpaceCommand::List).await
        }
        Command::Space { command } => {
            let store = open_configured_store(&cli.store).await?;
            let services = Services::new(store, Mailer::Log, ServiceConfig::default());
            setup::space(&services, command).await
        }
        Command::Topic { command } => {
            let store = open_configured_store(&cli.store).await?;
            let services = Services::new(store, Mailer::Log, ServiceConfig::default());
            setup::topic(&services, command).await
        }
        Command::Import {
            format,
            paths,
            space,
            dry_run,
            json,
        } => import::run(&cli.store, format, paths, space, dry_run, json).await,
        Command::Opinion { command } => opinion::run(&cli.store, command).await,
        Command::Eval { command } => eval::run(command).await,
        Command::Measure { command } => {
            let store = match &command {
                measure::MeasureCommand::Report { .. } => {
                    Some(open_configured_store(&cli.store).await?)
                }
                measure::MeasureCommand::Corpus { .. } => None,
            };
            measure::run(store, command).await
        }
        Command::Follow { command } => follow::run(&cli.store, command).await,
        Command::Admin { command } => admin::run(&cli.store, command).await,
    }
}

#[cfg(test)]
mod tests {
    use super::said_once;

    /// Like our crates' errors: the message holds the cause, which is also its source.
    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "cannot read the corpus: {}", self.0)
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_error_that_already_says_its_cause_is_not_followed_by_it_again() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "/x: no such file or folder");
        let e = anyhow::Error::from(Outer(io));
        assert_eq!(
            said_once(&e),
            "cannot read the corpus: /x: no such file or folder"
        );
    }

    #[test]
    fn a_context_is_followed_by_its_cause() {
        let e = anyhow::anyhow!("port 80 is taken").context("cannot start the server");
        assert_eq!(said_once(&e), "cannot start the server: port 80 is taken");
    }
}

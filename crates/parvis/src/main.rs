//! `parvis`: the one binary. It only wires: parse the command line, resolve the
//! configuration, open the store, and hand over to the services, the web layer or a CLI
//! command. Nothing here is logic a test would want to reach.

mod config;
mod heap;
mod measure;
mod setup;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use config::{Config, ServerArgs, StoreArgs};
use parvis_services::{Mailer, ServiceConfig, Services};
use parvis_store::Store;
use std::io::Write;
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
    #[command(after_help = IMPORT_HELP)]
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
        command: OpinionCommand,
    },
    /// Measure how well Parvis's feed predicts what people join next.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
    /// Follow feeds live: `parvis serve` polls them and imports new items.
    Follow {
        #[command(subcommand)]
        command: FollowCommand,
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
        command: AdminCommand,
    },
}

const IMPORT_HELP: &str = "Formats:
  wxr        WordPress export (WXR 1.0-1.2): posts and threaded comments
  disqus     Disqus XML export
  rss        RSS 2.0 / Atom feed (with comments when the feed carries them)
  mbox       mbox mailbox (threads from Message-ID / In-Reply-To / References)
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
(or an export past 2 GiB, or 100 times its size), and a JSON Lines line over 64 MiB are errors
that name the file and place.

People are matched across channels on exact signals (same email, same handle on the same
network, a link between profiles); likely matches are proposed for an admin to review, never
merged silently.";

#[derive(Subcommand, Debug)]
enum OpinionCommand {
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

#[derive(Subcommand, Debug)]
enum EvalCommand {
    /// On a folder of mbox files: at weekly cut-offs, hide what comes after, rank the threads
    /// each active person had not joined using only what came before, and score the ranking
    /// against the threads they did join next (nDCG@10, recall@20), with the baselines
    /// `most_recent`, `most_active` and `hot` (recent activity decaying with a one-hour
    /// half-life) ranked from the same data, and Parvis's ratio to the best of them. Parvis ranks as the app
    /// does: with the scorer it learns from the history before each cut-off.
    Feed {
        /// A folder of mbox files (a mailing-list archive).
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

#[derive(Subcommand, Debug)]
enum FollowCommand {
    /// Follow an RSS/Atom feed or a Mastodon account's public outbox URL.
    Add {
        url: String,
        /// The space to import into.
        #[arg(long)]
        space: String,
        /// `rss` (RSS and Atom) or `mastodon`; guessed from the URL by default.
        #[arg(long)]
        format: Option<String>,
    },
    /// List followed feeds with their last poll.
    List,
    /// Stop following a feed (by the id `follow list` shows).
    Remove { id: i64 },
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create an admin account (the first one, typically) and print a one-time sign-in link.
    Add {
        /// Their email address.
        email: String,
        /// Their display name.
        #[arg(long, default_value = "Admin")]
        name: String,
        /// The public URL to build the sign-in link with (default: as `parvis serve` would
        /// resolve it from PARVIS_PUBLIC_URL, PARVIS_PORT or the configuration file).
        #[arg(long, env = "PARVIS_PUBLIC_URL")]
        public_url: Option<String>,
        /// The port the server listens on, when no public URL is set.
        #[arg(long, env = "PARVIS_PORT")]
        port: Option<u16>,
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

/// A `clap` parser for a fraction of the archive, in `0..=1`.
fn fraction(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("expected a fraction between 0 and 1, got {s:?}")),
    }
}

fn main() -> std::process::ExitCode {
    heap::tune();
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
        Err(e) if e.downcast_ref::<ImportIncomplete>().is_some() => {
            eprintln!("{e}");
            e.downcast_ref::<ImportIncomplete>()
                .map_or(std::process::ExitCode::FAILURE, |i| i.code.into())
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
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
            serve(config, false).await
        }
        Command::Demo { server } => {
            let config = Config::resolve(&cli.store, &server, "sqlite://parvis-data/demo.db")?;
            serve(config, true).await
        }
        Command::Export { space, output } => {
            let store = open_configured_store(&cli.store).await?;
            let space = store.space_by_slug(&space).await?.with_context(|| {
                format!("no space {space:?} in this store (see `parvis spaces`)")
            })?;
            let sink: Box<dyn Write> = match &output {
                Some(path) => Box::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                ),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut sink = std::io::BufWriter::new(sink);
            let n = store
                .export_space(&space, |record| {
                    serde_json::to_writer(&mut sink, &record)?;
                    sink.write_all(b"\n")
                })
                .await?;
            sink.flush()?;
            eprintln!("exported {n} records from space {:?}", space.slug);
            Ok(())
        }
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
        } => {
            let format: parvis_import::Format = format
                .parse()
                .map_err(|e| anyhow::anyhow!("{e} (see `parvis import --help`)"))?;
            let store = open_configured_store(&cli.store).await?;
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
        Command::Opinion {
            command:
                OpinionCommand::Report {
                    dir,
                    json,
                    csv,
                    compat,
                    seed,
                },
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
        Command::Opinion {
            command: OpinionCommand::Import { dir, space, topic },
        } => {
            let store = open_configured_store(&cli.store).await?;
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
        Command::Eval {
            command:
                EvalCommand::Feed {
                    dir,
                    json,
                    cutoff,
                    until,
                    at_join,
                    eras,
                },
        } => {
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
        Command::Measure { command } => {
            let store = match &command {
                measure::MeasureCommand::Report { .. } => {
                    Some(open_configured_store(&cli.store).await?)
                }
                measure::MeasureCommand::Corpus { .. } => None,
            };
            measure::run(store, command).await
        }
        Command::Follow { command } => {
            let store = open_configured_store(&cli.store).await?;
            let services = Services::new(store.clone(), Mailer::Log, ServiceConfig::default());
            match command {
                FollowCommand::Add { url, space, format } => {
                    setup::require_space(&store, &space).await?;
                    let id = services.follow(&space, &url, format.as_deref()).await?;
                    println!(
                        "following {url} into space {space:?} (id {id}); `parvis serve` polls it"
                    );
                }
                FollowCommand::List => {
                    for s in store.followed_sources(None).await? {
                        let last = s
                            .last_polled_at
                            .map(parvis_domain::rfc3339)
                            .unwrap_or_else(|| "never".into());
                        let error = s
                            .last_error
                            .map(|e| format!("\terror: {e}"))
                            .unwrap_or_default();
                        println!(
                            "{}\t{}\t{}\tlast poll {}\t{} items{}",
                            s.id, s.format, s.url, last, s.items_imported, error
                        );
                    }
                }
                FollowCommand::Remove { id } => {
                    if !store.unfollow(id).await? {
                        anyhow::bail!("no followed feed with id {id} (see `parvis follow list`)");
                    }
                    println!("feed {id} no longer followed");
                }
            }
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Add {
                    email,
                    name,
                    public_url,
                    port,
                },
        } => {
            // The link must point where the server really listens: resolve the public URL
            // exactly as `parvis serve` does (flags, environment, configuration file).
            let server = ServerArgs {
                public_url,
                port,
                ..ServerArgs::default()
            };
            let config = Config::resolve(&cli.store, &server, DEFAULT_DATABASE_URL)?;
            let store = open_configured_store(&cli.store).await?;
            let (outcome, link) =
                parvis_services::bootstrap_admin(&store, &email, &name, &config.public_url).await?;
            let what = match outcome {
                parvis_services::AdminBootstrap::Created => "created",
                parvis_services::AdminBootstrap::Promoted => "was a member and is now an admin",
                parvis_services::AdminBootstrap::AlreadyAdmin => {
                    "is already an admin (new sign-in link)"
                }
            };
            println!(
                "Admin {email} {what}. Sign in once with this link (valid 7 days), then set a password under \"My account\":\n{link}"
            );
            Ok(())
        }
    }
}

async fn serve(mut config: Config, demo: bool) -> Result<()> {
    tracing::debug!(?config, "configuration");
    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}:{} (is another server using it? try --port)",
                config.host, config.port
            )
        })?;
    let addr = listener.local_addr()?;
    // `--port 0` (tests, scripts) picks a free port: the links Parvis writes (oEmbed frames,
    // calls to action, sign-in mails) must name it, not port 0.
    if config.port == 0 && config.public_url.ends_with(":0") {
        config.public_url = format!("http://{addr}");
    }
    let store = open_store(&config.database_url).await?;
    let where_ = store
        .sqlite_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| parvis_store::redact_url(&config.database_url));
    let demo_summary = if demo {
        Some(parvis_services::demo::load(&store).await?)
    } else {
        None
    };
    let mailer = match &config.mail_dir {
        Some(dir) => Mailer::to_dir(dir, &config.mail_from)?,
        None => Mailer::from_url(config.smtp_url.as_deref(), &config.mail_from)?,
    };
    let services = Services::new(
        store.clone(),
        mailer,
        ServiceConfig {
            public_url: config.public_url.clone(),
            thread_cache: config.thread_cache,
            reminder_minutes: config.reminder_minutes.clone(),
            ..Default::default()
        },
    );
    let redis = match config.redis_url.as_deref() {
        Some(url) => Some(
            parvis_services::live_redis::RedisBroker::connect(url)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("--redis-url {}: {e}", parvis_store::redact_url(url))
                })?,
        ),
        None => None,
    };
    let services = match &redis {
        Some(broker) => {
            services.with_live_broker(broker.clone(), parvis_services::live::LiveConfig::default())
        }
        None => services,
    };
    if let Some(broker) = &redis {
        broker.subscribe(services.live().clone());
        tracing::info!("live rooms shared through redis");
    }
    let web = parvis_web::WebConfig {
        secure_cookies: config.public_url.starts_with("https://"),
        site_name: config.site_name.clone(),
        trusted_proxies: parvis_web::TrustedProxies::parse(&config.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?,
        ..Default::default()
    };
    let index = parvis_search::SearchIndex::open(&config.search_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot open the search index at {}: {e}. Only one running Parvis may use an index directory: give each instance its own --search-dir",
            config.search_dir.display()
        )
    })?;
    let services = services
        .with_search(std::sync::Arc::new(index))
        .with_feed_dir(config.feed_dir.clone());
    if let Some(demo) = demo_summary.as_ref().filter(|d| d.loaded) {
        // The demo is written straight to the store: tag its messages with its topics, so
        // that its activity page shows real activity.
        let space = services.space(&demo.space_slug).await?;
        services.tag_existing_messages(&space, None, |_| {}).await?;
    }
    services.spawn_indexer(std::time::Duration::from_secs(2));
    services.spawn_cache_watch(std::time::Duration::from_secs(1));
    // Webhooks are queued in the store as events happen and sent from here.
    services.spawn_webhook_worker();
    // Session mails and reminders (the job table survives restarts).
    services.spawn_job_worker(std::time::Duration::from_secs(5));
    {
        // The measures dashboards are computed once now, in the background, so that the
        // first admin who opens one does not wait for it.
        let services = services.clone();
        tokio::spawn(async move {
            match services.warm_dashboards().await {
                Ok(n) => tracing::debug!(spaces = n, "measures: dashboards computed"),
                Err(e) => {
                    tracing::warn!(error = %e, "measures: computing the dashboards at start-up failed")
                }
            }
        });
    }
    // Feed engines are built now, in the background, and kept current: the first
    // "Pour vous" does not wait for a build.
    services.spawn_feed_engines(std::time::Duration::from_secs(5));
    heap::spawn_trimmer();
    services.spawn_follower(
        std::time::Duration::from_secs(config.poll_interval_secs),
        std::time::Duration::from_secs(config.poll_interval_secs.min(30)),
    );
    let app = parvis_web::build(services, web);
    let url = if config.port == 0 {
        format!("http://{addr}")
    } else {
        config.public_url.clone()
    };
    println!("Parvis {} is running at {url}", env!("CARGO_PKG_VERSION"));
    println!("  store: {} ({})", where_, store.backend().name());
    println!("  search index: {}", config.search_dir.display());
    println!("  feed engines: {}", config.feed_dir.display());
    if let Some(d) = &demo_summary {
        if d.loaded {
            println!(
                "  demo: loaded space {:?} ({} members, {} threads, {} messages, a debate of {} statements and {} votes)",
                d.space_slug, d.members, d.threads, d.messages, d.statements, d.votes
            );
        }
        println!(
            "  demo admin: {} / {}",
            d.admin_email,
            parvis_services::demo::DEMO_ADMIN_PASSWORD
        );
    } else if store.member_count().await? == 0 {
        println!(
            "  this store has no members yet: create the first admin with `parvis admin add you@example.org`"
        );
    }
    println!("  API: {url}/api/openapi.json · stop with Ctrl-C");
    let _ = std::io::stdout().flush();
    parvis_web::serve(listener, app, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// An import that did not take in all it was given: `parvis import` exits with `code`.
#[derive(Debug)]
struct ImportIncomplete {
    /// 1: nothing was imported; 2: only part of it.
    code: u8,
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
    for e in &s.error_examples {
        println!("  ! {e}");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

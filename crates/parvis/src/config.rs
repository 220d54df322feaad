//! One typed configuration. Each setting comes from, in order of precedence: a command-line
//! flag, a `PARVIS_*` environment variable, the TOML file given by `--config`, then a default
//! that runs out of the box. Secrets (database and SMTP passwords) are redacted in `Debug`.

use anyhow::{Context, Result};
use clap::Args;
use serde::Deserialize;
use std::path::PathBuf;

/// Options every sub-command that touches the store understands.
#[derive(Args, Debug, Clone, Default)]
pub struct StoreArgs {
    /// Where data lives: `sqlite://PATH` (a file, created if missing) or
    /// `postgres://USER@HOST/DB`. Default: sqlite://parvis-data/parvis.db
    /// (parvis-data/demo.db for `parvis demo`).
    #[arg(
        long,
        env = "PARVIS_DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// A TOML file with any of these settings (keys as the long flags, with underscores:
    /// `database_url = "…"`, `port = 8080`). Flags and environment variables win over it.
    #[arg(long, env = "PARVIS_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Options of the web server (`serve` and `demo`).
#[derive(Args, Debug, Clone, Default)]
pub struct ServerArgs {
    /// Address to listen on. Default 127.0.0.1 (use 0.0.0.0 to accept other machines).
    #[arg(long, env = "PARVIS_HOST", value_name = "ADDR")]
    pub host: Option<String>,

    /// Port to listen on (0 picks a free one). Default 8080.
    #[arg(long, env = "PARVIS_PORT", value_name = "PORT")]
    pub port: Option<u16>,

    /// The address people reach this instance at, used in emailed links and to decide on
    /// Secure cookies (https). Default http://HOST:PORT.
    #[arg(long, env = "PARVIS_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// SMTP server for sign-in links and invitations, e.g. smtp://user:pass@mail.example:587
    /// or smtps://… Without it, links are written to the log.
    #[arg(
        long,
        env = "PARVIS_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,

    /// Sender of outgoing mail. Default "Parvis <parvis@localhost>".
    #[arg(long, env = "PARVIS_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,

    /// Write every outgoing mail as an .eml file in this folder instead of sending it (a
    /// file outbox for trials and tests; open the files in any mail client). Takes
    /// precedence over --smtp-url.
    #[arg(long, env = "PARVIS_MAIL_DIR", value_name = "DIR")]
    pub mail_dir: Option<PathBuf>,

    /// Session reminders, in minutes before the start, comma-separated. Default 1440,60
    /// (24 hours and 1 hour).
    #[arg(long, env = "PARVIS_REMINDERS", value_name = "MINUTES")]
    pub reminders: Option<String>,

    /// The name shown in the header of every page. Default "Parvis".
    #[arg(long, env = "PARVIS_SITE_NAME", value_name = "NAME")]
    pub site_name: Option<String>,

    /// Serve thread pages from the in-memory cache (default true). Writes by this instance
    /// clear it at once; writes by other processes (another instance, a CLI import) within a
    /// second, through a version counter in the store. With false, every read asks the store
    /// for that version and is answered from a copy of the page made at it (in memory, else
    /// kept by the store): never a second behind.
    #[arg(long, env = "PARVIS_THREAD_CACHE", value_name = "BOOL")]
    pub thread_cache: Option<bool>,

    /// Where the full-text search index lives (one directory per running instance: only
    /// one process may write an index). Default: next to the SQLite file (`FILE.search/`),
    /// or `parvis-data/search-HASH` (one per database URL) with PostgreSQL.
    #[arg(long, env = "PARVIS_SEARCH_DIR", value_name = "DIR")]
    pub search_dir: Option<PathBuf>,

    /// Where each space's feed engine is saved, so that a restart serves "Pour vous" at once
    /// instead of rebuilding it from the whole history (about a minute at a million
    /// messages). One directory per running instance. Default: next to the SQLite file
    /// (`FILE.feed/`), or `parvis-data/feed-HASH` (one per database URL) with PostgreSQL.
    #[arg(long, env = "PARVIS_FEED_DIR", value_name = "DIR")]
    pub feed_dir: Option<PathBuf>,

    /// How often followed feeds are polled, in seconds (`parvis follow add`). Default 900.
    #[arg(long, env = "PARVIS_POLL_INTERVAL", value_name = "SECONDS")]
    pub poll_interval: Option<u64>,

    /// Reverse proxies whose X-Forwarded-For header names the client (CIDRs or addresses,
    /// comma-separated, e.g. 127.0.0.1/32,10.0.0.0/8). The sign-in limits count by client:
    /// behind a proxy, set this, or every visitor counts as the proxy. Default: none (the
    /// header is ignored, since anyone can send it).
    #[arg(long, env = "PARVIS_TRUSTED_PROXIES", value_name = "CIDRS")]
    pub trusted_proxies: Option<String>,

    /// Share live rooms with other instances through Redis pub/sub, e.g.
    /// redis://127.0.0.1:6379 (all instances on one PostgreSQL store). Default: none, the
    /// rooms live in this process only.
    #[arg(
        long,
        env = "PARVIS_REDIS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,
}

/// The TOML file's shape: every key optional.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    mail_dir: Option<PathBuf>,
    reminders: Option<String>,
    site_name: Option<String>,
    thread_cache: Option<bool>,
    poll_interval: Option<u64>,
    search_dir: Option<PathBuf>,
    feed_dir: Option<PathBuf>,
    trusted_proxies: Option<String>,
    redis_url: Option<String>,
}

/// The resolved configuration.
#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub host: String,
    pub port: u16,
    pub public_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// The file outbox, when mail is written to a folder instead of sent.
    pub mail_dir: Option<PathBuf>,
    /// Minutes before a session's start when reminders go.
    pub reminder_minutes: Vec<i64>,
    pub site_name: String,
    pub thread_cache: bool,
    pub poll_interval_secs: u64,
    pub search_dir: PathBuf,
    /// Where the feed engines are saved.
    pub feed_dir: PathBuf,
    /// CIDRs of the trusted reverse proxies (empty: none).
    pub trusted_proxies: String,
    /// Redis for live rooms across instances (none: in process).
    pub redis_url: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &parvis_store::redact_url(&self.database_url),
            )
            .field("host", &self.host)
            .field("port", &self.port)
            .field("public_url", &self.public_url)
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(parvis_store::redact_url),
            )
            .field("mail_from", &self.mail_from)
            .field("mail_dir", &self.mail_dir)
            .field("reminder_minutes", &self.reminder_minutes)
            .field("site_name", &self.site_name)
            .field("thread_cache", &self.thread_cache)
            .field("trusted_proxies", &self.trusted_proxies)
            .field(
                "redis_url",
                &self.redis_url.as_deref().map(parvis_store::redact_url),
            )
            .finish()
    }
}

fn read_file(path: Option<&PathBuf>) -> Result<FileConfig> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        anyhow::anyhow!(
            "{}{}: {}",
            path.display(),
            line.map(|l| format!(":{l}")).unwrap_or_default(),
            e.message()
        )
    })
}

/// The default directory of `kind` (`search`, `feed`): beside the SQLite file, else under
/// parvis-data/.
fn default_data_dir(database_url: &str, kind: &str) -> PathBuf {
    match database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
    {
        Some(path) => PathBuf::from(format!("{}.{kind}", path.split('?').next().unwrap_or(path))),
        // One per database: a short, stable hash of the URL names the directory.
        None => {
            let hash = database_url.bytes().fold(0xcbf29ce484222325u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x100000001b3)
            });
            PathBuf::from(format!("parvis-data/{kind}-{:08x}", hash as u32))
        }
    }
}

impl Config {
    /// Merge flags/environment (already merged by clap), the file, and defaults.
    pub fn resolve(store: &StoreArgs, server: &ServerArgs, default_db: &str) -> Result<Config> {
        let file = read_file(store.config.as_ref())?;
        let host = server
            .host
            .clone()
            .or(file.host)
            .unwrap_or_else(|| "127.0.0.1".into());
        let port = server.port.or(file.port).unwrap_or(8080);
        let public_url = server
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| {
                format!(
                    "http://{}:{port}",
                    if host == "0.0.0.0" {
                        "127.0.0.1"
                    } else {
                        &host
                    }
                )
            });
        let database_url = store
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| default_db.to_string());
        Ok(Config {
            feed_dir: server
                .feed_dir
                .clone()
                .or(file.feed_dir)
                .unwrap_or_else(|| default_data_dir(&database_url, "feed")),
            search_dir: server
                .search_dir
                .clone()
                .or(file.search_dir)
                .unwrap_or_else(|| default_data_dir(&database_url, "search")),
            database_url,
            host,
            port,
            public_url,
            smtp_url: server.smtp_url.clone().or(file.smtp_url),
            mail_dir: server.mail_dir.clone().or(file.mail_dir),
            reminder_minutes: parse_reminders(
                server
                    .reminders
                    .clone()
                    .or(file.reminders)
                    .as_deref()
                    .unwrap_or("1440,60"),
            )?,
            mail_from: server
                .mail_from
                .clone()
                .or(file.mail_from)
                .unwrap_or_else(|| "Parvis <parvis@localhost>".into()),
            site_name: server
                .site_name
                .clone()
                .or(file.site_name)
                .unwrap_or_else(|| "Parvis".into()),
            thread_cache: server.thread_cache.or(file.thread_cache).unwrap_or(true),
            trusted_proxies: server
                .trusted_proxies
                .clone()
                .or(file.trusted_proxies)
                .unwrap_or_default(),
            redis_url: server.redis_url.clone().or(file.redis_url),
            poll_interval_secs: server
                .poll_interval
                .or(file.poll_interval)
                .unwrap_or(900)
                .max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_which_beats_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("parvis.toml");
        std::fs::write(
            &file,
            "port = 9000\nsite_name = \"Forum\"\ndatabase_url = \"sqlite://x.db\"\n",
        )
        .unwrap();
        let store = StoreArgs {
            database_url: None,
            config: Some(file.clone()),
        };
        let server = ServerArgs {
            port: Some(7000),
            ..Default::default()
        };
        let c = Config::resolve(&store, &server, "sqlite://d.db").unwrap();
        assert_eq!(c.port, 7000);
        assert_eq!(c.site_name, "Forum");
        assert_eq!(c.database_url, "sqlite://x.db");
        assert_eq!(c.host, "127.0.0.1");
        assert_eq!(c.public_url, "http://127.0.0.1:7000");
    }

    #[test]
    fn a_bad_file_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("parvis.toml");
        std::fs::write(&file, "site_name = \"ok\"\nprot = 9000\n").unwrap();
        let store = StoreArgs {
            database_url: None,
            config: Some(file),
        };
        let e = Config::resolve(&store, &ServerArgs::default(), "sqlite://d.db")
            .unwrap_err()
            .to_string();
        assert!(e.contains("parvis.toml:2"), "{e}");
        assert!(e.contains("prot"), "{e}");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let store = StoreArgs {
            database_url: Some("postgres://u:hunter2@db/x".into()),
            config: None,
        };
        let c = Config::resolve(&store, &ServerArgs::default(), "").unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}

/// `1440,60` → [1440, 60]; anything else is a start-up error naming the option.
fn parse_reminders(s: &str) -> anyhow::Result<Vec<i64>> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.parse::<i64>() {
            Ok(n) if (1..=60 * 24 * 60).contains(&n) => Ok(n),
            _ => Err(anyhow::anyhow!(
                "--reminders: {p:?} is not a number of minutes between 1 and 86400 (e.g. 1440,60)"
            )),
        })
        .collect()
}

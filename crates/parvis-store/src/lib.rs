//! Parvis store: the one place where SQL lives.
//!
//! Design decisions:
//! - **One codebase for SQLite and PostgreSQL.** Queries go through sqlx's `Any` driver and use
//!   SQL that both engines accept (`$1` placeholders, `RETURNING`, `ON CONFLICT`). The schema is
//!   one text (`schema.sql`) in which only the auto-increment primary key differs. That is why
//!   every column is `BIGINT` or `TEXT`: times are Unix milliseconds, flags are 0/1 — the `Any`
//!   driver carries no date, UUID or JSON types, and we need none.
//! - **The backend is chosen at run time from the URL** (`sqlite://…`, `postgres://…`); any
//!   other scheme is a clear start-up error, and so is a file or database that is not a Parvis
//!   store (we never write our tables into somebody else's database).
//! - **SQLite runs in WAL mode** with `synchronous=NORMAL`: a write that was committed survives
//!   the process being killed (only a power cut may lose the last transactions), and readers
//!   never block the writer.
//! - **Imports into SQLite take a side door** ([`ImportWriter`]): one `rusqlite` connection
//!   (the same bundled SQLite library sqlx links) on a thread of its own, with prepared
//!   statements, fed a batch of commands at a time. Going through sqlx's `Any` driver, each
//!   statement's values were copied and handed to a worker thread, half of an import's time.
//!   The SQL stays parameterised and the outcome is the sqlx path's, row for row (tested).
//! - Every store test is one function run on both backends (see `tests/store.rs`).

mod auth;
mod calendar;
mod challenge_read;
mod challenges;
mod content;
mod content_read;
mod embed_held;
mod embed_posting;
mod embeds;
mod import;
mod import_batch;
mod import_sqlite;
mod import_writer;
mod intros;
mod jobs;
mod live;
mod measure;
mod measure_events;
mod measure_periods;
mod measure_taken_back;
mod meetings;
mod member_content;
mod members;
mod opinion;
mod privacy;
mod privacy_content;
mod read;
mod registrations;
mod relevance;
mod session_page;
mod session_reports;
mod sessions;
mod shares;
mod stored_pages;
mod survey_answers;
mod survey_privacy;
mod survey_recipients;
mod tagging;
mod testimonials;
mod version_reads;
mod write;

pub use auth::{ApiTokenInfo, AuthAttempts, SessionInfo};
pub use calendar::LatestConsent;
pub use challenge_read::{ChallengeRead, ChallengeReadFor};
pub use challenges::{
    ChallengeRow, Criterion, EntryComment, EntryRow, NewChallenge, NewEntry, ScoreRow, ScoreSum,
};
pub use content::{ExportRecord, MessageForIndex, NewMessage, NewThread};
pub use content_read::{SpacePage, ThreadPageVisitor};
pub use embed_held::{HeldMessage, NewHeld};
pub use embed_posting::{AttemptState, EmbedAttempt, NewEmbedAttempt, PostSettings};
pub use embeds::{
    Click, EmbedSettings, FunnelRow, NewClick, NewConversion, WebhookDelivery, WebhookEndpoint,
};
pub use import::{
    FollowedSource, ImportRow, ImportTx, MergeInfo, MergeProposal, MessageOutcome, TopicActivity,
};
pub use import_batch::{BatchOutcome, ImportRun};
pub use import_writer::{ImportTotals, ImportWriter};
pub use intros::IntroRequest;
pub use jobs::Job;
pub use live::{NewRoom, OwnRoomEvent, RoomEventRow, RoomRow};
pub use measure::{
    ActivityRow, AnswerRow, ObjectiveRow, QuestionRow, RefreshOutcome, ReplyDelay,
    StaffPublication, SurveyRow, measure_week,
};
pub use measure_events::SessionEventRow;
pub use measure_periods::{MemberPeriods, PeriodSums, PeriodsQuery};
pub use meetings::{MeetPlan, MeetingRow, NewMeeting};
pub use member_content::ProfileEntry;
pub use members::{Credentials, NewMember};
pub use opinion::{StatementRow, VoteRow};
pub use privacy::{
    ConsentEvent, Erasure, MemberRecords, OwnFeedback, OwnMessage, OwnReaction, OwnStatement,
    OwnVote,
};
pub use privacy_content::{
    ContentRecords, OwnEntry, OwnEntryComment, OwnEntryVote, OwnScore, OwnShare, OwnShareCredit,
    OwnTestimonial,
};
pub use read::configure_sqlite_for_server;
pub use relevance::{MessageSignal, ThreadEvent};
pub use session_page::SessionPageRead;
pub use session_reports::{StoredReport, TopicMessage};
pub use sessions::{
    AgendaItem, NewRegistration, NewSession, Registered, Registration, SessionPerson, SessionRow,
};
pub use shares::{ShareCredits, ShareStats};
pub use stored_pages::ThreadPageRead;
pub use survey_answers::{AnswerOutcome, LinkRow};
pub use survey_privacy::PendingSurvey;
pub use survey_recipients::{ClosedSurvey, RecipientCounts, RecipientToMail};
pub use tagging::MessageToTag;
pub use testimonials::{ConsentRecord, NewTestimonial, QaPair, TestimonialRow};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name shown in logs and health checks.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// What can go wrong in the store, with messages meant for the person running Parvis.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL {0:?}: use sqlite://PATH (a file, created if missing) or postgres://USER@HOST/DB"
    )]
    UnsupportedUrl(String),
    #[error("{0}")]
    NotAParvisStore(String),
    #[error("cannot open the store at {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("store migration to version {version} failed: {source}")]
    Migration { version: i64, source: sqlx::Error },
    #[error(
        "the store was written by a newer Parvis (schema version {found}, this binary knows up to {known}); upgrade Parvis"
    )]
    TooNew { found: i64, known: i64 },
    /// A uniqueness rule was broken (the `what` says which, e.g. "handle").
    #[error("{what} already exists")]
    Conflict { what: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// From the SQLite bulk-import and read connections.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A read that could not run as written (a bug, not bad input).
    #[error("store read: {0}")]
    Read(&'static str),
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Turn a unique-constraint violation into `Conflict { what }`, anything else into `Db`.
pub(crate) fn conflict_as(what: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| match e.as_database_error() {
        Some(d) if d.is_unique_violation() => StoreError::Conflict {
            what: what.to_string(),
        },
        _ => StoreError::Db(e),
    }
}

/// Move the content version (`parvis_meta.content_version`), which the pages kept for their
/// readers are checked against. Run in the same transaction as a new thread or message (the
/// two writes made many times a day, kept out of schema 34's triggers so that an import's
/// thousands of rows do not each move it: imports move it once at their end); the triggers
/// move it for the rest.
pub(crate) const BUMP_CONTENT_VERSION: &str = "UPDATE parvis_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'content_version'";

/// The schema versions this binary knows, in order.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("schema.sql")),
    (2, include_str!("schema_v2.sql")),
    (3, include_str!("schema_v3.sql")),
    (5, include_str!("schema_v5.sql")),
    (6, include_str!("schema_v6.sql")),
    (7, include_str!("schema_v7.sql")),
    (8, include_str!("schema_v8.sql")),
    (9, include_str!("schema_v9.sql")),
    (10, include_str!("schema_v10.sql")),
    (11, include_str!("schema_v11.sql")),
    (12, include_str!("schema_v12.sql")),
    (13, include_str!("schema_v13.sql")),
    (15, include_str!("schema_v15.sql")),
    (16, include_str!("schema_v16.sql")),
    (17, include_str!("schema_v17.sql")),
    (18, include_str!("schema_v18.sql")),
    (19, include_str!("schema_v19.sql")),
    (20, include_str!("schema_v20.sql")),
    (21, include_str!("schema_v21.sql")),
    (22, include_str!("schema_v22.sql")),
    (23, include_str!("schema_v23.sql")),
    (24, include_str!("schema_v24.sql")),
    (25, include_str!("schema_v25.sql")),
    (26, include_str!("schema_v26.sql")),
    (27, include_str!("schema_v27.sql")),
    (28, include_str!("schema_v28.sql")),
    (29, include_str!("schema_v29.sql")),
    (30, include_str!("schema_v30.sql")),
    (31, include_str!("schema_v31.sql")),
    (32, include_str!("schema_v32.sql")),
    (33, include_str!("schema_v33.sql")),
    (34, include_str!("schema_v34.sql")),
];

/// A handle on the store; cheap to clone (it is a connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// The read path of the pages that read the store (see [`read`]).
    reads: read::ReadPool,
    /// The write path of the writes that come many a second (see [`write`]).
    writes: write::WritePool,
    /// The minute (Unix minutes) this process last pruned old rate-limit attempts.
    attempts_pruned_at: Arc<AtomicI64>,
    /// Content version reads shared by the requests that ask at once (PostgreSQL).
    versions: Arc<version_reads::SharedVersionReads>,
    backend: Backend,
    /// The SQLite file, when the backend is SQLite (for backups and start-up messages).
    sqlite_path: Option<PathBuf>,
}

impl Store {
    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`,
    /// waiting up to `busy_timeout` for another writer): a deferred transaction that reads
    /// before it writes fails with SQLITE_BUSY_SNAPSHOT ("database is locked", which
    /// `busy_timeout` does not retry) when another connection commits in between. Found by
    /// the API fuzzer: concurrent consent changes answered 503.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Open (and create or migrate) the store behind `url`.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_up_to(url, i64::MAX).await
    }

    /// Open the store behind `url`, applying the migrations up to `last` only: a store as an
    /// older Parvis left it, for the upgrade tests (see [`testing::open_at_version`]).
    async fn open_up_to(url: &str, last: i64) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, connect_url, sqlite_path) = parse_url(url)?;
        if let Some(path) = &sqlite_path {
            check_sqlite_file(path)?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
        }
        let opts = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        let opts = if backend == Backend::Sqlite {
            opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;")
                        .await?;
                    Ok(())
                })
            })
        } else {
            opts
        };
        let pool = opts
            .connect(&connect_url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact_url(url),
                source,
            })?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        let reads = match &sqlite_path {
            Some(path) => read::ReadPool::sqlite(path),
            None => read::ReadPool::postgres(&connect_url)?,
        };
        let writes = match &sqlite_path {
            Some(path) => write::WritePool::sqlite(path),
            None => write::WritePool::postgres(&connect_url)?,
        };
        let store = Store {
            pool,
            reads,
            writes,
            attempts_pruned_at: Arc::new(AtomicI64::new(0)),
            versions: Arc::default(),
            backend,
            sqlite_path,
        };
        store.check_is_parvis().await?;
        store.migrate(last).await?;
        Ok(store)
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite file, if the store is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.sqlite_path.as_deref()
    }

    /// Whether the store answers (used by `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// Close all connections (flushes the SQLite WAL on the last one).
    pub async fn close(&self) {
        self.reads.close().await;
        self.writes.close().await;
        self.pool.close().await;
    }

    /// The tables in the current database (SQLite) or schema (PostgreSQL).
    async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("name").map_err(StoreError::from))
            .collect()
    }

    /// Refuse a database that holds tables but not ours.
    async fn check_is_parvis(&self) -> Result<()> {
        let tables = self.table_names().await?;
        if !tables.is_empty()
            && !tables
                .iter()
                .any(|t| t == "parvis_meta" || t == "parvis_migrations")
        {
            let shown: Vec<_> = tables.iter().take(5).cloned().collect();
            return Err(StoreError::NotAParvisStore(format!(
                "the database {} already holds tables that are not Parvis's ({}{}); use an empty database or a new file",
                self.sqlite_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "given".into()),
                shown.join(", "),
                if tables.len() > 5 { ", …" } else { "" }
            )));
        }
        Ok(())
    }

    /// The schema version recorded in the store (0 for a new one).
    pub async fn schema_version(&self) -> Result<i64> {
        if !self.table_names().await?.iter().any(|t| t == "parvis_meta") {
            return Ok(0);
        }
        let row = sqlx::query("SELECT value FROM parvis_meta WHERE key = 'schema_version'")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .and_then(|r| r.try_get::<String, _>(0).ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Apply the migrations this store has not seen, each in one transaction.
    ///
    /// Applied versions are recorded one by one in `parvis_migrations`, not only as the highest
    /// number: capabilities are developed side by side and each owns a version number, so a
    /// lower number may land after a higher one and must still be applied. A store written
    /// before that table existed counts every version up to its `schema_version` as applied.
    /// Versions past `last` are left out (only the upgrade tests stop early).
    async fn migrate(&self, last: i64) -> Result<()> {
        let current = self.schema_version().await?;
        let known = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
        if current > known {
            return Err(StoreError::TooNew {
                found: current,
                known,
            });
        }
        let applied = self.applied_migrations(current).await?;
        let pending = MIGRATIONS
            .iter()
            .filter(|(v, _)| !applied.contains(v) && *v <= last);
        for (version, sql) in pending {
            let id_pk = match self.backend {
                Backend::Sqlite => "INTEGER PRIMARY KEY",
                Backend::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            };
            let mut sql = sql.replace("ID_PK", id_pk);
            // A statement only one backend knows is written on one line after its marker, a
            // comment for the other.
            sql = sql.replace(
                match self.backend {
                    Backend::Postgres => "-- postgres only: ",
                    Backend::Sqlite => "-- sqlite only: ",
                },
                "",
            );
            let fail = |source| StoreError::Migration {
                version: *version,
                source,
            };
            let mut tx = self.pool.begin().await?;
            sqlx::raw_sql(&sql).execute(&mut *tx).await.map_err(fail)?;
            sqlx::query("INSERT INTO parvis_migrations (version) VALUES ($1)")
                .bind(*version)
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
            sqlx::query(
                "INSERT INTO parvis_meta (key, value) VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(current.max(*version).to_string())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            // Debug, not info: every CLI command opens the store, and a new store would list
            // every migration before the command's own output.
            tracing::debug!(version, backend = self.backend.name(), "store migrated");
        }
        Ok(())
    }

    /// The versions already applied, creating the ledger table on first use (filled with every
    /// known version up to `current` for stores migrated before the ledger existed).
    async fn applied_migrations(&self, current: i64) -> Result<Vec<i64>> {
        sqlx::query("CREATE TABLE IF NOT EXISTS parvis_migrations (version BIGINT PRIMARY KEY)")
            .execute(&self.pool)
            .await?;
        let rows = sqlx::query("SELECT version FROM parvis_migrations")
            .fetch_all(&self.pool)
            .await?;
        let mut applied = rows
            .iter()
            .map(|r| int(r, "version"))
            .collect::<Result<Vec<i64>>>()?;
        if applied.is_empty() && current > 0 {
            for (version, _) in MIGRATIONS.iter().filter(|(v, _)| *v <= current) {
                sqlx::query(
                    "INSERT INTO parvis_migrations (version) VALUES ($1) ON CONFLICT DO NOTHING",
                )
                .bind(*version)
                .execute(&self.pool)
                .await?;
                applied.push(*version);
            }
        }
        Ok(applied)
    }

    /// Write a consistent copy of a live SQLite store to `dest` (SQLite's `VACUUM INTO`, which
    /// reads one snapshot while writers go on).
    pub async fn backup_to(&self, dest: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl(
                "backup works on SQLite stores; for PostgreSQL use pg_dump".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Conflict {
                what: format!("backup file {}", dest.display()),
            });
        }
        sqlx::query("VACUUM INTO $1")
            .bind(dest.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Read a column that both drivers hand back as i64.
pub(crate) fn int(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}

/// Read a text column.
pub(crate) fn text(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}

/// Read a nullable text column.
pub(crate) fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

/// Read a nullable integer column.
pub(crate) fn opt_int(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

/// Split a database URL into backend, the URL to hand to sqlx, and the SQLite file.
fn parse_url(url: &str) -> Result<(Backend, String, Option<PathBuf>)> {
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::UnsupportedUrl(format!(
                "{url} (Parvis needs a file so that data survives)"
            )));
        }
        let mut connect = format!("sqlite://{path}?mode=rwc");
        if let Some(q) = query.filter(|q| !q.contains("mode=")) {
            connect.push('&');
            connect.push_str(q);
        }
        return Ok((Backend::Sqlite, connect, Some(PathBuf::from(path))));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_string(), None));
    }
    Err(StoreError::UnsupportedUrl(redact_url(url)))
}

/// A file that exists must be a SQLite database; anything else is refused before we touch it.
fn check_sqlite_file(path: &Path) -> Result<()> {
    use std::io::Read;
    if !path.exists() {
        return Ok(());
    }
    if path.is_dir() {
        return Err(StoreError::NotAParvisStore(format!(
            "{} is a directory; --database-url needs a file, e.g. sqlite://{}/parvis.db",
            path.display(),
            path.display()
        )));
    }
    let mut header = [0u8; 16];
    let mut f = std::fs::File::open(path)?;
    let n = f.read(&mut header)?;
    if n == 0 {
        return Ok(()); // an empty file: SQLite will initialise it
    }
    if n < 16 || &header != b"SQLite format 3\0" {
        return Err(StoreError::NotAParvisStore(format!(
            "{} is not a Parvis store: it is not a SQLite database (its first bytes are not the SQLite header). \
             Point --database-url at an existing Parvis store or at a new file",
            path.display()
        )));
    }
    Ok(())
}

/// Hide a password in a URL before it reaches a log or an error message.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => url.to_string(),
            },
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(parse_url("sqlite://data/p.db").unwrap().0, Backend::Sqlite);
        assert_eq!(parse_url("postgres://u@h/db").unwrap().0, Backend::Postgres);
        assert!(matches!(
            parse_url("mysql://x"),
            Err(StoreError::UnsupportedUrl(_))
        ));
        assert!(parse_url("sqlite::memory:").is_err());
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://bob:secret@db/x"),
            "postgres://bob:***@db/x"
        );
    }
}

/// Helpers for tests (this crate's and the others'): isolated stores on both backends.
pub mod testing {
    use super::*;

    /// A URL to a fresh, empty PostgreSQL schema on the server at `base_url`, so that each test
    /// has its own tables. The schema name is random; it is left behind for inspection.
    pub async fn fresh_postgres_url(base_url: &str) -> Result<String> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(base_url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact_url(base_url),
                source,
            })?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let schema = format!(
            "parvis_t{}_{}",
            std::process::id(),
            nanos % 1_000_000_000_000
        );
        sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
            .execute(&pool)
            .await?;
        pool.close().await;
        let sep = if base_url.contains('?') { '&' } else { '?' };
        Ok(format!(
            "{base_url}{sep}options=-c%20search_path%3D{schema}"
        ))
    }

    /// A store as the Parvis of schema version `version` left it: only the migrations up to
    /// `version` are applied. For upgrade tests only — fill it with that version's SQL, close
    /// it, then [`Store::open`] it to apply the rest as an upgrade would. Never for serving:
    /// the current code expects the current schema.
    pub async fn open_at_version(url: &str, version: i64) -> Result<Store> {
        Store::open_up_to(url, version).await
    }

    /// Run SQL text as written on `store` (several statements allowed): how an upgrade test
    /// fills a store opened by [`open_at_version`] with rows of that version's shape, which
    /// the current code's methods may no longer write. Test text only, never input.
    pub async fn run_sql(store: &Store, sql: &str) -> Result<()> {
        sqlx::raw_sql(sql).execute(&store.pool).await?;
        Ok(())
    }

    /// The PostgreSQL server to test against, from `PARVIS_TEST_DATABASE_URL`, if set.
    pub fn postgres_test_url() -> Option<String> {
        std::env::var("PARVIS_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
    }
}

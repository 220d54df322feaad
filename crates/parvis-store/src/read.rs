//! The read path: pages that read the store go through each backend's own driver.
//!
//! Why not sqlx's `Any` driver, which the writes use: profiled under load (BENCHMARKS.md,
//! "Thread read"), an uncached thread read spent ~40 % of its time in the kernel waking
//! threads — sqlx's SQLite driver runs each connection on a worker thread and ships every
//! command and every row across a channel — and ~15 % copying each row into an `AnyRow`.
//! So a read is written once, as an `async fn` over a [`Reader`], and runs
//! - on **SQLite** on a pooled `rusqlite` connection (the same bundled library sqlx links),
//!   the whole read — all its queries, in one read transaction, so one snapshot — on one
//!   blocking thread: one thread hop per read instead of one per query and per row, and
//!   rows decoded straight from SQLite's buffers;
//! - on **PostgreSQL** on a native `PgPool` connection (typed rows, decoded in place), all
//!   the read's queries on the one connection.
//!
//! The SQL text is the same for both (`$1` placeholders, which SQLite reads as numbered
//! parameters); columns are read by position, through [`Cols`].

use crate::{Result, StoreError};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, PgRow};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Connections a store keeps for reads (per process). Beyond a few per core, more only
/// queue inside the engine.
const READERS: usize = 8;

/// A value bound to a read's `$n` placeholder.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(i64),
    Text(&'a str),
    /// An integer or NULL (a write's optional column).
    OptInt(Option<i64>),
    /// A text or NULL.
    OptText(Option<&'a str>),
}

/// One row of a read, whatever the backend; columns by position (0-based).
pub(crate) trait Cols {
    fn int(&self, i: usize) -> Result<i64>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn text(&self, i: usize) -> Result<String>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    /// A text borrowed from the row, for a read that writes it out before the next row
    /// ([`Reader::each`]): no copy.
    fn str(&self, i: usize) -> Result<&str>;
    fn opt_str(&self, i: usize) -> Result<Option<&str>>;
    /// A text's bytes, copied, or `None` for NULL; on SQLite without checking again that a
    /// text the store wrote is UTF-8 (for a large text handed on as it is: a kept page).
    fn opt_text_bytes(&self, i: usize) -> Result<Option<Vec<u8>>>;
}

impl Cols for rusqlite::Row<'_> {
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.get(i)?)
    }
    fn text(&self, i: usize) -> Result<String> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.get(i)?)
    }
    fn str(&self, i: usize) -> Result<&str> {
        let text = self.get_ref(i)?.as_str();
        Ok(text.map_err(|e| sqlite_conversion(i, e))?)
    }
    fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        let text = self.get_ref(i)?.as_str_or_null();
        Ok(text.map_err(|e| sqlite_conversion(i, e))?)
    }
    fn opt_text_bytes(&self, i: usize) -> Result<Option<Vec<u8>>> {
        use rusqlite::types::ValueRef;
        Ok(match self.get_ref(i)? {
            ValueRef::Null => None,
            ValueRef::Text(b) | ValueRef::Blob(b) => Some(b.to_vec()),
            ValueRef::Integer(_) | ValueRef::Real(_) => {
                return Err(StoreError::Read("a number where a text was expected"));
            }
        })
    }
}

/// A column that is not text (or not UTF-8), as rusqlite's `get` reports it.
fn sqlite_conversion(i: usize, e: rusqlite::types::FromSqlError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

impl Cols for PgRow {
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.try_get(i)?)
    }
    fn text(&self, i: usize) -> Result<String> {
        Ok(self.try_get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.try_get(i)?)
    }
    fn str(&self, i: usize) -> Result<&str> {
        Ok(self.try_get(i)?)
    }
    fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        Ok(self.try_get(i)?)
    }
    fn opt_text_bytes(&self, i: usize) -> Result<Option<Vec<u8>>> {
        Ok(self
            .try_get::<Option<String>, _>(i)?
            .map(String::into_bytes))
    }
}

/// A connection lent to one read.
pub(crate) enum Reader<'c> {
    Sqlite(&'c mut rusqlite::Connection),
    Postgres(&'c mut PgConnection),
}

impl Reader<'_> {
    /// Pick the SQL written for this backend, where the two dialects differ (reading a JSON
    /// array of ids, say).
    pub(crate) fn dialect(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Reader::Sqlite(_) => sqlite,
            Reader::Postgres(_) => postgres,
        }
    }

    /// Every row of `sql`, each turned into a `T` by `map`.
    pub(crate) async fn all<T>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        map: impl Fn(&dyn Cols) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            Reader::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                bind_numbered(&mut stmt, args)?;
                let mut rows = stmt.raw_query();
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(map(row)?);
                }
                Ok(out)
            }
            Reader::Postgres(conn) => {
                let q = bind_pg(sqlx::query(sql), args);
                let rows = q.fetch_all(&mut **conn).await?;
                rows.iter().map(|r| map(r)).collect()
            }
        }
    }

    /// Every row of `sql`, each handed to `visit` while it is current (its texts can be
    /// borrowed, [`Cols::str`]); nothing is collected.
    pub(crate) async fn each(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        mut visit: impl FnMut(&dyn Cols) -> Result<()>,
    ) -> Result<()> {
        match self {
            Reader::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                bind_numbered(&mut stmt, args)?;
                let mut rows = stmt.raw_query();
                while let Some(row) = rows.next()? {
                    visit(row)?;
                }
                Ok(())
            }
            Reader::Postgres(conn) => {
                let q = bind_pg(sqlx::query(sql), args);
                let rows = q.fetch_all(&mut **conn).await?;
                rows.iter().try_for_each(|r| visit(r))
            }
        }
    }

    /// The first row of `sql`, if any.
    pub(crate) async fn opt<T>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
        map: impl Fn(&dyn Cols) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Reader::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                bind_numbered(&mut stmt, args)?;
                let mut rows = stmt.raw_query();
                match rows.next()? {
                    Some(row) => Ok(Some(map(row)?)),
                    None => Ok(None),
                }
            }
            Reader::Postgres(conn) => {
                let q = bind_pg(sqlx::query(sql), args);
                let row = q.fetch_optional(&mut **conn).await?;
                row.as_ref().map(|r| map(r)).transpose()
            }
        }
    }

    /// Run a statement that writes; how many rows it changed. Only on a connection lent by
    /// the write path ([`crate::write`]): the read path's SQLite connections are query-only.
    pub(crate) async fn exec(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64> {
        match self {
            Reader::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                bind_numbered(&mut stmt, args)?;
                Ok(stmt.raw_execute()? as u64)
            }
            Reader::Postgres(conn) => {
                let done = bind_pg(sqlx::query(sql), args).execute(&mut **conn).await?;
                Ok(done.rows_affected())
            }
        }
    }

    /// The one integer `sql` answers (a `COUNT(*)`).
    pub(crate) async fn count(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<i64> {
        Ok(self.opt(sql, args, |r| r.int(0)).await?.unwrap_or(0))
    }
}

/// Bind `args` to a PostgreSQL query, in order.
fn bind_pg<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    args: &[Arg<'q>],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for a in args {
        q = match *a {
            Arg::Int(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::OptInt(v) => q.bind(v),
            Arg::OptText(v) => q.bind(v),
        };
    }
    q
}

/// Bind `args` to a statement whose placeholders are `$1`, `$2`…: SQLite numbers parameters
/// by first appearance, so `$2` may be its first slot; bind by the number in the name.
fn bind_numbered(stmt: &mut rusqlite::Statement<'_>, args: &[Arg<'_>]) -> Result<()> {
    for slot in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(slot)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=args.len()).contains(n))
            .ok_or(StoreError::Read("a $n placeholder without its value"))?;
        match args[n - 1] {
            Arg::Int(v) => stmt.raw_bind_parameter(slot, v)?,
            Arg::Text(v) => stmt.raw_bind_parameter(slot, v)?,
            Arg::OptInt(v) => stmt.raw_bind_parameter(slot, v)?,
            Arg::OptText(v) => stmt.raw_bind_parameter(slot, v)?,
        }
    }
    Ok(())
}

/// A native PostgreSQL pool of at most `connections`, each opened on first use.
pub(crate) fn lazy_pg_pool(url: &str, connections: u32) -> Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy(url)
        .map_err(|source| StoreError::Connect {
            url: crate::redact_url(url),
            source,
        })
}

/// A read future borrowing its reader.
pub(crate) type ReadFuture<'r, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'r>>;

/// The connections reads use, per backend.
#[derive(Clone)]
pub(crate) enum ReadPool {
    Sqlite(Arc<SqliteReaders>),
    Postgres(PgPool),
}

impl std::fmt::Debug for ReadPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReadPool::Sqlite(_) => "ReadPool::Sqlite",
            ReadPool::Postgres(_) => "ReadPool::Postgres",
        })
    }
}

impl ReadPool {
    pub(crate) fn sqlite(path: &Path) -> ReadPool {
        ReadPool::Sqlite(Arc::new(SqliteReaders {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(tokio::sync::Semaphore::new(READERS)),
        }))
    }

    /// Connections are opened on first use (most CLI commands never read this way).
    pub(crate) fn postgres(url: &str) -> Result<ReadPool> {
        Ok(ReadPool::Postgres(lazy_pg_pool(url, READERS as u32)?))
    }

    /// Run one read (see the module's doc).
    pub(crate) async fn run<T, F>(&self, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'r, 'c> FnOnce(&'r mut Reader<'c>) -> ReadFuture<'r, T> + Send + 'static,
    {
        match self {
            ReadPool::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let mut reader = Reader::Postgres(&mut conn);
                read(&mut reader).await
            }
            ReadPool::Sqlite(readers) => {
                let permit = readers
                    .permits
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| StoreError::Read("the store is closing"))?;
                let readers = readers.clone();
                tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    readers.with(read)
                })
                .await
                .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
            }
        }
    }

    /// Run one short read — a few indexed queries bounded by a page, tens to a few hundred
    /// microseconds — on the calling task's own thread on SQLite, with no hop to a blocking
    /// thread. Profiled under load, waking a blocking thread and the task again cost about a
    /// fifth of an uncached thread read (+40 % reads per second without the hop). Readers
    /// never wait for writers in WAL mode, so the worker is held only for the read's own work.
    /// Measured, it is not a rule: the space page, whose read is followed by a long template
    /// render, served 20–25 % fewer pages a second this way while each page grew its answer
    /// by doubling, and 8–10 % more once the page was drawn into a buffer sized up front
    /// (BENCHMARKS.md, 2026-12-07 16:58: interleaved runs of the four combinations). A read
    /// that may scan uses [`run`].
    ///
    /// [`run`]: ReadPool::run
    pub(crate) async fn run_short<T, F>(&self, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'r, 'c> FnOnce(&'r mut Reader<'c>) -> ReadFuture<'r, T> + Send + 'static,
    {
        match self {
            ReadPool::Sqlite(readers) => readers.with(read),
            ReadPool::Postgres(_) => self.run(read).await,
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            ReadPool::Postgres(pool) => pool.close().await,
            ReadPool::Sqlite(readers) => {
                if let Ok(mut idle) = readers.idle.lock() {
                    idle.clear();
                }
            }
        }
    }
}

/// The SQLite read connections: opened on demand, kept idle between reads, at most
/// [`READERS`] in use at once.
pub(crate) struct SqliteReaders {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl SqliteReaders {
    fn open(&self) -> Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // query_only: this connection can never write, whatever SQL reaches it.
        conn.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA query_only = ON;")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// On this (blocking) thread: take a connection, run the read in one read transaction
    /// (one snapshot for all its queries), give the connection back.
    fn with<T, F>(&self, read: F) -> Result<T>
    where
        F: for<'r, 'c> FnOnce(&'r mut Reader<'c>) -> ReadFuture<'r, T>,
    {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut conn = match pooled {
            Some(c) => c,
            None => self.open()?,
        };
        conn.prepare_cached("BEGIN")?.execute([])?;
        let out = {
            let mut reader = Reader::Sqlite(&mut conn);
            finish_now(read(&mut reader))
        };
        let ended = conn
            .prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]));
        if ended.is_ok()
            && conn.is_autocommit()
            && let Ok(mut idle) = self.idle.lock()
        {
            idle.push(conn);
        }
        out
    }
}

/// Drive a SQLite read to its end on this thread. Its `Reader` never waits (every query runs
/// synchronously), so the future completes on its first poll.
pub(crate) fn finish_now<T>(mut fut: ReadFuture<'_, T>) -> Result<T> {
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => Err(StoreError::Read(
            "a SQLite read waited on something other than its Reader",
        )),
    }
}

/// Process-wide SQLite settings for a server: call first thing in `main`, before any thread
/// or connection exists (SQLite reads them once, when it initialises).
///
/// Turns off SQLite's memory statistics (`SQLITE_CONFIG_MEMSTATUS`), which SQLite's own
/// list of recommended options also turns off: with them on, every allocation and free
/// inside SQLite takes one process-wide mutex, so the read connections of all threads
/// queue on it; profiled under an uncached read load, that lock and unlock were ~3.5 % of
/// the server's time. Parvis never reads those statistics. Returns false when SQLite was
/// already initialised (the setting is then left as it was, which is only slower).
pub fn configure_sqlite_for_server() -> bool {
    // SAFETY: sqlite3_config only records a setting; it must not run while another thread
    // uses SQLite, which the caller guarantees by calling it before starting any. It answers
    // SQLITE_MISUSE, and changes nothing, once SQLite is initialised.
    let code = unsafe {
        rusqlite::ffi::sqlite3_config(
            rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
            std::ffi::c_int::from(0u8),
        )
    };
    code == rusqlite::ffi::SQLITE_OK
}

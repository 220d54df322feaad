//! The native write path, for writes that come many a second (a session's registrations).
//!
//! Why not sqlx's `Any` driver, which the other writes use: profiled at 1,000 registrations a
//! second (BENCHMARKS.md, "Sessions pages and registrations"), two thirds of the time went to
//! the kernel switching threads — sqlx's SQLite driver runs each connection on a thread of its
//! own and ships every statement and every row across a channel, and a registration is some
//! twenty statements. The same reasoning as the read path ([`crate::read`]), for writes:
//! - on **SQLite**, one `rusqlite` connection kept for these writes, the whole transaction
//!   (`BEGIN IMMEDIATE` … `COMMIT`) on one blocking thread: one thread hop per transaction.
//!   The writers of this path take turns on an async lock first, so they queue in order
//!   instead of sleeping in SQLite's busy handler; they still wait (`busy_timeout`) for a
//!   writer of the `Any` pool, as any two connections to the file do;
//! - on **PostgreSQL**, a transaction on a native `PgPool` connection.
//!
//! A write is written once, as an `async fn` over a [`Writer`] (the read path's connection
//! type, which also runs statements through [`Reader::exec`]); `$1` placeholders, columns read
//! by position.

use crate::read::{ReadFuture, Reader, finish_now, lazy_pg_pool};
use crate::{Result, StoreError};
use sqlx::postgres::PgPool;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A connection lent to one write transaction: the read path's, with statements that write.
pub(crate) type Writer<'c> = Reader<'c>;

/// Native PostgreSQL connections kept for these writes (per process).
const PG_WRITERS: u32 = 8;

/// The connections the native writes use, per backend.
#[derive(Clone)]
pub(crate) enum WritePool {
    Sqlite(Arc<SqliteWriter>),
    Postgres(PgPool),
}

impl std::fmt::Debug for WritePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WritePool::Sqlite(_) => "WritePool::Sqlite",
            WritePool::Postgres(_) => "WritePool::Postgres",
        })
    }
}

/// The one SQLite connection of the native writes, opened on first use.
pub(crate) struct SqliteWriter {
    path: PathBuf,
    conn: Arc<tokio::sync::Mutex<Option<rusqlite::Connection>>>,
}

impl WritePool {
    pub(crate) fn sqlite(path: &Path) -> WritePool {
        WritePool::Sqlite(Arc::new(SqliteWriter {
            path: path.to_path_buf(),
            conn: Arc::new(tokio::sync::Mutex::new(None)),
        }))
    }

    /// Connections are opened on first use (most CLI commands never write this way).
    pub(crate) fn postgres(url: &str) -> Result<WritePool> {
        Ok(WritePool::Postgres(lazy_pg_pool(url, PG_WRITERS)?))
    }

    /// Run `write` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub(crate) async fn run<T, F>(&self, write: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'r, 'c> FnOnce(&'r mut Writer<'c>) -> ReadFuture<'r, T> + Send + 'static,
    {
        match self {
            WritePool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let out = {
                    let mut writer = Writer::Postgres(&mut tx);
                    write(&mut writer).await
                };
                match out {
                    Ok(v) => {
                        tx.commit().await?;
                        Ok(v)
                    }
                    // Dropping the transaction rolls it back.
                    Err(e) => Err(e),
                }
            }
            WritePool::Sqlite(writer) => {
                let guard = writer.conn.clone().lock_owned().await;
                let writer = writer.clone();
                tokio::task::spawn_blocking(move || {
                    let mut guard = guard;
                    writer.transaction(&mut guard, write)
                })
                .await
                .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
            }
        }
    }

    /// Run `write`, a write of one statement, as its own transaction: on PostgreSQL without
    /// `BEGIN` and `COMMIT` (one round trip instead of three); on SQLite as [`Self::run`] does
    /// (`BEGIN IMMEDIATE` takes the write lock before the statement reads anything).
    pub(crate) async fn run_alone<T, F>(&self, write: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'r, 'c> FnOnce(&'r mut Writer<'c>) -> ReadFuture<'r, T> + Send + 'static,
    {
        match self {
            WritePool::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let mut writer = Writer::Postgres(&mut conn);
                write(&mut writer).await
            }
            WritePool::Sqlite(_) => self.run(write).await,
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            WritePool::Postgres(pool) => pool.close().await,
            WritePool::Sqlite(writer) => {
                writer.conn.lock().await.take();
            }
        }
    }
}

/// Turn a unique-constraint violation met on this path (either driver) into
/// `Conflict { what }`; any other error is kept.
pub(crate) fn unique_as_conflict(what: &str) -> impl FnOnce(StoreError) -> StoreError + '_ {
    move |e| {
        let unique = match &e {
            StoreError::Db(db) => db
                .as_database_error()
                .is_some_and(|d| d.is_unique_violation()),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
                f.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            _ => false,
        };
        if unique {
            StoreError::Conflict {
                what: what.to_string(),
            }
        } else {
            e
        }
    }
}

impl SqliteWriter {
    fn open(&self) -> Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open(&self.path)?;
        // As the `Any` pool's connections: the file is already in WAL mode.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// On this (blocking) thread, holding the writers' turn: run `write` between
    /// `BEGIN IMMEDIATE` and `COMMIT` (or `ROLLBACK`).
    fn transaction<T, F>(&self, slot: &mut Option<rusqlite::Connection>, write: F) -> Result<T>
    where
        F: for<'r, 'c> FnOnce(&'r mut Writer<'c>) -> ReadFuture<'r, T>,
    {
        let conn = match slot {
            Some(conn) => conn,
            None => slot.insert(self.open()?),
        };
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        let out = {
            let mut writer = Writer::Sqlite(conn);
            finish_now(write(&mut writer))
        };
        let ended = match &out {
            Ok(_) => conn
                .prepare_cached("COMMIT")
                .and_then(|mut s| s.execute([])),
            Err(_) => conn
                .prepare_cached("ROLLBACK")
                .and_then(|mut s| s.execute([])),
        };
        // A connection left inside a transaction (its COMMIT failed) is not lent again.
        if !conn.is_autocommit() {
            *slot = None;
        }
        match (out, ended) {
            (Ok(_), Err(e)) => Err(e.into()),
            (out, _) => out,
        }
    }
}

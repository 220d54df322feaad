//! Where an import's writes go: one entry point for both store engines.
//!
//! An [`ImportWriter`] takes what the import loop decides (new members, identities, merge
//! proposals, message rows, batch boundaries) and writes it:
//! - on **PostgreSQL** (and on SQLite when asked to) through sqlx, in the loop's own task: an
//!   [`ImportTx`] per batch and an [`ImportRun`] writing multi-row statements;
//! - on **SQLite** by default through the bulk path of [`crate::import_sqlite`]: a dedicated
//!   connection on a thread of its own, fed a batch of commands at a time, so that resolving
//!   the next batch and writing this one run side by side.
//!
//! Both write the same rows with the same ids, counters and transactions (one per batch; a
//! dry run is one transaction rolled back); the test suite compares their stores.

use crate::import::{ImportRow, ImportTx};
use crate::import_batch::{BatchOutcome, ImportRun, KeyHasher, key};
use crate::import_sqlite::Cmd;
use crate::members::NewMember;
use crate::{Backend, Result, Store, StoreError};
use parvis_domain::{MemberId, Millis, SpaceId};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Rows an import keeps in memory before writing them, whatever its batch size.
const MAX_PENDING: usize = 2_000;

/// Batches of commands in flight to the SQLite writer thread (bounds memory; the loop waits
/// when the writer is behind).
const IN_FLIGHT: usize = 2;

/// What an import wrote (or, in a dry run, would have written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportTotals {
    pub threads_created: u64,
    pub messages_created: u64,
    pub messages_updated: u64,
    pub messages_unchanged: u64,
    pub merges_proposed: u64,
    /// Replies linked, at the end, to a parent that came later in the input.
    pub parents_linked: u64,
}

impl ImportTotals {
    pub(crate) fn add(&mut self, b: BatchOutcome) {
        self.threads_created += b.threads_created;
        self.messages_created += b.messages_created;
        self.messages_updated += b.messages_updated;
        self.messages_unchanged += b.messages_unchanged;
    }
}

/// The writes of one import run into one space.
pub struct ImportWriter {
    inner: Inner,
    dry_run: bool,
}

enum Inner {
    // Boxed: it holds a whole transaction, three times the size of the other.
    Sqlx(Box<SqlxWriter>),
    Sqlite(SqliteWriter),
}

struct SqlxWriter {
    store: Store,
    /// `None` only between a batch's commit and the next batch's begin.
    tx: Option<ImportTx<'static>>,
    run: ImportRun,
    totals: ImportTotals,
}

/// The batch's transaction: always there, unless beginning the next batch failed, and that
/// error was returned.
fn open<'a>(tx: &'a mut Option<ImportTx<'static>>) -> Result<&'a mut ImportTx<'static>> {
    tx.as_mut()
        .ok_or(StoreError::NotFound("import transaction"))
}

struct SqliteWriter {
    /// Commands not sent yet.
    cmds: Vec<Cmd>,
    /// Rows among them since the last `Flush`.
    rows: usize,
    sender: tokio::sync::mpsc::Sender<Vec<Cmd>>,
    /// The writer thread, until joined.
    thread: Option<tokio::task::JoinHandle<Result<ImportTotals>>>,
    /// (channel, source id) keys of the messages met, to drop repeated ids at once.
    seen: HashSet<u128, std::hash::BuildHasherDefault<KeyHasher>>,
    /// Members created so far (the next provisional id is `-(created + 1)`).
    created: i64,
    totals: Arc<Mutex<ImportTotals>>,
}

impl Store {
    /// Start writing an import into `space`. On a SQLite store, `bulk` picks the dedicated
    /// connection (the fast path); otherwise, and always on PostgreSQL, writes go through
    /// sqlx. A `dry_run` does the same work in one transaction that is rolled back.
    pub async fn import_writer(
        &self,
        space: SpaceId,
        dry_run: bool,
        bulk: bool,
    ) -> Result<ImportWriter> {
        let run = ImportRun::new(space);
        let inner = match (&self.sqlite_path, self.backend) {
            (Some(path), Backend::Sqlite) if bulk => {
                let path = path.clone();
                let totals = Arc::new(Mutex::new(ImportTotals::default()));
                let shared = totals.clone();
                let (sender, receiver) = tokio::sync::mpsc::channel(IN_FLIGHT);
                let thread = tokio::task::spawn_blocking(move || {
                    crate::import_sqlite::write(&path, run, shared, receiver)
                });
                Inner::Sqlite(SqliteWriter {
                    cmds: Vec::new(),
                    rows: 0,
                    sender,
                    thread: Some(thread),
                    seen: HashSet::default(),
                    created: 0,
                    totals,
                })
            }
            _ => Inner::Sqlx(Box::new(SqlxWriter {
                store: self.clone(),
                tx: Some(self.begin_import().await?),
                run,
                totals: ImportTotals::default(),
            })),
        };
        Ok(ImportWriter { inner, dry_run })
    }
}

impl ImportWriter {
    /// Note that the input holds message `source_id` of `channel`; false if this run already
    /// met it (exports repeat ids; the first copy is kept). A true answer must be followed by
    /// [`ImportWriter::push`] of that message.
    pub fn first_sighting(&mut self, channel: &str, source_id: &str) -> bool {
        match &mut self.inner {
            Inner::Sqlx(w) => w.run.first_sighting(channel, source_id),
            Inner::Sqlite(w) => w.seen.insert(key(channel, source_id)),
        }
    }

    /// Create a member. On the bulk path the id is provisional (negative) until the writer
    /// thread has written it: use it only in this import's rows, identities and proposals.
    pub async fn create_member(&mut self, m: NewMember) -> Result<MemberId> {
        match &mut self.inner {
            Inner::Sqlx(w) => open(&mut w.tx)?.create_member(&m).await,
            Inner::Sqlite(w) => {
                w.created += 1;
                w.cmds.push(Cmd::Member(m));
                Ok(MemberId(-w.created))
            }
        }
    }

    /// Queue an identity for a member unless someone already has it; the queued identities
    /// are written together when the batch commits.
    pub fn queue_identity(
        &mut self,
        member: MemberId,
        network: &str,
        handle: &str,
        verified: bool,
        now: Millis,
    ) {
        let identity = (
            member,
            network.to_string(),
            handle.to_string(),
            verified,
            now,
        );
        match &mut self.inner {
            Inner::Sqlx(w) => {
                if let Some(tx) = w.tx.as_mut() {
                    tx.queue_identity(identity)
                }
            }
            Inner::Sqlite(w) => w.cmds.push(Cmd::Identity(identity)),
        }
    }

    /// Propose merging two members (nothing if that pair was proposed or rejected before).
    pub async fn propose_merge(
        &mut self,
        a: MemberId,
        b: MemberId,
        reason: &str,
        score: i64,
        now: Millis,
    ) -> Result<()> {
        match &mut self.inner {
            Inner::Sqlx(w) => {
                if open(&mut w.tx)?
                    .propose_merge(a, b, reason, score, now)
                    .await?
                {
                    w.totals.merges_proposed += 1;
                }
            }
            Inner::Sqlite(w) => w.cmds.push(Cmd::Proposal {
                a,
                b,
                reason: reason.to_string(),
                score,
                at: now,
            }),
        }
        Ok(())
    }

    /// Queue a message row; a few thousand queued rows are written at once even inside a
    /// large batch, so that memory stays flat.
    pub async fn push(&mut self, row: ImportRow) -> Result<()> {
        match &mut self.inner {
            Inner::Sqlx(w) => {
                w.run.push(row);
                if w.run.pending() >= MAX_PENDING {
                    let out = w.run.flush(open(&mut w.tx)?).await?;
                    w.totals.add(out);
                }
            }
            Inner::Sqlite(w) => {
                w.cmds.push(Cmd::Row(row));
                w.rows += 1;
                if w.rows >= MAX_PENDING {
                    w.cmds.push(Cmd::Flush);
                    w.rows = 0;
                    w.send().await?;
                }
            }
        }
        Ok(())
    }

    /// End of a batch: write it and, unless this is a dry run, commit it.
    pub async fn end_batch(&mut self) -> Result<()> {
        let dry_run = self.dry_run;
        match &mut self.inner {
            Inner::Sqlx(w) => {
                let out = w.run.flush(open(&mut w.tx)?).await?;
                w.totals.add(out);
                if !dry_run {
                    // Commit before beginning the next batch: on SQLite a write transaction
                    // takes the write lock as it begins, so the next one opened first would
                    // wait on this one until the busy timeout ("database is locked").
                    if let Some(done) = w.tx.take() {
                        done.commit().await?;
                    }
                    w.tx = Some(w.store.begin_import().await?);
                }
            }
            Inner::Sqlite(w) => {
                w.cmds.push(Cmd::Flush);
                w.rows = 0;
                if !dry_run {
                    w.cmds.push(Cmd::Commit);
                }
                w.send().await?;
            }
        }
        Ok(())
    }

    /// What has been written so far (on the bulk path, up to the last batch the writer
    /// thread finished).
    pub fn totals(&self) -> ImportTotals {
        match &self.inner {
            Inner::Sqlx(w) => w.totals,
            Inner::Sqlite(w) => w.totals.lock().map(|t| *t).unwrap_or_default(),
        }
    }

    /// Write what is left, link the replies whose parent came later, and commit (or roll back
    /// a dry run).
    pub async fn finish(self) -> Result<ImportTotals> {
        match self.inner {
            Inner::Sqlx(mut w) => {
                let out = w.run.flush(open(&mut w.tx)?).await?;
                w.totals.add(out);
                w.totals.parents_linked = open(&mut w.tx)?.link_pending_parents().await?;
                let tx =
                    w.tx.take()
                        .ok_or(StoreError::NotFound("import transaction"))?;
                if self.dry_run {
                    tx.rollback().await?;
                } else {
                    tx.commit().await?;
                }
                Ok(w.totals)
            }
            Inner::Sqlite(mut w) => {
                w.cmds.push(Cmd::Finish {
                    dry_run: self.dry_run,
                });
                let cmds = std::mem::take(&mut w.cmds);
                // A failed send means the writer stopped on an error, which `join` returns.
                let _ = w.sender.send(cmds).await;
                drop(w.sender);
                match w.thread.take() {
                    Some(thread) => join(thread).await,
                    None => Err(stopped()),
                }
            }
        }
    }
}

impl SqliteWriter {
    /// Hand the queued commands to the writer thread (waiting while it is `IN_FLIGHT`
    /// batches behind).
    async fn send(&mut self) -> Result<()> {
        let cmds = std::mem::take(&mut self.cmds);
        if self.sender.send(cmds).await.is_ok() {
            return Ok(());
        }
        // The writer stopped on an error, which it returns when joined.
        if let Some(thread) = self.thread.take() {
            join(thread).await?;
        }
        Err(stopped())
    }
}

fn stopped() -> StoreError {
    StoreError::Io(std::io::Error::other("the import writer thread stopped"))
}

/// The writer thread's result.
async fn join(thread: tokio::task::JoinHandle<Result<ImportTotals>>) -> Result<ImportTotals> {
    thread
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(format!("import writer: {e}"))))?
}

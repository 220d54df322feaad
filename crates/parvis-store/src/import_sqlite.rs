//! The SQLite bulk path of an import: one blocking `rusqlite` connection, on a thread of its
//! own, with prepared statements kept for the whole run.
//!
//! Through sqlx, every statement is copied into the `Any` driver's argument list and handed to
//! sqlx's SQLite worker thread, and its answer handed back: on a mailing-list archive that was
//! half of an import's time. Here the import loop sends the writer thread *commands* (create a
//! member, queue an identity, propose a merge, a row, write the batch, commit) a batch at a time
//! and goes on resolving the next batch while the writer writes this one: the two cores work
//! side by side.
//!
//! The writer runs the commands in the order they were sent, with exactly the SQL semantics of
//! the sqlx path ([`crate::ImportRun::flush`]; the planning of a batch is shared with it): the
//! same rows, ids in the same order, the same counters, one transaction per batch
//! (`BEGIN IMMEDIATE` … `COMMIT`), so a process killed midway leaves whole batches.
//!
//! A second connection, on a third thread, checkpoints the WAL behind the writer (see
//! [`write`]).
//!
//! Members created during the run get their id only on the writer thread; the loop works with
//! *provisional* ids meanwhile (negative: `-1` for the run's first new member, `-2` for the
//! second…), which the writer translates before any SQL sees them.

use crate::import::{ImportRow, LINK_PENDING_PARENTS_SQL, PROPOSE_MERGE_SQL, QueuedIdentity};
use crate::import_batch::{
    BatchOutcome, ImportRun, KeyMap, UPDATE_EDITED_SQL, batch_index, key, outcome, parents_to_ask,
    resolve_parents, tally, topics_of,
};
use crate::import_writer::ImportTotals;
use crate::members::{INSERT_MEMBER_SQL, NewMember};
use crate::{Result, StoreError};
use parvis_domain::{MemberId, Millis};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// What the import loop asks the writer thread to do, in order.
pub(crate) enum Cmd {
    /// Create a member; it answers to the next provisional id.
    Member(NewMember),
    /// Queue an identity, written with the others on commit.
    Identity(QueuedIdentity),
    /// Propose merging two members (counted when the pair is new).
    Proposal {
        a: MemberId,
        b: MemberId,
        reason: String,
        score: i64,
        at: Millis,
    },
    /// A message row (its first sighting in this run).
    Row(ImportRow),
    /// Write the rows received so far.
    Flush,
    /// Write the queued identities and commit.
    Commit,
    /// Write what is left, link late parents, commit (or roll back a dry run) and stop.
    Finish { dry_run: bool },
}

/// Page cache of the import connection, in KiB (SQLite's default is 2 MiB): the unique
/// indexes on source ids are written in random order and stay in cache longer.
const CACHE_KIB: i64 = 32 * 1024;

/// Open the store's SQLite file for an import: the store's own settings (foreign keys,
/// `busy_timeout`, WAL with `synchronous=NORMAL`) and a larger page cache.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    db.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -{CACHE_KIB};"
    ))?;
    db.set_prepared_statement_cache_capacity(32);
    Ok(db)
}

/// Run an import's writes on `path`: the writer on this thread and, beside it, a thread that
/// copies committed WAL frames back into the database file.
///
/// A connection that commits also checkpoints (every 1,000 WAL pages): that was a third of
/// the writer's time, fsyncs included. Here the writer's connection never checkpoints and a
/// second connection does so (`PASSIVE`: it never blocks the writer) after each commit, on the
/// other core. Commits are as durable as before (`synchronous=NORMAL`: the WAL is synced before
/// each checkpoint); the pages reach the database file a little later. SQLite rewinds the WAL
/// only when a write transaction starts with every frame copied back, which never happens
/// while the checkpointer trails the writer: so every [`REWIND_EVERY`] commits the writer waits
/// for a checkpoint to catch up (a batch or two of frames), and the WAL stays a few tens of
/// MB. Without that second connection the writer checkpoints as usual.
pub(crate) fn write(
    path: &Path,
    run: ImportRun,
    shared: Arc<Mutex<ImportTotals>>,
    commands: tokio::sync::mpsc::Receiver<Vec<Cmd>>,
) -> Result<ImportTotals> {
    let db = open(path)?;
    let checkpoints = match open(path) {
        Ok(c) => {
            db.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
            Some(c)
        }
        Err(e) => {
            tracing::debug!(error = %e, "no checkpoint connection for the import");
            None
        }
    };
    let (ping, pings) = std::sync::mpsc::sync_channel::<Checkpoint>(1);
    std::thread::scope(|scope| {
        if let Some(c) = checkpoints {
            scope.spawn(move || checkpoint_when_pinged(&c, &pings));
        }
        Writer::new(db, run, shared, ping).serve(commands)
    })
}

/// Commits between two waits for the checkpointer to catch up (see [`write`]).
const REWIND_EVERY: u64 = 16;

/// What the writer tells the checkpoint thread.
enum Checkpoint {
    /// Something was committed (pings sent meanwhile fold into one).
    Soon,
    /// Checkpoint now and answer when done.
    AndTell(std::sync::mpsc::SyncSender<()>),
}

/// Checkpoint when asked, until the writer is gone.
fn checkpoint_when_pinged(db: &Connection, pings: &std::sync::mpsc::Receiver<Checkpoint>) {
    while let Ok(ping) = pings.recv() {
        // A failed checkpoint (another one running) leaves the frames for the next.
        if let Err(e) = db.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(error = %e, "import checkpoint skipped");
        }
        if let Checkpoint::AndTell(done) = ping {
            let _ = done.send(());
        }
    }
}

/// The writer thread's state.
struct Writer {
    db: Connection,
    run: ImportRun,
    /// Real ids of the members created in this run, in creation order.
    members: Vec<i64>,
    identities: Vec<QueuedIdentity>,
    in_tx: bool,
    totals: ImportTotals,
    /// Where the loop reads the totals so far (for progress).
    shared: Arc<Mutex<ImportTotals>>,
    /// Tells the checkpoint thread that something was committed.
    ping: std::sync::mpsc::SyncSender<Checkpoint>,
    commits: u64,
}

impl Writer {
    fn new(
        db: Connection,
        run: ImportRun,
        shared: Arc<Mutex<ImportTotals>>,
        ping: std::sync::mpsc::SyncSender<Checkpoint>,
    ) -> Self {
        Writer {
            db,
            run,
            members: Vec::new(),
            identities: Vec::new(),
            in_tx: false,
            totals: ImportTotals::default(),
            shared,
            ping,
            commits: 0,
        }
    }

    /// Run the commands as they come until `Finish`; when the loop goes away without it (the
    /// import failed), what is not committed is rolled back.
    fn serve(
        mut self,
        mut commands: tokio::sync::mpsc::Receiver<Vec<Cmd>>,
    ) -> Result<ImportTotals> {
        while let Some(cmds) = commands.blocking_recv() {
            for cmd in cmds {
                if let Cmd::Finish { dry_run } = cmd {
                    return self.finish(dry_run);
                }
                self.apply(cmd)?;
            }
        }
        self.rollback()?;
        Ok(self.totals)
    }

    fn apply(&mut self, cmd: Cmd) -> Result<()> {
        match cmd {
            Cmd::Member(m) => {
                self.begin()?;
                let id = self.create_member(&m)?;
                self.members.push(id);
            }
            Cmd::Identity((member, network, handle, verified, at)) => {
                let member = MemberId(self.real(member)?);
                self.identities
                    .push((member, network, handle, verified, at));
            }
            Cmd::Proposal {
                a,
                b,
                reason,
                score,
                at,
            } => {
                self.begin()?;
                let (a, b) = (self.real(a)?, self.real(b)?);
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                let n = self
                    .db
                    .prepare_cached(PROPOSE_MERGE_SQL)?
                    .execute(params![a, b, reason, score, at])?;
                if n > 0 {
                    self.totals.merges_proposed += 1;
                }
            }
            Cmd::Row(mut row) => {
                row.author_id = MemberId(self.real(row.author_id)?);
                // The loop already dropped repeated ids; this marks the row as met.
                self.run.first_sighting(&row.channel, &row.source_id);
                self.run.push(row);
            }
            Cmd::Flush => {
                if self.run.pending() > 0 {
                    self.begin()?;
                    let out = self.run.flush_sqlite(&self.db)?;
                    self.totals.add(out);
                    self.publish();
                }
            }
            Cmd::Commit => self.commit()?,
            Cmd::Finish { .. } => {}
        }
        Ok(())
    }

    /// The real id of a member: provisional ids (negative) are this run's new members.
    fn real(&self, m: MemberId) -> Result<i64> {
        if m.0 >= 0 {
            return Ok(m.0);
        }
        usize::try_from(-(m.0 + 1))
            .ok()
            .and_then(|k| self.members.get(k).copied())
            .ok_or(StoreError::NotFound("member created by this import"))
    }

    fn create_member(&self, m: &NewMember) -> Result<i64> {
        let id = self
            .db
            .prepare_cached(INSERT_MEMBER_SQL)?
            .query_row(
                params![
                    m.handle,
                    m.display_name,
                    m.email,
                    m.password_hash,
                    m.site_role.as_str(),
                    m.ecosystem_role.as_str(),
                    m.organisation,
                    m.bio,
                    m.lang,
                    m.created_at
                ],
                |r| r.get(0),
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict {
                    what: "handle".into(),
                },
                _ => StoreError::Sqlite(e),
            })?;
        Ok(id)
    }

    fn begin(&mut self) -> Result<()> {
        if !self.in_tx {
            // IMMEDIATE: take the write lock now (waiting up to `busy_timeout` for another
            // writer), not at the first write of a read transaction, which could fail.
            self.db.execute_batch("BEGIN IMMEDIATE")?;
            self.in_tx = true;
        }
        Ok(())
    }

    fn write_identities(&mut self) -> Result<()> {
        if self.identities.is_empty() {
            return Ok(());
        }
        self.begin()?;
        let mut q = self.db.prepare_cached(
            "INSERT INTO identities (member_id, network, handle, verified, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (network, handle) DO NOTHING",
        )?;
        for (member, network, handle, verified, at) in self.identities.drain(..) {
            q.execute(params![member.0, network, handle, verified as i64, at])?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.write_identities()?;
        if self.in_tx {
            self.db.execute_batch("COMMIT")?;
            self.in_tx = false;
            self.commits += 1;
            if self.commits.is_multiple_of(REWIND_EVERY) {
                // Wait for the checkpointer to copy everything back, so that the next
                // transaction rewinds the WAL. (An error means there is no checkpointer.)
                let (done, wait) = std::sync::mpsc::sync_channel(1);
                if self.ping.send(Checkpoint::AndTell(done)).is_ok() {
                    let _ = wait.recv();
                }
            } else {
                // Full means a checkpoint is due already; gone, that there is no checkpointer.
                let _ = self.ping.try_send(Checkpoint::Soon);
            }
        }
        self.publish();
        Ok(())
    }

    fn rollback(&mut self) -> Result<()> {
        if self.in_tx {
            self.db.execute_batch("ROLLBACK")?;
            self.in_tx = false;
        }
        Ok(())
    }

    fn finish(mut self, dry_run: bool) -> Result<ImportTotals> {
        self.apply(Cmd::Flush)?;
        self.begin()?;
        let linked = self
            .db
            .prepare_cached(LINK_PENDING_PARENTS_SQL)?
            .execute([])?;
        self.totals.parents_linked = linked as u64;
        if dry_run {
            self.rollback()?;
        } else {
            self.commit()?;
        }
        self.publish();
        Ok(self.totals)
    }

    fn publish(&self) {
        if let Ok(mut t) = self.shared.lock() {
            *t = self.totals;
        }
    }
}

impl ImportRun {
    /// Write the queued rows on `db`, inside its open transaction: the same outcome as
    /// [`ImportRun::flush`], with one prepared single-row statement per step.
    pub(crate) fn flush_sqlite(&mut self, db: &Connection) -> Result<BatchOutcome> {
        let batch = std::mem::take(&mut self.pending);
        if batch.is_empty() {
            return Ok(BatchOutcome::default());
        }
        let index = batch_index(&batch);

        // Threads this run has not met yet: are they in the store?
        {
            let mut q = db.prepare_cached(
                "SELECT id FROM threads WHERE space_id = ?1 AND channel = ?2 AND source_id = ?3",
            )?;
            let mut found = Vec::new();
            for p in self.unknown_threads(&batch) {
                let id: Option<i64> = q
                    .query_row(
                        params![self.space_id.0, p.row.channel, p.row.thread_source_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = id {
                    found.push((p.thread_key, id));
                }
            }
            self.threads.extend(found);
        }

        // Messages already in the store, and whether their body changed.
        let mut existing = Vec::with_capacity(batch.len());
        {
            let mut q = db.prepare_cached(
                "SELECT id, body_md, body_html FROM messages WHERE channel = ?1 AND source_id = ?2",
            )?;
            for p in &batch {
                let found: Option<(i64, String, String)> = q
                    .query_row(params![p.row.channel, p.row.source_id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .optional()?;
                existing.push(found.map(|(id, md, html)| (id, outcome(&p.row, &md, &html))));
            }
        }

        let (new_threads, old_threads) = self.plan_threads(&batch, &existing);
        {
            let mut q = db.prepare_cached(
                "INSERT INTO threads (space_id, topic_id, title, author_id, created_at, last_activity_at, message_count, channel, source_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for t in &new_threads {
                let v = t.insert_values(&batch);
                q.execute(params![
                    self.space_id.0,
                    v.topic,
                    v.title,
                    v.author,
                    v.created_at,
                    v.last_activity_at,
                    v.count,
                    v.channel,
                    v.source_id
                ])?;
                self.threads
                    .insert(key(v.channel, v.source_id), db.last_insert_rowid());
            }
        }
        {
            let mut q = db.prepare_cached(
                "UPDATE threads SET message_count = message_count + ?2,
                    created_at = CASE WHEN created_at < ?3 THEN created_at ELSE ?3 END,
                    last_activity_at = CASE WHEN last_activity_at > ?4 THEN last_activity_at ELSE ?4 END,
                    topic_id = COALESCE(topic_id, ?5),
                    author_id = COALESCE(?6, author_id),
                    title = COALESCE(?7, title)
                 WHERE id = ?1",
            )?;
            for (id, t) in self.known_threads(&batch, old_threads) {
                let v = t.update_values(&batch);
                q.execute(params![id, v.count, v.lo, v.hi, v.topic, v.author, v.title])?;
            }
        }

        // Parents of the new messages: from this run, else from the store, else left for
        // `link_pending_parents`.
        let mut in_store: KeyMap<i64> = KeyMap::default();
        {
            let mut q =
                db.prepare_cached("SELECT id FROM messages WHERE channel = ?1 AND source_id = ?2")?;
            for (channel, parent) in parents_to_ask(&batch, &existing, &index) {
                let id: Option<i64> = q
                    .query_row(params![channel, parent], |r| r.get(0))
                    .optional()?;
                if let Some(id) = id {
                    in_store.insert(key(channel, parent), id);
                }
            }
        }
        let parents = resolve_parents(&batch, &existing, &index, &in_store);

        // The new messages, in input order. A reply to a message created earlier in the batch
        // gets its parent's id at once (the sqlx path links it after the multi-row insert:
        // the rows end up the same).
        let new: Vec<usize> = (0..batch.len())
            .filter(|i| existing[*i].is_none())
            .collect();
        let mut ids: Vec<i64> = vec![0; batch.len()];
        let mut late: Vec<(i64, usize)> = Vec::new();
        {
            let mut q = db.prepare_cached(
                "INSERT INTO messages (thread_id, author_id, parent_id, parent_source_id, author_handle, body_md, body_html, created_at, channel, source_id, source_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for &i in &new {
                let row = &batch[i].row;
                let link = parents[i];
                // A parent later in the batch cannot happen (a row is pushed after its first
                // sighting), but would be linked after the inserts.
                let (parent, after) = match link.in_batch {
                    Some(at) if ids[at] != 0 => (Some(ids[at]), None),
                    Some(at) => (None, Some(at)),
                    None => (link.id, None),
                };
                q.execute(params![
                    self.thread_of(&batch[i])?,
                    row.author_id.0,
                    parent,
                    link.pending_source,
                    row.author_handle,
                    row.body_md,
                    row.body_html,
                    row.created_at,
                    row.channel,
                    row.source_id,
                    row.source_url
                ])?;
                ids[i] = db.last_insert_rowid();
                if let Some(at) = after {
                    late.push((ids[i], at));
                }
            }
        }
        self.remember(&batch, &existing, &mut ids)?;
        if !late.is_empty() {
            let mut q = db.prepare_cached("UPDATE messages SET parent_id = ?2 WHERE id = ?1")?;
            for (child, at) in late {
                q.execute(params![child, ids[at]])?;
            }
        }

        // Topics of the new messages.
        {
            let mut q = db.prepare_cached(
                "INSERT INTO message_topics (message_id, topic_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?;
            for (m, t) in topics_of(&batch, &new, &ids) {
                q.execute(params![m, t])?;
            }
        }

        // Edited messages (rare: a newer export of the same channel).
        let (out, edited) = tally(&batch, &existing, new_threads.len());
        if !edited.is_empty() {
            let mut q = db.prepare_cached(UPDATE_EDITED_SQL)?;
            for (id, row) in edited {
                q.execute(params![
                    row.body_md,
                    row.body_html,
                    parvis_domain::now_millis(),
                    id
                ])?;
            }
        }
        Ok(out)
    }
}

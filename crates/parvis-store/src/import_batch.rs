//! Writing imported messages a batch at a time.
//!
//! Writing messages one by one costs 6–7 statements each, and with SQLite every statement is a
//! round trip to sqlx's worker thread: on a mailing-list archive the import spent a third of
//! its CPU switching threads. An [`ImportRun`] collects the rows of a batch and writes them
//! with a handful of multi-row statements (threads looked up and created, messages looked up
//! and created, parents linked, thread counters updated, topics attached), with exactly the
//! outcome that writing the rows one by one, in input order, would have had.
//!
//! Between batches the run remembers, for each (channel, source id) it met, the id of the
//! message or thread: replies find their parent and messages their thread without asking the
//! store again. Keys are 128-bit hashes, not the ids themselves, so memory stays flat on large
//! inputs (about 30 bytes per message) while a collision stays out of reach (~10⁻²⁶ for a
//! million ids).

use crate::import::{ImportRow, ImportTx, MessageOutcome};
use crate::{Result, StoreError, int, text};
use parvis_domain::SpaceId;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Arguments, Encode, Type};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// Bound parameters per statement: SQLite accepts at most 32,766 (PostgreSQL 65,535).
const MAX_PARAMS: usize = 32_000;

/// The run has met this message but it is still waiting in the current batch.
const PENDING: i64 = i64::MIN;

/// What a flushed batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub threads_created: u64,
    pub messages_created: u64,
    pub messages_updated: u64,
    pub messages_unchanged: u64,
}

/// Where the parent of a pushed row was when the row arrived.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Parent {
    /// The row is no reply.
    None,
    /// Written by an earlier batch of this run.
    Known(i64),
    /// Earlier in the current batch.
    Earlier(u128),
    /// Not met by this run (yet): maybe in the store, maybe later in the input.
    Unknown(u128),
}

pub(crate) struct Pending {
    pub(crate) row: ImportRow,
    pub(crate) key: u128,
    pub(crate) thread_key: u128,
    pub(crate) parent: Parent,
}

/// One import run: the rows of the current batch and what the run has written so far.
pub struct ImportRun {
    pub(crate) space_id: SpaceId,
    /// (channel, source id) → message id, or [`PENDING`].
    messages: KeyMap<i64>,
    /// (channel, thread source id) → thread id, in this run's space.
    pub(crate) threads: KeyMap<i64>,
    pub(crate) pending: Vec<Pending>,
}

/// Hashing for maps keyed by [`key`]: the key is already a hash, its low bits will do.
#[derive(Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u128` keys come here (through `write_u128`); fold anything else in anyway.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u128(&mut self, k: u128) {
        self.0 = k as u64;
    }
}

pub(crate) type KeyMap<V> = HashMap<u128, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// A 128-bit key of (channel, id): two SipHash passes with different prefixes.
pub(crate) fn key(channel: &str, id: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |salt: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (salt, channel, id).hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

impl ImportRun {
    /// A run importing into `space_id`.
    pub fn new(space_id: SpaceId) -> ImportRun {
        ImportRun {
            space_id,
            messages: KeyMap::default(),
            threads: KeyMap::default(),
            pending: Vec::new(),
        }
    }

    /// Note that the input holds message `source_id` of `channel`; false if this run already
    /// met it (exports repeat ids; the first copy is kept). A true answer must be followed by
    /// [`ImportRun::push`] of that message.
    pub fn first_sighting(&mut self, channel: &str, source_id: &str) -> bool {
        match self.messages.entry(key(channel, source_id)) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(PENDING);
                true
            }
        }
    }

    /// Queue a row (its space is the run's) for the next [`ImportRun::flush`].
    pub fn push(&mut self, row: ImportRow) {
        let parent = match &row.parent_source_id {
            None => Parent::None,
            // A message that names itself as parent is written first, then linked by
            // `link_pending_parents`, as when rows were written one by one.
            Some(p) if *p == row.source_id => Parent::Unknown(key(&row.channel, p)),
            Some(p) => {
                let k = key(&row.channel, p);
                match self.messages.get(&k) {
                    Some(&PENDING) => Parent::Earlier(k),
                    Some(&id) => Parent::Known(id),
                    None => Parent::Unknown(k),
                }
            }
        };
        self.pending.push(Pending {
            key: key(&row.channel, &row.source_id),
            thread_key: key(&row.channel, &row.thread_source_id),
            parent,
            row,
        });
    }

    /// Rows waiting for the next flush.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Write the queued rows inside `tx`.
    pub async fn flush(&mut self, tx: &mut ImportTx<'_>) -> Result<BatchOutcome> {
        let batch = std::mem::take(&mut self.pending);
        if batch.is_empty() {
            return Ok(BatchOutcome::default());
        }
        let numbered = tx.numbered;
        let db: &mut sqlx::AnyConnection = &mut tx.tx;
        let index = batch_index(&batch);

        // Threads this run has not met yet: are they in the store?
        let mut wanted: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for p in self.unknown_threads(&batch) {
            wanted
                .entry(p.row.channel.as_str())
                .or_default()
                .push(&p.row.thread_source_id);
        }
        for (channel, ids) in &wanted {
            for chunk in ids.chunks(MAX_PARAMS - 2) {
                let mut q = Sql::new(
                    "SELECT id, source_id FROM threads WHERE space_id = ",
                    numbered,
                );
                q.bind(self.space_id.0)
                    .push(" AND channel = ")
                    .bind(*channel);
                q.push(" AND source_id IN (").list(chunk).push(")");
                for r in q.fetch_all(&mut *db).await? {
                    self.threads
                        .insert(key(channel, &text(&r, "source_id")?), int(&r, "id")?);
                }
            }
        }

        // Messages already in the store, and whether their body changed.
        let mut by_channel: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for p in &batch {
            by_channel
                .entry(p.row.channel.as_str())
                .or_default()
                .push(&p.row.source_id);
        }
        let mut existing: Vec<Existing> = vec![None; batch.len()];
        for (channel, ids) in &by_channel {
            for chunk in ids.chunks(MAX_PARAMS - 1) {
                let mut q = Sql::new(
                    "SELECT id, source_id, body_md, body_html FROM messages WHERE channel = ",
                    numbered,
                );
                q.bind(*channel)
                    .push(" AND source_id IN (")
                    .list(chunk)
                    .push(")");
                for r in q.fetch_all(&mut *db).await? {
                    let Some(&i) = index.get(&key(channel, &text(&r, "source_id")?)) else {
                        continue;
                    };
                    existing[i] = Some((
                        int(&r, "id")?,
                        outcome(
                            &batch[i].row,
                            &text(&r, "body_md")?,
                            &text(&r, "body_html")?,
                        ),
                    ));
                }
            }
        }

        let (new_threads, old_threads) = self.plan_threads(&batch, &existing);
        for chunk in new_threads.chunks(MAX_PARAMS / 9) {
            let mut q = Sql::new(
                "INSERT INTO threads (space_id, topic_id, title, author_id, created_at, last_activity_at, message_count, channel, source_id) VALUES ",
                numbered,
            );
            for (n, t) in chunk.iter().enumerate() {
                let v = t.insert_values(&batch);
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(self.space_id.0).push(", ");
                q.bind(v.topic).push(", ");
                q.bind(v.title).push(", ");
                q.bind(v.author).push(", ");
                q.bind(v.created_at).push(", ");
                q.bind(v.last_activity_at).push(", ");
                q.bind(v.count).push(", ");
                q.bind(v.channel).push(", ");
                q.bind(v.source_id).push(")");
            }
            q.push(" RETURNING id, channel, source_id");
            for r in q.fetch_all(&mut *db).await? {
                self.threads.insert(
                    key(&text(&r, "channel")?, &text(&r, "source_id")?),
                    int(&r, "id")?,
                );
            }
        }
        let old_threads = self.known_threads(&batch, old_threads);
        for chunk in old_threads.chunks(MAX_PARAMS / 7) {
            let mut q = Sql::new("UPDATE threads SET message_count = message_count + v.column2,
                    created_at = CASE WHEN threads.created_at < v.column3 THEN threads.created_at ELSE v.column3 END,
                    last_activity_at = CASE WHEN threads.last_activity_at > v.column4 THEN threads.last_activity_at ELSE v.column4 END,
                    topic_id = COALESCE(threads.topic_id, v.column5),
                    author_id = COALESCE(v.column6, threads.author_id),
                    title = COALESCE(v.column7, threads.title)
                 FROM (VALUES ", numbered);
            for (n, (id, t)) in chunk.iter().enumerate() {
                let v = t.update_values(&batch);
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(*id).push(", ");
                q.bind(v.count).push(", ");
                q.bind(v.lo).push(", ");
                q.bind(v.hi).push(", ");
                q.bind(v.topic).push(", ");
                q.bind(v.author).push(", ");
                q.bind(v.title).push(")");
            }
            q.push(") AS v WHERE threads.id = v.column1");
            q.execute(&mut *db).await?;
        }

        // Parents of the new messages: from this run, else from the store, else left for
        // `link_pending_parents` (a reply that came before its parent).
        let mut ask: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (channel, parent) in parents_to_ask(&batch, &existing, &index) {
            ask.entry(channel).or_default().push(parent);
        }
        let mut in_store: KeyMap<i64> = KeyMap::default();
        for (channel, ids) in &ask {
            for chunk in ids.chunks(MAX_PARAMS - 1) {
                let mut q = Sql::new(
                    "SELECT id, source_id FROM messages WHERE channel = ",
                    numbered,
                );
                q.bind(*channel)
                    .push(" AND source_id IN (")
                    .list(chunk)
                    .push(")");
                for r in q.fetch_all(&mut *db).await? {
                    in_store.insert(key(channel, &text(&r, "source_id")?), int(&r, "id")?);
                }
            }
        }
        let parents = resolve_parents(&batch, &existing, &index, &in_store);

        // The new messages themselves.
        let new: Vec<usize> = (0..batch.len())
            .filter(|i| existing[*i].is_none())
            .collect();
        let mut ids: Vec<i64> = vec![0; batch.len()];
        for chunk in new.chunks(MAX_PARAMS / 11) {
            let mut q = Sql::new(
                "INSERT INTO messages (thread_id, author_id, parent_id, parent_source_id, author_handle, body_md, body_html, created_at, channel, source_id, source_url) VALUES ",
                numbered,
            );
            for (n, &i) in chunk.iter().enumerate() {
                let row = &batch[i].row;
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(self.thread_of(&batch[i])?).push(", ");
                q.bind(row.author_id.0).push(", ");
                q.bind(parents[i].id).push(", ");
                q.bind(parents[i].pending_source).push(", ");
                q.bind(row.author_handle.as_str()).push(", ");
                q.bind(row.body_md.as_str()).push(", ");
                q.bind(row.body_html.as_str()).push(", ");
                q.bind(row.created_at).push(", ");
                q.bind(row.channel.as_str()).push(", ");
                q.bind(row.source_id.as_str()).push(", ");
                q.bind(row.source_url.as_deref()).push(")");
            }
            q.push(" RETURNING id, channel, source_id");
            for r in q.fetch_all(&mut *db).await? {
                let k = key(&text(&r, "channel")?, &text(&r, "source_id")?);
                if let Some(&i) = index.get(&k) {
                    ids[i] = int(&r, "id")?;
                }
            }
        }
        self.remember(&batch, &existing, &mut ids)?;

        // Replies to a message created in this same batch learn its id only now.
        let links: Vec<(i64, i64)> = new
            .iter()
            .filter_map(|&i| parents[i].in_batch.map(|at| (ids[i], ids[at])))
            .collect();
        for chunk in links.chunks(MAX_PARAMS / 2) {
            let mut q = Sql::new(
                "UPDATE messages SET parent_id = v.column2 FROM (VALUES ",
                numbered,
            );
            for (n, (child, parent)) in chunk.iter().enumerate() {
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(*child).push(", ").bind(*parent).push(")");
            }
            q.push(") AS v WHERE messages.id = v.column1");
            q.execute(&mut *db).await?;
        }

        // Topics of the new messages.
        let tagged = topics_of(&batch, &new, &ids);
        for chunk in tagged.chunks(MAX_PARAMS / 2) {
            let mut q = Sql::new(
                "INSERT INTO message_topics (message_id, topic_id) VALUES ",
                numbered,
            );
            for (n, (m, t)) in chunk.iter().enumerate() {
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(*m).push(", ").bind(*t).push(")");
            }
            q.push(" ON CONFLICT DO NOTHING");
            q.execute(&mut *db).await?;
        }

        // Edited messages (rare: a newer export of the same channel).
        let (out, edited) = tally(&batch, &existing, new_threads.len());
        for (id, row) in edited {
            sqlx::query(UPDATE_EDITED_SQL)
                .bind(row.body_md.as_str())
                .bind(row.body_html.as_str())
                .bind(parvis_domain::now_millis())
                .bind(id)
                .execute(&mut *db)
                .await?;
        }
        Ok(out)
    }

    /// The first row of each thread of `batch` that this run has not met: the threads to
    /// look up in the store.
    pub(crate) fn unknown_threads<'b>(&self, batch: &'b [Pending]) -> Vec<&'b Pending> {
        let mut asked: HashSet<u128, std::hash::BuildHasherDefault<KeyHasher>> = HashSet::default();
        batch
            .iter()
            .filter(|p| !self.threads.contains_key(&p.thread_key) && asked.insert(p.thread_key))
            .collect()
    }

    /// What each thread of the batch gets, in input order: the first row naming a thread
    /// creates it, every new message counts in it, a new root gives it author and title.
    /// Returns the threads to create (in the order they are met) and those to update.
    pub(crate) fn plan_threads(
        &self,
        batch: &[Pending],
        existing: &[Existing],
    ) -> (Vec<ThreadChange>, Vec<ThreadChange>) {
        let mut threads: Vec<ThreadChange> = Vec::new();
        let mut thread_at: KeyMap<usize> = KeyMap::default();
        for (i, p) in batch.iter().enumerate() {
            let t = *thread_at.entry(p.thread_key).or_insert_with(|| {
                threads.push(ThreadChange::new(i, &p.row));
                threads.len() - 1
            });
            if existing[i].is_none() {
                threads[t].add(i, &p.row);
            }
        }
        threads
            .into_iter()
            .partition(|t| !self.threads.contains_key(&batch[t.first].thread_key))
    }

    /// The threads to update that gained messages, with their ids.
    pub(crate) fn known_threads(
        &self,
        batch: &[Pending],
        old: Vec<ThreadChange>,
    ) -> Vec<(i64, ThreadChange)> {
        old.into_iter()
            .filter(|t| t.count > 0)
            .filter_map(|t| {
                self.threads
                    .get(&batch[t.first].thread_key)
                    .map(|id| (*id, t))
            })
            .collect()
    }

    /// The thread id of a row (its thread was created or found before its message is written).
    pub(crate) fn thread_of(&self, p: &Pending) -> Result<i64> {
        self.threads
            .get(&p.thread_key)
            .copied()
            .ok_or(StoreError::NotFound("thread of an imported message"))
    }

    /// Note the ids of the batch's messages (`ids` holds the new ones; the existing ones are
    /// filled in) for the rest of the run.
    pub(crate) fn remember(
        &mut self,
        batch: &[Pending],
        existing: &[Existing],
        ids: &mut [i64],
    ) -> Result<()> {
        for (i, p) in batch.iter().enumerate() {
            if let Some((id, _)) = existing[i] {
                ids[i] = id;
            }
            if ids[i] == 0 {
                return Err(StoreError::NotFound("id of an imported message"));
            }
            self.messages.insert(p.key, ids[i]);
        }
        Ok(())
    }
}

/// Per row of a batch: its id and whether it is unchanged or updated; `None` for a new
/// message.
pub(crate) type Existing = Option<(i64, MessageOutcome)>;

/// Where each row of the batch sits in it.
pub(crate) fn batch_index(batch: &[Pending]) -> KeyMap<usize> {
    batch.iter().enumerate().map(|(i, p)| (p.key, i)).collect()
}

/// Whether a stored message differs from the row that comes again.
pub(crate) fn outcome(row: &ImportRow, body_md: &str, body_html: &str) -> MessageOutcome {
    if body_md == row.body_md && body_html == row.body_html {
        MessageOutcome::Unchanged
    } else {
        MessageOutcome::Updated
    }
}

/// The (channel, parent source id) of new messages whose parent is neither in this run nor
/// earlier in the batch: to look up in the store.
pub(crate) fn parents_to_ask<'b>(
    batch: &'b [Pending],
    existing: &[Existing],
    index: &KeyMap<usize>,
) -> Vec<(&'b str, &'b str)> {
    batch
        .iter()
        .enumerate()
        .filter(|(i, _)| existing[*i].is_none())
        .filter(|(_, p)| match p.parent {
            Parent::Unknown(_) => true,
            Parent::Earlier(k) => !index.contains_key(&k),
            _ => false,
        })
        .filter_map(|(_, p)| {
            p.row
                .parent_source_id
                .as_deref()
                .map(|parent| (p.row.channel.as_str(), parent))
        })
        .collect()
}

/// Where a new message's parent is.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ParentLink<'b> {
    /// The parent's id, when known before the message is written.
    pub(crate) id: Option<i64>,
    /// The parent's source id, kept for `link_pending_parents` when it is not in the store yet.
    pub(crate) pending_source: Option<&'b str>,
    /// The index of a parent created in this same batch.
    pub(crate) in_batch: Option<usize>,
}

/// The parent of each new message of the batch, given the parents found in the store.
pub(crate) fn resolve_parents<'b>(
    batch: &'b [Pending],
    existing: &[Existing],
    index: &KeyMap<usize>,
    in_store: &KeyMap<i64>,
) -> Vec<ParentLink<'b>> {
    let mut parents = vec![ParentLink::default(); batch.len()];
    for (i, p) in batch.iter().enumerate() {
        if existing[i].is_some() {
            continue;
        }
        let pending = ParentLink {
            pending_source: p.row.parent_source_id.as_deref(),
            ..Default::default()
        };
        let known = |id| ParentLink {
            id: Some(id),
            ..Default::default()
        };
        parents[i] = match p.parent {
            Parent::None => ParentLink::default(),
            Parent::Known(id) => known(id),
            Parent::Earlier(k) if index.contains_key(&k) => match index.get(&k) {
                Some(&at) => match existing[at] {
                    Some((id, _)) => known(id),
                    None => ParentLink {
                        in_batch: Some(at),
                        ..Default::default()
                    },
                },
                None => pending,
            },
            Parent::Earlier(k) | Parent::Unknown(k) => match in_store.get(&k) {
                Some(id) => known(*id),
                None => pending,
            },
        };
    }
    parents
}

/// (message id, topic id) of the new messages.
pub(crate) fn topics_of(batch: &[Pending], new: &[usize], ids: &[i64]) -> Vec<(i64, i64)> {
    new.iter()
        .flat_map(|&i| batch[i].row.topics.iter().map(move |t| (ids[i], t.0)))
        .collect()
}

/// What the batch did, and the edited messages to update: (id, row).
pub(crate) fn tally<'b>(
    batch: &'b [Pending],
    existing: &[Existing],
    threads_created: usize,
) -> (BatchOutcome, Vec<(i64, &'b ImportRow)>) {
    let mut out = BatchOutcome {
        threads_created: threads_created as u64,
        ..Default::default()
    };
    let mut edited = Vec::new();
    for (i, p) in batch.iter().enumerate() {
        match existing[i] {
            None | Some((_, MessageOutcome::Created)) => out.messages_created += 1,
            Some((_, MessageOutcome::Unchanged)) => out.messages_unchanged += 1,
            Some((id, MessageOutcome::Updated)) => {
                out.messages_updated += 1;
                edited.push((id, &p.row));
            }
        }
    }
    (out, edited)
}

/// The SQL that stores a newer body of an imported message (`$1` body_md, `$2` body_html,
/// `$3` edited_at, `$4` id).
pub(crate) const UPDATE_EDITED_SQL: &str =
    "UPDATE messages SET body_md = $1, body_html = $2, edited_at = $3 WHERE id = $4";

/// A thread to create: its row's values (all but the space).
pub(crate) struct NewThreadValues<'b> {
    pub(crate) topic: Option<i64>,
    pub(crate) title: &'b str,
    pub(crate) author: i64,
    pub(crate) created_at: i64,
    pub(crate) last_activity_at: i64,
    pub(crate) count: i64,
    pub(crate) channel: &'b str,
    pub(crate) source_id: &'b str,
}

/// What a batch adds to an existing thread: messages, time bounds, the first topic, and
/// author and title when the batch holds its root.
pub(crate) struct ThreadUpdate<'b> {
    pub(crate) count: i64,
    pub(crate) lo: i64,
    pub(crate) hi: i64,
    pub(crate) topic: Option<i64>,
    pub(crate) author: Option<i64>,
    pub(crate) title: Option<&'b str>,
}

/// What the rows of a batch do to one thread.
pub(crate) struct ThreadChange {
    /// The first row naming the thread (it creates the thread when the store lacks it).
    pub(crate) first: usize,
    /// New messages, their earliest and latest times, the first topic among them.
    pub(crate) count: i64,
    lo: i64,
    hi: i64,
    topic: Option<i64>,
    /// The new message that opens the thread, if any.
    root: Option<usize>,
}

impl ThreadChange {
    fn new(first: usize, row: &ImportRow) -> ThreadChange {
        ThreadChange {
            first,
            count: 0,
            lo: row.created_at,
            hi: row.created_at,
            topic: None,
            root: None,
        }
    }

    /// The values of the `threads` row to create.
    pub(crate) fn insert_values<'b>(&self, batch: &'b [Pending]) -> NewThreadValues<'b> {
        let first = &batch[self.first].row;
        let root = self.root.map(|r| &batch[r].row).unwrap_or(first);
        NewThreadValues {
            topic: first.topics.first().map(|x| x.0).or(self.topic),
            title: root.thread_title.as_str(),
            author: root.author_id.0,
            created_at: self.lo.min(first.created_at),
            last_activity_at: self.hi.max(first.created_at),
            count: self.count,
            channel: first.channel.as_str(),
            source_id: first.thread_source_id.as_str(),
        }
    }

    /// What the batch adds to an existing thread.
    pub(crate) fn update_values<'b>(&self, batch: &'b [Pending]) -> ThreadUpdate<'b> {
        let root = self.root.map(|r| &batch[r].row);
        ThreadUpdate {
            count: self.count,
            lo: self.lo,
            hi: self.hi,
            topic: self.topic,
            author: root.map(|r| r.author_id.0),
            title: root.map(|r| r.thread_title.as_str()),
        }
    }

    fn add(&mut self, i: usize, row: &ImportRow) {
        if self.count == 0 {
            // `lo`/`hi` start from the creating row; an existing thread's bounds come from
            // its new messages only.
            self.lo = row.created_at;
            self.hi = row.created_at;
        }
        self.count += 1;
        self.lo = self.lo.min(row.created_at);
        self.hi = self.hi.max(row.created_at);
        self.topic = self.topic.or(row.topics.first().map(|t| t.0));
        if row.source_id == row.thread_source_id {
            self.root = Some(i);
        }
    }
}

/// SQL text with placeholders and the values bound to them, built together so that they
/// cannot drift apart. Only placeholders and fixed text go into the SQL: values are always
/// bound.
///
/// The placeholders follow the engine: `$N` for PostgreSQL, `?` for SQLite. SQLite reads
/// `$N` as a *named* parameter, and looking one up by name is a linear scan (when preparing
/// and again when sqlx binds): quadratic in a statement with thousands of values, where it
/// took a quarter of an import's CPU. `QueryBuilder<Any>` always writes `?`, which PostgreSQL
/// rejects, hence this small builder.
pub(crate) struct Sql<'q> {
    text: String,
    args: AnyArguments<'q>,
    n: usize,
    numbered: bool,
    error: Option<sqlx::error::BoxDynError>,
}

impl<'q> Sql<'q> {
    /// A statement starting with `start`, for PostgreSQL when `numbered`, else for SQLite.
    pub(crate) fn new(start: &str, numbered: bool) -> Sql<'q> {
        Sql {
            text: start.to_string(),
            args: AnyArguments::default(),
            n: 0,
            numbered,
            error: None,
        }
    }

    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    pub(crate) fn bind<T: 'q + Encode<'q, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        self.n += 1;
        if self.numbered {
            // Writing to a String cannot fail.
            let _ = write!(self.text, "${}", self.n);
        } else {
            self.text.push('?');
        }
        if let Err(e) = self.args.add(value) {
            self.error.get_or_insert(e);
        }
        self
    }

    /// `$a, $b, …` bound to `values`.
    pub(crate) fn list(&mut self, values: &[&'q str]) -> &mut Self {
        for (n, v) in values.iter().enumerate() {
            if n > 0 {
                self.push(", ");
            }
            self.bind(*v);
        }
        self
    }

    /// Statements are not kept prepared (`persistent(false)`): their text changes with the
    /// number of rows, and sqlx's cache of up to 100 prepared statements per connection, a
    /// few with thousands of values, held ~70 MB.
    fn into_parts(self) -> Result<(String, AnyArguments<'q>)> {
        match self.error {
            Some(e) => Err(StoreError::Db(sqlx::Error::Encode(e))),
            None => Ok((self.text, self.args)),
        }
    }

    pub(crate) async fn fetch_all(self, db: &mut sqlx::AnyConnection) -> Result<Vec<AnyRow>> {
        let (sql, args) = self.into_parts()?;
        Ok(sqlx::query_with(&sql, args)
            .persistent(false)
            .fetch_all(db)
            .await?)
    }

    pub(crate) async fn execute(self, db: &mut sqlx::AnyConnection) -> Result<u64> {
        let (sql, args) = self.into_parts()?;
        Ok(sqlx::query_with(&sql, args)
            .persistent(false)
            .execute(db)
            .await?
            .rows_affected())
    }
}

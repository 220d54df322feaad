//! The index itself: opening it (writer or read-only), adding, deleting and clearing
//! messages, and commits that carry the watermark.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use crate::SearchError;
use crate::analysis::{self, Analysis, Lang};
use crate::model::IndexedMessage;
use crate::schema::{Fields, schema};

/// Writer tuning. The defaults suit a server indexing messages as they come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// Indexing threads (each makes its own segments).
    pub writer_threads: usize,
    /// Memory budget of the writer in bytes, shared by its threads (at least
    /// 15 MB per thread); a bulk rebuild is faster with a few hundred MB.
    pub writer_memory_bytes: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            writer_threads: 1,
            writer_memory_bytes: 50_000_000,
        }
    }
}

struct WriterState {
    writer: IndexWriter<TantivyDocument>,
    /// Highest message id added since the last commit.
    pending_max: i64,
    /// `clear()` was called since the last commit: the watermark restarts.
    reset: bool,
}

/// The message index of one Parvis instance (all spaces). Cheap to share
/// behind an `Arc`: searches take `&self` and run concurrently; writes are
/// serialised on an internal lock.
pub struct SearchIndex {
    index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    writer: Option<Mutex<WriterState>>,
    committed: AtomicI64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("writable", &self.writer.is_some())
            .field("last_indexed", &self.last_indexed())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    last_indexed: i64,
}

fn watermark_of(index: &Index) -> Result<i64, SearchError> {
    let metas = index
        .load_metas()
        .map_err(SearchError::index("reading the commit metadata"))?;
    Ok(metas
        .payload
        .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
        .map_or(0, |p| p.last_indexed))
}

impl SearchIndex {
    /// Opens the index in `dir` for writing, creating the folder and an
    /// empty index if missing. Fails with [`SearchError::Locked`] if another
    /// writer holds it.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        Self::open_with(dir, SearchOptions::default())
    }

    /// [`SearchIndex::open`] with writer tuning.
    pub fn open_with(dir: &Path, options: SearchOptions) -> Result<SearchIndex, SearchError> {
        let index = Self::open_dir(dir)?;
        Self::build(index, Some(options), Some(dir))
    }

    /// Opens an existing index without writing to it (no lock taken); it sees
    /// the writer's commits shortly after they land.
    pub fn open_read_only(dir: &Path) -> Result<SearchIndex, SearchError> {
        let index = Self::open_dir(dir)?;
        Self::build(index, None, Some(dir))
    }

    /// A fresh index in memory, for tests.
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, _) = schema();
        let index = Index::create_in_ram(schema);
        Self::build(
            index,
            Some(SearchOptions {
                writer_threads: 1,
                writer_memory_bytes: 20_000_000,
            }),
            None,
        )
    }

    fn open_dir(dir: &Path) -> Result<Index, SearchError> {
        let open_err = |source: Box<dyn std::error::Error + Send + Sync>| SearchError::Open {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| open_err(Box::new(e)))?;
        let directory = MmapDirectory::open(dir).map_err(|e| open_err(Box::new(e)))?;
        let (schema, _) = schema();
        Index::open_or_create(directory, schema).map_err(|e| match e {
            TantivyError::SchemaError(reason) => SearchError::Incompatible {
                dir: dir.to_path_buf(),
                reason,
            },
            other => open_err(Box::new(other)),
        })
    }

    fn build(
        index: Index,
        writer: Option<SearchOptions>,
        dir: Option<&Path>,
    ) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        if index.schema() != schema {
            return Err(SearchError::Incompatible {
                dir: dir.map(Path::to_path_buf).unwrap_or_default(),
                reason: "fields differ from this version's".into(),
            });
        }
        analysis::register(index.tokenizers());
        let writer = match writer {
            None => None,
            Some(options) => {
                let threads = options.writer_threads.max(1);
                let memory = options.writer_memory_bytes.max(threads * 15_000_000);
                let writer =
                    index
                        .writer_with_num_threads(threads, memory)
                        .map_err(|e| match e {
                            TantivyError::LockFailure(..) => SearchError::Locked {
                                dir: dir.map(Path::to_path_buf).unwrap_or_default(),
                            },
                            other => SearchError::Index {
                                action: "opening the writer",
                                source: Box::new(other),
                            },
                        })?;
                Some(Mutex::new(WriterState {
                    writer,
                    pending_max: 0,
                    reset: false,
                }))
            }
        };
        let policy = if writer.is_some() {
            ReloadPolicy::Manual
        } else {
            ReloadPolicy::OnCommitWithDelay
        };
        let reader = index
            .reader_builder()
            .reload_policy(policy)
            .try_into()
            .map_err(SearchError::index("opening the reader"))?;
        let committed = AtomicI64::new(watermark_of(&index)?);
        Ok(SearchIndex {
            index,
            reader,
            fields,
            writer,
            committed,
        })
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, WriterState>, SearchError> {
        let lock = self.writer.as_ref().ok_or(SearchError::ReadOnly)?;
        // A panic elsewhere while holding the lock leaves tantivy's writer
        // consistent (its own state is transactional), so keep going.
        Ok(lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Adds or replaces messages (by `message_id`). Visible after [`commit`](Self::commit).
    pub fn add(&self, messages: &[IndexedMessage]) -> Result<(), SearchError> {
        let mut state = self.writer()?;
        let mut analysis = Analysis::new();
        let f = self.fields;
        for m in messages {
            let head = &m.body[..floor_char(&m.body, 4096)];
            let mut tokens = analysis.tokens(&m.title);
            tokens.extend(analysis.tokens(head));
            let lang = analysis::detect(m.lang.as_deref(), &tokens);

            let mut doc = TantivyDocument::default();
            doc.add_i64(f.message_id, m.message_id);
            doc.add_i64(f.thread_id, m.thread_id);
            doc.add_i64(f.space_id, m.space_id);
            if let Some(topic) = m.topic_id {
                doc.add_i64(f.topic_id, topic);
            }
            doc.add_text(f.channel, &m.channel);
            doc.add_i64(f.author_id, m.author_id);
            doc.add_i64(f.created_at, m.created_at);
            doc.add_text(f.title, &m.title);
            doc.add_text(f.body, &m.body);
            let mut text_fields = vec![f.plain];
            if lang != Lang::English {
                text_fields.push(f.fr);
            }
            if lang != Lang::French {
                text_fields.push(f.en);
            }
            for field in text_fields {
                doc.add_text(field, &m.title);
                doc.add_text(field, &m.body);
            }
            state
                .writer
                .delete_term(Term::from_field_i64(f.message_id, m.message_id));
            state
                .writer
                .add_document(doc)
                .map_err(SearchError::index("adding a message"))?;
            state.pending_max = state.pending_max.max(m.message_id);
        }
        Ok(())
    }

    /// Removes a message (no error if absent). Visible after [`commit`](Self::commit).
    pub fn delete(&self, message_id: i64) -> Result<(), SearchError> {
        let state = self.writer()?;
        state
            .writer
            .delete_term(Term::from_field_i64(self.fields.message_id, message_id));
        Ok(())
    }

    /// Removes every message and resets the watermark to 0, for a rebuild:
    /// searches see the old content until the next [`commit`](Self::commit).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut state = self.writer()?;
        state
            .writer
            .delete_all_documents()
            .map_err(SearchError::index("clearing"))?;
        state.pending_max = 0;
        state.reset = true;
        Ok(())
    }

    /// Makes the pending changes durable and visible, with the new watermark.
    pub fn commit(&self) -> Result<(), SearchError> {
        let mut state = self.writer()?;
        let watermark = if state.reset {
            state.pending_max
        } else {
            state.pending_max.max(self.committed.load(Ordering::SeqCst))
        };
        let payload = serde_json::to_string(&Payload {
            last_indexed: watermark,
        })
        .map_err(|e| SearchError::Index {
            action: "writing the watermark",
            source: Box::new(e),
        })?;
        let mut prepared = state
            .writer
            .prepare_commit()
            .map_err(SearchError::index("committing"))?;
        prepared.set_payload(&payload);
        prepared
            .commit()
            .map_err(SearchError::index("committing"))?;
        state.pending_max = 0;
        state.reset = false;
        self.committed.store(watermark, Ordering::SeqCst);
        self.reader
            .reload()
            .map_err(SearchError::index("reloading the reader"))?;
        Ok(())
    }

    /// Highest message id committed so far (0 for an empty or cleared index):
    /// feed the index what the change log holds after it.
    pub fn last_indexed(&self) -> i64 {
        if self.writer.is_none() {
            // A reader follows another process's commits.
            if let Ok(w) = watermark_of(&self.index) {
                return w;
            }
        }
        self.committed.load(Ordering::SeqCst)
    }

    /// Messages currently searchable (all spaces).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Merges all segments into one and waits: call after a bulk rebuild
    /// (searches touch fewer, larger segments). Tantivy also merges in the
    /// background as segments accumulate, so this is never required.
    pub fn merge_segments(&self) -> Result<(), SearchError> {
        let mut state = self.writer()?;
        let ids = self
            .index
            .searchable_segment_ids()
            .map_err(SearchError::index("listing segments"))?;
        if ids.len() > 1 {
            state
                .writer
                .merge(&ids)
                .wait()
                .map_err(SearchError::index("merging segments"))?;
        }
        // Commit so the merge is recorded, then drop files of merged segments.
        drop(state);
        self.commit()?;
        let state = self.writer()?;
        state
            .writer
            .garbage_collect_files()
            .wait()
            .map_err(SearchError::index("collecting files"))?;
        Ok(())
    }
}

fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

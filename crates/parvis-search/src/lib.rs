//! Full-text search over the messages of a space, French and English.
//!
//! # Design
//!
//! * **Embedded tantivy index**, one folder, no server. A [`SearchIndex`]
//!   opened with [`SearchIndex::open`] holds tantivy's writer lock: tantivy
//!   allows **one writer per folder**, so exactly one process — the Parvis
//!   server — writes; anything else (a CLI report, a second replica) uses
//!   [`SearchIndex::open_read_only`], which sees commits as they land. A second
//!   writer gets [`SearchError::Locked`] rather than a corrupt index.
//! * **Kept up to date from the change log**: the app feeds [`SearchIndex::add`]
//!   (an upsert by `message_id`) and [`SearchIndex::delete`], then
//!   [`SearchIndex::commit`]. The commit stores a watermark, the highest
//!   message id ever added, inside the index's own commit metadata, so it is
//!   atomic with the documents: after a crash, [`SearchIndex::last_indexed`]
//!   says exactly where to resume. [`SearchIndex::clear`] starts a rebuild that
//!   becomes visible, watermark included, only at the next commit (searches see
//!   the old index until then).
//! * **Three analysed fields** from one chain — split on non-alphanumerics,
//!   lower-case, fold accents (`é`→`e`): `plain` (no stemming, with positions:
//!   phrases and prefixes), `fr` and `en` (Snowball stems, frequencies only).
//!   Each message goes into the stemmed field of its language (the app's
//!   `lang`, else a count of function words; undecided messages go into both).
//!   A query word is looked up as its French stem in `fr` *or* its English stem
//!   in `en`, so it finds messages of either language without the index paying
//!   twice for every message.
//! * **Our own query language** ([`query`] module: words, `"phrases"`,
//!   `prefix*`, `-exclusion`, `OR`), parsed leniently: bad input produces
//!   results or an empty page with a human [`SearchResults::notice`], never an
//!   error, and tantivy's query syntax is never exposed.
//! * **Ranking** is BM25 on the matched fields; filters (space, channel,
//!   author, topic, date) are constant-score and do not change the ranking.
//! * **Snippets** are computed here on the stored body (see `snippet`):
//!   escaped text whose only markup is `<mark>`.

mod analysis;
mod error;
pub mod query;
mod snippet;
mod text_match;

use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery,
    RegexQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

pub use error::SearchError;
pub use text_match::{TextDoc, TextMatch, match_documents};

use analysis::{Analysis, Lang};
use query::Atom;
use snippet::Highlight;

/// Most hits returned per page.
pub const MAX_LIMIT: usize = 100;
/// Deepest result reachable by paging (`offset + limit`).
pub const MAX_WINDOW: usize = 10_000;
/// Hits are grouped by thread: to fill a page of `n` threads the search reads the best
/// `n × GROUP_SCAN_FACTOR` matching messages (at least [`GROUP_SCAN_MIN`]). A busy thread
/// whose messages all match then takes one line, and the count of its other matches is exact
/// whenever every match was read (`threads_exact`).
const GROUP_SCAN_FACTOR: usize = 5;
/// Fewest matching messages read to group a page (cheap: stored fields of a few hundred docs).
const GROUP_SCAN_MIN: usize = 200;
/// Most matching messages read to group a page, so a deep page stays bounded.
const GROUP_SCAN_MAX: usize = 2 * MAX_WINDOW;

/// One message as the app hands it to the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedMessage {
    /// Unique message id; `add` replaces any earlier version of it.
    pub message_id: i64,
    /// Thread the message belongs to (returned in hits, for links).
    pub thread_id: i64,
    /// Space; every search is limited to one space.
    pub space_id: i64,
    /// Topic of the thread, if any (filter).
    pub topic_id: Option<i64>,
    /// Channel name (filter, exact match).
    pub channel: String,
    /// Author (filter).
    pub author_id: i64,
    /// Author display name (not indexed: the app renders it).
    pub author_name: String,
    /// Creation time, Unix milliseconds (filter).
    pub created_at: i64,
    /// Thread title: searched with the body and returned in hits.
    pub title: String,
    /// Body as plain text.
    pub body: String,
    /// Language tag when known (`fr`, `en-GB`…); guessed otherwise.
    pub lang: Option<String>,
}

/// A search request. Every field has a safe meaning, whatever its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Space searched.
    pub space_id: i64,
    /// Query text in our query language (see [`query`]).
    pub text: String,
    /// Only this channel.
    pub channel: Option<String>,
    /// Only this author.
    pub author_id: Option<i64>,
    /// Only messages created at or after this time (Unix ms, inclusive).
    pub from: Option<i64>,
    /// Only messages created before this time (Unix ms, exclusive).
    pub to: Option<i64>,
    /// Only this topic.
    pub topic_id: Option<i64>,
    /// Page size, at most [`MAX_LIMIT`].
    pub limit: usize,
    /// Hits skipped (paging); `offset + limit` at most [`MAX_WINDOW`].
    pub offset: usize,
}

impl SearchQuery {
    /// A first page of 20 hits for `text` in `space_id`, with no filter.
    pub fn new(space_id: i64, text: impl Into<String>) -> Self {
        SearchQuery {
            space_id,
            text: text.into(),
            limit: 20,
            ..SearchQuery::default()
        }
    }
}

/// One result: a thread, shown by its best matching message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Hit {
    /// The thread's best matching message.
    pub message_id: i64,
    /// Its thread.
    pub thread_id: i64,
    /// BM25 relevance (higher is better; comparable within one search only).
    pub score: f32,
    /// Thread title as indexed.
    pub title: String,
    /// Escaped excerpt of the body; the only markup is `<mark>…</mark>`.
    pub snippet_html: String,
    /// Matching messages in this thread, this one included (at least this many when the
    /// results' `threads_exact` is false).
    pub thread_matches: usize,
}

/// Something about a query the person should know, as a code the interface words in its own
/// language ([`Notice::english`] gives the API's wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// A `-` with no word after it.
    LoneMinus,
    /// A `"` without its closing one.
    UnbalancedQuote,
    /// `OR`/`AND`/`NOT` with nothing to apply to.
    StrayOperator,
    /// Words made only of punctuation or symbols.
    Punctuation,
    /// `a*`: a prefix needs two letters.
    ShortPrefix,
    /// More words than [`MAX_QUERY_CLAUSES`].
    TooManyWords,
    /// More characters than [`MAX_QUERY_CHARS`].
    QueryTooLong,
    /// Nothing to look for.
    NoWord,
    /// Only excluded words.
    OnlyExcluded,
    /// `from` is not before `to`.
    EmptyDateRange,
    /// A page larger than [`MAX_LIMIT`].
    PageTooLarge,
    /// Paging beyond [`MAX_WINDOW`].
    TooDeep,
}

/// Most words of a query that are used.
pub const MAX_QUERY_CLAUSES: usize = query::MAX_CLAUSES;
/// Most characters of a query that are read.
pub const MAX_QUERY_CHARS: usize = query::MAX_QUERY_CHARS;

impl Notice {
    /// The notice in English (the API's `notice` field).
    pub fn english(self) -> String {
        match self {
            Notice::LoneMinus => "a lone \"-\" was ignored".into(),
            Notice::UnbalancedQuote => "unbalanced quote ignored".into(),
            Notice::StrayOperator => "stray operator ignored".into(),
            Notice::Punctuation => "punctuation and symbols are ignored".into(),
            Notice::ShortPrefix => "a prefix needs at least 2 letters before \"*\": ignored".into(),
            Notice::TooManyWords => {
                format!("too many words: only the first {MAX_QUERY_CLAUSES} were used")
            }
            Notice::QueryTooLong => "query too long: only its beginning was used".into(),
            Notice::NoWord => "type at least one word to search".into(),
            Notice::OnlyExcluded => {
                "add at least one word to look for: excluded words alone find nothing".into()
            }
            Notice::EmptyDateRange => {
                "the date range is empty (its start is not before its end)".into()
            }
            Notice::PageTooLarge => format!("at most {MAX_LIMIT} results per page"),
            Notice::TooDeep => {
                format!("only the first {MAX_WINDOW} results can be browsed; refine the search")
            }
        }
    }
}

/// A page of results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// Messages matching, over all pages.
    pub total: usize,
    /// Threads with at least one matching message, over all pages (a lower bound when
    /// `threads_exact` is false: only the best matches were grouped).
    pub threads: usize,
    /// Whether `threads` and each hit's `thread_matches` counted every match.
    pub threads_exact: bool,
    /// This page, one hit per thread, best first.
    pub hits: Vec<Hit>,
    /// Something about the query the person should know ("unbalanced quote
    /// ignored", "type at least one word"…), in English, to show above the results.
    pub notice: Option<String>,
    /// The same, as codes an interface words in its own language.
    pub notices: Vec<Notice>,
    /// Challenges, job offers, testimonials and interviews that match, held to the same
    /// filters as the messages, ten a page: page 1 holds the ten best, page 2 the 11th to the
    /// 20th, and a page past the last holds none (filled by the app from what the reader may
    /// see; see [`match_documents`]).
    #[serde(default)]
    pub content: Vec<ContentHit>,
    /// How many pieces of content match, over all pages.
    #[serde(default)]
    pub content_total: usize,
}

/// A piece of content (not a thread) that matches a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContentHit {
    /// `challenge`, `job_offer`, `testimonial` or `interview`.
    pub kind: String,
    /// The challenge's or testimonial's id.
    pub id: i64,
    pub title: String,
    /// Its page, relative to the site (`/challenges/3`).
    pub url: String,
    /// Escaped excerpt; the only markup is `<mark>…</mark>`.
    pub snippet_html: String,
    /// Matched words, title words counting double (comparable within one search only).
    pub score: f32,
}

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

#[derive(Debug, Clone, Copy)]
struct Fields {
    message_id: Field,
    thread_id: Field,
    space_id: Field,
    topic_id: Field,
    channel: Field,
    author_id: Field,
    created_at: Field,
    title: Field,
    body: Field,
    plain: Field,
    fr: Field,
    en: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let fields = Fields {
        message_id: b.add_i64_field("message_id", INDEXED | STORED | FAST),
        thread_id: b.add_i64_field("thread_id", STORED),
        space_id: b.add_i64_field("space_id", INDEXED),
        topic_id: b.add_i64_field("topic_id", INDEXED),
        channel: b.add_text_field("channel", STRING),
        author_id: b.add_i64_field("author_id", INDEXED),
        created_at: b.add_i64_field("created_at", INDEXED | FAST),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        plain: b.add_text_field(
            "plain",
            text(analysis::PLAIN, IndexRecordOption::WithFreqsAndPositions),
        ),
        fr: b.add_text_field("fr", text(analysis::FRENCH, IndexRecordOption::WithFreqs)),
        en: b.add_text_field("en", text(analysis::ENGLISH, IndexRecordOption::WithFreqs)),
    };
    (b.build(), fields)
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
    reader: IndexReader,
    fields: Fields,
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

fn strip_elision(word: &str) -> &str {
    // French elided articles and pronouns glued to the word: l'événement.
    for (i, c) in word.char_indices() {
        if c == '\'' || c == '’' {
            let head = word[..i].to_lowercase();
            let rest = &word[i + c.len_utf8()..];
            let elided = [
                "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu",
            ];
            if elided.contains(&head.as_str()) && !rest.is_empty() {
                return rest;
            }
            break;
        }
    }
    word
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
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

    /// Searches one space. Never fails on query text; see [`SearchResults::notice`].
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let mut notices: Vec<Notice> = Vec::new();
        let mut analysis = Analysis::new();
        let parsed = query::parse(&q.text, &mut |atom| match atom {
            Atom::Word(w) => !analysis.tokens(strip_elision(w)).is_empty(),
            Atom::Phrase(w) | Atom::Prefix(w) => !analysis.tokens(w).is_empty(),
        });
        notices.extend(parsed.notices.iter().cloned());
        let empty = |notices: Vec<Notice>| SearchResults {
            total: 0,
            threads: 0,
            threads_exact: true,
            hits: Vec::new(),
            notice: join(&notices),
            notices,
            content: Vec::new(),
            content_total: 0,
        };

        if parsed.groups.is_empty() {
            notices.push(if parsed.excluded.is_empty() {
                Notice::NoWord
            } else {
                Notice::OnlyExcluded
            });
            return Ok(empty(notices));
        }
        if let (Some(from), Some(to)) = (q.from, q.to)
            && from >= to
        {
            notices.push(Notice::EmptyDateRange);
            return Ok(empty(notices));
        }

        let f = self.fields;
        let mut highlight = Highlight::default();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for group in &parsed.groups {
            let mut alternatives: Vec<Box<dyn Query>> = group
                .iter()
                .filter_map(|atom| self.atom_query(&mut analysis, atom, Some(&mut highlight)))
                .collect();
            match alternatives.len() {
                0 => {}
                1 => clauses.extend(alternatives.pop().map(|q| (Occur::Must, q))),
                _ => clauses.push((Occur::Must, Box::new(BooleanQuery::union(alternatives)))),
            }
        }
        for atom in &parsed.excluded {
            if let Some(query) = self.atom_query(&mut analysis, atom, None) {
                clauses.push((Occur::MustNot, query));
            }
        }
        let filter = |query: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
            (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
        };
        let int_term = |field: Field, value: i64| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_i64(field, value),
                IndexRecordOption::Basic,
            ))
        };
        clauses.push(filter(int_term(f.space_id, q.space_id)));
        if let Some(channel) = &q.channel {
            clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_text(f.channel, channel),
                IndexRecordOption::Basic,
            ))));
        }
        if let Some(author) = q.author_id {
            clauses.push(filter(int_term(f.author_id, author)));
        }
        if let Some(topic) = q.topic_id {
            clauses.push(filter(int_term(f.topic_id, topic)));
        }
        if q.from.is_some() || q.to.is_some() {
            let bound = |v: Option<i64>, inclusive: bool| match v {
                None => Bound::Unbounded,
                Some(v) if inclusive => Bound::Included(Term::from_field_i64(f.created_at, v)),
                Some(v) => Bound::Excluded(Term::from_field_i64(f.created_at, v)),
            };
            clauses.push(filter(Box::new(RangeQuery::new(
                bound(q.from, true),
                bound(q.to, false),
            ))));
        }
        let query = BooleanQuery::new(clauses);

        let limit = if q.limit > MAX_LIMIT {
            notices.push(Notice::PageTooLarge);
            MAX_LIMIT
        } else {
            q.limit
        };
        let (offset, limit) = if q.offset.saturating_add(limit) > MAX_WINDOW {
            notices.push(Notice::TooDeep);
            let offset = q.offset.min(MAX_WINDOW);
            (offset, limit.min(MAX_WINDOW - offset))
        } else {
            (q.offset, limit)
        };

        let searcher = self.reader.searcher();
        let total = searcher
            .search(&query, &Count)
            .map_err(SearchError::index("counting"))?;
        // Group the best matches by thread, in the order of each thread's best match.
        let scan = (offset + limit)
            .saturating_mul(GROUP_SCAN_FACTOR)
            .clamp(GROUP_SCAN_MIN, GROUP_SCAN_MAX)
            .min(total);
        // (thread, its best hit's stored fields, score, matching messages)
        let mut groups: Vec<(i64, TantivyDocument, f32, usize)> = Vec::new();
        let mut by_thread: HashMap<i64, usize> = HashMap::new();
        if scan > 0 {
            let top = searcher
                .search(&query, &TopDocs::with_limit(scan).order_by_score())
                .map_err(SearchError::index("searching"))?;
            for (score, address) in top {
                let doc: TantivyDocument = searcher
                    .doc(address)
                    .map_err(SearchError::index("reading a hit"))?;
                let thread = doc
                    .get_first(f.thread_id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default();
                match by_thread.get(&thread) {
                    Some(&i) => groups[i].3 += 1,
                    None => {
                        by_thread.insert(thread, groups.len());
                        groups.push((thread, doc, score, 1));
                    }
                }
            }
        }
        let threads_exact = scan == total;
        let mut hits = Vec::new();
        for (thread_id, doc, score, matches) in groups.iter().skip(offset).take(limit) {
            let (thread_id, score, matches) = (*thread_id, *score, *matches);
            let int = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default()
            };
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
            };
            hits.push(Hit {
                message_id: int(f.message_id),
                thread_id,
                score,
                title: text(f.title).to_owned(),
                snippet_html: snippet::snippet(&mut analysis, &highlight, text(f.body)),
                thread_matches: matches,
            });
        }
        Ok(SearchResults {
            total,
            threads: groups.len(),
            threads_exact,
            hits,
            notice: join(&notices),
            notices,
            content: Vec::new(),
            content_total: 0,
        })
    }

    /// The tantivy query of one atom, or `None` if it has no token; records
    /// what to highlight when `highlight` is given.
    fn atom_query(
        &self,
        analysis: &mut Analysis,
        atom: &Atom,
        highlight: Option<&mut Highlight>,
    ) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let plain_term = |t: &str| Term::from_field_text(f.plain, t);
        let mut scratch = Highlight::default();
        let hl = highlight.unwrap_or(&mut scratch);
        match atom {
            Atom::Word(word) => {
                let tokens = analysis.tokens(strip_elision(word));
                match tokens.as_slice() {
                    [] => None,
                    [token] => {
                        let fr = analysis.stem_fr(token);
                        let en = analysis.stem_en(token);
                        hl.fr.insert(fr.clone());
                        hl.en.insert(en.clone());
                        let q = |field, stem: &str| -> Box<dyn Query> {
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, stem),
                                IndexRecordOption::WithFreqs,
                            ))
                        };
                        Some(Box::new(BooleanQuery::union(vec![
                            q(f.fr, &fr),
                            q(f.en, &en),
                        ])))
                    }
                    // "e-mail", "don't": the tokens in sequence.
                    _ => {
                        hl.exact.extend(tokens.iter().cloned());
                        Some(Box::new(PhraseQuery::new(
                            tokens.iter().map(|t| plain_term(t)).collect(),
                        )))
                    }
                }
            }
            Atom::Phrase(text) => {
                let tokens = analysis.tokens(text);
                hl.exact.extend(tokens.iter().cloned());
                match tokens.as_slice() {
                    [] => None,
                    [token] => Some(Box::new(TermQuery::new(
                        plain_term(token),
                        IndexRecordOption::WithFreqs,
                    ))),
                    _ => Some(Box::new(PhraseQuery::new(
                        tokens.iter().map(|t| plain_term(t)).collect(),
                    ))),
                }
            }
            Atom::Prefix(text) => {
                let tokens = analysis.tokens(text);
                match tokens.as_slice() {
                    [] => None,
                    [token] => {
                        hl.prefixes.push(token.clone());
                        let pattern = format!("{}.*", regex_escape(token));
                        match RegexQuery::from_pattern(&pattern, f.plain) {
                            Ok(q) => Some(Box::new(q)),
                            Err(_) => Some(Box::new(TermQuery::new(
                                plain_term(token),
                                IndexRecordOption::WithFreqs,
                            ))),
                        }
                    }
                    [init @ .., last] => {
                        hl.exact.extend(init.iter().cloned());
                        hl.prefixes.push(last.clone());
                        Some(Box::new(PhrasePrefixQuery::new(
                            tokens.iter().map(|t| plain_term(t)).collect(),
                        )))
                    }
                }
            }
        }
    }
}

fn join(notices: &[Notice]) -> Option<String> {
    if notices.is_empty() {
        None
    } else {
        Some(
            notices
                .iter()
                .map(|n| n.english())
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

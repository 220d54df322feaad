//! What the app exchanges with the index: the messages it feeds in, search requests, and
//! result pages with their notices.

use serde::{Deserialize, Serialize};

use crate::query;

/// Most hits returned per page.
pub const MAX_LIMIT: usize = 100;
/// Deepest result reachable by paging (`offset + limit`).
pub const MAX_WINDOW: usize = 10_000;

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
    /// see, with `match_documents`). Plain code, not a doc link: this text is also the
    /// field's description in the OpenAPI document.
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

//! The crate's one error type.

use std::path::PathBuf;

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong with the index. Queries themselves never produce an
/// error: bad query text yields results or an empty page with a notice.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The folder cannot be created or read, or holds something else.
    #[error("cannot open the search index in {dir}: {source}")]
    Open {
        /// Index folder.
        dir: PathBuf,
        /// Underlying failure.
        #[source]
        source: Source,
    },
    /// Another `SearchIndex` (in this process or another) holds the writer
    /// lock of this folder: tantivy allows one writer per index.
    #[error(
        "the search index in {dir} is already open for writing elsewhere (one writer per index); \
         open it read-only or stop the other process"
    )]
    Locked {
        /// Index folder.
        dir: PathBuf,
    },
    /// The folder holds an index with another schema (an older version of
    /// this crate): rebuild it with `clear()` in a fresh folder.
    #[error("the search index in {dir} has an incompatible schema and must be rebuilt: {reason}")]
    Incompatible {
        /// Index folder.
        dir: PathBuf,
        /// What differs.
        reason: String,
    },
    /// A write on an index opened with `SearchIndex::open_read_only`.
    #[error("this search index was opened read-only")]
    ReadOnly,
    /// Any other failure of the index (I/O, corruption).
    #[error("search index failure while {action}: {source}")]
    Index {
        /// What we were doing.
        action: &'static str,
        /// Underlying failure.
        #[source]
        source: Source,
    },
}

impl SearchError {
    /// Stable machine-readable code, for logs and API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::Open { .. } => "search_open",
            SearchError::Locked { .. } => "search_locked",
            SearchError::Incompatible { .. } => "search_incompatible",
            SearchError::ReadOnly => "search_read_only",
            SearchError::Index { .. } => "search_index",
        }
    }

    pub(crate) fn index(action: &'static str) -> impl FnOnce(tantivy::TantivyError) -> SearchError {
        move |e| SearchError::Index {
            action,
            source: Box::new(e),
        }
    }
}

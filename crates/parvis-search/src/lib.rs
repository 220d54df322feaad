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
mod index;
mod model;
pub mod query;
mod schema;
mod search;
mod snippet;
mod text_match;

pub use error::SearchError;
pub use index::{SearchIndex, SearchOptions};
pub use model::{
    ContentHit, Hit, IndexedMessage, MAX_LIMIT, MAX_QUERY_CHARS, MAX_QUERY_CLAUSES, MAX_WINDOW,
    Notice, SearchQuery, SearchResults,
};
pub use text_match::{TextDoc, TextMatch, match_documents};

// `text_match` reaches it as `crate::strip_elision`.
use search::strip_elision;

//! # parvis-import — channel exports in, normalised records out
//!
//! This crate turns the export files of the channels where an ecosystem talks
//! (blogs, comment systems, feeds, mailing lists, Mastodon, Discourse, Slack,
//! X/Twitter, LinkedIn, or any tool that writes our JSON Lines format) into one
//! normalised shape, [`Record`], that the store can write without knowing where
//! the conversation came from. It does no I/O other than reading the files it
//! is given, and has no knowledge of the store.
//!
//! ## Design decisions
//!
//! * **Streaming, item by item.** [`open`] returns an iterator; each format
//!   reads its files incrementally (XML with a pull parser, mbox line by line,
//!   big JSON arrays element by element with a small byte scanner in
//!   [`jsonstream`]). Memory is bounded by the largest single item, never by
//!   the file, so a 30 000-message mailing list streams with flat memory. The
//!   only exceptions are documented on each format: a Discourse topic file and
//!   a Slack `users.json` are read whole because they are one bounded unit.
//! * **Errors are data, not panics.** A file that cannot be opened or is not
//!   the announced format at all is an [`ImportError`] from [`open`]. Inside
//!   the stream, an item that cannot be read is an [`ItemError`] (file,
//!   position, reason) and iteration continues. When a file is damaged beyond
//!   repair (truncated XML, broken JSON), the items before the damage are
//!   yielded, then one `ItemError` with `fatal: true`, and the iterator moves
//!   on to the next file. Deliberate omissions (spam, deleted comments,
//!   boosts, attachments…) are [`Record::Skipped`], so every item seen is
//!   counted exactly once: see [`Tally`].
//! * **Stable source ids.** `source_id` is what the channel itself uses to
//!   name the item (Message-ID, comment id, status URI, tweet id…), so
//!   importing the same export twice, or a newer export, can be deduplicated
//!   by `(channel, source_id)`.
//! * **Encodings are decoded as browsers do** ([`decode_to_utf8`]): BOM first,
//!   then the declared label through the WHATWG table (so `iso-8859-1` means
//!   windows-1252), then UTF-8 with replacement characters. Bad bytes never
//!   abort an import.
//! * **Identity resolution and topic matching are pure functions** in
//!   [`identity`] and [`topics`]: they take values, return decisions, and are
//!   unit-tested without files. Identity never matches on a display name alone.
//! * **Own small parsers** for dates, MIME mail, RFC 2047, quoted-printable
//!   and base64, to keep the dependency tree light and pure Rust.

//!
//! ## Using it
//!
//! ```no_run
//! use parvis_import::{open, Format, Record, Tally};
//! # fn main() -> Result<(), parvis_import::ImportError> {
//! let format: Format = "mbox".parse()?;
//! let mut tally = Tally::default();
//! for item in open(format, &["list.mbox".into()])? {
//!     tally.add(&item);
//!     match item {
//!         Ok(Record::Message(m)) => { /* upsert by (m.channel, m.source_id) */ let _ = m; }
//!         Ok(Record::Person(p)) => { /* feed identity::resolve */ let _ = p; }
//!         Ok(Record::Skipped(_)) => {}
//!         Err(e) => eprintln!("skipped: {e}"),
//!     }
//! }
//! println!("{} messages, {} errors", tally.messages, tally.errors);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod dates;
pub mod encoding;
pub mod error;
pub mod formats;
pub mod html;
pub mod identity;
pub mod jsonstream;
pub mod mail;
pub mod record;
pub mod topics;
pub(crate) mod xml;

use std::path::PathBuf;

pub use encoding::decode_to_utf8;
pub use error::{ImportError, ItemError, Position};
pub use formats::Format;
pub use record::{ImportedMessage, ImportedPerson, Record, Skip, SkipKind, Tally};

/// The iterator returned by [`open`]: records and per-item errors, in file order.
pub type Records = Box<dyn Iterator<Item = Result<Record, ItemError>> + Send>;

/// Opens `paths` as exports of `format` and returns a streaming iterator of records.
///
/// Every path is checked up front (it must exist, and where the format allows
/// it the start of the file is checked to be that format), so an obviously
/// wrong invocation fails here with an [`ImportError`] naming the file. The
/// files are then read lazily, one after the other, as the iterator is
/// consumed.
///
/// Paths are files or, for folder-shaped exports (Maildir, Slack, Twitter,
/// LinkedIn), folders. Several paths are read in the order given.
pub fn open(format: Format, paths: &[PathBuf]) -> Result<Records, ImportError> {
    if paths.is_empty() {
        return Err(ImportError::NoInput);
    }
    for p in paths {
        if !p.exists() {
            return Err(ImportError::Io {
                file: p.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
    }
    formats::open(format, paths)
}

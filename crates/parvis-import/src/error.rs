//! Errors: one for a whole import that cannot start, one for an item in the stream.

use std::fmt;
use std::path::PathBuf;

/// Where in a file something happened. Lines are 1-based; byte offsets 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Position {
    /// 1-based line number, when known.
    pub line: Option<u64>,
    /// 0-based byte offset in the (decoded) file, when known.
    pub offset: Option<u64>,
}

impl Position {
    /// A position known by its line only.
    pub fn line(line: u64) -> Self {
        Position {
            line: Some(line),
            offset: None,
        }
    }
    /// A position known by its byte offset only.
    pub fn offset(offset: u64) -> Self {
        Position {
            line: None,
            offset: Some(offset),
        }
    }

    /// `": line 3"` to follow a file's name in a message, or nothing when the position is not
    /// known (a folder, a whole file): "unknown position" tells the reader nothing.
    pub fn after_file(&self) -> String {
        if self.line.is_none() && self.offset.is_none() {
            String::new()
        } else {
            format!(": {self}")
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.offset) {
            (Some(l), Some(o)) => write!(f, "line {l} (byte {o})"),
            (Some(l), None) => write!(f, "line {l}"),
            (None, Some(o)) => write!(f, "byte {o}"),
            (None, None) => write!(f, "unknown position"),
        }
    }
}

/// An import that cannot start: returned by [`crate::open`] and by `Format::from_str`.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// No path was given.
    #[error("no input file given")]
    NoInput,
    /// The format name is not one of [`crate::Format::all`].
    #[error(
        "unknown format {0:?}; expected one of: wxr, disqus, rss, mbox, maildir, mastodon, discourse, slack, twitter, linkedin, jsonl"
    )]
    UnknownFormat(String),
    /// A file could not be read.
    #[error("{}: {source}", file.display())]
    Io {
        /// The file concerned.
        file: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not the announced format.
    #[error("{}{}: {expected}", file.display(), position.after_file())]
    Malformed {
        /// The file concerned.
        file: PathBuf,
        /// Where the problem was seen.
        position: Position,
        /// What was expected there, in words.
        expected: String,
    },
}

/// An item of the stream that could not be read.
///
/// When `fatal` is false, the item alone was skipped and the stream goes on in
/// the same file. When `fatal` is true, the rest of `file` could not be read
/// (truncated or malformed); the stream goes on with the next file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{}{}: {reason}{}", file.display(), position.after_file(), if *fatal { " (rest of file abandoned)" } else { "" })]
pub struct ItemError {
    /// The file concerned.
    pub file: PathBuf,
    /// Where the item starts or the damage was seen.
    pub position: Position,
    /// What was wrong, in words (what was expected and what was found).
    pub reason: String,
    /// True when the rest of the file was abandoned.
    pub fatal: bool,
}

impl ItemError {
    /// An error limited to one item.
    pub fn item(file: impl Into<PathBuf>, position: Position, reason: impl Into<String>) -> Self {
        ItemError {
            file: file.into(),
            position,
            reason: reason.into(),
            fatal: false,
        }
    }
    /// An error that ends the reading of a file.
    pub fn fatal(file: impl Into<PathBuf>, position: Position, reason: impl Into<String>) -> Self {
        ItemError {
            file: file.into(),
            position,
            reason: reason.into(),
            fatal: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_the_place_only_when_it_is_known() {
        let at_line = ItemError::item("a.mbox", Position::line(3), "no date");
        assert_eq!(at_line.to_string(), "a.mbox: line 3: no date");
        let whole = ImportError::Malformed {
            file: "archive".into(),
            position: Position::default(),
            expected: "expected a folder of mbox files".into(),
        };
        assert_eq!(
            whole.to_string(),
            "archive: expected a folder of mbox files"
        );
    }
}

//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in this crate. Messages say what and where (file, line, field).
#[derive(Debug, thiserror::Error)]
pub enum OpinionError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The CSV layer failed (bad quoting, bad UTF-8…).
    #[error("{path}, line {line}: malformed CSV: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// A required column is absent from a CSV header.
    #[error("{path}: missing column `{field}` in the header")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column name.
        field: String,
    },
    /// A field holds a value that cannot be parsed.
    #[error("{path}, line {line}, field `{field}`: {message} (got {value:?})")]
    BadField {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The column name.
        field: String,
        /// The offending text.
        value: String,
        /// Why it is wrong.
        message: String,
    },
    /// A vote refers to a statement the conversation does not have.
    #[error("{location}: vote by participant {participant:?} on unknown statement {statement}")]
    UnknownStatement {
        /// Where the vote came from (`path, line N` or `add_vote`).
        location: String,
        /// The voter.
        participant: String,
        /// The statement id.
        statement: u64,
    },
    /// The same statement id was added twice.
    #[error("statement {0} added twice")]
    DuplicateStatement(u64),
    /// A vote value other than -1, 0, +1.
    #[error("{location}: vote value {value} is not -1, 0 or 1")]
    BadVoteValue {
        /// Where the vote came from.
        location: String,
        /// The value.
        value: i64,
    },
    /// Not enough data to build an opinion map.
    #[error("not enough data for an opinion map: {0}")]
    NotEnoughData(String),
    /// Options that make no sense.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
}

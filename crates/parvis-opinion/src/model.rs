//! The conversation model (statements and votes) and the Pol.is export reader.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::OpinionError;
use crate::matrix::FastMap;

/// A vote, in the encoding of Pol.is CSV exports and of the Parvis API: agree = +1,
/// disagree = −1, pass = 0. (Pol.is's internal matrices use the opposite sign, agree = −1; the
/// flip happens once, inside the computation, and never leaks out.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoteValue {
    /// +1 in exports.
    Agree,
    /// −1 in exports.
    Disagree,
    /// 0 in exports.
    Pass,
}

impl VoteValue {
    /// Parses the export encoding (+1 agree, −1 disagree, 0 pass).
    pub fn from_export(value: i64) -> Option<VoteValue> {
        match value {
            1 => Some(VoteValue::Agree),
            -1 => Some(VoteValue::Disagree),
            0 => Some(VoteValue::Pass),
            _ => None,
        }
    }

    /// The export encoding (+1 agree).
    pub fn export_value(self) -> i8 {
        match self {
            VoteValue::Agree => 1,
            VoteValue::Disagree => -1,
            VoteValue::Pass => 0,
        }
    }

    /// Pol.is's internal encoding (agree = −1, disagree = +1), used by every formula.
    pub(crate) fn polis_value(self) -> i8 {
        -self.export_value()
    }
}

/// A statement ("comment" in Pol.is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// Statement id (Pol.is `comment-id`).
    pub id: u64,
    /// The text shown to voters.
    pub text: String,
    /// Moderated out (Pol.is `moderated = -1`): its column is zeroed and it is never reported.
    pub moderated: bool,
    /// A meta statement ("is-meta"): treated as moderated out for the map, fixed priority.
    #[serde(default)]
    pub meta: bool,
}

/// One vote as recorded (before deduplication).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vote {
    /// Participant id as in the export (`voter-id`) or the app's member id.
    pub participant: String,
    /// Statement id.
    pub statement: u64,
    /// The vote.
    pub value: VoteValue,
    /// Time of the vote (any monotonic unit: Pol.is exports use ms or s). When a participant
    /// votes twice on a statement, the latest timestamp wins; equal timestamps: the later call.
    pub timestamp: i64,
}

/// A conversation: statements and the raw vote log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    statements: Vec<Statement>,
    #[serde(skip)]
    index: FastMap<u64, usize>,
    votes: Vec<Vote>,
}

impl Conversation {
    /// An empty conversation.
    pub fn new() -> Conversation {
        Conversation::default()
    }

    /// Adds a statement. Errors if the id is already present.
    pub fn add_statement(
        &mut self,
        id: u64,
        text: impl Into<String>,
        moderated: bool,
    ) -> Result<(), OpinionError> {
        self.push_statement(Statement {
            id,
            text: text.into(),
            moderated,
            meta: false,
        })
    }

    /// Adds a statement with every field given (including `meta`).
    pub fn push_statement(&mut self, statement: Statement) -> Result<(), OpinionError> {
        self.reindex_if_needed();
        if self.index.contains_key(&statement.id) {
            return Err(OpinionError::DuplicateStatement(statement.id));
        }
        self.index.insert(statement.id, self.statements.len());
        self.statements.push(statement);
        Ok(())
    }

    /// Changes a statement's moderation flags. Returns false if the statement is unknown.
    pub fn set_moderation(&mut self, id: u64, moderated: bool, meta: bool) -> bool {
        self.reindex_if_needed();
        match self.index.get(&id) {
            Some(&i) => {
                self.statements[i].moderated = moderated;
                self.statements[i].meta = meta;
                true
            }
            None => false,
        }
    }

    /// Records a vote. The statement must exist; a later vote on the same statement by the same
    /// participant replaces the earlier one (by timestamp, then by call order).
    pub fn add_vote(
        &mut self,
        participant: impl Into<String>,
        statement: u64,
        value: VoteValue,
        timestamp: i64,
    ) -> Result<(), OpinionError> {
        let participant = participant.into();
        self.reindex_if_needed();
        if !self.index.contains_key(&statement) {
            return Err(OpinionError::UnknownStatement {
                location: "add_vote".into(),
                participant,
                statement,
            });
        }
        self.votes.push(Vote {
            participant,
            statement,
            value,
            timestamp,
        });
        Ok(())
    }

    /// The statements, in insertion order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The raw vote log, in insertion order (duplicates included).
    pub fn votes(&self) -> &[Vote] {
        &self.votes
    }

    /// Looks a statement up by id.
    pub fn statement(&self, id: u64) -> Option<&Statement> {
        match self.index.get(&id) {
            Some(&i) => self.statements.get(i),
            None => self.statements.iter().find(|s| s.id == id),
        }
    }

    fn reindex_if_needed(&mut self) {
        // After deserialisation the index is empty: rebuild it lazily.
        if self.index.len() != self.statements.len() {
            self.index = self
                .statements
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id, i))
                .collect();
        }
    }

    /// Reads a Pol.is export folder: `comments.csv` and `votes.csv` (also accepts the
    /// `<prefix>-comments.csv` / `<prefix>-votes.csv` names of raw Pol.is downloads).
    ///
    /// comments.csv needs `comment-id` and `moderated`; `comment-body` and `is-meta` are read when
    /// present. votes.csv needs `comment-id`, `voter-id`, `vote` (+1 agree) and `timestamp`.
    /// Votes on comments absent from comments.csv are an error naming the line.
    pub fn from_polis_export_dir(dir: &Path) -> Result<Conversation, OpinionError> {
        let comments = find_file(dir, "comments.csv")?;
        let votes = find_file(dir, "votes.csv")?;
        let mut conv = Conversation::new();
        read_csv(&comments, &["comment-id", "moderated"], |line, f| {
            let id = parse_u64(&comments, line, "comment-id", f.get("comment-id"))?;
            let moderated = parse_i64(&comments, line, "moderated", f.get("moderated"))? == -1;
            let meta = matches!(f.get("is-meta").map(str::trim), Some("true" | "1" | "True"));
            let text = f.text("comment-body");
            conv.push_statement(Statement {
                id,
                text,
                moderated,
                meta,
            })
            .map_err(|_| OpinionError::BadField {
                path: comments.clone(),
                line,
                field: "comment-id".into(),
                value: id.to_string(),
                message: "duplicate comment id".into(),
            })
        })?;
        let mut pending = Vec::new();
        read_csv(
            &votes,
            &["comment-id", "voter-id", "vote", "timestamp"],
            |line, f| {
                let statement = parse_u64(&votes, line, "comment-id", f.get("comment-id"))?;
                let participant = f.get("voter-id").unwrap_or_default().trim().to_string();
                if participant.is_empty() {
                    return Err(bad(&votes, line, "voter-id", "", "empty voter id"));
                }
                let raw = parse_i64(&votes, line, "vote", f.get("vote"))?;
                let value = VoteValue::from_export(raw).ok_or_else(|| {
                    bad(
                        &votes,
                        line,
                        "vote",
                        &raw.to_string(),
                        "vote must be -1, 0 or 1",
                    )
                })?;
                let timestamp = parse_i64(&votes, line, "timestamp", f.get("timestamp"))?;
                if !conv.index.contains_key(&statement) {
                    return Err(OpinionError::UnknownStatement {
                        location: format!("{}, line {line}, field `comment-id`", votes.display()),
                        participant,
                        statement,
                    });
                }
                pending.push(Vote {
                    participant,
                    statement,
                    value,
                    timestamp,
                });
                Ok(())
            },
        )?;
        conv.votes = pending;
        Ok(conv)
    }
}

fn find_file(dir: &Path, suffix: &str) -> Result<PathBuf, OpinionError> {
    let exact = dir.join(suffix);
    if exact.is_file() {
        return Ok(exact);
    }
    let entries = std::fs::read_dir(dir).map_err(|source| OpinionError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.ends_with(&format!("-{suffix}")) && !n.ends_with("participants-votes.csv")
            })
        })
        .collect();
    found.sort();
    found.pop().ok_or_else(|| OpinionError::Io {
        path: exact,
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such export file"),
    })
}

fn bad(path: &Path, line: u64, field: &str, value: &str, message: &str) -> OpinionError {
    OpinionError::BadField {
        path: path.to_path_buf(),
        line,
        field: field.into(),
        value: value.into(),
        message: message.into(),
    }
}

/// Plain `-?[0-9]{1,18}`: the common case, parsed without the general machinery.
fn quick_int(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(d - b'0');
    }
    Some(if neg { -v } else { v })
}

fn parse_i64(path: &Path, line: u64, field: &str, v: Option<&str>) -> Result<i64, OpinionError> {
    if let Some(x) = v.and_then(quick_int) {
        return Ok(x);
    }
    let s = v.unwrap_or_default().trim();
    s.parse::<i64>()
        .or_else(|_| {
            // Some exports write integers as "1.0".
            s.parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
                .ok_or(())
        })
        .map_err(|_| bad(path, line, field, s, "expected an integer"))
}

fn parse_u64(path: &Path, line: u64, field: &str, v: Option<&str>) -> Result<u64, OpinionError> {
    if let Some(x) = v.and_then(quick_int).filter(|&x| x >= 0) {
        return Ok(x as u64);
    }
    let s = v.unwrap_or_default().trim();
    s.parse::<u64>()
        .map_err(|_| bad(path, line, field, s, "expected a non-negative integer"))
}

/// One CSV record, fields looked up by header name.
struct Fields<'a> {
    // Few columns: a linear scan over short names beats hashing every lookup.
    cols: &'a [(String, usize)],
    record: &'a csv::ByteRecord,
}

impl Fields<'_> {
    /// A field as text; None when absent (or not UTF-8, which the parsers then report).
    fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).and_then(|b| std::str::from_utf8(b).ok())
    }

    /// A free-text field, invalid UTF-8 replaced rather than rejected.
    fn text(&self, name: &str) -> String {
        self.raw(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    fn raw(&self, name: &str) -> Option<&[u8]> {
        self.cols
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|&(_, i)| self.record.get(i))
    }
}

/// Streams a CSV file, handing each record to `f` with its line number and a field getter.
fn read_csv<F>(path: &Path, required: &[&str], mut f: F) -> Result<(), OpinionError>
where
    F: FnMut(u64, &Fields<'_>) -> Result<(), OpinionError>,
{
    let file = std::fs::File::open(path).map_err(|source| OpinionError::Io {
        path: path.into(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let csv_err = |e: csv::Error| OpinionError::Csv {
        path: path.into(),
        line: e.position().map(|p| p.line()).unwrap_or(0),
        message: e.to_string(),
    };
    let headers = rdr.headers().map_err(csv_err)?.clone();
    let cols: Vec<(String, usize)> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_string(), i))
        .collect();
    for r in required {
        if !cols.iter().any(|(n, _)| n == r) {
            return Err(OpinionError::MissingColumn {
                path: path.into(),
                field: (*r).into(),
            });
        }
    }
    // Byte records: only the fields we read are decoded (exports carry long date strings).
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_err(e)),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        f(
            line,
            &Fields {
                cols: &cols,
                record: &record,
            },
        )?;
    }
    Ok(())
}

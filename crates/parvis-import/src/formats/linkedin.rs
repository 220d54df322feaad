//! LinkedIn data export: `Shares.csv` (your posts) and `Comments.csv` (your comments).
//!
//! The export names no author (it is the account owner); `Profile.csv`
//! beside the files, if present, gives the name, emitted as a
//! `Record::Person`. LinkedIn quotes multi-line text oddly (every line of a
//! cell wrapped in its own doubled quotes); that wrapping is undone.
//!
//! Ids: a share is its `ShareLink` (an activity URL, stable); a comment has
//! no id in the export, so it is `{Link}#comment-{Date}`, and its parent and
//! thread are the commented activity (`Link`), usually someone else's post
//! absent from the import. Plain text: `body_html` is `None`.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use super::{FileIter, Item, Pump, Source, io_err, malformed};
use crate::dates::parse_iso8601;
use crate::error::{ImportError, ItemError, Position};
use crate::record::{ImportedMessage, ImportedPerson, Record};

const CHANNEL: &str = "linkedin";

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Shares,
    Comments,
}

fn files_of(p: &Path) -> Vec<PathBuf> {
    if p.is_dir() {
        ["Shares.csv", "Comments.csv"]
            .iter()
            .map(|n| p.join(n))
            .filter(|f| f.is_file())
            .collect()
    } else {
        vec![p.to_path_buf()]
    }
}

fn kind_of(p: &Path) -> Result<Kind, ImportError> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(p)
        .map_err(|e| io_err(p, std::io::Error::other(e)))?;
    let h = r
        .headers()
        .map_err(|e| malformed(p, Position::line(1), format!("expected a CSV header: {e}")))?;
    let has = |n: &str| h.iter().any(|c| c.trim_start_matches('\u{feff}') == n);
    if has("ShareLink") && has("ShareCommentary") {
        Ok(Kind::Shares)
    } else if has("Link") && has("Message") {
        Ok(Kind::Comments)
    } else {
        Err(malformed(
            p,
            Position::line(1),
            "expected a LinkedIn Shares.csv (Date,ShareLink,ShareCommentary,…) or Comments.csv (Date,Link,Message) header",
        ))
    }
}

pub(crate) fn check(p: &Path) -> Result<(), ImportError> {
    let files = files_of(p);
    if files.is_empty() {
        return Err(malformed(
            p,
            Position::default(),
            "expected Shares.csv or Comments.csv in the LinkedIn export folder",
        ));
    }
    for f in files {
        kind_of(&f)?;
    }
    Ok(())
}

fn owner(dir: &Path) -> (ImportedPerson, Option<ImportedPerson>) {
    let fallback = ImportedPerson {
        channel: CHANNEL.into(),
        handle: "me".into(),
        display_name: "LinkedIn account owner".into(),
        ..Default::default()
    };
    let Ok(mut r) = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(dir.join("Profile.csv"))
    else {
        return (fallback, None);
    };
    let Ok(h) = r.headers().cloned() else {
        return (fallback, None);
    };
    let Some(Ok(rec)) = r.records().next() else {
        return (fallback, None);
    };
    let get = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .and_then(|i| rec.get(i))
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    };
    let name = format!(
        "{} {}",
        get("First Name").unwrap_or_default(),
        get("Last Name").unwrap_or_default()
    )
    .trim()
    .to_string();
    if name.is_empty() {
        return (fallback, None);
    }
    let p = ImportedPerson {
        channel: CHANNEL.into(),
        handle: name.clone(),
        display_name: name,
        ..Default::default()
    };
    (p.clone(), Some(p))
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let mut iters: Vec<FileIter> = Vec::new();
    for f in files_of(p) {
        let kind = kind_of(&f)?;
        let (author, person) = owner(f.parent().unwrap_or(Path::new(".")));
        // Comments.csv escapes quotes with a backslash (`\"`), Shares.csv doubles them.
        let escape = if kind == Kind::Comments {
            Some(b'\\')
        } else {
            None
        };
        let reader = csv::ReaderBuilder::new()
            .flexible(true)
            .escape(escape)
            .from_path(&f)
            .map_err(|e| io_err(&f, std::io::Error::other(e)))?;
        let mut initial = VecDeque::new();
        if let (Some(person), true) = (person, iters.is_empty()) {
            initial.push_back(Ok(Record::Person(person)));
        }
        iters.push(Box::new(Pump::new(Csv {
            reader,
            path: f,
            kind,
            author,
            initial,
            headers: None,
        })));
    }
    Ok(Box::new(iters.into_iter().flatten()))
}

struct Csv {
    reader: csv::Reader<std::fs::File>,
    path: PathBuf,
    kind: Kind,
    author: ImportedPerson,
    initial: VecDeque<Item>,
    headers: Option<csv::StringRecord>,
}

/// Undoes LinkedIn's per-line quoting: `a"\n""\n"b` → `a\n\nb`.
pub fn unwrap_lines(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').collect();
    if lines.len() < 2 {
        return s.to_string();
    }
    let n = lines.len();
    let wrapped = lines
        .iter()
        .enumerate()
        .all(|(i, l)| (i == 0 || l.starts_with('"')) && (i == n - 1 || l.ends_with('"')));
    if !wrapped {
        return s.to_string();
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let l = if i > 0 {
                l.strip_prefix('"').unwrap_or(l)
            } else {
                l
            };
            if i < n - 1 {
                l.strip_suffix('"').unwrap_or(l)
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Source for Csv {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        if !self.initial.is_empty() {
            out.append(&mut self.initial);
            return true;
        }
        if self.headers.is_none() {
            match self.reader.headers() {
                Ok(h) => self.headers = Some(h.clone()),
                Err(e) => {
                    out.push_back(Err(ItemError::fatal(
                        &self.path,
                        Position::line(1),
                        format!("expected a CSV header: {e}"),
                    )));
                    return false;
                }
            }
        }
        let mut rec = csv::StringRecord::new();
        let res = self.reader.read_record(&mut rec);
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let pos = Position {
            line: Some(line),
            offset: rec.position().map(|p| p.byte()),
        };
        match res {
            Ok(false) => false,
            Err(e) => {
                let (line, offset) = e
                    .position()
                    .map(|p| (Some(p.line()), Some(p.byte())))
                    .unwrap_or((None, None));
                // A CSV error in the middle of quoting desynchronises the rest.
                out.push_back(Err(ItemError::fatal(
                    &self.path,
                    Position { line, offset },
                    format!("malformed CSV: {e}"),
                )));
                false
            }
            Ok(true) => {
                out.push_back(self.row(&rec, pos));
                true
            }
        }
    }
}

impl Csv {
    fn row(&self, rec: &csv::StringRecord, pos: Position) -> Item {
        let h = self.headers.as_ref();
        let get = |n: &str| {
            h.and_then(|h| h.iter().position(|c| c.trim_start_matches('\u{feff}') == n))
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let Some(date) = get("Date") else {
            return Err(ItemError::item(&self.path, pos, "row: expected a Date"));
        };
        let Some(created_at) = parse_iso8601(date) else {
            return Err(ItemError::item(
                &self.path,
                pos,
                format!("row: expected Date like 2025-07-01 14:33:22, found {date:?}"),
            ));
        };
        match self.kind {
            Kind::Shares => {
                let Some(link) = get("ShareLink") else {
                    return Err(ItemError::item(
                        &self.path,
                        pos,
                        "share: expected a ShareLink",
                    ));
                };
                let mut text = unwrap_lines(get("ShareCommentary").unwrap_or_default());
                if let Some(shared) = get("SharedUrl") {
                    text = if text.is_empty() {
                        shared.to_string()
                    } else {
                        format!("{text}\n\n{shared}")
                    };
                }
                Ok(Record::Message(ImportedMessage {
                    channel: CHANNEL.into(),
                    source_id: link.to_string(),
                    thread_source_id: link.to_string(),
                    parent_source_id: None,
                    thread_title: None,
                    url: Some(link.to_string()),
                    author: self.author.clone(),
                    created_at,
                    body_text: text,
                    body_html: None,
                    lang: None,
                }))
            }
            Kind::Comments => {
                let Some(link) = get("Link") else {
                    return Err(ItemError::item(&self.path, pos, "comment: expected a Link"));
                };
                Ok(Record::Message(ImportedMessage {
                    channel: CHANNEL.into(),
                    source_id: format!("{link}#comment-{date}"),
                    thread_source_id: link.to_string(),
                    parent_source_id: Some(link.to_string()),
                    thread_title: None,
                    url: Some(link.to_string()),
                    author: self.author.clone(),
                    created_at,
                    body_text: unwrap_lines(get("Message").unwrap_or_default()),
                    body_html: None,
                    lang: None,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_linkedin_quoting() {
        assert_eq!(unwrap_lines("first\"\n\"\"\n\"last"), "first\n\nlast");
        assert_eq!(unwrap_lines("plain\nlines"), "plain\nlines");
    }
}

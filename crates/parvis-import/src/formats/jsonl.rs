//! Parvis JSON Lines: the documented generic format (see `FORMAT-jsonl.md`).
//!
//! One JSON object per line; blank lines and lines starting with `#` are
//! ignored. A line that does not parse is an item error naming its line,
//! and reading goes on.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{FileIter, Item, Pump, Source, io_err};
use crate::dates::parse_any;
use crate::error::{ImportError, ItemError, Position};
use crate::record::{ImportedMessage, ImportedPerson, Record};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Author {
    handle: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    profile_url: Option<String>,
    #[serde(default)]
    links: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum When {
    Millis(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    channel: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    thread_id: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    thread_title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    author: Option<Author>,
    // Person lines carry the author fields at top level through `person`.
    #[serde(default)]
    person: Option<Author>,
    #[serde(default)]
    created_at: Option<When>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    html: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let f = std::fs::File::open(p).map_err(|e| io_err(p, e))?;
    Ok(Box::new(Pump::new(Jsonl {
        reader: BufReader::with_capacity(64 * 1024, f),
        path: p.to_path_buf(),
        line_no: 0,
        buf: String::new(),
    })))
}

struct Jsonl {
    reader: BufReader<std::fs::File>,
    path: PathBuf,
    line_no: u64,
    buf: String,
}

/// The longest line read, in bytes. Messages are cut to the size of a post when stored; a
/// line this long is far past it and is not read at all.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Consumes the rest of the current line without keeping it.
fn skip_line(r: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

fn person(channel: &str, a: Author) -> ImportedPerson {
    ImportedPerson {
        channel: channel.to_string(),
        display_name: a.name.unwrap_or_else(|| a.handle.clone()),
        handle: a.handle,
        email: a.email.map(|e| crate::identity::unobfuscate_email(&e)),
        profile_url: a.profile_url,
        links: a.links,
    }
}

impl Source for Jsonl {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        loop {
            self.buf.clear();
            let mut raw = Vec::new();
            // At most MAX_LINE_BYTES of a line are held: a line of gigabytes would otherwise
            // be read whole into memory.
            match (&mut self.reader)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut raw)
            {
                Ok(0) => return false,
                Ok(n) if n > MAX_LINE_BYTES && raw.last() != Some(&b'\n') => {
                    self.line_no += 1;
                    let pos = Position::line(self.line_no);
                    if let Err(e) = skip_line(&mut self.reader) {
                        out.push_back(Err(ItemError::fatal(
                            &self.path,
                            pos,
                            format!("read error: {e}"),
                        )));
                        return false;
                    }
                    out.push_back(Err(ItemError::item(
                        &self.path,
                        pos,
                        format!("line longer than {} MiB: skipped", MAX_LINE_BYTES >> 20),
                    )));
                    return true;
                }
                Ok(_) => {}
                Err(e) => {
                    out.push_back(Err(ItemError::fatal(
                        &self.path,
                        Position::line(self.line_no + 1),
                        format!("read error: {e}"),
                    )));
                    return false;
                }
            }
            self.line_no += 1;
            let text = String::from_utf8_lossy(&raw);
            let t = text.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let pos = Position::line(self.line_no);
            out.push_back(match serde_json::from_str::<Line>(t) {
                Ok(l) => convert(l, &self.path, pos),
                Err(e) => Err(ItemError::item(
                    &self.path,
                    pos,
                    format!("expected a Parvis jsonl object (FORMAT-jsonl.md): {e}"),
                )),
            });
            return true;
        }
    }
}

fn convert(l: Line, path: &Path, pos: Position) -> Item {
    let kind = l.kind.as_deref().unwrap_or("message");
    if kind == "person" {
        let Some(p) = l.person.or(l.author) else {
            return Err(ItemError::item(
                path,
                pos,
                "person line: expected a \"person\" object",
            ));
        };
        return Ok(Record::Person(person(&l.channel, p)));
    }
    if kind != "message" {
        return Err(ItemError::item(
            path,
            pos,
            format!("expected \"type\" to be \"message\" or \"person\", found {kind:?}"),
        ));
    }
    let Some(id) = l.id.filter(|i| !i.is_empty()) else {
        return Err(ItemError::item(
            path,
            pos,
            "message: expected a non-empty \"id\"",
        ));
    };
    let Some(author) = l.author else {
        return Err(ItemError::item(
            path,
            pos,
            format!("message {id}: expected an \"author\" object"),
        ));
    };
    let created_at = match l.created_at {
        Some(When::Millis(ms)) => Some(ms),
        Some(When::Text(t)) => parse_any(&t),
        None => None,
    };
    let Some(created_at) = created_at else {
        return Err(ItemError::item(
            path,
            pos,
            format!("message {id}: expected \"created_at\" as RFC 3339 text or Unix milliseconds"),
        ));
    };
    let body_text = match (&l.text, &l.html) {
        (Some(t), _) => t.clone(),
        (None, Some(h)) => crate::html::html_to_text(h),
        (None, None) => {
            return Err(ItemError::item(
                path,
                pos,
                format!("message {id}: expected \"text\" or \"html\""),
            ));
        }
    };
    Ok(Record::Message(ImportedMessage {
        thread_source_id: l
            .thread_id
            .or_else(|| l.parent_id.clone())
            .unwrap_or_else(|| id.clone()),
        author: person(&l.channel, author),
        channel: l.channel,
        source_id: id,
        parent_source_id: l.parent_id,
        thread_title: l.thread_title,
        url: l.url,
        created_at,
        body_text,
        body_html: l.html,
        lang: l.lang,
    }))
}

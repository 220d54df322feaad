//! mbox (including Mailman pipermail `.txt` archives, gzipped or not) and Maildir.
//!
//! mbox is read line by line; a message starts at a `From ` line that opens
//! the file or follows a blank line (the mboxrd/pipermail convention), and
//! `>From ` quoting is undone. Memory is one message. Maildir is a folder
//! walked recursively (`tmp/` and dot-files ignored), one message per file.
//!
//! Threading: `source_id` is the Message-ID (without `<>`), the parent is
//! In-Reply-To (else the last References entry) and the thread root is the
//! first References entry (else the parent, else the message itself). A
//! message without Message-ID gets a stable synthetic one from a hash of
//! From, Date and Subject. Mail is plain text: `body_html` is `None`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::{FileIter, Item, Pump, Source, inflate, io_err, malformed, stable_hash};
use crate::dates::{parse_asctime, parse_rfc2822};
use crate::error::{ImportError, ItemError, Position};
use crate::mail::{self, msg_ids, parse_mailbox};
use crate::record::{ImportedMessage, ImportedPerson, Record};

const CHANNEL: &str = "email";

/// Whether the file is an mbox (gzipped or not): its first line that is not blank starts
/// with `From `. An empty file is not.
pub fn is_mbox(p: &Path) -> bool {
    inflate::head(p, 4096).is_ok_and(|h| first_line(&h).is_some_and(|l| l.starts_with(b"From ")))
}

/// The first line that is not blank.
fn first_line(h: &[u8]) -> Option<&[u8]> {
    h.split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
}

pub(crate) fn check_mbox(p: &Path) -> Result<(), ImportError> {
    let h = inflate::head(p, 4096)?;
    match first_line(&h) {
        None => Ok(()), // empty file: zero messages
        Some(l) if l.starts_with(b"From ") => Ok(()),
        Some(l) => Err(malformed(
            p,
            Position::line(1),
            format!(
                "expected an mbox starting with a \"From \" line, found {:?}",
                String::from_utf8_lossy(&l[..l.len().min(40)])
            ),
        )),
    }
}

pub(crate) fn open_mbox(p: &Path) -> Result<FileIter, ImportError> {
    let f = inflate::open(p)?;
    Ok(Box::new(Pump::new(Mbox {
        reader: BufReader::with_capacity(64 * 1024, f),
        path: p.to_path_buf(),
        line_no: 0,
        pending_from: None,
        line: Vec::with_capacity(256),
    })))
}

struct Mbox {
    reader: BufReader<Box<dyn Read + Send>>,
    path: PathBuf,
    line_no: u64,
    /// The `From ` line that starts the next message, and its line number.
    pending_from: Option<(String, u64)>,
    line: Vec<u8>,
}

impl Source for Mbox {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        let mut msg: Vec<u8> = Vec::new();
        let mut prev_blank = true;
        let mut started = self.pending_from.take();
        loop {
            self.line.clear();
            // Lines are read in pieces of at most MAX_LINE_PIECE: one line of gigabytes (no
            // newline in a hostile file) must not be held whole.
            let n = match (&mut self.reader)
                .take(MAX_LINE_PIECE)
                .read_until(b'\n', &mut self.line)
            {
                Ok(n) => n,
                Err(e) => {
                    out.push_back(Err(ItemError::fatal(
                        &self.path,
                        Position::line(self.line_no + 1),
                        format!("read error: {e}"),
                    )));
                    return false;
                }
            };
            if n == 0 {
                if let Some((from, line)) = started {
                    out.push_back(message_item(
                        &msg,
                        Some(&from),
                        &self.path,
                        Position::line(line),
                    ));
                }
                return false;
            }
            let whole_line = self.line.ends_with(b"\n");
            if !whole_line {
                // The rest of a long line: body text, never a separator.
                if started.is_some() && msg.len() < MAX_MESSAGE_BYTES {
                    msg.extend_from_slice(&self.line);
                }
                prev_blank = false;
                continue;
            }
            self.line_no += 1;
            // A separator is a "From " line after a blank line that carries a
            // date: unescaped "From it, I would…" lines in bodies are text.
            // The first "From " line of a file is accepted even without a date.
            if prev_blank
                && self.line.starts_with(b"From ")
                && (started.is_none() || is_separator(&self.line))
            {
                let from_line = String::from_utf8_lossy(&self.line).trim_end().to_string();
                match started {
                    None => started = Some((from_line, self.line_no)),
                    Some((from, line)) => {
                        self.pending_from = Some((from_line, self.line_no));
                        // The blank line before a separator belongs to the format, not the body.
                        if msg.ends_with(b"\n\n") {
                            msg.pop();
                        }
                        out.push_back(message_item(
                            &msg,
                            Some(&from),
                            &self.path,
                            Position::line(line),
                        ));
                        return true;
                    }
                }
                prev_blank = false;
                continue;
            }
            prev_blank = self.line == b"\n" || self.line == b"\r\n";
            if started.is_none() {
                continue; // junk before the first message
            }
            // mboxrd: ">From " (with any number of '>') loses one '>'.
            let quoted = self.line.iter().take_while(|&&b| b == b'>').count();
            // Past MAX_MESSAGE_BYTES the message is cut (the text is cut to a post's length
            // later anyway): memory stays bounded by one message.
            if msg.len() >= MAX_MESSAGE_BYTES {
                continue;
            }
            if quoted > 0 && self.line[quoted..].starts_with(b"From ") {
                msg.extend_from_slice(&self.line[1..]);
            } else {
                msg.extend_from_slice(&self.line);
            }
        }
    }
}

/// The most of one mail message kept (attachments included), in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;
/// Lines are read in pieces of this many bytes at most.
const MAX_LINE_PIECE: u64 = 1 << 20;

fn is_separator(line: &[u8]) -> bool {
    parse_asctime(&String::from_utf8_lossy(line)).is_some()
}

/// Turns raw message bytes into a stream item.
fn message_item(raw: &[u8], from_line: Option<&str>, path: &Path, pos: Position) -> Item {
    let m = mail::parse(raw);
    if m.headers.is_empty() {
        return Err(ItemError::item(path, pos, "message has no headers"));
    }
    let created_at = m
        .header("date")
        .and_then(parse_rfc2822)
        .or_else(|| m.header("date").and_then(crate::dates::parse_any))
        .or_else(|| from_line.and_then(parse_asctime));
    let Some(created_at) = created_at else {
        return Err(ItemError::item(
            path,
            pos,
            "message: expected a Date header (or a dated From line)",
        ));
    };
    let (name, email) = m.header("from").map(parse_mailbox).unwrap_or((None, None));
    let subject = m
        .decoded("subject")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let source_id = m
        .header("message-id")
        .and_then(|v| msg_ids(v).into_iter().next())
        .unwrap_or_else(|| {
            format!(
                "generated-{}@parvis.invalid",
                stable_hash(&[
                    m.header("from").unwrap_or(""),
                    m.header("date").unwrap_or(""),
                    subject.as_deref().unwrap_or("")
                ])
            )
        });
    let refs = m.header("references").map(msg_ids).unwrap_or_default();
    let parent = m
        .header("in-reply-to")
        .and_then(|v| msg_ids(v).into_iter().next())
        .or_else(|| refs.last().cloned())
        .filter(|p| *p != source_id);
    let thread = refs
        .first()
        .cloned()
        .or_else(|| parent.clone())
        .unwrap_or_else(|| source_id.clone());
    let local = email
        .as_deref()
        .and_then(|e| e.split('@').next())
        .map(str::to_string);
    let display_name = name.clone().or(local).unwrap_or_else(|| "unknown".into());
    let author = ImportedPerson {
        channel: CHANNEL.into(),
        handle: email
            .as_deref()
            .map(crate::identity::normalise_email)
            .unwrap_or_else(|| display_name.clone()),
        display_name,
        email,
        profile_url: None,
        links: Vec::new(),
    };
    Ok(Record::Message(ImportedMessage {
        channel: CHANNEL.into(),
        source_id,
        thread_source_id: thread,
        parent_source_id: parent,
        thread_title: subject.map(|s| clean_subject(&s)),
        url: m
            .header("archived-at")
            .and_then(|v| msg_ids(v).into_iter().next()),
        author,
        created_at,
        body_text: m.body_text.trim_end().to_string(),
        body_html: None,
        lang: m.header("content-language").map(|l| l.trim().to_string()),
    }))
}

/// Removes reply/forward prefixes and list tags: `Re: [R-sig-Geo] AW: x` → `x`.
pub fn clean_subject(s: &str) -> String {
    let mut s = s.trim();
    loop {
        let before = s;
        for p in ["re:", "aw:", "sv:", "fw:", "fwd:", "tr:", "réf:"] {
            if s.len() >= p.len()
                && s.is_char_boundary(p.len())
                && s[..p.len()].eq_ignore_ascii_case(p)
            {
                s = s[p.len()..].trim_start();
            }
        }
        if s.starts_with('[')
            && let Some(end) = s.find(']')
        {
            s = s[end + 1..].trim_start();
        }
        if s == before {
            break;
        }
    }
    if s.is_empty() {
        "(no subject)".to_string()
    } else {
        s.to_string()
    }
}

pub(crate) fn open_maildir(p: &Path) -> Result<FileIter, ImportError> {
    let mut files = Vec::new();
    if p.is_dir() {
        walk(p, &mut files).map_err(|e| io_err(p, e))?;
        files.sort();
    } else {
        files.push(p.to_path_buf());
    }
    Ok(Box::new(Pump::new(Maildir {
        files: files.into(),
    })))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            if name != "tmp" {
                walk(&path, out)?;
            }
        } else {
            out.push(path);
        }
    }
    Ok(())
}

struct Maildir {
    files: VecDeque<PathBuf>,
}

impl Source for Maildir {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        let Some(f) = self.files.pop_front() else {
            return false;
        };
        let mut raw = Vec::new();
        let read = std::fs::File::open(&f)
            .and_then(|file| file.take(MAX_MESSAGE_BYTES as u64).read_to_end(&mut raw));
        match read.map(|_| raw) {
            Ok(raw) => {
                // Tolerate an mbox-style "From " first line in single files.
                let (body, from) = if raw.starts_with(b"From ") {
                    let nl = raw
                        .iter()
                        .position(|&b| b == b'\n')
                        .map(|i| i + 1)
                        .unwrap_or(raw.len());
                    (
                        &raw[nl..],
                        Some(String::from_utf8_lossy(&raw[..nl]).trim().to_string()),
                    )
                } else {
                    (&raw[..], None)
                };
                out.push_back(message_item(body, from.as_deref(), &f, Position::line(1)));
            }
            Err(e) => out.push_back(Err(ItemError::item(
                &f,
                Position::default(),
                format!("cannot read message file: {e}"),
            ))),
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert_eq!(
            clean_subject("Re: [R-sig-Geo] RE: Least Cost Path"),
            "Least Cost Path"
        );
        assert_eq!(clean_subject("Re:"), "(no subject)");
    }
}

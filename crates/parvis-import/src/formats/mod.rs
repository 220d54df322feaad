//! The formats, their names, and the machinery that chains files lazily.

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::Records;
use crate::error::{ImportError, ItemError, Position};
use crate::record::{Record, Skip, SkipKind};

pub mod discourse;
pub mod disqus;
pub mod email;
pub mod feed;
pub mod inflate;
pub mod jsonl;
pub mod linkedin;
pub mod mastodon;
mod shortcodes;
pub mod slack;
mod slack_text;
pub mod twitter;
pub mod wxr;

/// One stream item.
pub(crate) type Item = Result<Record, ItemError>;

/// The export formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// WordPress eXtended RSS (WXR 1.0–1.2, `http` and `https` namespaces): posts, pages and threaded comments.
    Wxr,
    /// Disqus XML export: threads (pages) and threaded posts (comments).
    Disqus,
    /// RSS 0.9x/1.0/2.0 and Atom 1.0, auto-detected, with threaded comments when the feed carries them.
    Rss,
    /// mbox files (including Mailman/pipermail `.txt` archives, gzipped or not), threaded by Message-ID / In-Reply-To / References.
    Mbox,
    /// Maildir folders (or single message files), threaded like mbox.
    Maildir,
    /// Mastodon / ActivityPub account archive: `outbox.json` (and `actor.json` beside it).
    Mastodon,
    /// Discourse topic JSON (`/t/{id}.json`), one topic per file.
    Discourse,
    /// Slack workspace export, zip or unpacked folder; threads via `thread_ts`.
    Slack,
    /// X/Twitter account archive: `tweets.js` (or the archive folder), with `account.js` for the author.
    Twitter,
    /// LinkedIn data export CSVs: `Shares.csv`, `Comments.csv` (or the export folder).
    Linkedin,
    /// Parvis JSON Lines, one message or person per line (see FORMAT-jsonl.md).
    Jsonl,
}

impl Format {
    /// Every format, for help texts: `(name, description)`.
    pub fn all() -> &'static [(Format, &'static str)] {
        &[
            (
                Format::Wxr,
                "WordPress export (WXR 1.0-1.2): posts and threaded comments",
            ),
            (
                Format::Disqus,
                "Disqus XML export: threads and threaded comments",
            ),
            (
                Format::Rss,
                "RSS 2.0 / RSS 1.0 / Atom feed (auto-detected), with comments when present",
            ),
            (
                Format::Mbox,
                "mbox or Mailman pipermail archive (.mbox, .txt, gzipped or not)",
            ),
            (Format::Maildir, "Maildir folder or single message files"),
            (
                Format::Mastodon,
                "Mastodon/ActivityPub archive: outbox.json (+ actor.json)",
            ),
            (
                Format::Discourse,
                "Discourse topic JSON (one topic per file)",
            ),
            (Format::Slack, "Slack export (zip or folder)"),
            (
                Format::Twitter,
                "X/Twitter archive: tweets.js (+ account.js) or the archive folder",
            ),
            (
                Format::Linkedin,
                "LinkedIn export: Shares.csv, Comments.csv or the export folder",
            ),
            (Format::Jsonl, "Parvis JSON Lines (FORMAT-jsonl.md)"),
        ]
    }

    /// The name accepted by `FromStr`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Wxr => "wxr",
            Format::Disqus => "disqus",
            Format::Rss => "rss",
            Format::Mbox => "mbox",
            Format::Maildir => "maildir",
            Format::Mastodon => "mastodon",
            Format::Discourse => "discourse",
            Format::Slack => "slack",
            Format::Twitter => "twitter",
            Format::Linkedin => "linkedin",
            Format::Jsonl => "jsonl",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ImportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        let aliases: &[(&str, Format)] = &[
            ("wordpress", Format::Wxr),
            ("atom", Format::Rss),
            ("feed", Format::Rss),
            ("email", Format::Mbox),
            ("activitypub", Format::Mastodon),
            ("x", Format::Twitter),
            ("json-lines", Format::Jsonl),
            ("ndjson", Format::Jsonl),
        ];
        Format::all()
            .iter()
            .map(|(f, _)| (f.name(), *f))
            .chain(aliases.iter().copied())
            .find(|(n, _)| *n == s)
            .map(|(_, f)| f)
            .ok_or(ImportError::UnknownFormat(s))
    }
}

/// A per-file reader: pushes the items of one step into the queue, returns
/// false when the file is exhausted.
pub(crate) trait Source: Send {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool;
}

/// Turns a [`Source`] into an iterator.
pub(crate) struct Pump<S> {
    source: S,
    queue: VecDeque<Item>,
    done: bool,
}

impl<S: Source> Pump<S> {
    pub fn new(source: S) -> Self {
        Pump {
            source,
            queue: VecDeque::new(),
            done: false,
        }
    }
}

impl<S: Source> Iterator for Pump<S> {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(i) = self.queue.pop_front() {
                return Some(i);
            }
            if self.done {
                return None;
            }
            if !self.source.step(&mut self.queue) {
                self.done = true;
            }
        }
    }
}

pub(crate) type FileIter = Box<dyn Iterator<Item = Item> + Send>;

/// Reads paths one after the other, opening each only when the previous one is done.
struct Chain {
    format: Format,
    paths: VecDeque<PathBuf>,
    current: Option<FileIter>,
}

impl Iterator for Chain {
    type Item = Item;
    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(cur) = self.current.as_mut() {
                if let Some(i) = cur.next() {
                    return Some(i);
                }
                self.current = None;
            }
            let path = self.paths.pop_front()?;
            match open_one(self.format, &path) {
                Ok(it) => self.current = Some(it),
                Err(e) => return Some(Err(import_to_item(e, &path))),
            }
        }
    }
}

fn import_to_item(e: ImportError, path: &Path) -> ItemError {
    match e {
        ImportError::Malformed {
            file,
            position,
            expected,
        } => ItemError::fatal(file, position, expected),
        other => ItemError::fatal(path, Position::default(), other.to_string()),
    }
}

/// A file of a folder left out, and why.
type OtherFile = (PathBuf, String);

/// Expands folders into the files a format reads (mbox folders of monthly archives), and the
/// files of those folders that are not in the format (a downloaded Mailman archive keeps its
/// `index.html` beside the months). Folders that hold no file of the format at all, when
/// nothing else was given, are an error.
fn expand(
    format: Format,
    paths: &[PathBuf],
) -> Result<(Vec<PathBuf>, Vec<OtherFile>), ImportError> {
    let mut out = Vec::new();
    let mut other = Vec::new();
    for p in paths {
        if format == Format::Mbox && p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| io_err(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && !f
                            .file_name()
                            .and_then(|n| n.to_str())
                            .unwrap_or(".")
                            .starts_with('.')
                })
                .collect();
            files.sort();
            for f in files {
                // Another format is left out; a file that cannot be read stops the import.
                match email::check_mbox(&f) {
                    Ok(()) => out.push(f),
                    Err(e @ ImportError::Malformed { .. }) => other.push((f, e.to_string())),
                    Err(e) => return Err(e),
                }
            }
        } else if format == Format::Twitter && p.is_dir() {
            // An archive folder: every tweets part (tweets.js, tweets-part1.js, …).
            let data = if p.join("data").is_dir() {
                p.join("data")
            } else {
                p.clone()
            };
            let mut parts: Vec<PathBuf> = std::fs::read_dir(&data)
                .map_err(|e| io_err(&data, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    let n = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    (n.starts_with("tweets")
                        || n.starts_with("tweet.")
                        || n.starts_with("tweet-part"))
                        && n.ends_with(".js")
                })
                .collect();
            parts.sort();
            if parts.is_empty() {
                return Err(malformed(
                    p,
                    Position::default(),
                    "expected data/tweets.js in the X archive folder",
                ));
            }
            out.extend(parts);
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty()
        && let Some(folder) = paths.iter().find(|p| p.is_dir())
        && !other.is_empty()
    {
        let names: Vec<String> = other
            .iter()
            .filter_map(|(f, _)| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let found = match names.as_slice() {
            [one] => format!("its only file, {one}, is not one"),
            many => format!(
                "none of its {} files is one ({}{})",
                many.len(),
                many.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                if many.len() > 3 { ", …" } else { "" }
            ),
        };
        return Err(malformed(
            folder,
            Position::default(),
            format!("expected a folder of mbox files; {found}"),
        ));
    }
    Ok((out, other))
}

pub(crate) fn io_err(file: &Path, source: std::io::Error) -> ImportError {
    ImportError::Io {
        file: file.to_path_buf(),
        source,
    }
}

pub(crate) fn malformed(
    file: &Path,
    position: Position,
    expected: impl Into<String>,
) -> ImportError {
    ImportError::Malformed {
        file: file.to_path_buf(),
        position,
        expected: expected.into(),
    }
}

/// Reads up to `n` bytes from the start of a file.
pub(crate) fn head(file: &Path, n: usize) -> Result<Vec<u8>, ImportError> {
    use std::io::Read;
    let f = std::fs::File::open(file).map_err(|e| io_err(file, e))?;
    let mut buf = Vec::with_capacity(n);
    f.take(n as u64)
        .read_to_end(&mut buf)
        .map_err(|e| io_err(file, e))?;
    Ok(buf)
}

/// Validates every path up front, then returns the lazy chain, after a skip for each file of
/// a folder that is not in the format.
pub(crate) fn open(format: Format, paths: &[PathBuf]) -> Result<Records, ImportError> {
    let (paths, other_files) = expand(format, paths)?;
    for p in &paths {
        check(format, p)?;
    }
    let skips = other_files.into_iter().map(|(file, why)| {
        Ok(Record::Skipped(Skip {
            file,
            position: Position::default(),
            kind: SkipKind::OtherFile,
            reason: why,
        }))
    });
    Ok(Box::new(skips.chain(Chain {
        format,
        paths: paths.into(),
        current: None,
    })))
}

/// Cheap check that a path looks like `format`, reading only its first bytes.
fn check(format: Format, p: &Path) -> Result<(), ImportError> {
    match format {
        Format::Wxr => wxr::check(p),
        Format::Disqus => disqus::check(p),
        Format::Rss => feed::check(p),
        Format::Mbox => email::check_mbox(p),
        Format::Maildir => Ok(()),
        Format::Mastodon => mastodon::check(p),
        Format::Discourse => discourse::check(p),
        Format::Slack => slack::check(p),
        Format::Twitter => twitter::check(p),
        Format::Linkedin => linkedin::check(p),
        Format::Jsonl => Ok(()),
    }
}

fn open_one(format: Format, p: &Path) -> Result<FileIter, ImportError> {
    match format {
        Format::Wxr => wxr::open(p),
        Format::Disqus => disqus::open(p),
        Format::Rss => feed::open(p),
        Format::Mbox => email::open_mbox(p),
        Format::Maildir => email::open_maildir(p),
        Format::Mastodon => mastodon::open(p),
        Format::Discourse => discourse::open(p),
        Format::Slack => slack::open(p),
        Format::Twitter => twitter::open(p),
        Format::Linkedin => linkedin::open(p),
        Format::Jsonl => jsonl::open(p),
    }
}

/// Checks that an XML file's root element (after the prolog) is one of `roots`.
pub(crate) fn check_xml_root(p: &Path, roots: &[&str], what: &str) -> Result<(), ImportError> {
    let h = head(p, 16 * 1024)?;
    let text = crate::encoding::decode_to_utf8(&h, Some(crate::encoding::sniff_xml(&h).name()));
    let mut rest = text.as_str();
    loop {
        let Some(lt) = rest.find('<') else {
            return Err(malformed(
                p,
                Position::line(1),
                format!("expected {what}, found no XML element"),
            ));
        };
        rest = &rest[lt..];
        if rest.starts_with("<?") || rest.starts_with("<!") {
            let end = if rest.starts_with("<!--") {
                rest.find("-->").map(|i| i + 3)
            } else {
                rest.find('>').map(|i| i + 1)
            };
            match end {
                Some(e) => rest = &rest[e..],
                None => {
                    return Err(malformed(
                        p,
                        Position::line(1),
                        format!("expected {what}, found an unterminated prolog"),
                    ));
                }
            }
            continue;
        }
        let name: String = rest[1..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        if roots.iter().any(|r| name.eq_ignore_ascii_case(r)) {
            return Ok(());
        }
        let consumed = text.len() - rest.len();
        let line = text[..consumed].matches('\n').count() as u64 + 1;
        return Err(malformed(
            p,
            Position {
                line: Some(line),
                offset: Some(consumed as u64),
            },
            format!("expected {what}, found <{name}>"),
        ));
    }
}

/// Stable 64-bit FNV-1a hash, hex, for synthesised ids (stable across Rust versions).
pub(crate) fn stable_hash(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.as_bytes().iter().chain(std::iter::once(&0u8)) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Plain text from optional HTML, for `body_text`.
pub(crate) fn text_from_html(html: &str) -> String {
    crate::html::html_to_text(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (f, _) in Format::all() {
            assert_eq!(f.name().parse::<Format>().ok(), Some(*f));
        }
        assert_eq!("Atom".parse::<Format>().ok(), Some(Format::Rss));
        assert!("nope".parse::<Format>().is_err());
    }
}

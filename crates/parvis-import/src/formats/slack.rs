//! Slack workspace export, as a `.zip` or an unpacked folder.
//!
//! `users.json` and `channels.json` are read first (small, bounded by the
//! workspace size); then each channel folder's daily `YYYY-MM-DD.json` is
//! streamed in name order, one day file at a time. Direct messages and
//! group DMs (folders listed in `dms.json` / `mpims.json`) are private and
//! skipped. Join/leave/topic notices are skipped.
//!
//! Ids: `slack:{channel id}:{ts}`; a reply (`thread_ts` ≠ `ts`) has the
//! thread root `slack:{channel id}:{thread_ts}` as parent and thread. A message
//! outside any Slack thread belongs to its channel's thread of the day
//! (`slack:{channel id}:day:{YYYY-MM-DD}`, titled `#channel · YYYY-MM-DD`), as one
//! reads a channel: one thread per message would bury the talk. Text, mentions
//! (resolved from `users.json`), links, bot attachments and files are rendered
//! to HTML by [`slack_text`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use serde_json::Value;

use super::inflate::Bounded;
use super::{FileIter, Item, Pump, Source, io_err, malformed, slack_text, text_from_html};
use crate::dates::parse_epoch_seconds;
use crate::error::{ImportError, ItemError, Position};
use crate::jsonstream::{ArrayAt, ArrayStream};
use crate::record::{ImportedMessage, ImportedPerson, Record, Skip, SkipKind};

const CHANNEL: &str = "slack";

enum Container {
    Zip(zip::ZipArchive<std::fs::File>, PathBuf),
    Dir(PathBuf),
}

/// The most one zip entry may inflate to. A Slack day file is kilobytes to a few megabytes.
pub const MAX_ENTRY_BYTES: u64 = 256 << 20;
/// The most a whole export may inflate to: 2 GiB, or 100 times the zip's size for bigger
/// exports (JSON compresses 5 to 20 times; a zip bomb, a thousand times).
pub const MAX_TOTAL_BYTES: u64 = 2 << 30;
/// `users.json` and `channels.json` are parsed whole: bounded more tightly.
const MAX_WHOLE_BYTES: u64 = 64 << 20;

type Entry = BufReader<Box<dyn Read + Send>>;

impl Container {
    fn open(p: &Path) -> Result<Self, ImportError> {
        if p.is_dir() {
            return Ok(Container::Dir(p.to_path_buf()));
        }
        let f = std::fs::File::open(p).map_err(|e| io_err(p, e))?;
        let z = zip::ZipArchive::new(f).map_err(|e| {
            malformed(
                p,
                Position::offset(0),
                format!("expected a Slack export zip or folder: {e}"),
            )
        })?;
        Ok(Container::Zip(z, p.to_path_buf()))
    }

    /// Relative names of every file.
    fn names(&self) -> Vec<String> {
        match self {
            Container::Zip(z, _) => z
                .file_names()
                .filter(|n| !n.ends_with('/'))
                .map(str::to_string)
                .collect(),
            Container::Dir(d) => {
                let mut out = Vec::new();
                let mut stack = vec![d.clone()];
                while let Some(dir) = stack.pop() {
                    let Ok(rd) = std::fs::read_dir(&dir) else {
                        continue;
                    };
                    for e in rd.flatten() {
                        let path = e.path();
                        if path.is_dir() {
                            stack.push(path);
                        } else if let Ok(rel) = path.strip_prefix(d) {
                            out.push(rel.to_string_lossy().replace('\\', "/"));
                        }
                    }
                }
                out
            }
        }
    }

    /// The most the whole export may inflate to.
    fn total_max(&self) -> u64 {
        match self {
            Container::Zip(_, p) => std::fs::metadata(p)
                .map(|m| m.len().saturating_mul(100))
                .unwrap_or(0)
                .max(MAX_TOTAL_BYTES),
            Container::Dir(_) => u64::MAX,
        }
    }

    /// An owned stream of one entry, bounded to `max` bytes and to the export's total. Owned,
    /// so that a day file is read one message at a time across calls, never whole.
    fn open_entry(
        &mut self,
        name: &str,
        max: u64,
        total: &Arc<AtomicU64>,
    ) -> std::io::Result<Entry> {
        let total_max = self.total_max();
        let inner: Box<dyn Read + Send> = match self {
            Container::Zip(z, path) => {
                let i = z
                    .index_for_name(name)
                    .ok_or_else(|| std::io::Error::other("not in the zip"))?;
                let raw = z.by_index_raw(i).map_err(std::io::Error::other)?;
                if raw.encrypted() {
                    return Err(std::io::Error::other("encrypted zip entries are not read"));
                }
                let (method, start, size) =
                    (raw.compression(), raw.data_start(), raw.compressed_size());
                drop(raw);
                let mut f = std::fs::File::open(path)?;
                f.seek(SeekFrom::Start(start))?;
                let data = f.take(size);
                match method {
                    zip::CompressionMethod::Stored => Box::new(data),
                    zip::CompressionMethod::Deflated => {
                        Box::new(flate2::read::DeflateDecoder::new(data))
                    }
                    other => {
                        return Err(std::io::Error::other(format!(
                            "compression method {other} is not supported (Stored and Deflated are)"
                        )));
                    }
                }
            }
            Container::Dir(d) => Box::new(std::fs::File::open(d.join(name))?),
        };
        let bounded: Box<dyn Read + Send> = Box::new(Bounded {
            inner,
            name: name.to_string(),
            entry_read: 0,
            entry_max: max,
            total: total.clone(),
            total_max,
        });
        Ok(BufReader::with_capacity(64 * 1024, bounded))
    }
}

/// Accepts `x/users.json` as well as `users.json` (zips with a top folder).
fn find<'a>(names: &'a [String], base: &str) -> Option<&'a String> {
    names
        .iter()
        .filter(|n| n.rsplit('/').next() == Some(base))
        .min_by_key(|n| n.len())
}

pub(crate) fn check(p: &Path) -> Result<(), ImportError> {
    let c = Container::open(p)?;
    let names = c.names();
    if find(&names, "channels.json").is_none() && find(&names, "users.json").is_none() {
        return Err(malformed(
            p,
            Position::default(),
            "expected a Slack export with channels.json and users.json",
        ));
    }
    Ok(())
}

/// A small JSON array file read whole (users, channels), or an error naming the entry.
fn json_array(
    c: &mut Container,
    names: &[String],
    base: &str,
    total: &Arc<AtomicU64>,
    p: &Path,
) -> Result<Vec<Value>, ImportError> {
    let Some(name) = find(names, base) else {
        return Ok(Vec::new());
    };
    let mut bytes = Vec::new();
    c.open_entry(name, MAX_WHOLE_BYTES, total)
        .and_then(|mut r| r.read_to_end(&mut bytes))
        .map_err(|e| malformed(&p.join(name), Position::default(), e.to_string()))?;
    // A damaged list is read as empty, as before: the messages still come, by user id.
    Ok(serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default())
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let mut c = Container::open(p)?;
    let names = c.names();
    let total = Arc::new(AtomicU64::new(0));
    let mut users = HashMap::new();
    for u in json_array(&mut c, &names, "users.json", &total, p)? {
        let Some(id) = u.get("id").and_then(Value::as_str) else {
            continue;
        };
        let prof = u.get("profile");
        let pick = |k: &str| {
            prof.and_then(|p| p.get(k))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let name = u
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string();
        users.insert(
            id.to_string(),
            ImportedPerson {
                channel: CHANNEL.into(),
                display_name: pick("display_name")
                    .or_else(|| pick("real_name"))
                    .or_else(|| {
                        u.get("real_name")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .unwrap_or_else(|| name.clone()),
                handle: name,
                email: pick("email"),
                profile_url: None,
                links: Vec::new(),
            },
        );
    }
    let mut channel_ids = HashMap::new();
    for ch in json_array(&mut c, &names, "channels.json", &total, p)?
        .into_iter()
        .chain(json_array(&mut c, &names, "groups.json", &total, p)?)
    {
        if let (Some(id), Some(name)) = (
            ch.get("id").and_then(Value::as_str),
            ch.get("name").and_then(Value::as_str),
        ) {
            channel_ids.insert(name.to_string(), id.to_string());
            channel_ids.insert(id.to_string(), id.to_string());
        }
    }
    let mut private = HashSet::new();
    for ch in json_array(&mut c, &names, "dms.json", &total, p)?
        .into_iter()
        .chain(json_array(&mut c, &names, "mpims.json", &total, p)?)
    {
        for k in ["id", "name"] {
            if let Some(v) = ch.get(k).and_then(Value::as_str) {
                private.insert(v.to_string());
            }
        }
    }
    let mut days: Vec<String> = names
        .iter()
        .filter(|n| {
            let parts: Vec<&str> = n.rsplit('/').take(2).collect();
            parts.len() == 2
                && parts[0].len() == "2016-01-14.json".len()
                && parts[0].ends_with(".json")
                && parts[0].as_bytes()[4] == b'-'
        })
        .cloned()
        .collect();
    days.sort();
    Ok(Box::new(Pump::new(Slack {
        c,
        path: p.to_path_buf(),
        users,
        channel_ids,
        private,
        days: days.into(),
        total,
        current: None,
    })))
}

struct Slack {
    c: Container,
    path: PathBuf,
    users: HashMap<String, ImportedPerson>,
    channel_ids: HashMap<String, String>,
    private: HashSet<String>,
    days: VecDeque<String>,
    /// Bytes inflated so far, for the export-wide limit.
    total: Arc<AtomicU64>,
    /// The day file being read, one message per step.
    current: Option<Day>,
}

/// A day file being streamed.
struct Day {
    stream: ArrayStream<Entry>,
    file: PathBuf,
    folder: String,
    /// The day file's name (`2016-02-07.json`) is the day in the workspace's time zone.
    date: String,
    chan_id: String,
    is_private: bool,
}

const NOTICES: &[&str] = &[
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "channel_unarchive",
    "group_join",
    "group_leave",
    "pinned_item",
    "bot_add",
    "bot_remove",
    "tombstone",
];

impl Source for Slack {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        let Some(mut day) = self.current.take() else {
            let Some(name) = self.days.pop_front() else {
                return false;
            };
            let folder = name.rsplit('/').nth(1).unwrap_or("").to_string();
            let date = name
                .rsplit('/')
                .next()
                .and_then(|f| f.strip_suffix(".json"))
                .unwrap_or("")
                .to_string();
            let file = self.path.join(&name);
            match self.c.open_entry(&name, MAX_ENTRY_BYTES, &self.total) {
                Ok(r) => {
                    self.current = Some(Day {
                        stream: ArrayStream::new(r, ArrayAt::TopLevel),
                        file,
                        is_private: self.private.contains(&folder),
                        chan_id: self
                            .channel_ids
                            .get(&folder)
                            .cloned()
                            .unwrap_or_else(|| folder.clone()),
                        folder,
                        date,
                    })
                }
                Err(e) => out.push_back(Err(ItemError::item(
                    &file,
                    Position::default(),
                    format!("cannot read day file: {e}"),
                ))),
            }
            return true;
        };
        match day.stream.next_element() {
            // The day file is done: the next step opens the next one.
            Ok(None) => return true,
            Err(e) => {
                out.push_back(Err(ItemError::item(
                    &day.file,
                    e.position,
                    format!("day file damaged, rest skipped: {}", e.reason),
                )));
                return true;
            }
            Ok(Some(el)) => {
                let item = if day.is_private {
                    Ok(Record::Skipped(Skip {
                        file: day.file.clone(),
                        position: el.position,
                        kind: SkipKind::DirectMessage,
                        reason: "direct message".into(),
                    }))
                } else {
                    match serde_json::from_slice::<Value>(&el.bytes) {
                        Ok(v) => self.message(
                            &v,
                            &day.file,
                            el.position,
                            &day.chan_id,
                            &day.folder,
                            &day.date,
                        ),
                        Err(e) => Err(ItemError::item(
                            &day.file,
                            el.position,
                            format!("message is not valid JSON: {e}"),
                        )),
                    }
                };
                out.push_back(item);
            }
        }
        self.current = Some(day);
        true
    }
}

impl Slack {
    fn message(
        &self,
        v: &Value,
        file: &Path,
        pos: Position,
        chan: &str,
        folder: &str,
        date: &str,
    ) -> Item {
        let sub = v.get("subtype").and_then(Value::as_str);
        if let Some(s) = sub.filter(|s| NOTICES.contains(s)) {
            return Ok(Record::Skipped(Skip {
                file: file.to_path_buf(),
                position: pos,
                kind: SkipKind::Notice,
                reason: format!("notice ({s})"),
            }));
        }
        let Some(ts) = v.get("ts").and_then(Value::as_str) else {
            return Err(ItemError::item(file, pos, "message: expected \"ts\""));
        };
        let Some(created_at) = parse_epoch_seconds(ts) else {
            return Err(ItemError::item(
                file,
                pos,
                format!("message: \"ts\" {ts:?} is not seconds.micros"),
            ));
        };
        let user = v
            .get("user")
            .and_then(Value::as_str)
            .or_else(|| v.get("bot_id").and_then(Value::as_str))
            .unwrap_or("unknown");
        let author = self
            .users
            .get(user)
            .cloned()
            .unwrap_or_else(|| unlisted_author(v, user));
        let source_id = format!("slack:{chan}:{ts}");
        let thread_ts = v.get("thread_ts").and_then(Value::as_str);
        let is_reply = thread_ts.is_some_and(|t| t != ts);
        let starts_thread = thread_ts == Some(ts) || v.get("reply_count").is_some();
        let parent = thread_ts
            .filter(|_| is_reply)
            .map(|t| format!("slack:{chan}:{t}"));
        // A Slack thread is a Parvis thread; the rest of a channel's talk is read a day at a
        // time, as people scroll it: one thread per channel and day.
        let (thread_source_id, thread_title) = match &parent {
            Some(root) => (root.clone(), None),
            None if starts_thread => (source_id.clone(), None),
            None => (
                format!("slack:{chan}:day:{date}"),
                Some(format!("#{folder} · {date}")),
            ),
        };
        let body_html = slack_text::body(v, &self.users);
        Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            thread_source_id,
            source_id,
            parent_source_id: parent,
            thread_title,
            url: None,
            author,
            created_at,
            body_text: text_from_html(&body_html),
            body_html: Some(body_html),
            lang: None,
        }))
    }
}

/// A message's author who is not in `users.json`: a bot or integration (named by its
/// `username` or `bot_profile`), or a person known only by the profile copied into the message.
fn unlisted_author(v: &Value, user: &str) -> ImportedPerson {
    fn named<'a>(p: Option<&'a Value>, k: &str) -> Option<&'a str> {
        p.and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
    let prof = v.get("user_profile");
    let bot = v.get("bot_profile");
    let name = named(prof, "display_name")
        .or_else(|| named(prof, "real_name"))
        .or_else(|| named(Some(v), "username"))
        .or_else(|| named(bot, "name"))
        .map(str::to_string)
        .unwrap_or_else(|| {
            if v.get("bot_id").is_some() {
                format!("Bot {user}")
            } else {
                user.to_string()
            }
        });
    ImportedPerson {
        channel: CHANNEL.into(),
        handle: named(prof, "name").unwrap_or(user).to_string(),
        display_name: name,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounded(
        data: &'static [u8],
        entry_max: u64,
        total: &Arc<AtomicU64>,
    ) -> Bounded<&'static [u8]> {
        Bounded {
            inner: data,
            name: "general/2024-01-01.json".into(),
            entry_read: 0,
            entry_max,
            total: total.clone(),
            total_max: 10,
        }
    }

    #[test]
    fn entries_and_the_whole_export_are_bounded() {
        let total = Arc::new(AtomicU64::new(0));
        let mut out = Vec::new();
        let e = bounded(b"0123456789ab", 8, &total).read_to_end(&mut out);
        assert!(e.is_err_and(|e| e.to_string().contains("more than 0 MiB")));
        // 6 bytes counted before: 5 more go over the export's 10.
        let total = Arc::new(AtomicU64::new(6));
        let e = bounded(b"01234", 100, &total).read_to_end(&mut Vec::new());
        assert!(e.is_err_and(|e| {
            e.to_string()
                .contains("in all (at general/2024-01-01.json)")
        }));
        let total = Arc::new(AtomicU64::new(0));
        let mut ok = Vec::new();
        assert!(bounded(b"0123", 8, &total).read_to_end(&mut ok).is_ok());
        assert_eq!(ok, b"0123");
    }
}

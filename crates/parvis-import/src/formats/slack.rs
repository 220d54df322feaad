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
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{FileIter, Item, Pump, Source, io_err, malformed, slack_text, text_from_html};
use crate::dates::parse_epoch_seconds;
use crate::error::{ImportError, ItemError, Position};
use crate::jsonstream::{ArrayAt, ArrayStream};
use crate::record::{ImportedMessage, ImportedPerson, Record, Skip};

const CHANNEL: &str = "slack";

enum Container {
    Zip(zip::ZipArchive<std::fs::File>),
    Dir(PathBuf),
}

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
        Ok(Container::Zip(z))
    }

    /// Relative names of every file.
    fn names(&self) -> Vec<String> {
        match self {
            Container::Zip(z) => z
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

    fn read(&mut self, name: &str) -> std::io::Result<Vec<u8>> {
        match self {
            Container::Zip(z) => {
                let mut f = z.by_name(name).map_err(std::io::Error::other)?;
                let mut v = Vec::new();
                f.read_to_end(&mut v)?;
                Ok(v)
            }
            Container::Dir(d) => std::fs::read(d.join(name)),
        }
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

fn json_array(c: &mut Container, names: &[String], base: &str) -> Vec<Value> {
    find(names, base)
        .and_then(|n| c.read(n).ok())
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let mut c = Container::open(p)?;
    let names = c.names();
    let mut users = HashMap::new();
    for u in json_array(&mut c, &names, "users.json") {
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
    for ch in json_array(&mut c, &names, "channels.json")
        .into_iter()
        .chain(json_array(&mut c, &names, "groups.json"))
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
    for ch in json_array(&mut c, &names, "dms.json")
        .into_iter()
        .chain(json_array(&mut c, &names, "mpims.json"))
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
    })))
}

struct Slack {
    c: Container,
    path: PathBuf,
    users: HashMap<String, ImportedPerson>,
    channel_ids: HashMap<String, String>,
    private: HashSet<String>,
    days: VecDeque<String>,
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
        let Some(day) = self.days.pop_front() else {
            return false;
        };
        let folder = day.rsplit('/').nth(1).unwrap_or("").to_string();
        // The day file's name (`2016-02-07.json`) is the day in the workspace's time zone.
        let date = day
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".json"))
            .unwrap_or("")
            .to_string();
        let file = self.path.join(&day);
        let bytes = match self.c.read(&day) {
            Ok(b) => b,
            Err(e) => {
                out.push_back(Err(ItemError::item(
                    &file,
                    Position::default(),
                    format!("cannot read day file: {e}"),
                )));
                return true;
            }
        };
        let mut stream = ArrayStream::new(&bytes[..], ArrayAt::TopLevel);
        let is_private = self.private.contains(&folder);
        let chan_id = self
            .channel_ids
            .get(&folder)
            .cloned()
            .unwrap_or_else(|| folder.clone());
        loop {
            match stream.next_element() {
                Ok(None) => break,
                Err(e) => {
                    out.push_back(Err(ItemError::item(
                        &file,
                        e.position,
                        format!("day file damaged, rest skipped: {}", e.reason),
                    )));
                    break;
                }
                Ok(Some(el)) => {
                    if is_private {
                        out.push_back(Ok(Record::Skipped(Skip {
                            file: file.clone(),
                            position: el.position,
                            reason: "direct message".into(),
                        })));
                        continue;
                    }
                    let item = match serde_json::from_slice::<Value>(&el.bytes) {
                        Ok(v) => self.message(&v, &file, el.position, &chan_id, &folder, &date),
                        Err(e) => Err(ItemError::item(
                            &file,
                            el.position,
                            format!("message is not valid JSON: {e}"),
                        )),
                    };
                    out.push_back(item);
                }
            }
        }
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

//! Mastodon / ActivityPub account archive: `outbox.json` (+ `actor.json`).
//!
//! `orderedItems` is streamed element by element. `Create` activities of
//! public or followers-only Notes/Articles become messages; `Announce`
//! (boosts) and direct messages are `Record::Skipped` (a boost is someone
//! else's words; a DM is private). The actor (found as `actor.json` beside
//! the outbox, or the file whose name is the outbox's with `outbox` replaced
//! by `actor`) is emitted first as a `Record::Person` whose `links` are its
//! `url` and the links in its profile fields: the exact identity signal to
//! a blog. Ids are status URIs; the thread root is found by following
//! `inReplyTo` through statuses already seen in the file (the outbox is
//! chronological), else it is the parent itself.

use std::collections::{HashMap, VecDeque};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{FileIter, Item, Pump, Source, head, io_err, malformed, text_from_html};
use crate::dates::parse_any;
use crate::error::{ImportError, ItemError, Position};
use crate::jsonstream::{ArrayAt, ArrayStream};
use crate::record::{ImportedMessage, ImportedPerson, Record, Skip, SkipKind};

const CHANNEL: &str = "mastodon";

fn outbox_path(p: &Path) -> PathBuf {
    if p.is_dir() {
        p.join("outbox.json")
    } else {
        p.to_path_buf()
    }
}

pub(crate) fn check(p: &Path) -> Result<(), ImportError> {
    let p = outbox_path(p);
    let h = head(&p, 64 * 1024)?;
    let t = String::from_utf8_lossy(&h);
    if !t.trim_start().starts_with('{')
        || !(t.contains("\"orderedItems\"") || t.contains("\"OrderedCollection\""))
    {
        return Err(malformed(
            &p,
            Position::line(1),
            "expected an ActivityPub outbox (a JSON object with \"orderedItems\")",
        ));
    }
    Ok(())
}

fn actor_path(outbox: &Path) -> Option<PathBuf> {
    let dir = outbox.parent()?;
    let name = outbox
        .file_name()?
        .to_string_lossy()
        .replace("outbox", "actor");
    [dir.join(name), dir.join("actor.json")]
        .into_iter()
        .find(|c| c.is_file() && c != outbox)
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let p = outbox_path(p);
    let f = std::fs::File::open(&p).map_err(|e| io_err(&p, e))?;
    let mut queue = VecDeque::new();
    let mut owner = None;
    if let Some(a) = actor_path(&p) {
        match std::fs::read(&a)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice::<Value>(&b).map_err(|e| e.to_string()))
        {
            Ok(v) => {
                let person = actor_person(&v);
                owner = Some((
                    v.get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    person.clone(),
                ));
                queue.push_back(Ok(Record::Person(person)));
            }
            Err(e) => queue.push_back(Err(ItemError::item(
                &a,
                Position::default(),
                format!("actor.json unreadable: {e}"),
            ))),
        }
    }
    Ok(Box::new(Pump::new(Outbox {
        stream: ArrayStream::new(
            BufReader::with_capacity(64 * 1024, f),
            ArrayAt::Path(vec!["orderedItems".into()]),
        ),
        path: p,
        owner,
        initial: queue,
        roots: HashMap::new(),
    })))
}

/// Extracts `href="…"` targets from profile field HTML.
fn hrefs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("href=\"") {
        rest = &rest[i + 6..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    if out.is_empty() {
        let t = text_from_html(html);
        if t.starts_with("http") {
            out.push(t);
        }
    }
    out
}

/// `@user@host` for an actor URI like `https://host/users/user`.
fn fedi_handle(actor_id: &str, username: Option<&str>) -> String {
    let host = actor_id
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or("");
    let user = username
        .map(str::to_string)
        .unwrap_or_else(|| actor_id.rsplit('/').next().unwrap_or("").to_string());
    format!("@{user}@{host}")
}

/// The person an actor document describes.
pub fn actor_person(v: &Value) -> ImportedPerson {
    let id = v.get("id").and_then(Value::as_str).unwrap_or_default();
    let username = v.get("preferredUsername").and_then(Value::as_str);
    let mut links: Vec<String> = Vec::new();
    if let Some(arr) = v.get("attachment").and_then(Value::as_array) {
        for a in arr {
            if let Some(val) = a.get("value").and_then(Value::as_str) {
                links.extend(hrefs(val));
            }
        }
    }
    if let Some(also) = v.get("alsoKnownAs").and_then(Value::as_array) {
        links.extend(also.iter().filter_map(Value::as_str).map(str::to_string));
    }
    let handle = fedi_handle(id, username);
    ImportedPerson {
        channel: CHANNEL.into(),
        display_name: v
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| handle.clone()),
        handle,
        email: None,
        profile_url: v
            .get("url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| Some(id.to_string())),
        links,
    }
}

struct Outbox {
    stream: ArrayStream<BufReader<std::fs::File>>,
    path: PathBuf,
    owner: Option<(String, ImportedPerson)>,
    initial: VecDeque<Item>,
    roots: HashMap<String, String>,
}

impl Source for Outbox {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        if !self.initial.is_empty() {
            out.append(&mut self.initial);
            return true;
        }
        match self.stream.next_element() {
            Ok(None) => false,
            Err(e) => {
                out.push_back(Err(ItemError::fatal(&self.path, e.position, e.reason)));
                false
            }
            Ok(Some(el)) => {
                let item = match serde_json::from_slice::<Value>(&el.bytes) {
                    Ok(v) => self.activity(&v, el.position),
                    Err(e) => Err(ItemError::item(
                        &self.path,
                        el.position,
                        format!("activity is not valid JSON: {e}"),
                    )),
                };
                out.push_back(item);
                true
            }
        }
    }
}

fn is_public(v: &Value) -> bool {
    ["to", "cc"].iter().any(|k| {
        v.get(*k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter().filter_map(Value::as_str).any(|s| {
                    s.ends_with("#Public") || s == "as:Public" || s.ends_with("/followers")
                })
            })
            .unwrap_or(false)
    })
}

impl Outbox {
    fn skip(&self, pos: Position, kind: SkipKind, reason: &str) -> Item {
        Ok(Record::Skipped(Skip {
            file: self.path.clone(),
            position: pos,
            kind,
            reason: reason.into(),
        }))
    }

    fn activity(&mut self, v: &Value, pos: Position) -> Item {
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "Create" => {}
            "Announce" => return self.skip(pos, SkipKind::Share, "boost (Announce)"),
            other => {
                return self.skip(
                    pos,
                    SkipKind::NotAConversation,
                    &format!("activity type {other}"),
                );
            }
        }
        let Some(obj) = v.get("object").filter(|o| o.is_object()) else {
            return Err(ItemError::item(
                &self.path,
                pos,
                "Create activity: expected an embedded object",
            ));
        };
        if !is_public(obj) && !is_public(v) {
            return self.skip(pos, SkipKind::DirectMessage, "direct message");
        }
        let Some(id) = obj.get("id").and_then(Value::as_str).map(str::to_string) else {
            return Err(ItemError::item(
                &self.path,
                pos,
                "status: expected an \"id\"",
            ));
        };
        let Some(created_at) = obj
            .get("published")
            .or_else(|| v.get("published"))
            .and_then(Value::as_str)
            .and_then(parse_any)
        else {
            return Err(ItemError::item(
                &self.path,
                pos,
                format!("status {id}: expected a \"published\" date"),
            ));
        };
        let actor = obj
            .get("attributedTo")
            .or_else(|| v.get("actor"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let author = match &self.owner {
            Some((oid, p)) if *oid == actor => p.clone(),
            _ => ImportedPerson {
                channel: CHANNEL.into(),
                handle: fedi_handle(&actor, None),
                display_name: fedi_handle(&actor, None),
                profile_url: Some(actor.clone()),
                ..Default::default()
            },
        };
        let parent = obj
            .get("inReplyTo")
            .and_then(Value::as_str)
            .map(str::to_string);
        let thread = match &parent {
            Some(p) => self.roots.get(p).cloned().unwrap_or_else(|| p.clone()),
            None => id.clone(),
        };
        self.roots.insert(id.clone(), thread.clone());
        let html = obj
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let lang = obj
            .get("contentMap")
            .and_then(Value::as_object)
            .and_then(|m| m.keys().next().cloned());
        let title = obj
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                obj.get("summary")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            });
        Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            source_id: id,
            thread_source_id: thread,
            parent_source_id: parent,
            thread_title: title,
            url: obj.get("url").and_then(Value::as_str).map(str::to_string),
            author,
            created_at,
            body_text: text_from_html(&html),
            body_html: Some(html),
            lang,
        }))
    }
}

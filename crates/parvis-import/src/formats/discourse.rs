//! Discourse topic JSON (what `/t/{id}.json` returns, `post_stream.posts`).
//!
//! A topic file is one bounded unit (Discourse pages topics at 20 posts per
//! request unless exported whole), so it is parsed whole with serde_json;
//! memory is one topic. Ids: `discourse-post:{id}`; the thread is the first
//! post of the topic; `reply_to_post_number` is resolved to the answered
//! post's id, and a post that answers no one answers the first post.
//! Moderator "small actions", whispers and deleted or hidden posts are skipped.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{FileIter, Item, Pump, Source, head, io_err, malformed, text_from_html};
use crate::dates::parse_any;
use crate::error::{ImportError, ItemError, Position};
use crate::record::{ImportedMessage, ImportedPerson, Record, Skip, SkipKind};

const CHANNEL: &str = "discourse";

pub(crate) fn check(p: &Path) -> Result<(), ImportError> {
    let h = head(p, 1024 * 1024)?;
    let t = String::from_utf8_lossy(&h);
    if !t.trim_start().starts_with('{') || !t.contains("\"post_stream\"") {
        return Err(malformed(
            p,
            Position::line(1),
            "expected a Discourse topic JSON object with \"post_stream\"",
        ));
    }
    Ok(())
}

/// A topic file is parsed whole: the largest read (a topic of thousands of posts is a few MB).
const MAX_TOPIC_BYTES: u64 = 256 << 20;

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let size = std::fs::metadata(p).map_err(|e| io_err(p, e))?.len();
    if size > MAX_TOPIC_BYTES {
        return Err(malformed(
            p,
            Position::default(),
            format!(
                "a Discourse topic file of at most {} MiB (this one has {} MiB)",
                MAX_TOPIC_BYTES >> 20,
                size >> 20
            ),
        ));
    }
    let bytes = std::fs::read(p).map_err(|e| io_err(p, e))?;
    let mut out = VecDeque::new();
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) => topic(&v, p, &mut out),
        Err(e) => out.push_back(Err(ItemError::fatal(
            p,
            Position {
                line: Some(e.line() as u64),
                offset: None,
            },
            format!("topic is not valid JSON: {e}"),
        ))),
    }
    Ok(Box::new(Pump::new(Done(out))))
}

struct Done(VecDeque<Item>);

impl Source for Done {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        out.append(&mut self.0);
        false
    }
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn topic(v: &Value, path: &Path, out: &mut VecDeque<Item>) {
    let file: PathBuf = path.to_path_buf();
    let topic_id = v.get("id").map(|i| i.to_string()).unwrap_or_default();
    let title = s(v, "title").map(str::to_string);
    let slug = s(v, "slug").unwrap_or("topic");
    let Some(posts) = v
        .get("post_stream")
        .and_then(|p| p.get("posts"))
        .and_then(Value::as_array)
    else {
        out.push_back(Err(ItemError::fatal(
            &file,
            Position::line(1),
            "expected an array at post_stream.posts",
        )));
        return;
    };
    let by_number: HashMap<i64, String> = posts
        .iter()
        .filter_map(|p| {
            Some((
                p.get("post_number")?.as_i64()?,
                format!("discourse-post:{}", p.get("id")?),
            ))
        })
        .collect();
    let root = by_number
        .get(&1)
        .cloned()
        .unwrap_or_else(|| format!("discourse-topic:{topic_id}"));
    for (i, p) in posts.iter().enumerate() {
        let pos = Position::default();
        let Some(id) = p.get("id").map(|i| i.to_string()) else {
            out.push_back(Err(ItemError::item(
                &file,
                pos,
                format!("post #{i} of topic {topic_id}: expected an \"id\""),
            )));
            continue;
        };
        let post_type = p.get("post_type").and_then(Value::as_i64).unwrap_or(1);
        let deleted = !p.get("deleted_at").map(Value::is_null).unwrap_or(true)
            || p.get("hidden").and_then(Value::as_bool).unwrap_or(false);
        if post_type != 1 || deleted {
            let (kind, why) = if deleted {
                (SkipKind::Deleted, "deleted or hidden")
            } else {
                (
                    SkipKind::NotAConversation,
                    "not a regular post (small action or whisper)",
                )
            };
            out.push_back(Ok(Record::Skipped(Skip {
                file: file.clone(),
                position: pos,
                kind,
                reason: format!("post {id}: {why}"),
            })));
            continue;
        }
        let Some(created_at) = s(p, "created_at").and_then(parse_any) else {
            out.push_back(Err(ItemError::item(
                &file,
                pos,
                format!("post {id}: expected \"created_at\""),
            )));
            continue;
        };
        let source_id = format!("discourse-post:{id}");
        let number = p.get("post_number").and_then(Value::as_i64).unwrap_or(0);
        let parent = if number == 1 {
            None
        } else {
            let to = p.get("reply_to_post_number").and_then(Value::as_i64);
            Some(
                to.and_then(|n| by_number.get(&n).cloned())
                    .unwrap_or_else(|| root.clone()),
            )
        };
        let username = s(p, "username").unwrap_or("unknown").to_string();
        let html = s(p, "cooked").unwrap_or_default().to_string();
        out.push_back(Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            thread_source_id: if number == 1 {
                source_id.clone()
            } else {
                root.clone()
            },
            source_id,
            parent_source_id: parent,
            thread_title: title.clone(),
            url: Some(format!(
                "/t/{slug}/{}/{number}",
                s(p, "topic_id")
                    .map(str::to_string)
                    .unwrap_or_else(|| topic_id.clone())
            )),
            author: ImportedPerson {
                channel: CHANNEL.into(),
                display_name: s(p, "name")
                    .filter(|n| !n.is_empty())
                    .or(s(p, "display_username"))
                    .unwrap_or(&username)
                    .to_string(),
                handle: username.clone(),
                email: None,
                profile_url: Some(format!("/u/{username}")),
                links: Vec::new(),
            },
            created_at,
            body_text: text_from_html(&html),
            body_html: Some(html),
            lang: None,
        })));
    }
}

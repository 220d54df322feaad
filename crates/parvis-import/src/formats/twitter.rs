//! X/Twitter account archive: `data/tweets.js` (and `tweets-part1.js`…).
//!
//! The file is JavaScript: `window.YTD.tweets.part0 = [ … ]`; the prefix is
//! skipped and the array streamed element by element. The author comes from
//! `account.js` beside it (same name with `tweets` replaced by `account`),
//! emitted first as a `Record::Person`. Retweets are skipped (someone else's
//! words). t.co links are expanded from `entities.urls`.
//!
//! Ids are tweet ids. Archives carry no conversation id, so a reply's
//! `thread_source_id` is its parent: follow `parent_source_id` to the root.

use std::collections::VecDeque;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{FileIter, Item, Pump, Source, head, io_err, malformed};
use crate::dates::{parse_any, parse_asctime};
use crate::error::{ImportError, ItemError, Position};
use crate::jsonstream::{ArrayAt, ArrayStream};
use crate::record::{ImportedMessage, ImportedPerson, Record, Skip, SkipKind};

const CHANNEL: &str = "twitter";

fn tweets_path(p: &Path) -> PathBuf {
    if p.is_dir() {
        for c in [
            p.join("data").join("tweets.js"),
            p.join("tweets.js"),
            p.join("data").join("tweet.js"),
            p.join("tweet.js"),
        ] {
            if c.is_file() {
                return c;
            }
        }
        return p.join("data").join("tweets.js");
    }
    p.to_path_buf()
}

pub(crate) fn check(p: &Path) -> Result<(), ImportError> {
    let p = tweets_path(p);
    let h = head(&p, 256)?;
    let t = String::from_utf8_lossy(&h);
    let t = t.trim_start_matches('\u{feff}').trim_start();
    if !(t.starts_with("window.YTD.") || t.starts_with('[')) {
        return Err(malformed(
            &p,
            Position::line(1),
            "expected an X archive tweets.js starting with \"window.YTD.tweets.part0 = [\"",
        ));
    }
    Ok(())
}

fn account(p: &Path) -> Option<Result<ImportedPerson, ItemError>> {
    let dir = p.parent()?;
    let file = p.file_name()?.to_string_lossy().to_string();
    // tweets-part1.js → account.js; x-archive-foo-tweets.js → x-archive-foo-account.js.
    let stem = file
        .split("-part")
        .next()
        .unwrap_or(&file)
        .trim_end_matches(".js");
    let name = format!(
        "{}.js",
        stem.replace("tweets", "account")
            .replace("tweet", "account")
    );
    let a = [dir.join(name), dir.join("account.js")]
        .into_iter()
        .find(|c| c.is_file() && c != p)?;
    let bytes = std::fs::read(&a).ok()?;
    let mut s = ArrayStream::new(&bytes[..], ArrayAt::TopLevel);
    let el = match s.next_element() {
        Ok(Some(el)) => el,
        _ => {
            return Some(Err(ItemError::item(
                &a,
                Position::line(1),
                "account.js: expected an array with one account",
            )));
        }
    };
    let v: Value = serde_json::from_slice(&el.bytes).ok()?;
    let acc = v.get("account")?;
    let user = acc.get("username").and_then(Value::as_str)?.to_string();
    Some(Ok(ImportedPerson {
        channel: CHANNEL.into(),
        display_name: acc
            .get("accountDisplayName")
            .and_then(Value::as_str)
            .unwrap_or(&user)
            .to_string(),
        email: acc.get("email").and_then(Value::as_str).map(str::to_string),
        profile_url: Some(format!("https://x.com/{user}")),
        handle: user,
        links: Vec::new(),
    }))
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let p = tweets_path(p);
    let f = std::fs::File::open(&p).map_err(|e| io_err(&p, e))?;
    let mut initial = VecDeque::new();
    let owner = match account(&p) {
        Some(Ok(person)) => {
            initial.push_back(Ok(Record::Person(person.clone())));
            person
        }
        Some(Err(e)) => {
            initial.push_back(Err(e));
            ImportedPerson {
                channel: CHANNEL.into(),
                handle: "unknown".into(),
                display_name: "unknown".into(),
                ..Default::default()
            }
        }
        None => ImportedPerson {
            channel: CHANNEL.into(),
            handle: "unknown".into(),
            display_name: "X account owner".into(),
            ..Default::default()
        },
    };
    Ok(Box::new(Pump::new(Tweets {
        stream: ArrayStream::new(BufReader::with_capacity(64 * 1024, f), ArrayAt::TopLevel),
        path: p,
        owner,
        initial,
    })))
}

struct Tweets {
    stream: ArrayStream<BufReader<std::fs::File>>,
    path: PathBuf,
    owner: ImportedPerson,
    initial: VecDeque<Item>,
}

impl Source for Tweets {
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
                out.push_back(match serde_json::from_slice::<Value>(&el.bytes) {
                    Ok(v) => self.tweet(&v, el.position),
                    Err(e) => Err(ItemError::item(
                        &self.path,
                        el.position,
                        format!("tweet is not valid JSON: {e}"),
                    )),
                });
                true
            }
        }
    }
}

impl Tweets {
    fn tweet(&self, v: &Value, pos: Position) -> Item {
        let t = v.get("tweet").unwrap_or(v);
        let str_of = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
        let Some(id) = str_of("id_str").or_else(|| str_of("id")) else {
            return Err(ItemError::item(
                &self.path,
                pos,
                "tweet: expected \"id_str\"",
            ));
        };
        let mut text = str_of("full_text")
            .or_else(|| str_of("text"))
            .unwrap_or_default();
        if text.starts_with("RT @") || t.get("retweeted_status").is_some() {
            return Ok(Record::Skipped(Skip {
                file: self.path.clone(),
                position: pos,
                kind: SkipKind::Share,
                reason: format!("retweet {id}"),
            }));
        }
        let Some(created_at) =
            str_of("created_at").and_then(|d| parse_asctime(&d).or_else(|| parse_any(&d)))
        else {
            return Err(ItemError::item(
                &self.path,
                pos,
                format!(
                    "tweet {id}: expected \"created_at\" like \"Fri Mar 06 13:02:05 +0000 2026\""
                ),
            ));
        };
        if let Some(urls) = t
            .get("entities")
            .and_then(|e| e.get("urls"))
            .and_then(Value::as_array)
        {
            for u in urls {
                if let (Some(short), Some(long)) = (
                    u.get("url").and_then(Value::as_str),
                    u.get("expanded_url").and_then(Value::as_str),
                ) {
                    text = text.replace(short, long);
                }
            }
        }
        let text = crate::html::decode_entities(&text); // archives keep &amp; &lt; &gt;
        let parent =
            str_of("in_reply_to_status_id_str").or_else(|| str_of("in_reply_to_status_id"));
        let lang = str_of("lang").filter(|l| {
            !matches!(
                l.as_str(),
                "und" | "qme" | "qst" | "zxx" | "art" | "qam" | "qct" | "qht"
            )
        });
        Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            thread_source_id: parent.clone().unwrap_or_else(|| id.clone()),
            url: Some(format!("https://x.com/{}/status/{id}", self.owner.handle)),
            source_id: id,
            parent_source_id: parent,
            thread_title: None,
            author: self.owner.clone(),
            created_at,
            body_text: text,
            body_html: None,
            lang,
        }))
    }
}

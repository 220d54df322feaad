//! Disqus XML export (`<disqus>` with `<category>`, `<thread>`, `<post>`).
//!
//! A Disqus thread is a page, not a message: comments without `<parent>`
//! answer the page, so their `parent_source_id` is `None` and their
//! `thread_source_id` is `disqus-thread:{dsq:id}`, a thread that has no root
//! message in the import; `thread_title` and `url` carry the page. A post is
//! `disqus:{dsq:id}`. The small map of thread id → (title, link) is the only
//! state kept (threads come before posts in real exports). Deleted and spam
//! posts are `Record::Skipped`. Junk before `<?xml` (seen in the wild) is tolerated.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use super::{FileIter, Item, Pump, Source, check_xml_root, io_err, text_from_html};
use crate::dates::parse_any;
use crate::error::{ImportError, ItemError, Position};
use crate::record::{ImportedMessage, ImportedPerson, Record, Skip, SkipKind};
use crate::xml::{XmlNode, XmlStream};

const CHANNEL: &str = "disqus";

pub(crate) fn check(p: &Path) -> Result<(), ImportError> {
    check_xml_root(p, &["disqus"], "a Disqus export (<disqus> root)")
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let xml = XmlStream::open(p).map_err(|e| io_err(p, e))?;
    Ok(Box::new(Pump::new(Disqus {
        xml,
        threads: HashMap::new(),
    })))
}

struct Disqus {
    xml: XmlStream,
    threads: HashMap<String, (Option<String>, Option<String>)>,
}

impl Source for Disqus {
    fn step(&mut self, out: &mut VecDeque<Item>) -> bool {
        let start = match self.xml.next_start() {
            Ok(Some(s)) => s,
            Ok(None) => return false,
            Err(e) => {
                out.push_back(Err(e));
                return false;
            }
        };
        let pos = start.position;
        match (start.depth, start.name.as_str()) {
            (0, "disqus") => {}
            (0, other) => {
                out.push_back(Err(self
                    .xml
                    .fatal(format!("expected <disqus> root element, found <{other}>"))));
                return false;
            }
            (1, "thread") | (1, "post") => {
                let is_post = start.name == "post";
                match self.xml.read_subtree(start) {
                    Ok(node) if is_post => out.push_back(self.post(&node, pos)),
                    Ok(node) => {
                        if let Some(id) = node.attr("dsq:id") {
                            self.threads.insert(
                                id.to_string(),
                                (node.text_of("title"), node.text_of("link")),
                            );
                        }
                    }
                    Err(e) => {
                        // An item nested too deep is skipped alone; other errors end the file.
                        let go_on = !e.fatal;
                        out.push_back(Err(e));
                        return go_on;
                    }
                }
            }
            _ => {}
        }
        true
    }
}

impl Disqus {
    fn post(&self, node: &XmlNode, pos: Position) -> Item {
        let Some(id) = node.attr("dsq:id").map(str::to_string) else {
            return Err(ItemError::item(
                &self.xml.path,
                pos,
                "expected a dsq:id attribute on <post>",
            ));
        };
        let flag = |n: &str| node.text_of(n).map(|v| v == "true").unwrap_or(false);
        if flag("isDeleted") || flag("isSpam") {
            let (kind, why) = if flag("isSpam") {
                (SkipKind::Spam, "spam")
            } else {
                (SkipKind::Deleted, "deleted")
            };
            return Ok(Record::Skipped(Skip {
                file: self.xml.path.clone(),
                position: pos,
                kind,
                reason: format!("post {id}: {why}"),
            }));
        }
        let Some(created_at) = node.text_of("createdAt").and_then(|d| parse_any(&d)) else {
            return Err(ItemError::item(
                &self.xml.path,
                pos,
                format!("post {id}: expected an ISO date in <createdAt>"),
            ));
        };
        let thread_id = node
            .child("thread")
            .and_then(|t| t.attr("dsq:id"))
            .unwrap_or("unknown")
            .to_string();
        let (title, link) = self
            .threads
            .get(&thread_id)
            .cloned()
            .unwrap_or((None, None));
        let a = node.child("author");
        let name = a.and_then(|a| a.text_of("name"));
        let username = a.and_then(|a| a.text_of("username"));
        let author = ImportedPerson {
            channel: CHANNEL.into(),
            handle: username
                .clone()
                .or_else(|| name.clone())
                .unwrap_or_else(|| "anonymous".into()),
            display_name: name
                .or_else(|| username.clone())
                .unwrap_or_else(|| "Anonymous".into()),
            email: a.and_then(|a| a.text_of("email")),
            profile_url: username.map(|u| format!("https://disqus.com/by/{u}/")),
            links: Vec::new(),
        };
        let html = node
            .child("message")
            .map(|m| m.text.trim().to_string())
            .unwrap_or_default();
        Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            source_id: format!("disqus:{id}"),
            thread_source_id: format!("disqus-thread:{thread_id}"),
            parent_source_id: node
                .child("parent")
                .and_then(|p| p.attr("dsq:id"))
                .map(|p| format!("disqus:{p}")),
            thread_title: title,
            url: link.map(|l| format!("{l}#comment-{id}")),
            author,
            created_at,
            body_text: text_from_html(&html),
            body_html: Some(html),
            lang: None,
        }))
    }
}

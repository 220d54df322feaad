//! RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 1.0, auto-detected from the root element.
//!
//! Each `<item>`/`<entry>` is a message. Threading, where the feed carries it:
//! * Atom threading extension (RFC 4685): `<thr:in-reply-to ref="…">` makes
//!   the entry a reply to `ref` (the parent's Atom id, which is its source id);
//! * comment feeds (WordPress "Comments on: …", or any item whose link has a
//!   `#comment-` fragment): the comment answers the page, i.e. the link
//!   without its fragment;
//! * `wfw:commentRss` / `slash:comments` only point to comments living
//!   elsewhere: they are not fetched (pass the comment feed as another path).
//!
//! Ids: RSS `<guid>` (else `<link>`), Atom `<id>` (else alternate link).
//! Feeds carry HTML (`description`, `content:encoded`, Atom `html`/`xhtml`).

use std::collections::VecDeque;
use std::path::Path;

use super::{FileIter, Item, Pump, Source, check_xml_root, io_err, stable_hash, text_from_html};
use crate::dates::parse_any;
use crate::error::{ImportError, ItemError, Position};
use crate::record::{ImportedMessage, ImportedPerson, Record};
use crate::xml::{XmlNode, XmlStream};

const CHANNEL: &str = "rss";

pub(crate) fn check(p: &Path) -> Result<(), ImportError> {
    check_xml_root(
        p,
        &["rss", "feed", "rdf:RDF", "RDF"],
        "an RSS or Atom feed (<rss>, <feed> or <rdf:RDF> root)",
    )
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let xml = XmlStream::open(p).map_err(|e| io_err(p, e))?;
    Ok(Box::new(Pump::new(Feed {
        xml,
        title: None,
        link: None,
        lang: None,
        date: None,
        bare_atom: false,
    })))
}

struct Feed {
    xml: XmlStream,
    title: Option<String>,
    link: Option<String>,
    lang: Option<String>,
    /// The feed's own date, used for items that carry none (RSS 0.91/1.0).
    date: Option<i64>,
    /// The root is a `<feed>` without the Atom namespace.
    bare_atom: bool,
}

/// Puts un-namespaced element names of a bare Atom feed in the `atom:` namespace.
fn atomize(node: &mut XmlNode) {
    if !node.name.contains(':') {
        node.name = format!("atom:{}", node.name);
    }
    for c in &mut node.children {
        atomize(c);
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

impl Source for Feed {
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
        if start.depth == 0 {
            // Atom without its namespace (seen in the wild): read it as Atom.
            self.bare_atom = start.name == "feed";
            if let Some(l) = start
                .attrs
                .iter()
                .find(|(k, _)| k == "xml:lang")
                .map(|(_, v)| v.clone())
            {
                self.lang = Some(l);
            }
            return true;
        }
        let mut start = start;
        if self.bare_atom && !start.name.contains(':') {
            start.name = format!("atom:{}", start.name);
        }
        let name = start.name.clone();
        // Channel-level metadata: <rss><channel><title>, <feed><title>, <rdf:RDF><channel><title>.
        let in_channel = self.xml.stack.len() >= 2
            && local(&self.xml.stack[self.xml.stack.len() - 2]) == "channel";
        let at_feed = start.depth == 1 && name.starts_with("atom:");
        let meta = (in_channel || at_feed)
            && matches!(
                local(&name),
                "title" | "link" | "language" | "pubDate" | "lastBuildDate" | "date" | "updated"
            );
        if name == "item" || name == "atom:entry" {
            match self.xml.read_subtree(start) {
                Ok(mut node) => {
                    if self.bare_atom {
                        atomize(&mut node);
                    }
                    out.push_back(if name == "item" {
                        self.rss_item(&node, pos)
                    } else {
                        self.atom_entry(&node, pos)
                    })
                }
                Err(e) => {
                    // An item nested too deep is skipped alone; other errors end the file.
                    let go_on = !e.fatal;
                    out.push_back(Err(e));
                    return go_on;
                }
            }
        } else if meta {
            match self.xml.read_subtree(start) {
                Ok(mut node) => {
                    if self.bare_atom {
                        atomize(&mut node);
                    }
                    let text = node.text.trim().to_string();
                    match local(&name) {
                        "title" if self.title.is_none() => self.title = Some(text),
                        "language" if self.lang.is_none() && !text.is_empty() => {
                            self.lang = Some(text)
                        }
                        "pubDate" | "lastBuildDate" | "date" | "updated" if self.date.is_none() => {
                            self.date = parse_any(&text)
                        }
                        "link" if self.link.is_none() => {
                            let href = if name.starts_with("atom:") {
                                let rel = node.attr("rel").unwrap_or("alternate");
                                if rel == "alternate" {
                                    node.attr("href").map(str::to_string)
                                } else {
                                    None
                                }
                            } else {
                                Some(text).filter(|t| !t.is_empty())
                            };
                            self.link = href;
                        }
                        _ => {}
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
        true
    }
}

/// Splits an RSS `author` like `jo@example.org (Jo Smith)`.
fn split_author(s: &str) -> (String, Option<String>) {
    let s = s.trim();
    if let (Some(open), true) = (s.find('('), s.ends_with(')')) {
        let addr = s[..open].trim();
        let name = s[open + 1..s.len() - 1].trim();
        if addr.contains('@') {
            return (name.to_string(), Some(addr.to_string()));
        }
    }
    if s.contains('@') && !s.contains(' ') {
        return (s.to_string(), Some(s.to_string()));
    }
    (s.to_string(), None)
}

fn strip_fragment(u: &str) -> &str {
    u.split('#').next().unwrap_or(u)
}

impl Feed {
    fn feed_author(&self) -> ImportedPerson {
        let name = self.title.clone().unwrap_or_else(|| "feed".into());
        ImportedPerson {
            channel: CHANNEL.into(),
            handle: self.link.clone().unwrap_or_else(|| name.clone()),
            display_name: name,
            profile_url: self.link.clone(),
            ..Default::default()
        }
    }

    fn is_comment_feed(&self) -> bool {
        self.title
            .as_deref()
            .map(|t| t.starts_with("Comments on:") || t.starts_with("Commentaires sur"))
            .unwrap_or(false)
    }

    fn rss_item(&self, node: &XmlNode, pos: Position) -> Item {
        let link = node.text_of("link");
        let title = node.text_of("title").or_else(|| node.text_of("dc:title"));
        let Some(created_at) = ["pubDate", "dc:date", "atom:published", "atom:updated"]
            .iter()
            .find_map(|n| node.text_of(n).and_then(|d| parse_any(&d)))
            .or(self.date)
        else {
            return Err(ItemError::item(
                &self.xml.path,
                pos,
                "item: expected a date in <pubDate> or <dc:date>",
            ));
        };
        let source_id = node
            .text_of("guid")
            .or_else(|| node.attr("rdf:about").map(str::to_string))
            .or_else(|| link.clone())
            .unwrap_or_else(|| {
                format!(
                    "rss-item-{}",
                    stable_hash(&[title.as_deref().unwrap_or(""), &created_at.to_string()])
                )
            });
        let author = match node
            .text_of("dc:creator")
            .or_else(|| node.text_of("author"))
        {
            Some(a) => {
                let (name, email) = split_author(&a);
                ImportedPerson {
                    channel: CHANNEL.into(),
                    handle: name.clone(),
                    display_name: name,
                    email,
                    ..Default::default()
                }
            }
            None => self.feed_author(),
        };
        let html = node
            .child("content:encoded")
            .map(|c| c.text.clone())
            .or_else(|| node.child("description").map(|c| c.text.clone()))
            .unwrap_or_default();
        let reply_to = node
            .child("thr:in-reply-to")
            .and_then(|r| r.attr("ref").map(str::to_string));
        let page = link
            .as_deref()
            .filter(|l| l.contains("#comment-") || self.is_comment_feed())
            .map(|l| strip_fragment(l).to_string());
        let parent = reply_to.or(page);
        let thread = parent.clone().unwrap_or_else(|| source_id.clone());
        let thread_title = if parent.is_some() && self.is_comment_feed() {
            self.title
                .as_deref()
                .map(|t| t.trim_start_matches("Comments on:").trim().to_string())
        } else {
            title
        };
        Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            source_id,
            thread_source_id: thread,
            parent_source_id: parent,
            thread_title,
            url: link,
            author,
            created_at,
            body_text: text_from_html(&html),
            body_html: Some(html),
            lang: self.lang.clone(),
        }))
    }

    fn atom_entry(&self, node: &XmlNode, pos: Position) -> Item {
        let link = node
            .children_named("atom:link")
            .find(|l| l.attr("rel").unwrap_or("alternate") == "alternate")
            .and_then(|l| l.attr("href").map(str::to_string));
        let title = node.text_of("atom:title");
        let Some(created_at) = [
            "atom:published",
            "atom:updated",
            "atom:issued",
            "atom:modified",
        ]
        .iter()
        .find_map(|n| node.text_of(n).and_then(|d| parse_any(&d)))
        .or(self.date) else {
            return Err(ItemError::item(
                &self.xml.path,
                pos,
                "entry: expected a date in <published> or <updated>",
            ));
        };
        let Some(source_id) = node.text_of("atom:id").or_else(|| link.clone()) else {
            return Err(ItemError::item(
                &self.xml.path,
                pos,
                "entry: expected an <id> or an alternate <link>",
            ));
        };
        let author = match node.child("atom:author") {
            Some(a) => {
                let name = a
                    .text_of("atom:name")
                    .or_else(|| a.text_of("atom:email"))
                    .unwrap_or_else(|| "unknown".into());
                ImportedPerson {
                    channel: CHANNEL.into(),
                    handle: a.text_of("atom:uri").unwrap_or_else(|| name.clone()),
                    display_name: name,
                    email: a.text_of("atom:email"),
                    profile_url: a.text_of("atom:uri"),
                    links: Vec::new(),
                }
            }
            None => self.feed_author(),
        };
        let body = node
            .child("atom:content")
            .or_else(|| node.child("atom:summary"));
        let (html, is_html) = match body {
            Some(b) => match b.attr("type").unwrap_or("text") {
                "xhtml" => (b.inner_markup(), true),
                "html" | "text/html" => (b.text.clone(), true),
                _ => (b.text.clone(), false),
            },
            None => (String::new(), false),
        };
        let parent = node
            .child("thr:in-reply-to")
            .and_then(|r| r.attr("ref").map(str::to_string));
        let lang = node
            .attr("xml:lang")
            .map(str::to_string)
            .or_else(|| self.lang.clone());
        Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            thread_source_id: parent.clone().unwrap_or_else(|| source_id.clone()),
            source_id,
            parent_source_id: parent,
            thread_title: title,
            url: link,
            author,
            created_at,
            body_text: if is_html {
                text_from_html(&html)
            } else {
                html.trim().to_string()
            },
            body_html: if is_html { Some(html) } else { None },
            lang,
        }))
    }
}

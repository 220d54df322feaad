//! WordPress eXtended RSS (WXR 1.0, 1.1, 1.2; `http` and `https` namespaces).
//!
//! Streaming: channel metadata and `<wp:author>` entries (which WordPress
//! writes before the items) are kept; then each `<item>` is read whole and
//! turned into one message for the post and one per comment.
//!
//! Ids: a post is its `<guid>` (else its link, else `wp-post-{id}`), `https://` read as
//! `http://` (a site exported before and after its move to https is one site); a comment
//! is `{post id}#comment-{comment_id}`, its parent the post or
//! `{post id}#comment-{comment_parent}`. Posts other than published posts and
//! pages, and comments that are spam, trashed, unapproved, pingbacks or
//! trackbacks are `Record::Skipped`.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use super::{FileIter, Item, Pump, Source, check_xml_root, io_err, shortcodes, text_from_html};
use crate::dates::parse_any;
use crate::error::{ImportError, ItemError, Position};
use crate::record::{ImportedMessage, ImportedPerson, Record, Skip, SkipKind};
use crate::xml::{XmlNode, XmlStream};

const CHANNEL: &str = "wordpress";

pub(crate) fn check(p: &Path) -> Result<(), ImportError> {
    check_xml_root(
        p,
        &["rss"],
        "a WordPress export (<rss> root with <channel>)",
    )
}

pub(crate) fn open(p: &Path) -> Result<FileIter, ImportError> {
    let xml = XmlStream::open(p).map_err(|e| io_err(p, e))?;
    Ok(Box::new(Pump::new(Wxr {
        xml,
        language: None,
        site: None,
        authors: HashMap::new(),
    })))
}

struct Wxr {
    xml: XmlStream,
    language: Option<String>,
    site: Option<String>,
    authors: HashMap<String, ImportedPerson>,
}

impl Source for Wxr {
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
            (0, "rss") => {}
            (0, other) => {
                out.push_back(Err(self
                    .xml
                    .fatal(format!("expected <rss> root element, found <{other}>"))));
                return false;
            }
            (1, "channel") => {}
            (1, other) => {
                out.push_back(Err(self
                    .xml
                    .fatal(format!("expected <channel> inside <rss>, found <{other}>"))));
                return false;
            }
            (2, "language") | (2, "link") | (2, "wp:base_blog_url") | (2, "wp:wxr_version") => {
                let name = start.name.clone();
                let node = match self.xml.read_subtree(start) {
                    Ok(n) => n,
                    Err(e) => {
                        // An item nested too deep is skipped alone; other errors end the file.
                        let go_on = !e.fatal;
                        out.push_back(Err(e));
                        return go_on;
                    }
                };
                let text = node.text.trim().to_string();
                match name.as_str() {
                    "language" if !text.is_empty() => self.language = Some(text),
                    "link" | "wp:base_blog_url" if self.site.is_none() && !text.is_empty() => {
                        self.site = Some(text)
                    }
                    "wp:wxr_version" => {
                        let ok = text.split('.').count() == 2
                            && text
                                .split('.')
                                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
                        if !ok {
                            out.push_back(Err(self.xml.fatal(format!("expected a WXR version like 1.2 in <wp:wxr_version>, found {text:?}"))));
                            return false;
                        }
                    }
                    _ => {}
                }
            }
            (2, "wp:author") => match self.xml.read_subtree(start) {
                Ok(node) => {
                    if let Some(login) = node.text_of("wp:author_login") {
                        let person = ImportedPerson {
                            channel: CHANNEL.into(),
                            display_name: node
                                .text_of("wp:author_display_name")
                                .unwrap_or_else(|| login.clone()),
                            handle: login.clone(),
                            email: node.text_of("wp:author_email"),
                            profile_url: self.site.clone(),
                            links: Vec::new(),
                        };
                        self.authors.insert(login, person.clone());
                        out.push_back(Ok(Record::Person(person)));
                    }
                }
                Err(e) => {
                    // An item nested too deep is skipped alone; other errors end the file.
                    let go_on = !e.fatal;
                    out.push_back(Err(e));
                    return go_on;
                }
            },
            (2, "item") => match self.xml.read_subtree(start) {
                Ok(node) => self.item(&node, pos, out),
                Err(e) => {
                    // An item nested too deep is skipped alone; other errors end the file.
                    let go_on = !e.fatal;
                    out.push_back(Err(e));
                    return go_on;
                }
            },
            _ => {}
        }
        true
    }
}

/// A post's id with `https://` read as `http://`: a site that moved to https exports the same
/// posts under both schemes (in its guids or links), and they must stay one thread each.
fn same_post_whatever_the_scheme(id: &str) -> String {
    match id.strip_prefix("https://") {
        Some(rest) => format!("http://{rest}"),
        None => id.to_string(),
    }
}

fn date_of(node: &XmlNode, gmt: &str, local: &str) -> Option<i64> {
    node.text_of(gmt)
        .and_then(|d| parse_any(&d))
        .or_else(|| node.text_of(local).and_then(|d| parse_any(&d)))
        .or_else(|| node.text_of("pubDate").and_then(|d| parse_any(&d)))
}

impl Wxr {
    fn skip(&self, pos: Position, kind: SkipKind, reason: String) -> Item {
        Ok(Record::Skipped(Skip {
            file: self.xml.path.clone(),
            position: pos,
            kind,
            reason,
        }))
    }

    fn item(&self, node: &XmlNode, pos: Position, out: &mut VecDeque<Item>) {
        let post_type = node
            .text_of("wp:post_type")
            .unwrap_or_else(|| "post".into());
        let status = node
            .text_of("wp:status")
            .unwrap_or_else(|| "publish".into());
        let comments: Vec<&XmlNode> = node.children_named("wp:comment").collect();
        if !matches!(post_type.as_str(), "post" | "page") || status != "publish" {
            // A draft or private post is not published; an attachment or a menu item is no
            // conversation at all.
            let kind = if matches!(post_type.as_str(), "post" | "page") {
                SkipKind::NotPublished
            } else {
                SkipKind::NotAConversation
            };
            out.push_back(self.skip(
                pos,
                kind,
                format!("WordPress {post_type} with status {status}"),
            ));
            for _ in &comments {
                out.push_back(self.skip(
                    pos,
                    SkipKind::UnderSkippedPost,
                    format!("comment on a skipped {post_type}"),
                ));
            }
            return;
        }
        let post_id = node.text_of("wp:post_id").unwrap_or_default();
        let link = node.text_of("link");
        let source_id = node
            .text_of("guid")
            .or_else(|| link.clone())
            .map(|id| same_post_whatever_the_scheme(&id))
            .unwrap_or_else(|| {
                format!(
                    "{}wp-post-{post_id}",
                    self.site
                        .as_deref()
                        .map(|s| format!("{s}/"))
                        .unwrap_or_default()
                )
            });
        let title = node.text_of("title");
        // A post without any date (seen in hand-made exports) is dated by its
        // first comment: it cannot be younger than its answers.
        let first_comment = comments
            .iter()
            .filter_map(|c| date_of(c, "wp:comment_date_gmt", "wp:comment_date"))
            .min();
        let Some(created_at) = date_of(node, "wp:post_date_gmt", "wp:post_date").or(first_comment)
        else {
            out.push_back(Err(ItemError::item(&self.xml.path, pos, format!("post {source_id}: expected a date in <wp:post_date_gmt>, <wp:post_date> or <pubDate>"))));
            for _ in &comments {
                out.push_back(self.skip(
                    pos,
                    SkipKind::UnderSkippedPost,
                    "comment on an unreadable post".into(),
                ));
            }
            return;
        };
        let login = node
            .text_of("dc:creator")
            .unwrap_or_else(|| "unknown".into());
        let author = self
            .authors
            .get(&login)
            .cloned()
            .unwrap_or_else(|| ImportedPerson {
                channel: CHANNEL.into(),
                handle: login.clone(),
                display_name: login.clone(),
                profile_url: self.site.clone(),
                ..Default::default()
            });
        let html = node
            .child("content:encoded")
            .map(|c| shortcodes::expand(&c.text))
            .unwrap_or_default();
        out.push_back(Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            source_id: source_id.clone(),
            thread_source_id: source_id.clone(),
            parent_source_id: None,
            thread_title: title.clone(),
            url: link.clone(),
            author,
            created_at,
            body_text: text_from_html(&html),
            body_html: Some(html),
            lang: self.language.clone(),
        })));
        for c in comments {
            out.push_back(self.comment(c, pos, &source_id, title.as_deref(), link.as_deref()));
        }
    }

    fn comment(
        &self,
        c: &XmlNode,
        pos: Position,
        post: &str,
        title: Option<&str>,
        link: Option<&str>,
    ) -> Item {
        let id = c.text_of("wp:comment_id").unwrap_or_default();
        let approved = c
            .text_of("wp:comment_approved")
            .unwrap_or_else(|| "1".into());
        if approved != "1" {
            let (kind, why) = match approved.as_str() {
                "spam" => (SkipKind::Spam, "spam"),
                "trash" => (SkipKind::Deleted, "trashed"),
                _ => (SkipKind::Unapproved, "unapproved"),
            };
            return self.skip(pos, kind, format!("comment {id}: {why}"));
        }
        if let Some(kind) = c.text_of("wp:comment_type").filter(|t| t != "comment") {
            return self.skip(
                pos,
                SkipKind::NotAConversation,
                format!("comment {id}: {kind}"),
            );
        }
        if id.is_empty() {
            return Err(ItemError::item(
                &self.xml.path,
                pos,
                format!("comment on {post}: expected <wp:comment_id>"),
            ));
        }
        let Some(created_at) = date_of(c, "wp:comment_date_gmt", "wp:comment_date") else {
            return Err(ItemError::item(
                &self.xml.path,
                pos,
                format!("comment {id}: expected a date in <wp:comment_date_gmt>"),
            ));
        };
        let name = c
            .text_of("wp:comment_author")
            .unwrap_or_else(|| "Anonymous".into());
        let email = c.text_of("wp:comment_author_email");
        let author = ImportedPerson {
            channel: CHANNEL.into(),
            handle: name.clone(),
            display_name: name,
            email,
            profile_url: c
                .text_of("wp:comment_author_url")
                .filter(|u| u != "http://"),
            links: Vec::new(),
        };
        let parent = c
            .text_of("wp:comment_parent")
            .filter(|p| p != "0")
            .map(|p| format!("{post}#comment-{p}"));
        let html = c
            .child("wp:comment_content")
            .map(|n| n.text.clone())
            .unwrap_or_default();
        Ok(Record::Message(ImportedMessage {
            channel: CHANNEL.into(),
            source_id: format!("{post}#comment-{id}"),
            thread_source_id: post.to_string(),
            parent_source_id: Some(parent.unwrap_or_else(|| post.to_string())),
            thread_title: title.map(str::to_string),
            url: link.map(|l| format!("{l}#comment-{id}")),
            author,
            created_at,
            body_text: text_from_html(&html),
            body_html: Some(html),
            lang: self.language.clone(),
        }))
    }
}

//! A thin streaming layer over quick-xml shared by the XML formats.
//!
//! Elements are named `prefix:local` with a *canonical* prefix chosen from
//! the namespace URI, not from the document, so `wp:` means WordPress export
//! whether the file says `http://wordpress.org/export/1.0/` or
//! `https://wordpress.org/export/1.2/`, and Atom elements are `atom:*`
//! whatever prefix (or default namespace) the feed uses. Parsers walk start
//! tags with [`XmlStream::next_start`] and read one item at a time into a
//! small tree with [`XmlStream::read_subtree`]: memory is one item.
//!
//! Nesting is bounded by [`MAX_DEPTH`]: the tree of an item is built, walked
//! and dropped by recursive code, and 50,000 nested elements (350 KB of XML)
//! overflowed the stack and aborted the whole process. An item nested deeper
//! is skipped with an error naming its line (the reader walks to its end tag
//! without building anything); nesting that deep outside any item ends the
//! reading of the file.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{ItemError, Position};
use crate::html::decode_entities;

/// The deepest element nesting read (the root is depth 0). Real exports nest
/// a few dozen levels at most (XHTML content inside an Atom entry included).
pub(crate) const MAX_DEPTH: usize = 512;

/// One element read whole.
#[derive(Debug, Default, Clone)]
pub(crate) struct XmlNode {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<XmlNode>,
    /// Text that follows this element inside its parent (mixed content).
    pub tail: String,
}

impl XmlNode {
    pub fn child(&self, name: &str) -> Option<&XmlNode> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlNode> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// Trimmed text of the first child called `name`, if non-empty.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }
    /// Re-serialises the children and text as HTML-ish markup (local names),
    /// used for Atom `type="xhtml"` content.
    pub fn inner_markup(&self) -> String {
        let mut out = escape_text(&self.text);
        for c in &self.children {
            let local = c.name.rsplit(':').next().unwrap_or(&c.name);
            out.push('<');
            out.push_str(local);
            for (k, v) in &c.attrs {
                let k = k.rsplit(':').next().unwrap_or(k);
                out.push_str(&format!(
                    " {k}=\"{}\"",
                    escape_text(v).replace('"', "&quot;")
                ));
            }
            out.push('>');
            out.push_str(&c.inner_markup());
            out.push_str(&format!("</{local}>"));
            out.push_str(&escape_text(&c.tail));
        }
        out
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Canonical prefix for a namespace URI.
fn canonical_prefix(ns: &[u8]) -> Option<&'static str> {
    let ns = std::str::from_utf8(ns).ok()?;
    let ns = ns
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    Some(if ns.starts_with("wordpress.org/export/") {
        if ns.contains("/excerpt") {
            "excerpt"
        } else {
            "wp"
        }
    } else if ns.starts_with("purl.org/rss/1.0/modules/content") {
        "content"
    } else if ns.starts_with("purl.org/dc/elements") {
        "dc"
    } else if ns.starts_with("www.w3.org/2005/Atom") || ns.starts_with("purl.org/atom/ns") {
        "atom"
    } else if ns.starts_with("purl.org/syndication/thread") {
        "thr"
    } else if ns.starts_with("wellformedweb.org/CommentAPI") {
        "wfw"
    } else if ns.starts_with("purl.org/rss/1.0/modules/slash") {
        "slash"
    } else if ns == "disqus.com" {
        ""
    } else if ns.starts_with("disqus.com/disqus-internals") {
        "dsq"
    } else if ns.starts_with("www.w3.org/XML/1998/namespace") {
        "xml"
    } else if ns.starts_with("purl.org/rss/1.0") && !ns.contains("modules") {
        ""
    } else if ns.starts_with("www.w3.org/1999/02/22-rdf-syntax-ns") {
        "rdf"
    } else {
        return None;
    })
}

fn qualify(res: &ResolveResult, raw_name: &[u8], local: &[u8]) -> String {
    let local_s = String::from_utf8_lossy(local);
    match res {
        ResolveResult::Bound(ns) => match canonical_prefix(ns.as_ref()) {
            Some("") => local_s.into_owned(),
            Some(p) => format!("{p}:{local_s}"),
            None => String::from_utf8_lossy(raw_name).into_owned(),
        },
        _ => String::from_utf8_lossy(raw_name).into_owned(),
    }
}

/// A started element, as returned by [`XmlStream::next_start`].
pub(crate) struct Start {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// Depth of this element (the root is 0).
    pub depth: usize,
    pub empty: bool,
    /// Where the start tag ends (line, byte offset).
    pub position: Position,
}

/// Counts the newlines the XML parser has consumed, so every start tag gets a line number.
struct LineCounter<R> {
    inner: R,
    lines: Arc<AtomicU64>,
}

impl<R: BufRead> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.fetch_add(
            buf[..n].iter().filter(|&&b| b == b'\n').count() as u64,
            Ordering::Relaxed,
        );
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.lines.fetch_add(
                buf[..n].iter().filter(|&&b| b == b'\n').count() as u64,
                Ordering::Relaxed,
            );
        }
        self.inner.consume(amt)
    }
}

pub(crate) struct XmlStream {
    reader: NsReader<Box<dyn BufRead + Send>>,
    lines: Arc<AtomicU64>,
    buf: Vec<u8>,
    pub path: PathBuf,
    /// Names of the open elements.
    pub stack: Vec<String>,
    pub finished: bool,
}

impl XmlStream {
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let lines = Arc::new(AtomicU64::new(0));
        let src: Box<dyn BufRead + Send> = Box::new(LineCounter {
            inner: crate::encoding::open_xml(path)?,
            lines: lines.clone(),
        });
        let mut reader = NsReader::from_reader(src);
        reader.config_mut().trim_text(false);
        reader.config_mut().check_end_names = true;
        Ok(XmlStream {
            reader,
            lines,
            buf: Vec::with_capacity(8192),
            path: path.to_path_buf(),
            stack: Vec::new(),
            finished: false,
        })
    }

    pub fn offset(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// The current position: line (1-based) and byte offset.
    pub fn position(&self) -> Position {
        Position {
            line: Some(self.lines.load(Ordering::Relaxed) + 1),
            offset: Some(self.offset()),
        }
    }

    /// A fatal error at the current position, with its line.
    pub fn fatal(&self, reason: impl Into<String>) -> ItemError {
        ItemError::fatal(&self.path, self.position(), reason)
    }

    fn attrs_of(
        reader: &NsReader<Box<dyn BufRead + Send>>,
        e: &BytesStart<'_>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for a in e.attributes().with_checks(false).flatten() {
            let (res, local) = reader.resolve_attribute(a.key);
            let key = match res {
                ResolveResult::Bound(_) => qualify(&res, a.key.as_ref(), local.as_ref()),
                _ => String::from_utf8_lossy(a.key.as_ref()).into_owned(),
            };
            let raw = String::from_utf8_lossy(&a.value);
            out.push((key, decode_entities(&raw)));
        }
        out
    }

    /// Advances to the next start tag anywhere in the document, or `None` at
    /// the end. An XML error or a premature end of file is a fatal error.
    pub fn next_start(&mut self) -> Result<Option<Start>, ItemError> {
        if self.finished {
            return Ok(None);
        }
        loop {
            self.buf.clear();
            let ev = self.reader.read_resolved_event_into(&mut self.buf);
            match ev {
                Err(e) => {
                    self.finished = true;
                    return Err(self.fatal(format!("malformed XML: {e}")));
                }
                Ok((res, Event::Start(e))) => {
                    let name = qualify(&res, e.name().as_ref(), e.local_name().as_ref());
                    if self.stack.len() >= MAX_DEPTH {
                        self.finished = true;
                        return Err(self.fatal(format!(
                            "elements nested deeper than {MAX_DEPTH} levels (at <{name}>)"
                        )));
                    }
                    let attrs = Self::attrs_of(&self.reader, &e);
                    let depth = self.stack.len();
                    self.stack.push(name.clone());
                    return Ok(Some(Start {
                        name,
                        attrs,
                        depth,
                        empty: false,
                        position: self.position(),
                    }));
                }
                Ok((res, Event::Empty(e))) => {
                    let name = qualify(&res, e.name().as_ref(), e.local_name().as_ref());
                    let attrs = Self::attrs_of(&self.reader, &e);
                    return Ok(Some(Start {
                        name,
                        attrs,
                        depth: self.stack.len(),
                        empty: true,
                        position: self.position(),
                    }));
                }
                Ok((_, Event::End(_))) => {
                    self.stack.pop();
                }
                Ok((_, Event::Eof)) => {
                    self.finished = true;
                    if let Some(open) = self.stack.last() {
                        return Err(self.fatal(format!(
                            "file ends inside <{open}>: expected </{open}> (truncated file?)"
                        )));
                    }
                    return Ok(None);
                }
                Ok(_) => {}
            }
        }
    }

    /// Reads the element just returned by `next_start` to its end tag.
    pub fn read_subtree(&mut self, start: Start) -> Result<XmlNode, ItemError> {
        let root = XmlNode {
            name: start.name,
            attrs: start.attrs,
            ..Default::default()
        };
        if start.empty {
            return Ok(root);
        }
        let mut chain: Vec<XmlNode> = vec![root];
        // Depth of the stack once this element is closed again.
        let base = self.stack.len().saturating_sub(1);
        loop {
            self.buf.clear();
            let ev = self.reader.read_resolved_event_into(&mut self.buf);
            match ev {
                Err(e) => {
                    self.finished = true;
                    return Err(self.fatal(format!("malformed XML: {e}")));
                }
                Ok((res, Event::Start(e))) => {
                    let name = qualify(&res, e.name().as_ref(), e.local_name().as_ref());
                    if self.stack.len() >= MAX_DEPTH {
                        let at = self.position();
                        let item = chain.first().map(|n| n.name.clone()).unwrap_or_default();
                        // The nodes in `chain` are not linked to each other yet: dropping them
                        // is flat, whatever the depth.
                        drop(chain);
                        self.stack.push(name);
                        self.skip_to(base)?;
                        return Err(ItemError::item(
                            &self.path,
                            start.position,
                            format!(
                                "<{item}> skipped: elements nested deeper than {MAX_DEPTH} levels \
                                 (line {}, byte {})",
                                at.line.unwrap_or(0),
                                at.offset.unwrap_or(0)
                            ),
                        ));
                    }
                    let attrs = Self::attrs_of(&self.reader, &e);
                    self.stack.push(name.clone());
                    chain.push(XmlNode {
                        name,
                        attrs,
                        ..Default::default()
                    });
                }
                Ok((res, Event::Empty(e))) => {
                    let name = qualify(&res, e.name().as_ref(), e.local_name().as_ref());
                    let attrs = Self::attrs_of(&self.reader, &e);
                    if let Some(top) = chain.last_mut() {
                        top.children.push(XmlNode {
                            name,
                            attrs,
                            ..Default::default()
                        });
                    }
                }
                Ok((_, Event::Text(t))) => {
                    let raw = String::from_utf8_lossy(t.as_ref());
                    push_text(&mut chain, &decode_entities(&raw));
                }
                Ok((_, Event::CData(c))) => {
                    push_text(&mut chain, &String::from_utf8_lossy(c.as_ref()));
                }
                Ok((_, Event::End(_))) => {
                    self.stack.pop();
                    let Some(done) = chain.pop() else { break };
                    match chain.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Ok((_, Event::Eof)) => {
                    self.finished = true;
                    let open = chain.last().map(|n| n.name.clone()).unwrap_or_default();
                    return Err(self.fatal(format!(
                        "file ends inside <{open}>: expected </{open}> (truncated file?)"
                    )));
                }
                Ok(_) => {}
            }
        }
        Err(self.fatal("unbalanced XML"))
    }

    /// Reads on, building nothing, until the stack is back to `depth` open elements.
    fn skip_to(&mut self, depth: usize) -> Result<(), ItemError> {
        // A count, not names: the skipped part may be nested arbitrarily deep.
        let mut open = self.stack.len().saturating_sub(depth) as u64;
        self.stack.truncate(depth);
        while open > 0 {
            self.buf.clear();
            match self.reader.read_resolved_event_into(&mut self.buf) {
                Err(e) => {
                    self.finished = true;
                    return Err(self.fatal(format!("malformed XML: {e}")));
                }
                Ok((_, Event::Start(_))) => open += 1,
                Ok((_, Event::End(_))) => open -= 1,
                Ok((_, Event::Eof)) => {
                    self.finished = true;
                    return Err(
                        self.fatal("file ends inside deeply nested elements (truncated file?)")
                    );
                }
                Ok(_) => {}
            }
        }
        Ok(())
    }
}

fn push_text(chain: &mut [XmlNode], text: &str) {
    if let Some(top) = chain.last_mut() {
        match top.children.last_mut() {
            Some(last) => last.tail.push_str(text),
            None => top.text.push_str(text),
        }
    }
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

//! Streaming the elements of a big JSON array, one element at a time.
//!
//! serde_json reads one value whole; an `outbox.json` or `tweets.js` can be
//! hundreds of megabytes. [`ArrayStream`] scans bytes (tracking strings,
//! escapes and nesting), finds the array (the top-level array, or the value
//! of a key path such as `["orderedItems"]`), and hands back each element's
//! bytes to be parsed by serde_json on its own. Memory is one element. It
//! also skips any prefix before the first `[` or `{` (the
//! `window.YTD.tweets.part0 = ` of X archives), and reports line and byte
//! offset of each element for error messages.

use std::io::BufRead;

use crate::error::Position;

/// The largest element kept, in bytes: memory is one element, and one element must not be
/// the whole file (a 4 GiB string inside a zip bomb). Far above any real message.
pub const MAX_ELEMENT_BYTES: usize = 64 << 20;

/// Where the array to stream is.
#[derive(Debug, Clone)]
pub enum ArrayAt {
    /// The document itself is an array (after any non-JSON prefix).
    TopLevel,
    /// The array is the value of this key path from the top-level object.
    Path(Vec<String>),
}

/// One raw element and where it started.
#[derive(Debug)]
pub struct RawElement {
    /// The element's JSON text.
    pub bytes: Vec<u8>,
    /// Line and byte offset of its first byte.
    pub position: Position,
}

/// A structural problem in the JSON text (truncated, unbalanced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    /// Where.
    pub position: Position,
    /// What was expected.
    pub reason: String,
}

/// The scanner.
pub struct ArrayStream<R> {
    reader: R,
    at: ArrayAt,
    buf: Vec<u8>,
    pos: usize,
    offset: u64,
    line: u64,
    state: State,
    done: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    Seeking,
    InArray,
}

impl<R: BufRead> ArrayStream<R> {
    /// Streams the array found at `at` in `reader`.
    pub fn new(reader: R, at: ArrayAt) -> Self {
        ArrayStream {
            reader,
            at,
            buf: Vec::new(),
            pos: 0,
            offset: 0,
            line: 1,
            state: State::Seeking,
            done: false,
        }
    }

    fn here(&self) -> Position {
        Position {
            line: Some(self.line),
            offset: Some(self.offset),
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        if self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            let here = self.here();
            let chunk = self.reader.fill_buf().map_err(|e| ScanError {
                position: here,
                reason: format!("read error: {e}"),
            })?;
            if chunk.is_empty() {
                return Ok(None);
            }
            self.buf.extend_from_slice(chunk);
            let n = chunk.len();
            self.reader.consume(n);
        }
        Ok(Some(self.buf[self.pos]))
    }

    fn bump(&mut self) -> Result<Option<u8>, ScanError> {
        let b = self.peek()?;
        if let Some(c) = b {
            self.pos += 1;
            self.offset += 1;
            if c == b'\n' {
                self.line += 1;
            }
        }
        Ok(b)
    }

    fn too_big(&self) -> ScanError {
        ScanError {
            position: self.here(),
            reason: format!(
                "an element larger than {} MiB: not read",
                MAX_ELEMENT_BYTES >> 20
            ),
        }
    }

    fn eof_error(&self, what: &str) -> ScanError {
        ScanError {
            position: self.here(),
            reason: format!("file ends early: expected {what} (truncated file?)"),
        }
    }

    fn skip_ws(&mut self) -> Result<Option<u8>, ScanError> {
        while let Some(c) = self.peek()? {
            if c.is_ascii_whitespace() {
                self.bump()?;
            } else {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// Reads a string token (the opening quote already peeked), optionally keeping it.
    fn read_string(&mut self, keep: Option<&mut Vec<u8>>) -> Result<(), ScanError> {
        let mut sink = keep;
        self.bump()?; // opening quote
        if let Some(s) = sink.as_deref_mut() {
            s.push(b'"');
        }
        let mut escaped = false;
        loop {
            let Some(c) = self.bump()? else {
                return Err(self.eof_error("the end of a string"));
            };
            if let Some(s) = sink.as_deref_mut() {
                s.push(c);
                if s.len() > MAX_ELEMENT_BYTES {
                    return Err(self.too_big());
                }
            }
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                return Ok(());
            }
        }
    }

    /// Reads one whole value, optionally keeping its bytes.
    fn read_value(&mut self, mut keep: Option<&mut Vec<u8>>) -> Result<(), ScanError> {
        let Some(first) = self.skip_ws()? else {
            return Err(self.eof_error("a value"));
        };
        match first {
            b'"' => self.read_string(keep),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    let Some(c) = self.peek()? else {
                        return Err(self.eof_error("the end of an object or array"));
                    };
                    if c == b'"' {
                        self.read_string(keep.as_deref_mut())?;
                        continue;
                    }
                    self.bump()?;
                    if let Some(s) = keep.as_deref_mut() {
                        s.push(c);
                        if s.len() > MAX_ELEMENT_BYTES {
                            return Err(self.too_big());
                        }
                    }
                    match c {
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {
                while let Some(c) = self.peek()? {
                    if matches!(c, b',' | b']' | b'}') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.bump()?;
                    if let Some(s) = keep.as_deref_mut() {
                        s.push(c);
                    }
                }
                Ok(())
            }
        }
    }

    /// Walks the object we are in (its `{` consumed) looking for `path[level]`.
    fn seek_key(&mut self, path: &[String], level: usize) -> Result<bool, ScanError> {
        loop {
            let Some(c) = self.skip_ws()? else {
                return Err(self.eof_error("a key or '}'"));
            };
            match c {
                b'}' => {
                    self.bump()?;
                    return Ok(false);
                }
                b',' => {
                    self.bump()?;
                }
                b'"' => {
                    let mut key = Vec::new();
                    self.read_string(Some(&mut key))?;
                    let key: String = serde_json::from_slice(&key).unwrap_or_default();
                    if self.skip_ws()? != Some(b':') {
                        return Err(ScanError {
                            position: self.here(),
                            reason: "expected ':' after an object key".into(),
                        });
                    }
                    self.bump()?;
                    if key == path[level] {
                        let next = self.skip_ws()?;
                        if level + 1 == path.len() {
                            if next == Some(b'[') {
                                self.bump()?;
                                return Ok(true);
                            }
                            return Err(ScanError {
                                position: self.here(),
                                reason: format!("expected an array as the value of \"{key}\""),
                            });
                        }
                        if next == Some(b'{') {
                            self.bump()?;
                            if self.seek_key(path, level + 1)? {
                                return Ok(true);
                            }
                            continue;
                        }
                    }
                    self.read_value(None)?;
                }
                other => {
                    return Err(ScanError {
                        position: self.here(),
                        reason: format!("expected an object key, found {:?}", other as char),
                    });
                }
            }
        }
    }

    fn seek(&mut self) -> Result<bool, ScanError> {
        // Skip any non-JSON prefix (e.g. `window.YTD.tweets.part0 = `).
        loop {
            match self.peek()? {
                None => {
                    return Err(ScanError {
                        position: self.here(),
                        reason: "expected a JSON document, found nothing".into(),
                    });
                }
                Some(b'[') | Some(b'{') => break,
                Some(_) => {
                    self.bump()?;
                }
            }
        }
        let at = self.at.clone();
        match at {
            ArrayAt::TopLevel => {
                if self.bump()? != Some(b'[') {
                    return Err(ScanError {
                        position: self.here(),
                        reason: "expected a JSON array '['".into(),
                    });
                }
                Ok(true)
            }
            ArrayAt::Path(path) => {
                if self.bump()? != Some(b'{') {
                    return Err(ScanError {
                        position: self.here(),
                        reason: "expected a JSON object '{'".into(),
                    });
                }
                if path.is_empty() {
                    return Ok(false);
                }
                self.seek_key(&path, 0)
            }
        }
    }

    /// The next element, `Ok(None)` at the end of the array (or when the key is absent).
    pub fn next_element(&mut self) -> Result<Option<RawElement>, ScanError> {
        if self.done {
            return Ok(None);
        }
        let result = self.next_inner();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    fn next_inner(&mut self) -> Result<Option<RawElement>, ScanError> {
        if self.state == State::Seeking {
            if !self.seek()? {
                return Ok(None);
            }
            self.state = State::InArray;
        }
        loop {
            let Some(c) = self.skip_ws()? else {
                return Err(self.eof_error("an array element or ']'"));
            };
            match c {
                b']' => {
                    self.bump()?;
                    // A key can repeat (Mastodon writes `"orderedItems":[]` then
                    // the real one): keep looking in the same object.
                    if let ArrayAt::Path(path) = self.at.clone()
                        && !path.is_empty()
                        && self.seek_key(&path, path.len() - 1)?
                    {
                        continue;
                    }
                    return Ok(None);
                }
                b',' => {
                    self.bump()?;
                }
                _ => {
                    let position = self.here();
                    let mut bytes = Vec::new();
                    self.read_value(Some(&mut bytes))?;
                    return Ok(Some(RawElement { bytes, position }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(src: &str, at: ArrayAt) -> (Vec<String>, Option<ScanError>) {
        let mut s = ArrayStream::new(src.as_bytes(), at);
        let mut v = Vec::new();
        loop {
            match s.next_element() {
                Ok(Some(e)) => v.push(String::from_utf8_lossy(&e.bytes).into_owned()),
                Ok(None) => return (v, None),
                Err(e) => return (v, Some(e)),
            }
        }
    }

    #[test]
    fn top_level_with_prefix() {
        let (v, err) = all(
            "window.YTD.tweets.part0 = [ {\"a\":\"]\\\"\"}, 2 ,\"x\"]",
            ArrayAt::TopLevel,
        );
        assert_eq!(v, vec!["{\"a\":\"]\\\"\"}", "2", "\"x\""]);
        assert!(err.is_none());
    }

    #[test]
    fn key_path() {
        let src = r#"{"a":{"items":[9]},"post_stream":{"x":1,"posts":[{"id":1},{"id":2}]},"z":3}"#;
        let (v, err) = all(
            src,
            ArrayAt::Path(vec!["post_stream".into(), "posts".into()]),
        );
        assert_eq!(v, vec![r#"{"id":1}"#, r#"{"id":2}"#]);
        assert!(err.is_none());
        let (v, _) = all(src, ArrayAt::Path(vec!["missing".into()]));
        assert!(v.is_empty());
        let (v, err) = all(
            r#"{"items":[],"n":1,"items":[1,2]}"#,
            ArrayAt::Path(vec!["items".into()]),
        );
        assert_eq!(v, vec!["1", "2"]);
        assert!(err.is_none());
    }

    #[test]
    fn truncated_yields_before_damage() {
        let (v, err) = all("[{\"a\":1},\n{\"b\":2},\n{\"c\":", ArrayAt::TopLevel);
        assert_eq!(v.len(), 2);
        let err = err.map(|e| e.position.line);
        assert_eq!(err, Some(Some(3)));
    }
}

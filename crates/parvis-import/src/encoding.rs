//! Character encodings, decoded the way browsers do.
//!
//! Order of precedence: a byte-order mark wins; then the declared label
//! (HTTP charset, XML declaration, MIME charset) looked up in the WHATWG
//! Encoding Standard table, where `iso-8859-1`, `latin1` and `ascii` all mean
//! windows-1252; then UTF-8. Undecodable bytes become U+FFFD: a bad byte
//! never aborts an import.

use std::io::{self, BufRead, Read};

use encoding_rs::{Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Decodes `bytes` to a `String` as a browser would: BOM first, then the
/// `declared` label (WHATWG names, so `iso-8859-1` is windows-1252), then UTF-8.
/// Invalid sequences are replaced by U+FFFD. An unknown label falls back to UTF-8.
pub fn decode_to_utf8(bytes: &[u8], declared: Option<&str>) -> String {
    let enc = pick_encoding(bytes, declared);
    let (text, _, _) = enc.decode(bytes); // handles (and strips) a BOM itself
    text.into_owned()
}

/// The encoding to use for `bytes`, given an optional declared label.
pub fn pick_encoding(bytes: &[u8], declared: Option<&str>) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    if let Some(enc) = declared.and_then(label_to_encoding) {
        return enc;
    }
    UTF_8
}

/// Looks a label up in the WHATWG table; UTF-16 labels without a BOM are kept.
pub fn label_to_encoding(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'');
    Encoding::for_label(label.as_bytes())
}

/// Finds the encoding of an XML document from its first bytes: BOM, then a
/// UTF-16 pattern without BOM (`<?` in 16-bit units), then the `encoding`
/// pseudo-attribute of the XML declaration, then UTF-8.
pub fn sniff_xml(head: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    if head.starts_with(&[0x3C, 0x00, 0x3F, 0x00]) {
        return UTF_16LE;
    }
    if head.starts_with(&[0x00, 0x3C, 0x00, 0x3F]) {
        return UTF_16BE;
    }
    // Skip junk before the declaration (the remark42 samples start with a backtick).
    let start = head
        .windows(5)
        .position(|w| w == b"<?xml")
        .unwrap_or(usize::MAX);
    if start == usize::MAX {
        return UTF_8;
    }
    let decl_end = head[start..]
        .iter()
        .position(|&b| b == b'>')
        .map(|p| start + p)
        .unwrap_or(head.len());
    let decl = String::from_utf8_lossy(&head[start..decl_end]);
    if let Some(i) = decl.find("encoding") {
        let rest = decl[i + "encoding".len()..]
            .trim_start()
            .trim_start_matches('=')
            .trim_start();
        let quote = rest.chars().next().unwrap_or('"');
        let rest = rest.trim_start_matches(['"', '\'']);
        let end = rest.find(quote).unwrap_or(rest.len());
        if let Some(enc) = label_to_encoding(&rest[..end]) {
            // A document that says UTF-16 but was not detected as such above
            // is in practice ASCII-compatible: trust the bytes, not the label.
            if enc == UTF_16LE || enc == UTF_16BE {
                return UTF_8;
            }
            return enc;
        }
    }
    UTF_8
}

/// A reader that transcodes any encoding to UTF-8 on the fly, chunk by chunk,
/// replacing invalid sequences. Memory is constant.
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    in_buf: Vec<u8>,
    out_buf: Vec<u8>,
    out_pos: usize,
    finished: bool,
}

impl<R: Read> DecodingReader<R> {
    /// Wraps `inner`, decoding from `encoding` (a BOM, if any, is honoured and removed).
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        DecodingReader {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            in_buf: vec![0; 32 * 1024],
            out_buf: Vec::new(),
            out_pos: 0,
            finished: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        let n = loop {
            match self.inner.read(&mut self.in_buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        let last = n == 0;
        let cap = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
        self.out_buf.clear();
        self.out_buf.resize(cap, 0);
        let (_, _, written, _) =
            self.decoder
                .decode_to_utf8(&self.in_buf[..n], &mut self.out_buf, last);
        self.out_buf.truncate(written);
        self.out_pos = 0;
        if last {
            self.finished = true;
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out_buf.len() {
            if self.finished {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = (self.out_buf.len() - self.out_pos).min(buf.len());
        buf[..n].copy_from_slice(&self.out_buf[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Opens an XML file as a UTF-8 buffered stream, whatever its encoding.
pub(crate) fn open_xml(path: &std::path::Path) -> io::Result<Box<dyn BufRead + Send>> {
    let mut file = std::fs::File::open(path)?;
    let mut head = vec![0u8; 1024];
    let mut filled = 0;
    while filled < head.len() {
        let n = file.read(&mut head[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    let enc = sniff_xml(&head);
    let chained = io::Cursor::new(head).chain(file);
    Ok(Box::new(io::BufReader::with_capacity(
        64 * 1024,
        DecodingReader::new(chained, enc),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_is_windows_1252() {
        // 0x80 is the euro sign in windows-1252, a C1 control in true ISO-8859-1.
        assert_eq!(
            decode_to_utf8(b"caf\xe9 \x80", Some("iso-8859-1")),
            "café €"
        );
    }

    #[test]
    fn bom_wins_over_declaration() {
        let bytes = [0xEF, 0xBB, 0xBF, b'h', 0xC3, 0xA9];
        assert_eq!(decode_to_utf8(&bytes, Some("windows-1252")), "hé");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(decode_to_utf8(b"a\xffb", None), "a\u{FFFD}b");
        assert_eq!(
            decode_to_utf8(b"a\xffb", Some("no-such-charset")),
            "a\u{FFFD}b"
        );
    }

    #[test]
    fn sniffs_xml_declaration() {
        assert_eq!(
            sniff_xml(b"<?xml version='1.0' encoding='ISO-8859-1'?><rss/>").name(),
            "windows-1252"
        );
        assert_eq!(sniff_xml(b"<?xml version=\"1.0\"?><rss/>").name(), "UTF-8");
        assert_eq!(sniff_xml(&[0x3C, 0, 0x3F, 0]).name(), "UTF-16LE");
    }

    #[test]
    fn decoding_reader_streams() {
        let src: &[u8] = b"<a>\xe9t\xe9</a>";
        let mut r = DecodingReader::new(src, encoding_rs::WINDOWS_1252);
        let mut s = String::new();
        r.read_to_string(&mut s).ok();
        assert_eq!(s, "<a>été</a>");
    }
}

//! The JSON of a thread page (`GET /api/v1/threads/{id}`, the embed's data endpoint), written
//! by hand around the message texts.
//!
//! Why not `serde_json::to_writer` on the records, as everywhere else: profiled under load
//! (BENCHMARKS.md, "Pages that read the store"), an uncached thread read spent a fifth of its
//! time in serde_json's string escaping, which looks at every byte of the ~70 kB of Markdown
//! and HTML a 50-message page carries. [`push_json_str`] checks eight bytes at a time and
//! copies the runs that need no escape. Everything small (ids, authors, reactions) still goes
//! through serde; the bytes are exactly serde_json's (a test compares them), so the OpenAPI
//! schema derived from the records stays the truth.

use parvis_domain::{MessageView, PageRequest, ThreadSummary};
use std::io::Write;

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_ne_bytes([1; 8]);
/// The high bit of every byte of a word.
const HIGH: u64 = ONES * 0x80;

/// The bytes of `w` (read little-endian) that a JSON string must escape: `"`, `\` and the
/// controls below 0x20, as the high bit of each such byte. These are the "has a zero byte" and
/// "has a byte below n" word tricks: a bit above the first match may be wrong (a borrow), but
/// the lowest set bit is always the first byte to escape, which is all [`push_json_str`] uses.
fn escapes_in(w: u64) -> u64 {
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = w ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (below_space | quote | backslash) & HIGH
}

/// The escape of one byte, if it needs one (serde_json's choices: short forms where JSON has
/// them, `\u00xx` in lower-case hex otherwise).
fn escape_of(byte: u8) -> Option<&'static [u8]> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    const CONTROLS: [[u8; 6]; 32] = {
        let mut t = [[0u8; 6]; 32];
        let mut i = 0;
        while i < 32 {
            t[i] = [b'\\', b'u', b'0', b'0', HEX[i >> 4], HEX[i & 15]];
            i += 1;
        }
        t
    };
    Some(match byte {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        0..=0x1f => &CONTROLS[byte as usize],
        _ => return None,
    })
}

/// Append `s` to `out` as a JSON string (quotes included), byte for byte as serde_json would.
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut clean_from = 0;
    let mut i = 0;
    // Eight bytes at a time; at the first byte to escape, copy the clean run before it.
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let found = escapes_in(word);
        if found == 0 {
            i += 8;
            continue;
        }
        let at = i + (found.trailing_zeros() / 8) as usize;
        if let Some(escape) = escape_of(bytes[at]) {
            out.extend_from_slice(&bytes[clean_from..at]);
            out.extend_from_slice(escape);
            clean_from = at + 1;
        }
        i = at + 1;
    }
    // The last (fewer than eight) bytes.
    for (at, &byte) in bytes.iter().enumerate().skip(i) {
        if let Some(escape) = escape_of(byte) {
            out.extend_from_slice(&bytes[clean_from..at]);
            out.extend_from_slice(escape);
            clean_from = at + 1;
        }
    }
    out.extend_from_slice(&bytes[clean_from..]);
    out.push(b'"');
}

/// Append `value` as serde_json writes it (for the small fields).
fn push_serde<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> serde_json::Result<()> {
    serde_json::to_writer(&mut *out, value)
}

/// One message, field for field in the order its `Serialize` derive writes them.
fn push_message(out: &mut Vec<u8>, m: &MessageView<'_>) -> serde_json::Result<()> {
    // `write!` into a Vec cannot fail.
    let _ = write!(
        out,
        "{{\"id\":{},\"thread_id\":{},\"parent_id\":",
        m.id.0, m.thread_id.0
    );
    push_serde(out, &m.parent_id)?;
    out.extend_from_slice(b",\"parent_author\":");
    push_serde(out, &m.parent_author)?;
    out.extend_from_slice(b",\"author\":");
    push_serde(out, &m.author)?;
    out.extend_from_slice(b",\"body_markdown\":");
    push_json_str(out, m.body_markdown);
    out.extend_from_slice(b",\"body_html\":");
    push_json_str(out, m.body_html);
    let _ = write!(out, ",\"created_at\":{},\"channel\":", m.created_at);
    push_json_str(out, m.channel);
    out.extend_from_slice(b",\"source_url\":");
    push_serde(out, &m.source_url)?;
    out.extend_from_slice(b",\"reactions\":");
    push_serde(out, m.reactions)?;
    out.push(b'}');
    Ok(())
}

/// Writes `{"thread": …, "messages": {"items": […], "page", "per_page", "total"}}` as the
/// store reads the page ([`parvis_store::Store::thread_page_with`]): each message goes into
/// the answer straight from the row it was read from.
pub(crate) struct ThreadPageJson {
    out: Vec<u8>,
    page: PageRequest,
    total: i64,
    messages: usize,
    /// The first thing serde could not write (nothing here can fail on a `Vec`; kept, not
    /// ignored, should a field ever change).
    failed: Option<serde_json::Error>,
}

impl ThreadPageJson {
    pub(crate) fn new(page: PageRequest) -> ThreadPageJson {
        ThreadPageJson {
            out: Vec::new(),
            page,
            total: 0,
            messages: 0,
            failed: None,
        }
    }

    fn keep(&mut self, written: serde_json::Result<()>) {
        if let Err(e) = written
            && self.failed.is_none()
        {
            self.failed = Some(e);
        }
    }
}

/// A thread page written out: its JSON and how many messages it holds.
pub(crate) struct WrittenPage {
    pub(crate) bytes: Vec<u8>,
    pub(crate) messages: usize,
}

impl parvis_store::ThreadPageVisitor for ThreadPageJson {
    type Output = serde_json::Result<WrittenPage>;

    fn thread(&mut self, thread: &ThreadSummary, total: i64) {
        self.total = total;
        // Sized up front for the page's messages (about 1.5 kB each as JSON in the demo's
        // and the lists' threads): growing a ~70 kB buffer by doubling copied it several times.
        let on_page = (total - self.page.offset()).clamp(0, i64::from(self.page.per_page));
        self.out = Vec::with_capacity(1024 + 2048 * on_page as usize);
        self.out.extend_from_slice(b"{\"thread\":");
        let written = push_serde(&mut self.out, thread);
        self.keep(written);
        self.out.extend_from_slice(b",\"messages\":{\"items\":[");
    }

    fn message(&mut self, message: &MessageView<'_>) {
        if self.messages > 0 {
            self.out.push(b',');
        }
        self.messages += 1;
        let written = push_message(&mut self.out, message);
        self.keep(written);
    }

    fn finish(mut self) -> Self::Output {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let _ = write!(
            self.out,
            "],\"page\":{},\"per_page\":{},\"total\":{}}}}}",
            self.page.page, self.page.per_page, self.total
        );
        Ok(WrittenPage {
            bytes: self.out,
            messages: self.messages,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use parvis_domain::*;

    fn serde_str(s: &str) -> Vec<u8> {
        serde_json::to_vec(s).unwrap()
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_escapes_it() {
        // Every ASCII byte alone, at each position of a word, and surrounded by clean runs.
        for b in 0u8..0x80 {
            let c = char::from(b);
            for pad in 0..17 {
                let s = format!("{}{c}{}", "a".repeat(pad), "é".repeat(pad % 5));
                let mut out = Vec::new();
                push_json_str(&mut out, &s);
                assert_eq!(out, serde_str(&s), "byte {b:#04x} after {pad} bytes");
            }
        }
    }

    #[test]
    fn long_texts_with_quotes_html_and_unicode_match_serde_json() {
        let samples = [
            String::new(),
            "\"".into(),
            "\\\\\\".into(),
            "<p>Voir <a href=\"https://exemple.fr/a?b=1&c=2\">le lien</a></p>\n<p>Ça marche — 👍</p>\n".repeat(40),
            "line\r\nwith\ttabs\u{7f}\u{2028}\u{0}\u{1f} and \u{8}\u{c}".repeat(9),
            "12345678".repeat(100) + "\"",
        ];
        for s in &samples {
            let mut out = Vec::new();
            push_json_str(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(serde_str(s)).unwrap()
            );
        }
    }

    #[test]
    fn random_mixes_of_escapes_and_wide_characters_match_serde_json() {
        let alphabet = [
            'a', 'Z', ' ', '"', '\\', '\n', '\u{1}', '\u{1f}', '\u{7f}', 'é', '€', '😀', '<', '/',
        ];
        let mut state = 2026u64;
        for _ in 0..2_000 {
            let mut s = String::new();
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for _ in 0..(state >> 58) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            let mut out = Vec::new();
            push_json_str(&mut out, &s);
            assert_eq!(out, serde_str(&s), "{s:?}");
        }
    }

    fn member(id: i64) -> MemberRef {
        MemberRef {
            id: MemberId(id),
            handle: format!("m{id}"),
            display_name: "Zoé \"Z\" Martin".into(),
            organisation: "Acme\\Labs".into(),
            ecosystem_role: EcosystemRole::Customer,
        }
    }

    #[test]
    fn a_thread_page_is_byte_for_byte_what_serde_json_writes() {
        let thread = ThreadSummary {
            id: ThreadId(7),
            space_id: SpaceId(1),
            topic_id: Some(TopicId(3)),
            topic_slug: Some("prix".into()),
            title: "Les \"prix\" 2027\n".into(),
            author: member(1),
            created_at: 1_700_000_000_000,
            last_activity_at: 1_700_000_100_000,
            message_count: 2,
            channel: "email".into(),
        };
        let message = |id: i64, parent: Option<i64>| Message {
            id: MessageId(id),
            thread_id: ThreadId(7),
            parent_id: parent.map(MessageId),
            parent_author: parent.map(|_| "Zoé".to_string()),
            author: member(id),
            body_markdown: format!("**Bonjour** {id}\n\n> cité \"ici\"\n\tcode\\n"),
            body_html: format!(
                "<p><strong>Bonjour</strong> {id}</p>\n<blockquote>\u{1}</blockquote>"
            ),
            created_at: -5 + id,
            channel: "parvis".into(),
            source_url: (id % 2 == 0).then(|| "https://x.example/?a=\"b\"".to_string()),
            reactions: vec![ReactionCount {
                kind: ReactionKind::Like,
                count: id,
            }],
        };
        for items in [
            vec![],
            vec![message(1, None)],
            vec![message(1, None), message(2, Some(1))],
        ] {
            let page = Page {
                items,
                page: 2,
                per_page: 50,
                total: 52,
            };
            #[derive(serde::Serialize)]
            struct ThreadPage<'a> {
                thread: &'a ThreadSummary,
                messages: &'a Page<Message>,
            }
            let expected = serde_json::to_vec(&ThreadPage {
                thread: &thread,
                messages: &page,
            })
            .unwrap();
            let ours = {
                use parvis_store::ThreadPageVisitor;
                let mut json = ThreadPageJson::new(PageRequest::new(Some(2), Some(50), 50));
                json.thread(&thread, page.total);
                for m in &page.items {
                    json.message(&m.view());
                }
                json.finish().unwrap().bytes
            };
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}

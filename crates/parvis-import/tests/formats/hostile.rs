//! Hostile input: files built to exhaust the stack, the memory or the patience of an importer.
//! Each must end in a clear error naming the file and the place, never in an abort.

use super::{All, fixture, read};
use parvis_import::Format;
use std::path::PathBuf;

/// Elements nested this deep aborted the process with a stack overflow before the depth limit.
const DEEP: usize = 50_000;

fn nest(tag: &str, depth: usize) -> String {
    format!("<{tag}>").repeat(depth) + &format!("</{tag}>").repeat(depth)
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).expect("write the test file");
    p
}

/// The deep item is skipped with an error at its line; the items around it are imported.
fn assert_deep_item_skipped(a: &All, file: &PathBuf, kept: &[&str]) {
    assert_eq!(
        a.errors.len(),
        1,
        "one error for the deep item: {:?}",
        a.errors
    );
    let e = &a.errors[0];
    assert_eq!(&e.file, file);
    assert!(!e.fatal, "only the deep item is lost: {e}");
    assert_eq!(
        e.position.line,
        Some(3),
        "the error names the item's line: {e}"
    );
    assert!(
        e.to_string().contains("nested deeper than 512 levels"),
        "{e}"
    );
    let mut ids: Vec<&str> = a.messages.iter().map(|m| m.source_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, kept);
}

#[test]
fn deeply_nested_rss_item_is_skipped_not_fatal() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let f = write(
        &dir,
        "deep.rss",
        &format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>t</title>\n\
             <item><guid>deep</guid><title>x</title>{}</item>\n\
             <item><guid>after</guid><title>fine</title><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><description>still read</description></item>\n\
             </channel></rss>\n",
            nest("x", DEEP)
        ),
    );
    let a = read(Format::Rss, std::slice::from_ref(&f));
    assert_deep_item_skipped(&a, &f, &["after"]);
}

#[test]
fn deeply_nested_atom_xhtml_content_is_skipped_not_fatal() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let f = write(
        &dir,
        "deep.atom",
        &format!(
            "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\n\
             <entry><id>deep</id><title>x</title><content type=\"xhtml\">{}</content></entry>\n\
             <entry><id>after</id><title>fine</title><updated>2024-01-01T10:00:00Z</updated><content>ok</content></entry>\n\
             </feed>\n",
            nest("div", DEEP)
        ),
    );
    let a = read(Format::Rss, std::slice::from_ref(&f));
    assert_deep_item_skipped(&a, &f, &["after"]);
}

#[test]
fn deeply_nested_wxr_item_is_skipped_not_fatal() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let item = |id: u32, extra: &str| {
        format!(
            "<item><title>p{id}</title><wp:post_id>{id}</wp:post_id><wp:post_type>post</wp:post_type>\
             <wp:status>publish</wp:status><wp:post_date_gmt>2024-01-0{id} 10:00:00</wp:post_date_gmt>\
             <content:encoded>body {id}</content:encoded>{extra}</item>\n"
        )
    };
    let f = write(
        &dir,
        "deep.wxr",
        &format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>t</title>\n{}{}</channel></rss>\n",
            item(1, &nest("x", DEEP)),
            item(2, "")
        ),
    );
    let a = read(Format::Wxr, std::slice::from_ref(&f));
    assert_eq!(a.messages.len(), 1, "{:?}", a.errors);
    assert_eq!(a.errors.len(), 1);
    assert!(!a.errors[0].fatal && a.errors[0].position.line == Some(3));
    assert!(a.errors[0].reason.contains("nested deeper than 512"));
}

#[test]
fn deep_nesting_outside_any_item_ends_the_file_with_an_error() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let f = write(
        &dir,
        "deep-channel.rss",
        &format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n<item><guid>before</guid><title>a</title><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>\n{}</channel></rss>",
            nest("x", DEEP)
        ),
    );
    let a = read(Format::Rss, std::slice::from_ref(&f));
    assert_eq!(a.messages.len(), 1, "what came before is kept");
    assert_eq!(a.errors.len(), 1);
    assert!(a.errors[0].fatal && a.errors[0].file == f);
    assert_eq!(a.errors[0].position.line, Some(4));
    assert!(a.errors[0].reason.contains("nested deeper than 512 levels"));
}

#[test]
fn nesting_real_exports_use_is_still_read() {
    // Atom XHTML content nested 100 deep (well past real use) stays readable.
    let Ok(dir) = tempfile::tempdir() else { return };
    let f = write(
        &dir,
        "nested.atom",
        &format!(
            "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\n\
             <entry><id>e</id><title>x</title><updated>2024-01-01T10:00:00Z</updated><content type=\"xhtml\">{}</content></entry></feed>\n",
            nest("div", 100)
        ),
    );
    let a = read(Format::Rss, std::slice::from_ref(&f));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(a.messages.len(), 1);
}

/// Raw deflate data (fixed Huffman codes) that inflates to `n` spaces: one literal, then
/// copies of 258 bytes at distance 1, 13 bits each, so 300 MiB take 2 MB.
fn deflate_spaces(n: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        /// Writes a Huffman code, most significant bit first.
        fn code(&mut self, code: u32, width: u32) {
            for i in (0..width).rev() {
                self.acc |= u64::from((code >> i) & 1) << self.len;
                self.len += 1;
                if self.len == 8 {
                    self.out.push(self.acc as u8);
                    self.acc = 0;
                    self.len = 0;
                }
            }
        }
    }
    let mut b = Bits {
        out: Vec::with_capacity(n / 150),
        acc: 0,
        len: 0,
    };
    // BFINAL = 1, BTYPE = 01 (fixed codes): header bits are written least significant first.
    b.code(1, 1);
    b.code(0b10, 2);
    b.code(0x30 + u32::from(b' '), 8); // literal ' '
    let mut left = n.saturating_sub(1);
    while left >= 258 {
        b.code(0b1100_0101, 8); // length 258 (symbol 285)
        b.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        b.code(0x30 + u32::from(b' '), 8);
    }
    b.code(0, 7); // end of block (symbol 256)
    if b.len > 0 {
        b.out.push(b.acc as u8);
    }
    b.out
}

/// A zip of `(name, data, deflated?, inflated size)` entries, written by hand (CRCs left at
/// zero: the importer does not check them before the size limit applies).
fn zip_of(entries: &[(&str, Vec<u8>, bool, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, deflated, size) in entries {
        let offset = out.len() as u32;
        let method: u16 = if *deflated { 8 } else { 0 };
        let header = |sig: u32, central_dir: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central_dir {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
            h.extend_from_slice(&0u32.to_le_bytes()); // crc
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(*size as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central_dir {
                h.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        central.extend(header(0x0201_4b50, true));
        out.extend_from_slice(data);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn a_slack_zip_bomb_is_stopped_at_the_entry_limit_with_flat_memory() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let stored = |s: &str| (s.as_bytes().to_vec(), false, s.len());
    let users = r#"[{"id":"U1","name":"ann","real_name":"Ann"}]"#;
    let channels = r#"[{"id":"C1","name":"general"}]"#;
    let good = r#"[{"type":"message","user":"U1","text":"Bonjour","ts":"1704103200.000100"}]"#;
    // 300 MiB of spaces after a '[': past the 256 MiB a zip entry may inflate to.
    let size = 300 << 20;
    let bomb = deflate_spaces(size);
    let (u, c, g) = (stored(users), stored(channels), stored(good));
    let zip = zip_of(&[
        ("users.json", u.0, u.1, u.2),
        ("channels.json", c.0, c.1, c.2),
        ("general/2024-01-01.json", g.0, g.1, g.2),
        ("general/2024-01-02.json", bomb, true, size),
    ]);
    assert!(zip.len() < 3 << 20, "small on disk: {} bytes", zip.len());
    let f = dir.path().join("bomb.zip");
    std::fs::write(&f, zip).expect("write the zip");
    let a = read(Format::Slack, std::slice::from_ref(&f));
    assert_eq!(a.messages.len(), 1, "the good day is imported");
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    let e = a.errors[0].to_string();
    assert!(
        e.contains("general/2024-01-02.json") && e.contains("more than 256 MiB"),
        "the error names the entry and the limit: {e}"
    );
}

#[test]
fn a_jsonl_line_of_gigabytes_is_skipped_not_held() {
    // 65 MiB without a newline, then a good line.
    let Ok(dir) = tempfile::tempdir() else { return };
    let f = dir.path().join("long.jsonl");
    let mut text = String::from("{\"text\":\"");
    text.push_str(&"a".repeat(65 << 20));
    text.push_str("\"}\n{\"channel\":\"forum\",\"id\":\"ok\",\"author\":{\"handle\":\"ann\"},\"created_at\":\"2024-01-01T00:00:00Z\",\"text\":\"fine\"}\n");
    std::fs::write(&f, text).expect("write");
    let a = read(Format::Jsonl, std::slice::from_ref(&f));
    assert_eq!(a.messages.len(), 1);
    assert_eq!(a.errors.len(), 1);
    assert_eq!(a.errors[0].position.line, Some(1));
    assert!(a.errors[0].reason.contains("longer than 64 MiB"));
    assert_eq!(a.messages[0].source_id, "ok");
}

#[test]
fn json_nested_50000_deep_is_an_error_not_an_abort() {
    // serde_json's recursion limit (128) protects the JSON formats; this keeps it so.
    let Ok(dir) = tempfile::tempdir() else { return };
    let f = write(
        &dir,
        "outbox.json",
        &format!(
            "{{\"orderedItems\":[{}{}]}}",
            "[".repeat(DEEP),
            "]".repeat(DEEP)
        ),
    );
    let a = read(Format::Mastodon, std::slice::from_ref(&f));
    assert!(a.messages.is_empty());
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
}

/// A gzipped "mbox" that inflates far past its size (a second gzip member of 300 MiB of
/// spaces, 2 MB on disk) stops at the limit with an error naming the file; the messages read
/// before are kept.
#[test]
fn a_gzip_bomb_stops_at_its_limit_and_keeps_what_came_before() {
    let Ok(dir) = tempfile::tempdir() else { return };
    let mut bytes = super::gzip(&std::fs::read(fixture("sample.mbox")).expect("fixture"));
    // A gzip member around raw deflate data: header, data, CRC-32 and size (never reached).
    bytes.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    bytes.extend(deflate_spaces(300 << 20));
    bytes.extend_from_slice(&[0; 8]);
    assert!(
        bytes.len() < 3 << 20,
        "small on disk: {} bytes",
        bytes.len()
    );
    let f = dir.path().join("2004-April.txt.gz");
    std::fs::write(&f, bytes).expect("write the archive");
    let a = read(Format::Mbox, std::slice::from_ref(&f));
    assert_eq!(a.messages.len(), 3, "the messages before the bomb are kept");
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    let e = a.errors[0].to_string();
    assert!(
        e.contains("2004-April.txt.gz") && e.contains("more than 256 MiB"),
        "the error names the file and the limit: {e}"
    );
}

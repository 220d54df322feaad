//! Hostile input: files built to exhaust the stack, the memory or the patience of an importer.
//! Each must end in a clear error naming the file and the place, never in an abort.

use super::{All, read};
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

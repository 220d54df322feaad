//! Every format against its fixtures (always) and the shared real samples
//! (when `../shared` is present; skipped with a notice otherwise).

#[path = "formats/hostile.rs"]
mod hostile;

use std::path::{Path, PathBuf};

use parvis_import::{
    Format, ImportError, ImportedMessage, ImportedPerson, ItemError, Record, Skip, SkipKind, Tally,
    open,
};

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

/// A path under `/work/shared/data`, or `None` (with a notice) when absent.
fn shared(p: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(p);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("note: {} absent, test skipped", path.display());
        None
    }
}

#[derive(Default)]
struct All {
    messages: Vec<ImportedMessage>,
    people: Vec<ImportedPerson>,
    skipped: Vec<Skip>,
    errors: Vec<ItemError>,
    tally: Tally,
}

impl All {
    fn msg(&self, source_id: &str) -> &ImportedMessage {
        match self.messages.iter().find(|m| m.source_id == source_id) {
            Some(m) => m,
            None => panic!("no message {source_id}"),
        }
    }
}

fn read(format: Format, paths: &[PathBuf]) -> All {
    let mut all = All::default();
    let records = match open(format, paths) {
        Ok(r) => r,
        Err(e) => panic!("open failed: {e}"),
    };
    for item in records {
        all.tally.add(&item);
        match item {
            Ok(Record::Message(m)) => all.messages.push(m),
            Ok(Record::Person(p)) => all.people.push(p),
            Ok(Record::Skipped(s)) => all.skipped.push(s),
            Err(e) => all.errors.push(e),
        }
    }
    assert_eq!(
        all.tally.total() as usize,
        all.messages.len() + all.people.len() + all.skipped.len() + all.errors.len()
    );
    all
}

fn one(format: Format, p: PathBuf) -> All {
    read(format, &[p])
}

// ---------------------------------------------------------------- WXR

#[test]
fn wxr_isso_fixture_threads_comments() {
    let a = one(Format::Wxr, fixture("isso-wordpress.xml"));
    assert_eq!(a.messages.len(), 10);
    let post = a.msg("http://example.tld/2014/test/");
    assert_eq!(post.thread_title.as_deref(), Some("Hello, World…"));
    assert_eq!(post.channel, "wordpress");
    let c7 = a.msg("http://example.tld/2014/test/#comment-7");
    assert_eq!(
        c7.parent_source_id.as_deref(),
        Some("http://example.tld/2014/test/#comment-6")
    );
    assert_eq!(c7.thread_source_id, "http://example.tld/2014/test/");
    assert_eq!(c7.body_text, "Drölfter!");
    let c2 = a.msg("http://example.tld/2014/test/#comment-2");
    assert_eq!(c2.author.display_name, "Ohai");
    assert_eq!(c2.author.email.as_deref(), Some("test@example.org"));
    assert_eq!(c2.created_at, 1_389_720_732_000); // 2014-01-14 17:32:12 GMT
    // The dateless post with no comments cannot be read: an item error with its line.
    assert_eq!(a.errors.len(), 1);
    assert!(a.errors[0].position.line.is_some() && !a.errors[0].fatal);
}

#[test]
fn wxr_real_samples() {
    let Some(dir) = shared("samples/wxr") else {
        return;
    };
    // WXR 1.2 with the https namespace and threaded comments.
    let a = one(
        Format::Wxr,
        dir.join("wpimporter-theme-unit-test-data-wxr1.2.xml"),
    );
    assert!(a.messages.len() > 50, "{}", a.messages.len());
    let replies = a
        .messages
        .iter()
        .filter(|m| {
            m.parent_source_id
                .as_deref()
                .map(|p| p.contains("#comment-"))
                .unwrap_or(false)
        })
        .count();
    assert!(replies >= 5, "threaded replies: {replies}");
    assert!(a.people.iter().any(|p| p.handle == "themedemos"));
    // WXR 1.0 and 1.1.
    let a = one(Format::Wxr, dir.join("wpimporter-valid-wxr-1.0.xml"));
    assert_eq!(
        a.messages
            .iter()
            .filter(|m| m.parent_source_id.is_some())
            .count(),
        1
    );
    let a = one(Format::Wxr, dir.join("wpimporter-valid-wxr-1.1.xml"));
    assert!(a.errors.is_empty());
    assert_eq!(a.messages.len(), 3);
    // UTF-8 edge cases survive.
    let a = one(Format::Wxr, dir.join("wpimporter-wxr-utf-8-challenges.xml"));
    assert!(a.errors.is_empty());
    // Malformed: a fatal error naming the line and what was expected.
    let a = one(Format::Wxr, dir.join("wpimporter-malformed.xml"));
    assert_eq!(a.errors.len(), 1);
    assert!(a.errors[0].fatal);
    assert_eq!(a.errors[0].position.line, Some(27));
    assert!(
        a.errors[0].reason.contains("expected <channel>"),
        "{}",
        a.errors[0].reason
    );
}

#[test]
fn wxr_https_namespace_and_drafts() {
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else { return };
    let p = dir.path().join("https.xml");
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="https://wordpress.org/export/1.2/">
<channel><title>Blog</title><link>https://blog.example.fr</link><language>fr-FR</language><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>marie</wp:author_login><wp:author_email>marie@acme.fr</wp:author_email><wp:author_display_name><![CDATA[Marie D.]]></wp:author_display_name></wp:author>
<item><title>Publié</title><link>https://blog.example.fr/p</link><guid isPermaLink="false">https://blog.example.fr/?p=1</guid><dc:creator>marie</dc:creator>
<content:encoded><![CDATA[<p>Texte &amp; plus</p>[caption id="attachment_9" width="300"]<img src="https://blog.example.fr/salon.jpg" /> Le salon[/caption][gallery ids="4,5"]]]></content:encoded><wp:post_id>1</wp:post_id><wp:post_date_gmt>2024-03-01 09:00:00</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_author>Spammer</wp:comment_author><wp:comment_date_gmt>2024-03-01 10:00:00</wp:comment_date_gmt><wp:comment_content>buy</wp:comment_content><wp:comment_approved>spam</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>6</wp:comment_id><wp:comment_author>Paul</wp:comment_author><wp:comment_date_gmt>2024-03-01 11:00:00</wp:comment_date_gmt><wp:comment_content>Bien vu</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_author>Marie D.</wp:comment_author><wp:comment_date_gmt>2024-03-01 12:00:00</wp:comment_date_gmt><wp:comment_content>Merci</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>6</wp:comment_parent></wp:comment>
</item>
<item><title>Brouillon</title><wp:post_id>2</wp:post_id><wp:status>draft</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>"#;
    std::fs::write(&p, xml).ok();
    let a = one(Format::Wxr, p);
    assert_eq!(a.people.len(), 1);
    assert_eq!(a.people[0].email.as_deref(), Some("marie@acme.fr"));
    assert_eq!(a.messages.len(), 3);
    assert_eq!(a.skipped.len(), 2); // spam comment, draft
    // Ids read https as http: the same site exported before its move to https is the same
    // posts, not new threads.
    let post = a.msg("http://blog.example.fr/?p=1");
    assert_eq!(post.author.display_name, "Marie D.");
    // Shortcodes are expanded: the caption is a figure, the gallery (attachments the export
    // does not hold) is gone.
    assert!(
        post.body_text.starts_with("Texte & plus"),
        "{}",
        post.body_text
    );
    assert!(post.body_text.contains("Le salon"), "{}", post.body_text);
    assert!(!post.body_text.contains('['), "{}", post.body_text);
    let html = post.body_html.as_deref().unwrap_or_default();
    assert!(html.contains("<figcaption>Le salon</figcaption>"), "{html}");
    assert_eq!(post.lang.as_deref(), Some("fr-FR"));
    let reply = a.msg("http://blog.example.fr/?p=1#comment-7");
    assert_eq!(
        reply.parent_source_id.as_deref(),
        Some("http://blog.example.fr/?p=1#comment-6")
    );
    assert_eq!(
        reply.url.as_deref(),
        Some("https://blog.example.fr/p#comment-7")
    );
    let p2 = dir.path().join("http.xml");
    std::fs::write(
        &p2,
        xml.replace("https://blog.example.fr", "http://blog.example.fr"),
    )
    .ok();
    let b = one(Format::Wxr, p2);
    let ids = |a: &All| {
        let mut v: Vec<String> = a.messages.iter().map(|m| m.source_id.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&a), ids(&b), "the http export is the same posts");
}

#[test]
fn wxr_truncated_yields_items_before_damage() {
    let Ok(src) = std::fs::read(fixture("isso-wordpress.xml")) else {
        panic!("fixture")
    };
    // Cut inside the third <item>: the first two (10 messages) are complete.
    let cut = src
        .windows(11)
        .position(|w| w == b"No comments")
        .unwrap_or(src.len() / 2);
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else { return };
    let path = dir.path().join("truncated.xml");
    std::fs::write(&path, &src[..cut]).ok();
    let a = one(Format::Wxr, path.clone());
    assert_eq!(a.messages.len(), 10);
    let last = a
        .errors
        .last()
        .map(|e| (e.fatal, e.reason.clone(), e.file.clone()));
    let Some((fatal, reason, file)) = last else {
        panic!("expected an error")
    };
    assert!(fatal);
    assert_eq!(file, path);
    assert!(reason.contains("expected"), "{reason}");
}

#[test]
fn wrong_format_is_an_import_error() {
    let e = open(Format::Wxr, &[fixture("isso-disqus.xml")]).err();
    match e {
        Some(ImportError::Malformed {
            file,
            position,
            expected,
        }) => {
            assert!(file.ends_with("isso-disqus.xml"));
            assert_eq!(position.line, Some(2));
            assert!(expected.contains("found <disqus>"), "{expected}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert!(matches!(
        open(Format::Mbox, &[fixture("no-such-file")]),
        Err(ImportError::Io { .. })
    ));
    assert!(matches!(
        open(Format::Jsonl, &[]),
        Err(ImportError::NoInput)
    ));
}

// ---------------------------------------------------------------- Disqus

#[test]
fn disqus_fixture() {
    let a = one(Format::Disqus, fixture("isso-disqus.xml"));
    assert_eq!(a.messages.len(), 5);
    assert_eq!(a.skipped.len(), 1); // the deleted post
    let reply = a.msg("disqus:5");
    assert_eq!(reply.parent_source_id.as_deref(), Some("disqus:4"));
    assert_eq!(reply.thread_source_id, "disqus-thread:2");
    assert_eq!(reply.thread_title.as_deref(), Some("Hello, World!"));
    assert_eq!(reply.body_html.as_deref(), Some("<p>Hello, World.</p>"));
    assert_eq!(reply.url.as_deref(), Some("http://example.org/#comment-5"));
}

#[test]
fn disqus_real_samples() {
    let Some(dir) = shared("samples/disqus") else {
        return;
    };
    let a = one(Format::Disqus, dir.join("disqus-real-evanlin-20210517.xml"));
    // 189 posts: 8 deleted and 13 spam overlap into 21 skipped, the rest imported.
    assert_eq!(a.messages.len() + a.skipped.len(), 189);
    assert!(
        a.messages
            .iter()
            .filter(|m| m.parent_source_id.is_some())
            .count()
            >= 60
    );
    assert!(a.errors.is_empty());
    // remark42's samples start with a stray backtick and hold deliberate damage.
    let a = one(Format::Disqus, dir.join("remark42-disqus.xml"));
    assert_eq!(a.messages.len(), 3);
    assert!(
        !a.errors.is_empty()
            && a.errors
                .iter()
                .all(|e| !e.fatal && e.position.line.is_some())
    );
}

// ---------------------------------------------------------------- RSS / Atom

#[test]
fn atom_comments_thread() {
    let a = one(Format::Rss, fixture("atom-comments.xml"));
    assert_eq!(a.messages.len(), 2);
    let post = a.msg("tag:marie.example.fr,2024:post-1");
    assert_eq!(post.body_text, "Un lieu de rencontre.");
    assert!(
        post.body_html
            .as_deref()
            .unwrap_or("")
            .contains("<em>lieu</em>")
    );
    assert_eq!(post.lang.as_deref(), Some("fr"));
    assert_eq!(post.created_at, 1_709_276_400_000);
    let c = a.msg("tag:marie.example.fr,2024:comment-7");
    assert_eq!(
        c.parent_source_id.as_deref(),
        Some("tag:marie.example.fr,2024:post-1")
    );
    assert_eq!(c.body_text, "Bravo & merci");
    assert_eq!(c.author.email.as_deref(), Some("paul@example.org"));
}

#[test]
fn rss_legacy_encoding_decoded_as_browsers_do() {
    let a = one(Format::Rss, fixture("rss-latin1.xml"));
    let m = a.msg("cafe-1");
    assert_eq!(m.thread_title.as_deref(), Some("Crème brûlée"));
    assert_eq!(m.author.display_name, "Hélène");
    assert_eq!(m.body_text, "Délicieux");
}

#[test]
fn rss_real_samples() {
    if let Some(p) = shared("samples/feeds/perceval-rss_entries.xml") {
        let a = one(Format::Rss, p);
        assert_eq!(a.messages.len(), 30);
        assert!(
            a.messages
                .iter()
                .any(|m| m.author.display_name == "Matthew Groves")
        );
    }
    if let Some(dir) = shared("samples/feeds/feed-rs-fixtures") {
        let a = one(Format::Rss, dir.join("rss1/rss_1.0_iso8859.xml"));
        assert!(a.errors.is_empty());
        let truncated = one(Format::Rss, dir.join("rss2/rss_2.0_invalid_1.xml"));
        assert!(truncated.errors.last().map(|e| e.fatal).unwrap_or(false));
        let atom = one(Format::Rss, dir.join("atom/atom_example_1.xml"));
        assert!(!atom.messages.is_empty());
    }
    if let Some(dir) = shared("samples/feeds/feedparser-tests/encoding") {
        // A whole directory of encoding torture tests must not panic; bad bytes are replaced.
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        paths.sort();
        let mut items = 0;
        for p in paths {
            if let Ok(r) = open(Format::Rss, &[p]) {
                items += r.count();
            }
        }
        assert!(items >= 10, "{items}");
    }
}

// ---------------------------------------------------------------- mbox / Maildir

#[test]
fn mbox_fixture_threads_and_mime() {
    let a = one(Format::Mbox, fixture("sample.mbox"));
    assert_eq!(a.messages.len(), 4);
    let root = a.msg("root@acme.fr");
    assert_eq!(root.thread_title.as_deref(), Some("Réunion du parvis"));
    assert_eq!(root.author.display_name, "Marie Dupont");
    assert!(
        root.body_text.contains("\nFrom the archive"),
        "{}",
        root.body_text
    );
    let r1 = a.msg("reply1@example.org");
    assert_eq!(r1.author.email.as_deref(), Some("paul@example.org"));
    assert_eq!(r1.author.display_name, "Paul Martin");
    assert!(r1.body_text.starts_with("J'y serai, café compris."));
    assert!(r1.body_text.contains("From it, I would"));
    assert!(r1.body_html.is_none());
    let r2 = a.msg("reply2@acme.fr");
    assert_eq!(r2.parent_source_id.as_deref(), Some("reply1@example.org"));
    assert_eq!(r2.thread_source_id, "root@acme.fr");
    assert_eq!(r2.body_text, "Merci Paul.");
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip in memory");
    e.finish().expect("gzip in memory")
}

/// Mailman offers its monthly archives as `.txt.gz`: read as they are, the same messages.
#[test]
fn a_gzipped_mbox_reads_as_the_plain_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = std::fs::read(fixture("sample.mbox")).expect("fixture");
    let gz = dir.path().join("2004-April.txt.gz");
    std::fs::write(&gz, gzip(&plain)).expect("write");
    let (a, b) = (
        one(Format::Mbox, fixture("sample.mbox")),
        one(Format::Mbox, gz),
    );
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert_eq!(a.messages.len(), 4);
    assert_eq!(a.messages, b.messages);
    // A folder of monthly files, one gzipped and one not, reads both.
    let folder = dir.path().join("list");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::write(folder.join("a.txt.gz"), gzip(&plain)).expect("write");
    let other = String::from_utf8(plain)
        .expect("utf-8")
        .replace("@acme.fr", "@acme.example");
    std::fs::write(folder.join("b.txt"), other).expect("write");
    assert_eq!(read(Format::Mbox, &[folder]).messages.len(), 8);
}

/// A downloaded Mailman archive keeps its index pages beside the months: they are left out,
/// counted and named; a folder with no mbox at all is refused, saying what it holds.
#[test]
fn a_folder_of_mbox_files_leaves_out_its_other_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(fixture("sample.mbox"), dir.path().join("2024-March.txt")).expect("copy");
    std::fs::write(dir.path().join("index.html"), "<html></html>\n").expect("write");
    let a = read(Format::Mbox, &[dir.path().to_path_buf()]);
    assert_eq!(a.messages.len(), 4);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let other: Vec<&Skip> = a
        .skipped
        .iter()
        .filter(|s| s.kind == SkipKind::OtherFile)
        .collect();
    assert_eq!(other.len(), 1, "{:?}", a.skipped);
    assert!(other[0].file.ends_with("index.html"));

    let html = tempfile::tempdir().expect("temp dir");
    std::fs::write(html.path().join("index.html"), "<html></html>\n").expect("write");
    let Err(e) = open(Format::Mbox, &[html.path().to_path_buf()]) else {
        panic!("a folder without mbox must be refused")
    };
    assert!(
        e.to_string()
            .contains("expected a folder of mbox files; its only file, index.html, is not one"),
        "{e}"
    );
}

#[test]
fn mbox_real_samples() {
    let Some(dir) = shared("samples/mbox") else {
        return;
    };
    let a = one(Format::Mbox, dir.join("perceval-mbox_multipart.mbox"));
    assert_eq!(a.messages.len(), 2);
    assert!(a.messages.iter().all(|m| !m.body_text.is_empty()));
    let a = one(
        Format::Mbox,
        dir.join("perceval-pipermail_2015_november.mbox"),
    );
    assert_eq!(a.messages.len(), 4);
    assert_eq!(
        a.messages
            .iter()
            .filter(|m| m.parent_source_id.is_some())
            .count(),
        3
    );
    let a = one(
        Format::Mbox,
        dir.join("perceval-mbox_iso8859_encoding.mbox"),
    );
    assert_eq!(a.messages.len(), 1);
}

/// ~30k real messages: streams with flat memory (one message at a time) and counts them.
#[test]
fn mbox_corpus_r_sig_geo() {
    let Some(dir) = shared("corpus/r-sig-geo") else {
        return;
    };
    let files = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(files, 275);
    let mut tally = Tally::default();
    let mut threads = std::collections::HashSet::new();
    let mut largest_body = 0;
    let Ok(records) = open(Format::Mbox, &[dir]) else {
        panic!("open corpus")
    };
    for item in records {
        tally.add(&item);
        if let Ok(Record::Message(m)) = &item {
            threads.insert(m.thread_source_id.clone());
            largest_body = largest_body.max(m.body_text.len());
            assert!(
                m.author
                    .email
                    .as_deref()
                    .map(|e| e.contains('@'))
                    .unwrap_or(true),
                "obfuscated address left: {:?}",
                m.author.email
            );
        }
    }
    assert!(
        tally.messages > 29_000 && tally.messages < 30_000,
        "{tally:?}"
    );
    assert_eq!(tally.errors, 0);
    assert!(
        threads.len() > 9_000 && threads.len() < 12_000,
        "{}",
        threads.len()
    );
    // Memory is bounded by one message, never the month file.
    assert!(largest_body < 2_000_000);
}

#[test]
fn maildir_real_samples() {
    let Some(dir) = shared("samples/maildir") else {
        return;
    };
    let a = one(Format::Maildir, dir.join("notmuch-corpus-default"));
    assert_eq!(a.messages.len(), 53);
    assert_eq!(
        a.messages
            .iter()
            .filter(|m| m.parent_source_id.is_some())
            .count(),
        29
    );
    let a = one(Format::Maildir, dir.join("notmuch-corpus-lkml"));
    assert_eq!(a.messages.len(), 210);
    assert_eq!(
        a.messages
            .iter()
            .filter(|m| m.parent_source_id.is_some())
            .count(),
        205
    );
    let a = one(Format::Maildir, dir.join("notmuch-corpus-broken"));
    assert_eq!(a.tally.total(), 4);
}

// ---------------------------------------------------------------- Mastodon

#[test]
fn mastodon_fixture() {
    let a = one(Format::Mastodon, fixture("mastodon/outbox.json"));
    assert_eq!(a.people.len(), 1);
    assert_eq!(a.people[0].handle, "@marie@mastodon.social");
    assert_eq!(
        a.people[0].links,
        vec!["https://marie.example.fr/".to_string()]
    );
    assert_eq!(a.messages.len(), 3);
    assert_eq!(a.skipped.len(), 2); // a DM and a boost
    let third = a.msg("https://mastodon.social/users/marie/statuses/5");
    assert_eq!(
        third.thread_source_id,
        "https://mastodon.social/users/marie/statuses/1"
    );
    assert_eq!(
        third.parent_source_id.as_deref(),
        Some("https://mastodon.social/users/marie/statuses/2")
    );
    let first = a.msg("https://mastodon.social/users/marie/statuses/1");
    assert_eq!(first.lang.as_deref(), Some("fr"));
    assert_eq!(
        first.body_text,
        "Les réseaux sociaux d'entreprise, vraiment ?"
    );
}

#[test]
fn mastodon_real_archive() {
    let Some(p) = shared("samples/activitypub/mastodon-archive-dealingwith-outbox.json") else {
        return;
    };
    let a = one(Format::Mastodon, p);
    // 1586 activities: 1260 Create (some direct), 326 Announce.
    assert_eq!(a.messages.len() + a.skipped.len(), 1586);
    assert!(
        a.skipped
            .iter()
            .filter(|s| s.reason.contains("boost"))
            .count()
            == 326
    );
    assert!(
        a.messages
            .iter()
            .filter(|m| m.parent_source_id.is_some())
            .count()
            > 380
    );
    assert_eq!(a.people[0].handle, "@dealingwith@indieweb.social");
    assert!(
        a.people[0]
            .links
            .iter()
            .any(|l| l.contains("daniel.industries"))
    );
}

// ---------------------------------------------------------------- Discourse

#[test]
fn discourse_fixture() {
    let a = one(Format::Discourse, fixture("discourse_api-topic.json"));
    assert_eq!(a.messages.len(), 3);
    let root = a.msg("discourse-post:83");
    assert_eq!(root.author.handle, "samsaffron");
    assert_eq!(
        root.thread_title.as_deref(),
        Some("THIS SITE IS A SANDBOX -- it is reset every day")
    );
    let r = a.msg("discourse-post:226");
    assert_eq!(r.parent_source_id.as_deref(), Some("discourse-post:83"));
    assert_eq!(r.thread_source_id, "discourse-post:83");
}

#[test]
fn discourse_real_topic() {
    let Some(p) = shared("samples/discourse/perceval-discourse_topic_1148.json") else {
        return;
    };
    let a = one(Format::Discourse, p);
    assert_eq!(a.messages.len(), 20);
    assert!(
        a.messages
            .iter()
            .any(|m| m.author.handle == "gorhill" && m.author.display_name == "Raymond Hill")
    );
    assert_eq!(
        a.messages
            .iter()
            .filter(|m| m.parent_source_id.is_some())
            .count(),
        19
    );
}

// ---------------------------------------------------------------- Slack

#[test]
fn slack_zip_fixture() {
    let a = one(
        Format::Slack,
        fixture("slack-export-viewer-testarchive.zip"),
    );
    assert_eq!(a.messages.len() + a.skipped.len(), 158);
    assert!(a.errors.is_empty());
    // A channel's talk is read a day at a time: 147 messages make one thread per channel and
    // day, not 147 one-message threads.
    let threads: std::collections::HashSet<&str> = a
        .messages
        .iter()
        .map(|m| m.thread_source_id.as_str())
        .collect();
    assert_eq!(threads.len(), 16, "{threads:?}");
    let day = a
        .messages
        .iter()
        .find(|m| m.author.handle == "hamza" && m.created_at == 1_454_904_211_000)
        .expect("hamza's message of 2016-02-08 UTC");
    assert_eq!(day.thread_title.as_deref(), Some("#enrique · 2016-02-07"));
    // Mentions name the person from users.json; links are links.
    let mention = a
        .messages
        .iter()
        .find(|m| m.body_text.contains("Created an issue for a setup.py"))
        .expect("the setup.py message");
    assert!(
        mention.body_text.starts_with("@abilinski:"),
        "{}",
        mention.body_text
    );
    assert!(!a.messages.iter().any(|m| m.body_text.contains("<@U")));
    // Bot messages show their attachments instead of an empty body; uploads show the file.
    assert!(a.messages.iter().all(|m| !m.body_text.trim().is_empty()));
    assert!(
        a.messages
            .iter()
            .any(|m| m.body_text.contains("1 new commit"))
    );
    let upload = a
        .messages
        .iter()
        .find(|m| m.body_text.contains("uploaded a file"))
        .expect("a file upload");
    assert!(
        upload
            .body_html
            .as_deref()
            .unwrap_or_default()
            .contains("📎 <a href=\"https://mesos-magellan.slack.com/files/"),
        "{:?}",
        upload.body_html
    );
    assert!(
        a.messages
            .iter()
            .any(|m| m.author.display_name == "Bot B0JL6RASU")
    );
}

#[test]
fn slack_folder_threads() {
    let Some(p) = shared("samples/slack/slackdump-source_export_dir") else {
        return;
    };
    let a = one(Format::Slack, p);
    assert_eq!(a.messages.len() + a.skipped.len(), 16);
    let replies: Vec<&ImportedMessage> = a
        .messages
        .iter()
        .filter(|m| m.parent_source_id.is_some())
        .collect();
    assert_eq!(replies.len(), 4);
    let mut rooted = 0;
    for r in replies {
        assert_eq!(Some(&r.thread_source_id), r.parent_source_id.as_ref());
        if a.messages.iter().any(|m| m.source_id == r.thread_source_id) {
            rooted += 1;
        }
    }
    // One thread root was deleted (a "tombstone"): its reply keeps the parent id.
    assert_eq!(rooted, 3);
    assert!(a.skipped.iter().any(|s| s.reason.contains("tombstone")));
}

// ---------------------------------------------------------------- X / Twitter

#[test]
fn twitter_fixture() {
    let a = one(Format::Twitter, fixture("twitter/tweets.js"));
    assert_eq!(a.people.len(), 1);
    assert_eq!(a.people[0].email.as_deref(), Some("marie@acme.fr"));
    assert_eq!(a.messages.len(), 2);
    assert_eq!(a.skipped.len(), 1);
    let r = a.msg("1003");
    assert_eq!(r.parent_source_id.as_deref(), Some("999"));
    assert_eq!(
        r.body_text,
        "@someone Thanks, see https://example.org/page & more"
    );
    assert_eq!(r.url.as_deref(), Some("https://x.com/marie_d/status/1003"));
    assert_eq!(r.created_at, 1_709_370_000_000);
}

#[test]
fn twitter_archive_folder() {
    let a = one(Format::Twitter, fixture("twitter"));
    assert_eq!(a.people.len(), 1);
    assert_eq!(a.messages.len(), 2);
}

#[test]
fn mbox_first_from_line_without_date() {
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else { return };
    let p = dir.path().join("x.mbox");
    std::fs::write(&p, "From someone\nFrom: a@b.org\nDate: Fri, 01 Mar 2024 10:00:00 +0100\nMessage-ID: <1@b>\n\nbody\n").ok();
    let a = one(Format::Mbox, p);
    assert_eq!(a.messages.len(), 1);
    assert_eq!(a.messages[0].body_text, "body");
}

#[test]
fn twitter_real_archive() {
    let Some(p) = shared("samples/twitter/x-archive-milahu104-tweets.js") else {
        return;
    };
    let a = one(Format::Twitter, p);
    assert_eq!(a.messages.len() + a.skipped.len(), 2045);
    assert!(
        a.messages
            .iter()
            .filter(|m| m.parent_source_id.is_some())
            .count()
            > 1500
    );
    assert_eq!(a.people[0].handle, "milahu104");
    assert_eq!(a.messages[0].author.display_name, "Milan Hauth");
}

// ---------------------------------------------------------------- LinkedIn

#[test]
fn linkedin_fixture_folder() {
    let a = one(Format::Linkedin, fixture("linkedin"));
    assert_eq!(a.people.len(), 1);
    assert_eq!(a.people[0].display_name, "Marie Dupont");
    assert_eq!(a.messages.len(), 3);
    let s = a.msg("https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A1");
    assert_eq!(s.body_text, "First line.\n\nThird line with \"quotes\".");
    let c = a.messages.iter().find(|m| m.parent_source_id.is_some());
    assert_eq!(
        c.map(|c| c.body_text.as_str()),
        Some("Great point, \"really\".")
    );
    assert_eq!(a.errors.len(), 1);
    assert_eq!(a.errors[0].position.line, Some(3));
}

#[test]
fn linkedin_real_export() {
    let Some(dir) = shared("samples/linkedin") else {
        return;
    };
    let a = read(
        Format::Linkedin,
        &[
            dir.join("linkedin-sanand-Shares.csv"),
            dir.join("linkedin-sanand-Comments.csv"),
        ],
    );
    assert_eq!(a.messages.len(), 202 + 323);
    assert!(a.errors.is_empty());
    assert!(a.messages.iter().any(|m| {
        m.body_text
            .starts_with("I'm off for a 10-day Vipassana meditation program.\n\n")
    }));
}

// ---------------------------------------------------------------- jsonl

#[test]
fn jsonl_fixture() {
    let a = one(Format::Jsonl, fixture("sample.jsonl"));
    assert_eq!(a.people.len(), 1);
    assert_eq!(a.people[0].email.as_deref(), Some("marie@acme.fr"));
    assert_eq!(a.messages.len(), 2);
    assert_eq!(a.msg("t1").body_text, "Qui vient ?");
    assert_eq!(a.msg("t1-2").parent_source_id.as_deref(), Some("t1"));
    assert_eq!(
        a.errors.iter().map(|e| e.position.line).collect::<Vec<_>>(),
        vec![Some(5), Some(6)]
    );
    assert!(a.errors.iter().all(|e| !e.fatal));
}

// ---------------------------------------------------------------- several files

#[test]
fn several_files_continue_after_a_damaged_one() {
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else { return };
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        b"{\"orderedItems\":[{\"type\":\"Announce\"},\n{\"type\":",
    )
    .ok();
    let a = read(
        Format::Mastodon,
        &[bad.clone(), fixture("mastodon/outbox.json")],
    );
    assert_eq!(a.errors.len(), 1);
    assert!(a.errors[0].fatal && a.errors[0].file == bad && a.errors[0].position.line == Some(2));
    assert_eq!(a.messages.len(), 3);
}

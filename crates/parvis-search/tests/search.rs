//! Behaviour of the search index through its public API (one test binary).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use parvis_search::{IndexedMessage, SearchError, SearchIndex, SearchQuery, SearchResults};

fn msg(id: i64, title: &str, body: &str) -> IndexedMessage {
    IndexedMessage {
        message_id: id,
        thread_id: id * 10,
        space_id: 1,
        topic_id: None,
        channel: "forum".into(),
        author_id: 7,
        author_name: "Alice".into(),
        created_at: 1_700_000_000_000 + id * 1000,
        title: title.into(),
        body: body.into(),
        lang: None,
    }
}

fn corpus() -> Vec<IndexedMessage> {
    let mut v = vec![
        msg(
            1,
            "Agenda",
            "Les événements de la semaine prochaine sont annulés pour les développeurs.",
        ),
        msg(
            2,
            "Release",
            "The developer was running the migration on the staging server.",
        ),
        msg(
            3,
            "Jardin",
            "Nous avons planté des tomates dans le jardin partagé et il pleut.",
        ),
        msg(
            4,
            "Raster data",
            "How do I reproject raster data with the spatial package? I run GDAL.",
        ),
        msg(
            5,
            "Spatial",
            "Spatial data frames are slow; the data spatial frames are fast.",
        ),
        msg(
            6,
            "XSS",
            "Look: <script>alert('x')</script> & the evenement is here.",
        ),
        msg(
            7,
            "Réunion",
            "Le développeur présente l'événement à la réunion du conseil.",
        ),
    ];
    v[1].channel = "mail".into();
    v[1].author_id = 8;
    v[2].topic_id = Some(42);
    v[3].lang = Some("en".into());
    v
}

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.add(&corpus()).unwrap();
    index.commit().unwrap();
    index
}

fn ids(r: &SearchResults) -> Vec<i64> {
    let mut v: Vec<i64> = r.hits.iter().map(|h| h.message_id).collect();
    v.sort_unstable();
    v
}

fn search(index: &SearchIndex, text: &str) -> SearchResults {
    index.search(&SearchQuery::new(1, text)).unwrap()
}

#[test]
fn french_stemming_and_accents() {
    let index = index();
    // Unaccented, singular query finds the accented plural and singular.
    assert_eq!(ids(&search(&index, "evenement")), vec![1, 6, 7]);
    assert_eq!(ids(&search(&index, "événements")), vec![1, 6, 7]);
    assert_eq!(ids(&search(&index, "développeurs")), vec![1, 7]);
    assert_eq!(ids(&search(&index, "developpeur")), vec![1, 7]);
    assert_eq!(ids(&search(&index, "l'événement")), vec![1, 6, 7]);
    assert_eq!(ids(&search(&index, "REUNION")), vec![7]);
}

#[test]
fn english_stemming() {
    let index = index();
    assert_eq!(ids(&search(&index, "run")), vec![2, 4]);
    assert_eq!(ids(&search(&index, "running")), vec![2, 4]);
    assert_eq!(ids(&search(&index, "developers")), vec![2]);
}

#[test]
fn phrase_versus_words() {
    let index = index();
    assert_eq!(ids(&search(&index, "spatial data")), vec![4, 5]);
    assert_eq!(ids(&search(&index, "\"spatial data\"")), vec![5]);
    assert_eq!(ids(&search(&index, "\"data spatial\"")), vec![5]);
    // A quoted single word is exact, not stemmed.
    assert_eq!(ids(&search(&index, "\"run\"")), vec![4]);
    assert_eq!(ids(&search(&index, "\"raster data\"")), vec![4]);
}

#[test]
fn prefix_exclusion_or() {
    let index = index();
    assert_eq!(ids(&search(&index, "repro*")), vec![4]);
    assert_eq!(ids(&search(&index, "dével*")), vec![1, 2, 7]);
    assert_eq!(ids(&search(&index, "\"spatial pack*\"")), vec![4]);
    assert_eq!(ids(&search(&index, "spatial -raster")), vec![5]);
    assert_eq!(ids(&search(&index, "spatial -\"slow\"")), vec![4]);
    assert_eq!(ids(&search(&index, "tomates OR raster")), vec![3, 4]);
    assert_eq!(ids(&search(&index, "spatial NOT frames")), vec![4]);
}

#[test]
fn filters() {
    let index = index();
    let mut q = SearchQuery::new(1, "developer OR développeur");
    assert_eq!(ids(&index.search(&q).unwrap()), vec![1, 2, 7]);
    q.channel = Some("mail".into());
    assert_eq!(ids(&index.search(&q).unwrap()), vec![2]);
    q.channel = None;
    q.author_id = Some(7);
    assert_eq!(ids(&index.search(&q).unwrap()), vec![1, 7]);
    q.author_id = None;
    q.from = Some(1_700_000_000_000 + 2000);
    q.to = Some(1_700_000_000_000 + 7000);
    assert_eq!(ids(&index.search(&q).unwrap()), vec![2]);
    q.to = Some(1_700_000_000_000 + 7001);
    assert_eq!(ids(&index.search(&q).unwrap()), vec![2, 7]);
    let mut t = SearchQuery::new(1, "jardin OR raster");
    t.topic_id = Some(42);
    assert_eq!(ids(&index.search(&t).unwrap()), vec![3]);
    // Another space sees nothing.
    let other = SearchQuery::new(2, "raster");
    assert_eq!(index.search(&other).unwrap().total, 0);
}

#[test]
fn ranking_total_and_paging() {
    let index = index();
    let r = search(&index, "spatial");
    assert_eq!(r.total, 2);
    // Message 5 says "spatial" three times in a short text.
    assert_eq!(r.hits[0].message_id, 5);
    assert!(r.hits[0].score >= r.hits[1].score);
    let mut q = SearchQuery::new(1, "spatial");
    q.limit = 1;
    q.offset = 1;
    let page = index.search(&q).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].message_id, 4);
    assert_eq!(page.hits[0].thread_id, 40);
    assert_eq!(page.hits[0].title, "Raster data");
}

#[test]
fn snippets_highlight_and_escape() {
    let index = index();
    let r = search(&index, "evenement");
    let hit = r.hits.iter().find(|h| h.message_id == 6).unwrap();
    assert!(
        hit.snippet_html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;"),
        "{}",
        hit.snippet_html
    );
    assert!(hit.snippet_html.contains("<mark>evenement</mark>"));
    let stripped = hit
        .snippet_html
        .replace("<mark>", "")
        .replace("</mark>", "");
    assert!(!stripped.contains('<') && !stripped.contains('>'));
    let hit = r.hits.iter().find(|h| h.message_id == 1).unwrap();
    assert!(
        hit.snippet_html.contains("<mark>événements</mark>"),
        "{}",
        hit.snippet_html
    );
    let r = search(&index, "\"spatial data\"");
    assert!(
        r.hits[0]
            .snippet_html
            .contains("<mark>Spatial</mark> <mark>data</mark>"),
        "{}",
        r.hits[0].snippet_html
    );
}

#[test]
fn upsert_delete_watermark() {
    let index = index();
    assert_eq!(index.last_indexed(), 7);
    index
        .add(&[msg(3, "Jardin", "Plus de tomates, des courgettes.")])
        .unwrap();
    // Not visible before commit.
    assert_eq!(search(&index, "courgettes").total, 0);
    index.commit().unwrap();
    assert_eq!(search(&index, "courgettes").total, 1);
    assert_eq!(search(&index, "tomates").total, 1);
    assert_eq!(search(&index, "pleut").total, 0);
    assert_eq!(index.num_docs(), 7);
    // Re-adding an old message never lowers the watermark.
    assert_eq!(index.last_indexed(), 7);
    index.delete(4).unwrap();
    index.add(&[msg(12, "New", "fresh raster")]).unwrap();
    index.commit().unwrap();
    assert_eq!(ids(&search(&index, "raster")), vec![12]);
    assert_eq!(index.last_indexed(), 12);
    // Clear: old content stays visible until the commit.
    index.clear().unwrap();
    assert_eq!(search(&index, "raster").total, 1);
    index.add(&[msg(2, "Release", "running again")]).unwrap();
    index.commit().unwrap();
    assert_eq!(index.num_docs(), 1);
    assert_eq!(index.last_indexed(), 2);
    assert_eq!(ids(&search(&index, "run")), vec![2]);
}

#[test]
fn bad_queries_never_fail() {
    let index = index();
    let long = "raster ".repeat(2000);
    let huge_word = "a".repeat(10_000);
    let nasty: Vec<&str> = vec![
        "",
        "   ",
        "\"",
        "\"\"",
        "\"raster",
        "raster\"",
        "\"unbalanced \"quotes\" here",
        "OR",
        "AND",
        "NOT",
        "OR OR OR",
        "raster OR",
        "OR raster",
        "raster OR OR spatial",
        "-",
        "--",
        "-raster",
        "- raster",
        "*",
        "**",
        "a*",
        "*raster",
        "ra*ster",
        "!!!???...",
        "(raster AND (spatial",
        "raster)",
        "[]{}^~:\\/",
        "\\",
        "title:raster",
        "raster~2",
        "raster^10",
        "&&||",
        "<script>alert(1)</script>",
        "\u{0}\u{1}\u{7f}",
        "🦀🦀🦀",
        "日本語の検索",
        "é́́́́",
        "' OR 1=1 --",
        "%",
        "NOT NOT raster",
        &long,
        &huge_word,
    ];
    for text in nasty {
        let r = index.search(&SearchQuery::new(1, text));
        let r = match r {
            Ok(r) => r,
            Err(e) => panic!("query {text:?} failed: {e}"),
        };
        if r.hits.is_empty() && text.trim().is_empty() {
            assert!(r.notice.is_some(), "no notice for {text:?}");
        }
    }
    let r = search(&index, "\"raster");
    assert_eq!(ids(&r), vec![4]);
    assert_eq!(r.notice.as_deref(), Some("unbalanced quote ignored"));
    let r = search(&index, "!!!");
    assert_eq!(r.total, 0);
    assert!(r.notice.unwrap().contains("at least one word"));
    let r = search(&index, "-raster");
    assert!(r.notice.unwrap().contains("excluded"));
    assert!(search(&index, &long).notice.unwrap().contains("too long"));
    // Absurd paging and dates.
    let mut q = SearchQuery::new(1, "raster");
    q.limit = 1_000_000;
    q.offset = usize::MAX;
    let r = index.search(&q).unwrap();
    assert!(r.hits.is_empty() && r.notice.is_some());
    let mut q = SearchQuery::new(1, "raster");
    q.from = Some(10);
    q.to = Some(5);
    assert!(index.search(&q).unwrap().notice.is_some());
    q.from = Some(i64::MIN);
    q.to = Some(i64::MAX);
    assert_eq!(index.search(&q).unwrap().total, 1);
    let mut q = SearchQuery::new(1, "raster");
    q.limit = 0;
    let r = index.search(&q).unwrap();
    assert_eq!((r.total, r.hits.len()), (1, 0));
}

#[test]
fn persists_across_reopen_and_locks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search");
    {
        let index = SearchIndex::open(&path).unwrap();
        index.add(&corpus()).unwrap();
        index.commit().unwrap();
        // One writer per folder.
        match SearchIndex::open(&path) {
            Err(e @ SearchError::Locked { .. }) => assert_eq!(e.code(), "search_locked"),
            other => panic!("expected Locked, got {other:?}"),
        }
        let reader = SearchIndex::open_read_only(&path).unwrap();
        assert_eq!(reader.last_indexed(), 7);
        assert_eq!(ids(&search(&reader, "raster")), vec![4]);
        assert!(matches!(reader.add(&corpus()), Err(SearchError::ReadOnly)));
    }
    let index = SearchIndex::open(&path).unwrap();
    assert_eq!(index.last_indexed(), 7);
    assert_eq!(index.num_docs(), 7);
    assert_eq!(ids(&search(&index, "evenement")), vec![1, 6, 7]);
    index.merge_segments().unwrap();
    assert_eq!(ids(&search(&index, "evenement")), vec![1, 6, 7]);
}

#[test]
fn a_busy_thread_shows_once_with_its_best_message_and_its_count() {
    let index = SearchIndex::in_memory().unwrap();
    // Six replies in one thread all say "raster"; one other thread says it once.
    let mut messages: Vec<IndexedMessage> = (1..=6)
        .map(|i| {
            let mut m = msg(i, "Raster help", &format!("reply {i} about raster tiles"));
            m.thread_id = 100;
            m
        })
        .collect();
    let mut best = msg(7, "Raster help", "raster raster raster: the raster answer");
    best.thread_id = 100;
    messages.push(best);
    let mut other = msg(
        8,
        "Maps",
        "a map drawn from a raster and some vectors around it",
    );
    other.thread_id = 200;
    messages.push(other);
    index.add(&messages).unwrap();
    index.commit().unwrap();

    let r = search(&index, "raster");
    assert_eq!(r.total, 8, "every matching message is counted");
    assert_eq!(r.threads, 2);
    assert!(r.threads_exact);
    let threads: Vec<i64> = r.hits.iter().map(|h| h.thread_id).collect();
    assert_eq!(
        threads,
        vec![100, 200],
        "one line per thread, best thread first"
    );
    assert_eq!(
        r.hits[0].message_id, 7,
        "the thread is shown by its best message"
    );
    assert_eq!(r.hits[0].thread_matches, 7);
    assert_eq!(r.hits[1].thread_matches, 1);

    // Paging counts threads, not messages.
    let mut q = SearchQuery::new(1, "raster");
    q.limit = 1;
    q.offset = 1;
    let page = index.search(&q).unwrap();
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].thread_id, 200);
    assert_eq!(page.threads, 2);
}

//! "Pour vous" on an imported history: the space's feed learns how its members behave.

use parvis_domain::*;
use parvis_import::Format;
use parvis_services::import::ImportOptions;
use parvis_services::{Actor, Mailer, ServiceConfig, Services};
use parvis_store::{NewMember, Store};
use std::fmt::Write as _;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// A list where questions nobody answered yet are the ones that get answered: every day
/// one question is answered at once by a helper (and its asker says thanks), another
/// waits until Claire answers it six hours later. Returns JSON Lines ending `now - 5 h`.
fn history(days: i64, now: i64) -> String {
    let mut out = String::new();
    let start = now - (days - 1) * DAY - 5 * HOUR;
    let mut line = |id: String, thread: &str, parent: Option<&str>, who: &str, at: i64| {
        let email = format!("{who}@list.example");
        let parent = parent.map_or(String::new(), |p| format!(r#","parent_id":"{p}""#));
        let _ = writeln!(
            out,
            r#"{{"channel":"liste","id":"{id}","thread_id":"{thread}"{parent},"thread_title":"Reprojection raster {thread}","author":{{"handle":"{who}","name":"{who}","email":"{email}"}},"created_at":{at},"text":"La reprojection d'un grand raster avec gdal échoue, une idée ?"}}"#
        );
    };
    for d in 0..days {
        let t = start + d * DAY;
        let (busy, waiting) = (format!("b{d}"), format!("w{d}"));
        let (asker, other) = (format!("asker{d}"), format!("other{d}"));
        let helper = format!("helper{}", d % 5);
        line(busy.clone(), &busy, None, &asker, t);
        line(waiting.clone(), &waiting, None, &other, t + HOUR / 2);
        line(format!("{busy}-1"), &busy, Some(&busy), &helper, t + HOUR);
        line(
            format!("{busy}-2"),
            &busy,
            Some(&format!("{busy}-1")),
            &asker,
            t + 2 * HOUR,
        );
        if d < days - 1 {
            line(
                format!("{waiting}-1"),
                &waiting,
                Some(&waiting),
                "claire",
                t + 6 * HOUR,
            );
        }
    }
    out
}

#[tokio::test]
async fn an_imported_history_teaches_the_feed_what_members_join() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/f.db", dir.path().display()))
        .await
        .unwrap();
    store.create_space("liste", "Liste", "", 1).await.unwrap();
    let claire = store
        .create_member(&NewMember {
            handle: "claire".into(),
            display_name: "Claire".into(),
            email: Some("claire@list.example".into()),
            password_hash: None,
            site_role: SiteRole::Admin,
            ecosystem_role: EcosystemRole::Partner,
            organisation: String::new(),
            bio: String::new(),
            lang: "fr".into(),
            created_at: 1,
        })
        .await
        .unwrap();
    let actor = Actor {
        member: store.member_by_id(claire).await.unwrap().unwrap(),
    };
    let s = Services::new(store, Mailer::Log, ServiceConfig::default());
    let now = now_millis();
    let file = dir.path().join("history.jsonl");
    std::fs::write(&file, history(360, now)).unwrap();
    let opts = ImportOptions {
        space: "liste".into(),
        ..Default::default()
    };
    let summary = s
        .import(Format::Jsonl, vec![file], &opts, |_| {})
        .await
        .unwrap();
    assert_eq!(summary.messages_created, 360 * 4 + 359);

    let space = s.space("liste").await.unwrap();
    let feed = s.feed(&actor, &space, 10).await.unwrap();
    let joins = feed
        .learned_from_joins
        .expect("a year of history is enough to learn from");
    assert!(joins >= 300, "{joins}");
    // Today's question still waiting comes first for Claire, though the other one is
    // fresher and busier: that is what this list's members do.
    assert_eq!(
        feed.items[0].thread.title,
        "Reprojection raster w359",
        "{:?}",
        feed.items
            .iter()
            .map(|i| &i.thread.title)
            .collect::<Vec<_>>()
    );
    assert!(!feed.starter);
}

fn admin(handle: &str) -> NewMember {
    NewMember {
        handle: handle.into(),
        display_name: handle.into(),
        email: Some(format!("{handle}@list.example")),
        password_hash: None,
        site_role: SiteRole::Admin,
        ecosystem_role: EcosystemRole::Partner,
        organisation: String::new(),
        bio: String::new(),
        lang: "fr".into(),
        created_at: 1,
    }
}

fn titles(feed: &parvis_services::relevance::FeedView) -> Vec<String> {
    feed.items.iter().map(|i| i.thread.title.clone()).collect()
}

/// The server saves each space's engine in the background; a restarted server reads it back
/// instead of replaying the history, and its first feed is the one it served before. An
/// erasure makes the saved engine unusable (it holds what the erased member did): the next
/// start builds afresh.
#[tokio::test]
async fn a_restarted_server_reads_its_feed_engine_back() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/f.db", dir.path().display());
    let feeds = dir.path().join("f.db.feed");
    let store = Store::open(&url).await.unwrap();
    store.create_space("liste", "Liste", "", 1).await.unwrap();
    let claire = store.create_member(&admin("claire")).await.unwrap();
    let actor = Actor {
        member: store.member_by_id(claire).await.unwrap().unwrap(),
    };
    let first =
        Services::new(store, Mailer::Log, ServiceConfig::default()).with_feed_dir(feeds.clone());
    let file = dir.path().join("history.jsonl");
    std::fs::write(&file, history(120, now_millis())).unwrap();
    let opts = ImportOptions {
        space: "liste".into(),
        ..Default::default()
    };
    first
        .import(Format::Jsonl, vec![file], &opts, |_| {})
        .await
        .unwrap();
    let space = first.space("liste").await.unwrap();
    let worker = first.spawn_feed_engines(std::time::Duration::from_millis(100));
    let saved = feeds.join(format!("space-{}.feed", space.id.0));
    let waited = std::time::Instant::now();
    while first
        .feed_engine_status(&space)
        .await
        .unwrap()
        .saved_message
        .is_none()
    {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(60),
            "the engine was never saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    worker.abort();
    assert!(saved.exists());
    let before = first.feed(&actor, &space, 10).await.unwrap();
    let status = first.feed_engine_status(&space).await.unwrap();
    assert!(!status.read_back);
    drop(first);

    // A restart: the same store and directory.
    let store = Store::open(&url).await.unwrap();
    let second =
        Services::new(store, Mailer::Log, ServiceConfig::default()).with_feed_dir(feeds.clone());
    let after = second.feed(&actor, &space, 10).await.unwrap();
    let status = second.feed_engine_status(&space).await.unwrap();
    assert!(status.read_back, "{status:?}");
    assert_eq!(titles(&after), titles(&before));
    assert_eq!(after.learned_from_joins, before.learned_from_joins);

    // Erasing a member: the running engine forgets, and the saved one is not read back.
    let asker = second
        .store()
        .member_handles_and_emails()
        .await
        .unwrap()
        .into_iter()
        .find(|(_, email)| email.as_deref() == Some("asker3@list.example"))
        .expect("the imported asker")
        .0;
    second
        .erase_member(&actor, &asker, "anonymise")
        .await
        .unwrap();
    assert!(!second.feed_engine_status(&space).await.unwrap().read_back);
    drop(second);
    let store = Store::open(&url).await.unwrap();
    let third =
        Services::new(store, Mailer::Log, ServiceConfig::default()).with_feed_dir(feeds.clone());
    assert!(!third.feed_engine_status(&space).await.unwrap().read_back);
    // Saved again, then damaged: never misread, the engine is built and the feed answers.
    let worker = third.spawn_feed_engines(std::time::Duration::from_millis(100));
    let waited = std::time::Instant::now();
    while third
        .feed_engine_status(&space)
        .await
        .unwrap()
        .saved_message
        .is_none()
    {
        assert!(waited.elapsed() < std::time::Duration::from_secs(60));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    worker.abort();
    drop(third);
    let bytes = std::fs::read(&saved).unwrap();
    std::fs::write(&saved, &bytes[..bytes.len() / 3]).unwrap();
    let store = Store::open(&url).await.unwrap();
    let fourth = Services::new(store, Mailer::Log, ServiceConfig::default()).with_feed_dir(feeds);
    assert!(!fourth.feed_engine_status(&space).await.unwrap().read_back);
    assert!(
        !fourth
            .feed(&actor, &space, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

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

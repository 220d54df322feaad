//! Importing conversations into a store (SQLite, and PostgreSQL when configured): identity
//! resolution, idempotent re-imports, bad items, merges and un-merges.

use parvis_domain::*;
use parvis_import::Format;
use parvis_services::import::{ImportOptions, ImportSummary};
use parvis_services::{Actor, Mailer, ServiceConfig, Services};
use parvis_store::{NewMember, Store, testing};
use std::path::PathBuf;

async fn services(url: String) -> (Services, Actor) {
    let store = Store::open(&url).await.unwrap();
    store.create_space("forum", "Forum", "", 1).await.unwrap();
    let space = store.space_by_slug("forum").await.unwrap().unwrap();
    store
        .create_topic(
            space.id,
            "evenements",
            "Événements",
            "",
            &["événement".into(), "salon".into()],
            1,
        )
        .await
        .unwrap();
    let admin = store
        .create_member(&NewMember {
            handle: "admin".into(),
            display_name: "Admin".into(),
            email: Some("admin@host.example".into()),
            password_hash: None,
            site_role: SiteRole::Admin,
            ecosystem_role: EcosystemRole::Employee,
            organisation: String::new(),
            bio: String::new(),
            lang: "fr".into(),
            created_at: 1,
        })
        .await
        .unwrap();
    let member = store.member_by_id(admin).await.unwrap().unwrap();
    (
        Services::new(store, Mailer::Log, ServiceConfig::default()),
        Actor { member },
    )
}

async fn on_both<F, Fut>(f: F)
where
    F: Fn(Services, Actor, PathBuf) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let (s, a) = services(format!("sqlite://{}/i.db", dir.path().display())).await;
    f(s, a, dir.path().to_path_buf()).await;
    match testing::postgres_test_url() {
        Some(base) => {
            let (s, a) = services(testing::fresh_postgres_url(&base).await.unwrap()).await;
            f(s, a, dir.path().to_path_buf()).await;
        }
        None => eprintln!("notice: PARVIS_TEST_DATABASE_URL not set; PostgreSQL run skipped"),
    }
}

async fn import(s: &Services, format: Format, path: PathBuf, dry_run: bool) -> ImportSummary {
    let opts = ImportOptions {
        space: "forum".into(),
        dry_run,
        batch: 3,
        ..Default::default()
    };
    s.import(format, vec![path], &opts, |_| {}).await.unwrap()
}

/// Every row of the tables an import writes, as text, in rowid order; the columns holding the
/// time of the import itself (not of the data) only say whether they are set.
fn dump_sqlite(db: &std::path::Path) -> Vec<String> {
    let db = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for (table, clock) in [
        ("members", &["created_at"][..]),
        ("identities", &["created_at"]),
        ("merge_proposals", &["created_at"]),
        ("threads", &[]),
        ("messages", &["edited_at"]),
        ("message_topics", &[]),
        ("parvis_meta", &[]),
    ] {
        let mut q = db
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let names: Vec<String> = q.column_names().iter().map(|c| c.to_string()).collect();
        let rows = q
            .query_map([], |r| {
                let mut line = table.to_string();
                for (i, name) in names.iter().enumerate() {
                    let v = r.get_ref(i)?;
                    let v = match v {
                        rusqlite::types::ValueRef::Null => "NULL".to_string(),
                        _ if clock.contains(&name.as_str()) => "set".to_string(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into(),
                        rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
                    };
                    line.push_str(&format!(" {name}={v}"));
                }
                Ok(line)
            })
            .unwrap();
        out.extend(rows.map(|r| r.unwrap()));
    }
    out
}

/// Replies that come before their parent, within a batch and across batches; threads whose
/// messages span batches; repeated ids; people met again on other channels.
fn tangled_jsonl() -> String {
    let mut lines = String::new();
    for i in 0..240 {
        let thread = i / 12;
        // Within each thread, the messages come in the order 0, 3, 2, 1, 4, 7, 6, 5, …: some
        // replies arrive before the message they answer.
        // In every fourth thread they come in reverse: the root, which names the thread's
        // author and title, comes last, batches after the replies that created the thread.
        let n = i % 12;
        let n = if thread % 4 == 1 {
            11 - n
        } else {
            (n / 4) * 4 + [0, 3, 2, 1][n % 4]
        };
        let id = format!("t{thread}-{n}");
        let parent = if n == 0 {
            String::new()
        } else {
            format!(
                r#","thread_id":"t{thread}-0","parent_id":"t{thread}-{}""#,
                n - 1
            )
        };
        let who = i % 17;
        let title = if n == 0 {
            format!(r#","thread_title":"Sujet {thread}""#)
        } else {
            String::new()
        };
        lines.push_str(&format!(
            r#"{{"channel":"{}","id":"{id}"{parent}{title},"author":{{"handle":"p{who}","name":"Personne {}","email":"p{who}@acme.fr"}},"created_at":{},"text":"Message {i} sur le salon et les événements"}}"#,
            if thread % 3 == 0 { "email" } else { "forum" },
            who % 11,
            1_770_000_000_000i64 + ((i * 7919) % 240) as i64 * 60_000
        ));
        lines.push('\n');
        if i % 50 == 7 {
            // The same id again, with another text: the first copy is kept.
            lines.push_str(&format!(
                r#"{{"channel":"forum","id":"{id}","author":{{"handle":"x","name":"X"}},"created_at":1,"text":"copie"}}"#
            ));
            lines.push('\n');
        }
    }
    lines
}

/// The SQLite bulk path (a dedicated connection on its own thread) and the sqlx path write
/// the same store from the same inputs: every row of every table written, ids included, and
/// the same summaries — through first imports, a dry run, re-imports and edits, with batch
/// sizes that cut threads and reply chains across batches.
#[tokio::test]
async fn the_sqlite_bulk_path_writes_exactly_what_the_sqlx_path_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../parvis-import/tests/fixtures");
    let people = dir.path().join("people.jsonl");
    std::fs::write(&people, PEOPLE).unwrap();
    let tangled = dir.path().join("tangled.jsonl");
    std::fs::write(&tangled, tangled_jsonl()).unwrap();
    let edited = dir.path().join("edited.jsonl");
    std::fs::write(
        &edited,
        PEOPLE.replace("J'y serai.", "J'y serai, avec deux collègues.")
            + &tangled_jsonl().replace("Message 17 ", "Message 17 (corrigé) "),
    )
    .unwrap();
    let steps: Vec<(Format, PathBuf, bool, usize)> = vec![
        (Format::Jsonl, people.clone(), true, 3),
        (Format::Jsonl, people.clone(), false, 3),
        (Format::Jsonl, tangled.clone(), false, 7),
        (Format::Mbox, fixtures.join("sample.mbox"), false, 2),
        (Format::Jsonl, tangled.clone(), false, 500),
        (Format::Jsonl, edited.clone(), false, 5),
        (Format::Wxr, fixtures.join("isso-wordpress.xml"), false, 4),
    ];
    let mut results = Vec::new();
    for bulk in [true, false] {
        let db = dir.path().join(format!("bulk-{bulk}.db"));
        let (s, _) = services(format!("sqlite://{}", db.display())).await;
        let mut summaries = Vec::new();
        for (format, path, dry_run, batch) in &steps {
            let opts = ImportOptions {
                space: "forum".into(),
                dry_run: *dry_run,
                batch: *batch,
                sqlite_bulk: bulk,
                hide_dir: None,
            };
            let sum = s
                .import(*format, vec![path.clone()], &opts, |_| {})
                .await
                .unwrap();
            summaries.push(serde_json::to_string(&sum).unwrap());
        }
        s.store().close().await;
        results.push((summaries, dump_sqlite(&db)));
    }
    let (bulk, sqlx) = (&results[0], &results[1]);
    assert_eq!(bulk.0, sqlx.0, "the same summaries");
    assert!(
        bulk.0[2].contains(r#""parents_linked":"#) && !bulk.0[2].contains(r#""parents_linked":0"#),
        "{}",
        bulk.0[2]
    );
    assert!(
        bulk.0[5].contains(r#""messages_updated":2"#),
        "{}",
        bulk.0[5]
    );
    assert!(
        bulk.1.len() > 300,
        "the stores hold the imports: {} rows",
        bulk.1.len()
    );
    for (a, b) in bulk.1.iter().zip(&sqlx.1) {
        assert_eq!(a, b, "bulk path (left) and sqlx path (right) differ");
    }
    assert_eq!(bulk.1.len(), sqlx.1.len());
}

/// Marie writes by email, comments on a blog as "Marie D." with the same address, and posts on
/// Mastodon from an account whose profile links to her blog profile. Paul Martin appears twice
/// with two addresses at the same company. Jean Dupont appears on two channels with nothing
/// but his name. One line is broken.
const PEOPLE: &str = r#"
{"channel":"email","id":"<m1@acme.fr>","thread_title":"Salon de Lyon : qui vient ?","author":{"handle":"marie@acme.fr","name":"Marie Durand","email":"marie@acme.fr"},"created_at":"2026-03-01T10:00:00Z","text":"Nous serons au salon, passez nous voir à l'événement."}
{"channel":"blog","id":"c1","thread_id":"post-1","thread_title":"Billet : la présence","author":{"handle":"Marie D.","name":"Marie D.","email":"marie at acme.fr","profile_url":"https://blog.example/auteurs/marie"},"created_at":"2026-03-02T10:00:00Z","html":"<p>Très juste <script>alert(1)</script></p>"}
{"channel":"mastodon","id":"https://social.example/@marie/1","author":{"handle":"@marie@social.example","name":"Marie","links":["https://blog.example/auteurs/marie"]},"created_at":"2026-03-03T10:00:00Z","text":"Un fil sur la présence"}
{"channel":"email","id":"<m2@acme.fr>","thread_id":"<m1@acme.fr>","parent_id":"<m1@acme.fr>","author":{"handle":"paul.martin@acme.fr","name":"Paul Martin","email":"paul.martin@acme.fr"},"created_at":"2026-03-04T10:00:00Z","text":"J'y serai."}
{"channel":"forum","id":"f1","thread_title":"Question","author":{"handle":"pmartin","name":"Paul Martin","email":"pmartin@acme.fr"},"created_at":"2026-03-05T10:00:00Z","text":"Bonjour"}
{"channel":"forum","id":"f2","thread_id":"f1","parent_id":"f1","author":{"handle":"jdupont","name":"Jean Dupont"},"created_at":"2026-03-06T10:00:00Z","text":"Moi aussi"}
{"channel":"blog","id":"c2","thread_id":"post-1","author":{"handle":"Jean Dupont","name":"Jean Dupont"},"created_at":"2026-03-07T10:00:00Z","text":"Et moi"}
{"channel":"forum","id":"broken" "author"
{"channel":"email","id":"<m3@acme.fr>","thread_id":"<m1@acme.fr>","parent_id":"<m9@acme.fr>","author":{"handle":"marie@acme.fr","name":"Marie Durand","email":"marie@acme.fr"},"created_at":"2026-03-08T10:00:00Z","text":"Réponse à un message qui arrive plus tard"}
{"channel":"email","id":"<m9@acme.fr>","thread_id":"<m1@acme.fr>","parent_id":"<m1@acme.fr>","author":{"handle":"paul.martin@acme.fr","name":"Paul Martin","email":"paul.martin@acme.fr"},"created_at":"2026-03-07T09:00:00Z","text":"Le programme est en ligne."}
"#;

#[tokio::test]
async fn people_are_resolved_across_channels_and_reimports_are_idempotent() {
    on_both(|s, admin, dir| async move {
        let file = dir.join(format!("people-{}.jsonl", now_millis()));
        std::fs::write(&file, PEOPLE).unwrap();

        // A dry run says what would happen and writes nothing.
        let dry = import(&s, Format::Jsonl, file.clone(), true).await;
        assert!(dry.dry_run);
        assert_eq!(dry.messages_created, 9);
        assert_eq!(s.store().member_count().await.unwrap(), 1, "the dry run wrote no member");

        let sum = import(&s, Format::Jsonl, file.clone(), false).await;
        assert_eq!(sum.messages_created, 9);
        assert_eq!(sum.skipped, 1);
        assert_eq!(sum.errors, 1);
        assert!(sum.error_examples[0].contains("line 9"), "the broken line is named: {:?}", sum.error_examples);
        assert_eq!(sum.threads_created, 4);
        // Marie (×3 channels) is one person; Paul is two people with a proposal; Jean is two
        // people without any (a name alone is no evidence).
        assert_eq!(sum.people_created, 5, "{sum:?}");
        assert_eq!(sum.merges_proposed, 1, "{sum:?}");
        assert_eq!(sum.parents_linked, 1, "the reply that came before its parent is linked");

        let marie = s.member(Some(&admin), "marie.durand").await.unwrap();
        let networks: Vec<_> = marie.identities.iter().map(|i| i.network.as_str()).collect();
        for n in ["email", "blog", "mastodon", "url"] {
            assert!(networks.contains(&n), "Marie has a {n} identity: {networks:?}");
        }
        assert_eq!(marie.message_count, 4);
        let members = s.members(Some(&admin), Some("dupont"), PageRequest::new(None, None, 50)).await.unwrap();
        assert_eq!(members.total, 2, "two Jean Dupont, never merged on a name");

        let proposals = s.merge_proposals(&admin).await.unwrap();
        assert_eq!(proposals.len(), 1);
        assert!(proposals[0].reason.contains("acme.fr"), "{}", proposals[0].reason);
        assert_eq!(proposals[0].a.display_name, "Paul Martin");

        // Imported HTML is sanitized; replies keep their parent; topics are spotted.
        let space = s.space("forum").await.unwrap();
        let threads = s.threads(&space, None, PageRequest::new(None, Some(50), 50)).await.unwrap();
        let salon = threads.items.iter().find(|t| t.title.contains("Salon")).unwrap();
        assert_eq!(salon.channel, "email");
        assert_eq!(salon.topic_slug.as_deref(), Some("evenements"));
        assert_eq!(salon.message_count, 4);
        let msgs = s.messages(salon.id, PageRequest::new(None, None, 50)).await.unwrap();
        assert!(msgs.items.iter().skip(1).all(|m| m.parent_id.is_some()), "every reply has its parent");
        let blog = threads.items.iter().find(|t| t.channel == "blog").unwrap();
        let blog_msgs = s.messages(blog.id, PageRequest::new(None, None, 50)).await.unwrap();
        assert!(!blog_msgs.items[0].body_html.contains("<script"));
        assert!(!s.store().topic_activity(space.id).await.unwrap().is_empty());

        // Again: nothing new, nothing duplicated.
        let again = import(&s, Format::Jsonl, file.clone(), false).await;
        assert_eq!((again.messages_created, again.threads_created, again.people_created), (0, 0, 0), "{again:?}");
        assert_eq!(again.messages_unchanged, 9);
        assert_eq!(again.merges_proposed, 0);
        // A newer export that edits one message and adds one: one update, one creation.
        let newer = PEOPLE.replace("J'y serai.", "J'y serai, avec deux collègues.")
            + r#"{"channel":"forum","id":"f3","thread_id":"f1","parent_id":"f1","author":{"handle":"pmartin","name":"Paul Martin"},"created_at":"2026-03-09T10:00:00Z","text":"Suite"}"#;
        std::fs::write(&file, newer).unwrap();
        let third = import(&s, Format::Jsonl, file.clone(), false).await;
        assert_eq!((third.messages_created, third.messages_updated), (1, 1), "{third:?}");
    })
    .await;
}

/// Everything about the space and the two Pauls, as text.
async fn snapshot(s: &Services, space: &Space) -> (Vec<String>, Option<String>, Option<String>) {
    let mut out = Vec::new();
    s.store()
        .export_space(space, |r| {
            out.push(serde_json::to_string(&r).unwrap());
            Ok(())
        })
        .await
        .unwrap();
    let a = s
        .store()
        .member_by_handle("paul.martin")
        .await
        .unwrap()
        .map(|m| serde_json::to_string(&m).unwrap());
    let b = s
        .store()
        .member_by_handle("pmartin")
        .await
        .unwrap()
        .map(|m| serde_json::to_string(&m).unwrap());
    (out, a, b)
}

#[tokio::test]
async fn a_merge_can_be_undone_exactly() {
    on_both(|s, admin, dir| async move {
        let file = dir.join(format!("merge-{}.jsonl", now_millis()));
        std::fs::write(&file, PEOPLE).unwrap();
        import(&s, Format::Jsonl, file, false).await;
        let space = s.space("forum").await.unwrap();
        let before = snapshot(&s, &space).await;
        let proposal = s.merge_proposals(&admin).await.unwrap().remove(0);
        let merge = s.accept_proposal(&admin, proposal.id).await.unwrap();
        let kept = s.member(Some(&admin), &proposal.a.handle).await.unwrap();
        assert_eq!(
            kept.message_count,
            proposal.a.message_count + proposal.b.message_count
        );
        assert!(s.merge_proposals(&admin).await.unwrap().is_empty());
        let listed = s
            .members(
                Some(&admin),
                Some("martin"),
                PageRequest::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(listed.total, 1, "the merged member is hidden");

        s.unmerge(&admin, merge).await.unwrap();
        let after = snapshot(&s, &space).await;
        assert_eq!(before, after, "un-merge restores exactly what was there");
        assert_eq!(
            s.merge_proposals(&admin).await.unwrap().len(),
            1,
            "the proposal is open again"
        );
        assert!(
            s.unmerge(&admin, merge).await.is_err(),
            "a merge is undone once"
        );
    })
    .await;
}

#[tokio::test]
async fn a_malformed_file_is_refused_before_any_write() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = services(format!("sqlite://{}/i.db", dir.path().display())).await;
    let bad = dir.path().join("export.xml");
    std::fs::write(
        &bad,
        "<?xml version=\"1.0\"?>\n<rss><channel><item><title>ok</title></item>\n<item><title>cut",
    )
    .unwrap();
    let opts = ImportOptions {
        space: "forum".into(),
        ..Default::default()
    };
    let sum = s
        .import(Format::Wxr, vec![bad.clone()], &opts, |_| {})
        .await;
    match sum {
        Err(e) => assert!(e.to_string().contains("export.xml"), "{e}"),
        Ok(sum) => {
            assert!(sum.errors >= 1);
            assert!(
                sum.error_examples[0].contains("export.xml"),
                "{:?}",
                sum.error_examples
            );
        }
    }
    let missing = s
        .import(
            Format::Mbox,
            vec![dir.path().join("nope.mbox")],
            &opts,
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(missing.to_string().contains("nope.mbox"), "{missing}");
    let unknown_space = s
        .import(
            Format::Mbox,
            vec![bad],
            &ImportOptions {
                space: "nowhere".into(),
                ..Default::default()
            },
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(unknown_space.to_string().contains("nowhere"));
}

#[tokio::test]
async fn mbox_threads_and_committed_fixtures_import() {
    let fixtures =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../parvis-import/tests/fixtures");
    on_both(|s, _admin, _dir| {
        let fixtures = fixtures.clone();
        async move {
            let sum = import(&s, Format::Mbox, fixtures.join("sample.mbox"), false).await;
            assert!(sum.messages_created >= 3, "{sum:?}");
            assert!(
                sum.threads_created >= 1 && sum.threads_created < sum.messages_created,
                "{sum:?}"
            );
            let wxr = import(&s, Format::Wxr, fixtures.join("isso-wordpress.xml"), false).await;
            assert!(wxr.messages_created > 0, "{wxr:?}");
            let space = s.space("forum").await.unwrap();
            let threads = s
                .threads(&space, None, PageRequest::new(None, Some(100), 100))
                .await
                .unwrap();
            assert!(threads.items.iter().any(|t| t.channel == "wordpress"));
            assert!(threads.items.iter().any(|t| t.channel == "email"));
        }
    })
    .await;
}

/// Names and handles from an import lose their control characters and direction overrides
/// (nobody is there to correct them): the member list never shows a reversed or broken name.
#[tokio::test]
async fn imported_names_and_identities_lose_control_characters_and_direction_overrides() {
    on_both(|s, _admin, dir| async move {
        let path = dir.join("hostile-names.jsonl");
        std::fs::write(
            &path,
            concat!(
                r#"{"channel":"forum","id":"h1","thread_title":"Bon\u202Ejour\u0007","author":{"handle":"eve\u2066x","name":"Eve\u202Emoc.elpmaxe\u0000\nMallory","email":"eve@evil.example"},"created_at":1709287200000,"text":"Salut"}"#,
                "\n",
                r#"{"channel":"forum","id":"h2","thread_id":"h1","parent_id":"h1","author":{"handle":"paul.b@acme.example","name":"paul.b@acme.example"},"created_at":1709287300000,"text":"Re"}"#,
                "\n"
            ),
        )
        .unwrap();
        let sum = import(&s, Format::Jsonl, path, false).await;
        assert_eq!(sum.people_created, 2);
        // An address given as the name is not shown as the name.
        let paul = s
            .store()
            .list_members(Some("paul"), PageRequest::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(paul.items[0].display_name, "paul.b");
        let space = s.space("forum").await.unwrap();
        let threads = s
            .threads(&space, None, PageRequest::new(None, None, 50))
            .await
            .unwrap();
        assert!(threads.items.iter().any(|t| t.title == "Bonjour"), "{:?}", threads.items);
        let members = s
            .store()
            .list_members(Some("eve"), PageRequest::new(None, None, 50))
            .await
            .unwrap();
        let eve = &members.items[0];
        assert_eq!(eve.display_name, "Evemoc.elpmaxe Mallory");
        let eve = s.store().member_by_id(eve.id).await.unwrap().unwrap();
        assert!(
            eve.identities
                .iter()
                .all(|i| hygiene::is_clean(&i.handle) && hygiene::is_clean(&i.network)),
            "{:?}",
            eve.identities
        );
        assert!(eve.identities.iter().any(|i| i.handle == "evex"));
    })
    .await;
}

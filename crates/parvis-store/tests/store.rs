//! Store behaviour, each test run on SQLite and, when `PARVIS_TEST_DATABASE_URL` is set, on
//! PostgreSQL.

use parvis_domain::*;
use parvis_store::{NewMember, NewMessage, NewThread, Store, StoreError, testing};

/// Run `check` on a fresh SQLite store and a fresh PostgreSQL schema.
async fn on_both<F, Fut>(check: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    check(sqlite).await;
    match testing::postgres_test_url() {
        Some(base) => {
            let url = testing::fresh_postgres_url(&base).await.unwrap();
            check(Store::open(&url).await.unwrap()).await;
        }
        None => eprintln!(
            "notice: PARVIS_TEST_DATABASE_URL not set, PostgreSQL half of this test skipped"
        ),
    }
}

fn member(handle: &str, email: &str) -> NewMember {
    NewMember {
        handle: handle.into(),
        display_name: handle.to_uppercase(),
        email: Some(email.into()),
        password_hash: None,
        site_role: SiteRole::Member,
        ecosystem_role: EcosystemRole::Customer,
        organisation: "Acme".into(),
        bio: String::new(),
        lang: "fr".into(),
        created_at: 1_000,
    }
}

#[tokio::test]
async fn threads_messages_and_reactions_round_trip() {
    on_both(|s| async move {
        let space = s.create_space("demo", "Démo", "", 1).await.unwrap();
        let topic = s
            .create_topic(space, "roi", "ROI", "", &["roi".into()], 1)
            .await
            .unwrap();
        let alice = s
            .create_member(&member("alice", "alice@x.fr"))
            .await
            .unwrap();
        let bob = s.create_member(&member("bob", "bob@x.fr")).await.unwrap();
        let (thread, first) = s
            .create_thread(&NewThread {
                space_id: space,
                topic_id: Some(topic),
                title: "Mesurer le ROI".into(),
                author_id: alice,
                body_md: "Bonjour".into(),
                body_html: "<p>Bonjour</p>".into(),
                created_at: 10,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        let reply = s
            .add_message(&NewMessage {
                thread_id: thread,
                parent_id: Some(first),
                author_id: bob,
                body_md: "Réponse".into(),
                body_html: "<p>Réponse</p>".into(),
                created_at: 20,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        s.add_reaction(reply, alice, ReactionKind::Like, 30)
            .await
            .unwrap();
        s.add_reaction(reply, alice, ReactionKind::Like, 31)
            .await
            .unwrap(); // idempotent
        s.add_reaction(reply, bob, ReactionKind::Like, 32)
            .await
            .unwrap();

        let t = s.thread(thread).await.unwrap().unwrap();
        assert_eq!(t.message_count, 2);
        assert_eq!(t.last_activity_at, 20);
        assert_eq!(t.topic_slug.as_deref(), Some("roi"));
        let msgs = s
            .list_messages(thread, PageRequest::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(msgs.total, 2);
        assert_eq!(msgs.items[1].parent_id, Some(first));
        assert_eq!(msgs.items[1].author.handle, "bob");
        assert_eq!(msgs.items[1].reactions[0].count, 2);
        s.add_reaction(reply, bob, ReactionKind::Question, 33)
            .await
            .unwrap();
        // A member's own reactions in the thread, for the widget to show them as given.
        assert_eq!(
            s.member_reactions_in_thread(thread, bob, 10).await.unwrap(),
            [(reply, ReactionKind::Like), (reply, ReactionKind::Question)]
        );
        assert_eq!(
            s.member_reactions_in_thread(thread, bob, 1).await.unwrap(),
            [(reply, ReactionKind::Like)]
        );
        // The thread page reads it in one snapshot: the thread, its count, a page with the
        // reactions by kind (in name order); a page past the end keeps the thread and count.
        let whole = PageRequest::new(None, None, 50);
        let (head, page) = s.thread_page(thread, whole).await.unwrap().unwrap();
        assert_eq!((head.title.as_str(), page.total), ("Mesurer le ROI", 2));
        let counts: Vec<_> = page.items[1]
            .reactions
            .iter()
            .map(|r| (r.kind, r.count))
            .collect();
        assert_eq!(
            counts,
            [(ReactionKind::Like, 2), (ReactionKind::Question, 1)]
        );
        assert!(page.items[0].reactions.is_empty());
        assert_eq!(page.items[1].parent_author.as_deref(), Some("ALICE"));
        let second = PageRequest::new(Some(2), Some(1), 50);
        let (_, page) = s.thread_page(thread, second).await.unwrap().unwrap();
        assert_eq!(page.items.iter().map(|m| m.id).collect::<Vec<_>>(), [reply]);
        let past = PageRequest::new(Some(9), Some(1), 50);
        let (head, page) = s.thread_page(thread, past).await.unwrap().unwrap();
        assert_eq!((head.id, page.total, page.items.len()), (thread, 2, 0));
        assert!(
            s.thread_page(ThreadId(999_999), whole)
                .await
                .unwrap()
                .is_none()
        );
        // Several threads at once (the feed's page): the ones that exist, by id.
        let found = s
            .threads_by_ids(&[thread, ThreadId(999_999), thread])
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[&thread].title, "Mesurer le ROI");
        assert_eq!(found[&thread].message_count, 2);
        assert!(s.threads_by_ids(&[]).await.unwrap().is_empty());
        let listed = s
            .list_threads(space, Some(topic), PageRequest::new(None, None, 20))
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1);
        assert_eq!(s.list_topics(space).await.unwrap()[0].thread_count, 1);

        // A reply to a parent of another thread, or to a thread that does not exist, is refused.
        let bad = NewMessage {
            thread_id: ThreadId(999_999),
            parent_id: None,
            author_id: bob,
            body_md: "x".into(),
            body_html: "x".into(),
            created_at: 40,
            channel: "parvis".into(),
            source_id: None,
            source_url: None,
        };
        assert!(matches!(
            s.add_message(&bad).await,
            Err(StoreError::NotFound(_))
        ));
        // Nothing half-written: the thread still has 2 messages.
        assert_eq!(s.thread(thread).await.unwrap().unwrap().message_count, 2);
    })
    .await;
}

#[tokio::test]
async fn uniqueness_is_reported_as_conflict() {
    on_both(|s| async move {
        s.create_member(&member("alice", "alice@x.fr"))
            .await
            .unwrap();
        let e = s
            .create_member(&member("alice", "other@x.fr"))
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Conflict { ref what } if what == "handle"),
            "{e:?}"
        );
        let e = s
            .create_member(&member("alice2", "alice@x.fr"))
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Conflict { ref what } if what == "email"),
            "{e:?}"
        );
        s.create_space("demo", "Démo", "", 1).await.unwrap();
        assert!(matches!(
            s.create_space("demo", "Autre", "", 2).await,
            Err(StoreError::Conflict { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn identities_consents_and_sessions() {
    on_both(|s| async move {
        let a = s
            .create_member(&member("alice", "alice@x.fr"))
            .await
            .unwrap();
        let b = s.create_member(&member("bob", "bob@x.fr")).await.unwrap();
        s.add_identity(a, "mastodon", "@alice@m.example", true, 5)
            .await
            .unwrap();
        assert!(matches!(
            s.add_identity(b, "mastodon", "@alice@m.example", false, 6)
                .await,
            Err(StoreError::Conflict { .. })
        ));
        s.set_consent(a, ConsentKind::Contact, true, 7)
            .await
            .unwrap();
        s.set_consent(a, ConsentKind::Contact, false, 8)
            .await
            .unwrap();
        let m = s.member_by_handle("alice").await.unwrap().unwrap();
        assert_eq!(m.identities.len(), 1);
        assert_eq!(m.consents.len(), 1);
        assert!(!m.consents[0].granted);
        assert_eq!(m.consents[0].updated_at, 8);

        s.create_session("h1", a, "csrf", 10, 100).await.unwrap();
        assert_eq!(s.session("h1", 50).await.unwrap().unwrap().member_id, a);
        // What a signed-in request reads: the session and its whole member, in one read.
        let (session, me) = s.session_member("h1", 50).await.unwrap().unwrap();
        assert_eq!(
            (session.csrf_token.as_str(), session.expires_at),
            ("csrf", 100)
        );
        assert_eq!((me.id, me.handle.as_str()), (a, "alice"));
        assert_eq!(me.identities.len(), 1);
        assert!(me.identities[0].verified);
        assert_eq!(me.consents.len(), 1);
        assert!(!me.consents[0].granted, "the latest consent answer is read");
        assert!(s.session_member("h1", 200).await.unwrap().is_none());
        assert!(s.session_member("nope", 50).await.unwrap().is_none());
        // An API token's last use is noted, at most once a minute.
        let token = s.create_api_token(a, "ci", "t1", 10).await.unwrap();
        let last_used = |s: Store| async move {
            let tokens = s.list_api_tokens(a).await.unwrap();
            tokens.iter().find(|t| t.id == token).unwrap().last_used_at
        };
        assert_eq!(last_used(s.clone()).await, None);
        assert_eq!(s.api_token_member("t1", 1_000).await.unwrap(), Some(a));
        assert_eq!(last_used(s.clone()).await, Some(1_000));
        assert_eq!(s.api_token_member("t1", 30_000).await.unwrap(), Some(a));
        assert_eq!(last_used(s.clone()).await, Some(1_000), "within the minute");
        assert_eq!(s.api_token_member("t1", 61_000).await.unwrap(), Some(a));
        assert_eq!(last_used(s.clone()).await, Some(61_000));
        assert_eq!(s.api_token_member("t2", 61_000).await.unwrap(), None);
        assert!(
            s.session("h1", 200).await.unwrap().is_none(),
            "expired sessions are not honoured"
        );
        s.create_magic_link("m1", a, 10, 100).await.unwrap();
        assert_eq!(s.consume_magic_link("m1", 20).await.unwrap(), Some(a));
        assert_eq!(
            s.consume_magic_link("m1", 21).await.unwrap(),
            None,
            "a link works once"
        );
        s.record_auth_attempt("ip:1", 10, 0).await.unwrap();
        s.record_auth_attempt("ip:1", 11, 0).await.unwrap();
        s.record_auth_attempt("ip:2", 12, 0).await.unwrap();
        let a1 = s.auth_attempts("ip:1", 0).await.unwrap();
        assert_eq!((a1.count, a1.oldest, a1.latest), (2, Some(10), Some(11)));
        assert_eq!(s.auth_attempts("ip:1", 11).await.unwrap().count, 1);
        // Old attempts are pruned at most once a minute: an attempt two minutes on prunes.
        s.record_auth_attempt("ip:1", 120_000, 500).await.unwrap();
        let a1 = s.auth_attempts("ip:1", 0).await.unwrap();
        assert_eq!(a1.count, 1, "old attempts are forgotten");
        assert_eq!(s.auth_attempts("nobody", 0).await.unwrap().count, 0);
        s.clear_auth_attempts("ip:1").await.unwrap();
        assert_eq!(s.auth_attempts("ip:1", 0).await.unwrap().latest, None);
    })
    .await;
}

#[tokio::test]
async fn refuses_files_that_are_not_parvis_stores() {
    let dir = tempfile::tempdir().unwrap();
    let text_file = dir.path().join("notes.db");
    std::fs::write(&text_file, "hello, this is not a database").unwrap();
    let e = Store::open(&format!("sqlite://{}", text_file.display()))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a Parvis store"), "{e}");

    let other = dir.path().join("other.db");
    let status = std::process::Command::new("sqlite3")
        .arg(&other)
        .arg("CREATE TABLE invoices(id INTEGER);")
        .status();
    if status.map(|s| s.success()).unwrap_or(false) {
        let e = Store::open(&format!("sqlite://{}", other.display()))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("invoices"), "{e}");
    } else {
        eprintln!("notice: sqlite3 CLI absent, foreign-database half skipped");
    }
    let e = Store::open("mysql://localhost/x").await.unwrap_err();
    assert!(e.to_string().contains("sqlite://"), "{e}");
}

#[tokio::test]
async fn reopening_keeps_data_and_backup_copies_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/p.db", dir.path().display());
    let s = Store::open(&url).await.unwrap();
    s.create_space("demo", "Démo", "", 1).await.unwrap();
    let backup = dir.path().join("copy.db");
    s.backup_to(&backup).await.unwrap();
    s.close().await;
    let s = Store::open(&url).await.unwrap();
    assert_eq!(s.list_spaces().await.unwrap().len(), 1);
    let b = Store::open(&format!("sqlite://{}", backup.display()))
        .await
        .unwrap();
    assert_eq!(b.list_spaces().await.unwrap()[0].slug, "demo");
}

/// Consents keep a dated history; a space export carries reactions, statements, votes and
/// consents; erasing an account removes everything personal and keeps or deletes messages.
#[tokio::test]
async fn consent_history_complete_space_export_and_erasure() {
    on_both(|s| async move {
        let space_id = s.create_space("demo", "Démo", "", 1).await.unwrap();
        let topic = s
            .create_topic(space_id, "roi", "ROI", "", &[], 1)
            .await
            .unwrap();
        let alice = s
            .create_member(&member("alice", "alice@x.fr"))
            .await
            .unwrap();
        let bob = s.create_member(&member("bob", "bob@x.fr")).await.unwrap();
        s.set_consent(alice, ConsentKind::Contact, true, 10)
            .await
            .unwrap();
        s.set_consent(alice, ConsentKind::Contact, false, 20)
            .await
            .unwrap();
        // Saving the same choice again is not a change: its date stays.
        s.set_consent(alice, ConsentKind::Contact, false, 30)
            .await
            .unwrap();
        let alice_now = s.member_by_id(alice).await.unwrap().unwrap();
        assert_eq!(alice_now.consents[0].updated_at, 20);
        let history = s.consent_events(alice).await.unwrap();
        assert_eq!(
            history
                .iter()
                .map(|e| (e.granted, e.at))
                .collect::<Vec<_>>(),
            vec![(true, 10), (false, 20)]
        );
        let thread = |author, title: &str| NewThread {
            space_id,
            topic_id: Some(topic),
            title: title.into(),
            author_id: author,
            body_html: "<p>x</p>".into(),
            body_md: "x".into(),
            created_at: 100,
            channel: "parvis".into(),
            source_id: None,
            source_url: None,
        };
        let (alone, _) = s.create_thread(&thread(alice, "Seule")).await.unwrap();
        let (shared, first) = s.create_thread(&thread(alice, "Partagé")).await.unwrap();
        s.add_message(&NewMessage {
            thread_id: shared,
            parent_id: Some(first),
            author_id: bob,
            body_md: "réponse".into(),
            body_html: "<p>réponse</p>".into(),
            created_at: 200,
            channel: "parvis".into(),
            source_id: None,
            source_url: None,
        })
        .await
        .unwrap();
        s.add_reaction(first, bob, ReactionKind::ALL[0], 300)
            .await
            .unwrap();
        let st = s
            .add_statement(topic, Some(alice), "Oui", "accepted", 1, None)
            .await
            .unwrap();
        s.vote(st, &format!("m{}", alice.0), 1, 2).await.unwrap();
        s.vote(st, &format!("m{}", bob.0), -1, 3).await.unwrap();
        let space = s.space_by_slug("demo").await.unwrap().unwrap();
        let mut kinds = Vec::new();
        s.export_space(&space, |r| {
            kinds.push(
                serde_json::to_value(&r).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
            Ok(())
        })
        .await
        .unwrap();
        for (kind, n) in [
            ("reaction", 1),
            ("statement", 1),
            ("vote", 2),
            ("consent", 1),
            ("consent_event", 2),
        ] {
            assert_eq!(kinds.iter().filter(|k| *k == kind).count(), n, "{kind}");
        }

        // Alice goes, deleting her messages: her thread alone goes with them, the shared one
        // keeps Bob's reply; her statement, votes, consents and history go; the row stays.
        let out = s
            .erase_member(alice, true, "Ancien membre", 1_000)
            .await
            .unwrap();
        assert_eq!(out.deleted_messages.len(), 2);
        assert_eq!(out.deleted_threads, 1);
        assert!(s.thread(alone).await.unwrap().is_none());
        let kept = s.thread(shared).await.unwrap().unwrap();
        assert_eq!(kept.message_count, 1);
        assert!(s.consent_events(alice).await.unwrap().is_empty());
        assert!(s.member_id_by_email("alice@x.fr").await.unwrap().is_none());
        assert!(
            s.topic_votes(topic).await.unwrap().is_empty(),
            "statement deleted"
        );
        let records = s.member_records(alice).await.unwrap();
        assert!(records.messages.is_empty() && records.votes.is_empty());

        // Bob goes, keeping his messages anonymised: his reply stays, under the neutral name.
        let out = s
            .erase_member(bob, false, "Ancien membre", 1_000)
            .await
            .unwrap();
        assert_eq!(out.anonymised_messages, 1);
        let msgs = s
            .list_messages(shared, PageRequest::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(msgs.items[0].author.display_name, "Ancien membre");
        assert!(s.member_by_handle("bob").await.unwrap().is_none());
    })
    .await;
}

/// Concurrent writers that read before they write (a consent change checks the current
/// state first) all succeed: on SQLite a deferred transaction would fail with "database is
/// locked" (SQLITE_BUSY_SNAPSHOT) when another writer commits between its read and its write.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_read_then_write_transactions_all_succeed() {
    on_both(|s| async move {
        let mut ids = Vec::new();
        for i in 0..4 {
            ids.push(
                s.create_member(&member(&format!("c{i}"), &format!("c{i}@x.example")))
                    .await
                    .unwrap(),
            );
        }
        let mut tasks = Vec::new();
        for (t, id) in ids.iter().copied().enumerate() {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..40i64 {
                    s.set_consent(
                        id,
                        ConsentKind::Contact,
                        n % 2 == 0,
                        2_000 + n * 10 + t as i64,
                    )
                    .await?;
                }
                Ok::<_, StoreError>(())
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    })
    .await;
}

#[path = "store/measure.rs"]
mod measure;

/// Reactions and votes taken back leave the measures at the next refresh.
#[path = "store/measure_taken_back.rs"]
mod measure_taken_back;

/// Surveys: one answer per person across paths, closing, and what mailings hold about a
/// person (export, erasure).
#[path = "store/surveys_people.rs"]
mod surveys_people;

#[tokio::test]
async fn room_event_log_is_ordered_unique_and_all_or_nothing() {
    use parvis_store::{NewRoom, RoomEventRow};
    on_both(|s| async move {
        let space = s.create_space("live", "Live", "", 1).await.unwrap();
        let topic = s.create_topic(space, "t", "T", "", &[], 1).await.unwrap();
        let room = s
            .create_room(&NewRoom {
                space_id: space,
                topic_id: Some(topic),
                session_id: None,
                title: "Débat".into(),
                anonymous_questions: true,
                approval_required: false,
                budget_permille: 1500,
                created_by: None,
                created_at: 5,
            })
            .await
            .unwrap();
        let row = s.room(room).await.unwrap().unwrap();
        assert!(row.anonymous_questions && !row.approval_required);
        assert_eq!(s.rooms_of_topic(topic).await.unwrap(), [row.clone()]);
        let ev = |seq: i64| RoomEventRow {
            seq,
            at: seq * 10,
            actor_key: "m:1".into(),
            action: "ask".into(),
            body: format!("{{\"seq\":{seq}}}"),
        };
        s.append_room_events(room, &[ev(1), ev(2)]).await.unwrap();
        // Another instance already wrote seq 2: the whole batch is refused, seq 3 is not kept.
        let err = s
            .append_room_events(room, &[ev(3), ev(2)])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        let all = s.room_events(room, 0).await.unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(s.room_events(room, 1).await.unwrap(), [ev(2)]);
        s.link_room_to_session(room, 42).await.unwrap();
        assert_eq!(s.room(room).await.unwrap().unwrap().session_id, Some(42));
    })
    .await;
}

/// Embeds: settings, cookieless counts, clicks, conversions, webhook deliveries.
#[path = "store/embeds.rs"]
mod embeds;

#[path = "store/reads.rs"]
mod reads;

#[path = "store/stored_pages.rs"]
mod stored_pages;

/// Live rooms' logs: read by kind of event, rewritten in place.
#[path = "store/live.rs"]
mod live;

/// Upgrading: a store left at an old schema version opens with its rows and the defaults of
/// what came since.
#[path = "store/upgrade.rs"]
mod upgrade;

/// A saved feed engine is trusted again only while this stays the same: it moves with a
/// message deleted or written at other times, an erasure and a merge, not with a message
/// added after the engine's last one (that one is fed on top).
#[tokio::test]
async fn the_feed_fingerprint_moves_with_what_a_saved_engine_cannot_see() {
    on_both(|s| async move {
        let space = s.create_space("liste", "Liste", "", 1).await.unwrap();
        let alice = s
            .create_member(&member("alice", "alice@x.fr"))
            .await
            .unwrap();
        let bob = s.create_member(&member("bob", "bob@x.fr")).await.unwrap();
        let (thread, first) = s
            .create_thread(&NewThread {
                space_id: space,
                topic_id: None,
                title: "Reprojection".into(),
                author_id: alice,
                body_md: "Bonjour".into(),
                body_html: "<p>Bonjour</p>".into(),
                created_at: 1_700_000_000_000,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        let at = first.0;
        let before = s.feed_fingerprint(space, at).await.unwrap();
        assert_eq!(before[0], 1);
        let reply = s
            .add_message(&NewMessage {
                thread_id: thread,
                parent_id: Some(first),
                author_id: bob,
                body_md: "Réponse".into(),
                body_html: "<p>Réponse</p>".into(),
                created_at: 1_700_000_100_000,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        // Newer than the engine's last message: the same fingerprint up to it.
        assert_eq!(s.feed_fingerprint(space, at).await.unwrap(), before);
        let both = s.feed_fingerprint(space, reply.0).await.unwrap();
        assert_eq!(both[0], 2);
        assert_ne!(both[1], before[1]);
        // An erasure moves it.
        s.erase_member(bob, false, "Ancien membre", 1_700_000_200_000)
            .await
            .unwrap();
        let erased = s.feed_fingerprint(space, reply.0).await.unwrap();
        assert_eq!(erased[..2], both[..2]);
        assert_ne!(erased[2], both[2]);
    })
    .await;
}

//! Thread pages kept in the store: served only while current, never overwritten by an older
//! read, and gone after a bulk change.

use super::reads::renewal;
use super::*;
use parvis_store::{ThreadPageRead, ThreadPageVisitor};

/// Writes the page as "title|body|body…", enough to tell two readings apart.
struct Titles(String);

impl ThreadPageVisitor for Titles {
    type Output = String;
    fn thread(&mut self, thread: &ThreadSummary, _total: i64) {
        self.0.push_str(&thread.title);
    }
    fn message(&mut self, message: &parvis_domain::MessageView<'_>) {
        self.0.push('|');
        self.0.push_str(message.body_markdown);
    }
    fn finish(self) -> String {
        self.0
    }
}

async fn read(s: &Store, thread: ThreadId, page: PageRequest) -> ThreadPageRead<String> {
    s.thread_page_stored_or_with(thread, page, Titles(String::new()))
        .await
        .unwrap()
        .expect("the thread exists")
}

#[tokio::test]
async fn a_kept_page_is_served_until_the_content_version_moves() {
    on_both(|s| async move {
        let space = s.create_space("demo", "Démo", "", 1).await.unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        let (thread, _) = s
            .create_thread(&renewal(space, alice))
            .await
            .unwrap();
        let page = PageRequest::new(Some(1), Some(50), 50);

        // Nothing kept yet: read afresh, at the store's version.
        let ThreadPageRead::Fresh { version, output } = read(&s, thread, page).await else {
            panic!("nothing was kept yet")
        };
        assert_eq!(output, "Renouvellement|Ouverture");
        let version = version.expect("a new store has a content version");
        assert_eq!(version, s.content_version().await.unwrap());

        // Kept: the next read answers with the kept text, not the thread.
        s.keep_thread_page(thread, page, version, "kept answer".into())
            .await
            .unwrap();
        assert_eq!(s.kept_thread_pages().await.unwrap(), 1);
        assert!(
            matches!(read(&s, thread, page).await, ThreadPageRead::Stored(ref t) if t == b"kept answer")
        );
        // Another page size of the same thread is not that answer.
        let other = PageRequest::new(Some(1), Some(7), 50);
        assert!(matches!(read(&s, thread, other).await, ThreadPageRead::Fresh { .. }));

        // A write moves the version: the kept text is no longer served, the new reply shows.
        s.add_message(&super::reads::reply(thread, alice, 20, "Réponse"))
            .await
            .unwrap();
        s.bump_content_version().await.unwrap();
        let ThreadPageRead::Fresh { version: newer, output } = read(&s, thread, page).await else {
            panic!("the kept page is from an older version")
        };
        assert_eq!(output, "Renouvellement|Ouverture|Réponse");
        let newer = newer.unwrap();
        assert!(newer > version);

        // A reader that read before the write cannot put its older answer back over a newer one.
        s.keep_thread_page(thread, page, newer, "newer answer".into())
            .await
            .unwrap();
        s.keep_thread_page(thread, page, version, "older answer".into())
            .await
            .unwrap();
        assert!(
            matches!(read(&s, thread, page).await, ThreadPageRead::Stored(ref t) if t == b"newer answer")
        );

        // A bulk change deletes every kept page.
        assert_eq!(s.forget_thread_pages().await.unwrap(), 1);
        assert_eq!(s.kept_thread_pages().await.unwrap(), 0);

        // No such thread: nothing, whatever was kept.
        assert!(
            s.thread_page_stored_or_with(ThreadId(thread.0 + 1000), page, Titles(String::new()))
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

/// The content version moves with every change a kept page shows, whoever writes it (the
/// store's triggers, schema 34), and not with the busy writes no page shows.
#[tokio::test]
async fn the_content_version_moves_with_every_change_a_page_lists() {
    on_both(|s| async move {
        let mut last = s.content_version().await.unwrap();
        let mut moved = |what: &str, now: i64| {
            assert!(now > last, "{what} did not move the content version");
            last = now;
        };
        let space = s.create_space("demo", "Démo", "", 1).await.unwrap();
        moved("a new space", s.content_version().await.unwrap());
        s.update_space(space, "Démo 2027", "", "Europe/Paris")
            .await
            .unwrap();
        moved("a renamed space", s.content_version().await.unwrap());
        let topic = s
            .create_topic(space, "prix", "Prix", "", &[], 2)
            .await
            .unwrap();
        moved("a new topic", s.content_version().await.unwrap());
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        s.create_thread(&renewal(space, alice)).await.unwrap();
        moved("a new thread", s.content_version().await.unwrap());
        s.set_profile(alice, "Alice Martin", EcosystemRole::Customer, "", "")
            .await
            .unwrap();
        moved("a member's new name", s.content_version().await.unwrap());
        let session = s
            .create_topic_session(
                &parvis_store::NewSession {
                    space_id: space.0,
                    topic_id: topic.0,
                    title: "Débat du mois".into(),
                    description: String::new(),
                    starts_at: 1_000_000,
                    duration_min: 60,
                    time_zone: "Europe/Paris".into(),
                    mode: "online".into(),
                    place: String::new(),
                    online_url: String::new(),
                    access_code_hash: None,
                    capacity: Some(10),
                    partners: String::new(),
                    created_by: None,
                    repeated_from: None,
                    people: vec![],
                    agenda: vec![],
                },
                3,
            )
            .await
            .unwrap();
        moved("a new debate session", s.content_version().await.unwrap());

        // A registration locks its session's row by rewriting its capacity: no page changes.
        s.register(&parvis_store::NewRegistration {
            session_id: session,
            person: format!("m{}", alice.0),
            member_id: Some(alice.0),
            name: "Alice Martin".into(),
            email: "a@x.fr".into(),
            organisation: String::new(),
            lang: "fr".into(),
            needs_confirmation: false,
            confirm_token_hash: None,
            manage_token_hash: None,
            consents: vec![],
            now: 4,
        })
        .await
        .unwrap();
        assert_eq!(s.content_version().await.unwrap(), last, "a registration");
    })
    .await;
}

/// Callers asking for the current content version at once (one shared read on PostgreSQL) are
/// never answered by a read older than their question: each sees every write made before it.
#[tokio::test]
async fn a_shared_version_read_is_never_older_than_the_question() {
    on_both(|s| async move {
        for _ in 0..30 {
            s.bump_content_version().await.unwrap();
            let written = s.content_version().await.unwrap();
            let asked: Vec<_> = (0..16)
                .map(|_| {
                    let s = s.clone();
                    tokio::spawn(async move { s.current_content_version().await.unwrap() })
                })
                .collect();
            // Some callers ask while others' read is in flight, and a write lands meanwhile.
            let bump = {
                let s = s.clone();
                tokio::spawn(async move { s.bump_content_version().await.unwrap() })
            };
            for seen in asked {
                assert!(seen.await.unwrap() >= written);
            }
            bump.await.unwrap();
            let after = s.content_version().await.unwrap();
            assert_eq!(s.current_content_version().await.unwrap(), after);
        }
    })
    .await;
}

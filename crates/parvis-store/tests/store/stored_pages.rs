//! Thread pages kept in the store: served only while current, never overwritten by an older
//! read, and gone after a bulk change.

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
            .create_thread(&NewThread {
                space_id: space,
                topic_id: None,
                title: "Renouvellement".into(),
                author_id: alice,
                body_md: "Ouverture".into(),
                body_html: "<p>Ouverture</p>".into(),
                created_at: 10,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
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

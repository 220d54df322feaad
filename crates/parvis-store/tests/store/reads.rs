//! The read path (each backend's own driver): what a page reads is what was just written,
//! placeholders bind by their number, and many reads at once all get their answer.

use super::*;

pub(super) fn reply(thread: ThreadId, author: MemberId, at: i64, body: &str) -> NewMessage {
    NewMessage {
        thread_id: thread,
        parent_id: None,
        author_id: author,
        body_md: body.into(),
        body_html: format!("<p>{body}</p>"),
        created_at: at,
        channel: "parvis".into(),
        source_id: None,
        source_url: None,
    }
}

/// "Renouvellement", opened by `author` with "Ouverture" at time 10, outside any topic.
pub(super) fn renewal(space: SpaceId, author: MemberId) -> NewThread {
    NewThread {
        space_id: space,
        topic_id: None,
        title: "Renouvellement".into(),
        author_id: author,
        body_md: "Ouverture".into(),
        body_html: "<p>Ouverture</p>".into(),
        created_at: 10,
        channel: "parvis".into(),
        source_id: None,
        source_url: None,
    }
}

#[tokio::test]
async fn thread_pages_read_what_was_just_written() {
    on_both(|s| async move {
        let space = s.create_space("demo", "Démo", "", 1).await.unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        let (thread, first) = s.create_thread(&renewal(space, alice)).await.unwrap();
        let page = |n| PageRequest::new(Some(n), Some(2), 50);
        // Each write is visible to the very next read (the reads use other connections).
        for i in 0..4 {
            s.add_message(&reply(thread, alice, 20 + i, &format!("r{i}")))
                .await
                .unwrap();
            let (t, msgs) = s.thread_page(thread, page(1)).await.unwrap().unwrap();
            assert_eq!(t.message_count, 2 + i);
            assert_eq!(msgs.total, 2 + i, "the page counts every message");
        }
        s.add_reaction(first, alice, ReactionKind::Like, 30)
            .await
            .unwrap();
        let (t, p1) = s.thread_page(thread, page(1)).await.unwrap().unwrap();
        assert_eq!(
            (t.title.as_str(), t.author.handle.as_str()),
            ("Renouvellement", "alice")
        );
        let bodies = |p: &Page<Message>| {
            p.items
                .iter()
                .map(|m| m.body_markdown.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(bodies(&p1), ["Ouverture", "r0"]);
        assert_eq!(p1.items[0].reactions[0].count, 1);
        assert!(p1.items[1].reactions.is_empty());
        // Several kinds from several people, in the kinds' order, and a reply's parent author
        // (PostgreSQL reads the page in one query that carries both).
        let bob = s.create_member(&member("bob", "b@x.fr")).await.unwrap();
        for (who, kind) in [
            (bob, ReactionKind::Like),
            (bob, ReactionKind::Question),
            (alice, ReactionKind::Agree),
        ] {
            s.add_reaction(first, who, kind, 31).await.unwrap();
        }
        let answer = s
            .add_message(&NewMessage {
                parent_id: Some(first),
                ..reply(thread, bob, 40, "answer")
            })
            .await
            .unwrap();
        let (_, all) = s
            .thread_page(thread, PageRequest::new(Some(1), Some(50), 50))
            .await
            .unwrap()
            .unwrap();
        let counts: Vec<(&str, i64)> = all.items[0]
            .reactions
            .iter()
            .map(|r| (r.kind.as_str(), r.count))
            .collect();
        assert_eq!(counts, [("agree", 1), ("like", 2), ("question", 1)]);
        let last = all.items.last().unwrap();
        assert_eq!(
            (
                last.id,
                last.parent_author.as_deref(),
                last.author.handle.as_str()
            ),
            (answer, Some("ALICE"), "bob")
        );
        assert_eq!((all.total, all.items.len()), (6, 6));
        let (_, p3) = s.thread_page(thread, page(3)).await.unwrap().unwrap();
        assert_eq!(bodies(&p3), ["r3", "answer"]);
        assert!(!p3.has_next());
        let (_, past) = s.thread_page(thread, page(9)).await.unwrap().unwrap();
        assert!(past.items.is_empty() && past.total == 6);
        // The same page through the older entry points.
        assert_eq!(
            bodies(&s.list_messages(thread, page(3)).await.unwrap()),
            ["r3", "answer"]
        );
        assert!(
            s.thread_page(ThreadId(999_999), page(1))
                .await
                .unwrap()
                .is_none()
        );
        assert!(s.thread(ThreadId(999_999)).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn space_reads_bind_by_number_and_answer_many_at_once() {
    on_both(|s| async move {
        let space = s.create_space("demo", "Démo", "", 1).await.unwrap();
        let other = s.create_space("autre", "Autre", "", 2).await.unwrap();
        let topic = s
            .create_topic(space, "roi", "ROI", "", &[], 3)
            .await
            .unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        for (i, (sp, tp)) in [(space, Some(topic)), (space, None), (other, None)]
            .into_iter()
            .enumerate()
        {
            s.create_thread(&NewThread {
                space_id: sp,
                topic_id: tp,
                title: format!("t{i}"),
                author_id: alice,
                body_md: "x".into(),
                body_html: "x".into(),
                created_at: 10 + i as i64,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        }
        // `$4` (the topic) comes before `$2` and `$3` in the SQL text.
        let in_topic = s
            .list_threads(space, Some(topic), PageRequest::new(None, None, 20))
            .await
            .unwrap();
        assert_eq!(
            (in_topic.total, in_topic.items[0].title.as_str()),
            (1, "t0")
        );
        let all = s
            .list_threads(space, None, PageRequest::new(None, None, 20))
            .await
            .unwrap();
        let titles: Vec<_> = all.items.iter().map(|t| t.title.as_str()).collect();
        assert_eq!((all.total, titles), (2, vec!["t1", "t0"]));
        assert_eq!(s.space_by_slug("autre").await.unwrap().unwrap().id, other);
        assert!(s.space_by_slug("nope").await.unwrap().is_none());
        assert_eq!(
            s.topic_by_slug(space, "roi")
                .await
                .unwrap()
                .unwrap()
                .thread_count,
            1
        );
        assert!(s.topic_by_slug(other, "roi").await.unwrap().is_none());
        // The space page in one read: the space, its topics, the topic asked for, its threads.
        let pg = s
            .space_page("demo", Some("roi"), PageRequest::default())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((pg.space.id, pg.topics.len()), (space, 1));
        assert_eq!(pg.current.map(|t| t.id), Some(topic));
        assert_eq!(pg.threads.items.len(), 1);
        let whole = s
            .space_page("demo", None, PageRequest::default())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((whole.current.is_none(), whole.threads.total), (true, 2));
        let no_topic = s
            .space_page("demo", Some("nope"), PageRequest::default())
            .await
            .unwrap()
            .unwrap();
        assert!(no_topic.current.is_none() && no_topic.threads.items.is_empty());
        assert!(
            s.space_page("nope", None, PageRequest::default())
                .await
                .unwrap()
                .is_none()
        );
        // More reads at once than the store has read connections.
        let reads = (0..40).map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.list_threads(space, None, PageRequest::default()).await })
        });
        for r in reads {
            assert_eq!(r.await.unwrap().unwrap().total, 2);
        }
    })
    .await;
}

#[tokio::test]
async fn member_lists_filter_count_page_and_hide_erased_members() {
    on_both(|s| async move {
        let with = |handle: &str, email: &str, organisation: &str, role: SiteRole| NewMember {
            organisation: organisation.into(),
            site_role: role,
            ..member(handle, email)
        };
        let ada = s
            .create_member(&with(
                "ada",
                "ada@lovelace.example",
                "Analytical",
                SiteRole::Member,
            ))
            .await
            .unwrap();
        s.create_member(&with("bob", "bob@x.fr", "Acme", SiteRole::Admin))
            .await
            .unwrap();
        s.create_member(&with("cleo", "cleo@x.fr", "Acme Labs", SiteRole::Moderator))
            .await
            .unwrap();
        let gone = s
            .create_member(&with("dora", "dora@x.fr", "Acme", SiteRole::Member))
            .await
            .unwrap();
        s.erase_member(gone, true, "Ancien membre", 50)
            .await
            .unwrap();
        let page = |n, per| PageRequest::new(Some(n), Some(per), 50);
        let handles =
            |p: &Page<Member>| p.items.iter().map(|m| m.handle.clone()).collect::<Vec<_>>();

        // Anyone's list: by organisation (case-insensitive), the erased member left out.
        let acme = s.list_members(Some("ACME"), page(1, 50)).await.unwrap();
        assert_eq!(acme.total, 2, "{:?}", handles(&acme));
        let mut got = handles(&acme);
        got.sort();
        assert_eq!(got, ["bob", "cleo"]);
        // Paged: one at a time, the total stays.
        let first = s.list_members(Some("acme"), page(1, 1)).await.unwrap();
        let second = s.list_members(Some("acme"), page(2, 1)).await.unwrap();
        assert_eq!((first.total, second.total), (2, 2));
        assert_eq!(first.items.len() + second.items.len(), 2);
        assert_ne!(handles(&first), handles(&second));
        // An email is not a public search key.
        let by_mail = s.list_members(Some("lovelace"), page(1, 50)).await.unwrap();
        assert_eq!(by_mail.total, 0);

        // The admins' list: admins first, then moderators, then by name; found by email too.
        let all = s.list_members_for_admin(None, page(1, 50)).await.unwrap();
        let got = handles(&all);
        assert_eq!(&got[..3], ["bob", "cleo", "ada"], "{got:?}");
        let by_mail = s
            .list_members_for_admin(Some("LOVELACE"), page(1, 50))
            .await
            .unwrap();
        assert_eq!((by_mail.total, by_mail.items[0].id), (1, ada));
        assert_eq!(
            by_mail.items[0].email.as_deref(),
            Some("ada@lovelace.example")
        );
    })
    .await;
}

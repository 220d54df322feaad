//! Reactions and votes taken back stop counting in the measures' aggregate at the next
//! incremental refresh (no rebuild), and the aggregate then equals a rebuild from scratch.

use super::{member, on_both};
use parvis_domain::*;
use parvis_store::{ActivityRow, NewRoom, NewThread, RoomEventRow, Store};

const WEEK: i64 = 604_800_000;

/// The space's weekly rows, in a stable order.
async fn rows(s: &Store, space: SpaceId) -> Vec<ActivityRow> {
    let mut rows = s.measure_activity(space.0, 0).await.unwrap();
    rows.sort_by(|a, b| (a.member_id, &a.channel, a.week).cmp(&(b.member_id, &b.channel, b.week)));
    rows
}

/// Reactions (likes and votes) the aggregate gives `who`.
fn reactions(rows: &[ActivityRow], who: MemberId) -> i64 {
    rows.iter()
        .filter(|r| r.member_id == who.0)
        .map(|r| r.reactions)
        .sum()
}

/// Refresh incrementally at `now`, then check the rows equal a rebuild's; returns them.
async fn refresh_like_a_rebuild(s: &Store, space: SpaceId, now: i64) -> Vec<ActivityRow> {
    let run = s.measure_refresh(space.0, now).await.unwrap();
    assert!(!run.rebuilt, "kept current without a rebuild");
    let incremental = rows(s, space).await;
    let mut channels = s.measure_posts_by_channel(space.0, 0).await.unwrap();
    s.measure_reset(space.0).await.unwrap();
    assert!(s.measure_refresh(space.0, now).await.unwrap().rebuilt);
    assert_eq!(
        incremental,
        rows(s, space).await,
        "same as a rebuild from scratch"
    );
    let mut rebuilt = s.measure_posts_by_channel(space.0, 0).await.unwrap();
    channels.sort();
    rebuilt.sort();
    assert_eq!(channels, rebuilt, "messages per channel and week too");
    incremental
}

fn vote(seq: i64, at: i64, actor: MemberId, action: &str, question: u64) -> RoomEventRow {
    let key = format!("m:{}", actor.0);
    RoomEventRow {
        seq,
        at,
        actor_key: key.clone(),
        action: action.into(),
        body: format!(
            r#"{{"seq":{seq},"at":{at},"actor":{{"key":"{key}"}},"command":{{"action":"{action}","question":{question}}}}}"#
        ),
    }
}

#[tokio::test]
async fn a_like_or_a_debate_vote_taken_back_stops_counting_at_the_next_refresh() {
    on_both(|s| async move {
        let space = s.create_space("m", "M", "", 1).await.unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        let carol = s.create_member(&member("carol", "c@x.fr")).await.unwrap();
        let dan = s.create_member(&member("dan", "d@x.fr")).await.unwrap();
        let eve = s.create_member(&member("eve", "e@x.fr")).await.unwrap();
        let (_, first) = s
            .create_thread(&NewThread {
                space_id: space,
                topic_id: None,
                title: "Question".into(),
                author_id: alice,
                body_md: "Comment faire ?".into(),
                body_html: "<p>Comment faire ?</p>".into(),
                created_at: 10 * WEEK,
                channel: "mail".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        let room = s
            .create_room(&NewRoom {
                space_id: space,
                topic_id: None,
                session_id: None,
                title: "Débat".into(),
                anonymous_questions: false,
                approval_required: false,
                budget_permille: 1500,
                created_by: None,
                created_at: 10 * WEEK,
            })
            .await
            .unwrap();
        // Carol only likes a message, Dan only upvotes a question, Eve only likes: reactors.
        s.add_reaction(first, carol, ReactionKind::Like, 10 * WEEK + 1)
            .await
            .unwrap();
        s.add_reaction(first, eve, ReactionKind::Like, 10 * WEEK + 2)
            .await
            .unwrap();
        s.append_room_events(room, &[vote(1, 10 * WEEK + 3, dan, "upvote", 7)])
            .await
            .unwrap();
        assert!(s.measure_refresh(space.0, 11 * WEEK).await.unwrap().rebuilt);
        let before = rows(&s, space).await;
        assert_eq!(
            [carol, dan, eve].map(|m| reactions(&before, m)),
            [1, 1, 1],
            "each is a reactor"
        );

        // Carol takes her like back, Dan his upvote (the log keeps both events), Eve is erased.
        s.remove_reaction(first, carol, ReactionKind::Like)
            .await
            .unwrap();
        s.append_room_events(room, &[vote(2, 11 * WEEK + 1, dan, "unvote", 7)])
            .await
            .unwrap();
        s.erase_member(eve, false, "Ancien membre", 11 * WEEK + 2)
            .await
            .unwrap();
        let after = refresh_like_a_rebuild(&s, space, 12 * WEEK).await;
        for m in [carol, dan, eve] {
            assert!(
                after.iter().all(|r| r.member_id != m.0),
                "member {} no longer counted at all",
                m.0
            );
        }

        // A like given again after being taken back counts once, whether a refresh ran in
        // between or not; so does an upvote given again.
        s.add_reaction(first, carol, ReactionKind::Like, 12 * WEEK + 1)
            .await
            .unwrap();
        s.append_room_events(room, &[vote(3, 12 * WEEK + 2, dan, "upvote", 7)])
            .await
            .unwrap();
        refresh_like_a_rebuild(&s, space, 13 * WEEK).await;
        s.remove_reaction(first, carol, ReactionKind::Like)
            .await
            .unwrap();
        s.add_reaction(first, carol, ReactionKind::Like, 13 * WEEK + 1)
            .await
            .unwrap();
        s.append_room_events(
            room,
            &[
                vote(4, 13 * WEEK + 2, dan, "unvote", 7),
                vote(5, 13 * WEEK + 3, dan, "upvote", 7),
            ],
        )
        .await
        .unwrap();
        let again = refresh_like_a_rebuild(&s, space, 14 * WEEK).await;
        assert_eq!([carol, dan].map(|m| reactions(&again, m)), [1, 1]);
        assert!(
            again
                .iter()
                .any(|r| r.member_id == carol.0 && r.week == 13 && r.channel == "mail"),
            "in the week it was given again, on the message's channel"
        );

        // Given and taken back between two refreshes: never counted, nothing subtracted.
        s.add_reaction(first, alice, ReactionKind::Like, 14 * WEEK + 1)
            .await
            .unwrap();
        s.remove_reaction(first, alice, ReactionKind::Like)
            .await
            .unwrap();
        let last = refresh_like_a_rebuild(&s, space, 15 * WEEK).await;
        assert_eq!(reactions(&last, alice), 0);
        assert_eq!(last, again);
    })
    .await;
}

#[tokio::test]
async fn a_changed_opinion_vote_and_an_erased_members_votes_leave_the_weeks_they_counted_in() {
    use parvis_store::{NewChallenge, NewEntry, NewMessage};
    on_both(|s| async move {
        let space = s.create_space("m", "M", "", 1).await.unwrap();
        let topic = s.create_topic(space, "t", "T", "", &[], 1).await.unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        let frank = s.create_member(&member("frank", "f@x.fr")).await.unwrap();
        let gina = s.create_member(&member("gina", "g@x.fr")).await.unwrap();
        let hal = s.create_member(&member("hal", "h@x.fr")).await.unwrap();
        let alices = s
            .add_statement(topic, Some(alice), "Il faut mesurer.", "accepted", 5, None)
            .await
            .unwrap();
        let ginas = s
            .add_statement(
                topic,
                Some(gina),
                "Mesurer ne suffit pas.",
                "accepted",
                5,
                None,
            )
            .await
            .unwrap();
        let (t, first) = s
            .create_thread(&NewThread {
                space_id: space,
                topic_id: Some(topic),
                title: "Question".into(),
                author_id: alice,
                body_md: "Comment faire ?".into(),
                body_html: "<p>Comment faire ?</p>".into(),
                created_at: 10 * WEEK,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        let ginas_message = s
            .add_message(&NewMessage {
                thread_id: t,
                parent_id: Some(first),
                author_id: gina,
                body_md: "Voici".into(),
                body_html: "<p>Voici</p>".into(),
                created_at: 10 * WEEK + 1,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        // A thread of Gina's own, read by Hal, goes with her messages.
        let (ginas_thread, _) = s
            .create_thread(&NewThread {
                space_id: space,
                topic_id: None,
                title: "Idée".into(),
                author_id: gina,
                body_md: "Et si ?".into(),
                body_html: "<p>Et si ?</p>".into(),
                created_at: 10 * WEEK + 1,
                channel: "mail".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        s.record_read(hal, ginas_thread, 10 * WEEK + 5)
            .await
            .unwrap();
        let challenge = s
            .create_challenge(
                &NewChallenge {
                    space_id: space.0,
                    kind: "contest".into(),
                    title: "Défi".into(),
                    brief_md: String::new(),
                    brief_html: String::new(),
                    rules: String::new(),
                    deadline: 30 * WEEK,
                    time_zone: "Europe/Paris".into(),
                    award: String::new(),
                    cta_label: String::new(),
                    cta_url: String::new(),
                    votes_hidden: false,
                    scale_max: 5,
                    created_by: None,
                    criteria: vec![],
                    evaluators: vec![],
                },
                5,
            )
            .await
            .unwrap();
        let entry = |who: MemberId| NewEntry {
            challenge_id: challenge,
            member_id: who.0,
            title: "Idée".into(),
            body_md: String::new(),
            body_html: String::new(),
            links: vec![],
            rules_wording: "Règles".into(),
            now: 10 * WEEK,
        };
        let alices_entry = s.add_entry(&entry(alice)).await.unwrap();
        let ginas_entry = s.add_entry(&entry(gina)).await.unwrap();
        let m = |who: MemberId| format!("m{}", who.0);
        // Frank votes on a statement; Gina votes on Alice's entry and statement; Hal only
        // reacts to what Gina wrote (her message, entry and statement).
        s.vote(alices, &m(frank), 1, 10 * WEEK + 2).await.unwrap();
        s.vote_entry(challenge, alices_entry, gina.0, 10 * WEEK + 3)
            .await
            .unwrap();
        s.vote(alices, &m(gina), -1, 10 * WEEK + 3).await.unwrap();
        s.vote_entry(challenge, ginas_entry, hal.0, 10 * WEEK + 4)
            .await
            .unwrap();
        s.vote(ginas, &m(hal), 1, 10 * WEEK + 4).await.unwrap();
        s.add_reaction(ginas_message, hal, ReactionKind::Like, 10 * WEEK + 4)
            .await
            .unwrap();
        // Gina also upvoted a question in a live room.
        let room = s
            .create_room(&NewRoom {
                space_id: space,
                topic_id: Some(topic),
                session_id: None,
                title: "Débat".into(),
                anonymous_questions: false,
                approval_required: false,
                budget_permille: 1500,
                created_by: None,
                created_at: 10 * WEEK,
            })
            .await
            .unwrap();
        s.append_room_events(room, &[vote(1, 10 * WEEK + 6, gina, "upvote", 1)])
            .await
            .unwrap();
        assert!(s.measure_refresh(space.0, 11 * WEEK).await.unwrap().rebuilt);
        let before = rows(&s, space).await;
        assert_eq!([frank, gina, hal].map(|w| reactions(&before, w)), [1, 3, 3]);

        // Frank changes his vote the next week: it counts once, in the week of the change.
        s.vote(alices, &m(frank), -1, 11 * WEEK + 1).await.unwrap();
        let changed = refresh_like_a_rebuild(&s, space, 12 * WEEK).await;
        let franks: Vec<_> = changed.iter().filter(|r| r.member_id == frank.0).collect();
        assert_eq!(franks.len(), 1);
        assert_eq!((franks[0].week, franks[0].reactions), (11, 1));

        // Gina is erased with what she wrote: her votes and messages go, and so do the votes,
        // the like and the read Hal left on her message, entry, statement and thread.
        s.erase_member(gina, true, "Ancien membre", 12 * WEEK + 1)
            .await
            .unwrap();
        // The services then make her live events anonymous.
        let mut upvote = s.room_events(room, 0).await.unwrap().remove(0);
        upvote.actor_key = "x:0123456789abcdef".into();
        s.rewrite_room_events(&[(room, upvote)]).await.unwrap();
        let erased = refresh_like_a_rebuild(&s, space, 13 * WEEK).await;
        assert_eq!([gina, hal].map(|w| reactions(&erased, w)), [0, 0]);
        assert!(erased.iter().all(|r| r.member_id != hal.0));
        assert_eq!(reactions(&erased, frank), 1);
    })
    .await;
}

#[tokio::test]
async fn a_withdrawn_challenge_vote_stops_counting_at_the_next_refresh() {
    use parvis_store::{NewChallenge, NewEntry, StoreError};
    on_both(|s| async move {
        let space = s.create_space("m", "M", "", 1).await.unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        let ivy = s.create_member(&member("ivy", "i@x.fr")).await.unwrap();
        let jo = s.create_member(&member("jo", "j@x.fr")).await.unwrap();
        let challenge = s
            .create_challenge(
                &NewChallenge {
                    space_id: space.0,
                    kind: "ideas".into(),
                    title: "Défi".into(),
                    brief_md: String::new(),
                    brief_html: String::new(),
                    rules: String::new(),
                    deadline: 30 * WEEK,
                    time_zone: "Europe/Paris".into(),
                    award: String::new(),
                    cta_label: String::new(),
                    cta_url: String::new(),
                    votes_hidden: false,
                    scale_max: 5,
                    created_by: None,
                    criteria: vec![],
                    evaluators: vec![],
                },
                5,
            )
            .await
            .unwrap();
        let entry = s
            .add_entry(&NewEntry {
                challenge_id: challenge,
                member_id: alice.0,
                title: "Idée".into(),
                body_md: String::new(),
                body_html: String::new(),
                links: vec![],
                rules_wording: "Règles".into(),
                now: 10 * WEEK,
            })
            .await
            .unwrap();
        // Ivy and Jo only vote: each is a reactor once the aggregate has read it.
        for (who, at) in [(ivy, 10 * WEEK + 1), (jo, 10 * WEEK + 2)] {
            s.vote_entry(challenge, entry, who.0, at).await.unwrap();
        }
        assert!(s.measure_refresh(space.0, 11 * WEEK).await.unwrap().rebuilt);
        let before = rows(&s, space).await;
        assert_eq!([ivy, jo].map(|w| reactions(&before, w)), [1, 1]);

        // Ivy withdraws hers; Jo withdraws and votes again the next week (counted once, then).
        s.withdraw_entry_vote(entry, ivy.0).await.unwrap();
        s.withdraw_entry_vote(entry, jo.0).await.unwrap();
        s.vote_entry(challenge, entry, jo.0, 11 * WEEK + 1)
            .await
            .unwrap();
        let vote_count = |e| s.challenge_entry(e);
        assert_eq!(
            vote_count(entry).await.unwrap().unwrap().vote_count,
            Some(1)
        );
        // Nothing to withdraw: refused, and nothing is copied or counted twice.
        assert!(matches!(
            s.withdraw_entry_vote(entry, ivy.0).await,
            Err(StoreError::NotFound("vote"))
        ));
        let after = refresh_like_a_rebuild(&s, space, 12 * WEEK).await;
        assert!(
            after.iter().all(|r| r.member_id != ivy.0),
            "Ivy is no longer a reactor"
        );
        let jos: Vec<_> = after.iter().filter(|r| r.member_id == jo.0).collect();
        assert_eq!(jos.len(), 1);
        assert_eq!((jos[0].week, jos[0].reactions), (11, 1));
    })
    .await;
}

#[tokio::test]
async fn a_reply_kept_after_the_message_it_answered_was_erased_counts_as_a_rebuild_counts_it() {
    use parvis_store::NewMessage;
    on_both(|s| async move {
        let space = s.create_space("m", "M", "", 1).await.unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        let gina = s.create_member(&member("gina", "g@x.fr")).await.unwrap();
        let hal = s.create_member(&member("hal", "h@x.fr")).await.unwrap();
        let (t, first) = s
            .create_thread(&NewThread {
                space_id: space,
                topic_id: None,
                title: "Question".into(),
                author_id: alice,
                body_md: "Comment faire ?".into(),
                body_html: "<p>Comment faire ?</p>".into(),
                created_at: 10 * WEEK,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await
            .unwrap();
        let reply = |parent, author, at| NewMessage {
            thread_id: t,
            parent_id: Some(parent),
            author_id: author,
            body_md: "Oui".into(),
            body_html: "<p>Oui</p>".into(),
            created_at: at,
            channel: "parvis".into(),
            source_id: None,
            source_url: None,
        };
        // Gina answers Alice; Alice, who opened the thread, and Hal answer Gina.
        let ginas = s
            .add_message(&reply(first, gina, 10 * WEEK + 1))
            .await
            .unwrap();
        s.add_message(&reply(ginas, alice, 10 * WEEK + 2))
            .await
            .unwrap();
        s.add_message(&reply(ginas, hal, 10 * WEEK + 3))
            .await
            .unwrap();
        assert!(s.measure_refresh(space.0, 11 * WEEK).await.unwrap().rebuilt);
        let answers = |rows: &[ActivityRow], who: MemberId| -> i64 {
            rows.iter()
                .filter(|r| r.member_id == who.0)
                .map(|r| r.answers)
                .sum()
        };
        let before = rows(&s, space).await;
        assert_eq!([alice, hal].map(|w| answers(&before, w)), [1, 1]);

        // Gina is erased with her messages; the replies to hers stay, their parent gone.
        s.erase_member(gina, true, "Ancien membre", 11 * WEEK + 1)
            .await
            .unwrap();
        let after = refresh_like_a_rebuild(&s, space, 12 * WEEK).await;
        assert_eq!(
            [alice, hal].map(|w| answers(&after, w)),
            [0, 1],
            "Alice's reply now answers her own thread: no longer an answer; Hal's still is"
        );
        let alices: Vec<_> = after.iter().filter(|r| r.member_id == alice.0).collect();
        assert_eq!(alices[0].posts, 2, "her messages still count as posts");
    })
    .await;
}

/// A moderator's merge of `question` into `into`, as the room logs it.
fn merge(seq: i64, at: i64, moderator: MemberId, question: u64, into: u64) -> RoomEventRow {
    let key = format!("m:{}", moderator.0);
    RoomEventRow {
        seq,
        at,
        actor_key: key.clone(),
        action: "merge".into(),
        body: format!(
            r#"{{"seq":{seq},"at":{at},"actor":{{"key":"{key}"}},"command":{{"action":"merge","question":{question},"into":{into}}}}}"#
        ),
    }
}

/// The room carries a duplicate's upvotes over to the question it is merged into, where
/// their voters can take them back: the measures stop counting them there too, at the next
/// incremental refresh as in a rebuild.
#[tokio::test]
async fn an_upvote_of_a_merged_duplicate_taken_back_on_the_question_kept_stops_counting() {
    on_both(|s| async move {
        let space = s.create_space("m", "M", "", 1).await.unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        let dan = s.create_member(&member("dan", "d@x.fr")).await.unwrap();
        let eve = s.create_member(&member("eve", "e@x.fr")).await.unwrap();
        let fay = s.create_member(&member("fay", "f@x.fr")).await.unwrap();
        let room = s
            .create_room(&NewRoom {
                space_id: space,
                topic_id: None,
                session_id: None,
                title: "Débat".into(),
                anonymous_questions: false,
                approval_required: false,
                budget_permille: 1500,
                created_by: None,
                created_at: 10 * WEEK,
            })
            .await
            .unwrap();
        // Dan upvotes the duplicate (question 2), Eve both questions, Fay question 1; Alice,
        // moderating, merges 2 into 1.
        s.append_room_events(
            room,
            &[
                vote(1, 10 * WEEK + 1, dan, "upvote", 2),
                vote(2, 10 * WEEK + 2, eve, "upvote", 1),
                vote(3, 10 * WEEK + 3, eve, "upvote", 2),
                vote(4, 10 * WEEK + 4, fay, "upvote", 1),
                merge(5, 10 * WEEK + 5, alice, 2, 1),
            ],
        )
        .await
        .unwrap();
        assert!(s.measure_refresh(space.0, 11 * WEEK).await.unwrap().rebuilt);
        let before = rows(&s, space).await;
        assert_eq!([dan, eve, fay].map(|m| reactions(&before, m)), [1, 2, 1]);

        // Dan and Eve take back their vote on the question kept (the room refuses a vote on
        // the duplicate): Dan's upvote of the duplicate goes, and both of Eve's.
        s.append_room_events(
            room,
            &[
                vote(6, 11 * WEEK + 1, dan, "unvote", 1),
                vote(7, 11 * WEEK + 2, eve, "unvote", 1),
            ],
        )
        .await
        .unwrap();
        let after = refresh_like_a_rebuild(&s, space, 12 * WEEK).await;
        assert_eq!([dan, eve, fay].map(|m| reactions(&after, m)), [0, 0, 1]);

        // Eve votes again; question 1 is merged into a third one, where she takes it back.
        s.append_room_events(
            room,
            &[
                vote(8, 12 * WEEK + 1, eve, "upvote", 1),
                merge(9, 12 * WEEK + 2, alice, 1, 3),
            ],
        )
        .await
        .unwrap();
        let again = refresh_like_a_rebuild(&s, space, 13 * WEEK).await;
        assert_eq!(reactions(&again, eve), 1);
        s.append_room_events(room, &[vote(10, 13 * WEEK + 1, eve, "unvote", 3)])
            .await
            .unwrap();
        let last = refresh_like_a_rebuild(&s, space, 14 * WEEK).await;
        assert_eq!([dan, eve, fay].map(|m| reactions(&last, m)), [0, 0, 1]);
    })
    .await;
}

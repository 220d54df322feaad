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
    s.measure_reset(space.0).await.unwrap();
    assert!(s.measure_refresh(space.0, now).await.unwrap().rebuilt);
    assert_eq!(
        incremental,
        rows(s, space).await,
        "same as a rebuild from scratch"
    );
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
